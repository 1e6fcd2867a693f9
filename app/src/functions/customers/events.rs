//! What Customer Management records in the event log. So far: the dealer
//! onboarding pipeline — applications from the public site, and the
//! decision on each, which opens a dealer company — the orders customers
//! place (docs/decisions/0006-orders-in-customer-management.md), and
//! support tickets.

use crate::functions::category::events::Sku;
use kiln_core::decision::{DecisionVerdict, Proposal};
use kiln_core::event::StreamId;
use kiln_core::function::BusinessFunction;
use kiln_core::identity::random_id;
use kiln_core::identity::{AccountId, CompanyId, Email};
use kiln_core::money::{Money, TaxRate};
use serde::{Deserialize, Serialize};
use std::fmt;

random_id!(
    /// The id of a dealer application, e.g. `apl-7a4c0e19b2d35f68`.
    ApplicationId,
    InvalidApplicationId,
    "apl-",
    "a dealer application id"
);

random_id!(
    /// The id of an order, e.g. `ord-5c1d2e470b6e3f9a`. It is also the
    /// payment reference and the key of the order's tracking link, so it
    /// is random: one order's id tells nothing of another's.
    OrderId,
    InvalidOrderId,
    "ord-",
    "an order id"
);

random_id!(
    /// The id of a support ticket, e.g. `tkt-2b9e0c4d7a1f5e38`. Random, so
    /// one ticket's id tells nothing of another's.
    TicketId,
    InvalidTicketId,
    "tkt-",
    "a support ticket id"
);

impl OrderId {
    /// The stream of this order, e.g. `order-ord-5c1d2e470b6e3f9a`: its
    /// placing, and later its payment and shipping.
    pub fn stream(&self) -> StreamId {
        StreamId::new(format!("order-{self}"))
    }
}

impl TicketId {
    /// The stream of this support ticket: its opening, messages, closing.
    pub fn stream(&self) -> StreamId {
        StreamId::new(format!("ticket-{self}"))
    }
}

/// The stream of one dealer company's promotional prices, e.g.
/// `promotions-dlr-0b6e3f9a5c1d2e47`.
pub fn promotions_stream(company: &CompanyId) -> StreamId {
    StreamId::new(format!("promotions-{company}"))
}

/// Every event Customer Management posts. The variant name is the event's
/// stable type name in the log; its fields are the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "type", content = "data")]
pub enum CustomerEvent {
    /// A shop or café applied for a trade account on the public site.
    DealerApplicationSubmitted(DealerApplicationSubmitted),
    /// A person approved an application: the dealer company is open, at a
    /// price tier, and its first user is created beside it.
    DealerApplicationApproved(DealerApplicationApproved),
    /// A person declined an application, saying why.
    DealerApplicationDeclined(DealerApplicationDeclined),
    /// A customer placed an order: every line with the price charged and
    /// where that price came from, the shipping, the tax and the total,
    /// so every amount charged can be explained from the log alone.
    OrderPlaced(Box<OrderPlaced>),
    /// The order's card was charged: the order is paid.
    OrderPaymentCaptured(OrderPaymentCaptured),
    /// The order's card was refused; nothing was taken and the order
    /// still waits for payment.
    OrderPaymentDeclined(OrderPaymentDeclined),
    /// A customer (a shopper or a dealer's user) opened a support ticket.
    SupportTicketOpened(SupportTicketOpened),
    /// Someone wrote on a ticket: staff answering, or the customer adding.
    SupportTicketReplied(SupportTicketReplied),
    /// Staff closed a ticket: nothing more is expected on it.
    SupportTicketClosed(SupportTicketClosed),
    /// Staff flagged a ticket's feedback to the business function it
    /// concerns (a chipped glaze to Quality, a late parcel to
    /// Fulfillment), so that function sees it.
    SupportTicketFlagged(SupportTicketFlagged),
    /// A person offered one dealer company a promotional price for one
    /// product, until withdrawn (replacing any it had for that product).
    /// The company's orders get it whenever it is below the tier's volume
    /// price for the quantity ordered.
    DealerPromotionOffered(DealerPromotionOffered),
    /// A person withdrew a dealer company's promotional price: its orders
    /// are priced at its tier again.
    DealerPromotionWithdrawn(DealerPromotionWithdrawn),
    /// An agent (Customer Management's) proposed a verdict on a pending
    /// dealer application: approve it at a tier, or decline it with a
    /// reason. Nothing changes yet: the proposal waits on Customer
    /// Management's page for a person who may approve (`customers:approve`).
    /// An application has at most one proposal waiting.
    DealerApplicationVerdictProposed(DealerApplicationVerdictProposed),
    /// A person approved the proposal on this application's stream. The
    /// verdict it proposed is recorded in the same append, right after it
    /// (`DealerApplicationApproved` or `DealerApplicationDeclined`), with
    /// the decision's id in the metadata of both. Also recorded, before the
    /// verdict, when a person decides the application directly as the
    /// proposal said (that append's metadata names no decision).
    DealerApplicationProposalApproved(DecisionVerdict),
    /// A person rejected the proposal on this application's stream, saying
    /// why; the application still waits. Also recorded when a person decides
    /// the application directly otherwise than the proposal said.
    DealerApplicationProposalRejected(DecisionVerdict),
}

