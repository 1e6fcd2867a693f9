//! What Customer Management's endpoints take and answer: dealer
//! onboarding, and orders (the checkout form, an order as its buyer and
//! staff see it). The HTML pages and the JSON answers use these same structs.

use super::events::{OrderId, OrderLine, PaymentMethod, ShippingAddress, ShippingOption, TicketId};
use kiln_core::money::{Money, TaxRate};
use serde::{Deserialize, Serialize};

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, waiting for the bank transfer. (Payment, packing and
    /// shipping will move it on once those functions post their events.)
    AwaitingPayment,
    /// Placed on a dealer company's account: made and shipped now, paid
    /// against the invoice.
    Invoiced,
    /// Paid by card.
    Paid,
}

impl OrderStatus {
    /// The stored and JSON form, e.g. `awaiting_payment`.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::Invoiced => "invoiced",
            OrderStatus::Paid => "paid",
        }
    }

    /// The status stored as `text`, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        match text {
            "awaiting_payment" => Some(OrderStatus::AwaitingPayment),
            "invoiced" => Some(OrderStatus::Invoiced),
            "paid" => Some(OrderStatus::Paid),
            _ => None,
        }
    }

    /// What the buyer and staff read.
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "Awaiting payment",
            OrderStatus::Invoiced => "Invoiced",
            OrderStatus::Paid => "Paid",
        }
    }
}

/// An order in a list: the account's history, the staff page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    /// The order's id, its payment reference and tracking key.
    pub order: OrderId,
    /// Who placed it.
    pub buyer_name: String,
    /// Where it stands.
    pub status: OrderStatus,
    /// How many units it holds.
    pub units: i64,
    /// What the buyer owes.
    pub total: Money,
    /// When it was placed (UTC, RFC 3339).
    pub placed_at: String,
}

impl OrderSummary {
    /// The order's tracking page, which anyone with the link may open.
    pub fn tracking_url(&self) -> String {
        format!("/orders/{}", self.order)
    }
}

/// An order whole, as its confirmation and tracking page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    /// Id, buyer, status, units, total, time.
    pub summary: OrderSummary,
    /// The lines as charged.
    pub lines: Vec<OrderLine>,
    /// The lines before tax.
    pub subtotal: Money,
    /// How it is shipped.
    pub shipping_option: ShippingOption,
    /// What shipping costs.
    pub shipping: Money,
    /// The tax on the lines.
    pub tax: Money,
    /// The rate the lines were taxed at.
    pub tax_rate: TaxRate,
    /// Where it goes.
    pub ship_to: ShippingAddress,
    /// How it is paid.
    pub payment: PaymentMethod,
    /// Whether a dealer company placed it (in the trade portal).
    pub bought_by_dealer: bool,
    /// Whether the buyer may pay it by card now (card payments are set up
    /// and the order waits for a bank transfer).
    pub card_payment_open: bool,
}

/// What the "pay by card" form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardPaymentForm {
    /// The order's id.
    pub order: String,
    /// The payment provider's token for the card (Stripe: a PaymentMethod
    /// id, e.g. `pm_card_visa` in test mode).
    pub payment_method: String,
}

/// What the trade portal's quick-order form sends: quantities typed into
/// the grid, an order sheet (CSV), or both, and where the order goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealerOrderForm {
    /// The order id the quick-order page was given: sending the same form
    /// twice places one order.
    pub order: String,
    /// The grid's rows; a blank or zero quantity orders none of that product.
    #[serde(default)]
    pub grid: Vec<GridQuantity>,
    /// An order sheet, `sku,quantity` per row; may be empty.
    #[serde(default)]
    pub sheet: String,
    /// Who receives the delivery.
    pub name: String,
    /// Street and number.
    pub line1: String,
    /// Flat, building or company.
    #[serde(default)]
    pub line2: String,
    /// Town or city.
    pub city: String,
    /// Postal or ZIP code.
    pub postcode: String,
    /// Country.
    pub country: String,
    /// `standard` or `express`.
    pub shipping: String,
}

/// One row of the quick-order grid, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridQuantity {
    /// The product's SKU (a hidden field of the row).
    pub sku: String,
    /// How many, as typed; blank for none.
    #[serde(default)]
    pub quantity: String,
}

/// What the checkout form sends. The products come from the cart, never
/// from the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutForm {
    /// The order id the checkout page was given: sending the same checkout
    /// twice places one order.
    pub order: String,
    /// The buyer's name.
    pub name: String,
    /// Where the confirmation goes.
    pub email: String,
    /// Street and number.
    pub line1: String,
    /// Flat, building or company.
    #[serde(default)]
    pub line2: String,
    /// Town or city.
    pub city: String,
    /// Postal or ZIP code.
    pub postcode: String,
    /// Country.
    pub country: String,
    /// `standard` or `express`.
    pub shipping: String,
}

