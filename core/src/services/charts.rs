//! The figures behind each chart, taken from a ledger the caller may see, ready to draw.
//!
//! Every chart shows one currency, the ledger's own (a budget's chart, the budget's). Figures in
//! other currencies are never converted or added in: they are named so the reply can say so.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::{analytics, budgets, categories, ledgers, totals};
use crate::charts::{BarChart, BurnDownChart, Chart, PeriodChart, PeriodFigures, SeriesChart};
use crate::db::AnyConnection;
use crate::db::schema::{categories as categories_t, transactions};
use crate::domain::{AccountId, CategoryName, LedgerId, TransactionKind};
use crate::error::Error;
use crate::money::{Currency, Money};
use crate::period::{BudgetPeriod, DateRange, Granularity};

/// The charts Tally draws.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChartKind {
    /// Spending by category over a period (default: this month).
    Categories,
    /// Income, expenses and net per month, quarter or year (default: the last 12 months).
    Monthly,
    /// One category per month (default: the last 12 months), with its budget as a line.
    Category(CategoryName),
    /// Spending against a budget in its current period; `None` picks the fullest budget.
    Budget(Option<CategoryName>),
    /// A group's spending by member over a period (default: this month).
    Members,
}

impl ChartKind {
    /// The kinds by name, as the API and `/chart` take them (`category` needs a name beside it).
    pub const NAMES: [&'static str; 5] = ["categories", "monthly", "category", "budget", "members"];

    /// `categories`, `monthly`, `budget`, `members`; `None` for anything else (a category name,
    /// perhaps, which the caller looks up).
    pub fn from_word(word: &str) -> Option<ChartKind> {
        match word.trim().to_ascii_lowercase().as_str() {
            "categories" | "category" | "spending" | "pie" => Some(ChartKind::Categories),
            "monthly" | "months" | "month" | "income" | "trend" | "net" | "savings" => {
                Some(ChartKind::Monthly)
            }
            "budget" | "budgets" | "burndown" | "burn-down" => Some(ChartKind::Budget(None)),
            "members" | "member" | "people" | "who" => Some(ChartKind::Members),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            ChartKind::Categories => "categories",
            ChartKind::Monthly => "monthly",
            ChartKind::Category(_) => "category",
            ChartKind::Budget(_) => "budget",
            ChartKind::Members => "members",
        }
    }
}

impl fmt::Display for ChartKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What to chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartRequest {
    pub kind: ChartKind,
    /// The period; `None` for the kind's default.
    pub range: Option<DateRange>,
    /// Bucket size for the monthly chart.
    pub granularity: Granularity,
}

impl ChartRequest {
    pub fn new(kind: ChartKind) -> ChartRequest {
        ChartRequest {
            kind,
            range: None,
            granularity: Granularity::Month,
        }
    }
}

/// A chart ready to draw, with what its caption needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltChart {
    pub chart: Chart,
    pub title: String,
    pub currency: Currency,
    /// Other currencies with figures in the period, left out of the chart.
    pub others: Vec<Currency>,
    pub range: DateRange,
}

/// A chart, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Charted {
    Chart(BuiltChart),
    /// Nothing to draw; a sentence saying so.
    NoData(String),
}

/// How many buckets the monthly chart shows by default.
fn default_buckets(g: Granularity) -> u32 {
    match g {
        Granularity::Month => 12,
        Granularity::Quarter => 8,
        Granularity::Year => 5,
    }
}

/// The default range of a chart over time: `n` buckets ending with the current one.
fn recent_buckets(g: Granularity, today: NaiveDate) -> DateRange {
    let current = g.range_containing(today);
    let months_per = match g {
        Granularity::Month => 1,
        Granularity::Quarter => 3,
        Granularity::Year => 12,
    };
    let back = (default_buckets(g) - 1) * months_per;
    DateRange::new(current.months_before(back).from, current.to)
}

