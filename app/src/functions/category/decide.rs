//! Category Management's commands and the pure rules that decide them.
//!
//! `decide` never touches a database, a clock or the network: it gets the
//! state folded from a product's past events and a command, and answers with
//! the events to record or the rule that refuses the command.

use super::events::PriceChangeProposed;
use super::events::{
    BasePriceChanged, CategoryEvent, Collection, MarketPriceNoted, ProductDelisted,
    ProductIntroduced, ProductRelisted, ProductRevised, Sku, Variant,
};
use kiln_core::decision::{
    DecisionError, DecisionId, DecisionStatus, Proposal, Verdict, checked_proposal, checked_verdict,
};
use kiln_core::function::BusinessFunction;
use kiln_core::money::Money;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A request to change the catalog, from a person or an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CategoryCommand {
    /// Add a new product to the catalog and list it for sale.
    IntroduceProduct(IntroduceProduct),
    /// Change a product's base price, saying why.
    ChangeBasePrice {
        /// The product.
        sku: Sku,
        /// The new base price.
        to: Money,
        /// Why.
        reason: String,
    },
    /// Take a product off sale, saying why.
    Delist {
        /// The product.
        sku: Sku,
        /// Why.
        reason: String,
    },
    /// Put a delisted product back on sale.
    Relist {
        /// The product.
        sku: Sku,
    },
    /// Change how a product is described, grouped or costed.
    ReviseProduct {
        /// The product.
        sku: Sku,
        /// Its details from now on, all of them.
        details: ProductDetails,
    },
    /// Note what the market charges for something like a product.
    NoteMarketPrice {
        /// The product.
        sku: Sku,
        /// Where the price was seen or who said it.
        source: String,
        /// The price seen, if any.
        their_price: Option<Money>,
        /// What was noticed.
        note: String,
    },
    /// Propose a new base price for a person to approve or reject (what
    /// agents do instead of [`CategoryCommand::ChangeBasePrice`]).
    ProposePriceChange {
        /// The product.
        sku: Sku,
        /// The base price proposed.
        to: Money,
        /// What the proposal says about itself.
        proposal: Proposal,
    },
    /// Carry out the function's agent's own proposal without a person,
    /// under the autonomy policy for base price changes.
    CarryOutAutomatically {
        /// The product the proposal is about.
        sku: Sku,
        /// The proposal.
        decision: DecisionId,
        /// The policy in force now.
        policy: kiln_core::decision::AutonomyPolicy,
    },
    /// Reverse a decision carried out automatically: its price goes back.
    ReverseDecision {
        /// The product the decision changed.
        sku: Sku,
        /// The decision.
        decision: DecisionId,
        /// Why (required).
        comment: String,
    },
    /// Approve or reject a proposal about the product.
    DecideProposal {
        /// The product the proposal is about.
        sku: Sku,
        /// The proposal.
        decision: DecisionId,
        /// Approve or reject.
        verdict: Verdict,
        /// What the person says (required to reject).
        comment: String,
    },
}

impl CategoryCommand {
    /// The product the command is about (its stream).
    pub fn sku(&self) -> &Sku {
        match self {
            CategoryCommand::IntroduceProduct(product) => &product.sku,
            CategoryCommand::ChangeBasePrice { sku, .. }
            | CategoryCommand::Delist { sku, .. }
            | CategoryCommand::Relist { sku }
            | CategoryCommand::ReviseProduct { sku, .. }
            | CategoryCommand::NoteMarketPrice { sku, .. }
            | CategoryCommand::ProposePriceChange { sku, .. }
            | CategoryCommand::CarryOutAutomatically { sku, .. }
            | CategoryCommand::ReverseDecision { sku, .. }
            | CategoryCommand::DecideProposal { sku, .. } => sku,
        }
    }
}

/// The longest reason accepted for a price change or a delisting, and the
/// longest market note, in characters.
pub const MAX_REASON_CHARS: usize = 500;
/// The longest product name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// The longest product description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 400;
/// The longest variant option ("Oat glaze") or market note source, in characters.
pub const MAX_LABEL_CHARS: usize = 60;

/// Input of [`CategoryCommand::IntroduceProduct`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntroduceProduct {
    /// The SKU the product will be known by.
    pub sku: Sku,
    /// The consumer price before promotions and tax.
    pub base_price: Money,
    /// How it is described, grouped and costed.
    pub details: ProductDetails,
}

/// What a person says about a product when introducing or revising it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDetails {
    /// The name shoppers see.
    pub name: String,
    /// The storefront collection to show it in.
    pub collection: Collection,
    /// One or two sentences for the product card.
    pub description: String,
    /// Path of the product's picture under the site root.
    pub image: String,
    /// The family it is an option of, if it comes in several.
    pub variant: Option<Variant>,
    /// What one unit costs to make, if costed (the base price's currency).
    pub unit_cost: Option<Money>,
}

/// What `decide` needs to know about one product, folded from its stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductState {
    /// Whether the product has been introduced already.
    pub introduced: bool,
    /// Whether it is on sale (introduced and not delisted since).
    pub listed: bool,
    /// Its base price, once introduced.
    pub base_price: Option<Money>,
    /// Its details as last introduced or revised.
    pub details: Option<ProductDetails>,
    /// The price change proposed and waiting for a person, if any.
    pub pending_price_change: Option<PriceChangeProposed>,
    /// The proposals about it decided so far.
    pub decided: BTreeMap<DecisionId, DecisionStatus>,
    /// The decision carried out automatically whose price change it still
    /// is, with the price it changed from and to: reversing it puts the
    /// price back. Any later price change ends that (reversing would undo
    /// the later change too).
    pub reversible: Option<(DecisionId, Money, Money)>,
}

