//! Accounts and sessions over HTTP: sign-up, login, token rejections, logout, lockout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_support;

use api_support::*;
use base64::Engine as _;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tally_core::domain::Platform;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_logs_in_and_never_shows_the_password() {
    for db in backends("registers_logs_in") {
        let app = TestApp::spawn(db).await;
        let r = app
            .register_raw(
                json!({"username": "Ann.Lee", "password": PASSWORD, "email": "ann@example.com"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let text = r.text().await.unwrap();
        assert_no_secrets(&text);
        let account: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(account["username"], "Ann.Lee");
        assert_eq!(account["email"], "ann@example.com");
        assert_eq!(account["timezone"], "UTC");
        assert_eq!(account["default_currency"], "USD");
        assert!(account["id"].as_i64().is_some());
        assert!(
            account["created_at"]
                .as_str()
                .unwrap()
                .starts_with("2026-11-24T12:00:00")
        );
        assert!(account.get("password").is_none() && account.get("password_hash").is_none());

        // Usernames are matched without regard to case.
        let r = app.login_raw("ann.lee", PASSWORD).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["cache-control"], "no-store");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["token_type"], "bearer");
        assert_eq!(body["expires_in"], 3600);
        let token = body["access_token"].as_str().unwrap();

        let me = app.get(token, "/api/v1/me").await;
        assert_eq!(me.status(), StatusCode::OK);
        let text = me.text().await.unwrap();
        assert_no_secrets(&text);
        let me: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(me["id"], account["id"]);
        assert_eq!(me["identities"][0]["platform"], "web");

        // The OAuth2 password form works too.
        let r = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .form(&[
                ("grant_type", "password"),
                ("username", "ANN.LEE"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert!(body["access_token"].as_str().is_some());

        // PATCH /me changes settings.
        let r = app
            .patch(token, "/api/v1/me", json!({"timezone": "Europe/Berlin", "default_currency": "eur", "date_order": "dmy"}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let text = r.text().await.unwrap();
        assert_no_secrets(&text);
        let me: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(me["timezone"], "Europe/Berlin");
        assert_eq!(me["default_currency"], "EUR");
        assert_eq!(me["date_order"], "dmy");
        let r = app
            .patch(token, "/api/v1/me", json!({"timezone": "Mars/Base"}))
            .await;
        assert_eq!(
            error_of(r).await,
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid".into(),
                Some("timezone".into())
            )
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_is_validated() {
    for db in backends("registration_is_validated") {
        let app = TestApp::spawn(db).await;
        app.register("taken_name").await;
        for (body, status, field) in [
            (
                json!({"username": "ann", "password": "short"}),
                422,
                Some("password"),
            ),
            (
                json!({"username": "a", "password": PASSWORD}),
                422,
                Some("username"),
            ),
            (
                json!({"username": "ann lee", "password": PASSWORD}),
                422,
                Some("username"),
            ),
            (json!({"password": PASSWORD}), 422, Some("username")),
            (json!({"username": "ann"}), 422, Some("password")),
            (
                json!({"username": "ann", "password": PASSWORD, "email": "nope"}),
                422,
                Some("email"),
            ),
            (
                json!({"username": "TAKEN_NAME", "password": PASSWORD}),
                409,
                None,
            ),
        ] {
            let r = app.register_raw(body.clone()).await;
            let (s, _, f) = error_of(r).await;
            assert_eq!(s.as_u16(), status, "{body}");
            assert_eq!(f.as_deref(), field, "{body}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_character_of_a_long_password_counts() {
    for db in backends("long_password") {
        let app = TestApp::spawn(db).await;
        let long = format!("{}-tail-one", "x".repeat(90));
        let r = app
            .register_raw(json!({"username": "longpw", "password": long}))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let other = format!("{}-tail-two", "x".repeat(90));
        assert_eq!(
            app.login_raw("longpw", &other).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.login_raw("longpw", &long).await.status(),
            StatusCode::OK
        );
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tokens_are_refused_with_401() {
    for db in backends("bad_tokens") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let victim: Value = app.register("bob").await;
        assert_eq!(app.get(&token, "/api/v1/me").await.status(), StatusCode::OK);

        let no_header = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(no_header.headers()["www-authenticate"], "Bearer");
        assert_eq!(error_of(no_header).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(
            error_of(app.get("garbage", "/api/v1/me").await).await.0,
            StatusCode::UNAUTHORIZED
        );

        // Tampered: another account's id in the payload, the old signature.
        let parts: Vec<&str> = token.split('.').collect();
        let mut claims: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(parts[1])
                .unwrap(),
        )
        .unwrap();
        claims["sub"] = json!(victim["id"].as_i64().unwrap().to_string());
        let tampered = format!(
            "{}.{}.{}",
            parts[0],
            b64(claims.to_string().as_bytes()),
            parts[2]
        );
        assert_eq!(
            error_of(app.get(&tampered, "/api/v1/me").await).await.0,
            StatusCode::UNAUTHORIZED
        );

        // alg: none, with and without a signature.
        let none_header = b64(br#"{"alg":"none","typ":"JWT"}"#);
        for unsigned in [
            format!("{none_header}.{}.", b64(claims.to_string().as_bytes())),
            format!("{none_header}.{}.{}", parts[1], parts[2]),
        ] {
            assert_eq!(
                error_of(app.get(&unsigned, "/api/v1/me").await).await.0,
                StatusCode::UNAUTHORIZED
            );
        }

        // Wrong purpose: a link token from /login is not an access token.
        let reply = app.chat(Platform::Telegram, "555", "/login").await;
        let link_token = token_in(&reply);
        let r = app.get(&link_token, "/api/v1/me").await;
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("can't be used here"),
            "{body}"
        );

        // Expired: the clock passes the hour.
        app.clock.advance(Duration::minutes(60));
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_and_password_change_revoke() {
    for db in backends("logout_revokes") {
        let app = TestApp::spawn(db).await;
        let first = app.user("ann").await;
        let second = app.login("ann", PASSWORD).await;

        // Logging out ends that session only.
        let r = app
            .req(reqwest::Method::POST, "/api/v1/auth/logout", Some(&first))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = app.get(&first, "/api/v1/me").await;
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"]["message"].as_str().unwrap().contains("ended"),
            "{body}"
        );
        assert_eq!(
            app.get(&second, "/api/v1/me").await.status(),
            StatusCode::OK
        );

        // Everywhere: every token of the account.
        let third = app.login("ann", PASSWORD).await;
        let r = app
            .req(
                reqwest::Method::POST,
                "/api/v1/auth/logout-all",
                Some(&second),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            app.get(&second, "/api/v1/me").await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.get(&third, "/api/v1/me").await.status(),
            StatusCode::UNAUTHORIZED
        );

        // A password change checks the current one, ends old sessions, and hands a new token.
        let token = app.login("ann", PASSWORD).await;
        let r = app
            .post(&token, "/api/v1/me/password", json!({"current_password": "wrong wrong wrong", "new_password": "a brand new secret"}))
            .await;
        assert_eq!(
            error_of(r).await,
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid".into(),
                Some("current_password".into())
            )
        );
        let r = app
            .post(
                &token,
                "/api/v1/me/password",
                json!({"current_password": PASSWORD, "new_password": "short"}),
            )
            .await;
        assert_eq!(error_of(r).await.2.as_deref(), Some("new_password"));
        let r = app
            .post(
                &token,
                "/api/v1/me/password",
                json!({"current_password": PASSWORD, "new_password": "a brand new secret"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let text = r.text().await.unwrap();
        assert_no_secrets(&text);
        assert!(!text.contains("a brand new secret"));
        let fresh = serde_json::from_str::<Value>(&text).unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            app.get(&token, "/api/v1/me").await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(app.get(&fresh, "/api/v1/me").await.status(), StatusCode::OK);
        assert_eq!(
            app.login_raw("ann", PASSWORD).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.login_raw("ann", "a brand new secret").await.status(),
            StatusCode::OK
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_failures_lock_a_username_until_the_window_passes() {
    for db in backends("lockout") {
        let app = TestApp::spawn(db).await;
        app.register("ann").await;
        // Unknown names and wrong passwords read the same.
        let unknown = app.login_raw("nobody_here", "whatever it is").await;
        let wrong = app.login_raw("ann", "not the password").await;
        let (s1, c1, _) = error_of(unknown).await;
        let wrong_body = (wrong.status(), wrong.text().await.unwrap());
        assert_eq!(
            (s1, c1.as_str()),
            (StatusCode::UNAUTHORIZED, "unauthorized")
        );
        assert_eq!(wrong_body.0, StatusCode::UNAUTHORIZED);
        assert!(wrong_body.1.contains("Wrong username or password."));
        for _ in 0..4 {
            app.clock.advance(Duration::minutes(1));
            assert_eq!(
                app.login_raw("ann", "not the password").await.status(),
                StatusCode::UNAUTHORIZED
            );
        }
        // Five failures within 15 minutes: now even the right password gets 429.
        let r = app.login_raw("ANN", PASSWORD).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: i64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        // The first failure was 4 minutes ago: 11 minutes to go.
        assert_eq!(retry, 11 * 60);
        assert_eq!(error_of(r).await.1, "rate_limited");
        // Other usernames are not affected.
        app.register("bob").await;
        assert_eq!(
            app.login_raw("bob", PASSWORD).await.status(),
            StatusCode::OK
        );
        // Once the first failure leaves the window, the right password works again.
        app.clock.advance(Duration::minutes(11));
        assert_eq!(
            app.login_raw("ann", PASSWORD).await.status(),
            StatusCode::OK
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_spray_many_usernames() {
    for db in backends("address_limit") {
        let app = TestApp::spawn(db).await;
        app.register("ann").await;
        for i in 0..20 {
            assert_eq!(
                app.login_raw(&format!("user{i}"), "not the password")
                    .await
                    .status(),
                StatusCode::UNAUTHORIZED
            );
        }
        let r = app.login_raw("ann", PASSWORD).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers().contains_key("retry-after"));
        app.clock.advance(Duration::minutes(15));
        assert_eq!(
            app.login_raw("ann", PASSWORD).await.status(),
            StatusCode::OK
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_secret_is_kept_in_the_database() {
    for db in backends("generated_secret") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let stored = app
            .tally
            .db()
            .read(|c| tally_core::services::settings::get(c, tally_core::auth::SECRET_SETTING))
            .await
            .unwrap()
            .unwrap();
        assert!(stored.len() >= 32);
        // A second instance on the same database accepts the first one's tokens.
        let url = app.db.url.clone();
        let second_db = tally_core::db::Db::connect(&url, 2).unwrap();
        let second = tally_core::Tally::builder(second_db, tally_core::Settings::default())
            .clock(app.clock.clone())
            .build();
        let session = tally_core::auth::sessions::session(&second, &token)
            .await
            .unwrap();
        assert_eq!(session.account.username.as_deref(), Some("ann"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ups_per_address_are_limited_and_passwords_never_echoed() {
    for db in backends("register_limit") {
        let app = TestApp::spawn(db).await;
        // A password sent as a number is refused without quoting it back.
        let r = app
            .register_raw(json!({"username": "ann", "password": 98765432109_i64}))
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!r.text().await.unwrap().contains("98765432109"));
        for i in 0..10 {
            app.register(&format!("user{i}")).await;
        }
        let r = app
            .register_raw(json!({"username": "one_more", "password": PASSWORD}))
            .await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        app.clock.advance(Duration::minutes(61));
        app.register("one_more").await;
    }
}
