//! Money as integer minor units with a currency, never as floating point.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The currencies Kiln prices in. Each has two minor units (cents, pence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    /// United States dollar.
    Usd,
    /// Euro.
    Eur,
    /// Pound sterling.
    Gbp,
}

impl Currency {
    /// The ISO 4217 code, as stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
        }
    }

    /// Parses an ISO 4217 code this business prices in.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "USD" => Some(Currency::Usd),
            "EUR" => Some(Currency::Eur),
            "GBP" => Some(Currency::Gbp),
            _ => None,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Currency::Usd => "$",
            Currency::Eur => "€",
            Currency::Gbp => "£",
        }
    }
}

/// An amount of money: a whole number of minor units (cents) in a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Money {
    /// The amount in the currency's minor unit; negative for refunds and credits.
    pub minor_units: i64,
    /// The currency the amount is in.
    pub currency: Currency,
}

impl Money {
    /// An amount of `minor_units` cents (or pence) in `currency`.
    pub fn new(minor_units: i64, currency: Currency) -> Self {
        Money {
            minor_units,
            currency,
        }
    }

    /// Whether the amount is above zero.
    pub fn is_positive(self) -> bool {
        self.minor_units > 0
    }
}

impl fmt::Display for Money {
    /// Formats as a shopper reads it: `$28.00`, `-€4.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor_units < 0 { "-" } else { "" };
        let abs = self.minor_units.unsigned_abs();
        write!(
            f,
            "{sign}{}{}.{:02}",
            self.currency.symbol(),
            abs / 100,
            abs % 100
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_amounts_show_two_decimals() {
        assert_eq!(Money::new(2800, Currency::Usd).to_string(), "$28.00");
    }

    #[test]
    fn cents_are_padded_and_negatives_keep_their_sign() {
        assert_eq!(Money::new(-450, Currency::Eur).to_string(), "-€4.50");
        assert_eq!(Money::new(7, Currency::Gbp).to_string(), "£0.07");
    }

    #[test]
    fn currency_codes_round_trip_and_unknown_codes_are_refused() {
        for currency in [Currency::Usd, Currency::Eur, Currency::Gbp] {
            assert_eq!(Currency::from_code(currency.code()), Some(currency));
        }
        assert_eq!(Currency::from_code("usd"), None);
    }
}
