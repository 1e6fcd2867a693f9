//! The nineteen business functions of the briefing, by name: the one list
//! every other part of Kiln (events, permissions, pages, agents) refers to.
//! Which of them Kiln has built is the application's to say, not this
//! vocabulary's.

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

/// The groups the briefing sorts its functions into; the staff console's
/// navigation shows them in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum FunctionGroup {
    /// Business Overview, Database Manager, Platform Manager.
    CoreSystem,
    /// NPD, NPI, Production, Quality.
    ProductAndManufacturing,
    /// Procurement, Forecasting, Fulfillment.
    SupplyChain,
    /// Category Management, Promotions, Customer Management.
    Commercial,
    /// Marketing, Brand/Social Media.
    Marketing,
    /// Accounts Receivable, Accounts Payable, Budget/FP&A, HR.
    Financial,
}

impl FunctionGroup {
    /// Every group, in the briefing's order.
    pub const ALL: [FunctionGroup; 6] = [
        FunctionGroup::CoreSystem,
        FunctionGroup::ProductAndManufacturing,
        FunctionGroup::SupplyChain,
        FunctionGroup::Commercial,
        FunctionGroup::Marketing,
        FunctionGroup::Financial,
    ];

    /// The group's heading, as the briefing writes it.
    pub fn title(self) -> &'static str {
        match self {
            FunctionGroup::CoreSystem => "Core system",
            FunctionGroup::ProductAndManufacturing => "Product & manufacturing",
            FunctionGroup::SupplyChain => "Supply chain",
            FunctionGroup::Commercial => "Commercial",
            FunctionGroup::Marketing => "Marketing",
            FunctionGroup::Financial => "Financial",
        }
    }

    /// The group's functions, in the briefing's order.
    pub fn functions(self) -> impl Iterator<Item = BusinessFunction> {
        BusinessFunction::ALL
            .into_iter()
            .filter(move |function| function.group() == self)
    }
}