/// Builds the chart `request` asks for, from `ledger` as `actor` may see it, on `today`.
pub fn build(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    request: &ChartRequest,
    today: NaiveDate,
) -> Result<Charted, Error> {
    let access = ledgers::access(conn, actor, ledger)?;
    let home = access.ledger.default_currency;
    match &request.kind {
        ChartKind::Categories | ChartKind::Members => {
            let by_member = matches!(request.kind, ChartKind::Members);
            if by_member && !access.ledger.is_group() {
                return Err(Error::invalid(
                    "kind",
                    "A chart by member is for group ledgers; this one is yours alone.",
                ));
            }
            let range = request
                .range
                .unwrap_or_else(|| DateRange::this_month(today));
            let summary = analytics::summary(conn, actor, ledger, range)?;
            let home_figures = summary.currencies.iter().filter(|c| c.currency == home);
            let items: Vec<(String, Money)> = if by_member {
                home_figures
                    .flat_map(|c| &c.by_member)
                    .filter(|m| !m.expenses.is_zero())
                    .map(|m| (m.name.clone(), m.expenses))
                    .collect()
            } else {
                home_figures
                    .flat_map(|c| &c.by_category)
                    .filter(|c| c.kind == TransactionKind::Expense && !c.total.is_zero())
                    .map(|c| (c.category.label(), c.total))
                    .collect()
            };
            let others = other_currencies(summary.currencies.iter().map(|c| c.currency), home);
            let by = if by_member { "member" } else { "category" };
            let title = format!("Spending by {by}, {}", range.label());
            if items.is_empty() {
                return Ok(no_data(
                    format!("No spending in {} to chart", range.label()),
                    home,
                    &others,
                ));
            }
            Ok(Charted::Chart(BuiltChart {
                chart: Chart::Bars(BarChart {
                    title: title.clone(),
                    currency: home,
                    items,
                }),
                title,
                currency: home,
                others,
                range,
            }))
        }
        ChartKind::Monthly => {
            let g = request.granularity;
            let range = request.range.unwrap_or_else(|| recent_buckets(g, today));
            let periods = analytics::savings(conn, actor, ledger, g, range)?;
            let zero = Money::zero(home);
            let figures: Vec<PeriodFigures> = periods
                .iter()
                .map(|p| {
                    let f = p.figures.iter().find(|f| f.currency == home);
                    PeriodFigures {
                        label: p.label.clone(),
                        income: f.map_or(zero, |f| f.income),
                        expenses: f.map_or(zero, |f| f.expenses),
                    }
                })
                .collect();
            let others = other_currencies(
                periods
                    .iter()
                    .flat_map(|p| p.figures.iter().map(|f| f.currency)),
                home,
            );
            let per = match g {
                Granularity::Month => "month",
                Granularity::Quarter => "quarter",
                Granularity::Year => "year",
            };
            let title = format!("Income and expenses per {per}, {}", span_label(range));
            if figures
                .iter()
                .all(|f| f.income.is_zero() && f.expenses.is_zero())
            {
                return Ok(no_data(
                    format!("Nothing recorded in {} to chart", span_label(range)),
                    home,
                    &others,
                ));
            }
            Ok(Charted::Chart(BuiltChart {
                chart: Chart::Periods(PeriodChart {
                    title: title.clone(),
                    currency: home,
                    periods: figures,
                }),
                title,
                currency: home,
                others,
                range,
            }))
        }
        ChartKind::Category(name) => {
            category_chart(conn, actor, ledger, home, name, request, today)
        }
        ChartKind::Budget(name) => budget_chart(conn, actor, ledger, name.as_ref(), today),
    }
}

fn no_data(sentence: String, home: Currency, others: &[Currency]) -> Charted {
    if others.is_empty() {
        return Charted::NoData(format!("{sentence}."));
    }
    let codes: Vec<&str> = others.iter().map(Currency::code).collect();
    Charted::NoData(format!(
        "{sentence} in {home}; there are figures in {} (a chart shows one currency, the ledger's own).",
        codes.join(", ")
    ))
}

/// `Dec 2025 – Nov 2026` for a range of whole months, else the range's own label.
fn span_label(range: DateRange) -> String {
    if range.from == DateRange::month_of(range.from).from
        && range.to == DateRange::month_of(range.to).to
        && DateRange::month_of(range.from) != DateRange::month_of(range.to)
    {
        return format!(
            "{} – {}",
            range.from.format("%b %Y"),
            range.to.format("%b %Y")
        );
    }
    range.label()
}

fn other_currencies(seen: impl Iterator<Item = Currency>, home: Currency) -> Vec<Currency> {
    let set: BTreeSet<&'static str> = seen.filter(|c| *c != home).map(|c| c.code()).collect();
    set.into_iter()
        .filter_map(|code| Currency::parse(code).ok())
        .collect()
}

