//! Button actions, encoded compactly enough for Telegram's 64-byte callback data.

use std::fmt;

use chrono::NaiveDate;

use crate::domain::{AccountId, CategoryName, TransactionId};
use crate::money::{Currency, Money};
use crate::period::{DateRange, Granularity};

/// What pressing a button does. The acting account is whoever pressed it, and every action is
/// checked against what that account may do, so a forged payload gains nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Delete the transaction the message reported.
    Undo(TransactionId),
    /// Show the categories to pick from.
    ChooseCategory(TransactionId),
    /// Move the transaction to this category, and learn its note's words.
    SetCategory(TransactionId, CategoryName),
    /// Carry out a pending action (an LLM-read transaction awaiting confirmation).
    Confirm(i64),
    /// Drop a pending action.
    Cancel(i64),
    /// Carry out a pending account link (a redeemed link code), if the presser redeemed it.
    LinkConfirm(i64),
    /// Drop a pending account link.
    LinkCancel(i64),
    /// Skip a schedule's next occurrence once.
    RecurringSkip(i64),
    /// Stop a schedule posting until resumed.
    RecurringPause(i64),
    RecurringResume(i64),
    /// Delete a schedule (its posted entries stay).
    RecurringDelete(i64),
    /// Schedule the recurring payment `/advice` found, whose latest entry this is.
    MakeRecurring(TransactionId),
    /// Answer with a chart of what the message carrying the button showed.
    Chart(ChartButton),
    /// Share a plain group expense among every member.
    SplitAll(TransactionId),
    /// Record one payment a settle-up proposed.
    SettlePaid {
        from: AccountId,
        to: AccountId,
        money: Money,
    },
    /// Delete a settlement the message reported.
    UndoSettlement(i64),
}

/// The chart a "📊 Chart" button asks for: small enough to ride in the button itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartButton {
    /// Spending by category over the period a summary covered.
    Categories(DateRange),
    /// Income and expenses over time, as `/savings` showed them.
    Monthly(Granularity),
    /// The fullest budget in its current period.
    Budget,
}

impl ChartButton {
    fn code(&self) -> (i64, Option<String>) {
        match self {
            ChartButton::Categories(r) => (
                1,
                Some(format!(
                    "{}-{}",
                    r.from.format("%Y%m%d"),
                    r.to.format("%Y%m%d")
                )),
            ),
            ChartButton::Monthly(g) => (2, Some(g.as_str().to_owned())),
            ChartButton::Budget => (3, None),
        }
    }

    fn from_code(id: i64, rest: Option<&str>) -> Option<ChartButton> {
        match (id, rest) {
            (1, Some(range)) => {
                let (a, b) = range.split_once('-')?;
                let day = |s: &str| NaiveDate::parse_from_str(s, "%Y%m%d").ok();
                Some(ChartButton::Categories(DateRange::new(day(a)?, day(b)?)))
            }
            (2, Some(g)) => g.parse().ok().map(ChartButton::Monthly),
            (3, None) => Some(ChartButton::Budget),
            _ => None,
        }
    }
}

impl Action {
    /// `u:42`, `c:42`, `s:42:food`, `ok:7`, `no:7`, `lk:3`, `lx:3`, `rs:5` (and `rp`, `rr`, `rd`),
    /// `ch:1:20261101-20261130` (a chart).
    pub fn encode(&self) -> String {
        self.to_string()
    }

