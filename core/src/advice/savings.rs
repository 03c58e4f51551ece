//! Savings: last month's result, the savings rate's trend, and the quarter's and year's totals.

use chrono::Datelike;

use super::finding::{Finding, FindingKind};
use super::history::{Book, div_round, share};
use crate::conversation::{Text, format};
use crate::domain::TransactionKind;
use crate::error::Error;
use crate::money::Money;
use crate::period::DateRange;
use crate::services::analytics::SavingsRate;

/// A change in the savings rate worth mentioning, in tenths of a percentage point.
const RATE_SHIFT: i64 = 50;
/// Days of records in the year before its end is projected from them.
const MIN_DAYS_TO_PROJECT: i64 = 60;
/// Below this savings rate (tenths of a percent) the filler finding suggests saving more.
const RATE_TARGET: i64 = 100;

fn sums(book: &Book, range: DateRange) -> (i64, i64) {
    (
        book.total(TransactionKind::Income, None, range),
        book.total(TransactionKind::Expense, None, range),
    )
}

fn rate(book: &Book, income: i64, net: i64) -> Result<Option<SavingsRate>, Error> {
    Ok(SavingsRate::of(book.money(net)?, book.money(income)?))
}

pub(crate) fn findings(book: &Book, base: i64) -> Result<Vec<Finding>, Error> {
    let mut out = Vec::new();
    let months = book.previous_months(6);
    // A ledger that only records spending has no savings to speak of.
    if !book
        .entries
        .iter()
        .any(|e| e.kind == TransactionKind::Income)
    {
        return Ok(out);
    }
    if let Some(last) = months.first() {
        let (income, expenses) = sums(book, *last);
        let net = income.saturating_sub(expenses);
        let month = last.from.format("%B").to_string();
        if income > 0 && net < 0 {
            let gap = book.money(-net)?;
            let mut text = Text::new()
                .plain(format!("In {month} you spent "))
                .bold(format!("{gap} more"))
                .plain(format!(
                    " than you earned ({} in, {} out).",
                    book.money(income)?,
                    book.money(expenses)?
                ));
            if let Some((c, t)) = book
                .by_category(*last)
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            {
                text = text.plain(format!(
                    " Trimming {gap} from {} ({} that month, your biggest) would break even.",
                    format::category_words(&c).to_lowercase(),
                    book.money(t)?
                ));
            }
            out.push(Finding::new(
                FindingKind::Loss,
                gap,
                170,
                share(-net, base),
                text,
            ));
        } else if let Some(trend) = trend(book, &months)? {
            out.push(trend);
        } else if let Some(r) = rate(book, income, net)? {
            let mut text = Text::new()
                .plain(format!("You saved {} of your income in {month} (", r))
                .bold(book.money(net)?.to_string())
                .plain(").");
            if r.0 < RATE_TARGET {
                let more = book
                    .money(income)?
                    .mul_div(RATE_TARGET - r.0, 1000)
                    .unwrap_or(Money::zero(book.currency));
                text = text.plain(format!(
                    " Setting aside {more} more a month on payday would make it 10%."
                ));
            } else {
                text = text.plain(" Keep it up.");
            }
            out.push(Finding::new(
                FindingKind::SavingsRate,
                book.money(net)?,
                25,
                0,
                text,
            ));
        }
    }
    out.extend(period_result(book, base)?);
    Ok(out)
}

