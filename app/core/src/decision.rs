//! Decisions: what an agent proposes and a person approves or rejects.
//!
//! Every function that takes proposals records them as events of its own
//! (Category Management's `PriceChangeProposed`, `DecisionApproved`,
//! `DecisionRejected`), on the stream of the thing the decision changes, so
//! that approving one and carrying it out is one append. What they all
//! share lives here: the decision's id, the [`Proposal`] every proposal
//! carries (the briefing's decision tracking: description, agents
//! involved, data considered, risk), the [`DecisionVerdict`] a person
//! gives, the rules that check them, and the [`DecisionCard`] the function
//! pages show and the JSON serves.

use crate::function::BusinessFunction;
use crate::random_id;
use serde::{Deserialize, Serialize};
use std::fmt;

random_id!(
    /// A decision's identity, e.g. `dec-3f9c2a71d04e8b65`: the id of the
    /// proposal and of the verdict on it.
    DecisionId,
    InvalidDecisionId,
    "dec-",
    "a decision id (dec- and 16 hex digits)"
);

/// How much could go wrong if a decision turns out wrong, as its proposer
/// judges it. The briefing's graduated autonomy grants agents low-risk
/// decisions first; today every decision waits for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Easily undone, small in money.
    Low,
    /// Noticeable to customers or in the month's figures.
    Medium,
    /// Hard to undo or large in money.
    High,
}

impl Risk {
    /// The name used in forms and JSON: `low`, `medium` or `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }

    /// The risk named `text`, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        [Risk::Low, Risk::Medium, Risk::High]
            .into_iter()
            .find(|risk| risk.as_str() == text)
    }
}

/// A piece of data a proposal considered, with the Kiln page or JSON
/// endpoint where a person can look at it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DataReference {
    /// What it is, e.g. "Market notes on MUG-SPECKLE-12".
    pub label: String,
    /// Where it is on this site, a path starting with `/`, e.g.
    /// `/api/functions/category/tables/market-notes?sku=MUG-SPECKLE-12`.
    pub href: String,
}

impl DataReference {
    /// Whether its link is a path on this site: one leading slash, not
    /// `//host` (which a browser reads as another site) and no scheme.
    pub fn is_on_site(&self) -> bool {
        // Browsers drop tabs and line breaks from a link, so `/\t/host`
        // would become `//host`: no control character or space is allowed.
        self.href.starts_with('/')
            && !self.href.starts_with("//")
            && !self.href.contains('\\')
            && !self
                .href
                .chars()
                .any(|character| character.is_control() || character.is_whitespace())
    }
}

/// What every proposal says, whatever it proposes to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Proposal {
    /// The decision's id.
    pub decision: DecisionId,
    /// What is proposed and why, in a sentence a person reads on the card.
    pub summary: String,
    /// The reasoning at more length (may be empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reasoning: String,
    /// The functions whose agents took part (the proposer's own first).
    pub agents_involved: Vec<BusinessFunction>,
    /// The data the proposal considered, with links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_considered: Vec<DataReference>,
    /// How much could go wrong.
    pub risk: Risk,
}

/// A person's verdict on a proposal: the payload of `DecisionApproved` and
/// `DecisionRejected`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DecisionVerdict {
    /// The decision.
    pub decision: DecisionId,
    /// What the person said (required when rejecting: the proposer learns
    /// from it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

/// Approve or reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Carry the proposal out.
    Approve,
    /// Do not; say why.
    Reject,
}

impl Verdict {
    /// The name used in forms: `approve` or `reject`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::Reject => "reject",
        }
    }

    /// The verdict named `text`, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        [Verdict::Approve, Verdict::Reject]
            .into_iter()
            .find(|verdict| verdict.as_str() == text)
    }
}

/// Where a decision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    /// Waiting for a person.
    Pending,
    /// Approved and carried out.
    Approved,
    /// Rejected.
    Rejected,
    /// Carried out by its agent without a person, because an autonomy
    /// policy allowed it; a person may reverse it.
    CarriedOutAutomatically,
}

