//! Orders (one stream per order, `order-<id>`): the pricing, tax and
//! address rules of [`decide_order`], and the card payments recorded on an
//! order.

use super::applications::{CustomerError, MAX_NAME_CHARS, required};
use crate::functions::category::events::Sku;
use crate::functions::customers::events::{
    Buyer, CustomerEvent, DealerTier, OrderId, OrderLine, OrderPlaced, PaymentMethod, PriceSource,
    ShippingAddress, ShippingOption,
};
use kiln_core::money::{Currency, Money, TaxRate};

/// The most lines one order may have.
pub const MAX_ORDER_LINES: usize = 50;
/// The most units of one product a consumer may order at once; larger
/// quantities are trade orders, placed through the dealer portal.
pub const MAX_CONSUMER_QUANTITY: u32 = 99;
/// The most of one product a dealer may order on one line: a season's
/// stock for a large shop, and far from what the kilns make in a year.
pub const MAX_DEALER_QUANTITY: u32 = 9_999;
/// The longest address field accepted, in characters.
pub const MAX_ADDRESS_CHARS: usize = 200;

/// A request to place an order, after the service has looked up who is
/// buying and what the products cost (the [`PriceBook`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceOrder {
    /// The new order's id (chosen by the checkout page, so that sending
    /// the same checkout twice places one order).
    pub order: OrderId,
    /// Who is buying.
    pub buyer: Buyer,
    /// Products and quantities, in the order the buyer added them; the
    /// same product twice is one line with the quantities added up.
    pub lines: Vec<(Sku, u32)>,
    /// Where it goes.
    pub ship_to: ShippingAddress,
    /// How it is shipped.
    pub shipping_option: ShippingOption,
    /// How it is paid.
    pub payment: PaymentMethod,
    /// The sales tax rate the shop charges today.
    pub tax_rate: TaxRate,
    /// Which prices the lines are charged at: the storefront's for
    /// shoppers, the company's tier for a dealer.
    pub price_list: PriceList,
}

/// Which prices an order is charged at, and how many of a product it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceList {
    /// The catalog's base prices, up to [`MAX_CONSUMER_QUANTITY`] a line.
    Storefront,
    /// A dealer company's tier with its volume breaks, up to
    /// [`MAX_DEALER_QUANTITY`] a line.
    Dealer(DealerTier),
}

impl PriceList {
    /// The largest quantity of one product an order on this list may hold.
    pub fn max_quantity(self) -> u32 {
        match self {
            PriceList::Storefront => MAX_CONSUMER_QUANTITY,
            PriceList::Dealer(_) => MAX_DEALER_QUANTITY,
        }
    }

    /// The unit price of `quantity` units of a product whose base price is
    /// `base`, and where it came from.
    pub fn unit_price(self, base: Money, quantity: u32) -> (Money, PriceSource) {
        match self {
            PriceList::Storefront => (base, PriceSource::Base),
            PriceList::Dealer(tier) => tier.price_for_quantity(base, quantity),
        }
    }
}

/// A listed product as the order rules need it: its name and base price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogPrice {
    /// The product's name.
    pub name: String,
    /// Its base price.
    pub base_price: Money,
    /// What one unit costs to make, if costed: recorded on the order line
    /// so its margin is known as sold.
    pub unit_cost: Option<Money>,
    /// The buying dealer company's promotional price for it, if it has one.
    pub promotion: Option<Money>,
}

/// The listed products an order may contain, by SKU (read from Category
/// Management's catalog by the service).
pub type PriceBook = std::collections::HashMap<Sku, CatalogPrice>;

/// An order as its rules need it, folded from the order's stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrderState {
    /// An order was already placed under this id.
    pub placed: bool,
    /// What the buyer owes, once placed.
    pub total: Option<Money>,
    /// How it is to be paid, once placed.
    pub payment: Option<PaymentMethod>,
    /// Whether a card payment was captured.
    pub paid: bool,
    /// How many card payments were declined.
    pub declines: u32,
}

