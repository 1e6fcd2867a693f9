//! What Category Management's page adds to the shared function page: the
//! forms for its commands — add a product, edit one, change a base price,
//! delist, relist, note a market price — and the approve and reject forms
//! of its decision cards. Each works without JavaScript and says what it
//! did on the page it returns to.

use super::endpoints::{
    AddProduct, ChangeBasePrice, DelistProduct, EditProduct, NoteMarketPrice, RelistProduct,
    ReverseDecision,
};
use super::events::Collection;
use super::view::CatalogEntry;
use crate::form_style::{BUTTON, INPUT, LABEL};
use crate::forms::{Notice, Refusal};
use crate::markup::TextArea;
use leptos::prelude::*;

/// A product as the forms offer it.
#[derive(Debug, Clone)]
struct Choice {
    sku: String,
    label: String,
    listed: bool,
}

/// What the page says when the quarantine holds a catalog change back
/// (`?changed=held`).
const HELD_NOTICE: &str = "The change is recorded, but it waits in the Database Manager's quarantine until someone releases it: an event check flagged it (a price more than ten times, or under a tenth of, the one before), or an earlier change of this product waits there. The shop shows the product as it was until then.";

/// The catalog commands, offering the page's products.
#[component]
pub fn CatalogCommands(products: Vec<CatalogEntry>) -> impl IntoView {
    let choices: Vec<Choice> = products
        .iter()
        .map(|entry| Choice {
            sku: entry.product.sku.to_string(),
            label: format!(
                "{} ({}), {}",
                entry.product.title(),
                entry.product.sku,
                entry.product.price
            ),
            listed: entry.listed,
        })
        .collect();
    let listed: Vec<Choice> = choices.iter().filter(|c| c.listed).cloned().collect();
    let delisted: Vec<Choice> = choices.iter().filter(|c| !c.listed).cloned().collect();
    view! {
        <section class="mt-10 grid gap-4 lg:grid-cols-2" data-commands="category">
            <Notice key="changed" value="price" message="The base price is changed; the history below has the old one." />
            <Notice key="changed" value="held" message=HELD_NOTICE />
            <Notice key="changed" value="delisted" message="The product is off sale." />
            <Notice key="changed" value="relisted" message="The product is on sale again." />
            <Notice key="changed" value="added" message="The product is in the catalog and on sale." />
            <Notice key="changed" value="edited" message="The product's details are changed." />
            <Notice key="changed" value="noted" message="The market note is recorded." />
            <PriceForm choices=choices.clone() />
            <ListingForms listed delisted />
            <MarketNoteForm choices=choices.clone() />
            <AddProductForm />
            <EditProductForms products />
        </section>
    }
    .into_any()
}

/// The fields a product's form shares between adding and editing, filled
/// with `product`'s details when editing.
fn detail_fields(product: Option<&CatalogEntry>) -> impl IntoView + use<> {
    let card = product.map(|entry| entry.product.clone());
    let name = card.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    let description = card
        .as_ref()
        .map(|c| c.description.clone())
        .unwrap_or_default();
    let image = card.as_ref().map(|c| c.image.clone()).unwrap_or_default();
    let family = card
        .as_ref()
        .and_then(|c| c.variant.as_ref().map(|v| v.family.to_string()))
        .unwrap_or_default();
    let option = card
        .as_ref()
        .and_then(|c| c.variant.as_ref().map(|v| v.option.clone()))
        .unwrap_or_default();
    let collection = card.as_ref().map(|c| c.collection);
    let cost = product
        .and_then(|entry| entry.unit_cost)
        .map(|cost| cost.amount_text())
        .unwrap_or_default();
    view! {
        <label class=LABEL>
            "Name"
            <input type="text" name="form[name]" value=name required maxlength="80" class=INPUT />
        </label>
        <label class=LABEL>
            "Collection"
            <select name="form[collection]" class=INPUT>
                {Collection::ALL
                    .into_iter()
                    .map(|c| view! { <option value=c.slug() selected=collection == Some(c)>{c.label()}</option> })
                    .collect_view()}
            </select>
        </label>
        <label class=LABEL>
            "Description"
            <TextArea name="form[description]" rows=2 maxlength=400 class=INPUT text=description />
        </label>
        <label class=LABEL>
            "Picture (a path on this site)"
            <input type="text" name="form[image]" value=image required maxlength="200" placeholder="/products/mug-speckle-12.svg" class=INPUT />
        </label>
        <div class="grid gap-4 sm:grid-cols-2">
            <label class=LABEL>
                "Family (for options)"
                <input type="text" name="form[family]" value=family maxlength="40" placeholder="speckled-mug" class=INPUT />
            </label>
            <label class=LABEL>
                "Option"
                <input type="text" name="form[option]" value=option maxlength="60" placeholder="Slate glaze" class=INPUT />
            </label>
        </div>
        <label class=LABEL>
            "Unit cost to make"
            <input type="text" name="form[unit_cost]" value=cost inputmode="decimal" maxlength="20" placeholder="9.40" class=INPUT />
        </label>
    }
}

#[component]
fn AddProductForm() -> impl IntoView {
    let add = ServerAction::<AddProduct>::new();
    let result = Signal::derive(move || add.value().get());
    view! {
        <div class="rounded-xl border border-stone-200 bg-white p-5" data-form="add-product">
            <h2 class="text-lg font-semibold text-stone-900">"Add a product"</h2>
            <p class="mt-1 text-sm text-stone-600">"It goes on sale at once. Give options of one product the same family."</p>
            <ActionForm action=add attr:class="mt-4 flex flex-col gap-4">
                <div class="grid gap-4 sm:grid-cols-2">
                    <label class=LABEL>
                        "SKU"
                        <input type="text" name="form[sku]" required maxlength="32" placeholder="MUG-SPECKLE-8" class=INPUT />
                    </label>
                    <label class=LABEL>
                        "Base price"
                        <input type="text" name="form[price]" required inputmode="decimal" maxlength="20" placeholder="28.00" class=INPUT />
                    </label>
                </div>
                {detail_fields(None)}
                <Refusal result />
                <button type="submit" class=format!("self-start {BUTTON}")>"Add the product"</button>
            </ActionForm>
        </div>
    }
}

