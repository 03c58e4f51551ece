//! `GET/POST /link`: the small server-rendered page a `/login` link opens. No JavaScript;
//! everything shown is HTML-escaped; the token travels in the form, never in logs.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde::Deserialize;
use tally_core::auth::link::{self, DeadLink, LinkFailure, Linked, Ticket};
use tally_core::auth::sessions::SignUp;
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
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}\
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}label{display:block;margin:.6rem 0 .2rem}\
input{width:100%;padding:.4rem;box-sizing:border-box}button{margin-top:.8rem;padding:.5rem 1rem}\
.error{background:#fde8e8;border:1px solid #e0a0a0;padding:.6rem}.ok{background:#e8f6e8;border:1px solid #9c9;padding:.6rem}\
.muted{color:#666;font-size:.9rem}";

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

fn platform_name(t: &Ticket) -> &'static str {
    match t.platform.as_str() {
        "telegram" => "Telegram",
        "discord" => "Discord",
        "console" => "the console",
        _ => "the app",
    }
}

/// The two forms (or one, when the chat's account already has a login).
fn forms(ticket: &Ticket, token: &str, error: Option<&str>, username: &str) -> String {
    let mut out = format!(
        "<h1>Connect your {} chat</h1>\n<p>This link is for <strong>{}</strong> on {}. \
         Your chat and the app will share one account and one ledger.</p>\n",
        platform_name(ticket),
        text(&ticket.display_name),
        platform_name(ticket),
    );
    if let Some(e) = error {
        out.push_str(&format!("<p class=\"error\">{}</p>\n", text(e)));
    }
    let token = attr(token);
    let name = attr(username);
    if ticket.account.has_password {
        out.push_str(&format!(
            "<p>This chat already logs in as <strong>{}</strong>.</p>\n",
            text(ticket.account.username.as_deref().unwrap_or(""))
        ));
    } else {
        out.push_str(&format!(
            "<h2>New here? Choose a username and password</h2>\n\
             <form method=\"post\" action=\"/link\">\
             <input type=\"hidden\" name=\"token\" value=\"{token}\">\
             <input type=\"hidden\" name=\"action\" value=\"create\">\
             <label for=\"c-user\">Username (3–32 letters, digits, _ or .)</label>\
             <input id=\"c-user\" name=\"username\" value=\"{name}\" required minlength=\"3\" maxlength=\"32\" autocomplete=\"username\">\
             <label for=\"c-pass\">Password (at least 10 characters)</label>\
             <input id=\"c-pass\" type=\"password\" name=\"password\" required minlength=\"10\" autocomplete=\"new-password\">\
             <label for=\"c-mail\">E-mail (optional)</label>\
             <input id=\"c-mail\" type=\"email\" name=\"email\" autocomplete=\"email\">\
             <button type=\"submit\">Create my login</button></form>\n"
        ));
    }
    out.push_str(&format!(
        "<h2>Already have a Tally account? Log in</h2>\n\
         <p class=\"muted\">This chat, and everything recorded in it, joins that account.</p>\
         <form method=\"post\" action=\"/link\">\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <input type=\"hidden\" name=\"action\" value=\"login\">\
         <label for=\"l-user\">Username</label>\
         <input id=\"l-user\" name=\"username\" value=\"{name}\" required autocomplete=\"username\">\
         <label for=\"l-pass\">Password</label>\
         <input id=\"l-pass\" type=\"password\" name=\"password\" required autocomplete=\"current-password\">\
         <button type=\"submit\">Log in and connect</button></form>\n"
    ));
    out
}

pub async fn show(State(tally): State<Tally>, ApiQuery(q): ApiQuery<LinkQuery>) -> Response {
    let Some(token) = q.token.filter(|t| !t.trim().is_empty()) else {
        return dead(DeadLink::Invalid);
    };
    match link::open(&tally, &token).await {
        Ok(ticket) => page(
            StatusCode::OK,
            "Connect your chat",
            &forms(&ticket, &token, None, ""),
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

fn done(linked: &Linked) -> Response {
    let body = match linked {
        Linked::Created(account) => format!(
            "<h1>All set</h1>\n<p class=\"ok\">Your login is <strong>{}</strong>. Use it in the app; \
             your chat and the app now share one ledger.</p>",
            text(account.username.as_deref().unwrap_or(""))
        ),
        Linked::Merged(m) => format!(
            "<h1>Connected</h1>\n<p class=\"ok\">Your chat now belongs to <strong>{}</strong>. \
             {} {} moved over; nothing was lost.</p>",
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
    page(StatusCode::OK, "Connected", &body)
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
    } = form;
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
        "login" => link::log_in(&tally, &token, &username, password, address).await,
        _ => Err(LinkFailure::Dead(DeadLink::Invalid)),
    };
    match result {
        Ok(linked) => {
            tracing::info!("chat identity linked through the web page");
            done(&linked)
        }
        Err(LinkFailure::Dead(reason)) => dead(reason),
        Err(LinkFailure::Form(e)) if e.kind() == ErrorKind::Internal => internal(&e),
        Err(LinkFailure::Form(e)) => {
            let (status, _) = super::error::status_of(&e);
            // The form again, with what went wrong; the ticket is re-read so it reflects now.
            let mut response = match link::open(&tally, &token).await {
                Ok(ticket) => page(
                    status,
                    "Connect your chat",
                    &forms(&ticket, &token, Some(&e.user_message()), &username),
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