impl ProductState {
    /// Folds a product's past events, oldest first, into its state.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a CategoryEvent>) -> Self {
        let mut state = Self::default();
        for event in events {
            state.apply(event);
        }
        state
    }

    fn apply(&mut self, event: &CategoryEvent) {
        match event {
            CategoryEvent::ProductIntroduced(product) => {
                self.introduced = true;
                self.listed = true;
                self.base_price = Some(product.base_price);
                self.details = Some(ProductDetails {
                    name: product.name.clone(),
                    collection: product.collection,
                    description: product.description.clone(),
                    image: product.image.clone(),
                    variant: product.variant.clone(),
                    unit_cost: product.unit_cost,
                });
            }
            CategoryEvent::BasePriceChanged(change) => {
                // The change an automatic decision records right after
                // itself (from its price to its new one) keeps it
                // reversible; any later change ends that.
                let its_own_change = self.reversible.as_ref().is_some_and(|(_, from, to)| {
                    self.base_price == Some(*from) && change.to == *to
                });
                if !its_own_change {
                    self.reversible = None;
                }
                self.base_price = Some(change.to);
            }
            CategoryEvent::ProductDelisted(_) => self.listed = false,
            CategoryEvent::ProductRelisted(_) => self.listed = true,
            CategoryEvent::ProductRevised(revised) => {
                self.details = Some(ProductDetails {
                    name: revised.name.clone(),
                    collection: revised.collection,
                    description: revised.description.clone(),
                    image: revised.image.clone(),
                    variant: revised.variant.clone(),
                    unit_cost: revised.unit_cost,
                });
            }
            CategoryEvent::MarketPriceNoted(_) => {}
            CategoryEvent::PriceChangeProposed(proposed) => {
                self.pending_price_change = Some(proposed.clone());
            }
            CategoryEvent::DecisionApproved(verdict) => {
                self.settle(&verdict.decision, DecisionStatus::Approved);
            }
            CategoryEvent::DecisionRejected(verdict) => {
                self.settle(&verdict.decision, DecisionStatus::Rejected);
            }
            CategoryEvent::DecisionCarriedOutAutomatically(automatic) => {
                self.reversible = self
                    .pending_price_change
                    .as_ref()
                    .filter(|pending| pending.proposal.decision == automatic.decision)
                    .map(|pending| (automatic.decision.clone(), pending.from, pending.to));
                self.settle(&automatic.decision, DecisionStatus::CarriedOutAutomatically);
            }
            CategoryEvent::DecisionReversed(_) => self.reversible = None,
        }
    }

    fn settle(&mut self, decision: &DecisionId, status: DecisionStatus) {
        if self
            .pending_price_change
            .as_ref()
            .is_some_and(|pending| &pending.proposal.decision == decision)
        {
            self.pending_price_change = None;
        }
        self.decided.insert(decision.clone(), status);
    }
}

/// A catalog rule that refused a command. The message is shown verbatim to
/// the person or agent who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CategoryError {
    /// SKUs are identities: one can never be introduced twice.
    #[error("product {sku} is already in the catalog")]
    ProductAlreadyIntroduced {
        /// The SKU that is taken.
        sku: Sku,
    },
    /// A product needs a name shoppers can read.
    #[error("product {sku} needs a name")]
    MissingName {
        /// The product without a name.
        sku: Sku,
    },
    /// Nothing is listed for free or for less.
    #[error("product {sku} cannot be listed at {price}: a base price must be above zero")]
    PriceNotPositive {
        /// The product being priced.
        sku: Sku,
        /// The refused price.
        price: Money,
    },
    /// Only a product in the catalog can be priced or listed.
    #[error("there is no product {sku} in the catalog")]
    NoSuchProduct {
        /// The SKU asked for.
        sku: Sku,
    },
    /// A price change must change the price.
    #[error("product {sku} already costs {price}")]
    PriceUnchanged {
        /// The product.
        sku: Sku,
        /// Its price today.
        price: Money,
    },
    /// A product's amounts stay in the currency it was introduced in.
    #[error("product {sku} is priced in {currency}: give amounts for it in {currency} too")]
    CurrencyChanged {
        /// The product.
        sku: Sku,
        /// Its currency.
        currency: &'static str,
    },
    /// The new price as typed is not an amount of money.
    #[error("“{text}” is not a price: give it like 28 or 28.50")]
    InvalidPrice {
        /// What was typed (its first 40 characters).
        text: String,
    },
    /// Price changes and delistings say why.
    #[error("say why: the reason is missing")]
    MissingReason,
    /// A reason longer than anyone would read.
    #[error("the reason may have at most {max} characters")]
    ReasonTooLong {
        /// The limit.
        max: usize,
    },
    /// Delisting a product that is off sale already.
    #[error("product {sku} is already delisted")]
    AlreadyDelisted {
        /// The product.
        sku: Sku,
    },
    /// Relisting a product that is on sale.
    #[error("product {sku} is already listed")]
    AlreadyListed {
        /// The product.
        sku: Sku,
    },
    /// A name longer than a product card can show.
    #[error("a product name may have at most {max} characters")]
    NameTooLong {
        /// The limit.
        max: usize,
    },
    /// A description longer than a product card can show.
    #[error("a product description may have at most {max} characters")]
    DescriptionTooLong {
        /// The limit.
        max: usize,
    },
    /// A product in a family needs the option that sets it apart.
    #[error("product {sku} is in family {family}: say which option it is (e.g. a glaze or a size)")]
    MissingOption {
        /// The product.
        sku: Sku,
        /// Its family.
        family: super::events::FamilyKey,
    },
    /// An option, or a market note's source, longer than a label.
    #[error("“{label}” may have at most {max} characters")]
    LabelTooLong {
        /// Which label, e.g. "the option".
        label: &'static str,
        /// The limit.
        max: usize,
    },
    /// Making something never earns money.
    #[error("product {sku} cannot cost {cost} to make: a unit cost is zero or more")]
    CostNegative {
        /// The product.
        sku: Sku,
        /// The refused cost.
        cost: Money,
    },
    /// The unit cost as typed is not an amount of money.
    #[error("“{text}” is not a unit cost: give it like 9 or 9.40, or leave it empty")]
    InvalidCost {
        /// What was typed (its first 40 characters).
        text: String,
    },
    /// A revision that changes nothing records nothing.
    #[error("product {sku} already has exactly these details")]
    NothingRevised {
        /// The product.
        sku: Sku,
    },
    /// A market note says something.
    #[error("write the note: what was seen or said")]
    MissingNote,
    /// A market note longer than anyone would read.
    #[error("the note may have at most {max} characters")]
    NoteTooLong {
        /// The limit.
        max: usize,
    },
    /// A market note says where it comes from.
    #[error("say where the price was seen or who said it")]
    MissingSource,
    /// A competitor's price is a price.
    #[error("a price seen in the market is above zero, not {price}")]
    MarketPriceNotPositive {
        /// The refused price.
        price: Money,
    },
    /// A rule every decision shares refused the proposal or the verdict.
    #[error(transparent)]
    Decision(#[from] DecisionError),
    /// One price change at a time waits for a person, so two proposals
    /// never race to change the same price.
    #[error("product {sku} already has a price change waiting for a decision ({decision})")]
    PriceChangeAlreadyProposed {
        /// The product.
        sku: Sku,
        /// The proposal waiting.
        decision: DecisionId,
    },
    /// The price moved since the proposal was made: approving it would
    /// carry out a change nobody proposed against today's price.
    #[error(
        "product {sku} costs {now} now, not the {then} this proposal was made against: reject it, and propose again if still needed"
    )]
    ProposalOutdated {
        /// The product.
        sku: Sku,
        /// Its price when the proposal was made.
        then: Money,
        /// Its price now.
        now: Money,
    },
    /// The autonomy policy does not allow a change this large without a
    /// person: the proposal waits for one.
    #[error(
        "{decision} changes the price by {size}, which the autonomy policy ({policy}) leaves to a person"
    )]
    BeyondAutonomy {
        /// The decision.
        decision: DecisionId,
        /// How large its change is, as a percentage.
        size: String,
        /// The policy, as people read it.
        policy: String,
    },
    /// A proposal marked high-risk is never carried out without a person.
    #[error("{decision} is marked high-risk: it waits for a person whatever the autonomy policy")]
    HighRiskProposal {
        /// The decision.
        decision: DecisionId,
    },
    /// Only a decision carried out automatically, not reversed yet and
    /// not followed by another price change, can be reversed (a person's
    /// approval is undone by a new price change).
    #[error(
        "{decision} was not carried out automatically, is already reversed, or the price changed again since"
    )]
    NotReversible {
        /// The decision.
        decision: DecisionId,
    },
    /// A reversal says why.
    #[error("say why {decision} is reversed")]
    ReversalWithoutReason {
        /// The decision.
        decision: DecisionId,
    },
    /// Pictures are served from the site's own files, never hot-linked.
    #[error("product {sku}'s picture “{image}” must be a path on this site starting with /")]
    ImageNotOnSite {
        /// The product whose picture is refused.
        sku: Sku,
        /// The refused picture reference.
        image: String,
    },
}

