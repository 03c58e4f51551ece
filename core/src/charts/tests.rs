//! Each chart kind drawn from generated figures: the SVG is counted element by element and the
//! PNG is decoded and its pixels sampled.

use super::*;

fn usd(s: &str) -> Money {
    Money::parse(s, Currency::USD).unwrap()
}

fn fills(svg: &str, color: plotters::style::RGBColor) -> usize {
    let hex = format!("fill=\"#{:02X}{:02X}{:02X}\"", color.0, color.1, color.2);
    svg.split("<rect")
        .skip(1)
        .filter(|r| r.split('>').next().unwrap_or("").contains(&hex))
        .count()
}

fn categories(n: usize) -> Chart {
    Chart::Bars(BarChart {
        title: "Spending by category, November 2026".into(),
        currency: Currency::USD,
        items: (0..n)
            .map(|i| (format!("category {i}"), usd(&format!("{}.25", 10 + i * 7))))
            .collect(),
    })
}

#[test]
fn a_bar_per_category_largest_first() {
    let svg = render_svg(&categories(5)).unwrap();
    assert_eq!(fills(&svg, BAR), 5);
    let largest = svg.find("category 4").unwrap();
    let smallest = svg.find("category 0").unwrap();
    assert!(largest < smallest, "largest first");
    assert!(svg.contains("Total $121.25"), "the total is stated");
}

#[test]
fn many_categories_fold_into_one_row() {
    let svg = render_svg(&categories(20)).unwrap();
    assert_eq!(fills(&svg, BAR), MAX_BARS);
    assert!(svg.contains("9 more"));
}

#[test]
fn long_names_are_shortened() {
    let chart = Chart::Bars(BarChart {
        title: "By member".into(),
        currency: Currency::USD,
        items: vec![(
            "A member with a very long display name indeed, longer than any row".into(),
            usd("5"),
        )],
    });
    let svg = render_svg(&chart).unwrap();
    assert!(svg.contains('…'));
    assert!(!svg.contains("longer than any row"));
}

#[test]
fn the_png_decodes_at_the_stated_size_with_one_bar_per_row() {
    let chart = categories(5);
    let png = render_png(&chart).unwrap();
    let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
        .unwrap()
        .to_rgb8();
    assert_eq!(image.dimensions(), chart.size());
    assert!(image.width() >= 1080);
    // Walk down the column just right of where bars start, counting runs of the bar colour.
    let x = 333;
    let mut runs = 0;
    let mut inside = false;
    for y in 0..image.height() {
        let p = image.get_pixel(x, y);
        let is_bar = (p[0], p[1], p[2]) == (BAR.0, BAR.1, BAR.2);
        if is_bar && !inside {
            runs += 1;
        }
        inside = is_bar;
    }
    assert_eq!(runs, 5);
}

#[test]
fn income_and_expenses_per_period_with_a_net_line() {
    let periods: Vec<PeriodFigures> = (1..=12)
        .map(|m| PeriodFigures {
            label: format!("M{m}"),
            income: if m == 3 {
                Money::zero(Currency::USD)
            } else {
                usd("3000")
            },
            expenses: usd(&format!("{}", 1000 + m * 150)),
        })
        .collect();
    let chart = Chart::Periods(PeriodChart {
        title: "Income and expenses, last 12 months".into(),
        currency: Currency::USD,
        periods,
    });
    let svg = render_svg(&chart).unwrap();
    assert_eq!(fills(&svg, INCOME), 11, "no bar for a month without income");
    assert_eq!(fills(&svg, EXPENSES), 12);
    assert!(
        svg.contains("<polyline") || svg.contains("<path"),
        "the net line"
    );
    assert!(render_png(&chart).is_ok());
}

#[test]
fn a_category_over_time_with_its_budget() {
    let chart = Chart::Series(SeriesChart {
        title: "Food per month".into(),
        currency: Currency::USD,
        points: (1..=6)
            .map(|m| (format!("M{m}"), usd(&format!("{}", m * 40))))
            .collect(),
        budget: Some(usd("200")),
    });
    let svg = render_svg(&chart).unwrap();
    assert_eq!(fills(&svg, SERIES), 6);
    assert!(svg.contains("Budget $200.00"));
}

#[test]
fn a_budget_burn_down() {
    let chart = Chart::BurnDown(BurnDownChart {
        title: "Food budget, November".into(),
        limit: usd("300"),
        days_total: 30,
        spent_by_day: (1..=12).map(|d| usd(&format!("{}", d * 20))).collect(),
    });
    let svg = render_svg(&chart).unwrap();
    assert!(svg.contains("$240.00 of $300.00"));
    assert!(svg.contains("day 30"));
    assert!(render_png(&chart).is_ok());
}

#[test]
fn empty_and_mixed_figures_are_refused() {
    assert_eq!(render_png(&categories(0)), Err(ChartError::NoData));
    let mixed = Chart::Bars(BarChart {
        title: "x".into(),
        currency: Currency::USD,
        items: vec![("a".into(), Money::parse("3", Currency::EUR).unwrap())],
    });
    assert_eq!(render_svg(&mixed), Err(ChartError::MixedCurrencies));
}

#[test]
fn a_single_entry_draws_one_bar() {
    let svg = render_svg(&categories(1)).unwrap();
    assert_eq!(fills(&svg, BAR), 1);
    assert!(svg.contains("100%"));
}

/// Writes one example of each kind to `docs/charts/` for the README when
/// `TALLY_WRITE_CHART_EXAMPLES` is set; otherwise only checks they draw.
#[test]
fn examples_draw() {
    let months = [
        "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
    ];
    let examples = [
        (
            "categories",
            Chart::Bars(BarChart {
                title: "Spending by category, November 2026".into(),
                currency: Currency::USD,
                items: vec![
                    ("Housing".into(), usd("1450")),
                    ("Groceries".into(), usd("412.37")),
                    ("Food".into(), usd("268.90")),
                    ("Transport".into(), usd("143.20")),
                    ("Entertainment".into(), usd("89.99")),
                    ("Health".into(), usd("45")),
                    ("Personal care".into(), usd("32.50")),
                ],
            }),
        ),
        (
            "monthly",
            Chart::Periods(PeriodChart {
                title: "Income and expenses, last 12 months".into(),
                currency: Currency::USD,
                periods: months
                    .iter()
                    .enumerate()
                    .map(|(i, m)| PeriodFigures {
                        label: (*m).into(),
                        income: usd(if i % 6 == 5 { "3900" } else { "3200" }),
                        expenses: usd(&format!("{}", 2400 + (i * 173) % 1100)),
                    })
                    .collect(),
            }),
        ),
        (
            "category",
            Chart::Series(SeriesChart {
                title: "Food per month, last 12 months".into(),
                currency: Currency::USD,
                points: months
                    .iter()
                    .enumerate()
                    .map(|(i, m)| ((*m).into(), usd(&format!("{}", 180 + (i * 37) % 120))))
                    .collect(),
                budget: Some(usd("250")),
            }),
        ),
        (
            "budget",
            Chart::BurnDown(BurnDownChart {
                title: "Food budget, November 2026".into(),
                limit: usd("250"),
                days_total: 30,
                spent_by_day: (1..=18)
                    .map(|d| usd(&format!("{}", d * 11 + (d / 4) * 6)))
                    .collect(),
            }),
        ),
    ];
    let dir = std::env::var("TALLY_WRITE_CHART_EXAMPLES").ok();
    for (name, chart) in examples {
        let png = render_png(&chart).unwrap();
        if let Some(dir) = &dir {
            std::fs::write(format!("{dir}/{name}.png"), png).unwrap();
        }
    }
}
