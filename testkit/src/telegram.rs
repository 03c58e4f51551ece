//! A fake Telegram Bot API on 127.0.0.1, for the bot's tests and the load harness.

// It answers the methods the adapter calls, records every call, serves queued updates by long
// polling, checks HTML the way Telegram does, and fails on request (429, 5xx, hangs, garbage).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use url::Url;

/// The bot the fake pretends to be.
pub const BOT_ID: u64 = 7_000_001;
pub const BOT_USERNAME: &str = "TallyTestBot";

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Call {
    /// The method as the Bot API documents it (`sendMessage`), whatever case the client used.
    pub method: String,
    pub body: Value,
    /// The HTTP status the fake answered with.
    pub status: u16,
    /// Answered with a scripted [`Failure`].
    pub scripted: bool,
    /// When the answer went out (a long poll is recorded when it returns).
    pub at: Instant,
}

/// A message the bot sent, as it stands now (after any edits).
#[derive(Debug, Clone)]
pub struct Sent {
    pub chat_id: i64,
    pub message_id: i32,
    /// The HTML as the bot sent it.
    pub html: String,
    /// What a Telegram user sees: the tags applied, the entities decoded.
    pub text: String,
    pub reply_markup: Option<Value>,
    pub edits: u32,
    /// The bot asked Telegram not to fetch a preview of the links in it.
    pub link_preview_disabled: bool,
    /// For `sendPhoto`: the uploaded file's name and bytes (the caption is `html`/`text`).
    pub photo: Option<(String, Vec<u8>)>,
    /// For `sendDocument`: the uploaded file's name and bytes (the caption is `html`/`text`).
    pub document: Option<(String, Vec<u8>)>,
}

impl Sent {
    /// The `callback_data` of every button, row by row.
    pub fn buttons(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(rows) = self
            .reply_markup
            .as_ref()
            .and_then(|m| m.get("inline_keyboard"))
            .and_then(Value::as_array)
        {
            for row in rows {
                for b in row.as_array().into_iter().flatten() {
                    let label = b.get("text").and_then(Value::as_str).unwrap_or_default();
                    let data = b
                        .get("callback_data")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    out.push((label.to_owned(), data.to_owned()));
                }
            }
        }
        out
    }

    /// The `callback_data` of the first button whose label contains `label`.
    pub fn button(&self, label: &str) -> Option<String> {
        self.buttons()
            .into_iter()
            .find(|(l, _)| l.contains(label))
            .map(|(_, d)| d)
    }
}

/// A scripted failure for the next call of a method.
#[derive(Debug, Clone)]
pub enum Failure {
    /// 429 with `retry_after`.
    RetryAfter(u32),
    /// This HTTP status with a JSON error body (teloxide waits 10 s after a 5xx).
    Status(u16),
    /// Holds the request this long, then answers 504 without doing anything.
    Hang(Duration),
    /// 200 with a body that is not JSON.
    Garbage,
}

/// Everything the fake recorded, for assertions.
#[derive(Debug, Default)]
pub struct Recorded {
    pub calls: Vec<Call>,
    /// Messages by `(chat, message id)`.
    pub messages: BTreeMap<(i64, i32), Sent>,
    /// The highest offset the client confirmed: updates below it are gone.
    pub confirmed: i64,
    pub webhook_url: String,
    pub webhook_secret: Option<String>,
}

impl Recorded {
    pub fn calls_to<'a>(&'a self, method: &'a str) -> impl Iterator<Item = &'a Call> + 'a {
        self.calls.iter().filter(move |c| c.method == method)
    }

    /// Calls of `method` that succeeded.
    pub fn ok_calls_to<'a>(&'a self, method: &'a str) -> impl Iterator<Item = &'a Call> + 'a {
        self.calls_to(method).filter(|c| c.status == 200)
    }

    /// The chat's messages, oldest first.
    pub fn sent_to(&self, chat: i64) -> Vec<&Sent> {
        self.messages
            .range((chat, i32::MIN)..=(chat, i32::MAX))
            .map(|(_, s)| s)
            .collect()
    }

    pub fn last_sent_to(&self, chat: i64) -> Option<&Sent> {
        self.sent_to(chat).into_iter().last()
    }
}

/// A person on the fake Telegram.
#[derive(Debug, Clone)]
pub struct FakeUser {
    pub id: u64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
}