impl OrderState {
    /// Folds an order's past events, oldest first.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a CustomerEvent>) -> Self {
        let mut state = OrderState::default();
        for event in events {
            match event {
                CustomerEvent::OrderPlaced(placed) => {
                    state.placed = true;
                    state.total = Some(placed.total);
                    state.payment = Some(placed.payment);
                }
                CustomerEvent::OrderPaymentCaptured(_) => state.paid = true,
                CustomerEvent::OrderPaymentDeclined(_) => {
                    state.declines = state.declines.saturating_add(1);
                }
                _ => {}
            }
        }
        state
    }
}

/// A card payment rule that refused a charge; shown verbatim to the buyer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// No order has this id.
    #[error("there is no order {order}")]
    NoSuchOrder {
        /// The id.
        order: OrderId,
    },
    /// An order is paid once.
    #[error("order {order} is already paid")]
    AlreadyPaid {
        /// The id.
        order: OrderId,
    },
    /// Dealer orders are invoiced to the company's account.
    #[error("order {order} is on account: it is paid against its invoice")]
    OnAccount {
        /// The id.
        order: OrderId,
    },
}

/// What the next card charge of `order` is: its attempt number (which
/// names its idempotency key) and the amount, or why it may not be made.
pub fn next_card_attempt(
    state: &OrderState,
    order: &OrderId,
) -> Result<(u32, Money), PaymentError> {
    let (Some(total), Some(payment)) = (state.total, state.payment) else {
        return Err(PaymentError::NoSuchOrder {
            order: order.clone(),
        });
    };
    if state.paid {
        return Err(PaymentError::AlreadyPaid {
            order: order.clone(),
        });
    }
    if payment == PaymentMethod::Invoice {
        return Err(PaymentError::OnAccount {
            order: order.clone(),
        });
    }
    Ok((state.declines.saturating_add(1), total))
}

/// How a card charge ended, as the provider answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardResult {
    /// Taken, with the provider's reference.
    Captured {
        /// E.g. `pi_3Mt…`.
        reference: String,
    },
    /// Refused, with the provider's reason.
    Declined {
        /// E.g. "Your card was declined."
        reason: String,
    },
}

/// Records a card charge's outcome on the order. Refused if the order was
/// paid meanwhile, so a payment is never recorded twice.
pub fn record_card_result(
    state: &OrderState,
    order: &OrderId,
    attempt: u32,
    gateway: &str,
    result: CardResult,
) -> Result<Vec<CustomerEvent>, PaymentError> {
    let (_, amount) = next_card_attempt(state, order)?;
    Ok(vec![match result {
        CardResult::Captured { reference } => CustomerEvent::OrderPaymentCaptured(
            crate::functions::customers::events::OrderPaymentCaptured {
                order: order.clone(),
                amount,
                gateway: gateway.to_owned(),
                reference,
                attempt,
            },
        ),
        CardResult::Declined { reason } => CustomerEvent::OrderPaymentDeclined(
            crate::functions::customers::events::OrderPaymentDeclined {
                order: order.clone(),
                reason,
                attempt,
            },
        ),
    }])
}

/// An ordering rule that refused an order; shown verbatim to the buyer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// An order needs at least one product.
    #[error("the order has no products: add at least one first")]
    NoLines,
    /// Dealers buy at their own prices in the portal, and only dealers do.
    #[error("{0}")]
    WrongPriceList(&'static str),
    /// Too many different products in one order.
    #[error("an order may have at most {max} different products")]
    TooManyLines {
        /// The limit.
        max: usize,
    },
    /// The product is not in the catalog (or no longer listed).
    #[error("there is no product {sku} in the shop")]
    UnknownProduct {
        /// The SKU asked for.
        sku: Sku,
    },
    /// A quantity outside what the buyer may order of one product.
    #[error("{quantity} × {sku} cannot be ordered: order from 1 to {max} of a product")]
    QuantityOutOfRange {
        /// The product.
        sku: Sku,
        /// The quantity asked for.
        quantity: u32,
        /// The largest quantity allowed.
        max: u32,
    },
    /// Products priced in different currencies cannot share one order.
    #[error("{sku} is priced in another currency than the rest of the order")]
    MixedCurrencies {
        /// The product whose currency differs.
        sku: Sku,
    },
    /// An amount too large to add up.
    #[error("the order's amounts are too large to add up")]
    AmountTooLarge,
    /// A required field of the address or buyer is blank.
    #[error("the {field} is missing")]
    Missing {
        /// Which field.
        field: &'static str,
    },
    /// A field longer than any real address needs.
    #[error("the {field} may have at most {max} characters")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Its limit.
        max: usize,
    },
    /// Order ids are never reused.
    #[error("order {order} has already been placed")]
    AlreadyPlaced {
        /// The id.
        order: OrderId,
    },
}

