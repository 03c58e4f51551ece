//! A fake Discord on 127.0.0.1: the REST routes serenity calls, and a plain ws:// gateway.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message as WsMessage;

pub const APP_ID: &str = "700000000000000001";
pub const BOT_ID: &str = "700000000000000002";
pub const GUILD_ID: &str = "700000000000000003";
/// Long enough that no test waits for time to pass; only failures hit it.
pub const WAIT: Duration = Duration::from_secs(30);

/// One REST call the client made.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Value,
    /// Files uploaded with it (a multipart body).
    pub files: Vec<UploadedFile>,
}

/// A file's name and bytes.
pub type UploadedFile = (String, Vec<u8>);

#[derive(Default)]
struct State {
    requests: Mutex<Vec<Request>>,
    identifies: Mutex<Vec<Value>>,
    /// Dispatches for the connected gateway session.
    session: Mutex<Option<mpsc::UnboundedSender<String>>>,
    seq: AtomicU64,
    next_id: AtomicU64,
    /// Who `GET /guilds/{GUILD_ID}/members/{user}` finds: user id and member object.
    members: Mutex<Vec<(String, Value)>>,
}

pub struct FakeDiscord {
    /// The REST base, as `TALLY_DISCORD_API_URL` takes it.
    pub url: String,
    pub gateway_url: String,
    state: Arc<State>,
    changed: watch::Receiver<u64>,
    notify: Arc<watch::Sender<u64>>,
}

fn bot_user() -> Value {
    json!({"id": BOT_ID, "username": "tally", "discriminator": "0", "global_name": "Tally", "bot": true, "avatar": null})
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        let rest = TcpListener::bind("127.0.0.1:0").await.expect("bind rest");
        let gateway = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway");
        let rest_addr: SocketAddr = rest.local_addr().expect("addr");
        let gateway_url = format!("ws://{}", gateway.local_addr().expect("addr"));
        let state = Arc::new(State {
            next_id: AtomicU64::new(800_000_000_000_000_000),
            ..State::default()
        });
        let (tx, rx) = watch::channel(0u64);
        let notify = Arc::new(tx);
        {
            let state = state.clone();
            let notify = notify.clone();
            let gateway_url = gateway_url.clone();
            let app = axum::Router::new().fallback(move |method: Method, uri: Uri, body: Bytes| {
                let state = state.clone();
                let notify = notify.clone();
                let gateway_url = gateway_url.clone();
                async move { rest_call(&state, &notify, &gateway_url, method, uri, body) }
            });
            tokio::spawn(async move {
                let _ = axum::serve(rest, app).await;
            });
        }
        {
            let state = state.clone();
            let notify = notify.clone();
            let gateway_url = gateway_url.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = gateway.accept().await {
                    let state = state.clone();
                    let notify = notify.clone();
                    let gateway_url = gateway_url.clone();
                    tokio::spawn(async move {
                        gateway_session(stream, state, notify, gateway_url).await;
                    });
                }
            });
        }
        FakeDiscord {
            url: format!("http://{rest_addr}"),
            gateway_url,
            state,
            changed: rx,
            notify,
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.requests.lock().expect("lock").clone()
    }

    pub fn identifies(&self) -> Vec<Value> {
        self.state.identifies.lock().expect("lock").clone()
    }

    /// Waits (up to [`WAIT`]) until `check` finds something among what was recorded.
    pub async fn wait<T>(&self, what: &str, mut check: impl FnMut(&FakeDiscord) -> Option<T>) -> T {
        let mut changed = self.changed.clone();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            changed.borrow_and_update();
            if let Some(found) = check(self) {
                return found;
            }
            match tokio::time::timeout_at(deadline, changed.changed()).await {
                Ok(Ok(())) => {}
                _ => panic!(
                    "timed out waiting for {what}; requests so far:\n{:#?}",
                    self.requests()
                ),
            }
        }
    }

    /// The first request matching `f`.
    pub async fn request(&self, what: &str, f: impl Fn(&Request) -> bool) -> Request {
        self.wait(what, |fake| fake.requests().into_iter().find(|r| f(r)))
            .await
    }

    /// The (first) interaction callback for interaction `id`.
    pub async fn callback(&self, id: u64) -> Value {
        let prefix = format!("/api/v10/interactions/{id}/");
        self.request(&format!("the callback for interaction {id}"), |r| {
            r.method == "POST" && r.path.starts_with(&prefix) && r.path.ends_with("/callback")
        })
        .await
        .body
    }

    pub fn callbacks(&self, id: u64) -> usize {
        let prefix = format!("/api/v10/interactions/{id}/");
        self.requests()
            .iter()
            .filter(|r| r.path.starts_with(&prefix))
            .count()
    }

    /// Requests made with interaction `id`'s token (edits and follow-ups), in order.
    pub fn webhook_calls(&self, id: u64) -> Vec<Request> {
        let token = token(id);
        self.requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/api/v10/webhooks/") && r.path.contains(&token))
            .collect()
    }

    /// Resolves once the client has identified and registered its commands.
    pub async fn ready(&self) -> Request {
        self.request("command registration", |r| {
            r.method == "PUT" && r.path.ends_with("/commands")
        })
        .await
    }

    /// Sends a gateway dispatch (`t` with data `d`) to the connected client.
    pub async fn dispatch(&self, t: &str, d: Value) {
        let sender = self
            .wait("a gateway session", |fake| {
                fake.state.session.lock().expect("lock").clone()
            })
            .await;
        let s = self.state.seq.fetch_add(1, Ordering::SeqCst) + 2;
        let frame = json!({"op": 0, "t": t, "s": s, "d": d}).to_string();
        sender.send(frame).expect("gateway session open");
    }

    pub async fn interaction(&self, d: Value) {
        self.dispatch("INTERACTION_CREATE", d).await;
    }

    /// Records a change for waiters (used by the REST handler and the gateway).
    fn bump(notify: &watch::Sender<u64>) {
        notify.send_modify(|n| *n += 1);
    }

    /// Makes `who` a member of the server (as `GET …/members/{id}` answers), or not.
    pub fn set_member(&self, who: &Person, present: bool) {
        let id = who.id.to_string();
        let mut members = self.state.members.lock().expect("lock");
        members.retain(|(m, _)| *m != id);
        if present {
            members.push((id, who.member()));
        }
    }

    pub fn touch(&self) {
        FakeDiscord::bump(&self.notify);
    }
}

