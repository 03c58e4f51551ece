//! Which column holds what: by the header's names when there is one, else by what the cells
//! look like; and one row read through that mapping.

use serde::Serialize;

use super::dates::{self, DateStyle};
use super::{ImportError, ImportRow, ReadOptions, Record, amount};
use crate::domain::{CategoryName, TransactionKind};
use crate::money::{Currency, Money};

/// Where the amount is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AmountColumns {
    /// One column: negative is money out, positive money in (or, with a `kind` column as in
    /// Tally's own file, always positive).
    Signed { column: usize },
    /// Money out in one column, money in in another; each row fills one of them.
    DebitCredit { debit: usize, credit: usize },
}

/// What was detected, as the preview shows it. Columns count from 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Columns {
    pub separator: String,
    pub header: bool,
    /// The header's names, or `column 1`, `column 2`… without one.
    pub names: Vec<String>,
    pub date: usize,
    pub date_style: &'static str,
    pub amount: AmountColumns,
    pub decimal_mark: String,
    pub currency: Option<usize>,
    pub note: Option<usize>,
    pub category: Option<usize>,
    pub kind: Option<usize>,
    #[serde(skip)]
    style: DateStyle,
    #[serde(skip)]
    mark: char,
    /// Tally's own file: formula marks added on export are taken off again.
    #[serde(skip)]
    tally: bool,
}

