//! Autonomy policies: how far agents may go on their own with each kind
//! of decision, set by administrators on the Platform Manager's page.

use crate::agents::kinds::decision_kind;
use crate::functions::platform_manager::decide::{PlatformError, decide_autonomy};
use crate::functions::platform_manager::events::{PlatformEvent, autonomy_stream};
use crate::functions::platform_manager::projection;
use crate::functions::platform_manager::view::AutonomyForm;
use crate::store::{Appended, EventMetadata, EventStore, StoreError};
use kiln_core::decision::AutonomyPolicy;
use kiln_core::event::Actor;
use kiln_core::function::BusinessFunction;

/// Why an autonomy policy was not set.
#[derive(Debug, thiserror::Error)]
pub enum AutonomyServiceError {
    /// A rule refused it; the message is safe to show.
    #[error(transparent)]
    Refused(#[from] PlatformError),
    /// The form named no kind of decision agents propose.
    #[error("“{text}” is not a kind of decision agents propose")]
    UnknownKind {
        /// What was sent (its first 40 characters).
        text: String,
    },
    /// The form named no policy.
    #[error("“{text}” is not a policy: use always_ask, carry_out_below or carry_out")]
    UnknownPolicy {
        /// What was sent (its first 40 characters).
        text: String,
    },
    /// The limit is not a percentage.
    #[error("“{text}” is not a percentage: give it like 5 or 2.5")]
    InvalidLimit {
        /// What was sent (its first 40 characters).
        text: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Sets the autonomy policy the form describes, on behalf of `actor` (an
/// administrator: the route table lets no one else here).
pub async fn set_autonomy_policy(
    store: &EventStore,
    actor: Actor,
    form: AutonomyForm,
) -> Result<Appended, AutonomyServiceError> {
    let quoted = |text: &str| text.chars().take(40).collect::<String>();
    let kind =
        decision_kind(form.kind.trim()).ok_or_else(|| AutonomyServiceError::UnknownKind {
            text: quoted(&form.kind),
        })?;
    let policy = match form.policy.trim() {
        "always_ask" => AutonomyPolicy::AlwaysAsk,
        "carry_out" => AutonomyPolicy::CarryOut,
        "carry_out_below" => AutonomyPolicy::CarryOutBelow {
            limit_bp: percent_to_basis_points(form.limit_percent.trim()).ok_or_else(|| {
                AutonomyServiceError::InvalidLimit {
                    text: quoted(&form.limit_percent),
                }
            })?,
        },
        other => {
            return Err(AutonomyServiceError::UnknownPolicy {
                text: quoted(other),
            });
        }
    };
    let metadata = EventMetadata::new(actor, BusinessFunction::PlatformManager);
    store
        .decide_and_append(
            &autonomy_stream(),
            &metadata,
            |history: &[PlatformEvent]| {
                let current = history
                    .iter()
                    .rev()
                    .find_map(|event| match event {
                        PlatformEvent::AutonomyPolicySet(set) if set.kind == kind.slug => {
                            Some(set.policy)
                        }
                        _ => None,
                    })
                    .unwrap_or_default();
                decide_autonomy(current, kind, policy).map_err(AutonomyServiceError::from)
            },
        )
        .await
}

/// A percentage typed as `5`, `2.5` or `0.25` in basis points; `None` for
/// anything else (more than two decimals, a sign, letters, too large).
fn percent_to_basis_points(text: &str) -> Option<u32> {
    let text = text.strip_suffix('%').unwrap_or(text).trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    let fraction: u32 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(fraction)
}

/// The policy in force for decisions of `kind`.
pub async fn policy_for(
    store: &EventStore,
    kind: &crate::agents::kinds::DecisionKind,
) -> Result<AutonomyPolicy, StoreError> {
    projection::autonomy_policy(store, kind.slug).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::store_tests;

    fn form(policy: &str, limit: &str) -> AutonomyForm {
        AutonomyForm {
            kind: "base-price".into(),
            policy: policy.into(),
            limit_percent: limit.into(),
        }
    }

    fn admin() -> Actor {
        Actor::parse("user:acc-0000000000000001").expect("actor")
    }

    #[test]
    fn a_limit_is_read_as_a_percentage_with_at_most_two_decimals() {
        assert_eq!(percent_to_basis_points("5"), Some(500));
        assert_eq!(percent_to_basis_points("2.5"), Some(250));
        assert_eq!(percent_to_basis_points("0.25 %"), Some(25));
        for bad in ["", "-5", "five", "1.234", ".5", "99999999999"] {
            assert_eq!(percent_to_basis_points(bad), None, "{bad}");
        }
    }

    store_tests! {
        async fn a_policy_set_by_form_is_in_force_and_bad_input_changes_nothing(store) {
            assert_eq!(
                policy_for(&store, &crate::agents::kinds::BASE_PRICE).await.expect("read"),
                AutonomyPolicy::AlwaysAsk
            );
            set_autonomy_policy(&store, admin(), form("carry_out_below", "5")).await.expect("set");
            assert_eq!(
                policy_for(&store, &crate::agents::kinds::BASE_PRICE).await.expect("read"),
                AutonomyPolicy::CarryOutBelow { limit_bp: 500 }
            );
            let head = store.head_position().await.expect("head");
            for (bad, refusal) in [
                (form("carry_out_below", "5"), "the policy for Base price change is already “carry out below 5 %”"),
                (form("carry_out_below", "60"), "give the limit as a percentage above 0 and at most 50 %"),
                (form("carry_out_below", "a lot"), "“a lot” is not a percentage: give it like 5 or 2.5"),
                (form("sometimes", ""), "“sometimes” is not a policy: use always_ask, carry_out_below or carry_out"),
                (AutonomyForm { kind: "delist".into(), ..form("carry_out", "") }, "“delist” is not a kind of decision agents propose"),
            ] {
                let refused = set_autonomy_policy(&store, admin(), bad).await.expect_err("refused");
                assert_eq!(refused.to_string(), refusal);
            }
            assert_eq!(store.head_position().await.expect("head"), head);
            let report = crate::store::projections::rebuild(&store, Some("autonomy-policies"), |_| {})
                .await
                .expect("rebuilt");
            assert!(report.all_equal(), "{:?}", report.tables);
        }
    }
}
