//! The session cache (issue 19): a token checked a moment ago is not read from the database
//! again, yet on this instance every revocation and account change counts from the very next
//! request; another instance on the same database believes its copy for at most
//! `SESSION_CACHE_TTL`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tally_core::auth::session_cache::SESSION_CACHE_TTL;
use tally_core::auth::sessions;
use tally_core::domain::AccountId;
use tally_core::services::linking;

async fn status(app: &TestApp, token: &str) -> StatusCode {
    app.get(token, "/api/v1/me").await.status()
}

/// Every revocation on this instance refuses the token at once, cached or not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocations_refuse_a_cached_token_at_once() {
    for db in backends("cache_revokes") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let other = app.login("ann", PASSWORD).await;
        // Both sessions are now cached.
        assert_eq!(status(&app, &token).await, StatusCode::OK);
        assert_eq!(status(&app, &other).await, StatusCode::OK);

        let r = app
            .req(Method::POST, "/api/v1/auth/logout", Some(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(status(&app, &token).await, StatusCode::UNAUTHORIZED);
        assert_eq!(status(&app, &other).await, StatusCode::OK);

        let third = app.login("ann", PASSWORD).await;
        assert_eq!(status(&app, &third).await, StatusCode::OK);
        let r = app
            .req(Method::POST, "/api/v1/auth/logout-all", Some(&other))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(status(&app, &other).await, StatusCode::UNAUTHORIZED);
        assert_eq!(status(&app, &third).await, StatusCode::UNAUTHORIZED);

        let fourth = app.login("ann", PASSWORD).await;
        assert_eq!(status(&app, &fourth).await, StatusCode::OK);
        let r = app
            .post(
                &fourth,
                "/api/v1/me/password",
                json!({"current_password": PASSWORD, "new_password": "a brand new secret"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(status(&app, &fourth).await, StatusCode::UNAUTHORIZED);
    }
}

/// New settings apply to the next request, though its token's session was cached before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_changed_apply_to_the_next_request() {
    for db in backends("cache_settings") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let body = json!({"kind": "expense", "amount": "3", "category": "food"});
        let first: Value = app
            .post(&token, "/api/v1/transactions", body.clone())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(first["currency"], "USD");
        let r = app
            .patch(&token, "/api/v1/me", json!({"default_currency": "EUR"}))
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
        let second: Value = app
            .post(&token, "/api/v1/transactions", body)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(second["currency"], "EUR", "{second}");
    }
}

/// An account merged into another (both passwords proven, as the link page does) loses its
/// sessions at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merged_account_s_cached_token_is_refused() {
    for db in backends("cache_merge") {
        let app = TestApp::spawn(db).await;
        let ann = app.user("ann").await;
        let bob = app.user("bob").await;
        let id = |v: Value| AccountId(v["id"].as_i64().unwrap());
        let ann_id = id(app.get(&ann, "/api/v1/me").await.json().await.unwrap());
        let bob_id = id(app.get(&bob, "/api/v1/me").await.json().await.unwrap());
        assert_eq!(status(&app, &bob).await, StatusCode::OK);
        let now = app.tally.now();
        app.tally
            .db()
            .write(move |c| linking::merge(c, ann_id, bob_id, linking::Passwords::BothProven, now))
            .await
            .unwrap();
        assert_eq!(status(&app, &bob).await, StatusCode::UNAUTHORIZED);
        assert_eq!(status(&app, &ann).await, StatusCode::OK);
    }
}

/// Another instance on the same database keeps believing its cached copy of a token that this
/// one revoked, but only until the copy is `SESSION_CACHE_TTL` old; then it reads again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_instance_learns_of_a_logout_within_the_cache_s_lifetime() {
    for db in backends("cache_other_instance") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let second = tally_core::Tally::builder(
            tally_core::db::Db::connect(&app.db.url, 2).unwrap(),
            tally_core::Settings::default(),
        )
        .clock(app.clock.clone())
        .build();
        // The second instance shares the signing secret through the database.
        assert!(sessions::session(&second, &token).await.is_ok());

        let r = app
            .req(Method::POST, "/api/v1/auth/logout", Some(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(status(&app, &token).await, StatusCode::UNAUTHORIZED);

        // Still cached over there, for less than the cache's lifetime...
        app.clock
            .advance(SESSION_CACHE_TTL - chrono::Duration::milliseconds(1));
        assert!(sessions::session(&second, &token).await.is_ok());
        // ...and refused once that has passed.
        app.clock.advance(chrono::Duration::milliseconds(1));
        assert!(sessions::session(&second, &token).await.is_err());
    }
}

/// A cached token still expires on time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cached_token_expires_on_time() {
    for db in backends("cache_expiry") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        assert_eq!(status(&app, &token).await, StatusCode::OK);
        // One hour lifetime; within the cache's lifetime of the last check.
        app.clock
            .advance(chrono::Duration::hours(1) - chrono::Duration::milliseconds(500));
        assert_eq!(status(&app, &token).await, StatusCode::OK);
        app.clock.advance(chrono::Duration::milliseconds(1000));
        let r = app.get(&token, "/api/v1/me").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("expired"),
            "{body}"
        );
    }
}
