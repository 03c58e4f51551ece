//! `GET/POST /link`: the small server-rendered page a `/login` link opens. No JavaScript;
//! everything shown is HTML-escaped; the token travels in the form, never in logs. It says whose
//! chat the link is for before anything happens, and each form shows its own errors.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde::Deserialize;
use tally_core::auth::link::{self, DeadLink, LinkFailure, Linked, Ticket};
use tally_core::auth::sessions::SignUp;
use tally_core::domain::Platform;
use tally_core::{Error, ErrorKind, Tally};

use super::extract::{ApiQuery, ClientAddress};

#[derive(Deserialize)]
pub struct LinkQuery {
    pub token: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct LinkForm {
    #[serde(default)]
    pub token: String,
    /// `create` (a login for this chat's account) or `login` (join an existing account).
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub email: String,
    /// The chat's own password, when its account has a login too (both must agree to merge).
    #[serde(default)]
    pub chat_password: String,
}

/// 16 px text everywhere (phones zoom into smaller inputs) and 44 px touch targets; long
/// addresses in `code` break rather than widen the page past a phone's screen.
const STYLE: &str = "html{font-size:16px}body{font-family:system-ui,sans-serif;font-size:1rem;max-width:34rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}label{display:block;margin:.8rem 0 .2rem}\
input,button{font:inherit;font-size:1rem;min-height:44px;box-sizing:border-box}\
input{width:100%;padding:.5rem .6rem}button{margin-top:1rem;padding:.6rem 1.2rem;min-width:44px;cursor:pointer}\
a{display:inline-block;min-height:44px;line-height:44px}\
.error{background:#fde8e8;border:1px solid #e0a0a0;padding:.6rem}.ok{background:#e8f6e8;border:1px solid #9c9;padding:.6rem}\
.muted{color:#555}code{overflow-wrap:anywhere}";

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{} · Tally</title><style>{STYLE}</style></head><body>\n{body}\n</body></html>\n",
        text(title)
    );
    let mut response = (status, Html(html)).into_response();
    let h = response.headers_mut();
    // The token is in the address: keep it out of caches, referrers and frames.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    response
}

fn dead(reason: DeadLink) -> Response {
    let status = match reason {
        DeadLink::Expired | DeadLink::Used => StatusCode::GONE,
        DeadLink::Invalid | DeadLink::Unknown => StatusCode::BAD_REQUEST,
    };
    page(
        status,
        "Link not usable",
        &format!(
            "<h1>This link can't be used</h1>\n<p class=\"error\">{}</p>",
            text(reason.message())
        ),
    )
}

/// How the page names where the link came from: the heading's "your ___" and the sentence's
/// "for NAME ___". Built per platform so no page reads "your the console chat".
fn place(platform: Platform) -> (&'static str, &'static str) {
    match platform {
        Platform::Telegram => ("Telegram chat", "on Telegram"),
        Platform::Discord => ("Discord chat", "on Discord"),
        Platform::Console => ("console chat", "in the console"),
        Platform::Web => ("chat", "in the app"),
    }
}

/// The page's heading, also its title.
fn heading(platform: Platform) -> String {
    format!("Connect your {} to Tally", place(platform).0)
}

/// Which form an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Create,
    Login,
}

/// An error to show inside one form, with the name typed there (the other form stays empty).
struct FormError<'a> {
    which: Which,
    message: &'a str,
    username: &'a str,
}

