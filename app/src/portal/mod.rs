//! The dealer portal (briefing, access tier 2): what a dealer company's
//! users see, and nobody else. Every read here takes the company from the
//! signed-in principal, never from the request, so one dealer cannot ask
//! for another's data by naming it.
//!
//! Built so far: the portal home with the company's price list (its tier
//! with the volume breaks) and its order history, the quick-order page (a
//! grid of every product, and an order sheet in CSV, uploaded or pasted;
//! nothing is ordered until every line is right), orders on the company's
//! account (invoice, 30 days), account-specific promotional prices (shown
//! on the price list, charged where they beat the tier), and the public
//! application form for a trade account, printable invoices of orders on
//! account (`invoice`), and the marketing materials library
//! (`materials`).

mod invoice;
mod materials;
mod order;
mod pages;

pub use invoice::{DealerInvoice, InvoicePage};
pub use materials::{MarketingMaterials, MaterialsPage};
pub use order::{PlaceDealerOrder, QuickOrderPage};
pub use pages::{DealerApplyPage, PortalPage};

use crate::storefront::{SiteFooter, SiteHeader};

use crate::error::KilnError;
use kiln_core::money::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A dealer company's price list, as its portal shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealerPriceList {
    /// The company's name.
    pub company_name: String,
    /// Its price tier: `trade`, `volume` or `partner`.
    pub tier: String,
    /// The tier's discount off the base price, in percent.
    pub discount_percent: i64,
    /// The volume breaks' labels, smallest first, e.g. `1–11`, `12–47`, `48+`.
    pub breaks: Vec<String>,
    /// One line per listed product.
    pub lines: Vec<DealerPriceLine>,
}

/// One product on a dealer's price list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealerPriceLine {
    /// The product's SKU.
    pub sku: String,
    /// Its name.
    pub name: String,
    /// The base (storefront) price.
    pub base_price: Money,
    /// What this company pays for one unit below the first volume break.
    pub your_price: Money,
    /// What it pays for one unit at each volume break, in the order of
    /// [`DealerPriceList::breaks`].
    pub break_prices: Vec<Money>,
    /// Its promotional price for this product, if it has one: charged
    /// wherever it is below the volume break's price.
    pub promotion: Option<Money>,
}

/// The signed-in dealer's account and company, or a refusal for anyone else.
#[cfg(feature = "ssr")]
async fn dealer_principal() -> Result<
    (
        kiln_core::identity::AccountId,
        kiln_core::identity::CompanyId,
    ),
    KilnError,
> {
    match crate::caller::principal().await? {
        crate::access::Principal::Dealer { account, company } => Ok((account, company)),
        _ => Err(KilnError::Rejected(
            "only dealer accounts use the dealer portal".into(),
        )),
    }
}

/// Logs a failed read or write of the portal and gives the caller the plain message.
#[cfg(feature = "ssr")]
fn internal(doing: &str, error: &dyn std::error::Error) -> KilnError {
    tracing::error!(%error, "{doing} failed");
    KilnError::Internal
}

/// The dealer company `company` (its name and tier).
#[cfg(feature = "ssr")]
async fn dealer_company(
    state: &crate::state::AppState,
    company: &kiln_core::identity::CompanyId,
) -> Result<crate::functions::customers::projection::DealerCompany, KilnError> {
    crate::functions::customers::projection::dealer_company(state.store(), company)
        .await
        .map_err(|error| internal("reading a dealer company", &error))?
        .ok_or_else(|| KilnError::Rejected("this dealer company no longer exists".into()))
}

/// `company`'s price list and its tier, read from the catalog and the
/// dealer companies.
#[cfg(feature = "ssr")]
async fn price_list_of(
    state: &crate::state::AppState,
    company: &kiln_core::identity::CompanyId,
) -> Result<
    (
        DealerPriceList,
        crate::functions::customers::events::DealerTier,
    ),
    KilnError,
> {
    use crate::functions::category::{service as catalog, view::StorefrontQuery};
    use crate::functions::customers::events::VOLUME_BREAKS;

    let dealer = dealer_company(state, company).await?;
    let products = catalog::storefront_products(state.store(), StorefrontQuery::default())
        .await
        .map_err(|error| internal("reading the catalog", &error))?;
    let promotions = crate::functions::customers::promotions::of_company(state.store(), company)
        .await
        .map_err(|error| internal("reading the company's promotions", &error))?;
    let tier = dealer.tier;
    let list = DealerPriceList {
        company_name: dealer.name,
        tier: tier.as_str().into(),
        discount_percent: tier.discount_percent(),
        breaks: VOLUME_BREAKS
            .iter()
            .map(|volume_break| volume_break.label())
            .collect(),
        lines: products
            .into_iter()
            .map(|product| DealerPriceLine {
                promotion: promotions.get(&product.sku).copied(),
                sku: product.sku.to_string(),
                name: product.title(),
                base_price: product.price,
                your_price: tier.price(product.price),
                break_prices: VOLUME_BREAKS
                    .iter()
                    .map(|volume_break| {
                        tier.price_for_quantity(product.price, volume_break.from_quantity)
                            .0
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok((list, tier))
}

/// The signed-in dealer's own price list. Takes no company: it is the
/// principal's. `POST /api/portal/prices`.
#[server(prefix = "/api", endpoint = "portal/prices")]
pub async fn own_price_list() -> Result<DealerPriceList, KilnError> {
    let state = crate::state::AppState::from_context()?;
    let (_, company) = dealer_principal().await?;
    Ok(price_list_of(&state, &company).await?.0)
}

/// The signed-in dealer company's orders, newest first (the latest 100),
/// whichever of its users placed them. `POST /api/portal/orders`.
#[server(prefix = "/api", endpoint = "portal/orders")]
pub async fn own_orders() -> Result<Vec<crate::functions::customers::view::OrderSummary>, KilnError>
{
    use crate::functions::customers::projection::{self, OrderOwner};

    let state = crate::state::AppState::from_context()?;
    let (_, company) = dealer_principal().await?;
    projection::recent_orders(state.store(), OrderOwner::Company(&company), 100)
        .await
        .map_err(|error| internal("listing a dealer's orders", &error))
}

/// What the portal's home shows: the price list and the company's orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalHomeView {
    /// The company's prices.
    pub price_list: DealerPriceList,
    /// Its orders, newest first.
    pub orders: Vec<crate::functions::customers::view::OrderSummary>,
}

/// The portal home's contents in one answer, so the page waits on one
/// read (see docs/ARCHITECTURE.md, "a page that never finishes
/// streaming"). `POST /api/portal/home`.
#[server(prefix = "/api", endpoint = "portal/home")]
pub async fn portal_home() -> Result<PortalHomeView, KilnError> {
    use crate::functions::customers::projection::{self, OrderOwner};

    let state = crate::state::AppState::from_context()?;
    let (_, company) = dealer_principal().await?;
    let (price_list, _) = price_list_of(&state, &company).await?;
    let orders = projection::recent_orders(state.store(), OrderOwner::Company(&company), 100)
        .await
        .map_err(|error| internal("listing a dealer's orders", &error))?;
    Ok(PortalHomeView { price_list, orders })
}
