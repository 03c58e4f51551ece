//! Recurring entries in chat: `/repeat`, schedules read from free text, `/recurring` and its buttons,
//! and the message each posted occurrence sends to its chat.

use chrono::{Datelike, NaiveDate};

use super::action::Action;
use super::command::RecurringCommand;
use super::format;
use super::message::{Button, OutMessage, Reply, Text};
use super::turn::Turn;
use crate::advice::Cadence;
use crate::domain::TransactionId;
use crate::domain::{Platform, TransactionKind};
use crate::error::Error;
use crate::models::transaction::Transaction;
use crate::money::{Money, Rounding};
use crate::parser::recurrence::{self, Recurrence};
use crate::parser::{AddIntent, Intent};
use crate::recurring::{End, Rule, Schedule};
use crate::services::recurring::{self, NewRecurring, Posted, Recurring};
use crate::services::transactions;
use crate::services::{categories, ledgers, outbox};
use crate::tally::Tally;

/// A message that asks for a schedule: the entry it repeats and when.
#[derive(Debug, Clone)]
pub(crate) struct ScheduleRequest {
    add: AddIntent,
    recurrence: Recurrence,
}

impl Turn<'_> {
    /// Reads a schedule in free text (`netflix 15.99 every month`): schedule words around
    /// something that reads as an entry on its own. Anything else is left to the usual parse.
    ///
    /// After `/repeat` the words can only be an entry, so one the free-text reading is unsure
    /// of (`loan 250`) is read the way `/spent` reads its arguments.
    pub(crate) fn read_schedule(
        &mut self,
        text: &str,
        explicit: bool,
    ) -> Result<Option<ScheduleRequest>, Error> {
        let Some(recurrence) = recurrence::read(text, self.cx.today) else {
            return Ok(None);
        };
        if recurrence.rest.trim().is_empty() {
            return Ok(None);
        }
        let parsed = self.parse(&recurrence.rest)?;
        match parsed.intent {
            Intent::Add(add) if parsed.confidence.is_confident() || explicit => {
                return Ok(Some(ScheduleRequest { add, recurrence }));
            }
            _ if !explicit => return Ok(None),
            _ => {}
        }
        let vocabulary = self.vocabulary()?;
        let ctx = self.parse_context(&vocabulary);
        Ok(self
            .cx
            .tally
            .parser()
            .parse_add_args(&recurrence.rest, TransactionKind::Expense, &ctx)
            .ok()
            .map(|add| ScheduleRequest { add, recurrence }))
    }

    /// `/repeat netflix 15.99 every month`.
    pub(crate) fn repeat_command(&mut self, args: &str) -> Result<Reply, Error> {
        if args.is_empty() {
            return Ok(Reply::text(repeat_usage()));
        }
        match self.read_schedule(args, true)? {
            Some(request) => self.schedule(request),
            None => Ok(Reply::text(
                Text::new()
                    .plain("I couldn't read an entry and a schedule in that. ")
                    .append(repeat_usage()),
            )),
        }
    }

    /// Creates the schedule a message asked for and says when it first posts.
    pub(crate) fn schedule(&mut self, request: ScheduleRequest) -> Result<Reply, Error> {
        let ScheduleRequest { add, recurrence } = request;
        let schedule = Schedule::new(recurrence.rule, recurrence.start, recurrence.end)
            .map_err(|e| Error::invalid("schedule", format!("That schedule doesn't work: {e}.")))?;
        let money = Money::from_decimal(add.amount, add.currency, Rounding::Reject)
            .map_err(|e| Error::money("amount", e))?;
        let ledger = self.cx.ledger.id;
        let category = categories::resolve_or_other(self.conn, ledger, add.kind, &add.category)?;
        let (platform, chat_id) = self.chat();
        let created = recurring::create(
            self.conn,
            self.cx.account.id,
            ledger,
            NewRecurring {
                kind: add.kind,
                money,
                category: category.name,
                note: add.note,
                schedule,
                platform,
                chat_id,
            },
            self.cx.today,
            self.cx.now,
        )?;
        let mut text = Text::new()
            .plain("🔁 Scheduled ")
            .append(entry_words(&created))
            .plain(format!(", {}.", describe(&created.schedule)));
        if let Some(next) = created.next_on {
            text = text.line().plain(format!(
                "First entry {}. I'll record each one on its day and tell you here.",
                format::relative_date(next, self.cx.today)
            ));
        }
        if let Some(yearly) = created.yearly() {
            text = text.line().italic(format!("About {yearly} a year."));
        }
        Ok(Reply::message(
            OutMessage::new(text).with_buttons(vec![manage_buttons(&created)]),
        ))
    }

    /// `/recurring`, `/recurring skip 2`, `pause 2`, `resume 2`, `delete 2`, `edit 2 17.99`.
    pub(crate) fn recurring_command(&mut self, command: RecurringCommand) -> Result<Reply, Error> {
        let number = match &command {
            RecurringCommand::List => return self.recurring_list(),
            RecurringCommand::Usage => return Ok(Reply::text(recurring_usage())),
            RecurringCommand::Act { number, .. } | RecurringCommand::Edit { number, .. } => *number,
        };
        let ledger = self.cx.ledger.id;
        let found = recurring::numbered(self.conn, self.cx.account.id, ledger, number)?;
        let verb = match &command {
            RecurringCommand::Act { verb, .. } => verb.as_str(),
            _ => "edit",
        };
        match verb {
            "skip" => self.recurring_act(&Action::RecurringSkip(found.id)),
            "pause" | "stop" => self.recurring_act(&Action::RecurringPause(found.id)),
            "resume" | "start" | "unpause" => {
                self.recurring_act(&Action::RecurringResume(found.id))
            }
            "delete" | "remove" | "cancel" => {
                self.recurring_act(&Action::RecurringDelete(found.id))
            }
            _ => {
                let amount = match &command {
                    RecurringCommand::Edit { amount, .. } => amount.as_str(),
                    _ => "",
                };
                let money = self.schedule_amount(amount, found.money)?;
                let changed = recurring::set_amount(
                    self.conn,
                    self.cx.account.id,
                    found.id,
                    money,
                    self.cx.now,
                )?;
                Ok(Reply::text(
                    Text::new()
                        .plain("✏️ From its next entry on, ")
                        .append(entry_words(&changed))
                        .plain(". Entries already recorded keep their amount."),
                ))
            }
        }
    }

    /// An amount for an existing schedule, in its currency unless another is named.
    fn schedule_amount(&mut self, text: &str, current: Money) -> Result<Money, Error> {
        if text.trim().is_empty() {
            return Err(Error::invalid(
                "amount",
                "Give the new amount, e.g. /recurring edit 1 17.99",
            ));
        }
        let vocabulary = self.vocabulary()?;
        let ctx = crate::parser::ParseContext {
            currency: current.currency(),
            ..self.parse_context(&vocabulary)
        };
        let read = self
            .cx
            .tally
            .parser()
            .parse_add_args(text, TransactionKind::Expense, &ctx)
            .map_err(|_| {
                Error::invalid(
                    "amount",
                    "I couldn't read that amount; try /recurring edit 1 17.99",
                )
            })?;
        Money::from_decimal(read.amount, read.currency, Rounding::Reject)
            .map_err(|e| Error::money("amount", e))
    }

    fn recurring_list(&mut self) -> Result<Reply, Error> {
        let all = recurring::list(self.conn, self.cx.account.id, self.cx.ledger.id)?;
        if all.is_empty() {
            return Ok(Reply::text(
                Text::new()
                    .plain("Nothing is scheduled here yet. Try ")
                    .code("rent 1450 monthly on the 1st")
                    .plain(" or ")
                    .code("/repeat netflix 15.99 every month")
                    .plain("."),
            ));
        }
        let mut text = Text::new().bold("🔁 Scheduled entries");
        let mut rows = Vec::new();
        for (i, r) in all.iter().enumerate() {
            let n = i + 1;
            let when = match (r.paused, r.next_on) {
                (true, _) => "paused".to_owned(),
                (false, Some(next)) => format!("next {}", plain_date(next, self.cx.today)),
                (false, None) => "ended".to_owned(),
            };
            text = text
                .line()
                .plain(format!("{n}. "))
                .append(entry_words(r))
                .plain(format!(", {} — {when}", describe(&r.schedule)));
            if let Some(yearly) = r.yearly().filter(|_| !r.paused && r.next_on.is_some()) {
                text = text.italic(format!(" ({yearly}/year)"));
            }
            if r.next_on.is_some() {
                rows.push(numbered_buttons(n, r));
            }
        }
        text = text
            .line()
            .italic("Buttons act on the numbered schedule; /recurring edit N AMOUNT changes one.");
        // Telegram shows at most 100 buttons: keep the list's first schedules pressable.
        rows.truncate(25);
        Ok(Reply::message(OutMessage::new(text).with_buttons(rows)))
    }

    /// What the schedule buttons (and the `/recurring` verbs) do.
    pub(crate) fn recurring_act(&mut self, action: &Action) -> Result<Reply, Error> {
        let actor = self.cx.account.id;
        let now = self.cx.now;
        let (text, notice) = match *action {
            Action::RecurringSkip(id) => {
                let (skipped, r) = recurring::skip(self.conn, actor, id, now)?;
                let next = r
                    .next_on
                    .map(|d| format!(" Next: {}.", plain_date(d, self.cx.today)))
                    .unwrap_or_else(|| " That was its last date.".to_owned());
                (
                    Text::new()
                        .plain("⏭ Skipping ")
                        .append(entry_words(&r))
                        .plain(format!(" on {}.{next}", plain_date(skipped, self.cx.today))),
                    "Skipped",
                )
            }
            Action::RecurringPause(id) => {
                let r = recurring::pause(self.conn, actor, id, now)?;
                (
                    Text::new()
                        .plain("⏸ Paused ")
                        .append(entry_words(&r))
                        .plain(". Resume it with /recurring resume; dates while paused are not recorded later."),
                    "Paused",
                )
            }
            Action::RecurringResume(id) => {
                let r = recurring::resume(self.conn, actor, id, self.cx.today, now)?;
                let next = r
                    .next_on
                    .map(|d| format!(" Next: {}.", plain_date(d, self.cx.today)))
                    .unwrap_or_else(|| " It has no dates left.".to_owned());
                (
                    Text::new()
                        .plain("▶️ Resumed ")
                        .append(entry_words(&r))
                        .plain(format!(".{next}")),
                    "Resumed",
                )
            }
            Action::RecurringDelete(id) => {
                let r = recurring::delete(self.conn, actor, id)?;
                (
                    Text::new()
                        .plain("🗑 Deleted the schedule for ")
                        .append(entry_words(&r))
                        .plain(". Entries it already recorded stay in the ledger."),
                    "Deleted",
                )
            }
            _ => return Err(Error::Internal("not a schedule action".into())),
        };
        Ok(Reply {
            messages: vec![OutMessage::new(text)],
            notice: Some(notice.into()),
            ..Reply::default()
        })
    }

    /// Under `/advice`: a button for each recurring payment it found that no schedule covers yet.
    pub(crate) fn make_recurring_offers(&mut self) -> Result<Vec<Vec<Button>>, Error> {
        let (actor, ledger) = (self.cx.account.id, self.cx.ledger.id);
        if self.is_group() && !ledgers::access(self.conn, actor, ledger)?.can_manage() {
            return Ok(Vec::new());
        }
        let found = crate::advice::recurring_payments(self.conn, actor, ledger, self.cx.today)?;
        let scheduled = recurring::list(self.conn, actor, ledger)?;
        let offers = found
            .into_iter()
            .filter(|p| {
                !scheduled.iter().any(|s| {
                    s.category == p.category
                        && (s.money == p.amount || s.note.eq_ignore_ascii_case(&p.label))
                })
            })
            .filter_map(|p| {
                let latest = *p.entry_ids.last()?;
                Some(vec![Button {
                    label: format!("🔁 Schedule {} every {}", p.label, p.cadence.as_str()),
                    action: Action::MakeRecurring(TransactionId(latest)),
                }])
            })
            .take(3)
            .collect();
        Ok(offers)
    }

    /// Schedules the recurring payment whose latest entry is `latest`, from its next date on.
    pub(crate) fn make_recurring(&mut self, latest: TransactionId) -> Result<Reply, Error> {
        let actor = self.cx.account.id;
        let tx = transactions::get(self.conn, actor, latest)?;
        let found = crate::advice::recurring_payments(self.conn, actor, tx.ledger, self.cx.today)?
            .into_iter()
            .find(|p| p.entry_ids.contains(&latest.get()))
            .ok_or_else(|| {
                Error::Conflict(
                    "That payment no longer looks regular; schedule it with /repeat.".into(),
                )
            })?;
        let rule = match found.cadence {
            Cadence::Weekly => Rule::Weekly {
                every: 1,
                weekday: found.last.weekday(),
            },
            Cadence::Monthly => Rule::MonthlyOnDay {
                every: 1,
                day: found.last.day(),
            },
        };
        let schedule = Schedule::new(rule, found.next_due, End::Never)
            .map_err(|e| Error::Internal(format!("advice schedule: {e}")))?;
        let request = ScheduleRequest {
            add: AddIntent {
                kind: tx.kind,
                amount: found.amount.to_decimal(),
                currency: found.amount.currency(),
                category: tx.category.clone(),
                date: found.next_due,
                note: tx.note.clone(),
            },
            recurrence: Recurrence {
                rule: schedule.rule(),
                start: schedule.start(),
                end: schedule.end(),
                rest: String::new(),
            },
        };
        self.schedule(request)
    }

    /// The platform and chat a schedule made here reports to.
    fn chat(&self) -> (Platform, String) {
        let platform = self.cx.source.platform;
        (platform, self.cx.chat_id.clone())
    }
}