impl DecisionStatus {
    /// The name stored in projections and shown in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionStatus::Pending => "pending",
            DecisionStatus::Approved => "approved",
            DecisionStatus::Rejected => "rejected",
            DecisionStatus::CarriedOutAutomatically => "carried_out_automatically",
        }
    }

    /// The status named `text`, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        [
            DecisionStatus::Pending,
            DecisionStatus::Approved,
            DecisionStatus::Rejected,
            DecisionStatus::CarriedOutAutomatically,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

/// The longest summary, in characters.
pub const MAX_SUMMARY_CHARS: usize = 200;
/// The longest reasoning or comment, in characters.
pub const MAX_REASONING_CHARS: usize = 2000;
/// The most pieces of data a proposal may list.
pub const MAX_DATA_REFERENCES: usize = 10;
/// The longest label or link of a piece of data, in characters.
pub const MAX_REFERENCE_CHARS: usize = 300;

/// A proposal or verdict that breaks the rules every decision shares. The
/// message is shown verbatim to the agent or person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// A proposal says what it proposes.
    #[error("write the proposal's summary: what should be done and why")]
    MissingSummary,
    /// A text longer than a card can show or anyone would read.
    #[error("{what} may have at most {max} characters")]
    TooLong {
        /// Which text, e.g. "the summary".
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// Too many pieces of data to look at.
    #[error("a proposal may list at most {max} pieces of data considered")]
    TooManyReferences {
        /// The limit.
        max: usize,
    },
    /// Data considered is linked on this site, never elsewhere: a person
    /// checks it where Kiln keeps it.
    #[error("the data considered “{label}” must link to a path on this site starting with /")]
    ReferenceNotOnSite {
        /// The label of the refused link (its first 40 characters).
        label: String,
    },
    /// A rejection says why, so the proposer can learn from it.
    #[error("say why the proposal is rejected")]
    MissingRejectionReason,
    /// No proposal has this id.
    #[error("there is no decision {decision}")]
    NoSuchDecision {
        /// The id asked for.
        decision: DecisionId,
    },
    /// A decision is decided once.
    #[error("decision {decision} was {status} already")]
    AlreadyDecided {
        /// The decision.
        decision: DecisionId,
        /// What it was: approved or rejected.
        status: &'static str,
    },
}

/// A proposal as sent, with its texts trimmed, or the rule it breaks. The
/// proposer's own function is put first among the agents involved, and
/// none is listed twice.
pub fn checked_proposal(
    proposer: BusinessFunction,
    mut proposal: Proposal,
) -> Result<Proposal, DecisionError> {
    proposal.summary = proposal.summary.trim().to_owned();
    proposal.reasoning = proposal.reasoning.trim().to_owned();
    if proposal.summary.is_empty() {
        return Err(DecisionError::MissingSummary);
    }
    if proposal.summary.chars().count() > MAX_SUMMARY_CHARS {
        return Err(DecisionError::TooLong {
            what: "the summary",
            max: MAX_SUMMARY_CHARS,
        });
    }
    if proposal.reasoning.chars().count() > MAX_REASONING_CHARS {
        return Err(DecisionError::TooLong {
            what: "the reasoning",
            max: MAX_REASONING_CHARS,
        });
    }
    if proposal.data_considered.len() > MAX_DATA_REFERENCES {
        return Err(DecisionError::TooManyReferences {
            max: MAX_DATA_REFERENCES,
        });
    }
    for reference in &mut proposal.data_considered {
        reference.label = reference.label.trim().to_owned();
        reference.href = reference.href.trim().to_owned();
        if reference.label.chars().count() > MAX_REFERENCE_CHARS
            || reference.href.chars().count() > MAX_REFERENCE_CHARS
        {
            return Err(DecisionError::TooLong {
                what: "a piece of data's label or link",
                max: MAX_REFERENCE_CHARS,
            });
        }
        if !reference.is_on_site() {
            return Err(DecisionError::ReferenceNotOnSite {
                label: reference.label.chars().take(40).collect(),
            });
        }
        if reference.label.is_empty() {
            reference.label = reference.href.clone();
        }
    }
    let mut agents = vec![proposer];
    for function in proposal.agents_involved {
        if !agents.contains(&function) {
            agents.push(function);
        }
    }
    proposal.agents_involved = agents;
    Ok(proposal)
}

