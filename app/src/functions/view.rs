//! The view model every function page is rendered from, and the JSON its
//! endpoint answers with: one struct, so the page and the JSON an agent
//! reads can never disagree.

use crate::functions::platform_manager::events::{TriageStatus, Urgency};
use kiln_core::function::{BusinessFunction, FunctionGroup};
use serde::{Deserialize, Serialize};

/// One business function's page: its key figures, the data it owns, its
/// recent events, and a plain list of what the page does not show yet.
/// Served at `GET /api/functions/<slug>` and rendered at `/staff/<slug>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionPage {
    /// Which function.
    pub function: BusinessFunction,
    /// Its name, e.g. "Customer Management".
    pub title: String,
    /// The briefing's group it belongs to.
    pub group: FunctionGroup,
    /// Its purpose, in the briefing's words.
    pub purpose: String,
    /// Who runs it: its agent, or people alone.
    pub operated_by: String,
    /// Whether Kiln has built this function. When not, the page says so
    /// and shows no figures.
    pub built: bool,
    /// Key figures, each with a stable key.
    pub metrics: Vec<Metric>,
    /// Figures worth seeing side by side, as bar charts.
    pub charts: Vec<BarChart>,
    /// Figures over time, as bar, stacked bar and line charts.
    #[serde(default)]
    pub trends: Vec<TrendChart>,
    /// Category Management's products with every detail, for its forms
    /// (empty on every other page).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catalog: Vec<crate::functions::category::view::CatalogEntry>,
    /// What the page's forms offer to choose from (dealer companies,
    /// products, …), each list with a stable key: so an agent reading the
    /// JSON knows the values the forms accept.
    #[serde(default)]
    pub choices: Vec<ChoiceList>,
    /// The data the function owns, as tables.
    pub tables: Vec<DataTable>,
    /// The function's newest events, newest first (for the Business
    /// Overview and the Database Manager: every function's).
    pub events: Vec<FeedEntry>,
    /// Decisions proposed to this function: every one waiting for a
    /// person, then the newest decided, newest first.
    #[serde(default)]
    pub decisions: Vec<kiln_core::decision::DecisionCard>,
    /// The newest conversations this function's agent took part in,
    /// newest first, each with its messages (empty for a function
    /// without an agent).
    #[serde(default)]
    pub conversations: Vec<kiln_core::conversation::ConversationThread>,
    /// The change requests raised about this function, newest first (on
    /// the Platform Manager's page: every function's).
    pub change_requests: Vec<ChangeRequestView>,
    /// What this page does not show yet, said plainly (decisions awaiting
    /// approval, agent conversations, change requests, until they exist).
    pub not_built_yet: Vec<String>,
}

/// A key figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metric {
    /// A stable key, e.g. `listed-products`; the page marks the figure
    /// with it (`data-metric`).
    pub key: String,
    /// What it counts, e.g. "Listed products".
    pub label: String,
    /// The figure as shown, e.g. "12" or "GBP 1,240.00".
    pub value: String,
    /// The page it comes from, when that is another function's page (the
    /// Business Overview links every figure to its source).
    pub source: Option<String>,
}

impl Metric {
    /// A count owned by the page's own function (a count too large for
    /// an `i64` shows as its largest value).
    pub fn count(key: &str, label: &str, value: impl TryInto<i64>) -> Self {
        Metric {
            key: key.to_owned(),
            label: label.to_owned(),
            value: value.try_into().unwrap_or(i64::MAX).to_string(),
            source: None,
        }
    }

    /// The same figure, credited to the page of `function`.
    pub fn from_function(mut self, function: BusinessFunction) -> Self {
        self.source = Some(function.page_url());
        self
    }
}

impl FunctionPage {
    /// The page's table with this key, if it has one.
    pub fn table(&self, key: &str) -> Option<&DataTable> {
        self.tables.iter().find(|table| table.key == key)
    }

    /// The options of the page's choice list with this key (none when the
    /// page has no such list).
    pub fn choice(&self, key: &str) -> Vec<Choice> {
        self.choices
            .iter()
            .find(|list| list.key == key)
            .map(|list| list.options.clone())
            .unwrap_or_default()
    }
}

/// A bar chart: one bar per label, drawn as SVG on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BarChart {
    /// A stable key, e.g. `events-per-function` (`data-chart`).
    pub key: String,
    /// Its heading.
    pub title: String,
    /// The bars, in the order shown.
    pub bars: Vec<Bar>,
    /// The page its figures come from, when another page owns them.
    pub source: Option<String>,
}