/// The rate over the last three complete months against the (up to) three before.
fn trend(book: &Book, months: &[DateRange]) -> Result<Option<Finding>, Error> {
    if months.len() < 4 {
        return Ok(None);
    }
    let (recent, older) = months.split_at(3);
    let totals = |ms: &[DateRange]| {
        ms.iter().fold((0i64, 0i64), |(i, x), m| {
            let (mi, mx) = sums(book, *m);
            (i.saturating_add(mi), x.saturating_add(mx))
        })
    };
    let (ri, rx) = totals(recent);
    let (oi, ox) = totals(older);
    let (Some(new), Some(old)) = (
        rate(book, ri, ri.saturating_sub(rx))?,
        rate(book, oi, oi.saturating_sub(ox))?,
    ) else {
        return Ok(None);
    };
    let span = |ms: &[DateRange]| match (ms.last(), ms.first()) {
        (Some(a), Some(b)) => format!("{}–{}", a.from.format("%b"), b.from.format("%b")),
        _ => String::new(),
    };
    let shift = new.0 - old.0;
    if shift <= -RATE_SHIFT {
        // What it takes to get back: the lost points of the recent months' average income.
        let monthly_income = book.money(div_round(ri, recent.len() as i64))?;
        let back = monthly_income
            .mul_div(-shift, 1000)
            .unwrap_or(Money::zero(book.currency));
        let text = Text::new()
            .plain("Your savings rate fell to ")
            .bold(new.to_string())
            .plain(format!(
                " ({}) from {old} ({}). Setting aside {back} a month on payday would bring it back.",
                span(recent),
                span(older)
            ));
        return Ok(Some(Finding::new(
            FindingKind::SavingsRate,
            back,
            110,
            -shift / 10,
            text,
        )));
    }
    if shift >= RATE_SHIFT {
        let net = book.money(ri.saturating_sub(rx))?;
        let text = Text::new()
            .plain("Your savings rate rose to ")
            .bold(new.to_string())
            .plain(format!(
                " ({}) from {old} ({}): whatever you changed is working, keep it.",
                span(recent),
                span(older)
            ));
        return Ok(Some(Finding::new(
            FindingKind::SavingsRate,
            net,
            50,
            shift / 10,
            text,
        )));
    }
    Ok(None)
}

/// The quarter and the year so far: saved or lost, and where the year is heading.
fn period_result(book: &Book, base: i64) -> Result<Option<Finding>, Error> {
    let today = book.today;
    let quarter = DateRange::new(DateRange::quarter_of(today).from, today);
    let year = DateRange::new(DateRange::year_of(today).from, today);
    let (qi, qx) = sums(book, quarter);
    let (yi, yx) = sums(book, year);
    if yi == 0 && yx == 0 {
        return Ok(None);
    }
    let q_net = qi.saturating_sub(qx);
    let y_net = yi.saturating_sub(yx);
    let describe = |net: i64, income: i64| -> Result<String, Error> {
        let r = rate(book, income, net)?
            .map(|r| format!(" ({r} of income)"))
            .unwrap_or_default();
        Ok(if net >= 0 {
            format!("saved {}{r}", book.money(net)?)
        } else {
            format!("lost {}", book.money(-net)?)
        })
    };
    let q_label = format!("Q{} {}", today.month0() / 3 + 1, today.year());
    // A ledger younger than the quarter has one figure for both: say it once.
    let text = if book.earliest >= quarter.from {
        Text::new()
            .plain("So far this year you ")
            .bold(describe(y_net, yi)?)
            .plain(".")
    } else {
        Text::new()
            .plain(format!("So far in {q_label} you "))
            .bold(describe(q_net, qi)?)
            .plain(format!("; this year you {}.", describe(y_net, yi)?))
    };
    if y_net < 0 {
        let months_left = i64::from(12 - today.month0());
        let cut = book.money(div_round(-y_net, months_left))?;
        let text = text.plain(format!(
            " To end the year even, spend about {cut} a month less for the rest of it."
        ));
        return Ok(Some(Finding::new(
            FindingKind::PeriodResult,
            book.money(y_net)?,
            160,
            share(-y_net, base),
            text,
        )));
    }
    // Project from the first record: a ledger started in May says nothing about January.
    let start = year.from.max(book.earliest);
    let covered = (today - start).num_days() + 1;
    let remaining = (DateRange::year_of(today).to - today).num_days();
    let text = if covered >= MIN_DAYS_TO_PROJECT && remaining > 0 {
        let heading =
            book.money(y_net.saturating_add(div_round(y_net.saturating_mul(remaining), covered)))?;
        text.plain(format!(
            " At this rate the year ends about {heading} ahead."
        ))
    } else {
        text.plain(" Moving it to savings now keeps it from being spent.")
    };
    Ok(Some(Finding::new(
        FindingKind::PeriodResult,
        book.money(y_net)?,
        30,
        0,
        text,
    )))
}
