//! What Fulfillment's page adds to the shared function page: the form
//! that records a stock count. Works without JavaScript.

use super::endpoints::RecordStockCount;
use crate::form_style::{INPUT, LABEL};
use crate::forms::{Notice, Refusal};
use crate::functions::view::Choice;
use leptos::prelude::*;

/// Record a count of a product's finished units.
#[component]
pub fn StockCountForm(
    /// The products on sale (value: SKU).
    products: Vec<Choice>,
) -> impl IntoView {
    let count = ServerAction::<RecordStockCount>::new();
    let result = Signal::derive(move || count.value().get());
    view! {
        <section class="mt-10 lg:max-w-xl" data-commands="fulfillment">
            <Notice key="counted" value="1" message="The count is recorded: what is available starts from it." />
            <div class="rounded-xl border border-stone-200 bg-white p-5">
                <h2 class="text-lg font-semibold text-stone-900">"Record a stock count"</h2>
                <p class="mt-1 text-sm text-stone-600">"What is on the shelf now. Orders placed from now on are taken from it."</p>
                <ActionForm action=count attr:class="mt-4 flex flex-col gap-4">
                    <label class=LABEL>
                        "Product"
                        <select name="form[sku]" class=INPUT>
                            {products
                                .into_iter()
                                .map(|choice| view! { <option value=choice.value>{choice.label}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label class=LABEL>
                        "Units on the shelf"
                        <input type="number" name="form[on_hand]" min="0" max="1000000" required inputmode="numeric" class=INPUT />
                    </label>
                    <Refusal result />
                    <button type="submit" class="self-start rounded-lg bg-stone-900 px-4 py-2 text-sm font-medium text-white hover:bg-stone-700">
                        "Record the count"
                    </button>
                </ActionForm>
            </div>
        </section>
    }
    .into_any()
}

/// What Fulfillment's page shows above its tables: the stock count form.
pub fn controls(page: &crate::functions::view::FunctionPage) -> AnyView {
    let products = page.choice("products");
    view! { <StockCountForm products /> }.into_any()
}