/// Decides an order: every line priced from the price book, taxed, and
/// added up with the shipping. Refuses the whole order if any part of it
/// breaks a rule, so an order is placed completely or not at all.
pub fn decide_order(
    state: &OrderState,
    prices: &PriceBook,
    command: PlaceOrder,
) -> Result<Vec<CustomerEvent>, OrderError> {
    if state.placed {
        return Err(OrderError::AlreadyPlaced {
            order: command.order,
        });
    }
    match (&command.buyer, command.price_list) {
        (Buyer::Dealer { .. }, PriceList::Dealer(_)) => {}
        (Buyer::Dealer { .. }, PriceList::Storefront) => {
            return Err(OrderError::WrongPriceList(
                "dealer accounts order through the trade portal, at their own prices",
            ));
        }
        (_, PriceList::Dealer(_)) => {
            return Err(OrderError::WrongPriceList(
                "only dealer accounts buy at trade prices",
            ));
        }
        (_, PriceList::Storefront) => {}
    }
    let buyer = checked_buyer(command.buyer)?;
    let ship_to = checked_address(command.ship_to)?;
    let quantities = merged_lines(command.lines);
    if quantities.is_empty() {
        return Err(OrderError::NoLines);
    }
    if quantities.len() > MAX_ORDER_LINES {
        return Err(OrderError::TooManyLines {
            max: MAX_ORDER_LINES,
        });
    }
    let mut lines = Vec::with_capacity(quantities.len());
    for (sku, quantity) in quantities {
        let Some(price) = prices.get(&sku) else {
            return Err(OrderError::UnknownProduct { sku });
        };
        let max = command.price_list.max_quantity();
        if !(1..=max).contains(&quantity) {
            return Err(OrderError::QuantityOutOfRange { sku, quantity, max });
        }
        let (mut unit_price, mut price_source) =
            command.price_list.unit_price(price.base_price, quantity);
        // A dealer's promotional price applies when it beats the tier's
        // price for this quantity: the dealer always pays the lower one.
        if let (PriceList::Dealer(_), Some(promotion)) = (command.price_list, price.promotion)
            && promotion.currency == unit_price.currency
            && promotion.minor_units < unit_price.minor_units
        {
            price_source = PriceSource::AccountPromotion {
                tier_price: unit_price,
            };
            unit_price = promotion;
        }
        let line_total = unit_price
            .minor_units
            .checked_mul(i64::from(quantity))
            .map(|minor_units| Money::new(minor_units, unit_price.currency))
            .ok_or(OrderError::AmountTooLarge)?;
        let tax = command
            .tax_rate
            .tax_on(line_total)
            .ok_or(OrderError::AmountTooLarge)?;
        lines.push(OrderLine {
            sku,
            name: price.name.clone(),
            quantity,
            unit_price,
            price_source,
            line_total,
            tax,
            unit_cost: price.unit_cost,
        });
    }
    let currency = lines[0].unit_price.currency;
    if let Some(other) = lines
        .iter()
        .find(|line| line.unit_price.currency != currency)
    {
        return Err(OrderError::MixedCurrencies {
            sku: other.sku.clone(),
        });
    }
    let subtotal = sum(currency, lines.iter().map(|line| line.line_total))?;
    let tax = sum(currency, lines.iter().map(|line| line.tax))?;
    let shipping = command.shipping_option.price(currency);
    let total = sum(currency, [subtotal, shipping, tax].into_iter())?;
    Ok(vec![CustomerEvent::OrderPlaced(Box::new(OrderPlaced {
        order: command.order,
        buyer,
        lines,
        subtotal,
        shipping_option: command.shipping_option,
        shipping,
        tax_rate: command.tax_rate,
        tax,
        total,
        ship_to,
        payment: command.payment,
    }))])
}