/// Schedules looked at per round; more wait for the next round.
const BATCH: i64 = 100;

/// Messages for one chat about the occurrences just recorded there.
#[derive(Debug, Clone)]
pub struct Announcement {
    pub platform: Platform,
    pub chat_id: String,
    pub messages: Vec<OutMessage>,
    /// The outbox row holding `messages`, written with what they announce: mark it sent
    /// ([`Tally::mark_sent`]) once they went out, or the outbox sender sends them later.
    /// `None`: nothing was written (schedules of the web API, which has no chat).
    pub outbox: Option<i64>,
}

impl Tally {
    /// Records every due occurrence of the schedules made on `platforms`, each in a transaction
    /// of its own (the claim and its entries commit together, so of several instances exactly
    /// one records an occurrence), and returns what to tell each chat.
    pub async fn post_recurring(&self, platforms: &[Platform]) -> Result<Vec<Announcement>, Error> {
        let now = self.now();
        // The latest "today" anywhere: UTC+14 is less than a day ahead. Each schedule is then
        // held to its author's own today by `post_due`.
        let up_to = now.date_naive() + chrono::Days::new(1);
        let wanted = platforms.to_vec();
        let due = self
            .db()
            .read(move |c| recurring::due(c, up_to, &wanted, BATCH))
            .await?;
        let mut out = Vec::new();
        let lease = self.outbox_lease();
        for r in due {
            let id = r.id;
            let posted = self
                .db()
                .write(move |c| {
                    let Some(posted) = recurring::post_due(c, id, now)? else {
                        return Ok(None);
                    };
                    let platform = posted.recurring.platform;
                    let chat_id = posted.recurring.chat_id.clone();
                    let messages = announce(&posted);
                    // Told in the transaction that records the entries: a crash before the
                    // message goes out leaves it for the outbox sender.
                    let outbox = if platform == Platform::Web || messages.is_empty() {
                        None
                    } else {
                        Some(outbox::enqueue(
                            c, platform, &chat_id, None, &messages, now, lease,
                        )?)
                    };
                    Ok(Some(Announcement {
                        platform,
                        chat_id,
                        messages,
                        outbox,
                    }))
                })
                .await?;
            out.extend(posted);
        }
        Ok(out)
    }
}