impl FakeUser {
    pub fn new(id: u64, first_name: &str) -> FakeUser {
        FakeUser {
            id,
            first_name: first_name.to_owned(),
            last_name: None,
            username: None,
        }
    }

    pub fn json(&self) -> Value {
        let mut v = json!({"id": self.id, "is_bot": false, "first_name": self.first_name});
        if let Some(l) = &self.last_name {
            v["last_name"] = json!(l);
        }
        if let Some(u) = &self.username {
            v["username"] = json!(u);
        }
        v
    }

    /// The user's private chat with the bot (its id is the user's).
    pub fn private_chat(&self) -> i64 {
        i64::try_from(self.id).unwrap_or(i64::MAX)
    }
}

struct Inner {
    next_update_id: u32,
    /// Delivered until confirmed.
    queue: VecDeque<(u32, Value)>,
    /// Delivered once more regardless of the offset (a lost confirmation).
    redeliveries: VecDeque<Value>,
    history: HashMap<u32, Value>,
    failures: HashMap<String, VecDeque<Failure>>,
    next_message_id: i32,
    next_query_id: u64,
    statuses: HashMap<(i64, u64), String>,
    users: HashMap<u64, Value>,
    titles: HashMap<i64, String>,
    date: i64,
    record_calls: bool,
    tap: Option<mpsc::UnboundedSender<Call>>,
    recorded: Recorded,
}

struct Shared {
    token: String,
    inner: Mutex<Inner>,
    changed: watch::Sender<u64>,
    /// The longest an empty getUpdates is held (Telegram holds it for `timeout`).
    max_hold: Duration,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn bump(&self) {
        self.changed.send_modify(|v| *v += 1);
    }
}

/// The fake server; it stops when dropped.
pub struct FakeTelegram {
    url: Url,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeTelegram {
    /// Starts on a free port of 127.0.0.1.
    pub async fn start() -> std::io::Result<FakeTelegram> {
        FakeTelegram::start_with(Duration::from_secs(30)).await
    }

    /// `max_hold` caps how long an empty `getUpdates` is held.
    pub async fn start_with(max_hold: Duration) -> std::io::Result<FakeTelegram> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (changed, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            token: format!("{BOT_ID}:fake-token-{}", rand::random::<u32>()),
            inner: Mutex::new(Inner {
                next_update_id: 1000,
                queue: VecDeque::new(),
                redeliveries: VecDeque::new(),
                history: HashMap::new(),
                failures: HashMap::new(),
                next_message_id: 1,
                next_query_id: 1,
                statuses: HashMap::new(),
                users: HashMap::new(),
                titles: HashMap::new(),
                date: Utc::now().timestamp(),
                record_calls: true,
                tap: None,
                recorded: Recorded::default(),
            }),
            changed,
            max_hold,
        });
        let app = Router::new()
            .route("/{bot}/{method}", post(answer))
            .with_state(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let url = Url::parse(&format!("http://{addr}/"))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(FakeTelegram {
            url,
            shared,
            server,
        })
    }

    /// The Bot API base the adapter is pointed at (with [`FakeTelegram::token`], that is all
    /// its configuration needs in polling mode).
    pub fn url(&self) -> Url {
        self.url.clone()
    }

    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// Pretends a webhook was set earlier (polling must remove it first).
    pub fn set_webhook_url(&self, url: &str) {
        self.shared.lock().recorded.webhook_url = url.to_owned();
    }

    /// Dates of the updates made from now on.
    pub fn set_date(&self, at: DateTime<Utc>) {
        self.shared.lock().date = at.timestamp();
    }

    /// Keeps the call log off (the load harness), or on.
    pub fn set_recording(&self, on: bool) {
        self.shared.lock().record_calls = on;
    }