/// The amounts added up, or a refusal if they overflow.
fn sum(currency: Currency, amounts: impl Iterator<Item = Money>) -> Result<Money, OrderError> {
    amounts
        .map(|amount| amount.minor_units)
        .try_fold(0_i64, i64::checked_add)
        .map(|minor_units| Money::new(minor_units, currency))
        .ok_or(OrderError::AmountTooLarge)
}

/// The buyer with their name trimmed; refused when it is blank or too long.
fn checked_buyer(buyer: Buyer) -> Result<Buyer, OrderError> {
    let name = |name: &str| order_field(name, "name", MAX_NAME_CHARS);
    Ok(match buyer {
        Buyer::Guest { name: given, email } => Buyer::Guest {
            name: name(&given)?,
            email,
        },
        Buyer::Consumer {
            account,
            name: given,
            email,
        } => Buyer::Consumer {
            account,
            name: name(&given)?,
            email,
        },
        Buyer::Dealer {
            company,
            company_name,
            account,
            email,
        } => Buyer::Dealer {
            company,
            company_name: order_field(&company_name, "company name", MAX_NAME_CHARS)?,
            account,
            email,
        },
    })
}

/// The address with every field trimmed; only the second line may be blank.
fn checked_address(address: ShippingAddress) -> Result<ShippingAddress, OrderError> {
    let line2 = address.line2.trim();
    if line2.chars().count() > MAX_ADDRESS_CHARS {
        return Err(OrderError::TooLong {
            field: "second address line",
            max: MAX_ADDRESS_CHARS,
        });
    }
    Ok(ShippingAddress {
        name: order_field(&address.name, "recipient's name", MAX_NAME_CHARS)?,
        line1: order_field(&address.line1, "street address", MAX_ADDRESS_CHARS)?,
        line2: line2.to_owned(),
        city: order_field(&address.city, "town or city", MAX_ADDRESS_CHARS)?,
        postcode: order_field(&address.postcode, "postcode", MAX_ADDRESS_CHARS)?,
        country: order_field(&address.country, "country", MAX_ADDRESS_CHARS)?,
    })
}

/// `text` trimmed; refused when blank or longer than `max` characters.
fn order_field(text: &str, field: &'static str, max: usize) -> Result<String, OrderError> {
    required(text, field, max).map_err(|refusal| match refusal {
        CustomerError::TooLong { field, max } => OrderError::TooLong { field, max },
        _ => OrderError::Missing { field },
    })
}

/// The lines with repeated products merged into their first line. Sums
/// saturate: a quantity that large is refused by the range check anyway.
fn merged_lines(lines: Vec<(Sku, u32)>) -> Vec<(Sku, u32)> {
    let mut merged: Vec<(Sku, u32)> = Vec::with_capacity(lines.len());
    for (sku, quantity) in lines {
        match merged.iter_mut().find(|(seen, _)| *seen == sku) {
            Some((_, total)) => *total = total.saturating_add(quantity),
            None => merged.push((sku, quantity)),
        }
    }
    merged
}

#[cfg(test)]
mod order_tests {
    use super::*;
    use crate::functions::customers::events::{VOLUME_BREAKS, VolumeBreak};
    use kiln_core::identity::{CompanyId, Email};
    use kiln_core::money::Currency;

    fn sku(text: &str) -> Sku {
        Sku::parse(text).expect("test SKU is valid")
    }

    fn order_id() -> OrderId {
        OrderId::from_random([1, 2, 3, 4, 5, 6, 7, 8])
    }

    fn usd(minor_units: i64) -> Money {
        Money::new(minor_units, Currency::Usd)
    }

    /// The shop's price book: a mug at $28.00 and a planter at $42.00.
    fn prices() -> PriceBook {
        PriceBook::from([
            (
                sku("MUG-SPECKLE-12"),
                CatalogPrice {
                    name: "Speckled Morning Mug".into(),
                    base_price: usd(2800),
                    unit_cost: None,
                    promotion: None,
                },
            ),
            (
                sku("PLN-TERRA-6"),
                CatalogPrice {
                    name: "Terracotta Planter".into(),
                    base_price: usd(4200),
                    unit_cost: None,
                    promotion: None,
                },
            ),
        ])
    }

