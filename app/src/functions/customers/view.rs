//! What Customer Management's dealer onboarding endpoints take and answer;
//! the same structs will serve its page.

use serde::{Deserialize, Serialize};

/// What the public application form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealerApplicationForm {
    /// The business applying.
    pub company_name: String,
    /// The person applying.
    pub contact_name: String,
    /// Their address.
    pub email: String,
    /// Anything they want to tell us.
    #[serde(default)]
    pub message: String,
}

/// A dealer application as staff review it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealerApplicationView {
    /// Its id, e.g. `apl-7a4c0e19b2d35f68`.
    pub application: String,
    /// The business.
    pub company_name: String,
    /// The person.
    pub contact_name: String,
    /// Their address.
    pub email: String,
    /// What they wrote.
    pub message: String,
    /// `pending`, `approved` or `declined`.
    pub status: String,
}

/// A decision on a dealer application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealerApplicationDecision {
    /// The application's id.
    pub application: String,
    /// `approve` or `decline`.
    pub decision: String,
    /// For an approval: the price tier, `trade`, `volume` or `partner`.
    #[serde(default)]
    pub tier: Option<String>,
    /// For a decline: why.
    #[serde(default)]
    pub reason: Option<String>,
}

/// What a decision did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealerApplicationDecided {
    /// The application's id.
    pub application: String,
    /// `approved` or `declined`.
    pub status: String,
    /// For an approval: the dealer company opened.
    pub company: Option<String>,
}

/// Another user for an existing dealer company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDealerUser {
    /// The company's id, e.g. `dlr-0b6e3f9a5c1d2e47`.
    pub company: String,
    /// The user's name.
    pub name: String,
    /// Their address, their sign-in.
    pub email: String,
}