/// What a proposal says should become of a dealer application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum ApplicationOutcome {
    /// Open the dealer company at this tier.
    Approve {
        /// The price tier it would buy at.
        tier: DealerTier,
    },
    /// Decline the application.
    Decline {
        /// Why, in words the applicant could be told.
        reason: String,
    },
}

impl ApplicationOutcome {
    /// The outcome in a few words, e.g. "approve at the trade tier (40 %
    /// off)".
    pub fn describe(&self) -> String {
        match self {
            ApplicationOutcome::Approve { tier } => format!(
                "approve at the {} tier ({} % off)",
                tier.as_str(),
                tier.discount_percent()
            ),
            ApplicationOutcome::Decline { reason } => format!("decline: {reason}"),
        }
    }
}

/// Payload of [`CustomerEvent::DealerApplicationVerdictProposed`]: what
/// every proposal says (its decision id, summary, reasoning, agents
/// involved, data considered and risk), and the verdict proposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DealerApplicationVerdictProposed {
    /// The decision, as every proposal describes it.
    #[serde(flatten)]
    pub proposal: Proposal,
    /// The application.
    pub application: ApplicationId,
    /// The company's name, as applied (for the card).
    pub company_name: String,
    /// The verdict proposed.
    pub outcome: ApplicationOutcome,
}

/// Payload of [`CustomerEvent::SupportTicketFlagged`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct SupportTicketFlagged {
    /// The ticket.
    pub ticket: TicketId,
    /// The function the feedback concerns.
    pub function: BusinessFunction,
    /// What staff want that function to know (may be empty).
    pub note: String,
}

/// Payload of [`CustomerEvent::DealerPromotionOffered`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DealerPromotionOffered {
    /// The dealer company offered the price.
    pub company: CompanyId,
    /// Its name when offered.
    pub company_name: String,
    /// The product.
    pub sku: Sku,
    /// The promotional unit price, before tax.
    pub price: Money,
    /// Why, e.g. "launch of the slate glaze in their café".
    pub note: String,
}

/// Payload of [`CustomerEvent::DealerPromotionWithdrawn`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DealerPromotionWithdrawn {
    /// The dealer company.
    pub company: CompanyId,
    /// The product whose promotional price ends.
    pub sku: Sku,
}

/// Payload of [`CustomerEvent::OrderPaymentCaptured`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct OrderPaymentCaptured {
    /// The order.
    pub order: OrderId,
    /// How much was taken: the order's total.
    pub amount: Money,
    /// Which provider took it, e.g. `stripe`.
    pub gateway: String,
    /// The provider's reference for the payment, e.g. `pi_3Mt…`.
    pub reference: String,
    /// Which attempt succeeded (1 for the first); also the idempotency
    /// key's suffix, so the provider's records can be matched.
    pub attempt: u32,
}

/// Payload of [`CustomerEvent::OrderPaymentDeclined`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct OrderPaymentDeclined {
    /// The order.
    pub order: OrderId,
    /// The provider's reason, for the buyer.
    pub reason: String,
    /// Which attempt was refused (1 for the first).
    pub attempt: u32,
}

/// Payload of [`CustomerEvent::SupportTicketOpened`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct SupportTicketOpened {
    /// The ticket.
    pub ticket: TicketId,
    /// Who opened it.
    pub customer: TicketCustomer,
    /// What it is about, in a line.
    pub subject: String,
    /// The customer's first message.
    pub message: String,
}

/// The customer a ticket belongs to, as they were when they opened it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct TicketCustomer {
    /// Their account: only it may read and add to the ticket.
    pub account: AccountId,
    /// Their dealer company, when a dealer's user opened it.
    pub company: Option<CompanyId>,
    /// Their name.
    pub name: String,
    /// Where answers are sent.
    pub email: Email,
}

/// Payload of [`CustomerEvent::SupportTicketReplied`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct SupportTicketReplied {
    /// The ticket.
    pub ticket: TicketId,
    /// Which side wrote.
    pub from: TicketParty,
    /// The writer's name, as shown on the thread.
    pub author_name: String,
    /// What they wrote.
    pub message: String,
}