/// The messages a posted schedule sends to its chat: one per occurrence, each with Undo and Skip.
pub fn announce(posted: &Posted) -> Vec<OutMessage> {
    posted
        .transactions
        .iter()
        .map(|tx| occurrence_message(&posted.recurring, tx, posted.today))
        .collect()
}

fn occurrence_message(r: &Recurring, tx: &Transaction, today: NaiveDate) -> OutMessage {
    let text = Text::new()
        .plain("🔁 Recorded as scheduled: ")
        .append(format::transaction_line(tx, today));
    let mut row = vec![Button {
        label: "↩ Undo".into(),
        action: Action::Undo(tx.id),
    }];
    if r.next_on.is_some() {
        row.push(Button {
            label: "⏭ Skip next".into(),
            action: Action::RecurringSkip(r.id),
        });
    }
    OutMessage::new(text).with_buttons(vec![row])
}

fn manage_buttons(r: &Recurring) -> Vec<Button> {
    vec![
        Button {
            label: "⏭ Skip next".into(),
            action: Action::RecurringSkip(r.id),
        },
        Button {
            label: "⏸ Pause".into(),
            action: Action::RecurringPause(r.id),
        },
        Button {
            label: "🗑 Delete".into(),
            action: Action::RecurringDelete(r.id),
        },
    ]
}