/// The product's base price today, if `to` may replace it: the product
/// exists, `to` is in its currency, above zero, and different.
fn checked_new_price(state: &ProductState, sku: &Sku, to: Money) -> Result<Money, CategoryError> {
    let Some(from) = state.base_price.filter(|_| state.introduced) else {
        return Err(CategoryError::NoSuchProduct { sku: sku.clone() });
    };
    if to.currency != from.currency {
        return Err(CategoryError::CurrencyChanged {
            sku: sku.clone(),
            currency: from.currency.code(),
        });
    }
    if !to.is_positive() {
        return Err(CategoryError::PriceNotPositive {
            sku: sku.clone(),
            price: to,
        });
    }
    if to == from {
        return Err(CategoryError::PriceUnchanged {
            sku: sku.clone(),
            price: from,
        });
    }
    Ok(from)
}

/// The price proposal `decision` waiting for a verdict, or why there is
/// none: it was decided already, or never made.
fn waiting_proposal<'a>(
    state: &'a ProductState,
    decision: &DecisionId,
) -> Result<&'a PriceChangeProposed, CategoryError> {
    state
        .pending_price_change
        .as_ref()
        .filter(|pending| &pending.proposal.decision == decision)
        .ok_or_else(|| {
            match state.decided.get(decision) {
                Some(status) => DecisionError::AlreadyDecided {
                    decision: decision.clone(),
                    status: status.as_str(),
                },
                None => DecisionError::NoSuchDecision {
                    decision: decision.clone(),
                },
            }
            .into()
        })
}

/// Refuses to carry out `pending` if the product's price moved since it
/// was proposed: it would change a price nobody weighed.
fn still_priced_as_proposed(
    state: &ProductState,
    sku: &Sku,
    pending: &PriceChangeProposed,
) -> Result<(), CategoryError> {
    let now = state.base_price.unwrap_or(pending.from);
    if now == pending.from {
        Ok(())
    } else {
        Err(CategoryError::ProposalOutdated {
            sku: sku.clone(),
            then: pending.from,
            now,
        })
    }
}

/// A person's verdict on the product's waiting price change: approving
/// records the verdict and the change itself, rejecting only the verdict.
fn decide_proposal(
    state: &ProductState,
    sku: Sku,
    decision: DecisionId,
    verdict: Verdict,
    comment: &str,
) -> Result<Vec<CategoryEvent>, CategoryError> {
    let pending = waiting_proposal(state, &decision)?;
    let verdict_given = checked_verdict(verdict, decision, comment)?;
    match verdict {
        Verdict::Reject => Ok(vec![CategoryEvent::DecisionRejected(verdict_given)]),
        Verdict::Approve => {
            still_priced_as_proposed(state, &sku, pending)?;
            Ok(vec![
                CategoryEvent::DecisionApproved(verdict_given),
                CategoryEvent::BasePriceChanged(BasePriceChanged {
                    sku,
                    from: pending.from,
                    to: pending.to,
                    // The summary says why; the decision's id in the
                    // metadata leads to the rest.
                    reason: pending.proposal.summary.clone(),
                }),
            ])
        }
    }
}

/// A price change's size, in basis points of the old price.
pub fn change_size_bp(from: Money, to: Money) -> u32 {
    let from_units = from.minor_units.unsigned_abs().max(1);
    let change = to.minor_units.abs_diff(from.minor_units);
    u32::try_from(change.saturating_mul(10_000) / from_units).unwrap_or(u32::MAX)
}

/// The agent carries out its own waiting proposal, if the policy allows a
/// change of its size and the price is still the one it was proposed
/// against.
fn carry_out_automatically(
    state: &ProductState,
    sku: Sku,
    decision: DecisionId,
    policy: kiln_core::decision::AutonomyPolicy,
) -> Result<Vec<CategoryEvent>, CategoryError> {
    let pending = waiting_proposal(state, &decision)?;
    still_priced_as_proposed(state, &sku, pending)?;
    let size_bp = change_size_bp(pending.from, pending.to);
    // A proposal its proposer calls high-risk waits for a person whatever
    // the policy says.
    if pending.proposal.risk == kiln_core::decision::Risk::High {
        return Err(CategoryError::HighRiskProposal { decision });
    }
    if !policy.allows(size_bp) {
        return Err(CategoryError::BeyondAutonomy {
            decision,
            size: kiln_core::decision::percent_text(size_bp),
            policy: policy.describe(),
        });
    }
    Ok(vec![
        CategoryEvent::DecisionCarriedOutAutomatically(super::events::AutomaticDecision {
            decision,
            policy,
            size_bp,
        }),
        CategoryEvent::BasePriceChanged(BasePriceChanged {
            sku,
            from: pending.from,
            to: pending.to,
            reason: pending.proposal.summary.clone(),
        }),
    ])
}

/// A person reverses a decision carried out automatically: the price goes
/// back to what it was, if nothing changed it since.
fn reverse_decision(
    state: &ProductState,
    sku: Sku,
    decision: DecisionId,
    comment: &str,
) -> Result<Vec<CategoryEvent>, CategoryError> {
    let Some((_, before, after)) = state
        .reversible
        .as_ref()
        .filter(|(reversible, _, _)| *reversible == decision)
    else {
        return Err(CategoryError::NotReversible { decision });
    };
    let (before, after) = (*before, *after);
    let comment = comment.trim();
    if comment.is_empty() {
        return Err(CategoryError::ReversalWithoutReason { decision });
    }
    let comment = checked_reason(comment)?;
    Ok(vec![
        CategoryEvent::DecisionReversed(kiln_core::decision::DecisionVerdict {
            decision: decision.clone(),
            comment: comment.clone(),
        }),
        CategoryEvent::BasePriceChanged(BasePriceChanged {
            sku,
            from: after,
            to: before,
            reason: format!("Reversing {decision}: {comment}"),
        }),
    ])
}

