//! `/portal/order`: the dealer's quick order. Every product in a grid with
//! its price at each volume break and a quantity box, and an order sheet
//! (CSV, `sku,quantity` per row) to upload or paste; both may be used at
//! once. The order is placed whole or not at all: any bad line refuses it,
//! with every problem listed. Works without JavaScript (the sheet is then
//! pasted, not chosen as a file).

use super::DealerPriceList;
use crate::error::KilnError;
use crate::forms::Refusal;
use crate::functions::customers::view::DealerOrderForm;
use crate::storefront::LoadFailure;
use crate::storefront::checkout::{AddressField, ShippingChoice, ShippingFieldset};
use crate::storefront::{SiteFooter, SiteHeader};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// Everything the quick-order page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickOrderView {
    /// The company's prices at each volume break.
    pub price_list: DealerPriceList,
    /// The id the order will have: sending this form twice places it once.
    pub order: String,
    /// The most of one product an order may hold.
    pub max_quantity: u32,
    /// The shipping options, cheapest first.
    pub shipping: Vec<ShippingChoice>,
    /// How many days the invoice gives the company to pay.
    pub invoice_due_days: u32,
}

/// The quick-order page's contents for the signed-in dealer, with a fresh
/// order id. `POST /api/portal/quick-order`.
#[server(prefix = "/api", endpoint = "portal/quick-order")]
pub async fn quick_order() -> Result<QuickOrderView, KilnError> {
    use crate::functions::customers::decide::MAX_DEALER_QUANTITY;
    use crate::functions::customers::events::{INVOICE_DUE_DAYS, OrderId};

    let state = crate::state::AppState::from_context()?;
    let (_, company) = super::dealer_principal().await?;
    let (price_list, _) = super::price_list_of(&state, &company).await?;
    let currency = price_list
        .lines
        .first()
        .map_or(kiln_core::money::Currency::Usd, |line| {
            line.base_price.currency
        });
    Ok(QuickOrderView {
        price_list,
        order: OrderId::generate().to_string(),
        max_quantity: MAX_DEALER_QUANTITY,
        shipping: ShippingChoice::every(currency),
        invoice_due_days: INVOICE_DUE_DAYS,
    })
}

/// Places the signed-in dealer's order on the company's account, at its
/// tier with volume breaks, and shows the order. Refused whole, listing
/// every bad line, if any grid quantity or sheet row is wrong. Sending the
/// same form again answers the same order. `POST /api/portal/order`
/// (form fields `form[order]`, `form[grid][<n>][sku]`,
/// `form[grid][<n>][quantity]`, `form[sheet]`, `form[name]`,
/// `form[line1]`, `form[line2]`, `form[city]`, `form[postcode]`,
/// `form[country]`, `form[shipping]`).
#[server(prefix = "/api", endpoint = "portal/order")]
pub async fn place_dealer_order(form: DealerOrderForm) -> Result<(), KilnError> {
    use crate::functions::category::events::Sku;
    use crate::functions::customers::decide::{PlaceOrder, PriceList};
    use crate::functions::customers::events::{
        Buyer, OrderId, PaymentMethod, ShippingAddress, ShippingOption,
    };
    use crate::functions::customers::order_sheet::{read_order_sheet, read_quantity};
    use crate::functions::customers::service::{self, OrderServiceError};
    use crate::functions::platform_manager::projection as accounts;
    use kiln_core::event::Actor;

    let state = crate::state::AppState::from_context()?;
    let (account, company) = super::dealer_principal().await?;
    let rejected = |error: &dyn std::error::Error| KilnError::Rejected(error.to_string());
    // Refusals of these fields quote them: keep the quote short.
    for (field, text) in [
        ("order number", &form.order),
        ("shipping option", &form.shipping),
    ] {
        if text.chars().count() > 254 {
            return Err(KilnError::Rejected(format!(
                "the {field} may have at most 254 characters"
            )));
        }
    }
    let order = OrderId::parse(form.order.trim()).map_err(|error| rejected(&error))?;
    let shipping_option = ShippingOption::from_name(form.shipping.trim())
        .ok_or_else(|| KilnError::Rejected("choose standard or express shipping".to_owned()))?;
    // One read of the catalog: the price book has the names too.
    let dealer = super::dealer_company(&state, &company).await?;
    let tier = dealer.tier;
    let prices = service::price_book(state.store(), Some(&company))
        .await
        .map_err(|error| super::internal("reading the price book", &error))?;
    let max_quantity = PriceList::Dealer(tier).max_quantity();

    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for row in form.grid.iter().filter(|row| {
        let typed = row.quantity.trim();
        !typed.is_empty() && typed != "0"
    }) {
        // The grid's SKUs are hidden fields: a wrong one is a tampered form.
        let Some(sku) = Sku::parse(row.sku.trim())
            .ok()
            .filter(|sku| prices.contains_key(sku))
        else {
            problems.push("the grid names a product that is not in the catalog".to_owned());
            continue;
        };
        match read_quantity(row.quantity.trim(), max_quantity) {
            Ok(quantity) => lines.push((sku, quantity)),
            Err(problem) => {
                let name = prices
                    .get(&sku)
                    .map_or(sku.as_str(), |product| product.name.as_str());
                problems.push(format!("{name}: {problem}"));
            }
        }
    }
    if !form.sheet.trim().is_empty() {
        match read_order_sheet(&form.sheet, &prices, max_quantity) {
            Ok(sheet_lines) => lines.extend(sheet_lines),
            Err(sheet_problems) => problems.extend(
                sheet_problems
                    .into_iter()
                    .map(|problem| format!("Order sheet, {problem}")),
            ),
        }
    }
    if !problems.is_empty() {
        return Err(KilnError::Rejected(format!(
            "Nothing was ordered. Mend these lines and send the order again:\n{}",
            problems.join("\n")
        )));
    }

    let email = accounts::account(state.store(), &account)
        .await
        .map_err(|error| super::internal("reading a dealer's account", &error))?
        .ok_or_else(|| KilnError::Rejected("this account no longer exists".into()))?
        .email;
    let command = PlaceOrder {
        order,
        buyer: Buyer::Dealer {
            company,
            company_name: dealer.name,
            account: account.clone(),
            email,
        },
        lines,
        ship_to: ShippingAddress {
            name: form.name,
            line1: form.line1,
            line2: form.line2,
            city: form.city,
            postcode: form.postcode,
            country: form.country,
        },
        shipping_option,
        payment: PaymentMethod::Invoice,
        tax_rate: state.sales_tax(),
        price_list: PriceList::Dealer(tier),
    };
    let placed = match service::place_order(state.store(), Actor::user(&account), command).await {
        Ok(placed) => placed,
        Err(OrderServiceError::Refused(refusal)) => return Err(rejected(&refusal)),
        Err(error) => {
            tracing::error!(%error, source = ?std::error::Error::source(&error), "placing a dealer order failed");
            return Err(KilnError::Internal);
        }
    };
    if !placed.repeated {
        tracing::info!(order = %placed.order, "a dealer order was placed");
    }
    leptos_axum::redirect(&format!("/orders/{}?placed=1", placed.order));
    Ok(())
}

