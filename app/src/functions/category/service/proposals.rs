//! An agent's proposal to change a base price, and a person's verdict on it.

use super::products::{CatalogServiceError, handle_with, product_currency, quoted, sku_from_form};
use crate::functions::category::decide::{CategoryCommand, CategoryError};
use crate::functions::category::projection;
use crate::functions::category::view::{DecisionVerdictForm, PriceProposalForm, ReversalForm};
use crate::store::{Appended, EventMetadata, EventStore};
use kiln_core::decision::{DecisionError, DecisionId, Proposal, Risk, Verdict};
use kiln_core::event::Actor;
use kiln_core::function::BusinessFunction;
use kiln_core::money::Money;

/// Records an agent's proposal to change a product's base price, for a
/// person to approve or reject; answers the decision's id.
pub async fn propose_price_change(
    store: &EventStore,
    actor: Actor,
    form: PriceProposalForm,
) -> Result<DecisionId, CatalogServiceError> {
    let sku = sku_from_form(&form.sku)?;
    let currency = product_currency(store, &sku).await?;
    let to = Money::parse_amount(form.price.trim(), currency)
        .map_err(|invalid| CategoryError::InvalidPrice { text: invalid.text })?;
    let risk =
        Risk::from_name(form.risk.trim()).ok_or_else(|| CatalogServiceError::UnknownRisk {
            text: quoted(&form.risk),
        })?;
    let agents_involved = form
        .agents_involved
        .iter()
        .map(|slug| {
            BusinessFunction::from_slug(slug.trim())
                .ok_or_else(|| CatalogServiceError::UnknownFunction { text: quoted(slug) })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let decision = DecisionId::generate();
    let proposal = Proposal {
        decision: decision.clone(),
        summary: form.summary,
        reasoning: form.reasoning,
        agents_involved,
        data_considered: form.data_considered,
        risk,
    };
    let metadata = EventMetadata::new(actor, BusinessFunction::Category);
    record_price_proposal(store, metadata, sku, to, proposal).await?;
    Ok(decision)
}

/// Records `proposal` to change `sku`'s base price to `to`, checked by
/// Category Management's rules, with `metadata` (an agent's step gives an
/// idempotency key, so carrying the proposal out twice records it once).
pub async fn record_price_proposal(
    store: &EventStore,
    metadata: EventMetadata,
    sku: crate::functions::category::events::Sku,
    to: Money,
    proposal: Proposal,
) -> Result<Appended, CatalogServiceError> {
    let metadata = metadata.with_decision(&proposal.decision);
    let command = CategoryCommand::ProposePriceChange { sku, to, proposal };
    handle_with(store, command, &metadata).await
}

/// Carries out the agent's own waiting proposal `decision` about `sku` at
/// once, if `policy` (the autonomy policy for base price changes) allows
/// a change of its size; refused with `CategoryError::BeyondAutonomy`
/// otherwise, and it waits for a person.
pub async fn carry_out_automatically(
    store: &EventStore,
    metadata: EventMetadata,
    sku: crate::functions::category::events::Sku,
    decision: DecisionId,
    policy: kiln_core::decision::AutonomyPolicy,
) -> Result<Appended, CatalogServiceError> {
    let metadata = metadata.with_decision(&decision);
    let command = CategoryCommand::CarryOutAutomatically {
        sku,
        decision,
        policy,
    };
    handle_with(store, command, &metadata).await
}

/// A person reverses a decision carried out automatically: the price goes
/// back, in the same append as the reversal.
pub async fn reverse_decision(
    store: &EventStore,
    actor: Actor,
    form: ReversalForm,
) -> Result<Appended, CatalogServiceError> {
    let decision = DecisionId::parse(form.decision.trim()).map_err(|invalid| {
        kiln_core::decision::InvalidDecisionId {
            text: quoted(&invalid.text),
        }
    })?;
    let sku = projection::proposal_sku(store, &decision)
        .await?
        .ok_or_else(|| {
            CategoryError::from(DecisionError::NoSuchDecision {
                decision: decision.clone(),
            })
        })?;
    let metadata = EventMetadata::new(actor, BusinessFunction::Category).with_decision(&decision);
    let command = CategoryCommand::ReverseDecision {
        sku,
        decision,
        comment: form.comment,
    };
    handle_with(store, command, &metadata).await
}

/// A person's verdict on a price proposal: approving it changes the price
/// in the same append. Answers the verdict given and the append (whose
/// `held_back` says whether the quarantine holds some of it back).
pub async fn decide_price_proposal(
    store: &EventStore,
    actor: Actor,
    form: DecisionVerdictForm,
) -> Result<(Verdict, Appended), CatalogServiceError> {
    let decision = DecisionId::parse(form.decision.trim()).map_err(|invalid| {
        kiln_core::decision::InvalidDecisionId {
            text: quoted(&invalid.text),
        }
    })?;
    let verdict = Verdict::from_name(form.verdict.trim()).ok_or_else(|| {
        CatalogServiceError::UnknownVerdict {
            text: quoted(&form.verdict),
        }
    })?;
    let sku = projection::proposal_sku(store, &decision)
        .await?
        .ok_or_else(|| {
            CategoryError::from(DecisionError::NoSuchDecision {
                decision: decision.clone(),
            })
        })?;
    let metadata = EventMetadata::new(actor, BusinessFunction::Category).with_decision(&decision);
    let command = CategoryCommand::DecideProposal {
        sku,
        decision,
        verdict,
        comment: form.comment,
    };
    let appended = handle_with(store, command, &metadata).await?;
    Ok((verdict, appended))
}

#[cfg(test)]
mod proposal_tests {
    use super::*;
    use crate::demo::load_demo_business;
    use crate::functions::category::events::Sku;
    use crate::testing::store_tests;
    use kiln_core::decision::{DataReference, DecisionStatus};
    use kiln_core::money::Currency;

    fn agent() -> Actor {
        Actor::parse("agent:category").expect("actor")
    }

    fn person() -> Actor {
        Actor::parse("user:acc-0000000000000001").expect("actor")
    }

    /// The demo's speckled mug ($28.00) proposed at `price`.
    fn proposal(price: &str) -> PriceProposalForm {
        PriceProposalForm {
            sku: "MUG-SPECKLE-12".into(),
            price: price.into(),
            summary: "Raise the speckled mug to $30: rivals charge $32".into(),
            reasoning: "Three market notes this month.".into(),
            risk: "low".into(),
            agents_involved: vec!["promotions".into()],
            data_considered: vec![DataReference {
                label: "Market notes".into(),
                href: "/api/functions/category/tables/market-notes".into(),
            }],
        }
    }

    fn verdict(decision: &DecisionId, verdict: &str, comment: &str) -> DecisionVerdictForm {
        DecisionVerdictForm {
            decision: decision.to_string(),
            verdict: verdict.into(),
            comment: comment.into(),
        }
    }

    store_tests! {
        async fn an_approved_proposal_changes_the_price_with_the_decision_in_the_metadata(store) {
            load_demo_business(&store).await.expect("demo");
            let decision = propose_price_change(&store, agent(), proposal("30.00"))
                .await
                .expect("proposed");

            let cards = crate::functions::category::projection::price_proposals(&store, 10)
                .await
                .expect("cards");
            assert_eq!(cards.len(), 1);
            assert_eq!(cards[0].status, DecisionStatus::Pending);
            assert_eq!(cards[0].change, "Base price of MUG-SPECKLE-12 from $28.00 to $30.00");
            assert_eq!(cards[0].proposed_by, "agent:category");
            assert_eq!(
                cards[0].agents_involved,
                vec![BusinessFunction::Category, BusinessFunction::Promotions]
            );

            let (given, appended) = decide_price_proposal(&store, person(), verdict(&decision, "approve", "Agreed"))
                .await
                .expect("approved");
            assert_eq!(given, Verdict::Approve);
            assert_eq!(appended.held_back, 0);

            let sku = Sku::parse("MUG-SPECKLE-12").expect("SKU");
            let stream = sku.product_stream();
            let head = store.head_position().await.expect("head");
            // Positions may have gaps on PostgreSQL: read a few, keep the last two.
            let read = store.read_after(head - 10, 10).await.expect("events");
            let newest = &read[read.len() - 2..];
            let types: Vec<&str> = newest.iter().map(|event| event.event_type.as_str()).collect();
            assert_eq!(types, ["DecisionApproved", "BasePriceChanged"]);
            for event in newest {
                assert_eq!(event.stream_id, stream.as_str());
                assert_eq!(event.metadata.decision_id.as_deref(), Some(decision.as_str()));
                assert_eq!(event.metadata.actor, person());
            }
            let card = projection::product(&store, &sku).await.expect("read").expect("product");
            assert_eq!(card.price, Money::new(3000, Currency::Usd));
            let cards = crate::functions::category::projection::price_proposals(&store, 10)
                .await
                .expect("cards");
            assert_eq!(cards[0].status, DecisionStatus::Approved);
            assert_eq!(cards[0].comment, "Agreed");
            assert_eq!(cards[0].decided_by.as_deref(), Some("user:acc-0000000000000001"));

            // The projection is the log's: rebuilt, it is the same.
            let report = crate::store::projections::rebuild(&store, Some("price-proposals"), |_| {})
                .await
                .expect("rebuilt");
            assert!(report.all_equal(), "{:?}", report.tables);
        }

        async fn a_proposal_or_verdict_with_bad_input_records_nothing(store) {
            load_demo_business(&store).await.expect("demo");
            let head = store.head_position().await.expect("head");
            for (form, refusal) in [
                (PriceProposalForm { risk: "tiny".into(), ..proposal("30") }, "“tiny” is not a risk: use low, medium or high"),
                (PriceProposalForm { price: "thirty".into(), ..proposal("30") }, "“thirty” is not a price: give it like 28 or 28.50"),
                (PriceProposalForm { summary: " ".into(), ..proposal("30") }, "write the proposal's summary: what should be done and why"),
                (PriceProposalForm { agents_involved: vec!["sales".into()], ..proposal("30") }, "“sales” is not a business function"),
                (PriceProposalForm { sku: "NOPE-1".into(), ..proposal("30") }, "there is no product NOPE-1 in the catalog"),
            ] {
                let refused = propose_price_change(&store, agent(), form).await.expect_err("refused");
                assert_eq!(refused.to_string(), refusal);
            }
            let unknown = DecisionId::from_random([7; 8]);
            for (form, refusal) in [
                (verdict(&unknown, "approve", ""), format!("there is no decision {unknown}")),
                (verdict(&unknown, "maybe", ""), "“maybe” is not a verdict: use approve or reject".to_owned()),
                (DecisionVerdictForm { decision: "dec-1".into(), verdict: "approve".into(), comment: String::new() }, "“dec-1” is not a decision id (dec- and 16 hex digits)".to_owned()),
            ] {
                let refused = decide_price_proposal(&store, person(), form).await.expect_err("refused");
                assert_eq!(refused.to_string(), refusal);
            }
            assert_eq!(store.head_position().await.expect("head"), head);
        }

        async fn a_rejected_proposal_keeps_the_price_and_frees_the_product_for_another(store) {
            load_demo_business(&store).await.expect("demo");
            let first = propose_price_change(&store, agent(), proposal("30")).await.expect("proposed");
            let second = propose_price_change(&store, agent(), proposal("31")).await.expect_err("one waits");
            assert_eq!(
                second.to_string(),
                format!("product MUG-SPECKLE-12 already has a price change waiting for a decision ({first})")
            );
            decide_price_proposal(&store, person(), verdict(&first, "reject", "Not before the fair"))
                .await
                .expect("rejected");
            let sku = Sku::parse("MUG-SPECKLE-12").expect("SKU");
            let card = projection::product(&store, &sku).await.expect("read").expect("product");
            assert_eq!(card.price, Money::new(2800, Currency::Usd));
            let again = decide_price_proposal(&store, person(), verdict(&first, "approve", ""))
                .await
                .expect_err("decided");
            assert_eq!(again.to_string(), format!("decision {first} was rejected already"));
            propose_price_change(&store, agent(), proposal("31")).await.expect("a new one may wait");
        }
    }
}
