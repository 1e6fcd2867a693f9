//! Fulfillment's agent: answers its peers' questions about a product's
//! stock with what Fulfillment knows (briefing, "Fulfillment Function":
//! inventory, and the peer-to-peer pattern's "agent B responds with
//! context").
//!
//! Its peers ask it in a conversation about a product (the message's
//! subject is `product-<SKU>`) whether the product's stock is as high as
//! they think; Category Management asks before it cuts a price for
//! overstock. Its rules brain, [`rules`], pure and tested like `decide`,
//! answers every question still waiting for it:
//!
//! - **never counted**, or **counted over [`RECOUNT_DAYS`] ago**: it
//!   disagrees, since no price should rest on that stock; a recount first;
//! - otherwise it works out the days of stock at the recent sales rate
//!   and **agrees** when the stock lasts over [`OVERSTOCK_DAYS`] (or none
//!   sold with stock on the shelf), and **disagrees** when it does not,
//!   giving the figures and the tables it consulted either way.

use crate::agents::step::AgentAction;
use crate::agents::{AgentDescriptor, StepInput, Thought};
use crate::functions::category::events::Sku;
use crate::store::{EventStore, StoreError};
use chrono::{DateTime, Utc};
use kiln_core::conversation::{AgentMessage, ConversationId, MessageIntent};
use kiln_core::decision::DataReference;
use kiln_core::event::StreamId;
use kiln_core::function::BusinessFunction;

/// The version of these rules, recorded with every step they take.
pub const RULES_VERSION: &str = "fulfillment-rules-1";
/// A count older than this many days is too old to price on.
pub const RECOUNT_DAYS: i64 = 90;
/// Stock that lasts more than this many days is more than the shelves
/// should hold.
pub const OVERSTOCK_DAYS: i64 = 180;
/// How many calendar months of sales (the current one included) make the
/// recent sales rate.
pub const SALES_MONTHS: u32 = 3;

/// Fulfillment's agent: its peers' messages wake it.
pub const AGENT: AgentDescriptor = AgentDescriptor {
    subscriber: "agent-fulfillment",
    follows: &["AgentMessageSent"],
    think: |store, input| Box::pin(think(store, input)),
    // Its answers are figures and thresholds: no model is needed for them.
    model: None,
    rate_limits: crate::agents::brain::RateLimits::STANDARD,
};

/// A question about a product's stock still waiting for the agent's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockQuestion {
    /// The conversation it was asked in.
    pub conversation: ConversationId,
    /// The function whose agent asked.
    pub asked_by: BusinessFunction,
    /// The product it is about.
    pub sku: Sku,
    /// What Fulfillment knows of its stock: `None` when never counted.
    pub stock: Option<StockFacts>,
    /// Units of it sold in the sales window.
    pub units_sold: i64,
}

/// One product's stock as Fulfillment's page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockFacts {
    /// Units on hand at the last count.
    pub on_hand: i64,
    /// Units ordered since.
    pub ordered_since: i64,
    /// When it was counted.
    pub counted_at: DateTime<Utc>,
}

/// What the agent knows when it thinks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfillmentFacts {
    /// The questions waiting for an answer, oldest conversation first.
    pub questions: Vec<StockQuestion>,
    /// How many days the sales window covers (at least 1).
    pub sales_days: i64,
}

/// Reads the facts and thinks with the rules.
async fn think(store: &EventStore, input: &StepInput) -> Result<Thought, StoreError> {
    let facts = read_facts(store, input.now).await?;
    let (observations, actions) = rules(&facts, input);
    Ok(Thought::of_rules(
        consulted(),
        RULES_VERSION,
        observations,
        actions,
    ))
}

/// The tables an answer consults, as links to their JSON.
fn consulted() -> Vec<DataReference> {
    crate::agents::brain::table_links(&[
        ("Stock on hand", "fulfillment/tables/stock"),
        ("Product performance", "category/tables/product-performance"),
    ])
}

