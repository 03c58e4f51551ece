//! Webhook mode: Telegram POSTs updates to our HTTP server, proven by its secret-token header.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use sha2::{Digest, Sha256};
use tracing::warn;
use url::Url;

use super::handler::{Handler, Outcome};
use super::updates::RawUpdate;

/// The header Telegram sends with the `secret_token` given to `setWebhook`.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// The route for `webhook_url`: its path, which must not be the site root.
pub fn route_path(webhook_url: &Url) -> anyhow::Result<String> {
    let path = webhook_url.path();
    if path.is_empty() || path == "/" {
        anyhow::bail!(
            "TALLY_TELEGRAM_WEBHOOK_URL needs a path of its own, e.g. https://bot.example.com/telegram/webhook"
        );
    }
    Ok(path.to_owned())
}

/// The secret every instance uses: the configured one, or one derived from the bot token (so all
/// instances with the same token agree without being told). Telegram allows 1–256 characters of
/// `A-Z a-z 0-9 _ -`.
pub fn secret(configured: Option<&str>, token: &str) -> anyhow::Result<String> {
    match configured {
        Some(s) => {
            let ok = (1..=256).contains(&s.len())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !ok {
                anyhow::bail!(
                    "TALLY_TELEGRAM_WEBHOOK_SECRET must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -"
                );
            }
            Ok(s.to_owned())
        }
        None => {
            let digest = Sha256::digest(format!("tally/telegram-webhook/{token}").as_bytes());
            Ok(digest.iter().take(24).map(|b| format!("{b:02x}")).collect())
        }
    }
}

struct Hook {
    handler: Arc<Handler>,
    secret: String,
}

/// A router with one route, `POST path`, to merge into the HTTP server's.
pub fn router(handler: Arc<Handler>, path: &str, secret: String) -> Router {
    Router::new()
        .route(path, post(receive))
        .with_state(Arc::new(Hook { handler, secret }))
}

/// 401 without the right secret; 500 when handling failed on our side (Telegram then delivers
/// the update again later); 200 otherwise, including for an update we can't read (delivering it
/// again would not help).
async fn receive(State(hook): State<Arc<Hook>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !constant_time_eq(given, hook.secret.as_bytes()) {
        warn!("webhook request without the right secret token");
        crate::metrics::error("telegram_webhook_unauthorized");
        return StatusCode::UNAUTHORIZED;
    }
    let raw = RawUpdate::from_bytes(&body);
    match hook.handler.process(&raw).await {
        Outcome::Failed(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::OK,
    }
}

/// Compares without stopping at the first difference, so timing reveals nothing of the secret.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_one_secret_per_token() {
        let a = secret(None, "123:abc").expect("derived");
        assert_eq!(a, secret(None, "123:abc").expect("derived"));
        assert_ne!(a, secret(None, "123:abd").expect("derived"));
        assert_eq!(a.len(), 48);
        assert!(!a.contains("abc"));
        assert_eq!(
            secret(Some("my_Secret-1"), "t").expect("valid"),
            "my_Secret-1"
        );
        assert!(secret(Some("has space"), "t").is_err());
        assert!(secret(Some(&"x".repeat(257)), "t").is_err());
    }

    #[test]
    fn needs_a_path() {
        let url = |s: &str| Url::parse(s).expect("url");
        assert_eq!(
            route_path(&url("https://x.example/tg/hook")).expect("path"),
            "/tg/hook"
        );
        assert!(route_path(&url("https://x.example")).is_err());
        assert!(route_path(&url("https://x.example/")).is_err());
    }

    #[test]
    fn compares_secrets() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
