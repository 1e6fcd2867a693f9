//! `/`: the storefront's home page. The collection, search and order shown
//! come from the URL (`/?collection=planters&q=glaze&sort=price-low-to-high`),
//! so the tabs are plain links and the search a GET form: without
//! JavaScript they load a new server-rendered page, with it the router
//! swaps the collection in place and the products come from
//! [`list_storefront_products`].

use super::chrome::{SiteFooter, SiteHeader};
use super::products::list_storefront_products;
use crate::functions::category::events::Collection;
use crate::functions::category::view::{ProductSort, ShopCard, StorefrontQuery};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// The home page: a welcome, the catalog by collection, and a word for trade buyers.
#[component]
pub fn HomePage() -> impl IntoView {
    crate::mark_page_interactive();
    let query = use_query_map();
    let requested = Memo::new(move |_| query.read().get("collection"));
    let collection = Memo::new(move |_| {
        requested
            .get()
            .and_then(|text| text.parse::<Collection>().ok())
    });
    let unknown_collection = move || {
        requested
            .get()
            .filter(|text| text.parse::<Collection>().is_err())
    };
    let search = Memo::new(move |_| {
        query
            .read()
            .get("q")
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty())
    });
    let sort = Memo::new(move |_| {
        query
            .read()
            .get("sort")
            .and_then(|text| ProductSort::from_slug(&text))
    });
    let products = Resource::new(
        move || (collection.get(), search.get(), sort.get()),
        |(collection, search, sort)| {
            list_storefront_products(StorefrontQuery {
                collection,
                search,
                sort,
            })
        },
    );

    view! {
        <Title text="Handmade stoneware" />
        <SiteHeader />
        <main>
            <Welcome />
            <section id="shop" class="mx-auto max-w-6xl px-6 pt-16">
                <div class="flex flex-col gap-6 sm:flex-row sm:items-end sm:justify-between">
                    <div>
                        <h2 class="font-serif text-3xl text-stone-900">"Shop the workshop"</h2>
                        <p class="mt-2 text-stone-600">
                            "Every piece is thrown, trimmed and glazed in our studio."
                        </p>
                    </div>
                    <nav aria-label="Collections" class="flex flex-wrap gap-2">
                        <CollectionTab target=None current=collection />
                        {Collection::ALL
                            .into_iter()
                            .map(|target| view! { <CollectionTab target=Some(target) current=collection /> })
                            .collect_view()}
                    </nav>
                </div>
                <SearchAndSort collection search sort />
                {move || {
                    unknown_collection()
                        .map(|text| {
                            view! {
                                <p role="alert" class="mt-6 rounded-lg bg-amber-100 px-4 py-3 text-amber-900">
                                    "There is no collection called “" {text} "”, so everything is shown."
                                </p>
                            }
                        })
                }}
                <Transition fallback=|| {
                    view! { <p class="mt-10 text-stone-500">"Loading products…"</p> }
                }>
                    {move || Suspend::new(async move {
                        match products.await {
                            Ok(cards) => {
                                let searched = search.get_untracked();
                                view! { <ProductGrid cards searched /> }.into_any()
                            }
                            Err(error) => {
                                view! {
                                    <p role="alert" class="mt-10 rounded-lg bg-red-50 px-4 py-3 text-red-800">
                                        "The products could not be loaded: " {error.to_string()}
                                    </p>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </section>
            <TradeBuyers />
        </main>
        <SiteFooter />
    }
}

#[component]
fn Welcome() -> impl IntoView {
    view! {
        <section class="bg-gradient-to-b from-amber-50 to-stone-50">
            <div class="mx-auto grid max-w-6xl items-center gap-10 px-6 py-16 md:grid-cols-2 md:py-24">
                <div>
                    <p class="text-sm font-semibold uppercase tracking-widest text-amber-800">
                        "Small-batch stoneware"
                    </p>
                    <h1 class="mt-4 font-serif text-4xl leading-tight text-stone-900 md:text-5xl">
                        "Made by hand, fired in our kiln, used every day."
                    </h1>
                    <p class="mt-6 max-w-md text-lg leading-relaxed text-stone-700">
                        "Mugs, planters and tableware from a two-wheel workshop. "
                        "Glazes mixed in-house, every piece signed."
                    </p>
                    <a
                        href="#shop"
                        class="mt-8 inline-block rounded-full bg-stone-900 px-6 py-3 font-medium text-stone-50 hover:bg-stone-700"
                    >
                        "Shop the collection"
                    </a>
                </div>
                <img
                    src="/hero.svg"
                    alt="A stack of speckled mugs beside a terracotta planter"
                    class="w-full rounded-3xl shadow-sm"
                />
            </div>
        </section>
    }
}

/// One collection tab: a link to the home page filtered to it.
#[component]
fn CollectionTab(target: Option<Collection>, current: Memo<Option<Collection>>) -> impl IntoView {
    let href = match target {
        Some(collection) => format!("/?collection={}", collection.slug()),
        None => "/".to_owned(),
    };
    let label = target.map_or("Everything", Collection::label);
    let active = move || current.get() == target;
    view! {
        <a
            href=href
            data-noscroll="true"
            aria-current=move || active().then_some("true")
            class=move || {
                if active() {
                    "rounded-full bg-stone-900 px-4 py-2 text-sm font-medium text-stone-50"
                } else {
                    "rounded-full border border-stone-300 px-4 py-2 text-sm font-medium text-stone-700 hover:border-stone-500"
                }
            }
        >
            {label}
        </a>
    }
}

/// The search box and the sort menu: a GET form, so without JavaScript
/// it loads the filtered page, and with it the router swaps the products
/// in place. The collection shown is kept.
#[component]
fn SearchAndSort(
    collection: Memo<Option<Collection>>,
    search: Memo<Option<String>>,
    sort: Memo<Option<ProductSort>>,
) -> impl IntoView {
    view! {
        <Form method="get" action="/" noscroll=true attr:class="mt-8 flex flex-col gap-3 sm:flex-row sm:items-end" attr:role="search">
            {move || {
                collection
                    .get()
                    .map(|collection| view! { <input type="hidden" name="collection" value=collection.slug() /> })
            }}
            <label class="flex flex-1 flex-col gap-1 text-sm font-medium text-stone-800">
                "Search"
                <input
                    type="search"
                    name="q"
                    maxlength="100"
                    placeholder="mug, planter, glaze…"
                    prop:value=move || search.get().unwrap_or_default()
                    class="rounded-lg border border-stone-300 bg-white px-4 py-2 text-base font-normal"
                />
            </label>
            <label class="flex flex-col gap-1 text-sm font-medium text-stone-800">
                "Sort by"
                <select name="sort" class="rounded-lg border border-stone-300 bg-white px-3 py-2 text-base font-normal">
                    {ProductSort::ALL
                        .into_iter()
                        .map(|option| {
                            view! {
                                <option
                                    value=option.slug()
                                    selected=move || sort.get().unwrap_or(ProductSort::Featured) == option
                                >
                                    {option.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <button type="submit" class="rounded-full bg-stone-900 px-6 py-2 font-medium text-stone-50 hover:bg-stone-700">
                "Show"
            </button>
        </Form>
    }
}

#[component]
fn ProductGrid(cards: Vec<ShopCard>, searched: Option<String>) -> impl IntoView {
    if cards.is_empty() {
        let message = match searched {
            Some(search) => format!("Nothing listed matches “{search}”."),
            None => "Nothing is listed in this collection right now.".to_owned(),
        };
        return view! { <p class="mt-10 text-stone-600" data-testid="no-products">{message}</p> }
            .into_any();
    }
    view! {
        <ul class="mt-10 grid grid-cols-1 gap-8 sm:grid-cols-2 lg:grid-cols-4" data-testid="products">
            {cards.into_iter().map(|card| view! { <ProductCardView card /> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn ProductCardView(card: ShopCard) -> impl IntoView {
    let ShopCard {
        product: card,
        options,
        from_price,
        price_varies,
    } = card;
    let price = if price_varies {
        format!("from {from_price}")
    } else {
        card.price.to_string()
    };
    let option_count = (options > 1).then(|| {
        view! { <p class="mt-1 text-sm text-amber-800" data-field="options">{format!("{options} options")}</p> }
    });
    view! {
        <li class="group" data-sku=card.sku.to_string() data-collection=card.collection.slug()>
            <a href=format!("/shop/{}", card.sku) class="block">
            <div class="aspect-square overflow-hidden rounded-2xl bg-stone-100">
                <img
                    src=card.image
                    alt=card.name.clone()
                    loading="lazy"
                    class="h-full w-full object-cover transition group-hover:scale-105"
                />
            </div>
            <div class="mt-4 flex items-baseline justify-between gap-4">
                <h3 class="font-medium text-stone-900">{card.name}</h3>
                <p class="shrink-0 font-semibold text-stone-900">{price}</p>
            </div>
            <p class="mt-1 text-sm text-stone-500">{card.collection.label()}</p>
            {option_count}
            <p class="mt-2 text-sm leading-relaxed text-stone-600">{card.description}</p>
            </a>
        </li>
    }
}

#[component]
fn TradeBuyers() -> impl IntoView {
    view! {
        <section class="mx-auto mt-24 max-w-6xl px-6">
            <div class="flex flex-col gap-6 rounded-3xl bg-stone-900 px-8 py-12 text-stone-100 md:flex-row md:items-center md:justify-between">
                <div>
                    <h2 class="font-serif text-2xl">"Stocking our work in your café or shop?"</h2>
                    <p class="mt-2 max-w-xl text-stone-300">
                        "Dealers get trade prices with volume breaks, bulk ordering and product photography."
                    </p>
                </div>
                <a
                    href="/login"
                    class="shrink-0 rounded-full bg-amber-200 px-6 py-3 text-center font-medium text-stone-900 hover:bg-amber-100"
                >
                    "Dealer sign in"
                </a>
            </div>
        </section>
    }
}
