//! `/export` in chat: the ledger (a group's, in a group) as a file attached to the reply.

use std::io::{self, Write};

use super::message::{Attachment, AttachmentKind, OutMessage, Reply, Text};
use super::turn::Turn;
use crate::error::Error;
use crate::export::{Format, JournalOptions};
use crate::parser::PeriodSpec;
use crate::period::DateRange;
use crate::services::exports::{self, Request};

/// The largest file sent in chat. Discord takes 10 MiB from a bot without boosts (Telegram
/// takes 50 MB), and the file is held in memory to be attached: a bigger ledger is better
/// served by the API or the command line, which stream.
pub const MAX_CHAT_EXPORT_BYTES: usize = 10 * 1024 * 1024;

/// A buffer that refuses to grow past its cap, so a huge ledger stops early instead of
/// filling memory first and being refused afterwards.
struct Capped {
    bytes: Vec<u8>,
    cap: usize,
    overflowed: bool,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + buf.len() > self.cap {
            self.overflowed = true;
            return Err(io::Error::other(
                "the export is larger than a chat file may be",
            ));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Turn<'_> {
    /// Builds the file with the same writers as the API and `tally export`, and attaches it.
    pub(crate) fn export_command(
        &mut self,
        format: Format,
        period: Option<PeriodSpec>,
    ) -> Result<Reply, Error> {
        let range: Option<DateRange> = match period {
            Some(p) => Some(self.period_arg(Some(&p))?),
            None => None,
        };
        let request = Request {
            ledger: self.cx.ledger.id,
            format,
            from: range.map(|r| r.from),
            to: range.map(|r| r.to),
            journal: JournalOptions::default(),
        };
        let mut out = Capped {
            bytes: Vec::new(),
            cap: MAX_CHAT_EXPORT_BYTES,
            overflowed: false,
        };
        let written = match exports::stream(self.conn, self.cx.account.id, &request, &mut out) {
            Ok(n) => n,
            Err(_) if out.overflowed => {
                return Ok(Reply::text(
                    Text::new()
                        .plain(format!(
                            "That file would be larger than {} MB, too big to send in chat. \
                             Export a shorter period (e.g. ",
                            MAX_CHAT_EXPORT_BYTES / (1024 * 1024)
                        ))
                        .code("/export csv this-year")
                        .plain("), or use the API (")
                        .code("GET /api/v1/export")
                        .plain(") or the command line (")
                        .code("tally export")
                        .plain("), which have no limit."),
                ));
            }
            Err(e) => return Err(e),
        };
        let when = match range {
            Some(r) => format!("{} to {}", r.from, r.to),
            None => "all dates".to_owned(),
        };
        let noun = if written == 1 { "entry" } else { "entries" };
        let caption = Text::new()
            .plain("📄 ")
            .bold(self.cx.ledger.title.clone())
            .plain(format!(": {written} {noun}, {when}"));
        let attachment = Attachment {
            kind: AttachmentKind::Document,
            file_name: exports::file_name(&self.cx.ledger.title, &request),
            mime: format.media_type().to_owned(),
            bytes: out.bytes,
        };
        Ok(Reply::message(
            OutMessage::new(caption).with_attachment(attachment),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::Command;
    use crate::parser::CalendarUnit;

    #[test]
    fn the_buffer_stops_at_its_cap() {
        let mut out = Capped {
            bytes: Vec::new(),
            cap: 10,
            overflowed: false,
        };
        assert!(out.write_all(b"0123456789").is_ok());
        assert!(!out.overflowed);
        assert!(out.write_all(b"x").is_err());
        assert!(out.overflowed);
        assert_eq!(out.bytes.len(), 10);
    }

    #[test]
    fn the_text_form_reads_a_format_then_a_period() {
        let read = |args: &str| Command::from_slash("export", args);
        assert_eq!(
            read(""),
            Command::Export {
                format: Format::Csv,
                period: None
            }
        );
        assert_eq!(
            read("beancount last-month"),
            Command::Export {
                format: Format::Beancount,
                period: Some(PeriodSpec::Previous(CalendarUnit::Month))
            }
        );
        assert_eq!(
            read("this-year"),
            Command::Export {
                format: Format::Csv,
                period: Some(PeriodSpec::This(CalendarUnit::Year))
            }
        );
        assert_eq!(read("hledger"), Command::export(Some("ledger"), None));
        assert!(matches!(
            Command::export(Some("xml"), None),
            Command::Invalid {
                field: "format",
                ..
            }
        ));
    }
}