impl BusinessFunction {
    /// The function's name, as the briefing and the staff console write it.
    pub fn title(self) -> &'static str {
        match self {
            BusinessFunction::Overview => "Business Overview",
            BusinessFunction::DatabaseManager => "Database Manager",
            BusinessFunction::PlatformManager => "Platform Manager",
            BusinessFunction::Npd => "New Product Development",
            BusinessFunction::Npi => "New Product Introduction",
            BusinessFunction::Production => "Production",
            BusinessFunction::Quality => "Quality",
            BusinessFunction::Procurement => "Procurement",
            BusinessFunction::Forecasting => "Forecasting",
            BusinessFunction::Fulfillment => "Fulfillment",
            BusinessFunction::Category => "Category Management",
            BusinessFunction::Promotions => "Promotions",
            BusinessFunction::Customers => "Customer Management",
            BusinessFunction::Marketing => "Marketing",
            BusinessFunction::BrandSocial => "Brand & Social Media",
            BusinessFunction::AccountsReceivable => "Accounts Receivable",
            BusinessFunction::AccountsPayable => "Accounts Payable",
            BusinessFunction::Budget => "Budget & FP&A",
            BusinessFunction::Hr => "HR",
        }
    }

    /// The group the briefing puts the function in.
    pub fn group(self) -> FunctionGroup {
        use BusinessFunction::*;
        match self {
            Overview | DatabaseManager | PlatformManager => FunctionGroup::CoreSystem,
            Npd | Npi | Production | Quality => FunctionGroup::ProductAndManufacturing,
            Procurement | Forecasting | Fulfillment => FunctionGroup::SupplyChain,
            Category | Promotions | Customers => FunctionGroup::Commercial,
            Marketing | BrandSocial => FunctionGroup::Marketing,
            AccountsReceivable | AccountsPayable | Budget | Hr => FunctionGroup::Financial,
        }
    }

    /// The function's purpose, in the briefing's words.
    pub fn purpose(self) -> &'static str {
        match self {
            BusinessFunction::Overview => "Executive dashboard aggregating key metrics",
            BusinessFunction::DatabaseManager => {
                "Translation layer between events and database transactions"
            }
            BusinessFunction::PlatformManager => {
                "Meta-function managing the business operating system itself"
            }
            BusinessFunction::Npd => "Design and develop new products",
            BusinessFunction::Npi => "Translate product designs into production processes",
            BusinessFunction::Production => "Execute manufacturing operations",
            BusinessFunction::Quality => "Monitor and manage product/process quality",
            BusinessFunction::Procurement => {
                "Source and manage supply of raw materials and components"
            }
            BusinessFunction::Forecasting => "Predict demand and set inventory targets",
            BusinessFunction::Fulfillment => "Warehouse operations and order shipping",
            BusinessFunction::Category => "Product portfolio management and pricing strategy",
            BusinessFunction::Promotions => "Manage short-term promotional pricing and campaigns",
            BusinessFunction::Customers => "Manage all customer relationships (B2C and B2B)",
            BusinessFunction::Marketing => "Strategic marketing planning and execution",
            BusinessFunction::BrandSocial => "Brand management and social media presence",
            BusinessFunction::AccountsReceivable => "Customer invoicing and payment collection",
            BusinessFunction::AccountsPayable => "Supplier payments and expense management",
            BusinessFunction::Budget => "Financial planning, budgeting, and performance analysis",
            BusinessFunction::Hr => "Human resources and payroll management",
        }
    }

    /// The phase of the briefing's roadmap in which the function is built
    /// (1 to 4; phase 5 adds no function).
    pub fn phase(self) -> u8 {
        use BusinessFunction::*;
        match self {
            Overview | DatabaseManager | PlatformManager | Category | Customers | Fulfillment
            | AccountsReceivable => 1,
            Npd | Npi | Production | Procurement | Forecasting | Quality => 2,
            Promotions | Marketing | BrandSocial => 3,
            AccountsPayable | Budget | Hr => 4,
        }
    }

    /// Whether the function has an agent, per the briefing: the Business
    /// Overview and the Database Manager are for people only.
    pub fn has_agent(self) -> bool {
        !matches!(
            self,
            BusinessFunction::Overview | BusinessFunction::DatabaseManager
        )
    }

    /// Whether the function takes proposals from agents for people to
    /// approve (its page shows them as decision cards): Category
    /// Management's base prices, Customer Management's verdicts on dealer
    /// applications, the Platform Manager's triage of change requests; the
    /// others say so.
    pub fn takes_proposals(self) -> bool {
        matches!(
            self,
            BusinessFunction::Category
                | BusinessFunction::Customers
                | BusinessFunction::PlatformManager
        )
    }

    /// The function's page, e.g. `/staff/category`.
    pub fn page_url(self) -> String {
        format!("/staff/{}", self.slug())
    }
}

#[cfg(test)]
mod tests {
    use super::{BusinessFunction, FunctionGroup};

    #[test]
    fn every_slug_names_its_function_and_no_other() {
        for function in BusinessFunction::ALL {
            assert_eq!(BusinessFunction::from_slug(function.slug()), Some(function));
            let json = serde_json::to_value(function).expect("serialise");
            assert_eq!(json, function.slug(), "serde and slug() disagree");
        }
        assert_eq!(BusinessFunction::from_slug("sales"), None);
    }

    #[test]
    fn every_function_sits_in_exactly_one_group_of_the_briefing() {
        let grouped: Vec<BusinessFunction> = FunctionGroup::ALL
            .into_iter()
            .flat_map(FunctionGroup::functions)
            .collect();
        assert_eq!(grouped.len(), BusinessFunction::ALL.len());
        for function in BusinessFunction::ALL {
            assert!(grouped.contains(&function), "{function:?} has no group");
        }
    }
}