/// One folded edit form per product, filled with its details, so editing
/// works without JavaScript.
#[component]
fn EditProductForms(products: Vec<CatalogEntry>) -> impl IntoView {
    let edit = ServerAction::<EditProduct>::new();
    let result = Signal::derive(move || edit.value().get());
    view! {
        <div class="rounded-xl border border-stone-200 bg-white p-5" data-form="edit-products">
            <h2 class="text-lg font-semibold text-stone-900">"Edit a product"</h2>
            <p class="mt-1 text-sm text-stone-600">"Name, collection, description, picture, family and unit cost. Prices change through their own form, with a reason."</p>
            <Refusal result />
            <ul class="mt-3 divide-y divide-stone-100">
                {products
                    .into_iter()
                    .map(|entry| {
                        let sku = entry.product.sku.to_string();
                        let (marker, shown) = (sku.clone(), sku.clone());
                        let title = entry.product.title();
                        view! {
                            <li>
                                <details data-edit=marker>
                                    <summary class="cursor-pointer py-2 text-sm text-stone-800">
                                        {title}" "<span class="text-stone-500">{shown}</span>
                                    </summary>
                                    <ActionForm action=edit attr:class="mb-4 flex flex-col gap-3">
                                        <input type="hidden" name="form[sku]" value=sku />
                                        {detail_fields(Some(&entry))}
                                        <button type="submit" class=format!("self-start {BUTTON}")>"Save the changes"</button>
                                    </ActionForm>
                                </details>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

#[component]
fn MarketNoteForm(choices: Vec<Choice>) -> impl IntoView {
    let note = ServerAction::<NoteMarketPrice>::new();
    let result = Signal::derive(move || note.value().get());
    view! {
        <div class="rounded-xl border border-stone-200 bg-white p-5" data-form="market-note">
            <h2 class="text-lg font-semibold text-stone-900">"Note a market price"</h2>
            <ActionForm action=note attr:class="mt-4 flex flex-col gap-4">
                <label class=LABEL>
                    "Product"
                    <select name="form[sku]" class=INPUT>{options(choices)}</select>
                </label>
                <div class="grid gap-4 sm:grid-cols-2">
                    <label class=LABEL>
                        "Where, or who said it"
                        <input type="text" name="form[source]" required maxlength="60" placeholder="Hearth & Kiln, Etsy" class=INPUT />
                    </label>
                    <label class=LABEL>
                        "Their price (optional)"
                        <input type="text" name="form[their_price]" inputmode="decimal" maxlength="20" placeholder="24.00" class=INPUT />
                    </label>
                </div>
                <label class=LABEL>
                    "Note"
                    <TextArea name="form[note]" rows=2 required=true maxlength=500 class=INPUT />
                </label>
                <Refusal result />
                <button type="submit" class=format!("self-start {BUTTON}")>"Record the note"</button>
            </ActionForm>
        </div>
    }
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
        <div class="rounded-xl border border-stone-200 bg-white p-5 lg:row-span-2" data-form="base-price">
            <h2 class="text-lg font-semibold text-stone-900">"Change a base price"</h2>
            <ActionForm action=change attr:class="mt-4 flex flex-col gap-4">
                <label class=LABEL>
                    "Product"
                    <select name="form[sku]" class=INPUT>{options(choices)}</select>
                </label>
                <label class=LABEL>
                    "New base price"
                    <input type="text" name="form[price]" inputmode="decimal" required maxlength="20" placeholder="30.00" class=INPUT />
                </label>
                <label class=LABEL>
                    "Why"
                    <TextArea name="form[reason]" rows=2 required=true maxlength=500 class=INPUT />
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
                <label class=LABEL>
                    "Product"
                    <select name="form[sku]" class=INPUT>{options(listed)}</select>
                </label>
                <label class=LABEL>
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
                        <label class=LABEL>
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

/// A person's reversal of a decision the agent carried out automatically:
/// the price goes back, saying why.
#[component]
pub fn ReversalForm(decision: String) -> impl IntoView {
    let reverse = ServerAction::<ReverseDecision>::new();
    let result = Signal::derive(move || reverse.value().get());
    view! {
        <ActionForm action=reverse attr:class="mt-4 flex flex-wrap items-end gap-3 border-t border-stone-100 pt-4" attr:data-reverse="">
            <input type="hidden" name="form[decision]" value=decision />
            <label class="flex flex-1 flex-col gap-1 text-sm font-medium text-stone-800">
                "Why reverse it"
                <input type="text" name="form[comment]" maxlength="500" class=INPUT />
            </label>
            <button type="submit" class="rounded-lg border border-stone-300 px-4 py-2 text-sm font-medium text-stone-800 hover:bg-stone-100">
                "Reverse"
            </button>
            <div class="w-full"><Refusal result /></div>
        </ActionForm>
    }
}

/// What Category Management's page shows above its tables: its commands,
/// offering the page's catalog.
pub fn controls(page: &crate::functions::view::FunctionPage) -> AnyView {
    let products = page.catalog.clone();
    view! { <CatalogCommands products /> }.into_any()
}