/// One bar of a [`BarChart`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bar {
    /// What it counts, e.g. `category`.
    pub label: String,
    /// How many.
    pub value: i64,
}

/// Figures over time: one value per period for each series, drawn as SVG.
/// Bar series stack on each other; line series are drawn over them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendChart {
    /// A stable key, e.g. `revenue-by-month` (`data-chart`).
    pub key: String,
    /// Its heading.
    pub title: String,
    /// The periods along the bottom, oldest first, e.g. "Jun 2026".
    pub periods: Vec<String>,
    /// The series, each with one value per period.
    pub series: Vec<TrendSeries>,
    /// What the values measure.
    pub unit: ChartUnit,
    /// The page the figures come from, when that is another function's
    /// (the Business Overview credits every chart to its source).
    #[serde(default)]
    pub source: Option<String>,
}

/// One series of a [`TrendChart`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendSeries {
    /// What it measures, e.g. "Revenue".
    pub name: String,
    /// Bars (stacked with the chart's other bars) or a line.
    pub style: SeriesStyle,
    /// One value per period (money in minor units).
    pub values: Vec<i64>,
}

/// How a [`TrendSeries`] is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesStyle {
    /// A bar per period, stacked on the series before it.
    Bars,
    /// A line through the periods.
    Line,
}

/// What a chart's values measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "currency", rename_all = "snake_case")]
pub enum ChartUnit {
    /// Things counted (units, orders).
    Count,
    /// Money, in minor units of the currency.
    Money(kiln_core::money::Currency),
}

impl ChartUnit {
    /// A value as its axis shows it, e.g. "$1,240" or "36".
    pub fn format(self, value: i64) -> String {
        match self {
            ChartUnit::Count => value.to_string(),
            ChartUnit::Money(currency) => {
                let shown = kiln_core::money::Money::new(value, currency).to_string();
                // Whole units read better on an axis.
                shown
                    .strip_suffix(".00")
                    .map_or(shown.clone(), str::to_owned)
            }
        }
    }
}

/// One list of values a page's forms offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceList {
    /// A stable key, e.g. `dealer-companies`.
    pub key: String,
    /// The values, in the order offered.
    pub options: Vec<Choice>,
}

/// One value a form offers: what it sends and what a person reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// What the form sends, e.g. a company id.
    pub value: String,
    /// What a person reads, e.g. "Clay & Cup Café (trade)".
    pub label: String,
}

/// A table of data the function owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataTable {
    /// A stable key, e.g. `staff-roles` (`data-table` on the page).
    pub key: String,
    /// Its heading.
    pub title: String,
    /// The column headings.
    pub columns: Vec<String>,
    /// The rows, each with one text per column.
    pub rows: Vec<Vec<String>>,
    /// What the table shows when it has no rows.
    pub empty: String,
}

impl DataTable {
    /// A table with these columns and no rows yet.
    pub fn new(key: &str, title: &str, columns: &[&str], empty: &str) -> Self {
        DataTable {
            key: key.to_owned(),
            title: title.to_owned(),
            columns: columns.iter().map(|column| (*column).to_owned()).collect(),
            rows: Vec::new(),
            empty: empty.to_owned(),
        }
    }

