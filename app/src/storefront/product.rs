//! `/shop/<sku>`: one product's page, with the form that puts it in the cart.

use super::cart::AddToCart;
use super::{NotFoundPage, SiteFooter, SiteHeader};
use crate::error::KilnError;
use crate::forms::Refusal;
use crate::functions::category::view::ProductCard;
use crate::functions::fulfillment::view::Availability;
use kiln_core::money::Money;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

/// What a product page shows: the product, whether it is on the shelves,
/// and the other options of its family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPageView {
    /// The product (the option) the page is about.
    pub product: ProductCard,
    /// Whether it can be sent from stock.
    pub stock: Availability,
    /// Every listed option of its family, this one included, cheapest
    /// first; empty for a product without options.
    pub options: Vec<ProductOption>,
}

/// One option on a product page's choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductOption {
    /// Its SKU: the option's own page is `/shop/<sku>`.
    pub sku: String,
    /// What sets it apart, e.g. "Slate glaze".
    pub option: String,
    /// Its price.
    pub price: Money,
    /// Whether it can be sent from stock.
    pub stock: Availability,
}

/// The listed product with this SKU, its stock and its family's options,
/// or `None` when the shop lists none.
/// `POST /api/storefront/product` with `{"sku": "MUG-SPECKLE-12"}`.
#[server(prefix = "/api", endpoint = "storefront/product", input = Json)]
pub async fn storefront_product(sku: String) -> Result<Option<ProductPageView>, KilnError> {
    use crate::functions::category::events::Sku;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    // A malformed SKU names no product: the same answer as an unknown one.
    let Ok(sku) = Sku::parse(&sku) else {
        return Ok(None);
    };
    product_page(state.store(), &sku).await.map_err(|error| {
        tracing::error!(%error, "reading a product failed");
        KilnError::Internal
    })
}

/// Reads a product page: the product from Category Management's catalog,
/// its family's options, and their stock from Fulfillment.
#[cfg(feature = "ssr")]
async fn product_page(
    store: &crate::store::EventStore,
    sku: &crate::functions::category::events::Sku,
) -> Result<Option<ProductPageView>, crate::store::StoreError> {
    use crate::functions::category::service as catalog;
    use crate::functions::fulfillment::projection as stock;

    let Some(product) = catalog::storefront_product(store, sku).await? else {
        return Ok(None);
    };
    let family = match &product.variant {
        Some(variant) => catalog::family_options(store, &variant.family).await?,
        None => Vec::new(),
    };
    let skus: Vec<_> = if family.is_empty() {
        vec![product.sku.clone()]
    } else {
        family.iter().map(|option| option.sku.clone()).collect()
    };
    let availability = stock::availability(store, &skus).await?;
    let stock_of = |sku: &crate::functions::category::events::Sku| {
        availability
            .iter()
            .find(|(counted, _)| counted == sku)
            .map_or(Availability::NotCounted, |(_, stock)| *stock)
    };
    Ok(Some(ProductPageView {
        stock: stock_of(&product.sku),
        options: family
            .iter()
            .filter_map(|option| {
                Some(ProductOption {
                    sku: option.sku.to_string(),
                    option: option.variant.as_ref()?.option.clone(),
                    price: option.price,
                    stock: stock_of(&option.sku),
                })
            })
            .collect(),
        product,
    }))
}

/// The product page: picture, name, price, description and "add to cart".
#[component]
pub fn ProductPage() -> impl IntoView {
    crate::mark_page_interactive();
    let params = use_params_map();
    let sku = Memo::new(move |_| params.read().get("sku").unwrap_or_default());
    let product = Resource::new(move || sku.get(), storefront_product);
    view! {
        <Suspense fallback=|| view! { <p class="p-10 text-stone-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match product.await {
                    Ok(Some(page)) => view! { <ProductDetail page /> }.into_any(),
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
fn ProductDetail(page: ProductPageView) -> impl IntoView {
    let ProductPageView {
        product,
        stock,
        options,
    } = page;
    let page_title = product.title();
    let add = ServerAction::<AddToCart>::new();
    let result = Signal::derive(move || add.value().get());
    let collection = product.collection;
    let (marker, hidden, shown) = (
        product.sku.to_string(),
        product.sku.to_string(),
        product.sku.to_string(),
    );
    view! {
        <Title text=page_title />
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
                <OptionChoice options current=product.sku.to_string() />
                <p class=format!("mt-6 text-sm font-medium {}", stock_colour(stock)) data-stock=stock.key()>
                    {stock.label()}
                </p>
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
            </div>
        </main>
        <SiteFooter />
    }
}

/// The colour a stock line is written in.
fn stock_colour(stock: Availability) -> &'static str {
    match stock {
        Availability::InStock { .. } => "text-emerald-700",
        Availability::LowStock { .. } => "text-amber-700",
        Availability::OutOfStock | Availability::NotCounted => "text-stone-600",
    }
}

/// The family's options as links, the current one marked: choosing an
/// option opens its own page, so the choice works without JavaScript and
/// each option keeps its own link, price and stock.
#[component]
fn OptionChoice(options: Vec<ProductOption>, current: String) -> impl IntoView {
    (!options.is_empty()).then(|| {
        view! {
            <fieldset class="mt-8" data-field="options">
                <legend class="text-sm font-medium text-stone-800">"Choose an option"</legend>
                <ul class="mt-3 flex flex-wrap gap-3">
                    {options
                        .into_iter()
                        .map(|option| {
                            let chosen = option.sku == current;
                            let class = if chosen {
                                "block rounded-xl border-2 border-stone-900 bg-white px-4 py-2 text-sm"
                            } else {
                                "block rounded-xl border border-stone-300 bg-white px-4 py-2 text-sm hover:border-stone-500"
                            };
                            let detail = match option.stock {
                                Availability::OutOfStock => format!("{}, made to order", option.price),
                                _ => option.price.to_string(),
                            };
                            view! {
                                <li>
                                    <a
                                        href=format!("/shop/{}", option.sku)
                                        class=class
                                        aria-current=chosen.then_some("page")
                                        data-option=option.sku.clone()
                                    >
                                        <span class="font-medium text-stone-900">{option.option}</span>
                                        <span class="ml-2 text-stone-500">{detail}</span>
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </fieldset>
        }
    })
}
