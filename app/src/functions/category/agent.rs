//! Category Management's agent: watches margins, sales, stock and the
//! market, and proposes base price changes for a person to approve
//! (briefing, "Category Management Function": pricing strategy).
//!
//! Its rules brain is [`rules`], pure and tested like `decide`: given these
//! facts, then these proposals. [`read_facts`] reads the facts through the
//! same projections the function's page reads. The rules, in order, for
//! each listed product without a proposal waiting and without a price
//! change or verdict in the last [`QUIET_DAYS`]:
//!
//! 1. **Margin squeeze.** A costed product under the [`MARGIN_GOAL_BP`]
//!    margin goal: raise it toward the price that meets the goal, but never
//!    above the lowest rival price noted.
//! 2. **Priced under the market.** Rivals charge [`MARKET_GAP_BP`] or more
//!    above it and its stock lasts under [`SELLING_WELL_DAYS`] at the recent
//!    sales rate: raise it halfway to the lowest rival price.
//! 3. **Overstock.** Over [`OVERSTOCK_DAYS`] of stock and a rival charges
//!    less: cut it toward the rival. (Only a product at its margin goal
//!    gets here, and one step leaves it well above cost.) A cut for
//!    overstock rests on Fulfillment's stock, so the agent first asks
//!    Fulfillment's agent (the briefing's peer-to-peer pattern): on its
//!    agreement it proposes, naming the conversation; on its disagreement
//!    it escalates the conversation to Category Management's people.
//!
//! Every step moves a price at most [`MAX_STEP_BP`], on a 50-cent grid.

use crate::agents::model::{ModelAgent, ModelTool, Prepared, ToolCall, visible};
use crate::agents::step::{AgentAction, ProposedChange};
use crate::agents::{AgentDescriptor, StepInput, Thought};
use crate::functions::category::events::Sku;
use crate::functions::category::projection;
use crate::store::{EventStore, StoreError};
use chrono::{DateTime, Utc};
use kiln_core::conversation::{AgentMessage, ConversationId, ConversationThread, MessageIntent};
use kiln_core::decision::{
    DataReference, DecisionStatus, MAX_REASONING_CHARS, MAX_SUMMARY_CHARS, Proposal, Risk,
};
use kiln_core::function::BusinessFunction;
use kiln_core::money::Money;
use std::collections::HashMap;

/// The version of these rules, recorded with every step they take.
pub const RULES_VERSION: &str = "category-rules-1";

/// The margin a product should make, in basis points of its price (45 %).
pub const MARGIN_GOAL_BP: i64 = 4_500;
/// How far above our price rivals must be to count as a gap (10 %).
pub const MARKET_GAP_BP: i64 = 1_000;
/// The most one proposal moves a price, in basis points (10 %).
pub const MAX_STEP_BP: i64 = 1_000;
/// Stock that lasts less than this many days counts as selling well.
pub const SELLING_WELL_DAYS: i64 = 60;
/// Stock that lasts more than this many days is overstock.
pub const OVERSTOCK_DAYS: i64 = 180;
/// Days after a price change or a verdict during which a product is left alone.
pub const QUIET_DAYS: i64 = 14;
/// How many calendar months of sales (the current one included) make the
/// recent sales rate.
pub const SALES_MONTHS: u32 = 3;

/// Category Management's agent.
pub const AGENT: AgentDescriptor = AgentDescriptor {
    subscriber: "agent-category",
    follows: &[
        "ProductIntroduced",
        "BasePriceChanged",
        "ProductDelisted",
        "ProductRelisted",
        "ProductRevised",
        "MarketPriceNoted",
        "DecisionApproved",
        "DecisionRejected",
        "DecisionCarriedOutAutomatically",
        "DecisionReversed",
        "OrderPlaced",
        "StockCounted",
        "AgentMessageSent",
    ],
    think: |store, input| Box::pin(think(store, input)),
    model: Some(MODEL),
    rate_limits: crate::agents::brain::RateLimits::STANDARD,
};

/// The agent as the model's brain sees it: the same facts its rules read,
/// and one tool of its own, `propose_base_price`, whose calls are held to
/// the rules' bounds (a listed product without a proposal waiting, a step
/// of at most [`MAX_STEP_BP`]).
pub const MODEL: ModelAgent = ModelAgent {
    instructions: "You look after the catalog's base prices. Weigh each listed product's margin \
        against the 45 % goal, its recent sales against its stock, and rivals' prices noted by \
        staff, and propose a new base price where one is clearly due; people approve. One \
        proposal moves a price at most 10 %. Before cutting a price for overstock, ask \
        Fulfillment's agent whether the stock is as high as you think.",
    prompt_version: "category-llm-1",
    prepare: |store, input| Box::pin(prepare_for_model(store, input)),
};

