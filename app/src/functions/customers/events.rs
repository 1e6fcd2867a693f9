//! What Customer Management records in the event log. So far: the dealer
//! onboarding pipeline — applications from the public site, and the
//! decision on each, which opens a dealer company.

use crate::access::identity::random_id;
use crate::access::{CompanyId, Email};
use crate::functions::BusinessFunction;
use crate::money::Money;
use serde::{Deserialize, Serialize};
use std::fmt;

random_id!(
    /// The id of a dealer application, e.g. `apl-7a4c0e19b2d35f68`.
    ApplicationId,
    InvalidApplicationId,
    "apl-",
    "a dealer application id"
);

/// Every event Customer Management posts. The variant name is the event's
/// stable type name in the log; its fields are the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "type", content = "data")]
pub enum CustomerEvent {
    /// A shop or café applied for a trade account on the public site.
    DealerApplicationSubmitted(DealerApplicationSubmitted),
    /// A person approved an application: the dealer company is open, at a
    /// price tier, and its first user is created beside it.
    DealerApplicationApproved(DealerApplicationApproved),
    /// A person declined an application, saying why.
    DealerApplicationDeclined(DealerApplicationDeclined),
}

/// Payload of [`CustomerEvent::DealerApplicationSubmitted`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DealerApplicationSubmitted {
    /// The application.
    pub application: ApplicationId,
    /// The business applying, e.g. "Clay & Cup Café".
    pub company_name: String,
    /// The person applying, who becomes the company's first user.
    pub contact_name: String,
    /// Their address; their sign-in once approved.
    pub email: Email,
    /// What they told us about the business (may be empty).
    pub message: String,
}

/// Payload of [`CustomerEvent::DealerApplicationApproved`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DealerApplicationApproved {
    /// The application.
    pub application: ApplicationId,
    /// The dealer company it opens.
    pub company: CompanyId,
    /// The company's name, as applied.
    pub company_name: String,
    /// The price tier the company buys at.
    pub tier: DealerTier,
}

/// Payload of [`CustomerEvent::DealerApplicationDeclined`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DealerApplicationDeclined {
    /// The application.
    pub application: ApplicationId,
    /// Why, in words the applicant could be told.
    pub reason: String,
}

/// The price tier a dealer company buys at: a discount off the base price
/// of every product. (Volume breaks and account-specific promotional prices
/// come with the dealer portal's ordering.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DealerTier {
    /// A new trade account: 40% off.
    Trade,
    /// A steady buyer: 45% off.
    Volume,
    /// A long-standing partner: 50% off.
    Partner,
}

impl DealerTier {
    /// Every tier, cheapest discount first.
    pub const ALL: [DealerTier; 3] = [DealerTier::Trade, DealerTier::Volume, DealerTier::Partner];

    /// The tier's name: `trade`, `volume` or `partner`.
    pub fn as_str(self) -> &'static str {
        match self {
            DealerTier::Trade => "trade",
            DealerTier::Volume => "volume",
            DealerTier::Partner => "partner",
        }
    }

    /// The tier named `text`, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|tier| tier.as_str() == text)
    }

    /// The discount off the base price, in percent.
    pub fn discount_percent(self) -> i64 {
        match self {
            DealerTier::Trade => 40,
            DealerTier::Volume => 45,
            DealerTier::Partner => 50,
        }
    }

    /// What a dealer of this tier pays for a product whose base price is
    /// `base`: the discount applied, rounded to the nearest minor unit
    /// (halves up).
    pub fn price(self, base: Money) -> Money {
        let kept = 100 - self.discount_percent();
        Money::new(
            (base.minor_units * kept + 50).div_euclid(100),
            base.currency,
        )
    }
}

impl fmt::Display for DealerTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl crate::event::DomainEvent for CustomerEvent {
    const FUNCTION: BusinessFunction = BusinessFunction::Customers;
    const SCHEMA_VERSION: i64 = 1;

    fn event_type(&self) -> &'static str {
        match self {
            CustomerEvent::DealerApplicationSubmitted(_) => "DealerApplicationSubmitted",
            CustomerEvent::DealerApplicationApproved(_) => "DealerApplicationApproved",
            CustomerEvent::DealerApplicationDeclined(_) => "DealerApplicationDeclined",
        }
    }

    fn encode(&self) -> Result<serde_json::Value, serde_json::Error> {
        crate::event::encode_tagged(self)
    }

    /// Version 1 is the only schema so far, so there is nothing to upcast.
    fn decode(
        event_type: &str,
        _schema_version: i64,
        payload: serde_json::Value,
    ) -> Result<Self, serde_json::Error> {
        crate::event::decode_tagged(event_type, payload)
    }
}
