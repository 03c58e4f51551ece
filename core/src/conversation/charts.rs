//! Charts in chat: `/chart`, "graph my spending" and the 📊 buttons, answered with a picture.

use super::action::{Action, ChartButton};
use super::message::{Attachment, AttachmentKind, Button, OutMessage, Reply, Text};
use super::turn::Turn;
use crate::charts::{self, ChartError};
use crate::domain::CategoryName;
use crate::error::Error;
use crate::period::Granularity;
use crate::services::categories;
use crate::services::charts::{self as chart_service, ChartKind, ChartRequest, Charted};

const USAGE: &str = "Use /chart categories, /chart monthly [quarter|year], /chart CATEGORY, \
                     /chart budget [CATEGORY] or /chart members, with a period if you like \
                     (e.g. /chart categories last-month).";

/// The button under a reply that a chart can illustrate.
pub(crate) fn chart_button(chart: ChartButton) -> Vec<Button> {
    vec![Button {
        label: "📊 Chart".into(),
        action: Action::Chart(chart),
    }]
}

impl Turn<'_> {
    /// `/chart [categories|monthly|CATEGORY|budget|members] [PERIOD]`.
    pub(crate) fn chart_command(&mut self, words: &str) -> Result<Reply, Error> {
        let request = self.read_chart_args(words.trim())?;
        self.chart(request)
    }

    fn read_chart_args(&mut self, text: &str) -> Result<ChartRequest, Error> {
        let mut words: Vec<&str> = text.split_whitespace().collect();
        if words.is_empty() {
            return Ok(ChartRequest::new(ChartKind::Categories));
        }
        let first = words.remove(0).to_ascii_lowercase();
        // `/chart category food`: the word names the kind, the next the category.
        let (kind, rest) = if first == "category" && !words.is_empty() {
            let name = words.remove(0);
            (Some(ChartKind::Category(self.chart_category(name)?)), words)
        } else {
            match ChartKind::from_word(&first) {
                Some(ChartKind::Budget(None)) => {
                    let name = words
                        .first()
                        .and_then(|w| CategoryName::parse(w).ok())
                        .filter(|n| {
                            categories::all_of(self.conn, self.cx.ledger.id, true)
                                .is_ok_and(|all| all.iter().any(|c| &c.name == n))
                        });
                    if name.is_some() {
                        words.remove(0);
                    }
                    (Some(ChartKind::Budget(name)), words)
                }
                Some(k) => (Some(k), words),
                None => match CategoryName::parse(&first) {
                    Ok(name) if self.has_category(&name)? => {
                        (Some(ChartKind::Category(name)), words)
                    }
                    // `/chart last-month`: a period alone charts the categories.
                    _ => (None, text.split_whitespace().collect()),
                },
            }
        };
        let mut request = ChartRequest::new(kind.unwrap_or(ChartKind::Categories));
        let mut rest: Vec<&str> = rest.into_iter().filter(|w| !w.is_empty()).collect();
        if request.kind == ChartKind::Monthly
            && let Some(g) = rest.first().and_then(|w| w.parse::<Granularity>().ok())
        {
            request.granularity = g;
            rest.remove(0);
        }
        let period = rest.join(" ");
        if !period.is_empty() {
            let range = self
                .cx
                .tally
                .parser()
                .parse_period(&period, self.cx.today)
                .ok_or_else(|| Error::invalid("period", USAGE))?;
            request.range = Some(range);
        }
        Ok(request)
    }

    fn has_category(&mut self, name: &CategoryName) -> Result<bool, Error> {
        Ok(categories::all_of(self.conn, self.cx.ledger.id, true)?
            .iter()
            .any(|c| &c.name == name))
    }

    fn chart_category(&mut self, word: &str) -> Result<CategoryName, Error> {
        CategoryName::parse(word).map_err(|_| Error::invalid("category", USAGE))
    }

    /// A chart asked for in free text, if the message asks for one.
    pub(crate) fn read_chart(&mut self, text: &str) -> Result<Option<ChartRequest>, Error> {
        let vocabulary = self.vocabulary()?;
        let ctx = self.parse_context(&vocabulary);
        Ok(self.cx.tally.parser().parse_chart(text, &ctx))
    }

    /// A 📊 button: the chart of what the message showed.
    pub(crate) fn chart_pressed(&mut self, button: ChartButton) -> Result<Reply, Error> {
        let request = match button {
            ChartButton::Categories(range) => ChartRequest {
                range: Some(range),
                ..ChartRequest::new(ChartKind::Categories)
            },
            ChartButton::Monthly(g) => ChartRequest {
                granularity: g,
                ..ChartRequest::new(ChartKind::Monthly)
            },
            ChartButton::Budget => ChartRequest::new(ChartKind::Budget(None)),
        };
        let mut reply = self.chart(request)?;
        reply.notice = Some("📊".into());
        Ok(reply)
    }

    /// Draws the chart and answers with it; its caption names the currency left out, if any.
    pub(crate) fn chart(&mut self, request: ChartRequest) -> Result<Reply, Error> {
        let built = match chart_service::build(
            self.conn,
            self.cx.account.id,
            self.cx.ledger.id,
            &request,
            self.cx.today,
        )? {
            Charted::Chart(b) => b,
            Charted::NoData(sentence) => return Ok(Reply::text(Text::plain_str(sentence))),
        };
        let png = match charts::render_png(&built.chart) {
            Ok(png) => png,
            Err(ChartError::NoData) => {
                return Ok(Reply::text(Text::plain_str(
                    "There is nothing to chart for that period.",
                )));
            }
            Err(e) => return Err(Error::Internal(e.to_string())),
        };
        let mut caption = Text::new()
            .plain("📊 ")
            .bold(built.title.clone())
            .plain(format!(" ({})", built.currency.code()));
        if !built.others.is_empty() {
            let codes: Vec<&str> = built.others.iter().map(|c| c.code()).collect();
            caption = caption.line().italic(format!(
                "Also recorded in {}, not in this chart (one currency per chart).",
                codes.join(", ")
            ));
        }
        let attachment = Attachment {
            kind: AttachmentKind::Photo,
            file_name: format!("chart-{}.png", request.kind.name()),
            mime: "image/png".into(),
            bytes: png,
        };
        Ok(Reply::message(
            OutMessage::new(caption).with_attachment(attachment),
        ))
    }
}