/// Reads the questions waiting for the agent (conversations whose newest
/// message asks it about a product) and each product's stock and sales,
/// through the projections Fulfillment's page reads.
pub async fn read_facts(
    store: &EventStore,
    now: DateTime<Utc>,
) -> Result<FulfillmentFacts, StoreError> {
    let threads = crate::functions::platform_manager::projection::conversations(
        store,
        BusinessFunction::Fulfillment,
        200,
    )
    .await?;
    let waiting: Vec<(ConversationId, BusinessFunction, Sku)> = threads
        .into_iter()
        .rev()
        .filter_map(|thread| {
            let last = thread.messages.last()?;
            let asked = last.intent == MessageIntent::Ask
                && last.to == BusinessFunction::Fulfillment
                && last.from != BusinessFunction::Fulfillment;
            let sku = last
                .subject
                .as_deref()
                .and_then(|subject| subject.strip_prefix("product-"))
                .and_then(|sku| Sku::parse(sku).ok())?;
            asked.then_some((thread.conversation, last.from, sku))
        })
        .collect();
    if waiting.is_empty() {
        return Ok(FulfillmentFacts {
            questions: Vec::new(),
            sales_days: 1,
        });
    }
    let (units, sales_days) =
        crate::functions::customers::sales::recent_units_sold(store, now, SALES_MONTHS).await?;
    let levels = super::projection::stock_levels(store).await?;
    let questions = waiting
        .into_iter()
        .map(|(conversation, asked_by, sku)| {
            let stock = levels
                .iter()
                .find(|level| level.sku == sku)
                .and_then(|level| {
                    let counted_at = DateTime::parse_from_rfc3339(&level.counted_at).ok()?;
                    Some(StockFacts {
                        on_hand: level.on_hand,
                        ordered_since: level.ordered_since,
                        counted_at: counted_at.with_timezone(&Utc),
                    })
                });
            StockQuestion {
                conversation,
                asked_by,
                units_sold: units.get(&sku).copied().unwrap_or(0),
                stock,
                sku,
            }
        })
        .collect();
    Ok(FulfillmentFacts {
        questions,
        sales_days,
    })
}

/// The rules brain: an answer to every question waiting, agreeing or
/// disagreeing with the figures (see the module's documentation).
pub fn rules(facts: &FulfillmentFacts, input: &StepInput) -> (String, Vec<AgentAction>) {
    let mut agreed = 0;
    let actions: Vec<AgentAction> = facts
        .questions
        .iter()
        .enumerate()
        .map(|(index, question)| {
            let (intent, text) = answer(question, facts.sales_days, input.now);
            if intent == MessageIntent::Agree {
                agreed += 1;
            }
            AgentAction::Message {
                message: AgentMessage {
                    message: input.message_id(index),
                    conversation: question.conversation.clone(),
                    from: BusinessFunction::Fulfillment,
                    to: question.asked_by,
                    text,
                    about: None,
                    intent,
                    subject: Some(StreamId::new(format!("product-{}", question.sku))),
                    consulted: consulted(),
                },
                replying: true,
            }
        })
        .collect();
    let observations = format!(
        "{} question{} about stock waiting; {agreed} agreed, {} disagreed.",
        actions.len(),
        if actions.len() == 1 { "" } else { "s" },
        actions.len() - agreed,
    );
    (observations, actions)
}

