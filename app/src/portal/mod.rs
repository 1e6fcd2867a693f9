//! The dealer portal (briefing, access tier 2): what a dealer company's
//! users see, and nobody else. Every read here takes the company from the
//! signed-in principal, never from the request, so one dealer cannot ask
//! for another's data by naming it.
//!
//! Built so far: the portal home with the company's price list at its
//! tier, and the public application form for a trade account. Not built
//! yet (selling issue): volume breaks and account-specific promotional
//! prices, quick order and CSV upload, order history, invoices, marketing
//! materials.

mod pages;

pub use pages::{DealerApplyPage, PortalPage};

use crate::error::KilnError;
use crate::money::Money;
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
    /// What this company pays.
    pub your_price: Money,
}

/// The signed-in dealer's own price list. Takes no company: it is the
/// principal's. `POST /api/portal/prices`.
#[server(prefix = "/api", endpoint = "portal/prices")]
pub async fn own_price_list() -> Result<DealerPriceList, KilnError> {
    use crate::access::Principal;
    use crate::functions::category::{service as catalog, view::StorefrontQuery};
    use crate::functions::customers::projection;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let axum::Extension(principal): axum::Extension<Principal> =
        leptos_axum::extract().await.map_err(|error| {
            tracing::error!(%error, "the guard did not pass a principal");
            KilnError::Internal
        })?;
    let Principal::Dealer { company, .. } = principal else {
        return Err(KilnError::Rejected(
            "only dealer accounts use the dealer portal".into(),
        ));
    };
    let internal = |error: &dyn std::error::Error| {
        tracing::error!(%error, "reading a dealer price list failed");
        KilnError::Internal
    };
    let dealer = projection::dealer_company(state.store(), &company)
        .await
        .map_err(|error| internal(&error))?
        .ok_or_else(|| KilnError::Rejected("this dealer company no longer exists".into()))?;
    let products = catalog::storefront_products(state.store(), StorefrontQuery::default())
        .await
        .map_err(|error| internal(&error))?;
    Ok(DealerPriceList {
        company_name: dealer.name,
        tier: dealer.tier.as_str().into(),
        discount_percent: dealer.tier.discount_percent(),
        lines: products
            .into_iter()
            .map(|product| DealerPriceLine {
                sku: product.sku.to_string(),
                name: product.name,
                base_price: product.price,
                your_price: dealer.tier.price(product.price),
            })
            .collect(),
    })
}