    /// Every call from now on is also sent here.
    pub fn tap(&self) -> mpsc::UnboundedReceiver<Call> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.shared.lock().tap = Some(tx);
        rx
    }

    /// What a member is in a group: `creator`, `administrator` or `member` (the default).
    pub fn set_status(&self, chat: i64, user: u64, status: &str) {
        self.shared
            .lock()
            .statuses
            .insert((chat, user), status.to_owned());
    }

    /// The next call of `method` (as documented, e.g. `sendMessage`) fails like this.
    pub fn fail_next(&self, method: &str, failure: Failure) {
        self.shared
            .lock()
            .failures
            .entry(method.to_owned())
            .or_default()
            .push_back(failure);
    }

    /// Queues an update of this content (`{"message": …}`); returns its id.
    pub fn push_update(&self, content: Value) -> u32 {
        let mut inner = self.shared.lock();
        let id = inner.next_update_id;
        inner.next_update_id += 1;
        let mut update = content;
        update["update_id"] = json!(id);
        inner.history.insert(id, update.clone());
        inner.queue.push_back((id, update));
        drop(inner);
        self.shared.bump();
        id
    }

    /// Queues `value` exactly as given (it may be malformed); it takes the next id's place in the
    /// queue. Returns that id.
    pub fn push_raw(&self, value: Value) -> u32 {
        let mut inner = self.shared.lock();
        let id = inner.next_update_id;
        inner.next_update_id += 1;
        inner.queue.push_back((id, value));
        drop(inner);
        self.shared.bump();
        id
    }

    /// Delivers an update once more, as Telegram does when it did not see the confirmation.
    pub fn redeliver(&self, update_id: u32) -> bool {
        let mut inner = self.shared.lock();
        let Some(update) = inner.history.get(&update_id).cloned() else {
            return false;
        };
        inner.redeliveries.push_back(update);
        drop(inner);
        self.shared.bump();
        true
    }

    /// The update as it was queued (for posting to a webhook).
    pub fn update(&self, update_id: u32) -> Option<Value> {
        self.shared.lock().history.get(&update_id).cloned()
    }

    /// A text message from `from` in `chat` (a private chat: `from.private_chat()`).
    pub fn message(&self, chat: i64, from: &FakeUser, text: &str) -> Value {
        let mut inner = self.shared.lock();
        inner.users.insert(from.id, from.json());
        let message_id = inner.next_message_id;
        inner.next_message_id += 1;
        let chat_json = chat_json(&inner, chat, Some(from));
        let mut message = json!({
            "message_id": message_id,
            "date": inner.date,
            "chat": chat_json,
            "from": from.json(),
            "text": text,
        });
        if text.starts_with('/') {
            let len = text
                .split_whitespace()
                .next()
                .map_or(0, |c| c.encode_utf16().count());
            message["entities"] = json!([{"type": "bot_command", "offset": 0, "length": len}]);
        }
        json!({ "message": message })
    }

    /// `user` is now `status` in the group `chat` (`member`, `administrator`, `left`, `kicked`…):
    /// `getChatMember` answers so from now on, and Telegram's `chat_member` update says so.
    /// Returns the update id.
    pub fn member_update(&self, chat: i64, user: &FakeUser, status: &str) -> u32 {
        self.shared.lock().users.insert(user.id, user.json());
        self.standing_update(chat, user.id, user.json(), status, "chat_member")
    }

    /// The bot itself is now `status` in `chat` (a `my_chat_member` update; `left` or `kicked`
    /// when it was removed).
    pub fn bot_member_update(&self, chat: i64, status: &str) -> u32 {
        self.standing_update(chat, BOT_ID, bot_json(), status, "my_chat_member")
    }

    fn standing_update(&self, chat: i64, user: u64, from: Value, status: &str, key: &str) -> u32 {
        let update = {
            let mut inner = self.shared.lock();
            inner.users.entry(user).or_insert_with(|| from.clone());
            let old = member_json(&inner, chat, user);
            inner.statuses.insert((chat, user), status.to_owned());
            let new = member_json(&inner, chat, user);
            let change = json!({
                "chat": chat_json(&inner, chat, None),
                "from": from,
                "date": inner.date,
                "old_chat_member": old,
                "new_chat_member": new,
            });
            json!({ key: change })
        };
        self.push_update(update)
    }

    /// Sends a text message from `from` into `chat`; returns the update id.
    pub fn send_text(&self, chat: i64, from: &FakeUser, text: &str) -> u32 {
        let update = self.message(chat, from, text);
        self.push_update(update)
    }

    /// Names a group (or supergroup, for ids below -10¹²).
    pub fn name_group(&self, chat: i64, title: &str) {
        self.shared.lock().titles.insert(chat, title.to_owned());
    }

    /// `from` presses a button with `data` on the bot's message; returns the update id.
    pub fn press(&self, from: &FakeUser, chat: i64, message_id: i32, data: &str) -> u32 {
        let mut inner = self.shared.lock();
        inner.users.insert(from.id, from.json());
        let query_id = inner.next_query_id;
        inner.next_query_id += 1;
        let message = match inner.recorded.messages.get(&(chat, message_id)) {
            Some(sent) => message_json(&inner, sent),
            None => {
                json!({"message_id": message_id, "date": 0, "chat": chat_json(&inner, chat, Some(from))})
            }
        };
        let update = json!({"callback_query": {
            "id": format!("q{query_id}"),
            "from": from.json(),
            "message": message,
            "chat_instance": format!("ci{chat}"),
            "data": data,
        }});
        drop(inner);
        self.push_update(update)
    }

    /// A message "the bot sent earlier", with these buttons (`[[(label, data)]]`).
    pub fn plant_message(&self, chat: i64, text: &str, buttons: &[Vec<(&str, &str)>]) -> i32 {
        let markup = (!buttons.is_empty()).then(|| {
            json!({"inline_keyboard": buttons.iter().map(|row| row.iter().map(|(l, d)| json!({"text": l, "callback_data": d})).collect::<Vec<_>>()).collect::<Vec<_>>()})
        });
        let mut inner = self.shared.lock();
        let message_id = inner.next_message_id;
        inner.next_message_id += 1;
        inner.recorded.messages.insert(
            (chat, message_id),
            Sent {
                chat_id: chat,
                message_id,
                html: text.to_owned(),
                text: text.to_owned(),
                reply_markup: markup,
                edits: 0,
                link_preview_disabled: false,
                photo: None,
                document: None,
            },
        );
        message_id
    }

    /// Runs `f` on what was recorded.
    pub fn with<T>(&self, f: impl FnOnce(&Recorded) -> T) -> T {
        f(&self.shared.lock().recorded)
    }

    /// Updates queued and not yet confirmed.
    pub fn pending(&self) -> usize {
        let inner = self.shared.lock();
        inner.queue.len() + inner.redeliveries.len()
    }

    /// Waits until `f` finds what it looks for in the record (checked after every call), or
    /// `timeout` passes (`None`).
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut f: impl FnMut(&Recorded) -> Option<T>,
    ) -> Option<T> {
        let mut changes = self.shared.changed.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            changes.borrow_and_update();
            if let Some(found) = f(&self.shared.lock().recorded) {
                return Some(found);
            }
            if tokio::time::timeout_at(deadline, changes.changed())
                .await
                .is_err()
            {
                return None;
            }
        }
    }

    /// Waits until `chat` has at least `n` messages; returns them.
    pub async fn wait_for_messages(
        &self,
        chat: i64,
        n: usize,
        timeout: Duration,
    ) -> Option<Vec<Sent>> {
        self.wait_until(timeout, |r| {
            let sent = r.sent_to(chat);
            (sent.len() >= n).then(|| sent.into_iter().cloned().collect())
        })
        .await
    }
}