    fn address() -> ShippingAddress {
        ShippingAddress {
            name: "Ada Byron".into(),
            line1: "12 Kiln Lane".into(),
            line2: String::new(),
            city: "Stoke".into(),
            postcode: "ST1 4AB".into(),
            country: "United Kingdom".into(),
        }
    }

    /// A guest orders two mugs and a planter, standard shipping, at 8.25% tax.
    fn guest_order() -> PlaceOrder {
        PlaceOrder {
            order: order_id(),
            buyer: Buyer::Guest {
                name: "Ada Byron".into(),
                email: Email::parse("ada@example.com").expect("valid address"),
            },
            lines: vec![(sku("MUG-SPECKLE-12"), 2), (sku("PLN-TERRA-6"), 1)],
            ship_to: address(),
            shipping_option: ShippingOption::Standard,
            payment: PaymentMethod::BankTransfer,
            tax_rate: TaxRate { basis_points: 825 },
            price_list: PriceList::Storefront,
        }
    }

    /// Clay & Cup Café, a trade-tier dealer, orders two mugs on account.
    fn dealer_order(tier: DealerTier, lines: Vec<(Sku, u32)>) -> PlaceOrder {
        PlaceOrder {
            buyer: Buyer::Dealer {
                company: CompanyId::parse("dlr-0102030405060708").expect("valid company id"),
                company_name: "Clay & Cup Café".into(),
                account: kiln_core::identity::AccountId::parse("acc-0102030405060708")
                    .expect("valid account id"),
                email: Email::parse("orders@clayandcup.example").expect("valid address"),
            },
            lines,
            payment: PaymentMethod::Invoice,
            price_list: PriceList::Dealer(tier),
            ..guest_order()
        }
    }

    fn unit_prices(events: &[CustomerEvent]) -> Vec<(u32, Money, PriceSource)> {
        placed(events)
            .lines
            .iter()
            .map(|line| (line.quantity, line.unit_price, line.price_source))
            .collect()
    }

    #[test]
    fn a_dealers_promotional_price_is_charged_only_where_it_beats_the_tier() {
        let mut book = prices();
        // $15.00 for the speckled mug: below the trade tier's $16.80 for
        // 11 units, above its $14.00 for 48 or more.
        if let Some(mug) = book.get_mut(&sku("MUG-SPECKLE-12")) {
            mug.promotion = Some(usd(1500));
        }
        let few = decide_order(
            &given(&[]),
            &book,
            dealer_order(DealerTier::Trade, vec![(sku("MUG-SPECKLE-12"), 11)]),
        )
        .expect("accepted");
        assert_eq!(
            unit_prices(&few),
            vec![(
                11,
                usd(1500),
                PriceSource::AccountPromotion {
                    tier_price: usd(1680)
                }
            )]
        );
        let many = decide_order(
            &given(&[]),
            &book,
            dealer_order(DealerTier::Trade, vec![(sku("MUG-SPECKLE-12"), 48)]),
        )
        .expect("accepted");
        assert!(matches!(
            unit_prices(&many)[..],
            [(48, price, PriceSource::DealerTier { break_from: 48, .. })] if price == usd(1400)
        ));
    }

    #[test]
    fn a_dealer_pays_the_tier_price_deepened_at_each_volume_break() {
        let events = decide_order(
            &given(&[]),
            &prices(),
            dealer_order(
                DealerTier::Trade,
                vec![(sku("MUG-SPECKLE-12"), 11), (sku("PLN-TERRA-6"), 12)],
            ),
        )
        .expect("accepted");
        let source = |break_from, discount_percent| PriceSource::DealerTier {
            tier: DealerTier::Trade,
            break_from,
            discount_percent,
        };
        assert_eq!(
            unit_prices(&events),
            vec![
                // 40% off $28.00 below the first break.
                (11, usd(1680), source(1, 40)),
                // 45% off $42.00 from 12 units.
                (12, usd(2310), source(12, 45)),
            ]
        );
        let sixty = decide_order(
            &given(&[]),
            &prices(),
            dealer_order(DealerTier::Partner, vec![(sku("MUG-SPECKLE-12"), 60)]),
        )
        .expect("accepted");
        let PriceSource::DealerTier { tier, .. } = unit_prices(&sixty)[0].2 else {
            panic!("a dealer line is priced by its tier");
        };
        assert_eq!(tier, DealerTier::Partner);
        // Partner's 50% plus the 48+ break's 10 points: 60% off $28.00.
        assert_eq!(unit_prices(&sixty)[0].1, usd(1120));
        assert_eq!(placed(&sixty).subtotal, usd(60 * 1120));
        assert_eq!(placed(&sixty).payment, PaymentMethod::Invoice);
    }

