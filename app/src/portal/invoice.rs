//! `/portal/invoices/<order>`: the printable invoice of an order a dealer
//! company placed on its account. The invoice is the order as recorded
//! (its number is the order's), dated when it was placed and due 30 days
//! later; Accounts Receivable, which will own invoices and payments
//! received, is not built yet.

use super::{SiteFooter, SiteHeader};
use crate::error::KilnError;
use crate::functions::customers::events::{OrderLine, ShippingAddress};
use kiln_core::money::{Money, TaxRate};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

/// Who the invoice is from. The workshop's own details: Kiln has no
/// setting for them yet, so they are the demo business's.
pub const SELLER: [&str; 4] = [
    "Fenwick Clayworks",
    "Unit 4, Kiln Yard",
    "York YO1 7HH, United Kingdom",
    "accounts@fenwick.example",
];

/// Days a dealer has to pay an order on account.
pub const PAYMENT_DAYS: i64 = 30;

/// An invoice as its page prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceView {
    /// The invoice's number: the order's id.
    pub number: String,
    /// The company billed.
    pub bill_to: String,
    /// Where the goods go.
    pub ship_to: ShippingAddress,
    /// When the order was placed (UTC date, `YYYY-MM-DD`).
    pub issued_on: String,
    /// When payment is due (`YYYY-MM-DD`).
    pub due_on: String,
    /// The order's status, e.g. "Invoiced" or "Paid".
    pub status: String,
    /// The lines as charged.
    pub lines: Vec<OrderLine>,
    /// The lines before tax.
    pub subtotal: Money,
    /// Shipping.
    pub shipping: Money,
    /// The tax on the lines.
    pub tax: Money,
    /// Its rate.
    pub tax_rate: TaxRate,
    /// What is owed.
    pub total: Money,
}

/// The signed-in dealer company's invoice for `order`, or `None` when the
/// company placed no such order on account.
/// `POST /api/portal/invoice` with form field `order`.
#[server(prefix = "/api", endpoint = "portal/invoice")]
pub async fn dealer_invoice(order: String) -> Result<Option<InvoiceView>, KilnError> {
    use crate::functions::customers::events::{OrderId, PaymentMethod};
    use crate::functions::customers::projection;

    let state = crate::state::AppState::from_context()?;
    let (_, company) = super::dealer_principal().await?;
    let Ok(order) = OrderId::parse(order.trim()) else {
        return Ok(None);
    };
    let Some(view) = projection::company_order(state.store(), &company, &order)
        .await
        .map_err(|error| super::internal("reading an invoice", &error))?
    else {
        return Ok(None);
    };
    if view.payment != PaymentMethod::Invoice {
        return Ok(None);
    }
    let placed = chrono::DateTime::parse_from_rfc3339(&view.summary.placed_at)
        .map_err(|error| super::internal("reading an order's date", &error))?;
    let dealer = super::dealer_company(&state, &company).await?;
    Ok(Some(InvoiceView {
        number: view.summary.order.to_string(),
        bill_to: dealer.name,
        issued_on: placed.format("%Y-%m-%d").to_string(),
        due_on: (placed + chrono::Duration::days(PAYMENT_DAYS))
            .format("%Y-%m-%d")
            .to_string(),
        status: view.summary.status.label().to_owned(),
        total: view.summary.total,
        ship_to: view.ship_to,
        lines: view.lines,
        subtotal: view.subtotal,
        shipping: view.shipping,
        tax: view.tax,
        tax_rate: view.tax_rate,
    }))
}

