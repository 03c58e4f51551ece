//! Log lines, at the most verbose level of Tally's own crates, never carry a password, a hash, a
//! token or a link code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::support::*;
use serde_json::{Value, json};
use tally_core::domain::Platform;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_stay_out_of_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "info,tally_core=trace,tally_bot=trace",
        ))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let app = TestApp::spawn(backends("logs").remove(0)).await;
    let token = app.user("ann").await;
    app.login_raw("ann", "a wrong password here").await;
    app.post(
        &token,
        "/api/v1/me/password",
        json!({"current_password": PASSWORD, "new_password": "second long secret"}),
    )
    .await;
    let token = app.login("ann", "second long secret").await;
    let code: Value = app
        .post(&token, "/api/v1/link-codes", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let code = code["code"].as_str().unwrap().to_owned();
    app.chat(Platform::Telegram, "1", &format!("/link {code}"))
        .await;
    let reply = app.chat(Platform::Discord, "2", "/login").await;
    let link_token = token_in(&reply);
    app.client
        .get(app.url(&format!("/link?token={link_token}")))
        .send()
        .await
        .unwrap();
    app.client
        .post(app.url("/link"))
        .form(&[
            ("token", link_token.as_str()),
            ("action", "login"),
            ("username", "ann"),
            ("password", "second long secret"),
        ])
        .send()
        .await
        .unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("served"), "the request log is there");
    assert!(logs.contains("accounts merged"));
    for secret in [
        PASSWORD,
        "second long secret",
        "a wrong password here",
        &token,
        &link_token,
        &code,
        "$2b$",
    ] {
        assert!(!logs.contains(secret), "{secret} leaked into the logs");
    }
}