/// The answer to `question`: agree or disagree, and the figures.
fn answer(
    question: &StockQuestion,
    sales_days: i64,
    now: DateTime<Utc>,
) -> (MessageIntent, String) {
    let sku = &question.sku;
    let Some(stock) = &question.stock else {
        return (
            MessageIntent::Disagree,
            format!(
                "{sku} was never counted, so no price should rest on its stock. Count it first."
            ),
        );
    };
    let counted = stock.counted_at.format("%Y-%m-%d");
    let age = (now - stock.counted_at).num_days();
    if age > RECOUNT_DAYS {
        return (
            MessageIntent::Disagree,
            format!(
                "{sku} was last counted on {counted}, {age} days ago: too long to price on. Count it again first."
            ),
        );
    }
    let available = (stock.on_hand - stock.ordered_since).max(0);
    let units = question.units_sold;
    let cover = (units > 0).then(|| available * sales_days / units);
    let figures = format!(
        "{available} available ({} counted on {counted}, {} ordered since); {units} sold in the last {sales_days} days, {}.",
        stock.on_hand,
        stock.ordered_since,
        cover.map_or_else(
            || "so its stock does not move".to_owned(),
            |days| format!("so it lasts about {days} days")
        )
    );
    let overstocked = match cover {
        Some(days) => days > OVERSTOCK_DAYS,
        None => available > 0,
    };
    if overstocked {
        (
            MessageIntent::Agree,
            format!(
                "Agreed: {figures} That is more than the shelves should hold (over {OVERSTOCK_DAYS} days)."
            ),
        )
    } else {
        (
            MessageIntent::Disagree,
            format!("I do not see overstock: {figures}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::step::AgentTrigger;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-06T12:00:00Z")
            .expect("time")
            .with_timezone(&Utc)
    }

    fn input() -> StepInput {
        StepInput {
            agent: BusinessFunction::Fulfillment,
            trigger: AgentTrigger::Events {
                after: 0,
                through: 10,
                count: 1,
                first: vec![],
            },
            now: now(),
            step_key: "agent:fulfillment:events-through-10".into(),
        }
    }

    /// Category asks about the pasta bowl: 412 counted 3 days ago, 4
    /// ordered since, 22 sold in 96 days.
    fn question() -> StockQuestion {
        StockQuestion {
            conversation: ConversationId::from_random([4; 8]),
            asked_by: BusinessFunction::Category,
            sku: Sku::parse("TBL-PASTA-8").expect("SKU"),
            stock: Some(StockFacts {
                on_hand: 412,
                ordered_since: 4,
                counted_at: now() - chrono::Duration::days(3),
            }),
            units_sold: 22,
        }
    }

    fn answered(question: StockQuestion) -> AgentMessage {
        let facts = FulfillmentFacts {
            questions: vec![question],
            sales_days: 96,
        };
        let (_, actions) = rules(&facts, &input());
        let [
            AgentAction::Message {
                message,
                replying: true,
            },
        ] = actions.as_slice()
        else {
            panic!("one reply: {actions:?}");
        };
        message.clone()
    }

    #[test]
    fn a_question_about_a_product_with_months_of_stock_is_agreed_with_the_figures() {
        let reply = answered(question());
        assert_eq!(
            (reply.intent, reply.to),
            (MessageIntent::Agree, BusinessFunction::Category)
        );
        assert_eq!(reply.conversation, ConversationId::from_random([4; 8]));
        assert_eq!(
            reply.text,
            "Agreed: 408 available (412 counted on 2026-12-03, 4 ordered since); 22 sold in the last 96 days, so it lasts about 1780 days. That is more than the shelves should hold (over 180 days)."
        );
        assert!(
            reply
                .consulted
                .iter()
                .any(|data| data.label == "Stock on hand")
        );
        assert_eq!(
            reply.subject.as_ref().map(StreamId::as_str),
            Some("product-TBL-PASTA-8")
        );
    }

    #[test]
    fn a_product_that_sells_through_its_stock_is_not_overstocked() {
        let selling = StockQuestion {
            units_sold: 400,
            ..question()
        };
        let reply = answered(selling);
        assert_eq!(reply.intent, MessageIntent::Disagree);
        assert!(
            reply
                .text
                .starts_with("I do not see overstock: 408 available"),
            "{}",
            reply.text
        );
        assert!(
            reply.text.ends_with("so it lasts about 97 days."),
            "{}",
            reply.text
        );
    }

    #[test]
    fn stock_never_counted_or_counted_long_ago_is_not_priced_on() {
        let never = answered(StockQuestion {
            stock: None,
            ..question()
        });
        assert_eq!(never.intent, MessageIntent::Disagree);
        assert_eq!(
            never.text,
            "TBL-PASTA-8 was never counted, so no price should rest on its stock. Count it first."
        );
        let old = answered(StockQuestion {
            stock: Some(StockFacts {
                counted_at: now() - chrono::Duration::days(RECOUNT_DAYS + 1),
                ..question().stock.expect("counted")
            }),
            ..question()
        });
        assert_eq!(old.intent, MessageIntent::Disagree);
        assert!(
            old.text.contains("91 days ago: too long to price on"),
            "{}",
            old.text
        );
    }

    #[test]
    fn nothing_waiting_means_nothing_to_say() {
        let facts = FulfillmentFacts {
            questions: vec![],
            sales_days: 96,
        };
        let (observations, actions) = rules(&facts, &input());
        assert!(actions.is_empty());
        assert_eq!(
            observations,
            "0 questions about stock waiting; 0 agreed, 0 disagreed."
        );
    }
}
