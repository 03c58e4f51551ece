//! Accounts and sessions over HTTP: sign-up, login, token rejections, logout, login slow-down.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use base64::Engine as _;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tally_core::Error;
use tally_core::auth::sessions;
use tally_core::auth::slowdown::{LOGIN_PAIR, LOGIN_USER};
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

fn retry_after(r: &reqwest::Response) -> i64 {
    r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_logins_slow_a_username_down_but_never_lock_the_owner_out() {
    for db in backends("login_slowdown") {
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
        // Five in a row pass at once; the fifth sets the first wait.
        for _ in 0..4 {
            assert_eq!(
                app.login_raw("ann", "not the password").await.status(),
                StatusCode::UNAUTHORIZED
            );
        }
        // Each further failure doubles the wait, and during a wait nothing is checked.
        for expected in [1, 2, 4, 8] {
            let r = app.login_raw("ANN", PASSWORD).await;
            assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(retry_after(&r), expected);
            assert_eq!(error_of(r).await.1, "rate_limited");
            app.clock.advance(Duration::seconds(expected));
            if expected < 8 {
                assert_eq!(
                    app.login_raw("ann", "not the password").await.status(),
                    StatusCode::UNAUTHORIZED
                );
            }
        }
        // The wait is over: the owner's password works, and clears the count.
        assert_eq!(
            app.login_raw("ann", PASSWORD).await.status(),
            StatusCode::OK
        );
        assert_eq!(
            app.login_raw("ann", "not the password").await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.login_raw("ann", PASSWORD).await.status(),
            StatusCode::OK
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_from_one_address_never_refuse_other_users_there() {
    for db in backends("address_pairs") {
        let app = TestApp::spawn(db).await;
        app.register("ann").await;
        // Everyone here shares 127.0.0.1, as behind a proxy or NAT: someone sprays names and
        // hammers one of them.
        for i in 0..30 {
            assert_eq!(
                app.login_raw(&format!("user{i}"), "not the password")
                    .await
                    .status(),
                StatusCode::UNAUTHORIZED
            );
        }
        for _ in 0..5 {
            app.login_raw("bob", "not the password").await;
        }
        assert_eq!(
            app.login_raw("bob", "not the password").await.status(),
            StatusCode::TOO_MANY_REQUESTS
        );
        // Ann, from the same address, is not refused.
        assert_eq!(
            app.login_raw("ann", PASSWORD).await.status(),
            StatusCode::OK
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_elsewhere_logs_in_while_an_attackers_address_waits() {
    for db in backends("pair_vs_owner") {
        let app = TestApp::spawn(db).await;
        app.register("ann").await;
        for _ in 0..5 {
            let r = sessions::authenticate(&app.tally, "ann", "guess".into(), attacker()).await;
            assert!(matches!(r, Err(Error::Unauthorized(_))), "{r:?}");
        }
        let r = sessions::authenticate(&app.tally, "ann", "guess".into(), attacker()).await;
        assert!(matches!(r, Err(Error::RateLimited { .. })), "{r:?}");
        let owner =
            sessions::authenticate(&app.tally, "ann", PASSWORD.into(), Some("192.0.2.7".into()))
                .await;
        assert!(owner.is_ok(), "{owner:?}");
    }
}

fn attacker() -> Option<String> {
    Some("198.51.100.66".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_parallel_wrong_logins_gets_no_more_password_checks_than_allowed() {
    for db in backends("login_burst") {
        let app = std::sync::Arc::new(TestApp::spawn(db).await);
        app.register("ann").await;
        // One address, over HTTP: the pair's allowance bounds the checks.
        let before = app.tally.auth().password_checks();
        let burst = (0..60).map(|_| {
            let app = app.clone();
            tokio::spawn(async move { app.login_raw("ann", "not the password").await.status() })
        });
        let statuses: Vec<StatusCode> = futures::future::join_all(burst)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let checks = app.tally.auth().password_checks() - before;
        let refused = statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        let wrong = statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count();
        assert_eq!(refused + wrong, 60, "{statuses:?}");
        assert!(checks >= 1, "some attempts are checked");
        assert!(checks <= LOGIN_PAIR.free as u64, "{checks} password checks");
        assert_eq!(wrong as u64, checks);

        // Many addresses at one name: the username's allowance bounds them.
        app.clock.advance(Duration::hours(2));
        let before = app.tally.auth().password_checks();
        let burst = (0..60).map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                sessions::authenticate(
                    &app.tally,
                    "ann",
                    "not the password".into(),
                    Some(format!("203.0.113.{i}")),
                )
                .await
                .map(|_| ())
            })
        });
        let results = futures::future::join_all(burst).await;
        let checks = app.tally.auth().password_checks() - before;
        assert!(checks >= 1);
        assert!(checks <= LOGIN_USER.free as u64, "{checks} password checks");
        let refused = results
            .iter()
            .filter(|r| matches!(r, Ok(Err(Error::RateLimited { .. }))))
            .count();
        assert_eq!(refused as u64 + checks, 60);
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
