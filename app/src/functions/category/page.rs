//! What Category Management's page adds to the shared function page: the
//! forms for its commands — change a base price, delist, relist. Each
//! works without JavaScript and says what it did on the page it returns to.

use super::endpoints::{ChangeBasePrice, DelistProduct, RelistProduct};
use crate::forms::{Notice, Refusal};
use crate::staff::view::DataTable;
use leptos::prelude::*;

const INPUT: &str = "rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm font-normal";
const BUTTON: &str =
    "rounded-lg bg-stone-900 px-4 py-2 text-sm font-medium text-white hover:bg-stone-700";

/// A product as the forms offer it.
#[derive(Debug, Clone)]
struct Choice {
    sku: String,
    label: String,
    listed: bool,
}

/// The catalog commands, offering the products of the page's catalog table
/// (columns SKU, product, collection, base price, status).
#[component]
pub fn CatalogCommands(catalog: DataTable) -> impl IntoView {
    let choices: Vec<Choice> = catalog
        .rows
        .iter()
        .filter_map(|row| match row.as_slice() {
            [sku, name, _, price, status] => Some(Choice {
                sku: sku.clone(),
                label: format!("{name} ({sku}), {price}"),
                listed: status == "listed",
            }),
            _ => None,
        })
        .collect();
    let listed: Vec<Choice> = choices.iter().filter(|c| c.listed).cloned().collect();
    let delisted: Vec<Choice> = choices.iter().filter(|c| !c.listed).cloned().collect();
    view! {
        <section class="mt-10 grid gap-4 lg:grid-cols-2" data-commands="category">
            <Notice key="changed" value="price" message="The base price is changed; the history below has the old one." />
            <Notice key="changed" value="delisted" message="The product is off sale." />
            <Notice key="changed" value="relisted" message="The product is on sale again." />
            <PriceForm choices=choices.clone() />
            <ListingForms listed delisted />
        </section>
    }
    .into_any()
}

fn options(choices: Vec<Choice>) -> impl IntoView {
    choices
        .into_iter()
        .map(|choice| view! { <option value=choice.sku>{choice.label}</option> })
        .collect_view()
}

#[component]
fn PriceForm(choices: Vec<Choice>) -> impl IntoView {
    let change = ServerAction::<ChangeBasePrice>::new();
    let result = Signal::derive(move || change.value().get());
    view! {
        <div class="rounded-xl border border-stone-200 bg-white p-5 lg:row-span-2">
            <h2 class="text-lg font-semibold text-stone-900">"Change a base price"</h2>
            <ActionForm action=change attr:class="mt-4 flex flex-col gap-4">
                <label class="flex flex-col gap-1 text-sm font-medium text-stone-800">
                    "Product"
                    <select name="form[sku]" class=INPUT>{options(choices)}</select>
                </label>
                <label class="flex flex-col gap-1 text-sm font-medium text-stone-800">
                    "New base price"
                    <input type="text" name="form[price]" inputmode="decimal" required maxlength="20" placeholder="30.00" class=INPUT />
                </label>
                <label class="flex flex-col gap-1 text-sm font-medium text-stone-800">
                    "Why"
                    <textarea name="form[reason]" rows="2" required maxlength="500" class=INPUT></textarea>
                </label>
                <Refusal result />
                <button type="submit" class=format!("self-start {BUTTON}")>"Change the price"</button>
            </ActionForm>
        </div>
    }
}

#[component]
fn ListingForms(listed: Vec<Choice>, delisted: Vec<Choice>) -> impl IntoView {
    let delist = ServerAction::<DelistProduct>::new();
    let delist_result = Signal::derive(move || delist.value().get());
    let relist = ServerAction::<RelistProduct>::new();
    let relist_result = Signal::derive(move || relist.value().get());
    let any_delisted = !delisted.is_empty();
    view! {
        <div class="rounded-xl border border-stone-200 bg-white p-5">
            <h2 class="text-lg font-semibold text-stone-900">"Take a product off sale"</h2>
            <ActionForm action=delist attr:class="mt-4 flex flex-col gap-4">
                <label class="flex flex-col gap-1 text-sm font-medium text-stone-800">
                    "Product"
                    <select name="form[sku]" class=INPUT>{options(listed)}</select>
                </label>
                <label class="flex flex-col gap-1 text-sm font-medium text-stone-800">
                    "Why"
                    <input type="text" name="form[reason]" required maxlength="500" class=INPUT />
                </label>
                <Refusal result=delist_result />
                <button type="submit" class=format!("self-start {BUTTON}")>"Delist"</button>
            </ActionForm>
        </div>
        <div class="rounded-xl border border-stone-200 bg-white p-5">
            <h2 class="text-lg font-semibold text-stone-900">"Put a product back on sale"</h2>
            {if any_delisted {
                view! {
                    <ActionForm action=relist attr:class="mt-4 flex flex-col gap-4">
                        <label class="flex flex-col gap-1 text-sm font-medium text-stone-800">
                            "Product"
                            <select name="form[sku]" class=INPUT>{options(delisted)}</select>
                        </label>
                        <Refusal result=relist_result />
                        <button type="submit" class=format!("self-start {BUTTON}")>"Relist"</button>
                    </ActionForm>
                }
                    .into_any()
            } else {
                view! { <p class="mt-4 text-sm text-stone-600">"Every product is on sale."</p> }.into_any()
            }}
        </div>
    }
}