pub fn token(id: u64) -> String {
    format!("token-{id}")
}

fn next_id(state: &State) -> String {
    state.next_id.fetch_add(1, Ordering::SeqCst).to_string()
}

fn message(state: &State, channel_id: &str, body: &Value) -> Value {
    json!({
        "id": next_id(state),
        "channel_id": channel_id,
        "author": bot_user(),
        "content": body.get("content").cloned().unwrap_or(json!("")),
        "timestamp": "2026-11-24T12:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
        "webhook_id": null,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A `multipart/form-data` body as serenity sends uploads: `payload_json` is the body, the
/// `files[n]` parts the files. The boundary is the body's first line.
fn multipart(body: &[u8]) -> Option<(Value, Vec<UploadedFile>)> {
    let first_line = find(body, b"\r\n")?;
    let delimiter = body[..first_line].to_vec();
    let mut payload = Value::Null;
    let mut files = Vec::new();
    let mut rest = &body[first_line + 2..];
    while let Some(end) = find(rest, &delimiter) {
        let part = &rest[..end];
        rest = &rest[end + delimiter.len()..];
        let rest_of_line = find(rest, b"\r\n").map_or(rest.len(), |i| i + 2);
        rest = &rest[rest_of_line.min(rest.len())..];
        let Some(head_end) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..head_end]).to_string();
        let value = &part[head_end + 4..];
        let value = value.strip_suffix(b"\r\n").unwrap_or(value);
        if head.contains("name=\"payload_json\"") {
            payload = serde_json::from_slice(value).unwrap_or(Value::Null);
        } else if let Some(name) = head
            .split("filename=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
        {
            files.push((name.to_owned(), value.to_vec()));
        }
    }
    Some((payload, files))
}

fn rest_call(
    state: &State,
    notify: &watch::Sender<u64>,
    gateway_url: &str,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let (body, files) = match serde_json::from_slice::<Value>(&body) {
        Ok(v) => (v, Vec::new()),
        Err(_) => multipart(&body).unwrap_or((Value::Null, Vec::new())),
    };
    state.requests.lock().expect("lock").push(Request {
        method: method.to_string(),
        path: path.clone(),
        body: body.clone(),
        files,
    });
    FakeDiscord::bump(notify);
    let segments: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    let ok = |v: Value| (StatusCode::OK, axum::Json(v)).into_response();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["gateway"]) => ok(json!({"url": gateway_url})),
        ("GET", ["gateway", "bot"]) => ok(json!({
            "url": gateway_url,
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        })),
        ("GET", ["users", "@me"]) => ok(bot_user()),
        // Every channel is a text channel of the one server.
        ("GET", ["channels", id]) => ok(json!({
            "id": id, "type": 0, "guild_id": GUILD_ID, "name": "household", "position": 0,
        })),
        ("GET", ["guilds", guild, "members", user]) => {
            let found = (*guild == GUILD_ID)
                .then(|| {
                    let members = state.members.lock().expect("lock");
                    members
                        .iter()
                        .find(|(m, _)| m == user)
                        .map(|(_, v)| v.clone())
                })
                .flatten();
            match found {
                Some(member) => ok(member),
                None => (
                    StatusCode::NOT_FOUND,
                    axum::Json(json!({"message": "Unknown Member", "code": 10007})),
                )
                    .into_response(),
            }
        }
        ("GET", ["oauth2", "applications", "@me"]) => ok(json!({
            "id": APP_ID, "name": "Tally", "description": "", "bot_public": true,
            "bot_require_code_grant": false, "verify_key": "", "flags": 0, "icon": null,
            "owner": bot_user(), "team": null, "summary": "", "rpc_origins": []
        })),
        ("PUT", ["applications", _, "commands"] | ["applications", _, "guilds", _, "commands"]) => {
            let commands: Vec<Value> = body
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|mut c| {
                    c["id"] = json!(next_id(state));
                    c["application_id"] = json!(APP_ID);
                    c["version"] = json!("1");
                    if c.get("type").is_none() {
                        c["type"] = json!(1);
                    }
                    c
                })
                .collect();
            ok(Value::Array(commands))
        }
        ("POST", ["interactions", _, _, "callback"]) => StatusCode::NO_CONTENT.into_response(),
        // A real channel id: serenity refuses a message whose ids are 0.
        ("PATCH", ["webhooks", _, _, "messages", _]) => ok(message(state, "1", &body)),
        ("POST", ["webhooks", _, _]) => ok(message(state, "1", &body)),
        ("POST", ["channels", channel, "messages"]) => ok(message(state, channel, &body)),
        ("POST", ["users", "@me", "channels"]) => {
            let user = body["recipient_id"].as_str().unwrap_or("0").to_owned();
            ok(json!({
                "id": format!("9{}", &user[1..]),
                "type": 1,
                "recipients": [{"id": user, "username": "someone", "discriminator": "0", "avatar": null}],
                "last_message_id": null,
            }))
        }
        ("POST", ["channels", _, "typing"]) | ("DELETE", _) => {
            StatusCode::NO_CONTENT.into_response()
        }
        _ => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"message": "Unknown route in the fake", "code": 0})),
        )
            .into_response(),
    }
}