/// The facts for the model, and the checker of its `propose_base_price` calls.
async fn prepare_for_model(store: &EventStore, input: &StepInput) -> Result<Prepared, StoreError> {
    let facts = read_facts(store, input.now).await?;
    let products: Vec<serde_json::Value> = facts
        .products
        .iter()
        .map(|product| {
            serde_json::json!({
                "sku": product.sku.to_string(),
                "base_price": product.price.to_string(),
                "unit_cost": product.unit_cost.map(|cost| cost.to_string()),
                "margin_percent": margin_bp(product).map(percent),
                "units_sold": product.units_sold,
                "available": product.available,
                "days_of_stock": cover_days(product, facts.sales_days),
                "lowest_rival_price": product.market.map(|(lowest, _)| lowest.to_string()),
                "rival_sources": product.market.map_or(0, |(_, sources)| sources),
                "proposal_waiting": product.proposal_waiting,
                "last_price_activity": product.last_price_activity,
                "conversation_with_fulfillment": product.peer.as_ref().map(|peer| serde_json::json!({
                    "conversation": peer.conversation.to_string(),
                    "stands": match &peer.stands {
                        PeerStand::Waiting => "waiting for an answer".to_owned(),
                        PeerStand::Agreed { text, .. } => format!("agreed: {text}"),
                        PeerStand::Disagreed { text } => format!("disagreed: {text}"),
                        PeerStand::Concluded => "concluded".to_owned(),
                    },
                })),
            })
        })
        .collect();
    let context = serde_json::json!({
        "now": input.now,
        "woken_by": input.trigger.describe(),
        "sales_window_days": facts.sales_days,
        "products": products,
    });
    let step = input.clone();
    Ok(Prepared {
        context,
        reads: data_considered(),
        tools: vec![ModelTool {
            name: "propose_base_price",
            description: "Propose a new base price for a listed product, for a person to approve.",
            parameters: serde_json::json!({
                "type": "object",
                "properties": {
                    "sku": {"type": "string"},
                    "new_price": {"type": "string", "description": "e.g. 30.00, in the product's currency"},
                    "summary": {"type": "string", "maxLength": 200, "description": "What and why, in one sentence"},
                    "reasoning": {"type": "string", "maxLength": 2000}
                },
                "required": ["sku", "new_price", "summary"]
            }),
        }],
        check: Box::new(move |call, index| {
            (call.name == "propose_base_price")
                .then(|| checked_price_call(&facts, call, &step, index))
        }),
    })
}

/// A model's `propose_base_price` call as a proposal, or why it is refused.
fn checked_price_call(
    facts: &CategoryFacts,
    call: &ToolCall,
    input: &StepInput,
    index: usize,
) -> Result<AgentAction, String> {
    let text_of = |field: &str| {
        call.arguments
            .get(field)
            .and_then(serde_json::Value::as_str)
    };
    let sku = text_of("sku").ok_or("“sku” is missing")?;
    let product = facts
        .products
        .iter()
        .find(|product| product.sku.as_str() == sku.trim())
        .ok_or_else(|| format!("“{}” is not a listed product", visible(sku, 40)))?;
    if product.proposal_waiting {
        return Err(format!(
            "a proposal about {} is already waiting",
            product.sku
        ));
    }
    let from = product.price;
    let to = text_of("new_price")
        .ok_or("“new_price” is missing")
        .and_then(|text| {
            Money::parse_amount(text, from.currency).map_err(|_| "“new_price” is not an amount")
        })?;
    if to.minor_units <= 0 || to == from {
        return Err("“new_price” must be above zero and differ from the price".to_owned());
    }
    let step_bp = (to.minor_units - from.minor_units).abs() * 10_000 / from.minor_units.max(1);
    if step_bp > MAX_STEP_BP {
        return Err(format!(
            "{} → {to} moves the price {}, more than {}",
            from,
            percent(step_bp),
            percent(MAX_STEP_BP)
        ));
    }
    let summary = text_of("summary").map(str::trim).unwrap_or_default();
    if summary.is_empty() {
        return Err("“summary” is missing".to_owned());
    }
    // The model's words reach the card as they came, with anything
    // invisible in them made visible.
    let summary = visible(summary, usize::MAX);
    let reasoning = visible(text_of("reasoning").unwrap_or_default().trim(), usize::MAX);
    if summary.chars().count() > MAX_SUMMARY_CHARS
        || reasoning.chars().count() > MAX_REASONING_CHARS
    {
        return Err(format!(
            "the summary may have {MAX_SUMMARY_CHARS} characters and the reasoning {MAX_REASONING_CHARS}"
        ));
    }
    Ok(AgentAction::Propose {
        proposal: Proposal {
            decision: input.decision_id(index),
            summary,
            reasoning,
            agents_involved: vec![BusinessFunction::Category],
            data_considered: data_considered(),
            risk: if step_bp <= 500 {
                Risk::Low
            } else {
                Risk::Medium
            },
        },
        change: ProposedChange::BasePrice {
            sku: product.sku.clone(),
            to,
        },
    })
}

/// Where the agent's newest conversation with Fulfillment's agent about a
/// product stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerThread {
    /// The conversation.
    pub conversation: ConversationId,
    /// What came of it so far.
    pub stands: PeerStand,
    /// When its newest message was sent.
    pub last_at: DateTime<Utc>,
}

/// What came of a conversation with a peer so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerStand {
    /// Asked; no answer yet.
    Waiting,
    /// The peer agreed, saying this, having consulted that.
    Agreed {
        /// Its answer.
        text: String,
        /// What it consulted.
        consulted: Vec<DataReference>,
    },
    /// The peer answered without agreeing, saying this.
    Disagreed {
        /// Its answer.
        text: String,
    },
    /// A decision came of it, or it went to people.
    Concluded,
}