/// What the public application form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealerApplicationForm {
    /// The business applying.
    pub company_name: String,
    /// The person applying.
    pub contact_name: String,
    /// Their address.
    pub email: String,
    /// Anything they want to tell us.
    #[serde(default)]
    pub message: String,
}

/// A dealer application as staff review it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealerApplicationView {
    /// Its id, e.g. `apl-7a4c0e19b2d35f68`.
    pub application: String,
    /// The business.
    pub company_name: String,
    /// The person.
    pub contact_name: String,
    /// Their address.
    pub email: String,
    /// What they wrote.
    pub message: String,
    /// `pending`, `approved` or `declined`.
    pub status: String,
}

/// A decision on a dealer application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealerApplicationDecision {
    /// The application's id.
    pub application: String,
    /// `approve` or `decline`.
    pub decision: String,
    /// For an approval: the price tier, `trade`, `volume` or `partner`.
    #[serde(default)]
    pub tier: Option<String>,
    /// For a decline: why.
    #[serde(default)]
    pub reason: Option<String>,
}

/// What a decision did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealerApplicationDecided {
    /// The application's id.
    pub application: String,
    /// `approved` or `declined`.
    pub status: String,
    /// For an approval: the dealer company opened.
    pub company: Option<String>,
}

/// Another user for an existing dealer company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDealerUser {
    /// The company's id, e.g. `dlr-0b6e3f9a5c1d2e47`.
    pub company: String,
    /// The user's name.
    pub name: String,
    /// Their address, their sign-in.
    pub email: String,
}

/// A support ticket in a list: the customer's own, or staff's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSummary {
    /// Its id, the key of its page.
    pub ticket: TicketId,
    /// What it is about.
    pub subject: String,
    /// The customer who opened it.
    pub customer_name: String,
    /// `open` (waiting for staff), `answered` (waiting for the customer)
    /// or `closed`.
    pub status: String,
    /// When it was opened (UTC, RFC 3339).
    pub opened_at: String,
    /// When staff first answered, if they have.
    pub first_response_at: Option<String>,
    /// When the newest message was written.
    pub last_message_at: String,
    /// The newest message.
    pub last_message: String,
}

impl TicketSummary {
    /// The ticket's page for its customer.
    pub fn url(&self) -> String {
        format!("/support/{}", self.ticket)
    }
}

/// One message of a ticket's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketMessage {
    /// Whether staff wrote it (else the customer).
    pub from_staff: bool,
    /// Who wrote it.
    pub author_name: String,
    /// What they wrote.
    pub message: String,
    /// When (UTC, RFC 3339).
    pub written_at: String,
}

/// A ticket with its whole thread, oldest message first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketView {
    /// Id, subject, customer, status, times.
    pub summary: TicketSummary,
    /// The messages.
    pub messages: Vec<TicketMessage>,
}

/// What the "open a ticket" form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketForm {
    /// What it is about.
    pub subject: String,
    /// The first message.
    pub message: String,
}

/// What a reply form sends, the customer's or staff's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketReplyForm {
    /// The ticket's id.
    pub ticket: String,
    /// What to write (not sent when closing).
    #[serde(default)]
    pub message: String,
}

/// What the "flag feedback to a function" form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagTicketForm {
    /// The ticket's id.
    pub ticket: String,
    /// The function's slug, e.g. `quality`.
    pub function: String,
    /// What that function should know (optional).
    #[serde(default)]
    pub note: String,
}

/// A dealer company's promotional price in force, as Customer
/// Management's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionView {
    /// The dealer company.
    pub company: kiln_core::identity::CompanyId,
    /// Its name.
    pub company_name: String,
    /// The product.
    pub sku: crate::functions::category::events::Sku,
    /// The promotional unit price.
    pub price: kiln_core::money::Money,
    /// Why it was offered.
    pub note: String,
    /// When (UTC, RFC 3339).
    pub offered_at: String,
}

/// What the "offer a promotional price" form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionForm {
    /// The dealer company's id.
    pub company: String,
    /// The product's SKU.
    pub sku: String,
    /// The promotional price as typed.
    pub price: String,
    /// Why (optional).
    #[serde(default)]
    pub note: String,
}

/// What the "withdraw a promotional price" form sends: the promotion as
/// `<company id>:<SKU>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawPromotionForm {
    /// Which promotion.
    pub promotion: String,
}