fn norm(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first column (not yet taken) whose name matches one of `words`, tried in order.
fn by_name(names: &[String], taken: &[usize], words: &[&str], exact: bool) -> Option<usize> {
    words.iter().find_map(|w| {
        names.iter().enumerate().position(|(i, n)| {
            !taken.contains(&i)
                && !n.contains("balance")
                && !n.contains("saldo")
                && if exact || n == w {
                    n == w
                } else if w.contains(' ') {
                    n.contains(w)
                } else {
                    n.split(' ').any(|part| part == *w)
                }
        })
    })
}

const DATE: &[&str] = &[
    "date",
    "booking date",
    "transaction date",
    "posting date",
    "buchungstag",
    "datum",
    "fecha",
    "data",
    "posted",
    "day",
];
const AMOUNT: &[&str] = &[
    "amount", "betrag", "importe", "montant", "bedrag", "value", "sum",
];
const DEBIT: &[&str] = &[
    "debit",
    "withdrawal",
    "withdrawals",
    "money out",
    "paid out",
    "out",
    "soll",
    "ausgang",
];
const CREDIT: &[&str] = &[
    "credit", "deposit", "deposits", "money in", "paid in", "in", "haben", "eingang",
];
const CURRENCY: &[&str] = &["currency", "ccy", "währung", "waehrung", "devise", "moneda"];
const NOTE: &[&str] = &[
    "note",
    "description",
    "memo",
    "payee",
    "details",
    "narrative",
    "verwendungszweck",
    "buchungstext",
    "beschreibung",
    "concepto",
    "libellé",
    "merchant",
    "name",
    "text",
    "reference",
];

/// The mapping for a file's records (the first may be a header).
pub fn detect(all: &[Record], separator: u8, options: ReadOptions) -> Result<Columns, ImportError> {
    let first = &all[0].1;
    let header = !first.iter().any(|c| dates::looks_like_date(c));
    let body: Vec<&Vec<String>> = all
        .iter()
        .skip(usize::from(header))
        .map(|(_, c)| c)
        .collect();
    let width = first.len();
    let column = |i: usize| {
        body.iter()
            .filter_map(move |r| r.get(i).map(String::as_str))
    };
    let names: Vec<String> = if header {
        first.iter().map(|n| norm(n)).collect()
    } else {
        (1..=width).map(|i| format!("column {i}")).collect()
    };
    let mut taken: Vec<usize> = Vec::new();
    let named = |taken: &mut Vec<usize>, words: &[&str], exact: bool| {
        let found = if header {
            by_name(&names, taken, words, exact)
        } else {
            None
        };
        if let Some(i) = found {
            taken.push(i);
        }
        found
    };
    let tally =
        header && names.starts_with(&["date", "kind", "amount", "currency"].map(String::from));

    // Dates: by name, else the first column where every cell is one.
    let date = named(&mut taken, DATE, false)
        .or_else(|| (0..width).find(|&i| column(i).all(dates::looks_like_date)))
        .ok_or_else(|| ImportError::Columns("I could not find a column of dates".into()))?;
    if !taken.contains(&date) {
        taken.push(date);
    }
    let kind = if tally {
        named(&mut taken, &["kind"], true)
    } else {
        None
    };
    let category = named(&mut taken, &["category"], true);
    let mut currency = named(&mut taken, CURRENCY, false);
    if currency.is_none() {
        currency = (0..width).filter(|i| !taken.contains(i)).find(|&i| {
            column(i).all(|c| c.len() == 3 && Currency::parse(&c.to_ascii_uppercase()).is_ok())
        });
        taken.extend(currency);
    }
    // Debit and credit first: `Debit Amount` and `Credit Amount` both say "amount".
    let debit_credit = {
        let before = taken.clone();
        let debit = named(&mut taken, DEBIT, false);
        let credit = named(&mut taken, CREDIT, false);
        match (debit, credit) {
            (Some(debit), Some(credit)) => Some(AmountColumns::DebitCredit { debit, credit }),
            _ => {
                taken = before;
                None
            }
        }
    };
    let amount_by_name = match debit_credit {
        Some(_) => None,
        None => named(&mut taken, AMOUNT, false),
    };
    let amount = match (amount_by_name, debit_credit) {
        (Some(column), _) => AmountColumns::Signed { column },
        (None, Some(dc)) => dc,
        (None, None) => {
            // By the cells: columns of numbers, the first full one signed; or two that fill
            // in turn, debit then credit.
            let numeric: Vec<usize> = (0..width)
                .filter(|i| !taken.contains(i))
                .filter(|&i| {
                    let mark = amount::decimal_mark(column(i), separator);
                    column(i).any(|c| !c.is_empty())
                        && column(i).all(|c| c.is_empty() || amount::parse(c, mark).is_some())
                })
                .collect();
            let full = |i: usize| column(i).all(|c| !c.is_empty());
            match numeric.as_slice() {
                [first, ..] if full(*first) => AmountColumns::Signed { column: *first },
                [a, b, ..]
                    if body.iter().all(|r| {
                        r.get(*a).is_some_and(|c| !c.is_empty())
                            != r.get(*b).is_some_and(|c| !c.is_empty())
                    }) =>
                {
                    AmountColumns::DebitCredit {
                        debit: *a,
                        credit: *b,
                    }
                }
                _ => {
                    return Err(ImportError::Columns(
                        "I could not find a column of amounts (or debit and credit columns)".into(),
                    ));
                }
            }
        }
    };
    match amount {
        AmountColumns::Signed { column } => taken.push(column),
        AmountColumns::DebitCredit { debit, credit } => taken.extend([debit, credit]),
    }
    taken.sort_unstable();
    taken.dedup();
    // The note: by name, else the free column with the most letters.
    let note = named(&mut taken, NOTE, false).or_else(|| {
        (0..width)
            .filter(|i| !taken.contains(i))
            .map(|i| {
                let letters: usize = column(i)
                    .map(|c| c.chars().filter(|ch| ch.is_alphabetic()).count())
                    .sum();
                (letters, i)
            })
            .filter(|(letters, _)| *letters > 0)
            .max_by_key(|(letters, i)| (*letters, std::cmp::Reverse(*i)))
            .map(|(_, i)| i)
    });
    let style = dates::style_of(column(date).filter(|c| !c.is_empty()), options.date_order)
        .unwrap_or(DateStyle::Ymd);
    let mark = match amount {
        AmountColumns::Signed { column: c } => amount::decimal_mark(column(c), separator),
        AmountColumns::DebitCredit { debit, credit } => {
            amount::decimal_mark(column(debit).chain(column(credit)), separator)
        }
    };
    Ok(Columns {
        separator: match separator {
            b'\t' => "tab".into(),
            s => char::from(s).to_string(),
        },
        header,
        names: if header { first.clone() } else { names },
        date,
        date_style: style.label(),
        amount,
        decimal_mark: mark.to_string(),
        currency,
        note,
        category,
        kind,
        style,
        mark,
        tally,
    })
}

impl Columns {
    /// One row through the mapping.
    pub(super) fn row(
        &self,
        line: u64,
        cells: &[String],
        options: ReadOptions,
    ) -> Result<ImportRow, ImportError> {
        let cell = |i: usize| cells.get(i).map_or("", String::as_str);
        let fail = |problem: String| ImportError::Line { line, problem };
        let date_cell = cell(self.date);
        let date = dates::parse(date_cell, self.style).ok_or_else(|| {
            if date_cell.is_empty() {
                fail("the date is missing".into())
            } else {
                fail(format!("\"{date_cell}\" is not a date"))
            }
        })?;
        let currency = match self.currency.map(cell).filter(|c| !c.is_empty()) {
            None => options.currency,
            Some(code) => Currency::parse(&code.to_ascii_uppercase())
                .map_err(|_| fail(format!("\"{code}\" is not a currency")))?,
        };
        let read = |c: &str| {
            amount::parse(c, self.mark).ok_or_else(|| fail(format!("\"{c}\" is not an amount")))
        };
        let (negative, digits) = match self.amount {
            AmountColumns::Signed { column } => {
                let c = cell(column);
                if c.is_empty() {
                    return Err(fail("the amount is missing".into()));
                }
                read(c)?
            }
            AmountColumns::DebitCredit { debit, credit } => match (cell(debit), cell(credit)) {
                (d, "") if !d.is_empty() => (true, read(d)?.1),
                ("", c) if !c.is_empty() => (false, read(c)?.1),
                ("", "") => return Err(fail("neither a debit nor a credit".into())),
                _ => return Err(fail("both a debit and a credit".into())),
            },
        };
        let money = Money::parse(&digits, currency).map_err(|e| fail(format!("{e}")))?;
        if money.is_zero() {
            return Err(fail("the amount is zero".into()));
        }
        let kind = match self.kind.map(cell) {
            Some(k) => {
                if negative {
                    return Err(fail(
                        "an amount with a kind is written without a sign".into(),
                    ));
                }
                k.parse::<TransactionKind>()
                    .map_err(|_| fail(format!("\"{k}\" is neither expense nor income")))?
            }
            None if negative => TransactionKind::Expense,
            None => TransactionKind::Income,
        };
        let mut note = self.note.map(cell).unwrap_or("").to_owned();
        if self.tally
            && let Some(rest) = note.strip_prefix('\'')
            && rest.starts_with(['=', '+', '-', '@', '\t', '\r'])
        {
            note = rest.to_owned();
        }
        let category = self
            .category
            .map(cell)
            .filter(|c| !c.is_empty())
            .and_then(|c| CategoryName::parse(c).ok());
        Ok(ImportRow {
            line,
            date,
            kind,
            money,
            note,
            category,
        })
    }
}
