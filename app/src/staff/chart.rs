//! Trend charts drawn as SVG from Rust: stacked bars per period with lines
//! over them. The geometry is worked out by [`plot`], a pure function, and
//! the component only draws what it returns.

use crate::functions::view::{SeriesStyle, TrendChart};
use leptos::prelude::*;

/// The drawing's size in SVG units; it scales to its box.
const WIDTH: i64 = 600;
const HEIGHT: i64 = 240;
/// Room for the value axis on the left and the periods below.
const LEFT: i64 = 64;
const BOTTOM: i64 = 28;
const TOP: i64 = 12;

/// Colours per series, in order; they repeat after the last.
const COLOURS: [&str; 5] = ["#b45309", "#0f766e", "#6d28d9", "#be123c", "#1d4ed8"];

/// One bar segment.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    x: i64,
    y: i64,
    width: i64,
    height: i64,
    colour: &'static str,
    title: String,
}

/// One line, as SVG polyline points, with a mark at each point that
/// names its value (shown on hover, read by screen readers).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    points: String,
    colour: &'static str,
    /// (x, y, "series, period: value") per point.
    marks: Vec<(i64, i64, String)>,
}

/// Everything the chart draws.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plot {
    segments: Vec<Segment>,
    lines: Vec<Line>,
    /// Value axis labels: (y, text), from zero up.
    ticks: Vec<(i64, String)>,
    /// Period labels: (x at the period's centre, text).
    periods: Vec<(i64, String)>,
    /// The y of the zero line.
    baseline: i64,
}

/// What a bar segment or a line point says of itself (its SVG title):
/// e.g. "Shoppers, Jun 2026: 3".
pub fn point_title(series: &str, period: &str, value: &str) -> String {
    format!("{series}, {period}: {value}")
}