    /// Adds a row; it must have one text per column.
    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.columns.len(), "{}", self.key);
        self.rows.push(cells);
    }

    /// The page of this table that `query` asks for: the matching rows,
    /// sorted (ties keep the table's order), cut to the page.
    pub fn page(&self, query: &TableQuery) -> Result<TablePage, TableQueryError> {
        if !(1..=TableQuery::MOST_PER_PAGE).contains(&query.per_page) {
            return Err(TableQueryError::PerPage {
                per_page: query.per_page,
            });
        }
        let sort_column = if query.sort.is_empty() {
            None
        } else {
            Some(
                self.columns
                    .iter()
                    .position(|column| column.eq_ignore_ascii_case(&query.sort))
                    .ok_or_else(|| TableQueryError::UnknownColumn {
                        column: quoted(&query.sort),
                        known: self.columns.join(", "),
                    })?,
            )
        };
        let length = query.filter.chars().count();
        if length > TableQuery::LONGEST_FILTER {
            return Err(TableQueryError::FilterTooLong { length });
        }
        let wanted = query.filter.trim().to_lowercase();
        let mut rows: Vec<&Vec<String>> = self
            .rows
            .iter()
            .filter(|row| {
                wanted.is_empty() || row.iter().any(|cell| cell.to_lowercase().contains(&wanted))
            })
            .collect();
        if let Some(column) = sort_column {
            let cell = |row: &Vec<String>| row.get(column).cloned().unwrap_or_default();
            rows.sort_by(|a, b| {
                let ordering = compare_cells(&cell(a), &cell(b));
                match query.order {
                    SortOrder::Asc => ordering,
                    SortOrder::Desc => ordering.reverse(),
                }
            });
        }
        let matching_rows = rows.len();
        let pages = matching_rows.div_ceil(query.per_page).max(1);
        if !(1..=pages).contains(&query.page) {
            return Err(TableQueryError::NoSuchPage {
                page: query.page,
                pages,
            });
        }
        let rows = rows
            .into_iter()
            .skip((query.page - 1) * query.per_page)
            .take(query.per_page)
            .cloned()
            .collect();
        Ok(TablePage {
            key: self.key.clone(),
            title: self.title.clone(),
            columns: self.columns.clone(),
            rows,
            empty: self.empty.clone(),
            query: query.clone(),
            matching_rows,
            pages,
        })
    }
}

/// Which way a table is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Smallest, earliest or A first.
    #[default]
    Asc,
    /// Largest, latest or Z first.
    Desc,
}

/// What a reader asks of one of a page's tables: the rows holding a text,
/// sorted by a column, a page at a time. The page's tables and the
/// per-table JSON endpoint (`GET /api/functions/<slug>/tables/<key>`)
/// both answer it with [`DataTable::page`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TableQuery {
    /// Only the rows with a cell containing this text, in any case; every
    /// row when empty.
    pub filter: String,
    /// The column to sort by, as headed; the table's own order when empty.
    pub sort: String,
    /// Which way to sort.
    pub order: SortOrder,
    /// The page, from 1.
    pub page: usize,
    /// Rows per page, from 1 to [`TableQuery::MOST_PER_PAGE`].
    pub per_page: usize,
}

impl TableQuery {
    /// Rows per page unless asked otherwise.
    pub const PER_PAGE: usize = 25;
    /// The most rows a page holds.
    pub const MOST_PER_PAGE: usize = 500;
    /// The longest filter text, in characters.
    pub const LONGEST_FILTER: usize = 200;
}

impl Default for TableQuery {
    fn default() -> Self {
        TableQuery {
            filter: String::new(),
            sort: String::new(),
            order: SortOrder::Asc,
            page: 1,
            per_page: Self::PER_PAGE,
        }
    }
}

/// Why a table could not be read as asked; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableQueryError {
    /// The sort column is not one of the table's.
    #[error("the table has no column “{column}”; its columns are: {known}")]
    UnknownColumn {
        /// The column asked for.
        column: String,
        /// The table's columns, comma-separated.
        known: String,
    },
    /// The filter is longer than any cell worth looking for.
    #[error("the filter is {length} characters long; at most {most} are taken", most = TableQuery::LONGEST_FILTER)]
    FilterTooLong {
        /// Its length in characters.
        length: usize,
    },
    /// Rows per page out of range.
    #[error("per_page must be from 1 to {most}, not {per_page}", most = TableQuery::MOST_PER_PAGE)]
    PerPage {
        /// As asked.
        per_page: usize,
    },
    /// A page before the first or after the last.
    #[error("page {page} does not exist; the pages are 1 to {pages}")]
    NoSuchPage {
        /// As asked.
        page: usize,
        /// How many pages there are.
        pages: usize,
    },
}

/// One page of a table, as asked for by a [`TableQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TablePage {
    /// The table's key.
    pub key: String,
    /// Its heading.
    pub title: String,
    /// Its column headings.
    pub columns: Vec<String>,
    /// This page's rows.
    pub rows: Vec<Vec<String>>,
    /// What it shows when no row matches.
    pub empty: String,
    /// The query answered.
    pub query: TableQuery,
    /// Rows matching the filter, on every page.
    pub matching_rows: usize,
    /// Pages of matching rows (1 when none match).
    pub pages: usize,
}

pub use crate::error::quoted;