/// A verdict as given, with its comment trimmed, or the rule it breaks.
pub fn checked_verdict(
    verdict: Verdict,
    decision: DecisionId,
    comment: &str,
) -> Result<DecisionVerdict, DecisionError> {
    let comment = comment.trim().to_owned();
    if verdict == Verdict::Reject && comment.is_empty() {
        return Err(DecisionError::MissingRejectionReason);
    }
    if comment.chars().count() > MAX_REASONING_CHARS {
        return Err(DecisionError::TooLong {
            what: "the comment",
            max: MAX_REASONING_CHARS,
        });
    }
    Ok(DecisionVerdict { decision, comment })
}

/// How far a function's agent may go on its own with one kind of decision
/// (briefing, "Human-AI Collaboration Model": graduated autonomy). Set by
/// administrators per decision kind; `AlwaysAsk` unless they say otherwise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AutonomyPolicy {
    /// Every decision waits for a person.
    #[default]
    AlwaysAsk,
    /// A decision whose size (the kind says what that is, e.g. a price
    /// change in percent of the old price) is under the limit is carried
    /// out at once; a larger one waits for a person.
    CarryOutBelow {
        /// The limit, in basis points (500 is 5 %).
        limit_bp: u32,
    },
    /// Every decision of the kind is carried out at once.
    CarryOut,
}

/// The largest limit a policy may set, in basis points (50 %).
pub const MAX_AUTONOMY_LIMIT_BP: u32 = 5_000;

impl AutonomyPolicy {
    /// Whether a decision of `size_bp` basis points may be carried out
    /// without a person.
    pub fn allows(self, size_bp: u32) -> bool {
        match self {
            AutonomyPolicy::AlwaysAsk => false,
            AutonomyPolicy::CarryOutBelow { limit_bp } => size_bp < limit_bp,
            AutonomyPolicy::CarryOut => true,
        }
    }

    /// The policy as a page says it, e.g. "carry out below 5 %".
    pub fn describe(self) -> String {
        match self {
            AutonomyPolicy::AlwaysAsk => "always ask".to_owned(),
            AutonomyPolicy::CarryOutBelow { limit_bp } => {
                format!("carry out below {}", percent_text(limit_bp))
            }
            AutonomyPolicy::CarryOut => "carry out".to_owned(),
        }
    }
}

/// Basis points as people write a percentage: `5 %`, `2.5 %`, `0.25 %`.
pub fn percent_text(basis_points: u32) -> String {
    let whole = basis_points / 100;
    let fraction = basis_points % 100;
    if fraction == 0 {
        format!("{whole} %")
    } else if fraction.is_multiple_of(10) {
        format!("{whole}.{} %", fraction / 10)
    } else {
        format!("{whole}.{fraction:02} %")
    }
}

/// A person's reversal of a decision carried out automatically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reversal {
    /// Who reversed it (an actor, `user:acc-…`).
    pub by: String,
    /// When, UTC, RFC 3339.
    pub at: String,
    /// Why.
    pub comment: String,
}

/// A decision as a function page shows it and its JSON serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionCard {
    /// The decision's id.
    pub decision: DecisionId,
    /// The function it belongs to.
    pub function: BusinessFunction,
    /// What is proposed and why, in a sentence.
    pub summary: String,
    /// The reasoning at more length (may be empty).
    pub reasoning: String,
    /// What approving it does, e.g. "Base price of MUG-SPECKLE-12 from
    /// $28.00 to $30.00".
    pub change: String,
    /// The functions whose agents took part, by slug.
    pub agents_involved: Vec<BusinessFunction>,
    /// The data considered, with links.
    pub data_considered: Vec<DataReference>,
    /// How much could go wrong.
    pub risk: Risk,
    /// Who proposed it (an actor: `agent:category`, `integration:tok-…`,
    /// `user:acc-…`).
    pub proposed_by: String,
    /// When, UTC, RFC 3339.
    pub proposed_at: String,
    /// Where it stands.
    pub status: DecisionStatus,
    /// Who decided it, once decided.
    pub decided_by: Option<String>,
    /// When, UTC, RFC 3339, once decided.
    pub decided_at: Option<String>,
    /// What the person said.
    pub comment: String,
    /// The stream the decision's events are on (its history).
    pub stream: String,
    /// Its reversal, for a decision carried out automatically and then
    /// reversed by a person.
    #[serde(default)]
    pub reversal: Option<Reversal>,
}

