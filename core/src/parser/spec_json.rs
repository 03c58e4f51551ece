//! The `tally parse` object of an intent written straight into a byte buffer: the same text as
//! `serde_json::to_writer(&intent.to_spec_json())` (keys in sorted order, as serde_json's map
//! keeps them), without building a JSON tree per message.

use std::io::Write as _;

use chrono::NaiveDate;

use super::intent::Intent;

impl Intent {
    /// Appends [`Intent::to_spec_json`]'s compact JSON text to `out` (no newline).
    pub fn write_spec_json(&self, out: &mut Vec<u8>) {
        match self {
            Intent::Add(a) => {
                out.extend_from_slice(b"{\"amount\":\"");
                display(out, &a.amount);
                out.extend_from_slice(b"\",\"category\":");
                string(out, a.category.as_str());
                out.extend_from_slice(b",\"currency\":");
                string(out, a.currency.code());
                out.extend_from_slice(b",\"date\":");
                date(out, a.date);
                out.extend_from_slice(b",\"intent\":\"add\",\"kind\":");
                string(out, a.kind.as_str());
                out.extend_from_slice(b",\"note\":");
                string(out, &a.note);
                out.push(b'}');
            }
            Intent::Query(q) => {
                out.extend_from_slice(b"{\"category\":");
                match &q.category {
                    Some(c) => string(out, c.as_str()),
                    None => out.extend_from_slice(b"null"),
                }
                out.extend_from_slice(b",\"from\":");
                date(out, q.period.from);
                out.extend_from_slice(b",\"intent\":\"query\",\"metric\":");
                string(out, q.metric.as_str());
                out.extend_from_slice(b",\"to\":");
                date(out, q.period.to);
                out.push(b'}');
            }
            Intent::Summary { period } => {
                out.extend_from_slice(b"{\"from\":");
                date(out, period.from);
                out.extend_from_slice(b",\"intent\":\"summary\",\"to\":");
                date(out, period.to);
                out.push(b'}');
            }
            Intent::Recent { limit } => {
                out.extend_from_slice(b"{\"intent\":\"recent\",\"limit\":");
                match limit {
                    Some(n) => display(out, n),
                    None => out.extend_from_slice(b"null"),
                }
                out.push(b'}');
            }
            Intent::BudgetSet(b) => {
                out.extend_from_slice(b"{\"amount\":\"");
                display(out, &b.amount);
                out.extend_from_slice(b"\",\"category\":");
                string(out, b.category.as_str());
                out.extend_from_slice(b",\"currency\":");
                string(out, b.currency.code());
                out.extend_from_slice(b",\"intent\":\"budget_set\",\"period\":");
                string(out, b.period.as_str());
                out.push(b'}');
            }
            other => {
                out.extend_from_slice(b"{\"intent\":");
                string(out, other.name());
                out.push(b'}');
            }
        }
    }
}

/// A JSON string, escaped as serde_json escapes it.
fn string(out: &mut Vec<u8>, s: &str) {
    // Writing into a Vec cannot fail, and a &str always serialises.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// A value whose text needs no escaping (a decimal, a count).
fn display(out: &mut Vec<u8>, value: &impl std::fmt::Display) {
    let _ = write!(out, "{value}");
}

fn date(out: &mut Vec<u8>, d: NaiveDate) {
    let _ = write!(out, "\"{}\"", d.format("%Y-%m-%d"));
}