impl PeerThread {
    /// Where `thread`, about one product, stands for Category's agent;
    /// `None` when Category's agent did not start it.
    pub fn of(thread: &ConversationThread) -> Option<PeerThread> {
        let first = thread.messages.first()?;
        let last = thread.messages.last()?;
        if first.from != BusinessFunction::Category || first.intent != MessageIntent::Ask {
            return None;
        }
        let concluded = thread
            .messages
            .iter()
            .any(|message| message.intent == MessageIntent::Escalate || message.about.is_some());
        let stands = if concluded {
            PeerStand::Concluded
        } else if last.from == BusinessFunction::Category {
            PeerStand::Waiting
        } else if last.intent == MessageIntent::Agree && last.from == BusinessFunction::Fulfillment
        {
            PeerStand::Agreed {
                text: last.text.clone(),
                consulted: last.consulted.clone(),
            }
        } else {
            PeerStand::Disagreed {
                text: last.text.clone(),
            }
        };
        Some(PeerThread {
            conversation: thread.conversation.clone(),
            stands,
            last_at: DateTime::parse_from_rfc3339(&last.sent_at)
                .map(|at| at.with_timezone(&Utc))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
        })
    }
}

/// What the agent knows about one listed product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductFacts {
    /// The product.
    pub sku: Sku,
    /// Its base price.
    pub price: Money,
    /// What one unit costs to make, if costed.
    pub unit_cost: Option<Money>,
    /// Units sold in the sales window.
    pub units_sold: i64,
    /// Units available to sell, if its stock was counted.
    pub available: Option<i64>,
    /// The lowest price among the newest note of each source that gave
    /// one in the product's currency, and how many sources gave one.
    pub market: Option<(Money, usize)>,
    /// Whether a proposal about its price is waiting for a person.
    pub proposal_waiting: bool,
    /// When its price last changed or a proposal about it was decided.
    pub last_price_activity: Option<DateTime<Utc>>,
    /// The newest conversation with Fulfillment's agent about it.
    pub peer: Option<PeerThread>,
}

/// What the agent knows about the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryFacts {
    /// Every listed product.
    pub products: Vec<ProductFacts>,
    /// How many days the sales window covers (at least 1).
    pub sales_days: i64,
}

/// Reads the facts and thinks with the rules.
async fn think(store: &EventStore, input: &StepInput) -> Result<Thought, StoreError> {
    let facts = read_facts(store, input.now).await?;
    let (observations, actions) = rules(&facts, input);
    Ok(Thought::of_rules(
        data_considered(),
        RULES_VERSION,
        observations,
        actions,
    ))
}

/// The tables the agent reads, as links to their JSON.
fn data_considered() -> Vec<DataReference> {
    crate::agents::brain::table_links(&[
        ("Catalog and base prices", "category/tables/catalog"),
        ("Product performance", "category/tables/product-performance"),
        ("Market pricing notes", "category/tables/market-price-notes"),
        ("Base price changes", "category/tables/base-price-changes"),
        ("Stock on hand", "fulfillment/tables/stock"),
    ])
}

/// Reads what the agent knows, through the projections Category
/// Management's and Fulfillment's pages read.
pub async fn read_facts(
    store: &EventStore,
    now: DateTime<Utc>,
) -> Result<CategoryFacts, StoreError> {
    let (units, sales_days) =
        crate::functions::customers::sales::recent_units_sold(store, now, SALES_MONTHS).await?;
    let available: HashMap<Sku, i64> =
        crate::functions::fulfillment::projection::stock_levels(store)
            .await?
            .into_iter()
            .map(|level| (level.sku.clone(), level.available()))
            .collect();
    // Notes come newest first: the first of each source is its newest.
    let mut newest_by_source: HashMap<(Sku, String), Money> = HashMap::new();
    for note in projection::market_notes(store, 1_000).await? {
        if let Some(price) = note.their_price {
            newest_by_source
                .entry((note.sku, note.source.to_lowercase()))
                .or_insert(price);
        }
    }
    let mut waiting = std::collections::HashSet::new();
    let mut last_activity: HashMap<String, DateTime<Utc>> = HashMap::new();
    let mut note_activity = |stream: String, at: Option<&str>| {
        if let Some(at) = at.and_then(|at| DateTime::parse_from_rfc3339(at).ok()) {
            let at = at.with_timezone(&Utc);
            let latest = last_activity.entry(stream).or_insert(at);
            *latest = (*latest).max(at);
        }
    };
    for card in projection::price_proposals(store, 500).await? {
        if card.status == DecisionStatus::Pending {
            waiting.insert(card.stream.clone());
        }
        note_activity(card.stream, card.decided_at.as_deref());
    }
    for change in projection::price_changes(store, 500).await? {
        note_activity(
            change.sku.product_stream().to_string(),
            Some(&change.changed_at),
        );
    }

    // Conversations come newest first: the first about a product is its newest.
    let mut peers: HashMap<String, PeerThread> = HashMap::new();
    for thread in crate::functions::platform_manager::projection::conversations(
        store,
        BusinessFunction::Category,
        200,
    )
    .await?
    {
        let subject = thread
            .messages
            .first()
            .and_then(|first| first.subject.clone());
        if let (Some(subject), Some(peer)) = (subject, PeerThread::of(&thread)) {
            peers.entry(subject).or_insert(peer);
        }
    }

    let products = projection::catalog(store)
        .await?
        .into_iter()
        .filter(|entry| entry.listed)
        .map(|entry| {
            let sku = entry.product.sku;
            let price = entry.product.price;
            let stream = sku.product_stream().to_string();
            let rivals: Vec<Money> = newest_by_source
                .iter()
                .filter(|((noted, _), their)| *noted == sku && their.currency == price.currency)
                .map(|(_, their)| *their)
                .collect();
            ProductFacts {
                units_sold: units.get(&sku).copied().unwrap_or(0),
                available: available.get(&sku).copied(),
                market: rivals
                    .iter()
                    .min_by_key(|their| their.minor_units)
                    .map(|lowest| (*lowest, rivals.len())),
                proposal_waiting: waiting.contains(&stream),
                last_price_activity: last_activity.get(&stream).copied(),
                peer: peers.remove(&stream),
                unit_cost: entry.unit_cost,
                price,
                sku,
            }
        })
        .collect();
    Ok(CategoryFacts {
        products,
        sales_days,
    })
}