/// The two forms (or one, when the chat's account already has a login), saying first whose chat
/// the link is for.
fn forms(ticket: &Ticket, token: &str, error: Option<FormError<'_>>) -> String {
    let mut out = format!(
        "<h1>{}</h1>\n<p>This link is for <strong>{}</strong> {}. \
         Your chat and the app will share one account and one ledger.</p>\n",
        text(&heading(ticket.platform)),
        text(&ticket.display_name),
        place(ticket.platform).1,
    );
    let token = attr(token);
    let error_for = |which: Which| match &error {
        Some(e) if e.which == which => (
            format!(
                "<p class=\"error\" id=\"{}-error\" role=\"alert\">{}</p>",
                if which == Which::Create { "c" } else { "l" },
                text(e.message)
            ),
            attr(e.username).into_owned(),
        ),
        _ => (String::new(), String::new()),
    };
    let chat_login = ticket
        .account
        .has_password
        .then(|| ticket.account.username.clone().unwrap_or_default());
    match &chat_login {
        Some(name) => out.push_str(&format!(
            "<p>This chat already logs in as <strong>{}</strong>.</p>\n",
            text(name)
        )),
        None => {
            let (err, name) = error_for(Which::Create);
            out.push_str(&format!(
                "<section id=\"create\"><h2>New here? Choose a username and password</h2>\n{err}\
                 <form method=\"post\" action=\"/link\">\
                 <input type=\"hidden\" name=\"token\" value=\"{token}\">\
                 <input type=\"hidden\" name=\"action\" value=\"create\">\
                 <label for=\"c-user\">Username (3–32 letters, digits, _ or .)</label>\
                 <input id=\"c-user\" name=\"username\" value=\"{name}\" required minlength=\"3\" maxlength=\"32\" autocomplete=\"username\">\
                 <label for=\"c-pass\">Password (at least 10 characters)</label>\
                 <input id=\"c-pass\" type=\"password\" name=\"password\" required minlength=\"10\" autocomplete=\"new-password\">\
                 <label for=\"c-mail\">E-mail (optional)</label>\
                 <input id=\"c-mail\" type=\"email\" name=\"email\" autocomplete=\"email\">\
                 <button type=\"submit\">Create my login</button></form></section>\n"
            ));
        }
    }
    let (err, name) = error_for(Which::Login);
    let chat_field = match &chat_login {
        Some(chat) => format!(
            "<label for=\"l-chat\">This chat's own password (for {}): both accounts must agree</label>\
             <input id=\"l-chat\" type=\"password\" name=\"chat_password\" required autocomplete=\"off\">",
            text(chat)
        ),
        None => String::new(),
    };
    out.push_str(&format!(
        "<section id=\"login\"><h2>Already have a Tally account? Log in</h2>\n\
         <p class=\"muted\">This chat, and everything recorded in it, joins that account.</p>{err}\
         <form method=\"post\" action=\"/link\">\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <input type=\"hidden\" name=\"action\" value=\"login\">\
         <label for=\"l-user\">Username</label>\
         <input id=\"l-user\" name=\"username\" value=\"{name}\" required autocomplete=\"username\">\
         <label for=\"l-pass\">Password</label>\
         <input id=\"l-pass\" type=\"password\" name=\"password\" required autocomplete=\"current-password\">\
         {chat_field}\
         <button type=\"submit\">Log in and connect</button></form></section>\n"
    ));
    out
}

/// What the person should read for an error: a login slow-down as a plain wait in seconds or
/// minutes, never the API's raw "try again in 896 seconds".
fn friendly(e: &Error) -> String {
    match e {
        Error::RateLimited { retry_after_secs } => {
            let secs = (*retry_after_secs).max(1);
            let (n, unit) = if secs < 60 {
                (secs, "second")
            } else {
                (secs.div_ceil(60), "minute")
            };
            format!(
                "Too many wrong tries in a row, so logging in here is paused for your safety. \
                 Try again in {n} {unit}{}.",
                if n == 1 { "" } else { "s" }
            )
        }
        other => other.user_message(),
    }
}

pub async fn show(State(tally): State<Tally>, ApiQuery(q): ApiQuery<LinkQuery>) -> Response {
    let Some(token) = q.token.filter(|t| !t.trim().is_empty()) else {
        return dead(DeadLink::Invalid);
    };
    match link::open(&tally, &token).await {
        Ok(ticket) => page(
            StatusCode::OK,
            &heading(ticket.platform),
            &forms(&ticket, &token, None),
        ),
        Err(LinkFailure::Dead(reason)) => dead(reason),
        Err(LinkFailure::Form(e)) => internal(&e),
    }
}

fn internal(e: &Error) -> Response {
    tracing::error!(error = %e, "link page failed");
    crate::metrics::error("internal");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        &format!(
            "<h1>Something went wrong</h1>\n<p class=\"error\">{}</p>",
            text(&e.user_message())
        ),
    )
}

/// Where to go next: a way back to the chat the link came from (a real link where the platform
/// has an address for it), and where apps and scripts sign in, so the page is not a dead end.
fn next_steps(tally: &Tally, platform: Platform, telegram_bot: Option<&str>) -> String {
    let base = tally.settings().public_url.trim_end_matches('/').to_owned();
    let back = match (platform, telegram_bot) {
        (Platform::Telegram, Some(bot)) => format!(
            "<a id=\"back\" href=\"https://t.me/{}\">Back to Tally on Telegram</a>: everything \
             you record there is in this account.",
            attr(bot)
        ),
        (Platform::Telegram, None) => "Go back to your Telegram chat with Tally: everything you \
             record there is in this account."
            .to_owned(),
        (Platform::Discord, _) => "<a id=\"back\" href=\"https://discord.com/channels/@me\">Back \
             to Discord</a>: everything you record with Tally there is in this account."
            .to_owned(),
        (Platform::Console, _) => "Go back to your terminal: the console chat carries on, and \
             everything you record there is in this account."
            .to_owned(),
        (Platform::Web, _) => "Carry on in your chat: everything you record there is in this \
             account."
            .to_owned(),
    };
    format!(
        "<h2>What next</h2>\n<ul><li>{back}</li>\
         <li>Apps and scripts sign in with your username and password at \
         <code>{b}/api/v1/auth/login</code>; <a id=\"api-docs\" href=\"{b}/api/v1/openapi.json\">the \
         API's description</a> lists the rest.</li></ul>",
        b = attr(&base)
    )
}