/// The quick-order page.
#[component]
pub fn QuickOrderPage() -> impl IntoView {
    let quick_order = Resource::new(|| (), |()| quick_order());
    view! {
        <Title text="Quick order" />
        <SiteHeader />
        <main class="mx-auto max-w-6xl px-6 py-16">
            <p class="text-sm font-semibold uppercase tracking-widest text-amber-800">
                <a href="/portal" class="hover:underline">"Trade portal"</a>
            </p>
            <h1 class="mt-3 font-serif text-4xl text-stone-900">"Quick order"</h1>
            <Suspense fallback=|| view! { <p class="mt-10 text-stone-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match quick_order.await {
                        Ok(view) => view! { <QuickOrderForm view /> }.into_any(),
                        Err(error) => view! { <LoadFailure error /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
        <SiteFooter />
    }
}

#[component]
fn QuickOrderForm(view: QuickOrderView) -> impl IntoView {
    let place = ServerAction::<PlaceDealerOrder>::new();
    let result = Signal::derive(move || place.value().get());
    let sheet = RwSignal::new(String::new());
    let file_problem = RwSignal::new(None::<String>);
    let on_file = move |event: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        read_sheet_file(&event, sheet, file_problem);
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };
    let list = view.price_list;
    let max = view.max_quantity.to_string();
    let company = list.company_name.clone();
    let headings = list
        .breaks
        .iter()
        .map(|label| {
            view! { <th scope="col" class="px-3 py-3 text-right font-medium">{format!("{label} units")}</th> }
        })
        .collect_view();
    let rows = list
        .lines
        .into_iter()
        .enumerate()
        .map(|(index, line)| {
            let (sku, row_sku) = (line.sku.clone(), line.sku.clone());
            let max = max.clone();
            let label = format!("Quantity of {}", line.name);
            view! {
                <tr class="border-b border-stone-100 last:border-0" data-sku=row_sku>
                    <td class="px-3 py-2 text-stone-900">
                        {line.name}
                        <span class="block font-mono text-xs text-stone-500">{line.sku}</span>
                        {line.promotion.map(|price| view! {
                            <span class="block text-xs font-medium text-amber-800" data-field="promotion">
                                {format!("Your promotion: {price}")}
                            </span>
                        })}
                    </td>
                    <td class="px-3 py-2 text-right text-stone-500">{line.base_price.to_string()}</td>
                    {line
                        .break_prices
                        .into_iter()
                        .map(|price| {
                            view! { <td class="px-3 py-2 text-right text-stone-900">{price.to_string()}</td> }
                        })
                        .collect_view()}
                    <td class="px-3 py-2 text-right">
                        <input type="hidden" name=format!("form[grid][{index}][sku]") value=sku />
                        <input
                            type="number"
                            min="0"
                            max=max
                            inputmode="numeric"
                            name=format!("form[grid][{index}][quantity]")
                            aria-label=label
                            class="w-24 rounded-lg border border-stone-300 bg-white px-3 py-2 text-right"
                        />
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="mt-3 text-stone-600">
            {format!("{} · {} tier · ", list.company_name, list.tier)}
            "Prices fall at each volume break, counted per product."
        </p>
        <ActionForm action=place attr:class="mt-10 flex flex-col gap-10">
            <input type="hidden" name="form[order]" value=view.order />
            <section>
                <h2 class="font-serif text-2xl text-stone-900">"Products"</h2>
                <div class="mt-4 overflow-x-auto rounded-xl border border-stone-200 bg-white">
                    <table class="w-full text-left text-sm" data-testid="quick-order-grid">
                        <thead class="border-b border-stone-200 bg-stone-100 text-stone-600">
                            <tr>
                                <th scope="col" class="px-3 py-3 font-medium">"Product"</th>
                                <th scope="col" class="px-3 py-3 text-right font-medium">"Base price"</th>
                                {headings}
                                <th scope="col" class="px-3 py-3 text-right font-medium">"Quantity"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
            <section class="flex flex-col gap-3">
                <h2 class="font-serif text-2xl text-stone-900">"Order sheet"</h2>
                <p class="text-sm text-stone-600">
                    "A CSV file with one product per row: SKU, then quantity (a header row is fine). Choose the file, or paste its contents into the box. Its lines are added to the grid's."
                </p>
                <input
                    type="file"
                    accept=".csv,text/csv,text/plain"
                    aria-label="Order sheet file"
                    data-testid="order-sheet-file"
                    on:change=on_file
                    class="text-sm"
                />
                {move || {
                    file_problem
                        .get()
                        .map(|problem| {
                            view! { <p role="alert" class="text-sm text-red-800">{problem}</p> }
                        })
                }}
                <textarea
                    name="form[sheet]"
                    rows="6"
                    aria-label="Order sheet"
                    placeholder="sku,quantity\nMUG-SPECKLE-12,24"
                    prop:value=move || sheet.get()
                    on:input:target=move |event| sheet.set(event.target().value())
                    class="rounded-lg border border-stone-300 bg-white px-4 py-3 font-mono text-sm"
                ></textarea>
            </section>
            <section class="grid gap-5 md:grid-cols-2">
                <h2 class="font-serif text-2xl text-stone-900 md:col-span-2">"Deliver to"</h2>
                <AddressField label="Recipient" name="form[name]" autocomplete="name" value=company />
                <AddressField label="Street address" name="form[line1]" autocomplete="address-line1" />
                <AddressField
                    label="Unit or building (optional)"
                    name="form[line2]"
                    autocomplete="address-line2"
                    required=false
                />
                <AddressField label="Town or city" name="form[city]" autocomplete="address-level2" />
                <AddressField label="Postcode" name="form[postcode]" autocomplete="postal-code" />
                <AddressField label="Country" name="form[country]" autocomplete="country-name" />
            </section>
            <ShippingFieldset choices=view.shipping />
            <div class="rounded-xl border border-stone-300 bg-white px-4 py-3">
                <p class="font-medium">"On account"</p>
                <p class="mt-1 text-sm text-stone-600">
                    {format!(
                        "We invoice the company; payment is due {} days after the order. Sales tax is added per line.",
                        view.invoice_due_days,
                    )}
                </p>
            </div>
            <Refusal result />
            <button
                type="submit"
                class="self-start rounded-full bg-stone-900 px-8 py-3 font-medium text-stone-50 hover:bg-stone-700"
            >
                "Place order"
            </button>
        </ActionForm>
    }
}

/// Reads the chosen order-sheet file into the sheet box (in the browser);
/// a file too large to send is refused here, before anything is sent.
#[cfg(feature = "hydrate")]
fn read_sheet_file(
    event: &leptos::ev::Event,
    sheet: RwSignal<String>,
    file_problem: RwSignal<Option<String>>,
) {
    use wasm_bindgen::JsCast;

    let file = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0));
    let Some(file) = file else {
        return;
    };
    // The server's own limit (order_sheet::MAX_SHEET_BYTES), checked early.
    if file.size() > 64.0 * 1024.0 {
        file_problem.set(Some(
            "That file is larger than 64 KB: split it into several orders.".to_owned(),
        ));
        return;
    }
    file_problem.set(None);
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(text) => sheet.set(text.as_string().unwrap_or_default()),
            Err(_) => file_problem.set(Some(
                "That file could not be read; paste its contents instead.".to_owned(),
            )),
        }
    });
}