    pub fn decode(data: &str) -> Option<Action> {
        let mut parts = data.splitn(3, ':');
        let tag = parts.next()?;
        let id: i64 = parts.next()?.parse().ok()?;
        let rest = parts.next();
        let action = match (tag, rest) {
            ("u", None) => Action::Undo(TransactionId(id)),
            ("c", None) => Action::ChooseCategory(TransactionId(id)),
            ("s", Some(name)) => {
                Action::SetCategory(TransactionId(id), CategoryName::parse(name).ok()?)
            }
            ("ok", None) => Action::Confirm(id),
            ("no", None) => Action::Cancel(id),
            ("lk", None) => Action::LinkConfirm(id),
            ("lx", None) => Action::LinkCancel(id),
            ("rs", None) => Action::RecurringSkip(id),
            ("rp", None) => Action::RecurringPause(id),
            ("rr", None) => Action::RecurringResume(id),
            ("rd", None) => Action::RecurringDelete(id),
            ("mr", None) => Action::MakeRecurring(TransactionId(id)),
            ("ch", rest) => Action::Chart(ChartButton::from_code(id, rest)?),
            ("sa", None) => Action::SplitAll(TransactionId(id)),
            ("us", None) => Action::UndoSettlement(id),
            // `sp:FROM:TO:MINOR:CUR`
            ("sp", Some(rest)) => {
                let mut parts = rest.split(':');
                let to: i64 = parts.next()?.parse().ok()?;
                let minor: i64 = parts.next()?.parse().ok()?;
                let currency = Currency::parse(parts.next()?).ok()?;
                if parts.next().is_some() || minor <= 0 {
                    return None;
                }
                Action::SettlePaid {
                    from: AccountId(id),
                    to: AccountId(to),
                    money: Money::from_minor(minor, currency).ok()?,
                }
            }
            _ => return None,
        };
        Some(action)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Undo(id) => write!(f, "u:{id}"),
            Action::ChooseCategory(id) => write!(f, "c:{id}"),
            Action::SetCategory(id, name) => write!(f, "s:{id}:{name}"),
            Action::Confirm(id) => write!(f, "ok:{id}"),
            Action::Cancel(id) => write!(f, "no:{id}"),
            Action::LinkConfirm(id) => write!(f, "lk:{id}"),
            Action::LinkCancel(id) => write!(f, "lx:{id}"),
            Action::RecurringSkip(id) => write!(f, "rs:{id}"),
            Action::RecurringPause(id) => write!(f, "rp:{id}"),
            Action::RecurringResume(id) => write!(f, "rr:{id}"),
            Action::RecurringDelete(id) => write!(f, "rd:{id}"),
            Action::MakeRecurring(id) => write!(f, "mr:{id}"),
            Action::Chart(c) => match c.code() {
                (id, Some(rest)) => write!(f, "ch:{id}:{rest}"),
                (id, None) => write!(f, "ch:{id}"),
            },
            Action::SplitAll(id) => write!(f, "sa:{id}"),
            Action::UndoSettlement(id) => write!(f, "us:{id}"),
            Action::SettlePaid { from, to, money } => write!(
                f,
                "sp:{from}:{to}:{}:{}",
                money.minor(),
                money.currency().code()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_within_telegram_limits() {
        let long = CategoryName::parse(&"x".repeat(32)).expect("valid");
        for a in [
            Action::Undo(TransactionId(i64::MAX)),
            Action::ChooseCategory(TransactionId(1)),
            Action::SetCategory(TransactionId(i64::MAX), long),
            Action::Confirm(9),
            Action::Cancel(9),
            Action::LinkConfirm(i64::MAX),
            Action::LinkCancel(3),
            Action::Chart(ChartButton::Categories(DateRange::new(
                NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
                NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
            ))),
            Action::Chart(ChartButton::Monthly(Granularity::Quarter)),
            Action::Chart(ChartButton::Budget),
            Action::SplitAll(TransactionId(i64::MAX)),
            Action::UndoSettlement(i64::MAX),
            Action::SettlePaid {
                from: AccountId(1_000_000_000),
                to: AccountId(1_000_000_001),
                money: Money::from_minor(99_999_999_999, Currency::parse("USD").expect("usd"))
                    .expect("money"),
            },
        ] {
            let s = a.encode();
            assert!(s.len() <= 64, "{s} is too long");
            assert_eq!(Action::decode(&s), Some(a));
        }
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "u",
            "u:x",
            "s:1",
            "s:1:bad name!",
            "zz:1",
            "u:1:extra",
            "ch:1",
            "ch:1:20261301-20261130",
            "ch:2:fortnight",
            "ch:3:x",
            "ch:9",
            "sp:1:2:0:USD",
            "sp:1:2:5:XYZ",
            "sp:1:2:5",
            "sa:1:2",
        ] {
            assert_eq!(Action::decode(s), None, "{s}");
        }
    }
}