fn numbered_buttons(n: usize, r: &Recurring) -> Vec<Button> {
    let pause = if r.paused {
        Button {
            label: format!("▶️ {n}"),
            action: Action::RecurringResume(r.id),
        }
    } else {
        Button {
            label: format!("⏸ {n}"),
            action: Action::RecurringPause(r.id),
        }
    };
    vec![
        Button {
            label: format!("⏭ {n}"),
            action: Action::RecurringSkip(r.id),
        },
        pause,
        Button {
            label: format!("🗑 {n}"),
            action: Action::RecurringDelete(r.id),
        },
    ]
}

/// `rent $1,450.00 (Housing)` or `+$3,200.00 salary (Salary)`.
fn entry_words(r: &Recurring) -> Text {
    let sign = match r.kind {
        TransactionKind::Income => "+",
        TransactionKind::Expense => "",
    };
    let mut t = Text::new();
    if !r.note.is_empty() {
        t = t.plain(format!("{} ", r.note));
    }
    t.bold(format!("{sign}{}", r.money))
        .plain(format!(" ({})", format::category_words(&r.category)))
}

/// `Feb 1` this year, `Feb 1, 2027` otherwise; `today`/`tomorrow` when close.
fn plain_date(date: NaiveDate, today: NaiveDate) -> String {
    let days = (date - today).num_days();
    match days {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        _ if date.year() == today.year() => date.format("%a %b %-d").to_string(),
        _ => date.format("%b %-d, %Y").to_string(),
    }
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn every(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("every {one}")
    } else {
        format!("every {n} {many}")
    }
}

