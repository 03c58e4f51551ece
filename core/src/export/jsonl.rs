//! JSON lines: one object per entry, for scripts.

use std::io::Write;

use serde::Serialize;

use super::{ExportError, ExportWriter, Row};

pub struct JsonLinesWriter<W: Write> {
    out: W,
}

impl<W: Write> JsonLinesWriter<W> {
    pub fn new(out: W) -> Self {
        JsonLinesWriter { out }
    }
}

#[derive(Serialize)]
struct Line<'a> {
    date: String,
    kind: &'a str,
    /// A string, so no reader turns the amount into a float.
    amount: String,
    currency: &'a str,
    category: &'a str,
    note: &'a str,
    author: &'a str,
    ledger: &'a str,
}

impl<W: Write> ExportWriter for JsonLinesWriter<W> {
    fn write_row(&mut self, row: &Row) -> Result<(), ExportError> {
        let line = Line {
            date: row.date.to_string(),
            kind: row.kind.as_str(),
            amount: row.money.amount_string(),
            currency: row.money.currency().code(),
            category: row.category.as_str(),
            note: &row.note,
            author: &row.author,
            ledger: &row.ledger,
        };
        serde_json::to_writer(&mut self.out, &line)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ExportError> {
        self.out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TransactionKind;
    use crate::export::fixtures::row;

    #[test]
    fn one_object_per_line_with_string_amounts() {
        let mut buf = Vec::new();
        let mut w = JsonLinesWriter::new(&mut buf);
        w.write_row(&row(
            "2026-11-03",
            TransactionKind::Expense,
            "12.5",
            "food",
            "a\nb",
        ))
        .unwrap();
        w.finish().unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(text.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(v["amount"], "12.50");
        assert_eq!(v["note"], "a\nb");
        assert_eq!(v["date"], "2026-11-03");
    }
}
