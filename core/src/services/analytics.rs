//! Figures over a ledger: period summaries, totals for questions, and savings over time.

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;
use serde::Serialize;

use super::home_totals::{self, InHome};
use super::{categories, ledgers, totals};
use crate::db::AnyConnection;
use crate::db::schema::ledger_members;
use crate::domain::{AccountId, CategoryName, LedgerId, TransactionKind};
use crate::error::Error;
use crate::money::{Currency, Money};
use crate::period::{DateRange, Granularity};

/// A total as money: exact and unbounded, so no entries, however large, hide a summary.
fn money(minor: i128, currency: Currency) -> Result<Money, Error> {
    Ok(Money::total(minor, currency))
}

fn add(a: Money, b: Money) -> Result<Money, Error> {
    a.checked_add(b)
        .map_err(|_| Error::invalid("amount", "These totals are too large to show."))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryTotal {
    pub kind: TransactionKind,
    pub category: CategoryName,
    #[serde(skip)]
    pub total: Money,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberTotal {
    pub account: AccountId,
    pub name: String,
    #[serde(skip)]
    pub expenses: Money,
    #[serde(skip)]
    pub income: Money,
}

/// One currency's figures; currencies are never added together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencySummary {
    pub currency: Currency,
    pub income: Money,
    pub expenses: Money,
    pub net: Money,
    pub count: i64,
    /// Largest first, expenses before income.
    pub by_category: Vec<CategoryTotal>,
    /// Only for group ledgers: who spent and earned what. A shared expense counts as each
    /// participant's share, not as the payer's whole amount.
    pub by_member: Vec<MemberTotal>,
    /// Only for group ledgers: how much of `expenses` was shared (split among members).
    pub shared_expenses: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub range: DateRange,
    pub currencies: Vec<CurrencySummary>,
    pub is_group: bool,
    /// One total in the ledger's home currency, when entries in other currencies exist.
    pub home: Option<InHome>,
}

impl Summary {
    pub fn is_empty(&self) -> bool {
        self.currencies.is_empty()
    }
}

/// Income, expenses, net, by category (and by member in groups), per currency; with one
/// total in the ledger's home currency when other currencies are among them.
pub fn summary(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    range: DateRange,
) -> Result<Summary, Error> {
    summary_in(conn, actor, ledger, range, None)
}

/// [`summary`] with its one total in `target` instead of the ledger's home currency.
pub fn summary_in(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    range: DateRange,
    target: Option<Currency>,
) -> Result<Summary, Error> {
    let access = ledgers::access(conn, actor, ledger)?;
    let rows = totals::rows(conn, ledger, range)?;
    let names: HashMap<i64, CategoryName> = categories::all_of(conn, ledger, true)?
        .into_iter()
        .map(|c| (c.id.get(), c.name))
        .collect();
    let is_group = access.ledger.is_group();
    let members: HashMap<i64, String> = if is_group {
        ledger_members::table
            .filter(ledger_members::ledger_id.eq(ledger.get()))
            .select((ledger_members::account_id, ledger_members::display_name))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect()
    } else {
        HashMap::new()
    };

    let mut per_currency: BTreeMap<&'static str, CurrencySummary> = BTreeMap::new();
    let mut cats: HashMap<(&'static str, TransactionKind, i64), (Money, i64)> = HashMap::new();
    let mut people: HashMap<(&'static str, i64), (Money, Money)> = HashMap::new();
    for row in rows {
        let (kind, currency, category_id, author, count) = (
            row.kind,
            row.currency,
            row.category_id,
            row.author,
            row.count,
        );
        let amount = money(row.amount, currency)?;
        let zero = Money::zero(currency);
        let entry = per_currency
            .entry(currency.code())
            .or_insert_with(|| CurrencySummary {
                currency,
                income: zero,
                expenses: zero,
                net: zero,
                count: 0,
                by_category: Vec::new(),
                by_member: Vec::new(),
                shared_expenses: zero,
            });
        entry.count += count;
        match kind {
            TransactionKind::Income => entry.income = add(entry.income, amount)?,
            TransactionKind::Expense => entry.expenses = add(entry.expenses, amount)?,
        }
        let c = cats
            .entry((currency.code(), kind, category_id))
            .or_insert((zero, 0));
        c.0 = add(c.0, amount)?;
        c.1 += count;
        if is_group {
            let p = people
                .entry((currency.code(), author))
                .or_insert((zero, zero));
            match kind {
                TransactionKind::Expense => p.0 = add(p.0, amount)?,
                TransactionKind::Income => p.1 = add(p.1, amount)?,
            }
        }
    }
    for ((code, kind, category_id), (total, count)) in cats {
        if let Some(s) = per_currency.get_mut(code) {
            s.by_category.push(CategoryTotal {
                kind,
                category: names
                    .get(&category_id)
                    .cloned()
                    .unwrap_or_else(CategoryName::other),
                total,
                count,
            });
        }
    }
    if is_group {
        // Shared expenses: the author's whole amount becomes each participant's share.
        for shift in super::splits::member_shifts(conn, ledger, range)? {
            let Some(s) = per_currency.get_mut(shift.currency.code()) else {
                continue;
            };
            let zero = Money::zero(shift.currency);
            if let Some(total) = shift.shared {
                s.shared_expenses = add(s.shared_expenses, total)?;
            }
            let p = people
                .entry((shift.currency.code(), shift.account))
                .or_insert((zero, zero));
            p.0 = add(p.0, shift.delta)?;
        }
    }
    for ((code, author), (expenses, income)) in people {
        if let Some(s) = per_currency.get_mut(code) {
            s.by_member.push(MemberTotal {
                account: AccountId(author),
                name: members
                    .get(&author)
                    .cloned()
                    .unwrap_or_else(|| "a former member".into()),
                expenses,
                income,
            });
        }
    }
    let mut currencies: Vec<CurrencySummary> = per_currency.into_values().collect();
    for s in &mut currencies {
        s.net = s
            .income
            .checked_sub(s.expenses)
            .map_err(|_| Error::invalid("amount", "These totals are too large to show."))?;
        s.by_category.sort_by(|a, b| {
            (a.kind == TransactionKind::Income)
                .cmp(&(b.kind == TransactionKind::Income))
                .then(b.total.minor().cmp(&a.total.minor()))
                .then(a.category.cmp(&b.category))
        });
        s.by_member.sort_by(|a, b| {
            b.expenses
                .minor()
                .cmp(&a.expenses.minor())
                .then(a.name.cmp(&b.name))
        });
    }
    // The ledger's own currency first, then the rest by code.
    let home = access.ledger.default_currency;
    currencies.sort_by_key(|s| (s.currency != home, s.currency.code()));
    let target = target.unwrap_or(home);
    let home_total = match currencies.iter().any(|s| s.currency != target) {
        true => {
            let own = currencies
                .iter()
                .find(|s| s.currency == target)
                .map_or((0, 0), |s| (s.income.minor(), s.expenses.minor()));
            home_totals::home_total(conn, ledger, range, target, own, |_| true)?
        }
        false => None,
    };
    Ok(Summary {
        range,
        currencies,
        is_group,
        home: home_total,
    })
}

/// The total of one kind (optionally one category) over a period, per currency.
pub fn total(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    range: DateRange,
    kind: TransactionKind,
    category: Option<&CategoryName>,
) -> Result<Vec<Money>, Error> {
    ledgers::access(conn, actor, ledger)?;
    // Filtering by category ids (a ledger has at most a few hundred) keeps one query shape.
    let category_ids: Vec<i64> = categories::all_of(conn, ledger, true)?
        .into_iter()
        .filter(|c| c.kind == kind && category.is_none_or(|name| *name == c.name))
        .map(|c| c.id.get())
        .collect();
    let mut sums: BTreeMap<&'static str, Money> = BTreeMap::new();
    for row in totals::rows(conn, ledger, range)? {
        if row.kind != kind || !category_ids.contains(&row.category_id) {
            continue;
        }
        let amount = money(row.amount, row.currency)?;
        let entry = sums
            .entry(row.currency.code())
            .or_insert(Money::zero(row.currency));
        *entry = add(*entry, amount)?;
    }
    let mut out: Vec<Money> = sums.into_values().collect();
    out.sort_by_key(|m| m.currency().code());
    Ok(out)
}

/// [`total`]'s amounts as one figure in the ledger's home currency (expenses or income alike in
/// [`home_totals::HomeTotal::expenses`] / `income`), when some are in other currencies.
pub fn total_in_home(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    range: DateRange,
    kind: TransactionKind,
    category: Option<&CategoryName>,
    amounts: &[Money],
) -> Result<Option<InHome>, Error> {
    let home = ledgers::access(conn, actor, ledger)?
        .ledger
        .default_currency;
    if amounts.iter().all(|m| m.currency() == home) {
        return Ok(None);
    }
    let category_ids: Vec<i64> = categories::all_of(conn, ledger, true)?
        .into_iter()
        .filter(|c| c.kind == kind && category.is_none_or(|name| *name == c.name))
        .map(|c| c.id.get())
        .collect();
    let own = amounts
        .iter()
        .find(|m| m.currency() == home)
        .map_or(0, |m| m.minor());
    let own = match kind {
        TransactionKind::Income => (own, 0),
        TransactionKind::Expense => (0, own),
    };
    home_totals::home_total(conn, ledger, range, home, own, |e| {
        e.kind == kind && category_ids.contains(&e.category_id)
    })
}

/// A savings rate in tenths of a percent (`235` is 23.5%), rounded half up; may be negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SavingsRate(pub i64);

impl SavingsRate {
    /// `net / income`, or `None` when there was no income to save from.
    pub fn of(net: Money, income: Money) -> Option<SavingsRate> {
        if income.minor() <= 0 {
            return None;
        }
        let scaled = net.minor() * 1000;
        let income = income.minor();
        let q = scaled / income;
        let r = scaled % income;
        let q = if r.abs() * 2 >= income {
            if scaled < 0 { q - 1 } else { q + 1 }
        } else {
            q
        };
        i64::try_from(q).ok().map(SavingsRate)
    }

    /// As a decimal percentage string: `23.5`, `-4.0`.
    pub fn percent_string(&self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{}.{}", self.0.abs() / 10, self.0.abs() % 10)
    }
}

impl std::fmt::Display for SavingsRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}%", self.percent_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavingsFigures {
    pub currency: Currency,
    pub income: Money,
    pub expenses: Money,
    /// Income minus expenses: a saving when positive, a loss when negative.
    pub net: Money,
    pub rate: Option<SavingsRate>,
}

/// One bucket of the savings analytics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavingsPeriod {
    /// `2026-10`, `2026-Q4` or `2026`.
    pub label: String,
    pub range: DateRange,
    /// One entry per currency that had activity; empty for a quiet period.
    pub figures: Vec<SavingsFigures>,
    /// All figures in the ledger's home currency, when other currencies are among them.
    pub home: Option<InHome>,
}

