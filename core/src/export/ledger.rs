//! hledger / ledger journals: one transaction per entry with two explicit postings.

use std::io::Write;

use super::{ExportError, ExportWriter, JournalOptions, Row, account_name};
use crate::domain::{CategoryName, TransactionKind};

pub struct LedgerWriter<W: Write> {
    out: W,
    asset_account: String,
}

impl<W: Write> LedgerWriter<W> {
    /// hledger needs no account declarations; the categories are listed as `account`
    /// directives anyway, so the chart of accounts reads the same as Tally's categories.
    pub fn new(
        mut out: W,
        categories: &[(TransactionKind, CategoryName)],
        options: &JournalOptions,
    ) -> Result<Self, ExportError> {
        writeln!(out, "; Exported by Tally.")?;
        writeln!(out, "account {}", options.asset_account)?;
        for (kind, category) in categories {
            writeln!(out, "account {}", account_name(*kind, category))?;
        }
        Ok(LedgerWriter {
            out,
            asset_account: options.asset_account.clone(),
        })
    }
}

/// A description on one line that hledger reads as plain text: `;` would start a comment and
/// a leading `*`, `!` or `(` a status mark or code, so those are replaced or dropped.
pub(crate) fn description(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| match c {
            ';' => ',',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    flat.trim_start_matches(['*', '!', '(', ' '])
        .trim_end()
        .to_string()
}

impl<W: Write> ExportWriter for LedgerWriter<W> {
    fn write_row(&mut self, row: &Row) -> Result<(), ExportError> {
        let account = account_name(row.kind, &row.category);
        let amount = row.money.amount_string();
        let currency = row.money.currency().code();
        let (category_sign, asset_sign) = match row.kind {
            TransactionKind::Expense => ("", "-"),
            TransactionKind::Income => ("-", ""),
        };
        writeln!(self.out)?;
        writeln!(
            self.out,
            "{} {}  ; author: {}, ledger: {}",
            row.date,
            description(&row.note),
            description(&row.author).replace(',', " "),
            description(&row.ledger).replace(',', " ")
        )?;
        writeln!(
            self.out,
            "    {account}  {category_sign}{amount} {currency}"
        )?;
        writeln!(
            self.out,
            "    {}  {asset_sign}{amount} {currency}",
            self.asset_account
        )?;
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
    use crate::export::fixtures::row;

    #[test]
    fn a_journal_hledger_reads_as_written() {
        let mut buf = Vec::new();
        let mut w = LedgerWriter::new(&mut buf, &[], &JournalOptions::default()).unwrap();
        w.write_row(&row(
            "2026-11-03",
            TransactionKind::Expense,
            "12.5",
            "food",
            "*lunch; big",
        ))
        .unwrap();
        w.finish().unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.contains(
            "2026-11-03 lunch, big  ; author: ann, ledger: Personal\n    Expenses:Food  12.50 USD\n    Assets:Cash  -12.50 USD\n"
        ));
    }
}
