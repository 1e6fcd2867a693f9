//! The figures the Platform Manager's page and the Business Overview show.

use crate::functions::platform_manager::projection;
use crate::store::{EventStore, StoreError};
use chrono::Utc;
use kiln_core::function::BusinessFunction;

/// The Platform Manager's headline over time: the accounts opened in each
/// of `months`, stacked by tier (the tiers that opened none in them left
/// out of the legend).
pub async fn accounts_opened_chart(
    store: &EventStore,
    months: &[crate::functions::descriptor::Month],
) -> Result<crate::functions::view::TrendChart, StoreError> {
    use crate::functions::platform_manager::decide::AccountTier;
    use crate::functions::view::{ChartUnit, SeriesStyle, TrendChart, TrendSeries};

    let first_month = months.first().map_or("", |month| month.key.as_str());
    let opened = projection::accounts_opened_by_month(store, first_month).await?;
    let series = [
        (AccountTier::Consumer, "Shoppers"),
        (AccountTier::Dealer, "Dealer users"),
        (AccountTier::Staff, "Staff"),
    ]
    .into_iter()
    .map(|(tier, name)| TrendSeries {
        name: name.to_owned(),
        style: SeriesStyle::Bars,
        values: months
            .iter()
            .map(|month| {
                opened
                    .iter()
                    .filter(|(key, counted, _)| *key == month.key && *counted == tier)
                    .map(|(_, _, accounts)| *accounts)
                    .sum()
            })
            .collect(),
    })
    .filter(|series| series.values.iter().any(|accounts| *accounts > 0))
    .collect();
    Ok(TrendChart {
        key: "accounts-opened-by-month".into(),
        title: "Accounts opened per month, by tier".into(),
        periods: months.iter().map(|month| month.label.clone()).collect(),
        series,
        unit: ChartUnit::Count,
        source: Some(BusinessFunction::PlatformManager.page_url()),
    })
}

/// How many changes the Platform Manager's change log shows.
const CHANGE_LOG_LENGTH: i64 = 200;

/// The briefing's roadmap: each phase's number and name. Phase 5 adds no
/// function; it grants agents more autonomy and refines what is built.
const ROADMAP_PHASES: [(u8, &str); 5] = [
    (1, "Core Foundation"),
    (2, "Manufacturing Capability"),
    (3, "Commercial Sophistication"),
    (4, "Financial & Operational Maturity"),
    (5, "Optimization & Scale"),
];

/// How many decided triage proposals the page shows beside those waiting.
const DECIDED_SHOWN: i64 = 10;