/// `every month on the 1st`, `every 2 weeks on Friday, 12 times`, `every year on Mar 1`.
pub fn describe(schedule: &Schedule) -> String {
    let rule = match schedule.rule() {
        Rule::Daily { every: n } => every(n, "day", "days"),
        Rule::Weekly { every: n, weekday } => {
            let day = chrono::NaiveDate::from_isoywd_opt(2026, 1, weekday)
                .map(|d| d.format("%A").to_string())
                .unwrap_or_default();
            format!("{} on {day}", every(n, "week", "weeks"))
        }
        Rule::MonthlyOnDay { every: n, day } => {
            format!("{} on the {}", every(n, "month", "months"), ordinal(day))
        }
        Rule::MonthlyLastDay { every: n } => {
            format!("{} on its last day", every(n, "month", "months"))
        }
        Rule::MonthlyLastWorkingDay { every: n } => {
            format!("{} on its last working day", every(n, "month", "months"))
        }
        Rule::Yearly { month, day } => {
            let name = chrono::NaiveDate::from_ymd_opt(2024, month, 1)
                .map(|d| d.format("%b").to_string())
                .unwrap_or_default();
            format!("every year on {name} {day}")
        }
    };
    match schedule.end() {
        End::Never => rule,
        End::Until(d) => format!("{rule} until {}", d.format("%b %-d, %Y")),
        End::Count(1) => format!("{rule}, once"),
        End::Count(c) => format!("{rule}, {c} times"),
    }
}

fn repeat_usage() -> Text {
    Text::new()
        .plain("Tell me the entry and how often, e.g. ")
        .code("/repeat netflix 15.99 every month")
        .plain(", ")
        .code("/repeat rent 1450 monthly on the 1st")
        .plain(" or ")
        .code("/repeat salary 3200 on the last working day of each month")
        .plain(".")
}

fn recurring_usage() -> Text {
    Text::new()
        .code("/recurring")
        .plain(" lists the schedules; ")
        .code("/recurring skip N")
        .plain(", ")
        .code("pause N")
        .plain(", ")
        .code("resume N")
        .plain(", ")
        .code("delete N")
        .plain(" and ")
        .code("edit N AMOUNT")
        .plain(" change the one numbered N.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn schedules_read_as_people_say_them() {
        let s = |rule, end| Schedule::new(rule, d("2027-01-15"), end).expect("schedule");
        assert_eq!(
            describe(&s(Rule::MonthlyOnDay { every: 1, day: 1 }, End::Never)),
            "every month on the 1st"
        );
        assert_eq!(
            describe(&s(
                Rule::Weekly {
                    every: 2,
                    weekday: chrono::Weekday::Fri
                },
                End::Count(12)
            )),
            "every 2 weeks on Friday, 12 times"
        );
        assert_eq!(
            describe(&s(Rule::Yearly { month: 3, day: 1 }, End::Never)),
            "every year on Mar 1"
        );
        assert_eq!(
            describe(&s(
                Rule::MonthlyLastWorkingDay { every: 1 },
                End::Until(d("2027-06-30"))
            )),
            "every month on its last working day until Jun 30, 2027"
        );
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(ordinal(13), "13th");
        assert_eq!(ordinal(31), "31st");
    }
}