fn done(
    tally: &Tally,
    platform: Platform,
    linked: &Linked,
    telegram_bot: Option<&str>,
) -> Response {
    let body = match linked {
        Linked::Created(account) => format!(
            "<h1>All set</h1>\n<p class=\"ok\">Your login is <strong>{}</strong>. \
             Your chat and the app now share one ledger.</p>",
            text(account.username.as_deref().unwrap_or(""))
        ),
        Linked::Merged(m) => format!(
            "<h1>Connected</h1>\n<p class=\"ok\">Your chat now belongs to <strong>{}</strong>. \
             {} {} moved over; nothing was lost. Send /unlink in the chat to undo this.</p>",
            text(m.survivor.username.as_deref().unwrap_or("your account")),
            m.moved_transactions,
            if m.moved_transactions == 1 {
                "entry"
            } else {
                "entries"
            }
        ),
        Linked::Already(account) => format!(
            "<h1>Already connected</h1>\n<p class=\"ok\">This chat already belongs to <strong>{}</strong>. \
             Nothing to do.</p>",
            text(account.username.as_deref().unwrap_or("your account"))
        ),
    };
    let body = format!("{body}\n{}", next_steps(tally, platform, telegram_bot));
    page(StatusCode::OK, "Connected", &body)
}

/// The Telegram bot's username, when the adapter has recorded it.
async fn telegram_bot(tally: &Tally) -> Option<String> {
    tally
        .bot_handle(tally_core::domain::Platform::Telegram)
        .await
        .ok()
        .flatten()
        .and_then(|name| crate::telegram::link_username(&name))
}

pub async fn submit(
    State(tally): State<Tally>,
    ClientAddress(address): ClientAddress,
    form: Result<Form<LinkForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return page(
            StatusCode::BAD_REQUEST,
            "Link not usable",
            "<h1>That didn't work</h1>\n<p class=\"error\">The form didn't arrive in one piece. \
             Go back and try again, or send /login to the bot for a new link.</p>",
        );
    };
    let LinkForm {
        token,
        action,
        username,
        password,
        email,
        chat_password,
    } = form;
    // Which platform the link came from, for the way back; a dead link ends here as it would below.
    let platform = match link::open(&tally, &token).await {
        Ok(ticket) => ticket.platform,
        Err(LinkFailure::Dead(reason)) => return dead(reason),
        Err(LinkFailure::Form(e)) => return internal(&e),
    };
    let which = if action == "create" {
        Which::Create
    } else {
        Which::Login
    };
    let result = match action.as_str() {
        "create" => {
            link::create_login(
                &tally,
                &token,
                SignUp {
                    username: username.clone(),
                    password,
                    email: Some(email),
                },
            )
            .await
        }
        "login" => {
            link::log_in(
                &tally,
                &token,
                &username,
                password,
                Some(chat_password),
                address,
            )
            .await
        }
        _ => Err(LinkFailure::Dead(DeadLink::Invalid)),
    };
    match result {
        Ok(linked) => {
            tracing::info!("chat identity linked through the web page");
            let bot = telegram_bot(&tally).await;
            done(&tally, platform, &linked, bot.as_deref())
        }
        Err(LinkFailure::Dead(reason)) => dead(reason),
        Err(LinkFailure::Form(e)) if e.kind() == ErrorKind::Internal => internal(&e),
        Err(LinkFailure::Form(e)) => {
            let (status, _) = super::error::status_of(&e);
            // The form again, with what went wrong; the ticket is re-read so it reflects now.
            let mut response = match link::open(&tally, &token).await {
                Ok(ticket) => page(
                    status,
                    &heading(ticket.platform),
                    &forms(
                        &ticket,
                        &token,
                        Some(FormError {
                            which,
                            message: &friendly(&e),
                            username: &username,
                        }),
                    ),
                ),
                Err(LinkFailure::Dead(reason)) => return dead(reason),
                Err(LinkFailure::Form(inner)) => return internal(&inner),
            };
            if let Error::RateLimited { retry_after_secs } = e
                && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
            {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
    }
}
