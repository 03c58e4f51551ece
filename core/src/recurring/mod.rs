//! Recurring entries: when a schedule's occurrences fall, independent of storage and chat.

mod schedule;

pub use schedule::{End, Rule, Schedule, ScheduleError};
