//! Tally's CSV: a header row, ISO dates, amounts with a dot, one row per entry.

use std::io::Write;

use super::{ExportError, ExportWriter, Row};

pub const CSV_HEADER: [&str; 8] = [
    "date", "kind", "amount", "currency", "category", "note", "author", "ledger",
];

pub struct CsvWriter<W: Write> {
    out: ::csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W) -> Result<Self, ExportError> {
        let mut out = ::csv::Writer::from_writer(out);
        out.write_record(CSV_HEADER)?;
        Ok(CsvWriter { out })
    }
}

/// A cell a spreadsheet would run as a formula (`=HYPERLINK(…)` in a note someone else wrote
/// in a group) is prefixed with an apostrophe, the spreadsheets' own "this is text" mark.
fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

impl<W: Write> ExportWriter for CsvWriter<W> {
    fn write_row(&mut self, row: &Row) -> Result<(), ExportError> {
        let date = row.date.to_string();
        let amount = row.money.amount_string();
        self.out.write_record([
            date.as_str(),
            row.kind.as_str(),
            amount.as_str(),
            row.money.currency().code(),
            row.category.as_str(),
            &inert(&row.note),
            &inert(&row.author),
            &inert(&row.ledger),
        ])?;
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
    use proptest::prelude::*;

    fn export(rows: &[Row]) -> String {
        let mut buf = Vec::new();
        {
            let mut w = CsvWriter::new(&mut buf).unwrap();
            for r in rows {
                w.write_row(r).unwrap();
            }
            w.finish().unwrap();
        }
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn writes_the_documented_header_and_rows() {
        let out = export(&[
            row(
                "2026-11-03",
                TransactionKind::Expense,
                "12.50",
                "food",
                "lunch, with \"Bo\"",
            ),
            row(
                "2026-11-04",
                TransactionKind::Income,
                "3200",
                "salary",
                "=HYPERLINK(\"x\")",
            ),
        ]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "date,kind,amount,currency,category,note,author,ledger"
        );
        assert_eq!(
            lines[1],
            "2026-11-03,expense,12.50,USD,food,\"lunch, with \"\"Bo\"\"\",ann,Personal"
        );
        assert_eq!(
            lines[2],
            "2026-11-04,income,3200.00,USD,salary,\"'=HYPERLINK(\"\"x\"\")\",ann,Personal"
        );
    }

    proptest! {
        /// Any note reads back from the file as written (formula marks aside).
        #[test]
        fn notes_survive_the_file(note in "\\PC{0,40}") {
            let out = export(&[row("2026-11-03", TransactionKind::Expense, "1", "food", &note)]);
            let mut reader = ::csv::Reader::from_reader(out.as_bytes());
            let record = reader.records().next().unwrap().unwrap();
            prop_assert_eq!(record.len(), 8);
            prop_assert_eq!(&record[5], &*inert(&note));
        }
    }
}