fn chat_json(inner: &Inner, chat: i64, from: Option<&FakeUser>) -> Value {
    if chat > 0 {
        let first = from.map_or("User", |f| f.first_name.as_str());
        json!({"id": chat, "type": "private", "first_name": first})
    } else {
        let title = inner.titles.get(&chat).map_or("Group", String::as_str);
        let kind = if chat <= -1_000_000_000_000 {
            "supergroup"
        } else {
            "group"
        };
        json!({"id": chat, "type": kind, "title": title})
    }
}

fn bot_json() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": "Tally", "username": BOT_USERNAME})
}

fn message_json(inner: &Inner, sent: &Sent) -> Value {
    let mut m = json!({
        "message_id": sent.message_id,
        "date": inner.date,
        "chat": chat_json(inner, sent.chat_id, None),
        "from": bot_json(),
        "text": sent.text,
    });
    if let Some(markup) = &sent.reply_markup {
        m["reply_markup"] = markup.clone();
    }
    m
}

fn ok(result: Value) -> (StatusCode, Value) {
    (StatusCode::OK, json!({"ok": true, "result": result}))
}

fn refuse(status: StatusCode, description: &str) -> (StatusCode, Value) {
    (
        status,
        json!({"ok": false, "error_code": status.as_u16(), "description": description}),
    )
}