    #[test]
    fn the_break_is_reached_by_the_merged_quantity_of_a_line() {
        let events = decide_order(
            &given(&[]),
            &prices(),
            dealer_order(
                DealerTier::Trade,
                vec![(sku("MUG-SPECKLE-12"), 40), (sku("MUG-SPECKLE-12"), 8)],
            ),
        )
        .expect("accepted");
        assert!(matches!(
            unit_prices(&events)[..],
            [(48, _, PriceSource::DealerTier { break_from: 48, .. })]
        ));
    }

    #[test]
    fn a_dealer_may_order_up_to_the_trade_limit_of_one_product_and_no_more() {
        let at_limit = dealer_order(
            DealerTier::Volume,
            vec![(sku("MUG-SPECKLE-12"), MAX_DEALER_QUANTITY)],
        );
        assert!(decide_order(&given(&[]), &prices(), at_limit).is_ok());
        for quantity in [0, MAX_DEALER_QUANTITY + 1, u32::MAX] {
            let command = dealer_order(DealerTier::Volume, vec![(sku("MUG-SPECKLE-12"), quantity)]);
            assert_eq!(
                decide_order(&given(&[]), &prices(), command),
                Err(OrderError::QuantityOutOfRange {
                    sku: sku("MUG-SPECKLE-12"),
                    quantity,
                    max: MAX_DEALER_QUANTITY,
                }),
                "{quantity}"
            );
        }
    }

    #[test]
    fn trade_prices_are_for_dealers_and_dealers_buy_only_at_them() {
        let shopper_at_trade_prices = PlaceOrder {
            price_list: PriceList::Dealer(DealerTier::Partner),
            ..guest_order()
        };
        assert_eq!(
            decide_order(&given(&[]), &prices(), shopper_at_trade_prices),
            Err(OrderError::WrongPriceList(
                "only dealer accounts buy at trade prices"
            ))
        );
        let dealer_at_shop_prices = PlaceOrder {
            price_list: PriceList::Storefront,
            ..dealer_order(DealerTier::Trade, vec![(sku("MUG-SPECKLE-12"), 1)])
        };
        assert!(matches!(
            decide_order(&given(&[]), &prices(), dealer_at_shop_prices),
            Err(OrderError::WrongPriceList(_))
        ));
    }

    #[test]
    fn volume_breaks_are_labelled_as_dealers_read_them() {
        let labels: Vec<String> = VOLUME_BREAKS.iter().map(|b| b.label()).collect();
        assert_eq!(labels, ["1–11", "12–47", "48+"]);
        assert_eq!(VolumeBreak::for_quantity(47).from_quantity, 12);
        assert_eq!(VolumeBreak::for_quantity(0).from_quantity, 1);
        assert_eq!(
            PriceSource::DealerTier {
                tier: DealerTier::Trade,
                break_from: 48,
                discount_percent: 50
            }
            .label(),
            "trade tier, 48+ units: 50% off"
        );
    }

    fn given(events: &[CustomerEvent]) -> OrderState {
        OrderState::from_events(events)
    }

