//! The kinds of decision agents propose, as autonomy policies name them:
//! each belongs to one function, says what its size means, and may be
//! marked high-risk (never carried out without a person, whatever a
//! policy says).

use kiln_core::function::BusinessFunction;

/// One kind of decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecisionKind {
    /// Its name in policies, forms and JSON, e.g. `base-price`.
    pub slug: &'static str,
    /// The function whose decisions they are.
    pub function: BusinessFunction,
    /// As a page names it.
    pub title: &'static str,
    /// What a policy's limit measures for it.
    pub size_means: &'static str,
    /// Never carried out without a person.
    pub high_risk: bool,
}

/// Category Management's base price changes.
pub const BASE_PRICE: DecisionKind = DecisionKind {
    slug: "base-price",
    function: BusinessFunction::Category,
    title: "Base price change",
    size_means: "the change, in percent of the old price",
    high_risk: false,
};

/// Customer Management's verdicts on dealer applications: approve at a
/// tier, or decline. High-risk: approving opens a trade account with its
/// own prices and a login, so a person always decides.
pub const DEALER_APPLICATION: DecisionKind = DecisionKind {
    slug: "dealer-application",
    function: BusinessFunction::Customers,
    title: "Dealer application verdict",
    size_means: "nothing: every verdict waits for a person",
    high_risk: true,
};

/// The Platform Manager's triage of new change requests: accept at a
/// priority, or decline as a duplicate of an open request. A triage has no
/// size a policy could measure, so every one waits for a person.
pub const CHANGE_REQUEST_TRIAGE: DecisionKind = DecisionKind {
    slug: "change-request-triage",
    function: BusinessFunction::PlatformManager,
    title: "Change request triage",
    size_means: "nothing: every triage waits for a person",
    high_risk: true,
};

/// Every kind of decision agents propose today.
pub const DECISION_KINDS: &[DecisionKind] =
    &[BASE_PRICE, DEALER_APPLICATION, CHANGE_REQUEST_TRIAGE];

/// The kind called `slug`, if there is one.
pub fn decision_kind(slug: &str) -> Option<&'static DecisionKind> {
    DECISION_KINDS.iter().find(|kind| kind.slug == slug)
}