/// A `multipart/form-data` body (teloxide sends `setWebhook` and uploads so) as a JSON object;
/// each value is read as JSON when it is JSON, else kept as text. A file part becomes
/// `{"file_name": …, "base64": …}`, its bytes kept exactly.
fn multipart_fields(body: &[u8], boundary: &str) -> Value {
    use base64::Engine as _;
    let delimiter = format!("--{boundary}");
    let mut fields = serde_json::Map::new();
    for part in split_bytes(body, delimiter.as_bytes()) {
        let Some(at) = find_bytes(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..at]);
        let value = &part[at + 4..];
        let value = value.strip_suffix(b"\r\n").unwrap_or(value);
        let quoted = |key: &str| {
            head.split(&format!("{key}=\""))
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .map(str::to_owned)
        };
        let Some(name) = quoted("name") else {
            continue;
        };
        let parsed = match quoted("filename") {
            Some(file_name) => json!({
                "file_name": file_name,
                "base64": base64::engine::general_purpose::STANDARD.encode(value),
            }),
            None => {
                let text = String::from_utf8_lossy(value);
                serde_json::from_str(&text).unwrap_or_else(|_| json!(text))
            }
        };
        fields.insert(name, parsed);
    }
    Value::Object(fields)
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split_bytes<'a>(mut body: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    while let Some(at) = find_bytes(body, delimiter) {
        parts.push(&body[..at]);
        body = &body[at + delimiter.len()..];
    }
    parts.push(body);
    parts
}

