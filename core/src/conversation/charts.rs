//! Charts in chat: `/chart`, "graph my spending" and the 📊 buttons, answered with a picture.

use super::action::{Action, ChartButton};
use super::command::{CHART_USAGE, ChartArgs};
use super::message::{Attachment, AttachmentKind, Button, OutMessage, Reply, Text};
use super::turn::Turn;
use crate::charts::{self, ChartError};
use crate::domain::CategoryName;
use crate::error::Error;
use crate::services::categories;
use crate::services::charts::{self as chart_service, ChartKind, ChartRequest, Charted};

/// The button under a reply that a chart can illustrate.
pub(crate) fn chart_button(chart: ChartButton) -> Vec<Button> {
    vec![Button {
        label: "📊 Chart".into(),
        action: Action::Chart(chart),
    }]
}

impl Turn<'_> {
    /// `/chart`: the category it names must be one of the ledger's, and the period is placed
    /// on the sender's calendar.
    pub(crate) fn chart_command(&mut self, args: ChartArgs) -> Result<Reply, Error> {
        let ChartArgs {
            kind,
            granularity,
            period,
        } = args;
        if let ChartKind::Category(name) | ChartKind::Budget(Some(name)) = &kind
            && !self.has_category(name)?
        {
            return Err(Error::invalid("category", CHART_USAGE));
        }
        let range = match period {
            Some(p) => Some(
                p.resolve(self.cx.today)
                    .ok_or_else(|| Error::invalid("period", CHART_USAGE))?,
            ),
            None => None,
        };
        self.chart(ChartRequest {
            kind,
            range,
            granularity,
        })
    }

    fn has_category(&mut self, name: &CategoryName) -> Result<bool, Error> {
        Ok(categories::all_of(self.conn, self.cx.ledger.id, true)?
            .iter()
            .any(|c| &c.name == name))
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