fn category_chart(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    home: Currency,
    name: &CategoryName,
    request: &ChartRequest,
    today: NaiveDate,
) -> Result<Charted, Error> {
    let matching: Vec<_> = categories::all_of(conn, ledger, true)?
        .into_iter()
        .filter(|c| &c.name == name)
        .collect();
    // An expense category of that name wins over an income one of the same name.
    let Some(kind) = [TransactionKind::Expense, TransactionKind::Income]
        .into_iter()
        .find(|k| matching.iter().any(|c| c.kind == *k))
    else {
        let known: Vec<String> = categories::all_of(conn, ledger, false)?
            .into_iter()
            .filter(|c| c.kind == TransactionKind::Expense)
            .map(|c| c.name.label())
            .collect();
        return Err(Error::invalid(
            "category",
            format!(
                "There is no category \"{}\" here. Try one of: {}.",
                name.label(),
                known.join(", ")
            ),
        ));
    };
    let ids: Vec<i64> = matching
        .iter()
        .filter(|c| c.kind == kind)
        .map(|c| c.id.get())
        .collect();
    let g = Granularity::Month;
    let range = request.range.unwrap_or_else(|| recent_buckets(g, today));
    let buckets = g.buckets(range);
    if buckets.len() > 1200 {
        return Err(Error::invalid(
            "from",
            "That range is too long; ask for at most 100 years at a time.",
        ));
    }
    let (Some(first), Some(last)) = (buckets.first(), buckets.last()) else {
        return Ok(Charted::NoData(
            "There is nothing to chart for that period.".into(),
        ));
    };
    let mut sums: BTreeMap<usize, i128> = BTreeMap::new();
    let mut seen = Vec::new();
    for row in totals::rows(conn, ledger, DateRange::new(first.from, last.to))? {
        if row.kind != kind || !ids.contains(&row.category_id) {
            continue;
        }
        seen.push(row.currency);
        if row.currency != home {
            continue;
        }
        let index = buckets.partition_point(|b| b.to < row.date);
        *sums.entry(index).or_insert(0) += row.amount;
    }
    let others = other_currencies(seen.into_iter(), home);
    let points: Vec<(String, Money)> = buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            (
                g.label(b.from),
                Money::total(sums.get(&i).copied().unwrap_or(0), home),
            )
        })
        .collect();
    let label = name.label();
    if points.iter().all(|p| p.1.is_zero()) {
        return Ok(no_data(
            format!("Nothing in {label} in {} to chart", span_label(range)),
            home,
            &others,
        ));
    }
    // The budget as a monthly line: a weekly one is scaled to 52 weeks over 12 months, a yearly
    // one spread over 12; only a budget in the chart's currency is drawn.
    let budget = if kind == TransactionKind::Expense {
        budgets::list(conn, actor, ledger)?
            .into_iter()
            .filter(|b| &b.category == name && b.limit.currency() == home)
            .min_by_key(|b| match b.period {
                BudgetPeriod::Month => 0,
                BudgetPeriod::Week => 1,
                BudgetPeriod::Year => 2,
            })
            .and_then(|b| match b.period {
                BudgetPeriod::Month => Some(b.limit),
                BudgetPeriod::Week => b.limit.mul_div(52, 12),
                BudgetPeriod::Year => b.limit.mul_div(1, 12),
            })
    } else {
        None
    };
    let title = format!("{label} per month, {}", span_label(range));
    Ok(Charted::Chart(BuiltChart {
        chart: Chart::Series(SeriesChart {
            title: title.clone(),
            currency: home,
            points,
            budget,
        }),
        title,
        currency: home,
        others,
        range,
    }))
}

fn budget_chart(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    name: Option<&CategoryName>,
    today: NaiveDate,
) -> Result<Charted, Error> {
    let statuses = budgets::status(conn, actor, ledger, today)?;
    if statuses.is_empty() {
        return Ok(Charted::NoData(
            "There are no budgets to chart yet. Set one with /budget food 300.".into(),
        ));
    }
    let chosen = match name {
        Some(n) => statuses
            .iter()
            .filter(|s| &s.budget.category == n)
            .min_by_key(|s| s.budget.period != BudgetPeriod::Month),
        // The budget closest to its limit is the one worth a look.
        None => statuses.iter().max_by(|a, b| {
            a.percent
                .cmp(&b.percent)
                .then(b.budget.category.cmp(&a.budget.category))
        }),
    };
    let Some(status) = chosen else {
        return Ok(Charted::NoData(format!(
            "There is no budget for {} to chart.",
            name.map(CategoryName::label).unwrap_or_default()
        )));
    };
    let currency = status.budget.limit.currency();
    let elapsed_to = status.range.from + chrono::Days::new((status.days_elapsed - 1).max(0) as u64);
    let daily = daily_spent(
        conn,
        ledger,
        &status.budget.category,
        currency,
        DateRange::new(status.range.from, elapsed_to),
    )?;
    let mut running: i128 = 0;
    let spent_by_day: Vec<Money> = (0..status.days_elapsed)
        .map(|i| {
            let day = status.range.from + chrono::Days::new(i as u64);
            running += daily.get(&day).copied().unwrap_or(0);
            Money::total(running, currency)
        })
        .collect();
    let title = format!(
        "{} budget, {}",
        status.budget.category.label(),
        status.range.label()
    );
    Ok(Charted::Chart(BuiltChart {
        chart: Chart::BurnDown(BurnDownChart {
            title: title.clone(),
            limit: status.budget.limit,
            days_total: u32::try_from(status.days_total).unwrap_or(0),
            spent_by_day,
        }),
        title,
        currency,
        others: Vec::new(),
        range: status.range,
    }))
}

/// Expenses in one category and currency per day, in minor units. The caller checked access.
fn daily_spent(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    category: &CategoryName,
    currency: Currency,
    range: DateRange,
) -> Result<BTreeMap<NaiveDate, i128>, Error> {
    let rows: Vec<(NaiveDate, i64, i64)> = transactions::table
        .inner_join(categories_t::table)
        .filter(transactions::ledger_id.eq(ledger.get()))
        .filter(transactions::deleted_at.is_null())
        .filter(transactions::kind.eq(TransactionKind::Expense.as_str()))
        .filter(categories_t::name.eq(category.as_str()))
        .filter(transactions::currency.eq(currency.code()))
        .filter(transactions::occurred_on.between(range.from, range.to))
        .group_by(transactions::occurred_on)
        .select((
            transactions::occurred_on,
            diesel::dsl::sql::<BigInt>(totals::SUM_HIGH),
            diesel::dsl::sql::<BigInt>(totals::SUM_LOW),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(d, high, low)| (d, totals::join_sum(high, low)))
        .collect())
}
