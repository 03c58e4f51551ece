//! `/remind` and "remind me every evening…": switching reminders on and off, and what they say.

use super::message::{OutMessage, Reply, Text};
use super::recurring::Announcement;
use super::turn::Turn;
use crate::domain::Platform;
use crate::error::Error;
use crate::services::outbox;
use crate::services::reminders::{self, BILLS_AT_MINUTE, DAILY_DEFAULT_MINUTE, Due, Kind};
use crate::tally::Tally;

/// Reminders looked at per round.
const BATCH: i64 = 100;

/// What a reminder request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    On(Kind, i32),
    Off(Option<Kind>),
    Show,
}

/// Reads `daily 21:00`, `bills`, `off`, `off bills`, `every evening to log my spending`,
/// `at 8:30pm`; `None` when the words say none of that.
pub(crate) fn read(text: &str) -> Option<Request> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Some(Request::Show);
    }
    let bills = words
        .iter()
        .any(|w| matches!(*w, "bills" | "bill" | "payments" | "payment"));
    if words
        .iter()
        .any(|w| matches!(*w, "off" | "stop" | "none" | "cancel"))
    {
        return Some(Request::Off(bills.then_some(Kind::Bills).or_else(|| {
            words
                .iter()
                .any(|w| matches!(*w, "daily" | "evening" | "log"))
                .then_some(Kind::Daily)
        })));
    }
    if bills {
        return Some(Request::On(Kind::Bills, BILLS_AT_MINUTE));
    }
    let mut minute = None;
    for (i, w) in words.iter().enumerate() {
        if let Some(m) = clock_time(w, words.get(i + 1).copied()) {
            minute = Some(m);
        }
        match *w {
            "evening" | "night" | "tonight" => minute = minute.or(Some(DAILY_DEFAULT_MINUTE)),
            "morning" => minute = minute.or(Some(8 * 60)),
            "noon" | "lunchtime" => minute = minute.or(Some(12 * 60)),
            _ => {}
        }
    }
    let daily = words.iter().any(|w| {
        matches!(
            *w,
            "daily" | "day" | "evening" | "night" | "morning" | "log" | "every" | "each"
        )
    });
    match (daily, minute) {
        (_, Some(m)) => Some(Request::On(Kind::Daily, m)),
        (true, None) => Some(Request::On(Kind::Daily, DAILY_DEFAULT_MINUTE)),
        (false, None) => None,
    }
}

/// A time of day given on its own (`21:00`, `9pm`, `9 pm`), in minutes after midnight.
pub(crate) fn time_of_day(text: &str) -> Option<i32> {
    let lower = text.trim().to_lowercase();
    match lower.split_whitespace().collect::<Vec<_>>().as_slice() {
        [word] => clock_time(word, None),
        [word, next @ ("am" | "pm")] => clock_time(word, Some(next)),
        _ => None,
    }
}

/// `21:00`, `9pm`, `9:30pm`, `9 pm`, `21h`.
fn clock_time(word: &str, next: Option<&str>) -> Option<i32> {
    let (body, pm, am) = if let Some(b) = word.strip_suffix("pm") {
        (b, true, false)
    } else if let Some(b) = word.strip_suffix("am") {
        (b, false, true)
    } else if let Some(b) = word.strip_suffix('h') {
        (b, false, false)
    } else {
        match next {
            Some("pm") => (word, true, false),
            Some("am") => (word, false, true),
            _ if word.contains(':') => (word, false, false),
            _ => return None,
        }
    };
    let (h, m) = match body.split_once(':') {
        Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
        None => (body.parse::<i32>().ok()?, 0),
    };
    if !(0..60).contains(&m) {
        return None;
    }
    let h = match (pm, am) {
        (true, _) if (1..=11).contains(&h) => h + 12,
        (true, _) if h == 12 => 12,
        (_, true) if h == 12 => 0,
        (_, true) if (1..=11).contains(&h) => h,
        (false, false) if (0..=23).contains(&h) => h,
        _ => return None,
    };
    Some(h * 60 + m)
}