/// A cell's value as a number, when it reads as one: counts, money
/// ("$1,240.00", "GBP 12.50"), percentages. Sorting compares these as
/// numbers, so that "$9.00" comes before "$10.00".
fn numeric(cell: &str) -> Option<f64> {
    let cell = cell.trim();
    // A currency code before the amount ("GBP 12.50").
    let cell = match cell.split_once(' ') {
        Some((code, amount)) if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) => {
            amount
        }
        _ => cell,
    };
    let digits: String = cell
        .chars()
        .filter(|c| !matches!(c, ',' | '$' | '£' | '€' | '%'))
        .collect();
    if digits.is_empty() {
        return None;
    }
    digits.parse::<f64>().ok().filter(|value| value.is_finite())
}

/// How two cells compare for sorting: numbers as numbers, before text;
/// text alphabetically, in any case.
fn compare_cells(a: &str, b: &str) -> std::cmp::Ordering {
    match (numeric(a), numeric(b)) {
        (Some(a), Some(b)) => a.total_cmp(&b),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.to_lowercase().cmp(&b.to_lowercase()),
    }
}

/// One event in a page's feed: who did what, when, in which stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedEntry {
    /// Its position in the log.
    pub position: i64,
    /// Its type, e.g. `RoleGranted`.
    pub event_type: String,
    /// The function that posted it.
    pub function: BusinessFunction,
    /// Who caused it, e.g. `user:acc-…` or `system:demo`.
    pub actor: String,
    /// The stream it belongs to, e.g. `account-acc-…`.
    pub stream: String,
    /// When it was recorded, UTC, RFC 3339.
    pub recorded_at: String,
}

#[cfg(feature = "ssr")]
impl FeedEntry {
    /// How a feed shows `event`: who did what, when, in which stream.
    pub fn of(event: &crate::store::RecordedEvent) -> Self {
        FeedEntry {
            position: event.position,
            event_type: event.event_type.clone(),
            function: event.metadata.function,
            actor: event.metadata.actor.to_string(),
            stream: event.stream_id.clone(),
            recorded_at: event
                .recorded_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

/// Everything a staff console page shows: its own data (a function's
/// page, or a page of the Database Manager's event log), and the menu as
/// its viewer may use it. Loaded as one, so the page has a single
/// resource to wait for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffView<T = FunctionPage> {
    /// The page's data (the same for every viewer).
    pub page: T,
    /// The menu, for this viewer.
    pub menu: Vec<MenuEntry>,
}

/// One line of the staff console's menu, for the person looking at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuEntry {
    /// The function.
    pub function: BusinessFunction,
    /// Its name.
    pub title: String,
    /// Its group.
    pub group: FunctionGroup,
    /// Whether its page is built.
    pub built: bool,
    /// Whether the person looking may open it.
    pub allowed: bool,
}

/// One function as `GET /api/functions` lists it, for agents discovering
/// the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionListing {
    /// Its slug: in page URLs, endpoints, agent identities and grants.
    pub slug: String,
    /// Its name.
    pub title: String,
    /// Its group.
    pub group: FunctionGroup,
    /// The briefing's roadmap phase it belongs to.
    pub phase: u8,
    /// Whether it is built (its page shows real data).
    pub live: bool,
    /// Its page, `/staff/<slug>`.
    pub page: String,
    /// Its view model as JSON, `/api/functions/<slug>`.
    pub json: String,
    /// Its events as they happen (server-sent events).
    pub live_events: String,
    /// Each of its tables, filtered, sorted and a page at a time: `{key}`
    /// stands for a table's key, e.g.
    /// `/api/functions/customers/tables/support-tickets?sort=Opened&order=desc`.
    #[serde(default)]
    pub table_json: String,
    /// Its agent's identity, when the briefing gives it one.
    pub agent: Option<String>,
    /// Its own endpoints (commands, proposals, searches), from the
    /// authorisation table, with what each needs.
    #[serde(default)]
    pub endpoints: Vec<ListedEndpoint>,
}

/// One of a function's own endpoints, as `GET /api/functions` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedEndpoint {
    /// `GET` or `POST`.
    pub method: String,
    /// Its path, e.g. `/api/category/proposals/price`.
    pub path: String,
    /// Who may call it, e.g. `the operate permission in category` or
    /// `an administrator`.
    pub needs: String,
    /// What it does.
    pub purpose: String,
}

