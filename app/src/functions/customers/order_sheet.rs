//! A dealer's order sheet: the CSV a dealer uploads or pastes in the trade
//! portal, one product per row, `sku,quantity` (a header row naming `sku`
//! is allowed, blank rows are skipped). Reading it is pure: the sheet
//! becomes the order's lines, or every row's problem at once, so the
//! dealer can mend them all in one go and nothing is ordered until every
//! row is right.

use super::decide::PriceBook;
use crate::functions::category::events::Sku;

/// The largest sheet read, in bytes: room for thousands of rows, far
/// below anything that could tie the server up.
pub const MAX_SHEET_BYTES: usize = 64 * 1024;
/// The most rows a sheet may have (an order holds at most 50 products,
/// but a sheet may name one several times).
pub const MAX_SHEET_ROWS: usize = 500;
/// How much of a bad cell a problem quotes, in characters.
const QUOTE_CHARS: usize = 40;

/// What is wrong with one row of a sheet (or, at row 0, with the whole
/// sheet), in words shown to the dealer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{problem}", if *.row == 0 { String::new() } else { format!("row {}: ", .row) })]
pub struct SheetProblem {
    /// The row's line number in the file, counting from 1; 0 for the sheet.
    pub row: u64,
    /// What is wrong with it.
    pub problem: String,
}

