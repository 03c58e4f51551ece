//! Beancount: an `open` per account, then one transaction per entry with two postings.

use std::collections::HashSet;
use std::io::Write;

use super::{ExportError, ExportWriter, JournalOptions, Row, account_name};
use crate::domain::{CategoryName, TransactionKind};

pub struct BeancountWriter<W: Write> {
    out: W,
    options: JournalOptions,
    opened: HashSet<String>,
}

impl<W: Write> BeancountWriter<W> {
    pub fn new(
        mut out: W,
        categories: &[(TransactionKind, CategoryName)],
        options: &JournalOptions,
    ) -> Result<Self, ExportError> {
        writeln!(out, "; Exported by Tally.")?;
        writeln!(out, "option \"title\" \"Tally export\"")?;
        writeln!(out)?;
        let mut w = BeancountWriter {
            out,
            options: options.clone(),
            opened: HashSet::new(),
        };
        let asset = w.options.asset_account.clone();
        w.open(&asset)?;
        for (kind, category) in categories {
            w.open(&account_name(*kind, category))?;
        }
        Ok(w)
    }

    /// Opens an account on the journal's open date the first time it appears. Beancount orders
    /// directives by date, not by place in the file, so a late `open` still precedes its use.
    fn open(&mut self, account: &str) -> Result<(), ExportError> {
        if self.opened.insert(account.to_string()) {
            writeln!(self.out, "{} open {account}", self.options.open_date)?;
        }
        Ok(())
    }
}

/// A beancount string literal: quotes and backslashes escaped, line breaks as spaces.
pub(crate) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl<W: Write> ExportWriter for BeancountWriter<W> {
    fn write_row(&mut self, row: &Row) -> Result<(), ExportError> {
        let account = account_name(row.kind, &row.category);
        self.open(&account)?;
        let amount = row.money.amount_string();
        let currency = row.money.currency().code();
        // Beancount's signs: money flows out of income and into expenses.
        let (category_sign, asset_sign) = match row.kind {
            TransactionKind::Expense => ("", "-"),
            TransactionKind::Income => ("-", ""),
        };
        writeln!(self.out)?;
        writeln!(self.out, "{} * {}", row.date, quoted(&row.note))?;
        writeln!(self.out, "  author: {}", quoted(&row.author))?;
        writeln!(self.out, "  ledger: {}", quoted(&row.ledger))?;
        writeln!(self.out, "  {account}  {category_sign}{amount} {currency}")?;
        writeln!(
            self.out,
            "  {}  {asset_sign}{amount} {currency}",
            self.options.asset_account
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
    fn a_journal_with_opens_and_balanced_transactions() {
        let mut buf = Vec::new();
        let mut w = BeancountWriter::new(
            &mut buf,
            &[(
                TransactionKind::Expense,
                CategoryName::parse("food").unwrap(),
            )],
            &JournalOptions::default(),
        )
        .unwrap();
        w.write_row(&row(
            "2026-11-03",
            TransactionKind::Expense,
            "12.5",
            "food",
            "say \"hi\"\\",
        ))
        .unwrap();
        w.write_row(&row(
            "2026-11-04",
            TransactionKind::Income,
            "3200",
            "salary",
            "",
        ))
        .unwrap();
        w.finish().unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.contains("2000-01-01 open Assets:Cash\n2000-01-01 open Expenses:Food\n"));
        assert!(text.contains(
            "2026-11-03 * \"say \\\"hi\\\"\\\\\"\n  author: \"ann\"\n  ledger: \"Personal\"\n  Expenses:Food  12.50 USD\n  Assets:Cash  -12.50 USD\n"
        ));
        assert!(text.contains("2000-01-01 open Income:Salary\n"));
        assert!(text.contains("  Income:Salary  -3200.00 USD\n  Assets:Cash  3200.00 USD\n"));
        assert_eq!(text.matches("open Expenses:Food").count(), 1);
    }
}