async fn gateway_session(
    stream: tokio::net::TcpStream,
    state: Arc<State>,
    notify: Arc<watch::Sender<u64>>,
    gateway_url: String,
) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = ws.split();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}}).to_string();
    if sink.send(WsMessage::text(hello)).await.is_err() {
        return;
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    loop {
        tokio::select! {
            frame = source.next() => {
                let Some(Ok(frame)) = frame else { break };
                let WsMessage::Text(text) = frame else { continue };
                let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                let reply = match v["op"].as_u64() {
                    Some(1) => Some(json!({"op": 11})),
                    Some(2) => {
                        let shard = v["d"]["shard"].clone();
                        state.identifies.lock().expect("lock").push(v["d"].clone());
                        *state.session.lock().expect("lock") = Some(tx.clone());
                        FakeDiscord::bump(&notify);
                        Some(json!({"op": 0, "t": "READY", "s": 1, "d": {
                            "v": 10,
                            "user": bot_user(),
                            "guilds": [],
                            "session_id": "fake-session",
                            "resume_gateway_url": gateway_url,
                            "shard": shard,
                            "application": {"id": APP_ID, "flags": 0},
                        }}))
                    }
                    Some(6) => {
                        *state.session.lock().expect("lock") = Some(tx.clone());
                        FakeDiscord::bump(&notify);
                        Some(json!({"op": 0, "t": "RESUMED", "s": 1, "d": {}}))
                    }
                    _ => None,
                };
                if let Some(r) = reply
                    && sink.send(WsMessage::text(r.to_string())).await.is_err()
                {
                    break;
                }
            }
            out = rx.recv() => {
                let Some(out) = out else { break };
                if sink.send(WsMessage::text(out)).await.is_err() {
                    break;
                }
            }
        }
    }
}

// ---- payloads ----