/// Income, expenses, net and savings rate per month, quarter or year, for every bucket that
/// overlaps `range` (quiet buckets included, so a chart has no gaps).
pub fn savings(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    granularity: Granularity,
    range: DateRange,
) -> Result<Vec<SavingsPeriod>, Error> {
    let home = ledgers::access(conn, actor, ledger)?
        .ledger
        .default_currency;
    let buckets = granularity.buckets(range);
    if buckets.len() > 1200 {
        return Err(Error::invalid(
            "from",
            "That range is too long; ask for at most 100 years at a time.",
        ));
    }
    let (Some(first), Some(last)) = (buckets.first(), buckets.last()) else {
        return Ok(Vec::new());
    };
    let mut sums: BTreeMap<(usize, &'static str), (Money, Money)> = BTreeMap::new();
    for row in totals::rows(conn, ledger, DateRange::new(first.from, last.to))? {
        // Buckets are whole months or longer, so a month's row falls in exactly one.
        let index = buckets.partition_point(|b| b.to < row.date);
        let amount = money(row.amount, row.currency)?;
        let zero = Money::zero(row.currency);
        let e = sums
            .entry((index, row.currency.code()))
            .or_insert((zero, zero));
        match row.kind {
            TransactionKind::Income => e.0 = add(e.0, amount)?,
            TransactionKind::Expense => e.1 = add(e.1, amount)?,
        }
    }
    let mut out: Vec<SavingsPeriod> = buckets
        .iter()
        .map(|b| SavingsPeriod {
            label: granularity.label(b.from),
            range: *b,
            figures: Vec::new(),
            home: None,
        })
        .collect();
    for ((index, _), (income, expenses)) in sums {
        let net = income
            .checked_sub(expenses)
            .map_err(|_| Error::invalid("amount", "These totals are too large to show."))?;
        if let Some(period) = out.get_mut(index) {
            period.figures.push(SavingsFigures {
                currency: income.currency(),
                income,
                expenses,
                net,
                rate: SavingsRate::of(net, income),
            });
        }
    }
    if out
        .iter()
        .any(|p| p.figures.iter().any(|f| f.currency != home))
    {
        // One read of the entries and rates for the whole range, shared out by period.
        let all = DateRange::new(first.from, last.to);
        let foreign = home_totals::foreign(conn, ledger, all, home)?;
        let table = super::rates::table(conn, all.from, all.to)?;
        for period in &mut out {
            let entries: Vec<_> = foreign
                .iter()
                .filter(|e| e.date >= period.range.from && e.date <= period.range.to)
                .collect();
            if entries.is_empty() {
                continue;
            }
            let own = period
                .figures
                .iter()
                .find(|f| f.currency == home)
                .map_or((0, 0), |f| (f.income.minor(), f.expenses.minor()));
            let c = home_totals::convert_entries(entries, &table, home);
            period.home = Some(home_totals::in_home(c, own));
        }
    }
    Ok(out)
}