/// Fills the Platform Manager's page: accounts per tier and opened per
/// month, staff and their roles, the change log (roles and API tokens),
/// the API tokens, the proposed triages of change requests, and the
/// roadmap of the briefing's phases and their functions.
pub async fn fill_page(
    store: &EventStore,
    built: &[&crate::functions::descriptor::FunctionDescriptor],
    page: &mut crate::functions::view::FunctionPage,
) -> Result<(), StoreError> {
    use crate::functions::platform_manager::decide::AccountTier;
    use crate::functions::view::{DataTable, Metric};

    let counts = projection::account_counts(store).await?;
    let count_of = |tier: AccountTier| {
        counts
            .iter()
            .find(|(counted, _)| *counted == tier)
            .map_or(0, |(_, count)| *count)
    };
    let tokens = projection::api_tokens(store).await?;
    let live_tokens = tokens.iter().filter(|token| !token.revoked).count();
    page.metrics = vec![
        Metric::count(
            "staff-accounts",
            "Staff accounts",
            count_of(AccountTier::Staff),
        ),
        Metric::count(
            "shopper-accounts",
            "Shopper accounts",
            count_of(AccountTier::Consumer),
        ),
        Metric::count(
            "dealer-users",
            "Dealer users",
            count_of(AccountTier::Dealer),
        ),
        Metric::count("live-api-tokens", "Live API tokens", live_tokens),
    ];
    // Proposed triages of change requests: the agent's decisions here.
    page.decisions = projection::triage_proposals(store, DECIDED_SHOWN).await?;
    let waiting = page
        .decisions
        .iter()
        .filter(|card| card.status == kiln_core::decision::DecisionStatus::Pending)
        .count();
    page.metrics.push(Metric::count(
        "decisions-waiting",
        "Proposals waiting for a person",
        waiting,
    ));

    let mut staff = DataTable::new(
        "staff",
        "Staff and their roles",
        &["Name", "Email", "Roles"],
        "No staff accounts yet: create the first with kiln user add.",
    );
    for member in projection::staff_members(store).await? {
        let roles = if member.roles.is_empty() {
            "none".to_owned()
        } else {
            member.roles.join(", ")
        };
        staff.row(vec![member.name, member.email, roles]);
    }

    let mut changes = DataTable::new(
        "change-log",
        &format!("Change log: roles and API tokens (the newest {CHANGE_LOG_LENGTH})"),
        &["When (UTC)", "Change", "For", "Role or token", "By"],
        "No role has been granted and no token issued yet.",
    );
    for change in projection::change_log(store, CHANGE_LOG_LENGTH).await? {
        changes.row(vec![
            change.at,
            change.change,
            change.subject,
            change.detail,
            change.by,
        ]);
    }

    let mut token_table = DataTable::new(
        "api-tokens",
        "API tokens",
        &["Token", "Holder", "Label", "Status"],
        "No API token has been issued.",
    );
    for token in tokens {
        let status = if token.revoked { "revoked" } else { "live" };
        token_table.row(vec![
            token.token.to_string(),
            token.holder.to_string(),
            token.label,
            status.to_owned(),
        ]);
    }

    let mut roadmap = DataTable::new(
        "roadmap",
        "Roadmap by phase",
        &["Phase", "Function", "Group", "Status"],
        "",
    );
    for (phase, name) in ROADMAP_PHASES {
        let label = format!("Phase {phase}: {name}");
        let mut functions = BusinessFunction::ALL
            .into_iter()
            .filter(|function| function.phase() == phase)
            .peekable();
        if functions.peek().is_none() {
            roadmap.row(vec![
                label,
                "No new function: graduated autonomy for agents, performance, analytics, integrations"
                    .to_owned(),
                String::new(),
                "not started".to_owned(),
            ]);
            continue;
        }
        for function in functions {
            let status = if crate::functions::descriptor::is_built(built, function) {
                "live"
            } else {
                "not built yet"
            };
            roadmap.row(vec![
                label.clone(),
                function.title().to_owned(),
                function.group().title().to_owned(),
                status.to_owned(),
            ]);
        }
    }
    let mut door = DataTable::new(
        "access-log",
        "Sign-ins, token use and refusals (the 100 newest)",
        &["When (UTC)", "What", "Who", "From", "Detail"],
        "Nobody has signed in or been refused yet.",
    );
    for entry in crate::store::access_log::newest(store, 100).await? {
        door.row(vec![
            entry.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            crate::store::access_log::AccessKind::label_of(&entry.kind).to_owned(),
            entry.who,
            entry.address,
            entry.detail,
        ]);
    }
    let mut autonomy = DataTable::new(
        "autonomy-policies",
        "Autonomy policies",
        &[
            "Kind of decision",
            "Function",
            "Policy",
            "Its size means",
            "Set by",
            "When (UTC)",
        ],
        "No kind of decision exists yet.",
    );
    let policies = crate::functions::platform_manager::projection::autonomy_policies(store).await?;
    for kind in crate::agents::kinds::DECISION_KINDS {
        let set = policies.iter().find(|row| row.kind == kind.slug);
        autonomy.row(vec![
            kind.title.to_owned(),
            kind.function.title().to_owned(),
            set.map_or_else(
                || "always ask (never set)".to_owned(),
                |row| row.policy.describe(),
            ),
            kind.size_means.to_owned(),
            set.map_or_else(String::new, |row| row.set_by.clone()),
            set.map_or_else(String::new, |row| {
                row.set_at
                    .get(..16)
                    .unwrap_or(&row.set_at)
                    .replace('T', " ")
            }),
        ]);
    }
    page.tables = vec![staff, changes, token_table, autonomy, door, roadmap];
    let months = crate::functions::descriptor::months_ending(Utc::now(), 6);
    page.trends = vec![accounts_opened_chart(store, &months).await?];
    Ok(())
}