/// Why a price should move, as found by the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    MarginSqueeze { margin_bp: i64 },
    UnderMarket { cover_days: Option<i64> },
    Overstock { cover_days: Option<i64> },
}

/// The rules brain: what the agent sees in `facts` and the proposals it
/// makes, at `input.now`, with decision ids from `input`'s step.
pub fn rules(facts: &CategoryFacts, input: &StepInput) -> (String, Vec<AgentAction>) {
    let mut waiting = 0;
    let mut quiet = 0;
    let mut held_by_market = 0;
    let mut awaiting_peer = 0;
    let mut actions = Vec::new();
    for product in &facts.products {
        if product.proposal_waiting {
            waiting += 1;
            continue;
        }
        if product
            .last_price_activity
            .is_some_and(|at| (input.now - at).num_days() < QUIET_DAYS)
        {
            quiet += 1;
            continue;
        }
        let Some((to, reason)) = proposed_price(product, facts.sales_days) else {
            if margin_bp(product).is_some_and(|margin| margin < MARGIN_GOAL_BP) {
                held_by_market += 1;
            }
            continue;
        };
        let change = ProposedChange::BasePrice {
            sku: product.sku.clone(),
            to,
        };
        let decision = input.decision_id(actions.len());
        let proposal = proposal(product, to, reason, facts.sales_days, decision);
        if !matches!(reason, Reason::Overstock { .. }) {
            actions.push(AgentAction::Propose { proposal, change });
            continue;
        }
        // A cut for overstock waits for Fulfillment's view of the stock.
        let current = product
            .peer
            .as_ref()
            .filter(|peer| (input.now - peer.last_at).num_days() < QUIET_DAYS);
        match current.map(|peer| (peer, &peer.stands)) {
            None => actions.push(ask_fulfillment(product, &proposal, input, actions.len())),
            Some((_, PeerStand::Waiting)) => awaiting_peer += 1,
            Some((_, PeerStand::Concluded)) => quiet += 1,
            Some((peer, PeerStand::Agreed { consulted, .. })) => {
                let proposal = agreed_proposal(proposal, peer, consulted);
                let note = note_proposed(product, &proposal, peer, input, actions.len() + 1);
                actions.push(AgentAction::Propose { proposal, change });
                actions.push(note);
            }
            Some((peer, PeerStand::Disagreed { text })) => {
                actions.push(escalate(
                    product,
                    &proposal,
                    peer,
                    text,
                    input,
                    actions.len(),
                ));
            }
        }
    }
    let proposed = actions
        .iter()
        .filter(|action| matches!(action, AgentAction::Propose { .. }))
        .count();
    let messages = actions.len() - proposed;
    let observations = format!(
        "{} listed products read over {} days of sales; {} with a proposal waiting, \
         {} changed, decided or escalated in the last {QUIET_DAYS} days, {} under the margin goal \
         but held by cheaper rivals, {} waiting for Fulfillment's answer; {} price change{} \
         proposed, {} message{} sent.",
        facts.products.len(),
        facts.sales_days,
        waiting,
        quiet,
        held_by_market,
        awaiting_peer,
        proposed,
        if proposed == 1 { "" } else { "s" },
        messages,
        if messages == 1 { "" } else { "s" },
    );
    (observations, actions)
}

/// Asks Fulfillment's agent whether `product`'s stock is as high as the
/// cut in `proposal` assumes, starting a conversation about the product.
fn ask_fulfillment(
    product: &ProductFacts,
    proposal: &Proposal,
    input: &StepInput,
    index: usize,
) -> AgentAction {
    AgentAction::Message {
        message: AgentMessage {
            message: input.message_id(index),
            conversation: input.conversation_id(index),
            from: BusinessFunction::Category,
            to: BusinessFunction::Fulfillment,
            text: format!(
                "I would {}. Is its stock as high as that? I propose the cut only if you agree.",
                lower_first(&proposal.summary)
            ),
            about: None,
            intent: MessageIntent::Ask,
            subject: Some(product.sku.product_stream()),
            consulted: data_considered(),
        },
        replying: false,
    }
}

/// `proposal` once Fulfillment's agent agreed in `peer`: both agents took
/// part, and it names the conversation and what the peer consulted.
fn agreed_proposal(
    mut proposal: Proposal,
    peer: &PeerThread,
    consulted: &[DataReference],
) -> Proposal {
    proposal.agents_involved = vec![BusinessFunction::Category, BusinessFunction::Fulfillment];
    proposal.data_considered.push(DataReference {
        label: format!(
            "Conversation with Fulfillment's agent ({})",
            peer.conversation
        ),
        href: format!(
            "{}#{}",
            BusinessFunction::Category.page_url(),
            peer.conversation
        ),
    });
    for data in consulted {
        // A proposal names at most so many pieces of data; the conversation
        // link leads to the rest.
        if proposal.data_considered.len() >= kiln_core::decision::MAX_DATA_REFERENCES {
            break;
        }
        if !proposal
            .data_considered
            .iter()
            .any(|known| known.href == data.href)
        {
            proposal.data_considered.push(data.clone());
        }
    }
    proposal
}

