//! The business functions of the briefing, one module each.
//!
//! Every function module has the same inside, so whoever knows one knows
//! them all: `events` (what happened, the schema of the log), `decide` (its
//! commands and the pure rules that turn a command into events or a refusal),
//! `projection` (server-only: the tables it derives from its events), `view`
//! (the view models its pages and JSON endpoints share), and `service`
//! (server-only: the application service that loads state, decides and
//! appends). A function whose staff page is not built yet says so in its
//! module documentation.

pub mod category;
pub mod customers;
pub mod database_manager;
pub mod platform_manager;

use serde::{Deserialize, Serialize};

/// A business function of the briefing. Its slug is used alike in page URLs
/// (`/staff/<slug>`), JSON endpoints, agent identities and permissions, and in
/// the `function` column of every event it posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum BusinessFunction {
    /// Executive dashboard over every function (no agent).
    Overview,
    /// The event stream, projections and data integrity (human operated).
    DatabaseManager,
    /// The operating system's own change requests and roadmap.
    PlatformManager,
    /// New Product Development.
    Npd,
    /// New Product Introduction.
    Npi,
    /// Production.
    Production,
    /// Quality.
    Quality,
    /// Procurement.
    Procurement,
    /// Forecasting.
    Forecasting,
    /// Fulfillment.
    Fulfillment,
    /// Category Management: catalog, listings and base prices.
    Category,
    /// Promotions.
    Promotions,
    /// Customer Management.
    Customers,
    /// Marketing.
    Marketing,
    /// Brand and social media.
    BrandSocial,
    /// Accounts Receivable.
    AccountsReceivable,
    /// Accounts Payable.
    AccountsPayable,
    /// Budget and FP&A.
    Budget,
    /// HR.
    Hr,
}

impl BusinessFunction {
    /// Every function, in the briefing's order.
    pub const ALL: [BusinessFunction; 19] = [
        BusinessFunction::Overview,
        BusinessFunction::DatabaseManager,
        BusinessFunction::PlatformManager,
        BusinessFunction::Npd,
        BusinessFunction::Npi,
        BusinessFunction::Production,
        BusinessFunction::Quality,
        BusinessFunction::Procurement,
        BusinessFunction::Forecasting,
        BusinessFunction::Fulfillment,
        BusinessFunction::Category,
        BusinessFunction::Promotions,
        BusinessFunction::Customers,
        BusinessFunction::Marketing,
        BusinessFunction::BrandSocial,
        BusinessFunction::AccountsReceivable,
        BusinessFunction::AccountsPayable,
        BusinessFunction::Budget,
        BusinessFunction::Hr,
    ];

    /// The function with this slug, if any.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|function| function.slug() == slug)
    }

    /// The function's slug, e.g. `accounts-receivable`.
    pub fn slug(self) -> &'static str {
        match self {
            BusinessFunction::Overview => "overview",
            BusinessFunction::DatabaseManager => "database-manager",
            BusinessFunction::PlatformManager => "platform-manager",
            BusinessFunction::Npd => "npd",
            BusinessFunction::Npi => "npi",
            BusinessFunction::Production => "production",
            BusinessFunction::Quality => "quality",
            BusinessFunction::Procurement => "procurement",
            BusinessFunction::Forecasting => "forecasting",
            BusinessFunction::Fulfillment => "fulfillment",
            BusinessFunction::Category => "category",
            BusinessFunction::Promotions => "promotions",
            BusinessFunction::Customers => "customers",
            BusinessFunction::Marketing => "marketing",
            BusinessFunction::BrandSocial => "brand-social",
            BusinessFunction::AccountsReceivable => "accounts-receivable",
            BusinessFunction::AccountsPayable => "accounts-payable",
            BusinessFunction::Budget => "budget",
            BusinessFunction::Hr => "hr",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::BusinessFunction;

    #[test]
    fn every_slug_names_its_function_and_no_other() {
        for function in BusinessFunction::ALL {
            assert_eq!(BusinessFunction::from_slug(function.slug()), Some(function));
            let json = serde_json::to_value(function).expect("serialise");
            assert_eq!(json, function.slug(), "serde and slug() disagree");
        }
        assert_eq!(BusinessFunction::from_slug("sales"), None);
    }
}