/// A change request as pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRequestView {
    /// Its id, e.g. `chg-…`.
    pub request: String,
    /// What should change.
    pub title: String,
    /// The function it concerns.
    pub function: BusinessFunction,
    /// What gets better, or what hurts without it.
    pub impact: String,
    /// How soon.
    pub urgency: Urgency,
    /// Where it stands in its triage.
    pub status: TriageStatus,
    /// The latest triage note.
    pub note: String,
    /// Who raised it (an actor, e.g. `user:acc-…`).
    pub raised_by: String,
    /// When, UTC, RFC 3339.
    pub raised_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stock() -> DataTable {
        let mut table = DataTable::new("stock", "Stock", &["SKU", "Price", "On hand"], "No stock.");
        for (sku, price, on_hand) in [
            ("MUG-1", "$10.00", "12"),
            ("JUG-1", "$9.00", "3"),
            ("BOWL-1", "$120.50", "—"),
            ("MUG-2", "$1,000.00", "40"),
        ] {
            table.row(vec![sku.into(), price.into(), on_hand.into()]);
        }
        table
    }

    fn skus(page: &TablePage) -> Vec<&str> {
        page.rows.iter().map(|row| row[0].as_str()).collect()
    }

    #[test]
    fn a_table_asked_nothing_is_its_first_page_in_its_own_order() {
        let page = stock().page(&TableQuery::default()).expect("page");
        assert_eq!(skus(&page), ["MUG-1", "JUG-1", "BOWL-1", "MUG-2"]);
        assert_eq!((page.matching_rows, page.pages), (4, 1));
    }

    #[test]
    fn money_sorts_as_amounts_and_text_after_numbers() {
        let by_price = TableQuery {
            sort: "price".into(),
            ..TableQuery::default()
        };
        assert_eq!(
            skus(&stock().page(&by_price).expect("page")),
            ["JUG-1", "MUG-1", "BOWL-1", "MUG-2"]
        );
        let by_stock_desc = TableQuery {
            sort: "On hand".into(),
            order: SortOrder::Desc,
            ..TableQuery::default()
        };
        assert_eq!(
            skus(&stock().page(&by_stock_desc).expect("page")),
            ["BOWL-1", "MUG-2", "MUG-1", "JUG-1"]
        );
    }

    #[test]
    fn a_filter_keeps_rows_with_a_cell_containing_it_in_any_case_and_pages_cut_them() {
        let mugs = TableQuery {
            filter: " mug".into(),
            per_page: 1,
            page: 2,
            ..TableQuery::default()
        };
        let page = stock().page(&mugs).expect("page");
        assert_eq!(skus(&page), ["MUG-2"]);
        assert_eq!((page.matching_rows, page.pages), (2, 2));
        let nothing = TableQuery {
            filter: "teapot".into(),
            ..TableQuery::default()
        };
        let page = stock().page(&nothing).expect("an empty first page");
        assert_eq!((page.rows.len(), page.pages), (0, 1));
    }

    #[test]
    fn an_unknown_column_a_missing_page_or_a_huge_page_is_refused_with_the_reason() {
        let refusal = |query: TableQuery| stock().page(&query).expect_err("refused").to_string();
        assert_eq!(
            refusal(TableQuery {
                sort: "Colour".into(),
                ..TableQuery::default()
            }),
            "the table has no column “Colour”; its columns are: SKU, Price, On hand"
        );
        assert_eq!(
            refusal(TableQuery {
                page: 2,
                ..TableQuery::default()
            }),
            "page 2 does not exist; the pages are 1 to 1"
        );
        assert_eq!(
            refusal(TableQuery {
                page: 0,
                ..TableQuery::default()
            }),
            "page 0 does not exist; the pages are 1 to 1"
        );
        assert_eq!(
            refusal(TableQuery {
                per_page: 100_000,
                ..TableQuery::default()
            }),
            "per_page must be from 1 to 500, not 100000"
        );
        assert_eq!(
            refusal(TableQuery {
                filter: "x".repeat(1_000_000),
                ..TableQuery::default()
            }),
            "the filter is 1000000 characters long; at most 200 are taken"
        );
        assert_eq!(
            refusal(TableQuery {
                sort: "y".repeat(1_000_000),
                ..TableQuery::default()
            }),
            format!(
                "the table has no column “{}…”; its columns are: SKU, Price, On hand",
                "y".repeat(80)
            )
        );
    }
}

/// What a decision card's approve and reject forms send, for every
/// function's decisions (e.g. `POST /api/category/proposals/decide`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionVerdictForm {
    /// The decision's id, e.g. `dec-3f9c2a71d04e8b65`.
    pub decision: String,
    /// `approve` or `reject`.
    pub verdict: String,
    /// What the person says (required to reject).
    #[serde(default)]
    pub comment: String,
}