/// Decides a catalog command against the product's current state.
pub fn decide(
    state: &ProductState,
    command: CategoryCommand,
) -> Result<Vec<CategoryEvent>, CategoryError> {
    match command {
        CategoryCommand::IntroduceProduct(product) => introduce_product(state, product),
        CategoryCommand::ChangeBasePrice { sku, to, reason } => {
            if !state.introduced {
                return Err(CategoryError::NoSuchProduct { sku });
            }
            let reason = checked_reason(&reason)?;
            let from = checked_new_price(state, &sku, to)?;
            Ok(vec![CategoryEvent::BasePriceChanged(BasePriceChanged {
                sku,
                from,
                to,
                reason,
            })])
        }
        CategoryCommand::ProposePriceChange { sku, to, proposal } => {
            let from = checked_new_price(state, &sku, to)?;
            if let Some(pending) = &state.pending_price_change {
                return Err(CategoryError::PriceChangeAlreadyProposed {
                    sku,
                    decision: pending.proposal.decision.clone(),
                });
            }
            let proposal = checked_proposal(BusinessFunction::Category, proposal)?;
            Ok(vec![CategoryEvent::PriceChangeProposed(
                PriceChangeProposed {
                    proposal,
                    sku,
                    from,
                    to,
                },
            )])
        }
        CategoryCommand::DecideProposal {
            sku,
            decision,
            verdict,
            comment,
        } => decide_proposal(state, sku, decision, verdict, &comment),
        CategoryCommand::CarryOutAutomatically {
            sku,
            decision,
            policy,
        } => carry_out_automatically(state, sku, decision, policy),
        CategoryCommand::ReverseDecision {
            sku,
            decision,
            comment,
        } => reverse_decision(state, sku, decision, &comment),
        CategoryCommand::Delist { sku, reason } => {
            if !state.introduced {
                return Err(CategoryError::NoSuchProduct { sku });
            }
            let reason = checked_reason(&reason)?;
            if !state.listed {
                return Err(CategoryError::AlreadyDelisted { sku });
            }
            Ok(vec![CategoryEvent::ProductDelisted(ProductDelisted {
                sku,
                reason,
            })])
        }
        CategoryCommand::Relist { sku } => {
            if !state.introduced {
                return Err(CategoryError::NoSuchProduct { sku });
            }
            if state.listed {
                return Err(CategoryError::AlreadyListed { sku });
            }
            Ok(vec![CategoryEvent::ProductRelisted(ProductRelisted {
                sku,
            })])
        }
        CategoryCommand::ReviseProduct { sku, details } => {
            let (Some(current), Some(base_price)) = (&state.details, state.base_price) else {
                return Err(CategoryError::NoSuchProduct { sku });
            };
            let details = checked_details(&sku, base_price, details)?;
            if &details == current {
                return Err(CategoryError::NothingRevised { sku });
            }
            Ok(vec![CategoryEvent::ProductRevised(ProductRevised {
                sku,
                name: details.name,
                collection: details.collection,
                description: details.description,
                image: details.image,
                variant: details.variant,
                unit_cost: details.unit_cost,
            })])
        }
        CategoryCommand::NoteMarketPrice {
            sku,
            source,
            their_price,
            note,
        } => {
            let Some(base_price) = state.base_price.filter(|_| state.introduced) else {
                return Err(CategoryError::NoSuchProduct { sku });
            };
            let note = note.trim();
            if note.is_empty() {
                return Err(CategoryError::MissingNote);
            }
            if note.chars().count() > MAX_REASON_CHARS {
                return Err(CategoryError::NoteTooLong {
                    max: MAX_REASON_CHARS,
                });
            }
            let source = source.trim();
            if source.is_empty() {
                return Err(CategoryError::MissingSource);
            }
            checked_label("the source", source)?;
            if let Some(price) = their_price {
                if price.currency != base_price.currency {
                    return Err(CategoryError::CurrencyChanged {
                        sku,
                        currency: base_price.currency.code(),
                    });
                }
                if !price.is_positive() {
                    return Err(CategoryError::MarketPriceNotPositive { price });
                }
            }
            Ok(vec![CategoryEvent::MarketPriceNoted(MarketPriceNoted {
                sku,
                source: source.to_owned(),
                their_price,
                note: note.to_owned(),
            })])
        }
    }
}

/// A label trimmed by the caller, refused when too long.
fn checked_label(label: &'static str, text: &str) -> Result<(), CategoryError> {
    if text.chars().count() > MAX_LABEL_CHARS {
        return Err(CategoryError::LabelTooLong {
            label,
            max: MAX_LABEL_CHARS,
        });
    }
    Ok(())
}

/// A product's details trimmed and checked: a name, texts within their
/// limits, a picture on this site, an option for a product in a family,
/// and a unit cost of zero or more in the price's currency.
fn checked_details(
    sku: &Sku,
    base_price: Money,
    details: ProductDetails,
) -> Result<ProductDetails, CategoryError> {
    let name = details.name.trim();
    if name.is_empty() {
        return Err(CategoryError::MissingName { sku: sku.clone() });
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(CategoryError::NameTooLong {
            max: MAX_NAME_CHARS,
        });
    }
    let description = details.description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(CategoryError::DescriptionTooLong {
            max: MAX_DESCRIPTION_CHARS,
        });
    }
    let image = details.image.trim();
    if !image.starts_with('/') || image.starts_with("//") {
        return Err(CategoryError::ImageNotOnSite {
            sku: sku.clone(),
            image: image.chars().take(100).collect(),
        });
    }
    let variant = match details.variant {
        Some(Variant { family, option }) => {
            let option = option.trim();
            if option.is_empty() {
                return Err(CategoryError::MissingOption {
                    sku: sku.clone(),
                    family,
                });
            }
            checked_label("the option", option)?;
            Some(Variant {
                family,
                option: option.to_owned(),
            })
        }
        None => None,
    };
    if let Some(cost) = details.unit_cost {
        if cost.currency != base_price.currency {
            return Err(CategoryError::CurrencyChanged {
                sku: sku.clone(),
                currency: base_price.currency.code(),
            });
        }
        if cost.minor_units < 0 {
            return Err(CategoryError::CostNegative {
                sku: sku.clone(),
                cost,
            });
        }
    }
    Ok(ProductDetails {
        name: name.to_owned(),
        collection: details.collection,
        description: description.to_owned(),
        image: image.to_owned(),
        variant,
        unit_cost: details.unit_cost,
    })
}

/// The reason trimmed; refused when blank or too long.
fn checked_reason(reason: &str) -> Result<String, CategoryError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CategoryError::MissingReason);
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(CategoryError::ReasonTooLong {
            max: MAX_REASON_CHARS,
        });
    }
    Ok(reason.to_owned())
}