/// How one proposer's proposals fared: what agent health counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DecisionCounts {
    /// Proposals made.
    pub proposed: i64,
    /// Approved by a person.
    pub approved: i64,
    /// Rejected by a person.
    pub rejected: i64,
    /// Carried out automatically under an autonomy policy.
    pub carried_out_automatically: i64,
    /// Of those carried out automatically, reversed by a person since.
    pub reversed: i64,
}

impl DecisionCounts {
    /// These counts and `other`'s together (a proposer's decisions in
    /// several functions' tables).
    pub fn plus(self, other: DecisionCounts) -> DecisionCounts {
        DecisionCounts {
            proposed: self.proposed + other.proposed,
            approved: self.approved + other.approved,
            rejected: self.rejected + other.rejected,
            carried_out_automatically: self.carried_out_automatically
                + other.carried_out_automatically,
            reversed: self.reversed + other.reversed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_autonomy_policy_carries_out_only_what_it_allows() {
        assert!(!AutonomyPolicy::AlwaysAsk.allows(0));
        let below_five = AutonomyPolicy::CarryOutBelow { limit_bp: 500 };
        assert!(below_five.allows(499));
        assert!(!below_five.allows(500));
        assert!(AutonomyPolicy::CarryOut.allows(u32::MAX));
        assert_eq!(below_five.describe(), "carry out below 5 %");
        assert_eq!(AutonomyPolicy::default(), AutonomyPolicy::AlwaysAsk);
        assert_eq!(percent_text(250), "2.5 %");
        assert_eq!(percent_text(25), "0.25 %");
        assert_eq!(
            serde_json::to_value(below_five).expect("json"),
            serde_json::json!({"kind": "carry_out_below", "limit_bp": 500})
        );
    }

    fn proposal() -> Proposal {
        Proposal {
            decision: DecisionId::from_random([1; 8]),
            summary: "  Raise the speckled mug to $30  ".into(),
            reasoning: String::new(),
            agents_involved: vec![BusinessFunction::Promotions, BusinessFunction::Category],
            data_considered: vec![DataReference {
                label: " Market notes ".into(),
                href: "/staff/category".into(),
            }],
            risk: Risk::Low,
        }
    }

    #[test]
    fn a_proposal_is_trimmed_and_names_its_proposer_first_and_once() {
        let checked = checked_proposal(BusinessFunction::Category, proposal());
        let checked = checked.expect("a good proposal is accepted");
        assert_eq!(checked.summary, "Raise the speckled mug to $30");
        assert_eq!(checked.data_considered[0].label, "Market notes");
        assert_eq!(
            checked.agents_involved,
            vec![BusinessFunction::Category, BusinessFunction::Promotions]
        );
    }

    #[test]
    fn a_proposal_without_a_summary_is_refused() {
        let mut empty = proposal();
        empty.summary = "   ".into();
        assert_eq!(
            checked_proposal(BusinessFunction::Category, empty),
            Err(DecisionError::MissingSummary)
        );
    }

    #[test]
    fn data_considered_must_link_to_this_site() {
        for href in [
            "https://example.com/x",
            "//example.com/x",
            "staff/category",
            "/\\evil",
        ] {
            let mut elsewhere = proposal();
            elsewhere.data_considered[0].href = href.into();
            assert_eq!(
                checked_proposal(BusinessFunction::Category, elsewhere),
                Err(DecisionError::ReferenceNotOnSite {
                    label: "Market notes".into()
                }),
                "{href} was accepted"
            );
        }
    }

    #[test]
    fn a_rejection_needs_a_reason_and_an_approval_does_not() {
        let decision = DecisionId::from_random([2; 8]);
        assert_eq!(
            checked_verdict(Verdict::Reject, decision.clone(), "  "),
            Err(DecisionError::MissingRejectionReason)
        );
        assert_eq!(
            checked_verdict(Verdict::Approve, decision.clone(), " "),
            Ok(DecisionVerdict {
                decision,
                comment: String::new()
            })
        );
    }
}