/// `SendMessage` → `sendMessage`.
fn method_name(raw: &str) -> String {
    let mut chars = raw.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

async fn answer(
    State(shared): State<Arc<Shared>>,
    Path((bot, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let method = method_name(&method);
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let body: Value = if body.is_empty() {
        json!({})
    } else if let Some(boundary) = content_type
        .strip_prefix("multipart/form-data")
        .and_then(|rest| rest.split("boundary=").nth(1))
    {
        multipart_fields(&body, boundary.trim_matches('"'))
    } else {
        serde_json::from_slice(&body).unwrap_or_else(|_| json!({}))
    };
    let (status, reply) = if bot.strip_prefix("bot") != Some(shared.token.as_str()) {
        refuse(StatusCode::UNAUTHORIZED, "Unauthorized")
    } else {
        let failure = shared
            .lock()
            .failures
            .get_mut(&method)
            .and_then(VecDeque::pop_front);
        match failure {
            Some(f) => {
                let answer = fail(f).await;
                record(&shared, &method, &body, answer.0, true);
                return answer.1;
            }
            None => dispatch(&shared, &method, &body).await,
        }
    };
    record(&shared, &method, &body, status, false);
    (status, axum::Json(reply)).into_response()
}

async fn fail(failure: Failure) -> (StatusCode, Response) {
    let json_response =
        |(status, body): (StatusCode, Value)| (status, (status, axum::Json(body)).into_response());
    match failure {
        Failure::RetryAfter(secs) => json_response((
            StatusCode::TOO_MANY_REQUESTS,
            json!({"ok": false, "error_code": 429,
                   "description": format!("Too Many Requests: retry after {secs}"),
                   "parameters": {"retry_after": secs}}),
        )),
        Failure::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
            let description = status.canonical_reason().unwrap_or("Bad Gateway");
            json_response(refuse(status, description))
        }
        Failure::Hang(d) => {
            tokio::time::sleep(d).await;
            json_response(refuse(StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout"))
        }
        Failure::Garbage => (
            StatusCode::OK,
            (StatusCode::OK, "<html>not the Bot API</html>").into_response(),
        ),
    }
}

fn record(shared: &Shared, method: &str, body: &Value, status: StatusCode, scripted: bool) {
    let call = Call {
        method: method.to_owned(),
        body: body.clone(),
        status: status.as_u16(),
        scripted,
        at: Instant::now(),
    };
    let mut inner = shared.lock();
    if let Some(tap) = &inner.tap {
        let _ = tap.send(call.clone());
    }
    if inner.record_calls {
        inner.recorded.calls.push(call);
    }
    drop(inner);
    shared.bump();
}

async fn dispatch(shared: &Shared, method: &str, body: &Value) -> (StatusCode, Value) {
    match method {
        "getMe" => ok(json!({
            "id": BOT_ID, "is_bot": true, "first_name": "Tally", "username": BOT_USERNAME,
            "can_join_groups": true, "can_read_all_group_messages": true,
            "supports_inline_queries": false, "can_connect_to_business": false,
            "has_main_web_app": false,
        })),
        "getUpdates" => get_updates(shared, body).await,
        "sendMessage" => send_message(shared, body),
        "sendPhoto" => send_file(shared, body, "photo"),
        "sendDocument" => send_file(shared, body, "document"),
        "editMessageText" => edit_message_text(shared, body),
        "answerCallbackQuery" | "setMyCommands" => ok(json!(true)),
        "getWebhookInfo" => {
            let inner = shared.lock();
            let pending = inner.queue.len();
            ok(
                json!({"url": inner.recorded.webhook_url, "has_custom_certificate": false,
                      "pending_update_count": pending}),
            )
        }
        "deleteWebhook" => {
            let mut inner = shared.lock();
            inner.recorded.webhook_url.clear();
            inner.recorded.webhook_secret = None;
            ok(json!(true))
        }
        "setWebhook" => {
            let mut inner = shared.lock();
            inner.recorded.webhook_url = body["url"].as_str().unwrap_or_default().to_owned();
            inner.recorded.webhook_secret = body["secret_token"].as_str().map(str::to_owned);
            ok(json!(true))
        }
        "getChatMember" => {
            let inner = shared.lock();
            let chat = body["chat_id"].as_i64().unwrap_or_default();
            let user = body["user_id"].as_u64().unwrap_or_default();
            ok(member_json(&inner, chat, user))
        }
        "getChatAdministrators" => {
            let inner = shared.lock();
            let chat = body["chat_id"].as_i64().unwrap_or_default();
            let admins: Vec<Value> = inner
                .statuses
                .iter()
                .filter(|((c, _), s)| *c == chat && (*s == "creator" || *s == "administrator"))
                .map(|((_, u), _)| member_json(&inner, chat, *u))
                .collect();
            ok(json!(admins))
        }
        other => refuse(
            StatusCode::NOT_FOUND,
            &format!("Bad Request: the fake Bot API does not know {other}"),
        ),
    }
}

fn member_json(inner: &Inner, chat: i64, user: u64) -> Value {
    let user_json = inner
        .users
        .get(&user)
        .cloned()
        .unwrap_or_else(|| json!({"id": user, "is_bot": false, "first_name": "User"}));
    match inner.statuses.get(&(chat, user)).map(String::as_str) {
        Some("creator") => json!({"user": user_json, "status": "creator", "is_anonymous": false}),
        Some("administrator") => json!({
            "user": user_json, "status": "administrator", "is_anonymous": false,
            "can_be_edited": false, "can_manage_chat": true, "can_change_info": true,
            "can_delete_messages": true, "can_manage_video_chats": true, "can_invite_users": true,
            "can_restrict_members": true, "can_promote_members": false,
        }),
        Some("left") => json!({"user": user_json, "status": "left"}),
        Some("kicked") => json!({"user": user_json, "status": "kicked", "until_date": 0}),
        _ => json!({"user": user_json, "status": "member"}),
    }
}

async fn get_updates(shared: &Shared, body: &Value) -> (StatusCode, Value) {
    let offset = body["offset"].as_i64().unwrap_or(0);
    let timeout = Duration::from_secs(body["timeout"].as_u64().unwrap_or(0));
    let limit = usize::try_from(body["limit"].as_u64().unwrap_or(100).clamp(1, 100)).unwrap_or(100);
    let hold = timeout.min(shared.max_hold);
    let deadline = tokio::time::Instant::now() + hold;
    let mut changes = shared.changed.subscribe();
    let moved = {
        let mut inner = shared.lock();
        let moved = offset > inner.recorded.confirmed;
        if moved {
            inner.recorded.confirmed = offset;
            inner.queue.retain(|(id, _)| i64::from(*id) >= offset);
        }
        moved
    };
    if moved {
        shared.bump();
    }
    loop {
        changes.borrow_and_update();
        {
            let mut inner = shared.lock();
            let mut ready: Vec<Value> = inner.redeliveries.drain(..).collect();
            ready.extend(
                inner
                    .queue
                    .iter()
                    .take(limit.saturating_sub(ready.len()))
                    .map(|(_, u)| u.clone()),
            );
            if !ready.is_empty() {
                return ok(json!(ready));
            }
        }
        if tokio::time::timeout_at(deadline, changes.changed())
            .await
            .is_err()
        {
            return ok(json!([]));
        }
    }
}

fn send_message(shared: &Shared, body: &Value) -> (StatusCode, Value) {
    let Some(chat) = body["chat_id"].as_i64() else {
        return refuse(StatusCode::BAD_REQUEST, "Bad Request: chat not found");
    };
    let html = body["text"].as_str().unwrap_or_default().to_owned();
    let text = match check_html(&html, body["parse_mode"].as_str()) {
        Ok(t) => t,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &e),
    };
    let mut inner = shared.lock();
    let message_id = inner.next_message_id;
    inner.next_message_id += 1;
    let sent = Sent {
        chat_id: chat,
        message_id,
        html,
        text,
        reply_markup: body.get("reply_markup").cloned(),
        edits: 0,
        link_preview_disabled: body["link_preview_options"]["is_disabled"].as_bool() == Some(true),
        photo: None,
        document: None,
    };
    let answer = message_json(&inner, &sent);
    inner.recorded.messages.insert((chat, message_id), sent);
    ok(answer)
}

/// A photo or document upload (`field` names which): the caption is checked like a message's
/// text (up to 1024 characters).
fn send_file(shared: &Shared, body: &Value, field: &str) -> (StatusCode, Value) {
    use base64::Engine as _;
    let Some(chat) = body["chat_id"].as_i64() else {
        return refuse(StatusCode::BAD_REQUEST, "Bad Request: chat not found");
    };
    // teloxide sends the file field as `attach://ID` and the file itself as the part named ID.
    let file = match body[field]
        .as_str()
        .and_then(|v| v.strip_prefix("attach://"))
    {
        Some(id) => &body[id],
        None => &body[field],
    };
    let Some(bytes) = file["base64"]
        .as_str()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .filter(|b| !b.is_empty())
    else {
        return refuse(
            StatusCode::BAD_REQUEST,
            &format!("Bad Request: there is no {field} in the request"),
        );
    };
    let file_name = file["file_name"].as_str().unwrap_or_default().to_owned();
    let html = body["caption"].as_str().unwrap_or_default().to_owned();
    let text = if html.is_empty() {
        String::new()
    } else {
        match check_html(&html, body["parse_mode"].as_str()) {
            Ok(t) if t.chars().count() <= 1024 => t,
            Ok(_) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: message caption is too long",
                );
            }
            Err(e) => return refuse(StatusCode::BAD_REQUEST, &e),
        }
    };
    let mut inner = shared.lock();
    let message_id = inner.next_message_id;
    inner.next_message_id += 1;
    let mut sent = Sent {
        chat_id: chat,
        message_id,
        html,
        text,
        reply_markup: body.get("reply_markup").cloned(),
        edits: 0,
        link_preview_disabled: false,
        photo: None,
        document: None,
    };
    let mut answer = message_json(&inner, &sent);
    if let Some(m) = answer.as_object_mut() {
        m.remove("text");
        m.insert("caption".into(), json!(sent.text));
        if field == "photo" {
            m.insert(
                "photo".into(),
                json!([{"file_id": format!("photo-{message_id}"), "file_unique_id": format!("u{message_id}"),
                        "width": 1080, "height": 720}]),
            );
        } else {
            m.insert(
                "document".into(),
                json!({"file_id": format!("document-{message_id}"), "file_unique_id": format!("u{message_id}"),
                       "file_name": file_name, "file_size": bytes.len()}),
            );
        }
    }
    if field == "photo" {
        sent.photo = Some((file_name, bytes));
    } else {
        sent.document = Some((file_name, bytes));
    }
    inner.recorded.messages.insert((chat, message_id), sent);
    ok(answer)
}

fn edit_message_text(shared: &Shared, body: &Value) -> (StatusCode, Value) {
    let chat = body["chat_id"].as_i64().unwrap_or_default();
    let message_id = i32::try_from(body["message_id"].as_i64().unwrap_or_default()).unwrap_or(0);
    let html = body["text"].as_str().unwrap_or_default().to_owned();
    let text = match check_html(&html, body["parse_mode"].as_str()) {
        Ok(t) => t,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &e),
    };
    let mut inner = shared.lock();
    let Some(sent) = inner.recorded.messages.get(&(chat, message_id)).cloned() else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Bad Request: message to edit not found",
        );
    };
    let markup = body.get("reply_markup").cloned();
    if sent.html == html && sent.reply_markup == markup {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        );
    }
    let updated = Sent {
        html,
        text,
        reply_markup: markup,
        edits: sent.edits + 1,
        ..sent
    };
    let answer = message_json(&inner, &updated);
    inner.recorded.messages.insert((chat, message_id), updated);
    ok(answer)
}

