//! The offline analyst: findings about a ledger, with numbers and a suggestion each.

mod finding;
mod history;
mod pace;
mod recurring;
mod savings;
mod trends;
mod unusual;

use std::collections::HashSet;

use chrono::NaiveDate;

pub use finding::{Finding, FindingKind};
pub use recurring::{Cadence, Recurring};

use crate::conversation::Text;
use crate::db::AnyConnection;
use crate::domain::{AccountId, CategoryName, LedgerId};
use crate::error::Error;
use crate::services::{budgets, ledgers};

/// How many findings `advice` shows at most (and at least, when there are that many).
pub const MAX_FINDINGS: usize = 5;

/// Every finding about the ledger as of `today`, most important first.
///
/// Each currency is analysed on its own (the ledger's currency first); amounts are exact.
pub fn analyse(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    today: NaiveDate,
) -> Result<Vec<Finding>, Error> {
    let access = ledgers::access(conn, actor, ledger)?;
    let books = history::load(conn, ledger, access.ledger.default_currency, today)?;
    let statuses = budgets::status(conn, actor, ledger, today)?;
    let budgeted: HashSet<CategoryName> =
        statuses.iter().map(|s| s.budget.category.clone()).collect();
    let mut all = Vec::new();
    for book in &books {
        let recurring = recurring::detect(book)?;
        let base = yardstick(book);
        all.extend(pace::budgets(book, &statuses, &recurring, base)?);
        all.extend(pace::overall(book, &recurring)?);
        all.extend(trends::changes(book, &recurring, &budgeted, base)?);
        all.extend(unusual::find(book, &recurring, base)?);
        all.extend(recurring::finding(book, &recurring, base)?);
        all.extend(savings::findings(book, base)?);
    }
    // A stable sort: on equal weight, the ledger's own currency (loaded first) stays first.
    all.sort_by(|a, b| b.score.cmp(&a.score).then(a.kind.cmp(&b.kind)));
    Ok(all)
}

/// The active recurring payments in the ledger, per currency, largest yearly cost first.
pub fn recurring_payments(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    today: NaiveDate,
) -> Result<Vec<Recurring>, Error> {
    let access = ledgers::access(conn, actor, ledger)?;
    let mut out = Vec::new();
    for book in history::load(conn, ledger, access.ledger.default_currency, today)? {
        out.extend(recurring::detect(&book)?);
    }
    Ok(out)
}

/// A usual month's spending in this currency: the scale that findings' stakes are measured on.
fn yardstick(book: &history::Book) -> i64 {
    match book.monthly_expenses() {
        Some(m) if m > 0 => m,
        // Less than a month of history: what there is, so stakes still compare.
        _ => book
            .expenses()
            .fold(0i64, |s, e| s.saturating_add(e.minor))
            .max(1),
    }
}

/// The findings as a bulleted list under a heading.
pub fn findings_text(heading: &str, findings: &[Finding]) -> Text {
    let mut t = Text::new().bold(heading);
    for f in findings {
        t = t.line().plain("• ").append(f.text.clone());
    }
    t
}

/// The findings that matter most this month, as one reply.
pub fn advise_text(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    today: NaiveDate,
) -> Result<Text, Error> {
    let mut findings = analyse(conn, actor, ledger, today)?;
    if findings.is_empty() {
        return Ok(Text::plain_str(
            "I need a few more weeks of transactions (with income, too) before I can give useful advice. Keep recording!",
        ));
    }
    findings.truncate(MAX_FINDINGS);
    Ok(findings_text("Advice", &findings))
}
