//! `/shop/<sku>`: one product's page, with the form that puts it in the cart.

use super::cart::AddToCart;
use super::{NotFoundPage, SiteFooter, SiteHeader};
use crate::error::KilnError;
use crate::forms::Refusal;
use crate::functions::category::view::ProductCard;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The listed product with this SKU, or `None` when the shop lists none.
/// `POST /api/storefront/product` with `{"sku": "MUG-SPECKLE-12"}`.
#[server(prefix = "/api", endpoint = "storefront/product", input = Json)]
pub async fn storefront_product(sku: String) -> Result<Option<ProductCard>, KilnError> {
    use crate::functions::category::{events::Sku, service};
    use crate::state::AppState;

    let state = AppState::from_context()?;
    // A malformed SKU names no product: the same answer as an unknown one.
    let Ok(sku) = Sku::parse(&sku) else {
        return Ok(None);
    };
    service::storefront_product(state.store(), &sku)
        .await
        .map_err(|error| {
            tracing::error!(%error, "reading a product failed");
            KilnError::Internal
        })
}

/// The product page: picture, name, price, description and "add to cart".
#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let sku = Memo::new(move |_| params.read().get("sku").unwrap_or_default());
    let product = Resource::new(move || sku.get(), storefront_product);
    view! {
        <Suspense fallback=|| view! { <p class="p-10 text-stone-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match product.await {
                    Ok(Some(product)) => view! { <ProductDetail product /> }.into_any(),
                    Ok(None) => view! { <NotFoundPage /> }.into_any(),
                    Err(error) => {
                        view! {
                            <SiteHeader />
                            <p role="alert" class="m-10 rounded-lg bg-red-50 px-4 py-3 text-red-800">
                                {error.to_string()}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProductDetail(product: ProductCard) -> impl IntoView {
    let add = ServerAction::<AddToCart>::new();
    let result = Signal::derive(move || add.value().get());
    let collection = product.collection;
    let (marker, hidden, shown) = (
        product.sku.to_string(),
        product.sku.to_string(),
        product.sku.to_string(),
    );
    view! {
        <Title text=product.name.clone() />
        <SiteHeader />
        <main class="mx-auto grid max-w-6xl gap-12 px-6 py-16 md:grid-cols-2" data-sku=marker>
            <div class="aspect-square overflow-hidden rounded-3xl bg-stone-100">
                <img src=product.image alt=product.name.clone() class="h-full w-full object-cover" />
            </div>
            <div>
                <a
                    href=format!("/?collection={}", collection.slug())
                    class="text-sm font-semibold uppercase tracking-widest text-amber-800 hover:underline"
                >
                    {collection.label()}
                </a>
                <h1 class="mt-3 font-serif text-4xl text-stone-900">{product.name}</h1>
                <p class="mt-4 text-2xl font-semibold text-stone-900" data-field="price">
                    {product.price.to_string()}
                </p>
                <p class="mt-6 text-lg leading-relaxed text-stone-700">{product.description}</p>
                <p class="mt-2 text-sm text-stone-500">"SKU " {shown}</p>
                <ActionForm action=add attr:class="mt-10 flex flex-wrap items-end gap-4">
                    <input type="hidden" name="item[sku]" value=hidden />
                    <label class="flex flex-col gap-2 text-sm font-medium text-stone-800">
                        "Quantity"
                        <input
                            type="number"
                            name="item[quantity]"
                            value="1"
                            min="1"
                            max="99"
                            required
                            class="w-24 rounded-lg border border-stone-300 bg-white px-4 py-3 text-base font-normal"
                        />
                    </label>
                    <button
                        type="submit"
                        class="rounded-full bg-stone-900 px-8 py-3 font-medium text-stone-50 hover:bg-stone-700"
                    >
                        "Add to cart"
                    </button>
                </ActionForm>
                <div class="mt-4">
                    <Refusal result />
                </div>
                <p class="mt-10 text-sm text-stone-500">
                    "Stock levels are not shown yet: they arrive with the Fulfillment function."
                </p>
            </div>
        </main>
        <SiteFooter />
    }
}
