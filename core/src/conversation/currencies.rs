//! Replies about money across currencies: entries with their card's real charge, conversion
//! questions and `/convert`, and a group's choice of balances per currency or converted.

use super::intents::alert_text;
use super::message::{OutMessage, Reply, Text};
use super::turn::Turn;
use crate::error::Error;
use crate::money::{Money, Rounding};
use crate::parser::Intent;
use crate::parser::fx::{CardCharge, ConversionAsk};
use crate::services::{group_currency, rates};

/// How `/convert` is written, for its error.
pub(crate) const CONVERT_USAGE: &str =
    "Use /convert AMOUNT FROM TO, e.g. /convert 100 EUR USD (the ECB's rates of today).";

impl Turn<'_> {
    /// `paid 52.28 CHF, card charged 55.41 EUR`: the entry as the words say, with what the card
    /// charged kept beside it. Words that are not an entry are answered as usual.
    pub(crate) fn record_charged(
        &mut self,
        charge: CardCharge,
        text: &str,
    ) -> Result<Reply, Error> {
        let parsed = self.parse(&charge.rest)?;
        let Intent::Add(add) = parsed.intent else {
            let parsed = self.parse(text)?;
            return self.answer_parsed(parsed, text);
        };
        // The entry's own amount is read first, so a bad one is named before a bad charge.
        self.money(add.amount, add.currency)?;
        let charged = Money::from_decimal(charge.amount, charge.currency, Rounding::Reject)
            .map_err(|e| Error::money("charged", e))?;
        let (tx, alerts) = self.record_entry(add, Some(charged))?;
        let mut message = self.recorded_message(&tx)?;
        message.text = message.text.line().plain(format!(
            "💳 Card charged {charged}: totals in {} use this, not the reference rate.",
            charged.currency().code()
        ));
        let mut reply = Reply::message(message);
        reply
            .messages
            .extend(alerts.iter().map(|a| OutMessage::new(alert_text(a))));
        Ok(reply)
    }

    /// `/convert 100 EUR USD`, `how much is 50 quid in dollars?`: today's stored ECB rates,
    /// with the date of the publication used.
    pub(crate) fn convert_answer(&mut self, ask: ConversionAsk) -> Result<Reply, Error> {
        let from = ask.from.unwrap_or(self.cx.account.default_currency);
        let amount = Money::from_decimal(ask.amount, from, Rounding::Reject)
            .map_err(|e| Error::money("amount", e))?;
        if from == ask.to {
            return Ok(Reply::text(
                Text::new()
                    .plain(format!("{amount} is "))
                    .bold(amount.to_string())
                    .plain(": the same currency."),
            ));
        }
        let today = self.cx.today;
        let table = rates::table(self.conn, today, today)?;
        let Some(c) = table.convert(amount.minor(), from, ask.to, today) else {
            let missing: Vec<&str> = [from, ask.to]
                .into_iter()
                .filter(|c| c.code() != "EUR" && table.per_euro(*c, today).is_none())
                .map(|c| c.code())
                .collect();
            return Ok(Reply::text(Text::plain_str(format!(
                "I have no recent exchange rates for {} yet. Rates come from the European \
                 Central Bank once a day; try again later.",
                if missing.is_empty() {
                    format!("{} and {}", from.code(), ask.to.code())
                } else {
                    missing.join(" and ")
                }
            ))));
        };
        let converted = Money::total(c.minor, ask.to);
        Ok(Reply::text(
            Text::new()
                .plain(format!("{amount} ≈ "))
                .bold(converted.to_string())
                .plain(format!(
                    " at ECB rates of {}.",
                    c.rate_date.format("%-d %b %Y")
                )),
        ))
    }

    /// `/settings currency [per-currency|convert]` in a group: whether balances and settle-up
    /// stay per currency or convert to the group's currency. Only admins change it.
    pub(crate) fn group_currency_setting(&mut self, value: &str) -> Result<Reply, Error> {
        let ledger = self.cx.ledger.id;
        let home = self.cx.ledger.default_currency;
        let value = value.trim().to_ascii_lowercase();
        let words = |convert: bool| {
            if convert {
                format!(
                    "Balances and settle-up are converted to {} at the ECB rates of each entry's date.",
                    home.code()
                )
            } else {
                "Balances and settle-up stay per currency.".to_owned()
            }
        };
        let convert = match value.as_str() {
            "" => {
                let now = group_currency::converts_balances(self.conn, self.cx.account.id, ledger)?;
                return Ok(Reply::text(Text::plain_str(format!(
                    "{} Change it with /settings currency convert or /settings currency per-currency.",
                    words(now)
                ))));
            }
            "convert" | "converted" | "on" | "group" | "home" => true,
            "per-currency" | "per currency" | "separate" | "off" | "each" => false,
            _ => {
                return Err(Error::invalid(
                    "currency",
                    "Use /settings currency convert or /settings currency per-currency.",
                ));
            }
        };
        group_currency::set_converts_balances(self.conn, self.cx.account.id, ledger, convert)?;
        Ok(Reply::text(Text::plain_str(words(convert))))
    }
}