/// Works out the chart's geometry. The scale runs from zero (or the most
/// negative line value) to the tallest stack or line value, so every bar
/// and point fits.
fn plot(chart: &TrendChart) -> Plot {
    let periods = chart.periods.len().max(1);
    let period_count = i64::try_from(periods).unwrap_or(1);
    let stack_height = |period: usize| -> i64 {
        chart
            .series
            .iter()
            .filter(|series| series.style == SeriesStyle::Bars)
            .map(|series| series.values.get(period).copied().unwrap_or(0).max(0))
            .sum()
    };
    let line_values = chart
        .series
        .iter()
        .filter(|series| series.style == SeriesStyle::Line)
        .flat_map(|series| series.values.iter().copied());
    let tallest = (0..periods)
        .map(stack_height)
        .chain(line_values.clone())
        .max()
        .unwrap_or(0)
        .max(1);
    let deepest = line_values.min().unwrap_or(0).min(0);
    // Round the scale out to steps a reader can add up: 0, 1,000, 2,000…
    let step = nice_step((tallest - deepest) / 4);
    let highest = (tallest + step - 1).div_euclid(step) * step;
    let lowest = deepest.div_euclid(step) * step;
    let span = highest - lowest;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let y_of = |value: i64| TOP + (highest - value) * plot_height / span;
    let slot = (WIDTH - LEFT) / period_count;
    let bar_width = (slot * 3 / 5).max(2);
    let centre = |period: i64| LEFT + slot * period + slot / 2;

    let mut segments = Vec::new();
    for period in 0..periods {
        let mut stacked = 0;
        for (index, series) in chart.series.iter().enumerate() {
            if series.style != SeriesStyle::Bars {
                continue;
            }
            let value = series.values.get(period).copied().unwrap_or(0).max(0);
            if value == 0 {
                continue;
            }
            let top = y_of(stacked + value);
            let bottom = y_of(stacked);
            let x = centre(i64::try_from(period).unwrap_or(0)) - bar_width / 2;
            segments.push(Segment {
                x,
                y: top,
                width: bar_width,
                height: (bottom - top).max(1),
                colour: COLOURS[index % COLOURS.len()],
                title: point_title(
                    &series.name,
                    chart.periods.get(period).map_or("", String::as_str),
                    &chart.unit.format(value),
                ),
            });
            stacked += value;
        }
    }
    let lines = chart
        .series
        .iter()
        .enumerate()
        .filter(|(_, series)| series.style == SeriesStyle::Line)
        .map(|(index, series)| {
            let marks: Vec<(i64, i64, String)> = series
                .values
                .iter()
                .zip(0_i64..)
                .map(|(value, period)| {
                    let label = usize::try_from(period)
                        .ok()
                        .and_then(|period| chart.periods.get(period))
                        .map_or("", String::as_str);
                    (
                        centre(period),
                        y_of(*value),
                        point_title(&series.name, label, &chart.unit.format(*value)),
                    )
                })
                .collect();
            Line {
                points: marks
                    .iter()
                    .map(|(x, y, _)| format!("{x},{y}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                colour: COLOURS[index % COLOURS.len()],
                marks,
            }
        })
        .collect();
    let ticks = (0..=span / step)
        .map(|index| {
            let value = lowest + index * step;
            (y_of(value), chart.unit.format(value))
        })
        .collect();
    let periods = chart
        .periods
        .iter()
        .zip(0_i64..)
        .map(|(label, period)| (centre(period), label.clone()))
        .collect();
    Plot {
        segments,
        lines,
        ticks,
        periods,
        baseline: y_of(0),
    }
}

/// The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least
/// `rough` (and at least 1).
fn nice_step(rough: i64) -> i64 {
    let mut magnitude = 1_i64;
    while magnitude.saturating_mul(10) <= rough {
        magnitude *= 10;
    }
    [1, 2, 5, 10]
        .into_iter()
        .map(|factor| magnitude.saturating_mul(factor))
        .chain((magnitude >= 10).then(|| magnitude / 2 * 5))
        .filter(|step| *step >= rough.max(1))
        .min()
        .unwrap_or(magnitude)
}

/// A trend chart with its legend.
#[component]
pub fn TrendChartView(chart: TrendChart) -> impl IntoView {
    let drawn = plot(&chart);
    let legend: Vec<(String, &'static str, SeriesStyle)> = chart
        .series
        .iter()
        .enumerate()
        .map(|(index, series)| {
            (
                series.name.clone(),
                COLOURS[index % COLOURS.len()],
                series.style,
            )
        })
        .collect();
    let title = chart.title.clone();
    let source = chart.source.clone().map(source_link);
    view! {
        <figure class="rounded-xl border border-stone-200 bg-white p-4" data-chart=chart.key.clone()>
            <figcaption class="text-sm font-semibold text-stone-900">{chart.title.clone()}</figcaption>
            <ul class="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-stone-600">
                {legend
                    .into_iter()
                    .map(|(name, colour, style)| {
                        let mark = match style {
                            SeriesStyle::Bars => "inline-block h-2.5 w-2.5 rounded-sm",
                            SeriesStyle::Line => "inline-block h-0.5 w-4",
                        };
                        view! {
                            <li class="flex items-center gap-1.5">
                                <span class=mark style=format!("background:{colour}")></span>
                                {name}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=title class="mt-2 w-full">
                {drawn
                    .ticks
                    .into_iter()
                    .map(|(y, label)| {
                        view! {
                            <line x1=LEFT x2=WIDTH y1=y y2=y stroke="#e7e5e4" stroke-width="1"></line>
                            <text x=LEFT - 6 y=y + 4 text-anchor="end" font-size="11" fill="#78716c">{label}</text>
                        }
                    })
                    .collect_view()}
                {drawn
                    .segments
                    .into_iter()
                    .map(|segment| {
                        view! {
                            <rect x=segment.x y=segment.y width=segment.width height=segment.height rx="2" fill=segment.colour>
                                <title>{segment.title}</title>
                            </rect>
                        }
                    })
                    .collect_view()}
                <line x1=LEFT x2=WIDTH y1=drawn.baseline y2=drawn.baseline stroke="#a8a29e" stroke-width="1"></line>
                {drawn
                    .lines
                    .into_iter()
                    .map(|line| {
                        let colour = line.colour;
                        view! {
                            <polyline points=line.points fill="none" stroke=colour stroke-width="2.5" stroke-linejoin="round"></polyline>
                            {line
                                .marks
                                .into_iter()
                                .map(|(x, y, title)| {
                                    view! {
                                        <circle cx=x cy=y r="3.5" fill=colour>
                                            <title>{title}</title>
                                        </circle>
                                    }
                                })
                                .collect_view()}
                        }
                    })
                    .collect_view()}
                {drawn
                    .periods
                    .into_iter()
                    .map(|(x, label)| {
                        view! { <text x=x y=HEIGHT - 8 text-anchor="middle" font-size="11" fill="#57534e">{label}</text> }
                    })
                    .collect_view()}
            </svg>
            {source}
        </figure>
    }
    .into_any()
}

/// The link under a chart to the page its figures come from.
pub fn source_link(href: String) -> impl IntoView {
    view! {
        <a href=href.clone() class="mt-2 block text-xs text-amber-800 underline" data-field="source">
            {format!("From {href}")}
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::view::{ChartUnit, TrendSeries};

    fn chart(series: Vec<TrendSeries>) -> TrendChart {
        TrendChart {
            key: "test".into(),
            title: "Test".into(),
            periods: vec!["Jan".into(), "Feb".into()],
            series,
            unit: ChartUnit::Count,
            source: None,
        }
    }

    fn bars(name: &str, values: Vec<i64>) -> TrendSeries {
        TrendSeries {
            name: name.into(),
            style: SeriesStyle::Bars,
            values,
        }
    }

    #[test]
    fn stacked_bars_sit_on_each_other_and_the_tallest_stack_reaches_the_top() {
        let drawn = plot(&chart(vec![
            bars("Mugs", vec![30, 10]),
            bars("Bowls", vec![10, 0]),
        ]));
        // February's empty bowls draw nothing.
        assert_eq!(drawn.segments.len(), 3);
        let (mugs, bowls) = (&drawn.segments[0], &drawn.segments[1]);
        assert_eq!(bowls.y + bowls.height, mugs.y, "bowls stack on mugs");
        assert_eq!(bowls.y, TOP, "the 40-unit stack is the tallest");
        assert_eq!(mugs.y + mugs.height, drawn.baseline);
    }

    #[test]
    fn a_line_below_zero_lowers_the_baseline_so_every_point_fits() {
        let drawn = plot(&chart(vec![
            bars("Revenue", vec![100, 100]),
            TrendSeries {
                name: "Margin".into(),
                style: SeriesStyle::Line,
                values: vec![-50, 40],
            },
        ]));
        assert!(drawn.baseline < HEIGHT - BOTTOM);
        let lowest_point: i64 = drawn.lines[0]
            .points
            .split(' ')
            .filter_map(|point| point.split(',').nth(1)?.parse().ok())
            .max()
            .expect("points");
        assert_eq!(lowest_point, HEIGHT - BOTTOM);
        let marks: Vec<&str> = drawn.lines[0]
            .marks
            .iter()
            .map(|(_, _, title)| title.as_str())
            .collect();
        assert_eq!(marks, ["Margin, Jan: -50", "Margin, Feb: 40"]);
    }

    #[test]
    fn an_empty_chart_draws_no_bars_and_does_not_divide_by_zero() {
        let drawn = plot(&chart(vec![bars("Mugs", vec![0, 0])]));
        assert!(drawn.segments.is_empty());
        assert!(drawn.ticks.len() >= 2);
    }

    #[test]
    fn the_scale_steps_by_round_numbers() {
        assert_eq!(nice_step(0), 1);
        assert_eq!(nice_step(3), 5);
        assert_eq!(nice_step(11), 20);
        assert_eq!(nice_step(24), 25);
        assert_eq!(nice_step(81_767), 100_000);
        let drawn = plot(&chart(vec![bars("Revenue", vec![327_070, 90_000])]));
        let labels: Vec<&str> = drawn
            .ticks
            .iter()
            .map(|(_, label)| label.as_str())
            .collect();
        assert_eq!(labels, ["0", "100000", "200000", "300000", "400000"]);
    }
}