    #[test]
    fn a_card_payment_is_recorded_once_and_a_decline_moves_to_the_next_attempt() {
        let mut history = decide_order(&given(&[]), &prices(), guest_order()).expect("placed");
        let total = placed(&history).total;
        assert_eq!(
            next_card_attempt(&given(&history), &order_id()),
            Ok((1, total))
        );
        history.extend(
            record_card_result(
                &given(&history),
                &order_id(),
                1,
                "stripe",
                CardResult::Declined {
                    reason: "Your card was declined.".into(),
                },
            )
            .expect("recorded"),
        );
        assert_eq!(
            next_card_attempt(&given(&history), &order_id()),
            Ok((2, total))
        );
        let captured = record_card_result(
            &given(&history),
            &order_id(),
            2,
            "stripe",
            CardResult::Captured {
                reference: "pi_2".into(),
            },
        )
        .expect("recorded");
        assert!(matches!(
            &captured[..],
            [CustomerEvent::OrderPaymentCaptured(paid)] if paid.amount == total && paid.attempt == 2
        ));
        history.extend(captured);
        let again = record_card_result(
            &given(&history),
            &order_id(),
            3,
            "stripe",
            CardResult::Captured {
                reference: "pi_3".into(),
            },
        );
        assert_eq!(again, Err(PaymentError::AlreadyPaid { order: order_id() }));
    }

    #[test]
    fn an_unknown_order_or_one_on_account_takes_no_card() {
        assert_eq!(
            next_card_attempt(&given(&[]), &order_id()),
            Err(PaymentError::NoSuchOrder { order: order_id() })
        );
        let history = decide_order(
            &given(&[]),
            &prices(),
            dealer_order(DealerTier::Trade, vec![(sku("MUG-SPECKLE-12"), 1)]),
        )
        .expect("placed");
        assert_eq!(
            next_card_attempt(&given(&history), &order_id()),
            Err(PaymentError::OnAccount { order: order_id() })
        );
    }

    fn placed(events: &[CustomerEvent]) -> &OrderPlaced {
        match events {
            [CustomerEvent::OrderPlaced(placed)] => placed,
            other => panic!("expected one OrderPlaced, got {other:?}"),
        }
    }

    #[test]
    fn an_order_records_each_line_at_its_base_price_with_tax_shipping_and_total() {
        let events = decide_order(&given(&[]), &prices(), guest_order()).expect("accepted");
        let order = placed(&events);
        assert_eq!(
            order.lines,
            vec![
                OrderLine {
                    sku: sku("MUG-SPECKLE-12"),
                    name: "Speckled Morning Mug".into(),
                    quantity: 2,
                    unit_price: usd(2800),
                    price_source: PriceSource::Base,
                    line_total: usd(5600),
                    // 8.25% of $56.00 = $4.62
                    tax: usd(462),
                    unit_cost: None,
                },
                OrderLine {
                    sku: sku("PLN-TERRA-6"),
                    name: "Terracotta Planter".into(),
                    quantity: 1,
                    unit_price: usd(4200),
                    price_source: PriceSource::Base,
                    line_total: usd(4200),
                    // 8.25% of $42.00 = $3.465, half up to $3.47
                    tax: usd(347),
                    unit_cost: None,
                },
            ]
        );
        assert_eq!(order.subtotal, usd(9800));
        assert_eq!(order.tax, usd(809));
        assert_eq!(order.shipping, usd(600));
        assert_eq!(order.total, usd(9800 + 809 + 600));
        assert_eq!(order.payment, PaymentMethod::BankTransfer);
    }

    #[test]
    fn the_same_product_twice_becomes_one_line_in_its_first_place() {
        let command = PlaceOrder {
            lines: vec![
                (sku("MUG-SPECKLE-12"), 1),
                (sku("PLN-TERRA-6"), 1),
                (sku("MUG-SPECKLE-12"), 2),
            ],
            ..guest_order()
        };
        let events = decide_order(&given(&[]), &prices(), command).expect("accepted");
        let quantities: Vec<_> = placed(&events)
            .lines
            .iter()
            .map(|line| (line.sku.to_string(), line.quantity))
            .collect();
        assert_eq!(
            quantities,
            vec![("MUG-SPECKLE-12".into(), 3), ("PLN-TERRA-6".into(), 1)]
        );
    }

    #[test]
    fn express_shipping_costs_more_than_standard() {
        let command = PlaceOrder {
            shipping_option: ShippingOption::Express,
            ..guest_order()
        };
        let events = decide_order(&given(&[]), &prices(), command).expect("accepted");
        assert_eq!(placed(&events).shipping, usd(1500));
    }