/// Telegram's HTML rules, strictly: only known tags, balanced; `<`, `>` and `&` only as tags or
/// entities; at most 4096 visible UTF-16 units. Returns the visible text.
pub fn check_html(html: &str, parse_mode: Option<&str>) -> Result<String, String> {
    let visible = if parse_mode.is_some_and(|m| m.eq_ignore_ascii_case("html")) {
        let mut out = String::new();
        let mut open: Vec<String> = Vec::new();
        let mut rest = html;
        while let Some(c) = rest.chars().next() {
            match c {
                '<' => {
                    let end = rest
                        .find('>')
                        .ok_or("Bad Request: can't parse entities: unclosed tag")?;
                    let tag = &rest[1..end];
                    if let Some(name) = tag.strip_prefix('/') {
                        if open.pop().as_deref() != Some(name) {
                            return Err(format!(
                                "Bad Request: can't parse entities: unexpected end tag {name}"
                            ));
                        }
                    } else if ["b", "i", "u", "s", "code", "pre"].contains(&tag) {
                        open.push(tag.to_owned());
                    } else {
                        return Err(format!(
                            "Bad Request: can't parse entities: unsupported start tag \"{tag}\""
                        ));
                    }
                    rest = &rest[end + 1..];
                }
                '&' => {
                    let (entity, ch) = ["&lt;", "&gt;", "&amp;", "&quot;"]
                        .iter()
                        .zip(['<', '>', '&', '"'])
                        .find(|(e, _)| rest.starts_with(**e))
                        .ok_or("Bad Request: can't parse entities: unknown entity")?;
                    out.push(ch);
                    rest = &rest[entity.len()..];
                }
                '>' => {
                    return Err("Bad Request: can't parse entities: unescaped >".into());
                }
                c => {
                    out.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        if let Some(tag) = open.pop() {
            return Err(format!(
                "Bad Request: can't parse entities: can't find end tag corresponding to start tag {tag}"
            ));
        }
        out
    } else {
        html.to_owned()
    };
    if visible.trim().is_empty() {
        return Err("Bad Request: message text is empty".into());
    }
    if visible.encode_utf16().count() > 4096 {
        return Err("Bad Request: message is too long".into());
    }
    Ok(visible)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_multipart_forms() {
        let body = "--XY\r\nContent-Disposition: form-data; name=\"url\"\r\n\r\nhttps://a.example/h\r\n--XY\r\nContent-Disposition: form-data; name=\"allowed_updates\"\r\n\r\n[\"message\"]\r\n--XY--\r\n";
        let v = multipart_fields(body.as_bytes(), "XY");
        assert_eq!(v["url"], "https://a.example/h");
        assert_eq!(v["allowed_updates"], json!(["message"]));
    }

    #[test]
    fn keeps_uploaded_bytes_exactly() {
        use base64::Engine as _;
        let mut body = b"--XY\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"c.png\"\r\nContent-Type: image/png\r\n\r\n".to_vec();
        let bytes: Vec<u8> = (0..=255u8)
            .chain([0x89, b'P', b'N', b'G', 0xff, 0xfe])
            .collect();
        body.extend_from_slice(&bytes);
        body.extend_from_slice(b"\r\n--XY--\r\n");
        let v = multipart_fields(&body, "XY");
        assert_eq!(v["photo"]["file_name"], "c.png");
        let back = base64::engine::general_purpose::STANDARD
            .decode(v["photo"]["base64"].as_str().unwrap_or_default())
            .unwrap_or_default();
        assert_eq!(back, bytes);
    }

    #[test]
    fn checks_html_like_telegram() {
        assert_eq!(
            check_html("<b>a &amp; b</b> &lt;x&gt;", Some("HTML")).as_deref(),
            Ok("a & b <x>")
        );
        assert!(check_html("<b>a", Some("HTML")).is_err());
        assert!(check_html("a < b", Some("HTML")).is_err());
        assert!(check_html("a & b", Some("HTML")).is_err());
        assert!(check_html("<x>a</x>", Some("HTML")).is_err());
        assert!(check_html("  ", None).is_err());
        assert!(check_html(&"a".repeat(4097), None).is_err());
    }
}