/// A Discord user as the tests play them.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: u64,
    pub username: &'static str,
    pub nick: Option<&'static str>,
    /// Computed channel permissions (a decimal bit set); 16 is Manage Channels.
    pub permissions: &'static str,
}

impl Person {
    pub fn user(&self) -> Value {
        json!({"id": self.id.to_string(), "username": self.username, "discriminator": "0",
               "global_name": null, "avatar": null})
    }

    pub fn member(&self) -> Value {
        json!({"user": self.user(), "nick": self.nick, "roles": [], "joined_at": "2026-01-01T00:00:00Z",
               "deaf": false, "mute": false, "flags": 0, "permissions": self.permissions})
    }
}

/// A server admin (she may manage channels, so she can switch a budget channel on).
pub const ANA: Person = Person {
    id: 600000000000000001,
    username: "ana",
    nick: Some("Ana the Admin"),
    permissions: "16",
};

/// A plain member of the server.
pub const BEN: Person = Person {
    id: 600000000000000002,
    username: "ben",
    nick: None,
    permissions: "1024",
};

/// A direct-message channel with the bot.
pub const DM: Place = Place::Dm {
    channel: 610000000000000001,
};

/// Where an interaction happens.
#[derive(Debug, Clone, Copy)]
pub enum Place {
    Dm { channel: u64 },
    Guild { channel: u64 },
}

fn base(id: u64, kind: u8, who: &Person, place: Place, data: Value) -> Value {
    let mut d = json!({
        "id": id.to_string(),
        "application_id": APP_ID,
        "type": kind,
        "token": token(id),
        "version": 1,
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 8388608,
        "app_permissions": "0",
        "data": data,
    });
    match place {
        Place::Dm { channel } => {
            d["channel_id"] = json!(channel.to_string());
            d["channel"] = json!({"id": channel.to_string(), "type": 1});
            d["user"] = who.user();
            d["context"] = json!(1);
        }
        Place::Guild { channel } => {
            d["channel_id"] = json!(channel.to_string());
            d["channel"] = json!({"id": channel.to_string(), "type": 0, "name": "household"});
            d["guild_id"] = json!(GUILD_ID);
            d["member"] = who.member();
            d["context"] = json!(0);
        }
    }
    d
}

/// A slash command (interaction type 2) with already-shaped `options`.
pub fn command(id: u64, who: &Person, place: Place, name: &str, options: Value) -> Value {
    base(
        id,
        2,
        who,
        place,
        json!({"id": "900", "name": name, "type": 1, "options": options}),
    )
}

/// String options, in the given order.
pub fn strings(pairs: &[(&str, &str)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| json!({"name": k, "type": 3, "value": v}))
            .collect(),
    )
}

/// A subcommand with string options.
pub fn sub(name: &str, pairs: &[(&str, &str)]) -> Value {
    json!([{"name": name, "type": 1, "options": strings(pairs)}])
}

/// An autocomplete request (type 4) with `focused` being typed.
pub fn autocomplete(id: u64, who: &Person, place: Place, name: &str, options: Value) -> Value {
    base(
        id,
        4,
        who,
        place,
        json!({"id": "900", "name": name, "type": 1, "options": options}),
    )
}

/// A button press (type 3) on a message the bot sent.
pub fn button(id: u64, who: &Person, place: Place, custom_id: &str) -> Value {
    component(
        id,
        who,
        place,
        json!({"custom_id": custom_id, "component_type": 2}),
    )
}

/// A choice in a string select menu.
pub fn select(id: u64, who: &Person, place: Place, custom_id: &str, value: &str) -> Value {
    component(
        id,
        who,
        place,
        json!({"custom_id": custom_id, "component_type": 3, "values": [value]}),
    )
}

fn component(id: u64, who: &Person, place: Place, data: Value) -> Value {
    let mut d = base(id, 3, who, place, data);
    let channel = d["channel_id"].clone();
    d["message"] = json!({
        "id": "810000000000000001",
        "channel_id": channel,
        "author": bot_user(),
        "content": "an earlier answer",
        "timestamp": "2026-11-24T12:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
    });
    d
}

/// A message in a DM channel with the bot (MESSAGE_CREATE data).
pub fn dm_message(id: u64, author: &Person, channel: u64, content: &str, bot: bool) -> Value {
    let mut user = author.user();
    user["bot"] = json!(bot);
    json!({
        "id": id.to_string(),
        "channel_id": channel.to_string(),
        "author": user,
        "content": content,
        "timestamp": "2026-11-24T12:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
    })
}