/// Which side of a ticket wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketParty {
    /// The customer who opened the ticket.
    Customer,
    /// A member of staff.
    Staff,
}

impl TicketParty {
    /// The stored and JSON form: `customer` or `staff`.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketParty::Customer => "customer",
            TicketParty::Staff => "staff",
        }
    }
}

/// Payload of [`CustomerEvent::SupportTicketClosed`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct SupportTicketClosed {
    /// The ticket.
    pub ticket: TicketId,
}

/// Payload of [`CustomerEvent::DealerApplicationSubmitted`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DealerApplicationSubmitted {
    /// The application.
    pub application: ApplicationId,
    /// The business applying, e.g. "Clay & Cup Café".
    pub company_name: String,
    /// The person applying, who becomes the company's first user.
    pub contact_name: String,
    /// Their address; their sign-in once approved.
    pub email: Email,
    /// What they told us about the business (may be empty).
    pub message: String,
}

/// Payload of [`CustomerEvent::DealerApplicationApproved`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DealerApplicationApproved {
    /// The application.
    pub application: ApplicationId,
    /// The dealer company it opens.
    pub company: CompanyId,
    /// The company's name, as applied.
    pub company_name: String,
    /// The price tier the company buys at.
    pub tier: DealerTier,
}

/// Payload of [`CustomerEvent::DealerApplicationDeclined`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DealerApplicationDeclined {
    /// The application.
    pub application: ApplicationId,
    /// Why, in words the applicant could be told.
    pub reason: String,
}

/// The price tier a dealer company buys at: a discount off the base price
/// of every product, deepened by the [`VOLUME_BREAKS`] as a line's
/// quantity grows. (Account-specific promotional prices are not built yet.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DealerTier {
    /// A new trade account: 40% off.
    Trade,
    /// A steady buyer: 45% off.
    Volume,
    /// A long-standing partner: 50% off.
    Partner,
}

impl DealerTier {
    /// Every tier, cheapest discount first.
    pub const ALL: [DealerTier; 3] = [DealerTier::Trade, DealerTier::Volume, DealerTier::Partner];

    /// The tier's name: `trade`, `volume` or `partner`.
    pub fn as_str(self) -> &'static str {
        match self {
            DealerTier::Trade => "trade",
            DealerTier::Volume => "volume",
            DealerTier::Partner => "partner",
        }
    }

    /// The tier named `text`, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|tier| tier.as_str() == text)
    }

    /// The discount off the base price, in percent.
    pub fn discount_percent(self) -> i64 {
        match self {
            DealerTier::Trade => 40,
            DealerTier::Volume => 45,
            DealerTier::Partner => 50,
        }
    }

    /// What a dealer of this tier pays for one unit of a product whose
    /// base price is `base`, ordering fewer than the first volume break:
    /// the tier's discount applied, rounded to the nearest minor unit
    /// (halves up).
    pub fn price(self, base: Money) -> Money {
        discounted(base, self.discount_percent())
    }

    /// The price of one unit when `quantity` units of the product are on
    /// one line, and where it came from: the tier's discount plus the
    /// extra discount of the highest volume break the quantity reaches.
    pub fn price_for_quantity(self, base: Money, quantity: u32) -> (Money, PriceSource) {
        let volume_break = VolumeBreak::for_quantity(quantity);
        let discount_percent = self.discount_percent() + volume_break.extra_discount_percent;
        (
            discounted(base, discount_percent),
            PriceSource::DealerTier {
                tier: self,
                break_from: volume_break.from_quantity,
                discount_percent,
            },
        )
    }
}

/// `base` less `percent` percent, rounded to the nearest minor unit
/// (halves up).
fn discounted(base: Money, percent: i64) -> Money {
    let kept = 100 - percent;
    Money::new(
        (base.minor_units * kept + 50).div_euclid(100),
        base.currency,
    )
}

/// A quantity from which a dealer's line is cheaper per unit: the same
/// breaks for every tier, on top of the tier's own discount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VolumeBreak {
    /// The smallest quantity on one line that earns it.
    pub from_quantity: u32,
    /// Percentage points taken off the base price beyond the tier's discount.
    pub extra_discount_percent: i64,
}

/// The volume breaks, smallest first: 1–11 units at the tier price, 12–47
/// five points more off the base price, 48 and over ten points more (a
/// case of mugs is 12, a pallet layer 48).
pub const VOLUME_BREAKS: [VolumeBreak; 3] = [
    VolumeBreak {
        from_quantity: 1,
        extra_discount_percent: 0,
    },
    VolumeBreak {
        from_quantity: 12,
        extra_discount_percent: 5,
    },
    VolumeBreak {
        from_quantity: 48,
        extra_discount_percent: 10,
    },
];

