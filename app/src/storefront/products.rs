//! The storefront's read of the catalog, as a server function: the page
//! calls it while rendering on the server and again from the browser when a
//! shopper switches collection; agents can call it too.

use crate::error::KilnError;
use crate::functions::category::view::{ShopCard, StorefrontQuery};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The listed products of one collection, or of all of them: one card per
/// product, the options of a family behind one card.
/// `POST /api/storefront/products` with `{"query": {"collection": "mugs"}}`.
#[server(prefix = "/api", endpoint = "storefront/products", input = Json)]
pub async fn list_storefront_products(query: StorefrontQuery) -> Result<Vec<ShopCard>, KilnError> {
    use crate::functions::category::service;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    service::storefront_cards(state.store(), query)
        .await
        .map_err(|error| {
            tracing::error!(error = %error, source = ?std::error::Error::source(&error), "reading the storefront catalog failed");
            KilnError::Internal
        })
}