fn hhmm(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

impl Turn<'_> {
    /// `/remind [daily HH:MM | bills | off [daily|bills]]` and "remind me …" in free text.
    pub(crate) fn remind(&mut self, request: Option<Request>) -> Result<Reply, Error> {
        let Some(request) = request else {
            return Ok(Reply::text(usage()));
        };
        let account = self.cx.account.id;
        let platform = self.cx.source.platform;
        let chat = self.cx.chat_id.clone();
        let text = match request {
            Request::On(kind, minute) => {
                reminders::set(
                    self.conn,
                    account,
                    self.cx.ledger.id,
                    platform,
                    &chat,
                    kind,
                    minute,
                    self.cx.now,
                )?;
                match kind {
                    Kind::Daily => Text::new().plain(format!(
                        "⏰ I'll nudge you here at {} ({}) on days you haven't recorded anything. /remind off stops it.",
                        hhmm(minute),
                        self.cx.account.timezone
                    )),
                    Kind::Bills => Text::plain_str(
                        "🔔 I'll tell you here the morning before a scheduled payment is due. /remind off bills stops it.",
                    ),
                }
            }
            Request::Off(kind) => {
                let n = reminders::remove(self.conn, account, platform, &chat, kind)?;
                Text::plain_str(if n == 0 {
                    "There were no reminders to switch off here."
                } else {
                    "🔕 Reminders switched off here."
                })
            }
            Request::Show => {
                let all = reminders::of_chat(self.conn, account, platform, &chat)?;
                if all.is_empty() {
                    usage()
                } else {
                    let mut t = Text::new().bold("Your reminders here");
                    for r in all {
                        t = t.line().plain(match r.kind {
                            Kind::Daily => format!(
                                "⏰ daily at {}, on days with nothing recorded",
                                hhmm(r.at_minute)
                            ),
                            Kind::Bills => "🔔 the day before a scheduled payment".to_owned(),
                        });
                    }
                    t.line().italic("/remind off switches them off.")
                }
            }
        };
        Ok(Reply::text(text))
    }
}

fn usage() -> Text {
    Text::new()
        .code("/remind daily 21:00")
        .plain(" nudges you to log your spending on days with nothing recorded; ")
        .code("/remind bills")
        .plain(" tells you the day before a scheduled payment; ")
        .code("/remind off")
        .plain(" stops them.")
}

impl Tally {
    /// The reminders due now on `platforms`, each claimed and written to the outbox in one
    /// transaction: of several instances one takes it, and a crash before it is sent leaves it
    /// for the outbox sender, so it is neither lost nor sent twice. Send each announcement and
    /// mark its row sent ([`Tally::mark_sent`]).
    pub async fn due_reminders(&self, platforms: &[Platform]) -> Result<Vec<Announcement>, Error> {
        let now = self.now();
        let lease = self.outbox_lease();
        let wanted = platforms.to_vec();
        let due = self
            .db()
            .read(move |c| reminders::due(c, now, &wanted, BATCH))
            .await?;
        let mut out = Vec::new();
        for r in due {
            let queued = self
                .db()
                .write(move |c| {
                    if !reminders::claim(c, &r, now)? {
                        return Ok(None);
                    }
                    let Some(said) = reminders::compose(c, &r, now)? else {
                        return Ok(None);
                    };
                    let messages = vec![OutMessage::new(reminder_text(said))];
                    let id =
                        outbox::enqueue(c, r.platform, &r.chat_id, None, &messages, now, lease)?;
                    Ok(Some(Announcement {
                        outbox: Some(id),
                        platform: r.platform,
                        chat_id: r.chat_id,
                        messages,
                    }))
                })
                .await?;
            out.extend(queued);
        }
        Ok(out)
    }
}

/// What a due reminder says.
fn reminder_text(said: Due) -> Text {
    match said {
        Due::NothingRecorded => Text::new()
            .plain("📝 Nothing recorded today. Spent anything? Just tell me, e.g. ")
            .code("spent 12 on lunch")
            .plain("."),
        Due::Bills(bills) => {
            let mut t = Text::new().bold("🔔 Due tomorrow");
            for b in bills {
                let what = if b.note.is_empty() {
                    b.category.label()
                } else {
                    b.note.clone()
                };
                t = t
                    .line()
                    .plain(format!("{what}: "))
                    .bold(b.money.to_string());
            }
            t
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminder_requests_read_as_people_say_them() {
        assert_eq!(read("daily 21:00"), Some(Request::On(Kind::Daily, 21 * 60)));
        assert_eq!(
            read("every evening to log my spending"),
            Some(Request::On(Kind::Daily, 21 * 60))
        );
        assert_eq!(
            read("at 8:30pm every day"),
            Some(Request::On(Kind::Daily, 20 * 60 + 30))
        );
        assert_eq!(read("daily 9 am"), Some(Request::On(Kind::Daily, 9 * 60)));
        assert_eq!(
            read("bills"),
            Some(Request::On(Kind::Bills, BILLS_AT_MINUTE))
        );
        assert_eq!(read("off"), Some(Request::Off(None)));
        assert_eq!(read("off bills"), Some(Request::Off(Some(Kind::Bills))));
        assert_eq!(read(""), Some(Request::Show));
        assert_eq!(read("about the thing"), None);
        assert_eq!(read("daily 25:00"), Some(Request::On(Kind::Daily, 21 * 60)));
        assert_eq!(clock_time("12am", None), Some(0));
        assert_eq!(clock_time("12pm", None), Some(12 * 60));
        assert_eq!(clock_time("13pm", None), None);
    }
}