/// The note in `peer` that ties the conversation to the decision it led to.
fn note_proposed(
    product: &ProductFacts,
    proposal: &Proposal,
    peer: &PeerThread,
    input: &StepInput,
    index: usize,
) -> AgentAction {
    AgentAction::Message {
        message: AgentMessage {
            message: input.message_id(index),
            conversation: peer.conversation.clone(),
            from: BusinessFunction::Category,
            to: BusinessFunction::Fulfillment,
            text: format!(
                "Thank you. Proposed for a person to approve: {}.",
                lower_first(&proposal.summary)
            ),
            about: Some(proposal.decision.clone()),
            intent: MessageIntent::Note,
            subject: Some(product.sku.product_stream()),
            consulted: Vec::new(),
        },
        replying: true,
    }
}

/// Escalates `peer` to Category Management's people: Fulfillment's agent
/// did not agree, so a person decides.
fn escalate(
    product: &ProductFacts,
    proposal: &Proposal,
    peer: &PeerThread,
    answer: &str,
    input: &StepInput,
    index: usize,
) -> AgentAction {
    AgentAction::Message {
        message: AgentMessage {
            message: input.message_id(index),
            conversation: peer.conversation.clone(),
            from: BusinessFunction::Category,
            to: BusinessFunction::Category,
            text: format!(
                "Fulfillment's agent does not agree (“{}”), so I do not propose it. A person decides whether to {}.",
                answer.chars().take(300).collect::<String>(),
                lower_first(&proposal.summary)
            ),
            about: None,
            intent: MessageIntent::Escalate,
            subject: Some(product.sku.product_stream()),
            consulted: Vec::new(),
        },
        replying: true,
    }
}

/// `text` with its first letter in lower case, to go on a sentence.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

/// The product's margin at its price, in basis points, if costed.
fn margin_bp(product: &ProductFacts) -> Option<i64> {
    let cost = product.unit_cost?;
    margin_at(product.price.minor_units, cost.minor_units)
}

/// The margin a price makes over a cost, in basis points.
fn margin_at(price: i64, cost: i64) -> Option<i64> {
    (price > 0).then(|| (price - cost) * 10_000 / price)
}

/// Days of stock at the recent sales rate; `None` when it is not counted
/// or nothing sold.
fn cover_days(product: &ProductFacts, sales_days: i64) -> Option<i64> {
    let available = product.available?;
    (product.units_sold > 0).then(|| available * sales_days / product.units_sold)
}

/// The price the rules propose for `product`, and why; `None` when it
/// should stay.
fn proposed_price(product: &ProductFacts, sales_days: i64) -> Option<(Money, Reason)> {
    let price = product.price.minor_units;
    let ceiling = grid_down(price + price * MAX_STEP_BP / 10_000);
    let floor = grid_up(price - price * MAX_STEP_BP / 10_000);
    let market = product.market.map(|(lowest, _)| lowest.minor_units);
    let cover = cover_days(product, sales_days);
    let money = |minor_units| Money::new(minor_units, product.price.currency);

    if let (Some(cost), Some(margin)) = (product.unit_cost, margin_bp(product))
        && margin < MARGIN_GOAL_BP
    {
        let goal = grid_up(ceil_div(cost.minor_units * 10_000, 10_000 - MARGIN_GOAL_BP));
        let mut to = goal.min(ceiling);
        if let Some(market) = market {
            to = to.min(grid_down(market));
        }
        return (to > price).then(|| (money(to), Reason::MarginSqueeze { margin_bp: margin }));
    }
    if let Some(market) = market
        && market * 10_000 >= price * (10_000 + MARKET_GAP_BP)
        && cover.is_some_and(|days| days < SELLING_WELL_DAYS)
    {
        let to = grid_down(price + (market - price) / 2).min(ceiling);
        return (to > price).then(|| (money(to), Reason::UnderMarket { cover_days: cover }));
    }
    let overstocked = match (cover, product.available) {
        (Some(days), _) => days > OVERSTOCK_DAYS,
        // Stock on the shelf and nothing sold in the whole window.
        (None, Some(available)) => available > 0 && product.units_sold == 0,
        (None, None) => false,
    };
    if let Some(market) = market
        && overstocked
        && market < price
    {
        let to = grid_up(market).max(floor);
        return (to < price).then(|| (money(to), Reason::Overstock { cover_days: cover }));
    }
    None
}

/// Prices move on a 50-cent grid (50 minor units).
const GRID: i64 = 50;

fn grid_down(minor_units: i64) -> i64 {
    minor_units.div_euclid(GRID) * GRID
}

fn grid_up(minor_units: i64) -> i64 {
    ceil_div(minor_units, GRID) * GRID
}

fn ceil_div(numerator: i64, denominator: i64) -> i64 {
    -((-numerator).div_euclid(denominator))
}

/// A percentage in basis points as people read it: `38.5 %`.
fn percent(basis_points: i64) -> String {
    let tenths = basis_points / 10;
    format!("{}.{} %", tenths / 10, (tenths % 10).abs())
}

