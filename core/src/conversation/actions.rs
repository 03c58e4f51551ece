//! Button presses: undo, re-categorise (which teaches the parser), confirm and cancel.

use super::action::Action;
use super::format;
use super::message::{Button, OutMessage, Reply, Text};
use super::pending;
use super::turn::Turn;
use crate::domain::TransactionId;
use crate::error::Error;
use crate::models::transaction::Transaction;
use crate::services::transactions::{self, TransactionPatch};
use crate::services::{categories, keywords};

/// Category buttons per row when choosing.
const PER_ROW: usize = 3;

impl Turn<'_> {
    pub fn action(&mut self, action: &Action) -> Result<Reply, Error> {
        match action {
            Action::Undo(id) => self.undo_one(*id),
            Action::ChooseCategory(id) => self.choose_category(*id),
            Action::SetCategory(id, name) => self.set_category(*id, name),
            Action::Confirm(id) => self.confirm(*id),
            Action::LinkConfirm(id) => self.confirm_link(Some(*id)),
            Action::LinkCancel(id) => self.cancel_link(Some(*id)),
            Action::RecurringSkip(_)
            | Action::RecurringPause(_)
            | Action::RecurringResume(_)
            | Action::RecurringDelete(_) => self.recurring_act(action),
            Action::MakeRecurring(id) => self.make_recurring(*id),
            Action::Chart(chart) => self.chart_pressed(*chart),
            Action::SplitAll(id) => self.split_existing(*id),
            Action::SettlePaid { from, to, money } => self.settle_pressed(*from, *to, *money),
            Action::UndoSettlement(id) => self.undo_settlement(*id),
            Action::Cancel(id) => {
                pending::cancel(self.conn, &self.cx, *id)?;
                Ok(Reply {
                    edit: Some(OutMessage::new(Text::plain_str(
                        "Okay, I didn't record it.",
                    ))),
                    notice: Some("Cancelled".into()),
                    ..Reply::default()
                })
            }
        }
    }

    fn undo_one(&mut self, id: TransactionId) -> Result<Reply, Error> {
        let tx = transactions::get(self.conn, self.cx.account.id, id)
            .map_err(|_| Error::Conflict("That entry is already gone.".into()))?;
        transactions::delete(self.conn, self.cx.account.id, tx.id, self.cx.now)?;
        let text = Text::new()
            .plain("↩ Undone: ")
            .append(format::transaction_line(&tx, self.cx.today));
        Ok(Reply {
            edit: Some(OutMessage::new(text)),
            notice: Some("Undone".into()),
            ..Reply::default()
        })
    }

    fn choose_category(&mut self, id: TransactionId) -> Result<Reply, Error> {
        let tx = transactions::get(self.conn, self.cx.account.id, id)?;
        let buttons: Vec<Button> = categories::all_of(self.conn, tx.ledger, false)?
            .into_iter()
            .filter(|c| c.kind == tx.kind && c.name != tx.category)
            .map(|c| Button {
                label: format::category_words(&c.name),
                action: Action::SetCategory(tx.id, c.name),
            })
            .collect();
        let rows: Vec<Vec<Button>> = buttons.chunks(PER_ROW).map(<[Button]>::to_vec).collect();
        let text = Text::new()
            .append(format::transaction_line(&tx, self.cx.today))
            .line()
            .italic("Pick its category:");
        Ok(Reply {
            edit: Some(OutMessage::new(text).with_buttons(rows)),
            ..Reply::default()
        })
    }

    fn set_category(
        &mut self,
        id: TransactionId,
        name: &crate::domain::CategoryName,
    ) -> Result<Reply, Error> {
        let (tx, message) = self.recategorize(id, name)?;
        Ok(Reply {
            edit: Some(message),
            notice: Some(format!("Moved to {}", format::category_words(&tx.category))),
            ..Reply::default()
        })
    }

    /// Moves a transaction to another category and teaches its note's words, by button or by
    /// `/recategorize`; the message reports it with the usual buttons.
    pub fn recategorize(
        &mut self,
        id: TransactionId,
        name: &crate::domain::CategoryName,
    ) -> Result<(Transaction, OutMessage), Error> {
        let tx = transactions::edit(
            self.conn,
            self.cx.account.id,
            id,
            TransactionPatch {
                category: Some(name.clone()),
                ..TransactionPatch::default()
            },
            self.cx.now,
        )?;
        let words = keywords::learn_from(
            self.conn,
            self.cx.tally.parser(),
            self.cx.account.id,
            &tx,
            self.cx.now,
        )?;
        let mut message = self.recorded_message(&tx)?;
        if !words.is_empty() {
            message.text = message.text.line().italic(format!(
                "Got it: I'll file \"{}\" under {} from now on.",
                words.join(" "),
                format::category_words(&tx.category)
            ));
        }
        Ok((tx, message))
    }

    fn confirm(&mut self, id: i64) -> Result<Reply, Error> {
        let (ledger, add) = pending::take(self.conn, &self.cx, id)?;
        if ledger != self.cx.ledger.id {
            return Err(Error::not_found("confirmation"));
        }
        let mut reply = self.record(add)?;
        let first = reply.messages.remove(0);
        reply.edit = Some(first);
        reply.notice = Some("Recorded".into());
        Ok(reply)
    }
}
