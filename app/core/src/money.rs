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

    /// The amount as a form field holds it, without symbol or grouping,
    /// e.g. `1250.50`; [`Money::parse_amount`] reads it back.
    pub fn amount_text(self) -> String {
        let sign = if self.minor_units < 0 { "-" } else { "" };
        let abs = self.minor_units.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// Parses an amount as people type it, in `currency`: `30`, `30.5`,
    /// `30.50`, `-4.50`, `1,250`, with an optional currency symbol
    /// (`$30.00`).
    /// Whether the amount suits its use (a price above zero) is the
    /// caller's rule, not this parser's.
    pub fn parse_amount(text: &str, currency: Currency) -> Result<Money, InvalidAmount> {
        let invalid = || InvalidAmount {
            text: text.chars().take(40).collect(),
        };
        let trimmed = text.trim();
        let (negative, unsigned) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let unsigned = unsigned.strip_prefix(currency.symbol()).unwrap_or(unsigned);
        let digits = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit());
        let (grouped, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "00"));
        // Thousands may be grouped as they are shown (`1,250.00`).
        let whole = grouped.replace(',', "");
        let whole = whole.as_str();
        // Twelve digits of whole units is a trillion: far beyond any price.
        if !digits(whole) || !digits(fraction) || whole.len() > 12 || fraction.len() > 2 {
            return Err(invalid());
        }
        let whole: i64 = whole.parse().map_err(|_| invalid())?;
        let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
        let minor_units = whole * 100 + cents;
        Ok(Money::new(
            if negative { -minor_units } else { minor_units },
            currency,
        ))
    }
}

/// Why a text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{text}” is not an amount: give it like 28 or 28.50")]
pub struct InvalidAmount {
    /// The text offered (its first 40 characters).
    pub text: String,
}

impl fmt::Display for Money {
    /// Formats as a shopper reads it: `$28.00`, `-€4.50`, `$8,959.98`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor_units < 0 { "-" } else { "" };
        let abs = self.minor_units.unsigned_abs();
        // Whole units in groups of three, for reading large totals.
        let digits = (abs / 100).to_string();
        let mut whole = String::with_capacity(digits.len() + digits.len() / 3);
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index).is_multiple_of(3) {
                whole.push(',');
            }
            whole.push(digit);
        }
        write!(
            f,
            "{sign}{}{whole}.{:02}",
            self.currency.symbol(),
            abs % 100
        )
    }
}

/// A sales tax rate in basis points (hundredths of a percent): `825` is
/// 8.25%. Configured per shop (`KILN_SALES_TAX_PERCENT`) and recorded on
/// every order line it was charged on, so a later change of rate never
/// rewrites what a customer was charged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct TaxRate {
    /// The rate in hundredths of a percent, from 0 to 10,000.
    pub basis_points: u32,
}

/// Why a text is not a [`TaxRate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "“{text}” is not a tax rate: give a percentage from 0 to 100 with at most two decimals, e.g. 8.25"
)]
pub struct InvalidTaxRate {
    /// The text offered.
    pub text: String,
}

impl TaxRate {
    /// The highest rate accepted: all of the price again.
    const MAX_BASIS_POINTS: u32 = 10_000;

    /// Parses a percentage such as `8.25`, `20` or `0`.
    pub fn parse_percent(text: &str) -> Result<Self, InvalidTaxRate> {
        let invalid = || InvalidTaxRate {
            text: text.to_owned(),
        };
        let digits = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit());
        let (whole, fraction) = match text.trim().split_once('.') {
            Some((whole, fraction)) if digits(fraction) => (whole, fraction),
            Some(_) => return Err(invalid()),
            None => (text.trim(), ""),
        };
        if !digits(whole) || fraction.len() > 2 {
            return Err(invalid());
        }
        let whole: u32 = whole.parse().map_err(|_| invalid())?;
        let hundredths: u32 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
        let basis_points = whole
            .checked_mul(100)
            .and_then(|points| points.checked_add(hundredths))
            .filter(|points| *points <= Self::MAX_BASIS_POINTS)
            .ok_or_else(invalid)?;
        Ok(TaxRate { basis_points })
    }

    /// The tax on `amount`, rounded to the nearest minor unit (halves up).
    /// `None` when the amount is too large to compute with.
    pub fn tax_on(self, amount: Money) -> Option<Money> {
        let scaled = amount
            .minor_units
            .checked_mul(i64::from(self.basis_points))?
            .checked_add(5_000)?;
        Some(Money::new(scaled.div_euclid(10_000), amount.currency))
    }
}

