//! Button actions, encoded compactly enough for Telegram's 64-byte callback data.

use std::fmt;

use crate::domain::{CategoryName, TransactionId};

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
}

impl Action {
    /// `u:42`, `c:42`, `s:42:food`, `ok:7`, `no:7`, `lk:3`, `lx:3`, `rs:5` (and `rp`, `rr`, `rd`).
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
        ] {
            let s = a.encode();
            assert!(s.len() <= 64, "{s} is too long");
            assert_eq!(Action::decode(&s), Some(a));
        }
    }

    #[test]
    fn rejects_garbage() {
        for s in ["", "u", "u:x", "s:1", "s:1:bad name!", "zz:1", "u:1:extra"] {
            assert_eq!(Action::decode(s), None, "{s}");
        }
    }
}
