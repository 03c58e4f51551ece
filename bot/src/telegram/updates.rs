//! Raw updates read one at a time, so one Telegram could not parse spoils nothing else.

use serde::Deserialize as _;
use serde_json::Value;
use teloxide::types::{Update, UpdateKind};

/// One entry of a `getUpdates` result or one webhook body.
#[derive(Debug, Clone)]
pub enum RawUpdate {
    Parsed(Box<Update>),
    /// Not a shape we can read. Logged and skipped; `id` (when readable) moves the offset past it.
    Malformed {
        id: Option<u32>,
        reason: String,
    },
}

impl RawUpdate {
    pub fn id(&self) -> Option<u32> {
        match self {
            RawUpdate::Parsed(u) => Some(u.id.0),
            RawUpdate::Malformed { id, .. } => *id,
        }
    }

    /// Reads one update: as JSON first, then as teloxide's `Update`.
    pub fn from_value(value: Value) -> RawUpdate {
        let id = value
            .get("update_id")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok());
        // From a borrowed `Value`: teloxide's update reader wants borrowed keys, and reading an
        // owned `Value` silently turns every update into `UpdateKind::Error`.
        match Update::deserialize(&value) {
            Ok(update) => RawUpdate::from_update(update),
            Err(e) => RawUpdate::Malformed {
                id,
                reason: e.to_string(),
            },
        }
    }

    pub fn from_bytes(body: &[u8]) -> RawUpdate {
        match serde_json::from_slice::<Value>(body) {
            Ok(value) => RawUpdate::from_value(value),
            Err(e) => RawUpdate::Malformed {
                id: None,
                reason: format!("not JSON: {e}"),
            },
        }
    }

    /// teloxide parses a batch leniently: a kind it cannot read becomes `UpdateKind::Error`.
    pub fn from_update(update: Update) -> RawUpdate {
        match &update.kind {
            UpdateKind::Error(_) => RawUpdate::Malformed {
                id: Some(update.id.0),
                reason: "teloxide could not read this update's content".into(),
            },
            _ => RawUpdate::Parsed(Box::new(update)),
        }
    }
}

/// A whole `getUpdates` answer that teloxide refused (one entry broke the list), read entry by
/// entry. `None` when the answer itself is not a list of updates.
pub fn from_response_text(text: &str) -> Option<Vec<RawUpdate>> {
    let value: Value = serde_json::from_str(text).ok()?;
    if value.get("ok").and_then(Value::as_bool) != Some(true) {
        return None;
    }
    let Value::Array(entries) = value.get("result")?.clone() else {
        return None;
    };
    Some(entries.into_iter().map(RawUpdate::from_value).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_good_and_bad_entries_separately() {
        let text = json!({"ok": true, "result": [
            {"update_id": 7, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private", "first_name": "A"},
             "from": {"id": 5, "is_bot": false, "first_name": "A"}, "text": "hi"}},
            {"update_id": 8, "message": "nonsense"},
            {"no_id": true},
            17
        ]})
        .to_string();
        let all = from_response_text(&text).expect("a list");
        assert_eq!(all.len(), 4);
        assert!(matches!(&all[0], RawUpdate::Parsed(u) if u.id.0 == 7));
        assert!(matches!(&all[1], RawUpdate::Malformed { id: Some(8), .. }));
        assert!(matches!(&all[2], RawUpdate::Malformed { id: None, .. }));
        assert!(matches!(&all[3], RawUpdate::Malformed { id: None, .. }));
        assert!(from_response_text("<html>502</html>").is_none());
        assert!(from_response_text(r#"{"ok":false}"#).is_none());
    }

    #[test]
    fn reads_webhook_bodies() {
        assert!(matches!(
            RawUpdate::from_bytes(b"{not json"),
            RawUpdate::Malformed { id: None, .. }
        ));
        assert!(matches!(
            RawUpdate::from_bytes(br#"{"update_id": 3, "message": {"date": "x"}}"#),
            RawUpdate::Malformed { id: Some(3), .. }
        ));
    }
}