fn introduce_product(
    state: &ProductState,
    product: IntroduceProduct,
) -> Result<Vec<CategoryEvent>, CategoryError> {
    let sku = product.sku;
    if state.introduced {
        return Err(CategoryError::ProductAlreadyIntroduced { sku });
    }
    let details = checked_details(&sku, product.base_price, product.details)?;
    if !product.base_price.is_positive() {
        return Err(CategoryError::PriceNotPositive {
            sku,
            price: product.base_price,
        });
    }
    Ok(vec![CategoryEvent::ProductIntroduced(ProductIntroduced {
        sku,
        name: details.name,
        collection: details.collection,
        description: details.description,
        base_price: product.base_price,
        image: details.image,
        variant: details.variant,
        unit_cost: details.unit_cost,
    })])
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_core::decision::DecisionVerdict;
    use kiln_core::money::Currency;

    fn sku() -> Sku {
        Sku::parse("MUG-SPECKLE-12").expect("test SKU is valid")
    }

    fn speckled_mug() -> ProductDetails {
        ProductDetails {
            name: "Speckled Morning Mug".into(),
            collection: Collection::Mugs,
            description: "Twelve ounces of speckled stoneware.".into(),
            image: "/products/mug-speckle-12.svg".into(),
            variant: None,
            unit_cost: Some(Money::new(900, Currency::Usd)),
        }
    }

    fn introduce_speckled_mug() -> IntroduceProduct {
        IntroduceProduct {
            sku: sku(),
            base_price: Money::new(2800, Currency::Usd),
            details: speckled_mug(),
        }
    }

    fn with_details(change: impl FnOnce(&mut ProductDetails)) -> IntroduceProduct {
        let mut command = introduce_speckled_mug();
        change(&mut command.details);
        command
    }

    fn given(events: &[CategoryEvent]) -> ProductState {
        ProductState::from_events(events)
    }

    fn when(
        state: ProductState,
        command: IntroduceProduct,
    ) -> Result<Vec<CategoryEvent>, CategoryError> {
        decide(&state, CategoryCommand::IntroduceProduct(command))
    }

    #[test]
    fn a_new_sku_is_introduced_with_its_name_trimmed() {
        let command = with_details(|details| details.name = "  Speckled Morning Mug ".into());
        let events = when(given(&[]), command).expect("a new product is accepted");
        assert_eq!(
            events,
            vec![CategoryEvent::ProductIntroduced(ProductIntroduced {
                sku: sku(),
                name: "Speckled Morning Mug".into(),
                collection: Collection::Mugs,
                description: "Twelve ounces of speckled stoneware.".into(),
                base_price: Money::new(2800, Currency::Usd),
                image: "/products/mug-speckle-12.svg".into(),
                variant: None,
                unit_cost: Some(Money::new(900, Currency::Usd)),
            })]
        );
    }

    #[test]
    fn an_introduced_sku_cannot_be_introduced_again() {
        let history = when(given(&[]), introduce_speckled_mug()).expect("first introduction");
        assert_eq!(
            when(given(&history), introduce_speckled_mug()),
            Err(CategoryError::ProductAlreadyIntroduced { sku: sku() })
        );
    }

    #[test]
    fn a_blank_name_is_refused() {
        let command = with_details(|details| details.name = "   ".into());
        assert_eq!(
            when(given(&[]), command),
            Err(CategoryError::MissingName { sku: sku() })
        );
    }

    #[test]
    fn a_zero_price_is_refused_and_named_in_the_message() {
        let command = IntroduceProduct {
            base_price: Money::new(0, Currency::Usd),
            ..introduce_speckled_mug()
        };
        let refusal = when(given(&[]), command).expect_err("zero price is refused");
        assert_eq!(
            refusal.to_string(),
            "product MUG-SPECKLE-12 cannot be listed at $0.00: a base price must be above zero"
        );
    }

    fn introduced() -> Vec<CategoryEvent> {
        when(given(&[]), introduce_speckled_mug()).expect("introduced")
    }

    fn usd(minor_units: i64) -> Money {
        Money::new(minor_units, Currency::Usd)
    }

    fn change_price(to: Money, reason: &str) -> CategoryCommand {
        CategoryCommand::ChangeBasePrice {
            sku: sku(),
            to,
            reason: reason.into(),
        }
    }

    #[test]
    fn a_base_price_change_records_the_old_and_new_price_and_why() {
        let events = decide(
            &given(&introduced()),
            change_price(usd(3000), "  Clay costs rose 8% "),
        )
        .expect("accepted");
        assert_eq!(
            events,
            vec![CategoryEvent::BasePriceChanged(BasePriceChanged {
                sku: sku(),
                from: usd(2800),
                to: usd(3000),
                reason: "Clay costs rose 8%".into(),
            })]
        );
        // The next change starts from the new price.
        let mut history = introduced();
        history.extend(events);
        assert!(matches!(
            &decide(&given(&history), change_price(usd(2900), "Too dear"))
                .expect("accepted")[..],
            [CategoryEvent::BasePriceChanged(BasePriceChanged { from, .. })] if *from == usd(3000)
        ));
    }

    #[test]
    fn a_price_change_that_is_free_negative_the_same_foreign_unexplained_or_of_nothing_is_refused()
    {
        let history = introduced();
        for (command, refusal) in [
            (
                change_price(usd(0), "Sale"),
                "product MUG-SPECKLE-12 cannot be listed at $0.00: a base price must be above zero",
            ),
            (
                change_price(usd(-500), "Sale"),
                "product MUG-SPECKLE-12 cannot be listed at -$5.00: a base price must be above zero",
            ),
            (
                change_price(usd(2800), "No change"),
                "product MUG-SPECKLE-12 already costs $28.00",
            ),
            (
                change_price(Money::new(2800, Currency::Eur), "Euro"),
                "product MUG-SPECKLE-12 is priced in USD: give amounts for it in USD too",
            ),
            (
                change_price(usd(3000), "  "),
                "say why: the reason is missing",
            ),
            (
                change_price(usd(3000), &"x".repeat(1_000_000)),
                "the reason may have at most 500 characters",
            ),
        ] {
            assert_eq!(
                decide(&given(&history), command)
                    .expect_err("refused")
                    .to_string(),
                refusal
            );
        }
        assert_eq!(
            decide(&given(&[]), change_price(usd(3000), "New")),
            Err(CategoryError::NoSuchProduct { sku: sku() })
        );
    }

    #[test]
    fn a_product_is_delisted_with_a_reason_once_and_relisted_once() {
        let delist = |reason: &str| CategoryCommand::Delist {
            sku: sku(),
            reason: reason.into(),
        };
        let relist = || CategoryCommand::Relist { sku: sku() };
        let mut history = introduced();
        assert_eq!(
            decide(&given(&history), relist()),
            Err(CategoryError::AlreadyListed { sku: sku() })
        );
        assert_eq!(
            decide(&given(&history), delist("")),
            Err(CategoryError::MissingReason)
        );
        let delisted = decide(&given(&history), delist("Glaze discontinued")).expect("delisted");
        assert_eq!(
            delisted,
            vec![CategoryEvent::ProductDelisted(ProductDelisted {
                sku: sku(),
                reason: "Glaze discontinued".into()
            })]
        );
        history.extend(delisted);
        assert!(!given(&history).listed);
        assert_eq!(
            decide(&given(&history), delist("Again")),
            Err(CategoryError::AlreadyDelisted { sku: sku() })
        );
        history.extend(decide(&given(&history), relist()).expect("relisted"));
        assert!(given(&history).listed);
        assert_eq!(
            decide(&given(&[]), relist()),
            Err(CategoryError::NoSuchProduct { sku: sku() })
        );
    }

    #[test]
    fn a_picture_on_another_site_is_refused() {
        for image in [
            "https://example.com/mug.png",
            "//cdn.example.com/mug.png",
            "mug.png",
        ] {
            let command = with_details(|details| details.image = image.into());
            assert!(
                matches!(
                    when(given(&[]), command),
                    Err(CategoryError::ImageNotOnSite { .. })
                ),
                "{image} was accepted"
            );
        }
    }

    fn family(key: &str, option: &str) -> Option<Variant> {
        Some(Variant {
            family: super::super::events::FamilyKey::parse(key).expect("valid family key"),
            option: option.into(),
        })
    }

    #[test]
    fn a_product_may_be_introduced_as_an_option_of_a_family() {
        let command =
            with_details(|details| details.variant = family("speckled-mug", " Oat glaze "));
        let events = when(given(&[]), command).expect("accepted");
        assert!(matches!(
            &events[..],
            [CategoryEvent::ProductIntroduced(ProductIntroduced { variant: Some(Variant { option, .. }), .. })]
                if option == "Oat glaze"
        ));
    }

    #[test]
    fn details_that_are_too_long_blank_foreign_or_negative_are_refused() {
        for (change, refusal) in [
            (
                Box::new(|d: &mut ProductDetails| d.name = "é".repeat(81))
                    as Box<dyn FnOnce(&mut ProductDetails)>,
                "a product name may have at most 80 characters",
            ),
            (
                Box::new(|d: &mut ProductDetails| d.description = "x".repeat(1_000_000)),
                "a product description may have at most 400 characters",
            ),
            (
                Box::new(|d: &mut ProductDetails| d.variant = family("speckled-mug", "  ")),
                "product MUG-SPECKLE-12 is in family speckled-mug: say which option it is (e.g. a glaze or a size)",
            ),
            (
                Box::new(|d: &mut ProductDetails| {
                    d.variant = family("speckled-mug", &"x".repeat(61))
                }),
                "“the option” may have at most 60 characters",
            ),
            (
                Box::new(|d: &mut ProductDetails| {
                    d.unit_cost = Some(Money::new(-1, Currency::Usd))
                }),
                "product MUG-SPECKLE-12 cannot cost -$0.01 to make: a unit cost is zero or more",
            ),
            (
                Box::new(|d: &mut ProductDetails| {
                    d.unit_cost = Some(Money::new(900, Currency::Eur))
                }),
                "product MUG-SPECKLE-12 is priced in USD: give amounts for it in USD too",
            ),
        ] {
            assert_eq!(
                when(given(&[]), with_details(change))
                    .expect_err("refused")
                    .to_string(),
                refusal
            );
        }
    }

    fn revise(change: impl FnOnce(&mut ProductDetails)) -> CategoryCommand {
        let mut details = speckled_mug();
        change(&mut details);
        CategoryCommand::ReviseProduct {
            sku: sku(),
            details,
        }
    }

    #[test]
    fn a_revision_records_every_detail_and_the_next_one_starts_from_it() {
        let mut history = introduced();
        let revised = decide(
            &given(&history),
            revise(|d| {
                d.name = "Speckled Mug".into();
                d.unit_cost = Some(Money::new(1000, Currency::Usd));
            }),
        )
        .expect("accepted");
        assert_eq!(
            revised,
            vec![CategoryEvent::ProductRevised(ProductRevised {
                sku: sku(),
                name: "Speckled Mug".into(),
                collection: Collection::Mugs,
                description: "Twelve ounces of speckled stoneware.".into(),
                image: "/products/mug-speckle-12.svg".into(),
                variant: None,
                unit_cost: Some(Money::new(1000, Currency::Usd)),
            })]
        );
        history.extend(revised);
        assert_eq!(
            decide(
                &given(&history),
                revise(|d| {
                    d.name = " Speckled Mug ".into();
                    d.unit_cost = Some(Money::new(1000, Currency::Usd));
                })
            ),
            Err(CategoryError::NothingRevised { sku: sku() })
        );
    }

    #[test]
    fn a_product_that_was_never_introduced_cannot_be_revised_or_noted() {
        assert_eq!(
            decide(&given(&[]), revise(|_| {})),
            Err(CategoryError::NoSuchProduct { sku: sku() })
        );
        assert_eq!(
            decide(&given(&[]), note("Etsy", Some(usd(2500)), "Cheaper")),
            Err(CategoryError::NoSuchProduct { sku: sku() })
        );
    }

    fn note(source: &str, their_price: Option<Money>, text: &str) -> CategoryCommand {
        CategoryCommand::NoteMarketPrice {
            sku: sku(),
            source: source.into(),
            their_price,
            note: text.into(),
        }
    }

    #[test]
    fn a_market_note_records_where_the_price_was_seen_and_what_was_noticed() {
        assert_eq!(
            decide(
                &given(&introduced()),
                note(
                    " Hearth & Kiln, Etsy ",
                    Some(usd(2400)),
                    " Four glazes, free shipping "
                )
            ),
            Ok(vec![CategoryEvent::MarketPriceNoted(MarketPriceNoted {
                sku: sku(),
                source: "Hearth & Kiln, Etsy".into(),
                their_price: Some(usd(2400)),
                note: "Four glazes, free shipping".into(),
            })])
        );
        // A note without a price is a note too.
        assert!(
            decide(
                &given(&introduced()),
                note("Café buyers", None, "Want it in 8 oz")
            )
            .is_ok()
        );
    }

    #[test]
    fn a_market_note_without_words_source_or_a_real_price_is_refused() {
        for (command, refusal) in [
            (
                note("Etsy", None, "  "),
                "write the note: what was seen or said",
            ),
            (
                note(" ", None, "Cheaper"),
                "say where the price was seen or who said it",
            ),
            (
                note("Etsy", Some(usd(0)), "Free?"),
                "a price seen in the market is above zero, not $0.00",
            ),
            (
                note("Etsy", Some(Money::new(2400, Currency::Eur)), "In euros"),
                "product MUG-SPECKLE-12 is priced in USD: give amounts for it in USD too",
            ),
            (
                note(&"x".repeat(1_000_000), None, "Long"),
                "“the source” may have at most 60 characters",
            ),
            (
                note("Etsy", None, &"x".repeat(501)),
                "the note may have at most 500 characters",
            ),
        ] {
            assert_eq!(
                decide(&given(&introduced()), command)
                    .expect_err("refused")
                    .to_string(),
                refusal
            );
        }
    }

    // Proposals: agents propose a base price, people approve or reject.

    fn decision(byte: u8) -> DecisionId {
        DecisionId::from_random([byte; 8])
    }

    fn proposal_of(id: &DecisionId) -> Proposal {
        Proposal {
            decision: id.clone(),
            summary: "Raise to $30: two rivals charge $32".into(),
            reasoning: String::new(),
            agents_involved: vec![],
            data_considered: vec![],
            risk: kiln_core::decision::Risk::Low,
        }
    }

    fn propose(id: &DecisionId, to: Money) -> CategoryCommand {
        CategoryCommand::ProposePriceChange {
            sku: sku(),
            to,
            proposal: proposal_of(id),
        }
    }

    fn verdict(id: &DecisionId, verdict: Verdict, comment: &str) -> CategoryCommand {
        CategoryCommand::DecideProposal {
            sku: sku(),
            decision: id.clone(),
            verdict,
            comment: comment.into(),
        }
    }

    /// The product introduced at $28 with a proposal to charge $30 waiting.
    fn with_proposal(id: &DecisionId) -> Vec<CategoryEvent> {
        let mut history = introduced();
        history.extend(decide(&given(&history), propose(id, usd(3000))).expect("proposed"));
        history
    }

    #[test]
    fn a_proposal_records_the_price_it_was_made_against_and_changes_nothing_yet() {
        let id = decision(1);
        let history = with_proposal(&id);
        let Some(CategoryEvent::PriceChangeProposed(proposed)) = history.last() else {
            panic!("expected a proposal, got {history:?}");
        };
        assert_eq!((proposed.from, proposed.to), (usd(2800), usd(3000)));
        assert_eq!(
            proposed.proposal.agents_involved,
            vec![BusinessFunction::Category]
        );
        assert_eq!(given(&history).base_price, Some(usd(2800)));
    }

    #[test]
    fn a_proposal_follows_the_rules_of_a_price_change_and_waits_alone() {
        let id = decision(1);
        assert_eq!(
            decide(&given(&introduced()), propose(&id, usd(2800))),
            Err(CategoryError::PriceUnchanged {
                sku: sku(),
                price: usd(2800)
            })
        );
        assert_eq!(
            decide(&given(&[]), propose(&id, usd(3000))),
            Err(CategoryError::NoSuchProduct { sku: sku() })
        );
        assert_eq!(
            decide(
                &given(&with_proposal(&id)),
                propose(&decision(2), usd(3200))
            ),
            Err(CategoryError::PriceChangeAlreadyProposed {
                sku: sku(),
                decision: id
            })
        );
    }

    #[test]
    fn approving_a_proposal_records_the_verdict_and_the_price_change_together() {
        let id = decision(1);
        let events = decide(
            &given(&with_proposal(&id)),
            verdict(&id, Verdict::Approve, " Agreed "),
        )
        .expect("approved");
        assert_eq!(
            events,
            vec![
                CategoryEvent::DecisionApproved(DecisionVerdict {
                    decision: id.clone(),
                    comment: "Agreed".into()
                }),
                CategoryEvent::BasePriceChanged(BasePriceChanged {
                    sku: sku(),
                    from: usd(2800),
                    to: usd(3000),
                    reason: "Raise to $30: two rivals charge $32".into(),
                }),
            ]
        );
        // Decided once: a second verdict is refused, and a new proposal may wait.
        let mut history = with_proposal(&id);
        history.extend(events);
        assert_eq!(
            decide(&given(&history), verdict(&id, Verdict::Reject, "No")),
            Err(CategoryError::Decision(DecisionError::AlreadyDecided {
                decision: id,
                status: "approved"
            }))
        );
        assert!(decide(&given(&history), propose(&decision(2), usd(3200))).is_ok());
    }

    #[test]
    fn rejecting_a_proposal_needs_a_reason_and_changes_no_price() {
        let id = decision(1);
        let state = given(&with_proposal(&id));
        assert_eq!(
            decide(&state, verdict(&id, Verdict::Reject, "  ")),
            Err(CategoryError::Decision(
                DecisionError::MissingRejectionReason
            ))
        );
        assert_eq!(
            decide(
                &state,
                verdict(&id, Verdict::Reject, "Not before the spring fair")
            ),
            Ok(vec![CategoryEvent::DecisionRejected(DecisionVerdict {
                decision: id,
                comment: "Not before the spring fair".into()
            })])
        );
    }

    #[test]
    fn a_proposal_made_against_an_old_price_cannot_be_approved_but_can_be_rejected() {
        let id = decision(1);
        let mut history = with_proposal(&id);
        history.push(CategoryEvent::BasePriceChanged(BasePriceChanged {
            sku: sku(),
            from: usd(2800),
            to: usd(2900),
            reason: "A person changed it meanwhile".into(),
        }));
        assert_eq!(
            decide(&given(&history), verdict(&id, Verdict::Approve, ""))
                .expect_err("refused")
                .to_string(),
            "product MUG-SPECKLE-12 costs $29.00 now, not the $28.00 this proposal was made against: reject it, and propose again if still needed"
        );
        assert!(decide(&given(&history), verdict(&id, Verdict::Reject, "Outdated")).is_ok());
    }

    #[test]
    fn a_verdict_on_an_unknown_decision_is_refused() {
        let unknown = decision(9);
        assert_eq!(
            decide(
                &given(&with_proposal(&decision(1))),
                verdict(&unknown, Verdict::Approve, "")
            ),
            Err(CategoryError::Decision(DecisionError::NoSuchDecision {
                decision: unknown
            }))
        );
    }

    // Autonomy: the agent carries out its own small proposals; a person
    // may reverse them.

    fn carry_out(id: &DecisionId, policy: kiln_core::decision::AutonomyPolicy) -> CategoryCommand {
        CategoryCommand::CarryOutAutomatically {
            sku: sku(),
            decision: id.clone(),
            policy,
        }
    }

    fn reverse(id: &DecisionId, comment: &str) -> CategoryCommand {
        CategoryCommand::ReverseDecision {
            sku: sku(),
            decision: id.clone(),
            comment: comment.into(),
        }
    }

    const BELOW_EIGHT: kiln_core::decision::AutonomyPolicy =
        kiln_core::decision::AutonomyPolicy::CarryOutBelow { limit_bp: 800 };

    /// The $28 → $30 proposal carried out automatically.
    fn carried_out(id: &DecisionId) -> Vec<CategoryEvent> {
        let mut history = with_proposal(id);
        history.extend(decide(&given(&history), carry_out(id, BELOW_EIGHT)).expect("carried out"));
        history
    }

    #[test]
    fn a_change_the_policy_allows_is_carried_out_with_the_policy_and_its_size() {
        let id = decision(1);
        // $28 → $30 is 7.14 %: under 8 %.
        assert_eq!(
            decide(&given(&with_proposal(&id)), carry_out(&id, BELOW_EIGHT)),
            Ok(vec![
                CategoryEvent::DecisionCarriedOutAutomatically(
                    super::super::events::AutomaticDecision {
                        decision: id.clone(),
                        policy: BELOW_EIGHT,
                        size_bp: 714,
                    }
                ),
                CategoryEvent::BasePriceChanged(BasePriceChanged {
                    sku: sku(),
                    from: usd(2800),
                    to: usd(3000),
                    reason: "Raise to $30: two rivals charge $32".into(),
                }),
            ])
        );
        let state = given(&carried_out(&id));
        assert_eq!(state.base_price, Some(usd(3000)));
        assert_eq!(
            state.decided.get(&id),
            Some(&DecisionStatus::CarriedOutAutomatically)
        );
        // Decided once: a person's verdict now is refused.
        assert_eq!(
            decide(&state, verdict(&id, Verdict::Approve, "")),
            Err(CategoryError::Decision(DecisionError::AlreadyDecided {
                decision: id,
                status: "carried_out_automatically"
            }))
        );
    }

    #[test]
    fn a_change_beyond_the_policy_or_against_an_old_price_waits_for_a_person() {
        let id = decision(1);
        let state = given(&with_proposal(&id));
        for policy in [
            kiln_core::decision::AutonomyPolicy::AlwaysAsk,
            kiln_core::decision::AutonomyPolicy::CarryOutBelow { limit_bp: 500 },
        ] {
            assert!(matches!(
                decide(&state, carry_out(&id, policy)),
                Err(CategoryError::BeyondAutonomy { .. })
            ));
        }
        assert_eq!(
            decide(
                &state,
                carry_out(
                    &id,
                    kiln_core::decision::AutonomyPolicy::CarryOutBelow { limit_bp: 500 }
                )
            )
            .expect_err("refused")
            .to_string(),
            format!(
                "{id} changes the price by 7.14 %, which the autonomy policy (carry out below 5 %) leaves to a person"
            )
        );
        let mut moved = with_proposal(&id);
        moved.push(CategoryEvent::BasePriceChanged(BasePriceChanged {
            sku: sku(),
            from: usd(2800),
            to: usd(2900),
            reason: "A person changed it meanwhile".into(),
        }));
        assert!(matches!(
            decide(
                &given(&moved),
                carry_out(&id, kiln_core::decision::AutonomyPolicy::CarryOut)
            ),
            Err(CategoryError::ProposalOutdated { .. })
        ));
    }

    #[test]
    fn a_person_reverses_an_automatic_decision_once_and_the_price_goes_back() {
        let id = decision(1);
        let history = carried_out(&id);
        assert_eq!(
            decide(&given(&history), reverse(&id, " ")),
            Err(CategoryError::ReversalWithoutReason {
                decision: id.clone()
            })
        );
        let events = decide(
            &given(&history),
            reverse(&id, "Not in the middle of the fair"),
        )
        .expect("reversed");
        assert_eq!(
            events,
            vec![
                CategoryEvent::DecisionReversed(DecisionVerdict {
                    decision: id.clone(),
                    comment: "Not in the middle of the fair".into(),
                }),
                CategoryEvent::BasePriceChanged(BasePriceChanged {
                    sku: sku(),
                    from: usd(3000),
                    to: usd(2800),
                    reason: format!("Reversing {id}: Not in the middle of the fair"),
                }),
            ]
        );
        let mut reversed = history.clone();
        reversed.extend(events);
        assert_eq!(given(&reversed).base_price, Some(usd(2800)));
        assert_eq!(
            decide(&given(&reversed), reverse(&id, "Again")),
            Err(CategoryError::NotReversible {
                decision: id.clone()
            })
        );
    }

    #[test]
    fn an_automatic_decision_followed_by_other_price_changes_is_no_longer_reversible() {
        // A took $28 to $30; a person set $28; B was approved, $28 to $30
        // again. Reversing A would undo B: refused.
        let first = decision(1);
        let mut history = carried_out(&first);
        history.push(CategoryEvent::BasePriceChanged(BasePriceChanged {
            sku: sku(),
            from: usd(3000),
            to: usd(2800),
            reason: "Back for the fair".into(),
        }));
        let second = decision(2);
        history.extend(decide(&given(&history), propose(&second, usd(3000))).expect("proposed"));
        history.extend(
            decide(&given(&history), verdict(&second, Verdict::Approve, "")).expect("approved"),
        );
        assert_eq!(given(&history).base_price, Some(usd(3000)));
        assert_eq!(
            decide(&given(&history), reverse(&first, "Undo the agent")),
            Err(CategoryError::NotReversible { decision: first })
        );
    }

    #[test]
    fn a_high_risk_proposal_waits_for_a_person_whatever_the_policy() {
        let id = decision(1);
        let mut history = introduced();
        let command = CategoryCommand::ProposePriceChange {
            sku: sku(),
            to: usd(2900),
            proposal: Proposal {
                risk: kiln_core::decision::Risk::High,
                ..proposal_of(&id)
            },
        };
        history.extend(decide(&given(&history), command).expect("proposed"));
        assert_eq!(
            decide(
                &given(&history),
                carry_out(&id, kiln_core::decision::AutonomyPolicy::CarryOut)
            ),
            Err(CategoryError::HighRiskProposal { decision: id })
        );
    }

    #[test]
    fn only_an_automatic_decision_whose_price_still_stands_can_be_reversed() {
        let id = decision(1);
        let mut approved = with_proposal(&id);
        approved.extend(
            decide(&given(&approved), verdict(&id, Verdict::Approve, "")).expect("approved"),
        );
        assert_eq!(
            decide(&given(&approved), reverse(&id, "Changed my mind")),
            Err(CategoryError::NotReversible {
                decision: id.clone()
            })
        );
        let mut moved = carried_out(&id);
        moved.push(CategoryEvent::BasePriceChanged(BasePriceChanged {
            sku: sku(),
            from: usd(3000),
            to: usd(3100),
            reason: "A person changed it since".into(),
        }));
        assert_eq!(
            decide(&given(&moved), reverse(&id, "Too dear"))
                .expect_err("refused")
                .to_string(),
            format!(
                "{id} was not carried out automatically, is already reversed, or the price changed again since"
            )
        );
    }
}
