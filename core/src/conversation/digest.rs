//! `/digest weekly|monthly|off`, and what a digest says when it is due.

use chrono::{DateTime, Utc};

use super::format;
use super::message::{OutMessage, Reply, Text};
use super::turn::Turn;
use crate::advice;
use crate::db::AnyConnection;
use crate::domain::{Platform, Timezone, TransactionKind};
use crate::error::Error;
use crate::services::analytics::{self, SavingsRate};
use crate::services::digests::{self, Digest, Frequency, SEND_HOUR};
use crate::services::home_totals::InHome;
use crate::services::{accounts, ledgers};

/// Findings a digest carries under the period's figures: a digest is a glance, not a report.
const DIGEST_FINDINGS: usize = 3;
/// Categories named in a digest's one-line summary.
const TOP_CATEGORIES: usize = 3;

const USAGE: &str = "Use /digest weekly (Mondays), /digest monthly (the 1st) or /digest off.";

fn local_time(at: chrono::NaiveDateTime, tz: Timezone) -> String {
    at.and_utc()
        .with_timezone(&tz.tz())
        .format("%a %b %-d at %H:%M")
        .to_string()
}

impl Turn<'_> {
    pub fn digest_command(&mut self, args: &str) -> Result<Reply, Error> {
        let platform = self.cx.source.platform;
        if matches!(platform, Platform::Console | Platform::Web) {
            return Err(Error::invalid(
                "platform",
                "Digests are posted in Telegram and Discord chats: send /digest there.",
            ));
        }
        let chat_id = self.cx.chat_id.clone();
        let tz = self.cx.account.timezone;
        let word = args.trim().to_ascii_lowercase();
        if word.is_empty() || word == "status" {
            let text = match digests::find(self.conn, platform, &chat_id)? {
                Some(d) => Text::new()
                    .plain(format!(
                        "📬 This chat gets a {} digest; the next one comes ",
                        d.frequency.as_str()
                    ))
                    .bold(local_time(d.next_due_at, tz))
                    .plain(format!(" ({tz}). "))
                    .plain(USAGE),
                None => Text::new().plain("No digest here yet. ").plain(USAGE),
            };
            return Ok(Reply::text(text));
        }
        if matches!(word.as_str(), "off" | "stop" | "disable" | "none") {
            let removed = digests::remove(
                self.conn,
                self.cx.account.id,
                self.cx.ledger.id,
                platform,
                &chat_id,
            )?;
            let text = if removed {
                "Digest off. /digest weekly or /digest monthly brings it back."
            } else {
                "There was no digest here to switch off."
            };
            return Ok(Reply::text(Text::plain_str(text)));
        }
        let frequency =
            Frequency::parse(&word).ok_or_else(|| Error::invalid("frequency", USAGE))?;
        let digest = digests::set(
            self.conn,
            self.cx.account.id,
            self.cx.ledger.id,
            platform,
            &chat_id,
            frequency,
            self.cx.now,
        )?;
        let when = match frequency {
            Frequency::Weekly => format!("every Monday at {SEND_HOUR:02}:00"),
            Frequency::Monthly => format!("on the 1st of every month at {SEND_HOUR:02}:00"),
        };
        Ok(Reply::text(
            Text::new()
                .plain(format!(
                    "📬 {} digest on: {when} ({tz}), the first on ",
                    capitalised(frequency.as_str())
                ))
                .bold(local_time(digest.next_due_at, tz))
                .plain(". It sums up the period and what stands out. /digest off stops it."),
        ))
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The digest due now: the period before in figures, then the top findings.
///
/// Reads with the rights of the account that switched the digest on: `Err(NotFound)` when it is
/// no longer a member (the caller drops the digest), `Ok(None)` when the ledger is switched off.
pub fn compose(
    conn: &mut AnyConnection,
    digest: &Digest,
    now: DateTime<Utc>,
) -> Result<Option<OutMessage>, Error> {
    let access = ledgers::access(conn, digest.account, digest.ledger)?;
    if !access.ledger.active {
        return Ok(None);
    }
    let tz = accounts::find(conn, digest.account)?.timezone;
    let today = tz.today(now);
    let range = digest.frequency.period_before(today);
    let summary = analytics::summary(conn, digest.account, digest.ledger, range)?;
    let mut t = Text::new().bold(format!(
        "📬 {} digest: {}",
        capitalised(digest.frequency.as_str()),
        range.label()
    ));
    if summary.is_empty() {
        let period = match digest.frequency {
            Frequency::Weekly => "week",
            Frequency::Monthly => "month",
        };
        t = t
            .line()
            .plain(format!("Nothing was recorded that {period}."));
    }
    for c in &summary.currencies {
        let result = if c.net.is_negative() {
            format!("{} more out than in", c.net.abs())
        } else {
            let rate = SavingsRate::of(c.net, c.income)
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            format!("saved {}{rate}", c.net)
        };
        t = t.line().plain(format!(
            "Spent {}, earned {}, {result}.",
            c.expenses, c.income
        ));
        let top: Vec<String> = c
            .by_category
            .iter()
            .filter(|x| x.kind == TransactionKind::Expense)
            .take(TOP_CATEGORIES)
            .map(|x| {
                format!(
                    "{} {}",
                    format::category_words(&x.category).to_lowercase(),
                    x.total
                )
            })
            .collect();
        if !top.is_empty() {
            t = t.plain(format!(" Most went to {}.", top.join(", ")));
        }
    }
    match &summary.home {
        Some(InHome::Total(h)) => {
            t = t.line().plain(format!(
                "All in {}: spent ≈ {}, earned ≈ {} {}.",
                h.income.currency().code(),
                h.expenses,
                h.income,
                h.rates.note()
            ));
        }
        Some(InHome::NoRates { missing }) => {
            t = t.line().plain(InHome::no_rates_note(missing));
        }
        None => {}
    }
    let mut findings = advice::analyse(conn, digest.account, digest.ledger, today)?;
    findings.truncate(DIGEST_FINDINGS);
    if !findings.is_empty() {
        t = t
            .line()
            .line()
            .append(advice::findings_text("What stands out", &findings));
    }
    t = t
        .line()
        .line()
        .italic("/advice for more, /digest off to stop these.");
    Ok(Some(OutMessage::new(t)))
}
