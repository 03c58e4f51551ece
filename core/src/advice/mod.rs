//! The offline analyst: findings about a ledger, with numbers and a suggestion each.

use chrono::NaiveDate;

use crate::conversation::Text;
use crate::conversation::format;
use crate::db::AnyConnection;
use crate::domain::{AccountId, LedgerId, TransactionKind};
use crate::error::Error;
use crate::period::DateRange;
use crate::services::{analytics, budgets};

/// The findings that matter most this month, as one reply.
pub fn advise_text(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    today: NaiveDate,
) -> Result<Text, Error> {
    let mut lines: Vec<Text> = Vec::new();
    for s in budgets::status(conn, actor, ledger, today)? {
        if s.projected.minor() > s.budget.limit.minor() {
            lines.push(Text::new().plain(format!(
                "At this pace {} will reach {} by {}, over its {} budget. Slow down there for the rest of the {}.",
                format::category_words(&s.budget.category),
                s.projected,
                s.range.to.format("%b %-d"),
                s.budget.limit,
                s.budget.period.as_str()
            )));
        }
    }
    let summary = analytics::summary(conn, actor, ledger, DateRange::this_month(today))?;
    for c in &summary.currencies {
        if let Some(top) = c
            .by_category
            .iter()
            .find(|x| x.kind == TransactionKind::Expense)
        {
            lines.push(Text::new().plain(format!(
                "Your biggest spending this month is {} at {}; that is where a cut saves most.",
                format::category_words(&top.category),
                top.total
            )));
        }
    }
    if lines.is_empty() {
        return Ok(Text::plain_str(
            "I need a few more transactions before I can give useful advice. Keep recording!",
        ));
    }
    let mut t = Text::new().bold("Advice");
    for l in lines.into_iter().take(5) {
        t = t.line().plain("• ").append(l);
    }
    Ok(t)
}