impl VolumeBreak {
    /// The highest break `quantity` reaches (the first for 0, which no
    /// order accepts anyway).
    pub fn for_quantity(quantity: u32) -> VolumeBreak {
        VOLUME_BREAKS
            .into_iter()
            .rev()
            .find(|volume_break| quantity >= volume_break.from_quantity)
            .unwrap_or(VOLUME_BREAKS[0])
    }

    /// The largest quantity of this break, or `None` for the last one.
    pub fn to_quantity(self) -> Option<u32> {
        VOLUME_BREAKS
            .into_iter()
            .find(|next| next.from_quantity > self.from_quantity)
            .map(|next| next.from_quantity - 1)
    }

    /// What dealers read, e.g. `12–47` or `48+`.
    pub fn label(self) -> String {
        match self.to_quantity() {
            Some(to) => format!("{}–{to}", self.from_quantity),
            None => format!("{}+", self.from_quantity),
        }
    }
}

impl fmt::Display for DealerTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Payload of [`CustomerEvent::OrderPlaced`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct OrderPlaced {
    /// The order.
    pub order: OrderId,
    /// Who placed it.
    pub buyer: Buyer,
    /// What was ordered, one line per product, in the order the buyer added them.
    pub lines: Vec<OrderLine>,
    /// The sum of the lines before tax.
    pub subtotal: Money,
    /// How it is to be shipped.
    pub shipping_option: ShippingOption,
    /// What shipping costs (untaxed).
    pub shipping: Money,
    /// The sales tax rate charged on every line.
    pub tax_rate: TaxRate,
    /// The sum of the lines' tax.
    pub tax: Money,
    /// What the buyer owes: subtotal, shipping and tax.
    pub total: Money,
    /// Where it goes.
    pub ship_to: ShippingAddress,
    /// How it is to be paid.
    pub payment: PaymentMethod,
}

/// Who placed an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Buyer {
    /// A shopper who checked out without an account.
    Guest {
        /// The name they gave.
        name: String,
        /// Where the confirmation goes.
        email: Email,
    },
    /// A signed-in shopper.
    Consumer {
        /// Their account.
        account: AccountId,
        /// The name they gave at checkout.
        name: String,
        /// Where the confirmation goes.
        email: Email,
    },
    /// A user of a dealer company, ordering in the trade portal for it.
    Dealer {
        /// The company buying (and owing the invoice).
        company: CompanyId,
        /// The company's name when ordered.
        company_name: String,
        /// The user who placed the order.
        account: AccountId,
        /// Where the confirmation goes.
        email: Email,
    },
}

impl Buyer {
    /// The buyer's name as given at checkout.
    /// For a dealer, the company's name.
    pub fn name(&self) -> &str {
        match self {
            Buyer::Guest { name, .. } | Buyer::Consumer { name, .. } => name,
            Buyer::Dealer { company_name, .. } => company_name,
        }
    }

    /// The buyer's email address.
    pub fn email(&self) -> &Email {
        match self {
            Buyer::Guest { email, .. }
            | Buyer::Consumer { email, .. }
            | Buyer::Dealer { email, .. } => email,
        }
    }

    /// `guest`, `consumer` or `dealer`: how the buyer is stored and filtered.
    pub fn kind(&self) -> &'static str {
        match self {
            Buyer::Guest { .. } => "guest",
            Buyer::Consumer { .. } => "consumer",
            Buyer::Dealer { .. } => "dealer",
        }
    }

    /// The account that placed the order; none for a guest.
    pub fn account(&self) -> Option<&AccountId> {
        match self {
            Buyer::Guest { .. } => None,
            Buyer::Consumer { account, .. } | Buyer::Dealer { account, .. } => Some(account),
        }
    }

    /// The dealer company buying, if a dealer is.
    pub fn company(&self) -> Option<&CompanyId> {
        match self {
            Buyer::Dealer { company, .. } => Some(company),
            _ => None,
        }
    }
}

/// One product on an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct OrderLine {
    /// The product.
    pub sku: Sku,
    /// Its name when ordered.
    pub name: String,
    /// How many, at least one.
    pub quantity: u32,
    /// What one costs this buyer, before tax.
    pub unit_price: Money,
    /// Where the unit price came from.
    pub price_source: PriceSource,
    /// Quantity times unit price.
    pub line_total: Money,
    /// The sales tax on the line total.
    pub tax: Money,
    /// What one unit cost to make when sold, if the product was costed
    /// (for margins; never shown to the buyer). Absent in orders placed
    /// before costs were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cost: Option<Money>,
}