    #[test]
    fn an_order_id_already_placed_is_refused() {
        let history = decide_order(&given(&[]), &prices(), guest_order()).expect("first");
        assert_eq!(
            decide_order(&given(&history), &prices(), guest_order()),
            Err(OrderError::AlreadyPlaced { order: order_id() })
        );
    }

    #[test]
    fn an_empty_order_is_refused() {
        let command = PlaceOrder {
            lines: vec![],
            ..guest_order()
        };
        assert_eq!(
            decide_order(&given(&[]), &prices(), command),
            Err(OrderError::NoLines)
        );
    }

    #[test]
    fn a_product_not_in_the_catalog_refuses_the_whole_order() {
        let command = PlaceOrder {
            lines: vec![(sku("MUG-SPECKLE-12"), 1), (sku("VASE-GHOST-1"), 1)],
            ..guest_order()
        };
        assert_eq!(
            decide_order(&given(&[]), &prices(), command)
                .expect_err("refused")
                .to_string(),
            "there is no product VASE-GHOST-1 in the shop"
        );
    }

    #[test]
    fn zero_or_more_than_the_consumer_limit_is_refused() {
        for quantity in [0, MAX_CONSUMER_QUANTITY + 1, u32::MAX] {
            let command = PlaceOrder {
                lines: vec![(sku("MUG-SPECKLE-12"), quantity)],
                ..guest_order()
            };
            assert_eq!(
                decide_order(&given(&[]), &prices(), command),
                Err(OrderError::QuantityOutOfRange {
                    sku: sku("MUG-SPECKLE-12"),
                    quantity,
                    max: MAX_CONSUMER_QUANTITY,
                }),
                "{quantity}"
            );
        }
    }

    #[test]
    fn merged_quantities_over_the_limit_are_refused() {
        let command = PlaceOrder {
            lines: vec![(sku("MUG-SPECKLE-12"), 60), (sku("MUG-SPECKLE-12"), 60)],
            ..guest_order()
        };
        assert!(matches!(
            decide_order(&given(&[]), &prices(), command),
            Err(OrderError::QuantityOutOfRange { quantity: 120, .. })
        ));
    }

    #[test]
    fn a_blank_street_or_an_overlong_city_is_refused_and_named() {
        let blank = PlaceOrder {
            ship_to: ShippingAddress {
                line1: "   ".into(),
                ..address()
            },
            ..guest_order()
        };
        assert_eq!(
            decide_order(&given(&[]), &prices(), blank)
                .expect_err("refused")
                .to_string(),
            "the street address is missing"
        );
        let overlong = PlaceOrder {
            ship_to: ShippingAddress {
                city: "x".repeat(1_000_000),
                ..address()
            },
            ..guest_order()
        };
        assert_eq!(
            decide_order(&given(&[]), &prices(), overlong),
            Err(OrderError::TooLong {
                field: "town or city",
                max: MAX_ADDRESS_CHARS
            })
        );
    }

    #[test]
    fn unicode_names_and_addresses_are_kept_as_written_but_trimmed() {
        let command = PlaceOrder {
            buyer: Buyer::Guest {
                name: "  Zoë Łukasiewicz ".into(),
                email: Email::parse("zoe@example.com").expect("valid address"),
            },
            ship_to: ShippingAddress {
                city: " Kraków ".into(),
                ..address()
            },
            ..guest_order()
        };
        let events = decide_order(&given(&[]), &prices(), command).expect("accepted");
        assert_eq!(placed(&events).buyer.name(), "Zoë Łukasiewicz");
        assert_eq!(placed(&events).ship_to.city, "Kraków");
    }

    #[test]
    fn a_price_too_large_to_multiply_is_refused_not_wrapped() {
        let mut prices = prices();
        prices.insert(
            sku("MUG-GOLD-1"),
            CatalogPrice {
                name: "Gold Mug".into(),
                base_price: usd(i64::MAX / 2),
                unit_cost: None,
                promotion: None,
            },
        );
        let command = PlaceOrder {
            lines: vec![(sku("MUG-GOLD-1"), 3)],
            ..guest_order()
        };
        assert_eq!(
            decide_order(&given(&[]), &prices, command),
            Err(OrderError::AmountTooLarge)
        );
    }
}