/// The invoice page: the document, and a print button.
#[component]
pub fn InvoicePage() -> impl IntoView {
    let params = use_params_map();
    let order = Memo::new(move |_| params.read().get("order").unwrap_or_default());
    let invoice = Resource::new(move || order.get(), dealer_invoice);
    view! {
        <Title text="Invoice" />
        <div class="print:hidden">
            <SiteHeader />
        </div>
        <main class="mx-auto max-w-4xl px-6 py-12 print:p-0">
            <Suspense fallback=|| view! { <p class="text-stone-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match invoice.await {
                        Ok(Some(invoice)) => view! { <InvoiceDocument invoice /> }.into_any(),
                        Ok(None) => {
                            // Another company's order, or none: the same
                            // answer, so numbers cannot be probed.
                            #[cfg(feature = "ssr")]
                            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                                response.set_status(axum::http::StatusCode::NOT_FOUND);
                            }
                            view! {
                                <p class="text-stone-700" data-testid="no-invoice">
                                    "Your company has no invoice with this number. "
                                    <a href="/portal" class="text-amber-800 underline">"Back to the portal"</a>
                                </p>
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! { <p role="alert" class="text-red-800">{error.to_string()}</p> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </main>
        <div class="print:hidden">
            <SiteFooter />
        </div>
    }
}

#[component]
fn InvoiceDocument(invoice: InvoiceView) -> impl IntoView {
    let InvoiceView {
        number,
        bill_to,
        ship_to,
        issued_on,
        due_on,
        status,
        lines,
        subtotal,
        shipping,
        tax,
        tax_rate,
        total,
    } = invoice;
    let (reference, marker) = (number.clone(), number.clone());
    view! {
        <article class="rounded-2xl border border-stone-200 bg-white p-10 print:border-0 print:p-0" data-invoice=marker>
            <header class="flex flex-col justify-between gap-6 sm:flex-row">
                <div>
                    <h1 class="font-serif text-3xl text-stone-900">"Invoice"</h1>
                    <p class="mt-2 font-mono text-sm text-stone-600" data-field="number">{number}</p>
                </div>
                <address class="not-italic text-sm leading-relaxed text-stone-700 sm:text-right">
                    <span class="font-semibold text-stone-900">{SELLER[0]}</span>
                    <br />
                    {SELLER[1]}
                    <br />
                    {SELLER[2]}
                    <br />
                    {SELLER[3]}
                </address>
            </header>
            <dl class="mt-10 grid gap-6 text-sm sm:grid-cols-4">
                <div>
                    <dt class="text-stone-500">"Billed to"</dt>
                    <dd class="mt-1 font-medium text-stone-900" data-field="bill-to">{bill_to}</dd>
                </div>
                <div>
                    <dt class="text-stone-500">"Ship to"</dt>
                    <dd class="mt-1 text-stone-800">
                        {ship_to.name}<br />{ship_to.line1}
                        {(!ship_to.line2.is_empty()).then(|| view! { <br />{ship_to.line2.clone()} })}
                        <br />{format!("{} {}", ship_to.city, ship_to.postcode)}<br />{ship_to.country}
                    </dd>
                </div>
                <div>
                    <dt class="text-stone-500">"Issued"</dt>
                    <dd class="mt-1 text-stone-900" data-field="issued">{issued_on}</dd>
                    <dt class="mt-3 text-stone-500">"Due"</dt>
                    <dd class="mt-1 font-medium text-stone-900" data-field="due">{due_on}</dd>
                </div>
                <div>
                    <dt class="text-stone-500">"Status"</dt>
                    <dd class="mt-1 text-stone-900" data-field="status">{status}</dd>
                </div>
            </dl>
            <table class="mt-10 w-full text-left text-sm">
                <thead class="border-b border-stone-300 text-stone-600">
                    <tr>
                        <th scope="col" class="py-2 font-medium">"Product"</th>
                        <th scope="col" class="py-2 text-right font-medium">"Qty"</th>
                        <th scope="col" class="py-2 text-right font-medium">"Unit price"</th>
                        <th scope="col" class="py-2 text-right font-medium">"Amount"</th>
                    </tr>
                </thead>
                <tbody>
                    {lines
                        .into_iter()
                        .map(|line| {
                            view! {
                                <tr class="border-b border-stone-100 align-top" data-sku=line.sku.to_string()>
                                    <td class="py-2 text-stone-900">
                                        {line.name}
                                        <span class="block text-xs text-stone-500">
                                            {format!("{} · {}", line.sku, line.price_source.label())}
                                        </span>
                                    </td>
                                    <td class="py-2 text-right">{line.quantity}</td>
                                    <td class="py-2 text-right">{line.unit_price.to_string()}</td>
                                    <td class="py-2 text-right">{line.line_total.to_string()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <dl class="ml-auto mt-6 grid max-w-xs grid-cols-2 gap-y-1 text-sm">
                <dt class="text-stone-600">"Subtotal"</dt>
                <dd class="text-right">{subtotal.to_string()}</dd>
                <dt class="text-stone-600">"Shipping"</dt>
                <dd class="text-right">{shipping.to_string()}</dd>
                <dt class="text-stone-600">{format!("Sales tax ({tax_rate})")}</dt>
                <dd class="text-right">{tax.to_string()}</dd>
                <dt class="border-t border-stone-300 pt-2 font-semibold text-stone-900">"Total due"</dt>
                <dd class="border-t border-stone-300 pt-2 text-right font-semibold text-stone-900" data-field="total">
                    {total.to_string()}
                </dd>
            </dl>
            <p class="mt-10 text-sm text-stone-600">
                {format!(
                    "Payment within {PAYMENT_DAYS} days by bank transfer, quoting {reference}. Thank you for stocking our work."
                )}
            </p>
        </article>
        <button
            type="button"
            class="mt-6 rounded-full bg-stone-900 px-6 py-3 font-medium text-stone-50 hover:bg-stone-700 print:hidden"
            on:click=|_| {
                #[cfg(feature = "hydrate")]
                if let Some(window) = web_sys::window() {
                    // A browser without a print dialog just does nothing.
                    let _ = window.print();
                }
            }
        >
            "Print"
        </button>
    }
    .into_any()
}