/// Where a line's unit price came from, so every price charged is
/// explainable: the catalog's base price, a dealer's tier and volume
/// break, or a promotional price offered to the dealer's company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum PriceSource {
    /// Category Management's base price, as listed on the storefront.
    Base,
    /// A dealer company's price: its tier's discount off the base price,
    /// plus the volume break the line's quantity reached.
    DealerTier {
        /// The company's tier when ordered.
        tier: DealerTier,
        /// The volume break's smallest quantity (1, 12 or 48).
        break_from: u32,
        /// The whole discount off the base price, in percent.
        discount_percent: i64,
    },
    /// A promotional price offered to the dealer's company for this
    /// product (`DealerPromotionOffered` on the company's promotions
    /// stream), charged because it was below the tier's price.
    AccountPromotion {
        /// What the tier and volume break would have charged instead.
        tier_price: Money,
    },
}

impl PriceSource {
    /// What a buyer reads, e.g. `base price` or `trade tier, 48+ units: 50% off`.
    pub fn label(self) -> String {
        match self {
            PriceSource::Base => "base price".to_owned(),
            PriceSource::DealerTier {
                tier,
                break_from,
                discount_percent,
            } => format!(
                "{tier} tier, {} units: {discount_percent}% off",
                VolumeBreak::for_quantity(break_from).label()
            ),
            PriceSource::AccountPromotion { tier_price } => {
                format!("your promotional price (tier price {tier_price})")
            }
        }
    }
}

/// How an order is shipped, and what that costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShippingOption {
    /// Tracked post, three to five working days.
    Standard,
    /// Next working day by courier.
    Express,
}

impl ShippingOption {
    /// Every option, cheapest first.
    pub const ALL: [ShippingOption; 2] = [ShippingOption::Standard, ShippingOption::Express];

    /// The form and JSON value: `standard` or `express`.
    pub fn as_str(self) -> &'static str {
        match self {
            ShippingOption::Standard => "standard",
            ShippingOption::Express => "express",
        }
    }

    /// The option named `text`, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|option| option.as_str() == text)
    }

    /// What shoppers read, e.g. `Standard, 3–5 working days`.
    pub fn label(self) -> &'static str {
        match self {
            ShippingOption::Standard => "Standard, 3–5 working days",
            ShippingOption::Express => "Express, next working day",
        }
    }

    /// What it costs in `currency`'s minor units (the same figure in every
    /// currency the shop prices in).
    pub fn price(self, currency: kiln_core::money::Currency) -> Money {
        match self {
            ShippingOption::Standard => Money::new(600, currency),
            ShippingOption::Express => Money::new(1500, currency),
        }
    }
}

/// Where an order is shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ShippingAddress {
    /// Who receives it.
    pub name: String,
    /// Street and number.
    pub line1: String,
    /// Flat, building or company; may be empty.
    pub line2: String,
    /// Town or city.
    pub city: String,
    /// Postal or ZIP code.
    pub postcode: String,
    /// Country.
    pub country: String,
}

/// How an order is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// By bank transfer against an invoice, quoting the order id: the
    /// order waits for the money, nothing is charged online. (When card
    /// payments are set up, the buyer may pay such an order by card from
    /// its page instead.)
    BankTransfer,
    /// On the dealer company's account: invoiced, due within
    /// [`INVOICE_DUE_DAYS`] days of the order.
    Invoice,
}

/// How many days a dealer has to pay an invoice.
pub const INVOICE_DUE_DAYS: u32 = 30;

impl PaymentMethod {
    /// The stored and JSON form: `bank_transfer` or `invoice`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::BankTransfer => "bank_transfer",
            PaymentMethod::Invoice => "invoice",
        }
    }

    /// The method stored as `text`, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        [PaymentMethod::BankTransfer, PaymentMethod::Invoice]
            .into_iter()
            .find(|method| method.as_str() == text)
    }
}

kiln_core::event::tagged_events!(
    CustomerEvent,
    Customers,
    schema 1,
    [
        DealerApplicationSubmitted,
        DealerApplicationApproved,
        DealerApplicationDeclined,
        OrderPlaced,
        OrderPaymentCaptured,
        OrderPaymentDeclined,
        SupportTicketOpened,
        SupportTicketReplied,
        SupportTicketClosed,
        SupportTicketFlagged,
        DealerPromotionOffered,
        DealerPromotionWithdrawn,
        DealerApplicationVerdictProposed,
        DealerApplicationProposalApproved,
        DealerApplicationProposalRejected,
    ]
);