/// The Platform Manager's figures on the Business Overview: the shopper
/// accounts, and the accounts opened per month by tier.
pub async fn headline(
    store: &EventStore,
    months: &crate::functions::descriptor::Months,
) -> Result<crate::functions::descriptor::Headline, StoreError> {
    use crate::functions::platform_manager::decide::AccountTier;
    let shoppers = projection::account_counts(store)
        .await?
        .into_iter()
        .find(|(tier, _)| *tier == AccountTier::Consumer)
        .map_or(0, |(_, count)| count);
    Ok(crate::functions::descriptor::Headline {
        metrics: vec![crate::functions::view::Metric::count(
            "shopper-accounts",
            "Shopper accounts",
            shoppers,
        )],
        trends: vec![accounts_opened_chart(store, months).await?],
        charts: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::accounts::tests::{new_ada, new_mara};
    use super::super::accounts::{create_staff_account, sign_up_consumer};
    use super::*;
    use crate::functions::platform_manager::events::PlatformEvent;
    use crate::store::EventMetadata;
    use crate::testing::store_tests;
    use kiln_core::event::{Actor, StreamId};
    use kiln_core::identity::{AccountId, Email};

    store_tests! {

        async fn the_roadmap_lists_the_briefings_five_phases_by_name_and_says_what_each_function_is(store) {
            let mut page = crate::functions::view::FunctionPage::of(BusinessFunction::PlatformManager);
            fill_page(&store, crate::functions::BUILT, &mut page).await.expect("filled");
            let roadmap = page.table("roadmap")
                .expect("the roadmap");
            let row_of = |function: &str| {
                roadmap
                    .rows
                    .iter()
                    .find(|row| row[1] == function)
                    .unwrap_or_else(|| panic!("no row for {function}"))
                    .clone()
            };
            assert_eq!(
                row_of("Category Management"),
                ["Phase 1: Core Foundation", "Category Management", "Commercial", "live"]
            );
            assert_eq!(row_of("HR")[0], "Phase 4: Financial & Operational Maturity");
            assert_eq!(row_of("HR")[3], "not built yet");
            let last = roadmap.rows.last().expect("rows");
            assert_eq!(last[0], "Phase 5: Optimization & Scale");
            assert!(last[1].starts_with("No new function"), "{last:?}");
            assert_eq!(roadmap.rows.len(), BusinessFunction::ALL.len() + 1);
        }

        async fn accounts_are_counted_in_the_month_they_were_opened_stacked_by_tier(store) {
            use crate::functions::descriptor::months_ending;

            let now = Utc::now();
            let months = months_ending(now, 6);
            create_staff_account(&store, Actor::system("test"), new_mara())
                .await
                .expect("created");
            sign_up_consumer(&store, new_ada()).await.expect("signed up");
            // A shopper brought over from before Kiln, who signed up in the
            // middle of the month two before this one: counted there.
            let earlier = AccountId::generate();
            let signed_up = PlatformEvent::ConsumerSignedUp(crate::functions::platform_manager::events::ConsumerSignedUp {
                account: earlier.clone(),
                email: Email::parse("bea@example.com").expect("valid"),
                name: "Bea Shopper".into(),
            });
            let metadata = EventMetadata::new(Actor::system("test"), BusinessFunction::PlatformManager)
                .occurred_at(
                    format!("{}-15T12:00:00Z", months[3].key)
                        .parse()
                        .expect("a date"),
                );
            store
                .append(&StreamId::account(&earlier), 0, &[signed_up], &metadata)
                .await
                .expect("appended");

            let chart = accounts_opened_chart(&store, &months).await.expect("chart");
            assert_eq!(chart.source.as_deref(), Some("/staff/platform-manager"));
            let series: Vec<(&str, &[i64])> = chart
                .series
                .iter()
                .map(|series| (series.name.as_str(), series.values.as_slice()))
                .collect();
            // No dealer user was opened, so dealers are not in the legend.
            assert_eq!(
                series,
                [("Shoppers", &[0, 0, 0, 1, 0, 1][..]), ("Staff", &[0, 0, 0, 0, 0, 1][..])]
            );

            let report = crate::store::projections::rebuild(&store, Some("accounts"), |_| {})
                .await
                .expect("rebuilt");
            assert!(report.all_equal(), "{:?}", report.tables);
        }
    }
}