/// The proposal the rules write for moving `product` to `to`.
fn proposal(
    product: &ProductFacts,
    to: Money,
    reason: Reason,
    sales_days: i64,
    decision: kiln_core::decision::DecisionId,
) -> Proposal {
    let (sku, from) = (&product.sku, product.price);
    let verb = if to.minor_units > from.minor_units {
        "Raise"
    } else {
        "Cut"
    };
    let cover_text = |cover: Option<i64>| {
        cover.map_or_else(
            || "its stock is not counted or nothing sold".to_owned(),
            |days| match days {
                0 => "it is sold out".to_owned(),
                1 => "its stock lasts about a day".to_owned(),
                days => format!("its stock lasts about {days} days"),
            },
        )
    };
    let because = match reason {
        Reason::MarginSqueeze { margin_bp } => format!(
            "its margin, {}, is under the {} goal",
            percent(margin_bp),
            percent(MARGIN_GOAL_BP)
        ),
        Reason::UnderMarket { cover_days } => format!(
            "rivals charge {} and {}",
            product
                .market
                .map_or(String::new(), |(lowest, _)| lowest.to_string()),
            cover_text(cover_days)
        ),
        Reason::Overstock { cover_days } => format!(
            "{} and a rival charges {}",
            cover_text(cover_days),
            product
                .market
                .map_or(String::new(), |(lowest, _)| lowest.to_string())
        ),
    };
    let mut reasoning = vec![format!(
        "Sold {} units in the last {sales_days} days; {}.",
        product.units_sold,
        product.available.map_or_else(
            || "stock not counted".to_owned(),
            |available| format!("{available} available")
        )
    )];
    if let Some(cost) = product.unit_cost {
        let at = |price: Money| {
            margin_at(price.minor_units, cost.minor_units).map_or_else(|| "–".to_owned(), percent)
        };
        reasoning.push(format!(
            "Unit cost {cost}: margin {} at {from}, {} at {to}.",
            at(from),
            at(to)
        ));
    }
    if let Some((lowest, sources)) = product.market {
        let notes = if sources == 1 { "source" } else { "sources" };
        reasoning.push(format!(
            "Lowest rival price noted: {lowest} ({sources} {notes})."
        ));
    }
    reasoning.push(format!(
        "One proposal moves a price at most {}, on a 50-cent grid.",
        percent(MAX_STEP_BP)
    ));
    let step_bp = (to.minor_units - from.minor_units).abs() * 10_000 / from.minor_units.max(1);
    Proposal {
        decision,
        summary: format!("{verb} {sku} from {from} to {to}: {because}"),
        reasoning: reasoning.join(" "),
        agents_involved: vec![BusinessFunction::Category],
        data_considered: data_considered(),
        risk: if step_bp <= 500 {
            Risk::Low
        } else {
            Risk::Medium
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::step::AgentTrigger;
    use kiln_core::money::Currency;

    fn usd(minor_units: i64) -> Money {
        Money::new(minor_units, Currency::Usd)
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-06T12:00:00Z")
            .expect("time")
            .with_timezone(&Utc)
    }

    fn input() -> StepInput {
        StepInput {
            agent: BusinessFunction::Category,
            trigger: AgentTrigger::Events {
                after: 0,
                through: 10,
                count: 1,
                first: vec![],
            },
            now: now(),
            step_key: "agent:category:events-through-10".into(),
        }
    }

    /// The speckled mug at $28.00, costing $14.00 (50 % margin), 90 sold
    /// in 90 days, 30 available (30 days of stock), no market notes.
    fn mug() -> ProductFacts {
        ProductFacts {
            sku: Sku::parse("MUG-SPECKLE-12").expect("SKU"),
            price: usd(2800),
            unit_cost: Some(usd(1400)),
            units_sold: 90,
            available: Some(30),
            market: None,
            proposal_waiting: false,
            last_price_activity: None,
            peer: None,
        }
    }

    /// A conversation with Fulfillment's agent, a day old, standing so.
    fn peer(stands: PeerStand) -> Option<PeerThread> {
        Some(PeerThread {
            conversation: ConversationId::from_random([7; 8]),
            stands,
            last_at: now() - chrono::Duration::days(1),
        })
    }

    fn agreed() -> Option<PeerThread> {
        peer(PeerStand::Agreed {
            text: "Agreed: 300 on hand.".into(),
            consulted: vec![DataReference {
                label: "Stock on hand".into(),
                href: "/api/functions/fulfillment/tables/stock".into(),
            }],
        })
    }

    fn given(products: Vec<ProductFacts>) -> CategoryFacts {
        CategoryFacts {
            products,
            sales_days: 90,
        }
    }

    fn proposed(facts: &CategoryFacts) -> Vec<(String, Money, Risk)> {
        rules(facts, &input())
            .1
            .into_iter()
            .filter_map(|action| match action {
                AgentAction::Propose {
                    proposal,
                    change: ProposedChange::BasePrice { sku, to },
                } => Some((sku.to_string(), to, proposal.risk)),
                AgentAction::Propose { .. } | AgentAction::Message { .. } => None,
            })
            .collect()
    }

    #[test]
    fn a_product_priced_well_under_rivals_that_sells_well_is_raised_halfway_to_them() {
        let facts = given(vec![ProductFacts {
            market: Some((usd(3200), 2)),
            ..mug()
        }]);
        assert_eq!(
            proposed(&facts),
            [("MUG-SPECKLE-12".into(), usd(3000), Risk::Medium)]
        );
        let (observations, actions) = rules(&facts, &input());
        assert!(
            observations.ends_with("1 price change proposed, 0 messages sent."),
            "{observations}"
        );
        let AgentAction::Propose { proposal, .. } = &actions[0] else {
            panic!("a proposal: {actions:?}");
        };
        assert_eq!(
            proposal.summary,
            "Raise MUG-SPECKLE-12 from $28.00 to $30.00: rivals charge $32.00 and its stock lasts about 30 days"
        );
        assert!(
            proposal
                .reasoning
                .contains("margin 50.0 % at $28.00, 53.3 % at $30.00"),
            "{}",
            proposal.reasoning
        );
        assert_eq!(proposal.decision, input().decision_id(0));
    }

    #[test]
    fn a_squeezed_margin_is_raised_toward_the_goal_by_at_most_a_step() {
        // Cost $20.00 at $28.00 is a 28.6 % margin; the goal needs $36.50,
        // a step allows $30.80, on the grid $30.50.
        let facts = given(vec![ProductFacts {
            unit_cost: Some(usd(2000)),
            ..mug()
        }]);
        assert_eq!(
            proposed(&facts),
            [("MUG-SPECKLE-12".into(), usd(3050), Risk::Medium)]
        );
    }

    #[test]
    fn a_squeezed_margin_is_never_raised_above_the_cheapest_rival() {
        let facts = given(vec![ProductFacts {
            unit_cost: Some(usd(2000)),
            market: Some((usd(2900), 1)),
            ..mug()
        }]);
        assert_eq!(
            proposed(&facts),
            [("MUG-SPECKLE-12".into(), usd(2900), Risk::Low)]
        );
        let cheaper_rival = given(vec![ProductFacts {
            unit_cost: Some(usd(2000)),
            market: Some((usd(2700), 1)),
            ..mug()
        }]);
        let (observations, actions) = rules(&cheaper_rival, &input());
        assert!(actions.is_empty());
        assert!(
            observations.contains("1 under the margin goal but held by cheaper rivals"),
            "{observations}"
        );
    }

    #[test]
    fn overstock_with_a_cheaper_rival_is_cut_toward_it_by_at_most_a_step() {
        // 10 sold in 90 days, 300 available: 2,700 days of stock; and
        // Fulfillment's agent agreed.
        let slow = ProductFacts {
            units_sold: 10,
            available: Some(300),
            market: Some((usd(2400), 1)),
            peer: agreed(),
            ..mug()
        };
        // A step allows $25.20, on the grid $25.50; the rival's $24.00 is lower.
        assert_eq!(
            proposed(&given(vec![slow.clone()])),
            [("MUG-SPECKLE-12".into(), usd(2550), Risk::Medium)]
        );
        // A rival at $27.00 is within a step.
        let near = ProductFacts {
            market: Some((usd(2700), 1)),
            ..slow.clone()
        };
        assert_eq!(
            proposed(&given(vec![near])),
            [("MUG-SPECKLE-12".into(), usd(2700), Risk::Low)]
        );
        // Nothing sold at all in the window, stock on the shelf.
        let unsold = ProductFacts {
            units_sold: 0,
            ..slow
        };
        assert_eq!(proposed(&given(vec![unsold])).len(), 1);
    }

    /// The slate mug overstocked with a cheaper rival, standing so with
    /// Fulfillment's agent.
    fn overstocked(peer: Option<PeerThread>) -> CategoryFacts {
        given(vec![ProductFacts {
            units_sold: 10,
            available: Some(300),
            market: Some((usd(2400), 1)),
            peer,
            ..mug()
        }])
    }

    #[test]
    fn a_cut_for_overstock_is_first_asked_of_fulfillments_agent_in_a_conversation_about_the_product()
     {
        let (observations, actions) = rules(&overstocked(None), &input());
        let [
            AgentAction::Message {
                message,
                replying: false,
            },
        ] = actions.as_slice()
        else {
            panic!("one question: {actions:?}");
        };
        assert_eq!(
            (message.from, message.to, message.intent),
            (
                BusinessFunction::Category,
                BusinessFunction::Fulfillment,
                MessageIntent::Ask
            )
        );
        assert_eq!(
            message.subject.as_ref().map(|stream| stream.as_str()),
            Some("product-MUG-SPECKLE-12")
        );
        assert_eq!(message.conversation, input().conversation_id(0));
        assert!(
            message.text.starts_with("I would cut MUG-SPECKLE-12 from $28.00 to $25.50: its stock lasts about 2700 days and a rival charges $24.00. Is its stock as high as that?"),
            "{}",
            message.text
        );
        assert!(
            observations.ends_with("0 price changes proposed, 1 message sent."),
            "{observations}"
        );

        // Asked and not answered: it waits. A question unanswered for
        // longer than the quiet days is asked again.
        assert!(
            rules(&overstocked(peer(PeerStand::Waiting)), &input())
                .1
                .is_empty()
        );
        let stale = agreed().map(|thread| PeerThread {
            last_at: now() - chrono::Duration::days(QUIET_DAYS),
            ..thread
        });
        assert!(matches!(
            rules(&overstocked(stale), &input()).1.as_slice(),
            [AgentAction::Message {
                replying: false,
                ..
            }]
        ));
    }

    #[test]
    fn on_fulfillments_agreement_the_cut_is_proposed_naming_the_conversation_and_the_thread_names_the_decision()
     {
        let (_, actions) = rules(&overstocked(agreed()), &input());
        let [
            AgentAction::Propose { proposal, .. },
            AgentAction::Message {
                message,
                replying: true,
            },
        ] = actions.as_slice()
        else {
            panic!("a proposal and a note: {actions:?}");
        };
        assert_eq!(
            proposal.agents_involved,
            [BusinessFunction::Category, BusinessFunction::Fulfillment]
        );
        let conversation = ConversationId::from_random([7; 8]);
        assert!(
            proposal
                .data_considered
                .iter()
                .any(|data| data.href == format!("/staff/category#{conversation}"))
        );
        assert!(
            proposal
                .data_considered
                .iter()
                .any(|data| data.label == "Stock on hand")
        );
        assert_eq!(message.conversation, conversation);
        assert_eq!(message.about.as_ref(), Some(&proposal.decision));
        assert_eq!(message.intent, MessageIntent::Note);
    }

    #[test]
    fn on_fulfillments_disagreement_the_conversation_goes_to_category_managements_people() {
        let facts = overstocked(peer(PeerStand::Disagreed {
            text: "Counted 200 days ago: recount first.".into(),
        }));
        let (_, actions) = rules(&facts, &input());
        let [
            AgentAction::Message {
                message,
                replying: true,
            },
        ] = actions.as_slice()
        else {
            panic!("an escalation: {actions:?}");
        };
        assert_eq!(
            (message.to, message.intent),
            (BusinessFunction::Category, MessageIntent::Escalate)
        );
        assert!(
            message
                .text
                .contains("“Counted 200 days ago: recount first.”"),
            "{}",
            message.text
        );
        // Once escalated (or once a decision came of it), it rests.
        assert!(
            rules(&overstocked(peer(PeerStand::Concluded)), &input())
                .1
                .is_empty()
        );
    }

    #[test]
    fn a_conversation_stands_by_its_last_message() {
        use kiln_core::conversation::{MessageId, MessageView};
        let said = |from, intent, about: Option<kiln_core::decision::DecisionId>| MessageView {
            message: MessageId::from_random([1; 8]),
            from,
            to: if from == BusinessFunction::Category {
                BusinessFunction::Fulfillment
            } else {
                BusinessFunction::Category
            },
            text: "…".into(),
            about,
            intent,
            subject: Some("product-MUG-SPECKLE-12".into()),
            consulted: vec![],
            sent_by: format!("agent:{}", from.slug()),
            sent_at: "2026-12-05T12:00:00Z".into(),
        };
        let thread = |messages| ConversationThread {
            conversation: ConversationId::from_random([7; 8]),
            messages,
        };
        let stands = |messages| PeerThread::of(&thread(messages)).map(|peer| peer.stands);
        let ask = said(BusinessFunction::Category, MessageIntent::Ask, None);
        assert_eq!(stands(vec![ask.clone()]), Some(PeerStand::Waiting));
        assert_eq!(
            stands(vec![
                ask.clone(),
                said(BusinessFunction::Fulfillment, MessageIntent::Agree, None)
            ]),
            Some(PeerStand::Agreed {
                text: "…".into(),
                consulted: vec![]
            })
        );
        assert_eq!(
            stands(vec![
                ask.clone(),
                said(BusinessFunction::Fulfillment, MessageIntent::Answer, None)
            ]),
            Some(PeerStand::Disagreed { text: "…".into() })
        );
        let decision = kiln_core::decision::DecisionId::from_random([9; 8]);
        assert_eq!(
            stands(vec![
                ask.clone(),
                said(BusinessFunction::Fulfillment, MessageIntent::Agree, None),
                said(
                    BusinessFunction::Category,
                    MessageIntent::Note,
                    Some(decision)
                )
            ]),
            Some(PeerStand::Concluded)
        );
        // Only Fulfillment's agent agrees for Fulfillment.
        assert_eq!(
            stands(vec![
                ask.clone(),
                said(BusinessFunction::Customers, MessageIntent::Agree, None)
            ]),
            Some(PeerStand::Disagreed { text: "…".into() })
        );
        // A conversation another agent started is not Category's question.
        assert_eq!(
            stands(vec![said(
                BusinessFunction::Fulfillment,
                MessageIntent::Ask,
                None
            )]),
            None
        );
    }

    #[test]
    fn a_product_with_a_proposal_waiting_or_a_recent_change_is_left_alone() {
        let under_market = ProductFacts {
            market: Some((usd(3200), 1)),
            ..mug()
        };
        let waiting = ProductFacts {
            proposal_waiting: true,
            ..under_market.clone()
        };
        let recent = ProductFacts {
            last_price_activity: Some(now() - chrono::Duration::days(3)),
            ..under_market.clone()
        };
        let (observations, actions) = rules(&given(vec![waiting, recent]), &input());
        assert!(actions.is_empty());
        assert!(
            observations.contains("1 with a proposal waiting, 1 changed, decided or escalated"),
            "{observations}"
        );
        let long_ago = ProductFacts {
            last_price_activity: Some(now() - chrono::Duration::days(30)),
            ..under_market
        };
        assert_eq!(proposed(&given(vec![long_ago])).len(), 1);
    }

    #[test]
    fn a_product_priced_in_line_with_the_market_and_its_goals_stays() {
        for product in [
            mug(),
            // Rivals only 5 % higher.
            ProductFacts {
                market: Some((usd(2940), 1)),
                ..mug()
            },
            // Rivals much higher but the stock is slow (180 days).
            ProductFacts {
                market: Some((usd(3200), 1)),
                available: Some(180),
                ..mug()
            },
            // Overstock but no cheaper rival.
            ProductFacts {
                units_sold: 0,
                available: Some(40),
                ..mug()
            },
        ] {
            assert_eq!(proposed(&given(vec![product.clone()])), [], "{product:?}");
        }
    }

    #[test]
    fn the_same_step_proposes_the_same_decisions() {
        let facts = given(vec![ProductFacts {
            market: Some((usd(3200), 1)),
            ..mug()
        }]);
        assert_eq!(rules(&facts, &input()), rules(&facts, &input()));
    }
}