impl fmt::Display for TaxRate {
    /// Formats as a percentage: `8.25%`, `20%`, `0%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.basis_points / 100;
        match self.basis_points % 100 {
            0 => write!(f, "{whole}%"),
            hundredths if hundredths % 10 == 0 => write!(f, "{whole}.{}%", hundredths / 10),
            hundredths => write!(f, "{whole}.{hundredths:02}%"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_amount_as_a_form_holds_it_reads_back_as_the_same_money() {
        for minor in [0, 5, 940, 125_050, -450] {
            let money = Money::new(minor, Currency::Usd);
            assert_eq!(
                Money::parse_amount(&money.amount_text(), Currency::Usd),
                Ok(money)
            );
        }
        assert_eq!(Money::new(125_050, Currency::Usd).amount_text(), "1250.50");
    }

    #[test]
    fn amounts_show_with_their_symbol_cents_and_thousands_grouped() {
        for (minor, shown) in [
            (2800, "$28.00"),
            (5, "$0.05"),
            (-450, "-$4.50"),
            (99_999, "$999.99"),
            (100_000, "$1,000.00"),
            (895_998, "$8,959.98"),
            (12_345_678_900, "$123,456,789.00"),
            (i64::MIN, "-$92,233,720,368,547,758.08"),
        ] {
            assert_eq!(Money::new(minor, Currency::Usd).to_string(), shown);
        }
    }

    #[test]
    fn amounts_parse_as_people_type_them() {
        let usd = |minor| Money::new(minor, Currency::Usd);
        for (text, amount) in [
            ("30", usd(3000)),
            ("30.5", usd(3050)),
            (" 30.05 ", usd(3005)),
            ("$28.00", usd(2800)),
            ("-4.50", usd(-450)),
            ("$1,250.00", usd(125_000)),
            ("0", usd(0)),
        ] {
            assert_eq!(
                Money::parse_amount(text, Currency::Usd),
                Ok(amount),
                "{text}"
            );
        }
        for text in [
            "",
            "abc",
            "1.234",
            ",",
            "30.",
            ".5",
            "€30",
            "9999999999999",
            "1e5",
        ] {
            assert!(
                Money::parse_amount(text, Currency::Usd).is_err(),
                "{text} was accepted"
            );
        }
    }

    #[test]
    fn tax_rates_parse_from_percentages_and_print_back() {
        for (text, points, shown) in [
            ("8.25", 825, "8.25%"),
            ("20", 2000, "20%"),
            ("0", 0, "0%"),
            ("7.5", 750, "7.5%"),
            ("0.05", 5, "0.05%"),
        ] {
            let rate = TaxRate::parse_percent(text).expect("a valid rate");
            assert_eq!(rate.basis_points, points, "{text}");
            assert_eq!(rate.to_string(), shown, "{text}");
        }
    }

    #[test]
    fn tax_rates_out_of_range_or_malformed_are_refused() {
        for bad in [
            "", "-1", "100.01", "8.255", "eight", "8.", ".5", "1e2", "8,25",
        ] {
            assert!(TaxRate::parse_percent(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn tax_is_rounded_to_the_nearest_cent_with_halves_up() {
        let rate = TaxRate { basis_points: 825 };
        // 8.25% of $28.00 is $2.31 exactly.
        assert_eq!(
            rate.tax_on(Money::new(2800, Currency::Usd)),
            Some(Money::new(231, Currency::Usd))
        );
        // 8.25% of $0.06 is 0.495 cents: rounds down to 0.
        assert_eq!(
            rate.tax_on(Money::new(6, Currency::Usd)),
            Some(Money::new(0, Currency::Usd))
        );
        // 10% of $0.05 is half a cent: rounds up to 1.
        let ten = TaxRate { basis_points: 1000 };
        assert_eq!(
            ten.tax_on(Money::new(5, Currency::Usd)),
            Some(Money::new(1, Currency::Usd))
        );
        assert_eq!(rate.tax_on(Money::new(i64::MAX, Currency::Usd)), None);
    }

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