/// The sheet's rows as `(sku, quantity)` lines, in the sheet's order, or
/// every problem found. A SKU is good when it is in `prices` (the catalog
/// today), a quantity when it is a whole number from 1 to `max_quantity`.
pub fn read_order_sheet(
    sheet: &str,
    prices: &PriceBook,
    max_quantity: u32,
) -> Result<Vec<(Sku, u32)>, Vec<SheetProblem>> {
    let whole = |problem: String| vec![SheetProblem { row: 0, problem }];
    if sheet.len() > MAX_SHEET_BYTES {
        return Err(whole(format!(
            "the order sheet is larger than {} KB: split it into several orders",
            MAX_SHEET_BYTES / 1024
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(sheet.as_bytes());
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for (index, record) in reader.records().enumerate() {
        if index >= MAX_SHEET_ROWS {
            return Err(whole(format!(
                "the order sheet has more than {MAX_SHEET_ROWS} rows: split it into several orders"
            )));
        }
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let row = error.position().map_or(0, csv::Position::line);
                problems.push(SheetProblem {
                    row,
                    problem: "the row cannot be read as CSV (an unclosed quote?)".to_owned(),
                });
                continue;
            }
        };
        let row = record.position().map_or(0, csv::Position::line);
        // Spreadsheets add empty trailing cells; only the filled ones count.
        let cells: Vec<&str> = record.iter().filter(|cell| !cell.is_empty()).collect();
        if cells.is_empty() {
            continue;
        }
        if index == 0 && cells[0].eq_ignore_ascii_case("sku") {
            continue;
        }
        match read_row(&cells, prices, max_quantity) {
            Ok(line) => lines.push(line),
            Err(problem) => problems.push(SheetProblem { row, problem }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if lines.is_empty() {
        return Err(whole("the order sheet has no rows".to_owned()));
    }
    Ok(lines)
}

/// One row's SKU and quantity, or what is wrong with them.
fn read_row(cells: &[&str], prices: &PriceBook, max_quantity: u32) -> Result<(Sku, u32), String> {
    let [sku, quantity] = cells else {
        return Err(format!(
            "expected a SKU and a quantity, found {} {}",
            cells.len(),
            if cells.len() == 1 { "cell" } else { "cells" }
        ));
    };
    let sku = Sku::parse(sku)
        .ok()
        .filter(|sku| prices.contains_key(sku))
        .ok_or_else(|| format!("there is no product {} in the catalog", quoted(sku)))?;
    let quantity = read_quantity(quantity, max_quantity)?;
    Ok((sku, quantity))
}

/// A quantity cell as a number from 1 to `max_quantity`, or what is wrong
/// with it. Shared with the portal's quick-order grid.
pub fn read_quantity(cell: &str, max_quantity: u32) -> Result<u32, String> {
    let digits = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "the quantity {} is not a whole number",
            quoted(cell)
        ));
    }
    // Negative, or too long for any u32: out of range, like 0 or 10,000.
    match cell.parse::<u32>() {
        Ok(quantity) if (1..=max_quantity).contains(&quantity) => Ok(quantity),
        _ => Err(format!(
            "the quantity {} is not from 1 to {max_quantity}",
            quoted(cell)
        )),
    }
}

/// `text` in quotes, cut short when long so a problem stays readable.
fn quoted(text: &str) -> String {
    if text.chars().count() > QUOTE_CHARS {
        let cut: String = text.chars().take(QUOTE_CHARS).collect();
        format!("\"{cut}…\"")
    } else {
        format!("\"{text}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::customers::decide::CatalogPrice;
    use kiln_core::money::{Currency, Money};

    fn sku(text: &str) -> Sku {
        Sku::parse(text).expect("test SKU is valid")
    }

    fn prices() -> PriceBook {
        PriceBook::from([
            (
                sku("MUG-SPECKLE-12"),
                CatalogPrice {
                    name: "Speckled Morning Mug".into(),
                    base_price: Money::new(2800, Currency::Usd),
                    unit_cost: None,
                    promotion: None,
                },
            ),
            (
                sku("PLN-TERRA-6"),
                CatalogPrice {
                    name: "Terracotta Planter".into(),
                    base_price: Money::new(4200, Currency::Usd),
                    unit_cost: None,
                    promotion: None,
                },
            ),
        ])
    }

    fn read(sheet: &str) -> Result<Vec<(Sku, u32)>, Vec<String>> {
        read_order_sheet(sheet, &prices(), 9_999)
            .map_err(|problems| problems.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn a_sheet_with_a_header_blank_rows_and_spaces_becomes_lines_in_order() {
        assert_eq!(
            read("sku,quantity\n MUG-SPECKLE-12 , 36\n\nPLN-TERRA-6,24,,\n"),
            Ok(vec![(sku("MUG-SPECKLE-12"), 36), (sku("PLN-TERRA-6"), 24)])
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_number_and_nothing_is_ordered() {
        assert_eq!(
            read(
                "sku,quantity\nMUG-SPECKLE-12,12\nVASE-GHOST-1,5\nPLN-TERRA-6,-3\nMUG-SPECKLE-12,lots\nPLN-TERRA-6\n"
            ),
            Err(vec![
                "row 3: there is no product \"VASE-GHOST-1\" in the catalog".to_owned(),
                "row 4: the quantity \"-3\" is not from 1 to 9999".to_owned(),
                "row 5: the quantity \"lots\" is not a whole number".to_owned(),
                "row 6: expected a SKU and a quantity, found 1 cell".to_owned(),
            ])
        );
    }

    #[test]
    fn zero_huge_and_fractional_quantities_are_refused() {
        for (cell, expected) in [
            ("0", "is not from 1 to 9999"),
            ("10000", "is not from 1 to 9999"),
            (
                "99999999999999999999999999999999999999999",
                "is not from 1 to 9999",
            ),
            ("2.5", "is not a whole number"),
            ("", "expected a SKU and a quantity"),
        ] {
            let problems = read(&format!("MUG-SPECKLE-12,{cell}")).expect_err(cell);
            assert!(problems[0].contains(expected), "{cell}: {problems:?}");
        }
    }

    #[test]
    fn a_malformed_sku_or_a_megabyte_cell_is_quoted_short() {
        let huge = "x".repeat(1_000_000);
        assert_eq!(
            read(&format!("MUG-SPECKLE-12,{}", "9".repeat(40_000))),
            Err(vec![format!(
                "row 1: the quantity \"{}…\" is not from 1 to 9999",
                "9".repeat(40)
            )])
        );
        let problems = read(&format!("{huge},1")).expect_err("too large");
        assert_eq!(
            problems,
            ["the order sheet is larger than 64 KB: split it into several orders"]
        );
        assert_eq!(
            read("Tasse à café ☕,2"),
            Err(vec![
                "row 1: there is no product \"Tasse à café ☕\" in the catalog".to_owned()
            ])
        );
    }

    #[test]
    fn an_empty_sheet_or_one_with_only_a_header_orders_nothing() {
        for sheet in ["", "\n\n", "sku,quantity\n"] {
            assert_eq!(
                read(sheet),
                Err(vec!["the order sheet has no rows".to_owned()]),
                "{sheet:?}"
            );
        }
    }

    #[test]
    fn an_unclosed_quote_is_reported_not_swallowed() {
        let problems = read("MUG-SPECKLE-12,12\n\"PLN-TERRA-6,3\n").expect_err("malformed");
        assert!(
            problems
                .iter()
                .any(|problem| problem.contains("cannot be read as CSV")
                    || problem.contains("expected a SKU")),
            "{problems:?}"
        );
    }

    #[test]
    fn too_many_rows_are_refused_as_a_whole() {
        let sheet = "PLN-TERRA-6,1\n".repeat(MAX_SHEET_ROWS + 1);
        assert_eq!(
            read(&sheet),
            Err(vec![format!(
                "the order sheet has more than {MAX_SHEET_ROWS} rows: split it into several orders"
            )])
        );
    }
}
