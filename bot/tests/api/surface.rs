//! The HTTP surface around the resources: health, metrics, the OpenAPI document, the error shape
//! for unknown routes, wrong methods and huge bodies, and the conversation endpoint.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_openapi() {
    for db in backends("surface") {
        let app = TestApp::spawn(db).await;
        let r = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);

        let token = app.user("ann").await;
        let tx = app.spend(&token, "1", "food", "2026-11-20").await;
        let id = tx["id"].as_i64().unwrap();
        app.get(&token, &format!("/api/v1/transactions/{id}")).await;
        app.get(&token, "/api/v1/transactions/999999").await;

        let text = app
            .client
            .get(app.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(text.contains(r#"tally_http_requests_total{method="GET",route="/api/v1/transactions/{id}",status="200"}"#), "{text}");
        assert!(text.contains(r#"route="/api/v1/transactions/{id}",status="404"}"#));
        assert!(
            text.contains(
                r#"tally_http_request_duration_seconds_count{route="/api/v1/auth/login"}"#
            )
        );
        assert!(
            !text.contains("/api/v1/transactions/999999"),
            "raw paths must not be labels"
        );

        let r = app
            .client
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let doc: Value = r.json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        for path in [
            "/api/v1/auth/login",
            "/api/v1/transactions",
            "/api/v1/transactions/{id}",
            "/api/v1/summary",
            "/api/v1/analytics/savings",
            "/api/v1/messages",
            "/api/v1/link-codes",
            "/api/v1/budgets/{category}/{period}",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} missing");
        }
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        assert!(doc["components"]["schemas"]["TransactionView"].is_object());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_keep_one_shape() {
    for db in backends("error_shape") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let r = app.get(&token, "/api/v1/nothing-here").await;
        assert_eq!(
            error_of(r).await,
            (StatusCode::NOT_FOUND, "not_found".into(), None)
        );
        let r = app
            .req(Method::PUT, "/api/v1/transactions", Some(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(r).await.0, StatusCode::METHOD_NOT_ALLOWED);
        let huge = json!({"kind": "expense", "amount": "1", "note": "x".repeat(100 * 1024)});
        let r = app.post(&token, "/api/v1/transactions", huge).await;
        assert_eq!(
            error_of(r).await,
            (StatusCode::PAYLOAD_TOO_LARGE, "too_large".into(), None)
        );
        let page: Value = app
            .get(&token, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_talk_to_the_same_conversation() {
    for db in backends("messages") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let r = app
            .post(&token, "/api/v1/messages", json!({"text": "/help"}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let reply: Value = r.json().await.unwrap();
        assert_eq!(reply["duplicate"], false);
        let first = &reply["messages"][0];
        assert!(first["text"].as_str().unwrap().contains("/summary"));
        assert!(
            first["spans"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["style"] == "code")
        );

        // The conversation acts on the caller's own account and ledger (not a new one).
        let tx = app.spend(&token, "12.50", "food", "2026-11-24").await;
        let reply: Value = app
            .post(&token, "/api/v1/messages", json!({"text": "/recent"}))
            .await
            .json()
            .await
            .unwrap();
        let text = reply["messages"][0]["text"].as_str().unwrap();
        assert!(text.contains("12.50"), "{text}");
        let ledgers: Value = app
            .get(&token, "/api/v1/ledgers")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(ledgers.as_array().unwrap().len(), 1);

        // A button from a reply can be pressed: undo via the action code.
        let action = format!("u:{}", tx["id"]);
        let reply: Value = app
            .post(&token, "/api/v1/messages", json!({"action": action}))
            .await
            .json()
            .await
            .unwrap();
        assert!(
            reply["edit"].is_object() || !reply["messages"].as_array().unwrap().is_empty(),
            "{reply}"
        );
        let page: Value = app
            .get(&token, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 0);

        // An Idempotency-Key makes a retry a no-op.
        let send = || {
            app.req(Method::POST, "/api/v1/messages", Some(&token))
                .header("Idempotency-Key", "msg-1")
                .json(&json!({"text": "/budgets"}))
                .send()
        };
        let once: Value = send().await.unwrap().json().await.unwrap();
        assert_eq!(once["duplicate"], false);
        let twice: Value = send().await.unwrap().json().await.unwrap();
        assert_eq!(twice["duplicate"], true);
        assert_eq!(twice["messages"], json!([]));

        for (body, field) in [
            (json!({"text": "  "}), "text"),
            (json!({}), "text"),
            (json!({"action": "nonsense"}), "action"),
            (json!({"text": "x".repeat(5000)}), "text"),
        ] {
            let r = app.post(&token, "/api/v1/messages", body).await;
            assert_eq!(error_of(r).await.2.as_deref(), Some(field));
        }
    }
}

/// Free text recorded through the API's conversation shows up in the API's transactions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_text_through_messages_records() {
    for db in backends("messages_parser") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let reply: Value = app
            .post(
                &token,
                "/api/v1/messages",
                json!({"text": "spent 12 on lunch"}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert!(
            reply["messages"][0]["text"]
                .as_str()
                .unwrap()
                .contains("12")
        );
        let page: Value = app
            .get(&token, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 1);
        assert_eq!(page["items"][0]["amount"], "12.00");
        assert_eq!(page["items"][0]["source"], "web");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_response_carries_a_password_or_hash() {
    for db in backends("no_secrets") {
        let app = TestApp::spawn(db).await;
        let r = app
            .register_raw(json!({"username": "ann", "password": PASSWORD}))
            .await;
        let mut bodies = vec![r.text().await.unwrap()];
        let r = app.login_raw("ann", PASSWORD).await;
        let login = r.text().await.unwrap();
        let token = serde_json::from_str::<Value>(&login).unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        bodies.push(login);
        bodies.push(
            app.login_raw("ann", "wrong wrong wrong")
                .await
                .text()
                .await
                .unwrap(),
        );
        app.spend(&token, "5", "food", "2026-11-20").await;
        for path in [
            "/api/v1/me",
            "/api/v1/transactions",
            "/api/v1/summary",
            "/api/v1/analytics/savings",
            "/api/v1/categories",
            "/api/v1/budgets",
            "/api/v1/ledgers",
            "/api/v1/openapi.json",
            "/metrics",
        ] {
            bodies.push(app.get(&token, path).await.text().await.unwrap());
        }
        bodies.push(
            app.patch(&token, "/api/v1/me", json!({"timezone": "Europe/Paris"}))
                .await
                .text()
                .await
                .unwrap(),
        );
        bodies.push(
            app.post(&token, "/api/v1/messages", json!({"text": "/settings"}))
                .await
                .text()
                .await
                .unwrap(),
        );
        bodies.push(
            app.post(&token, "/api/v1/link-codes", json!({}))
                .await
                .text()
                .await
                .unwrap(),
        );
        bodies.push(
            app.post(
                &token,
                "/api/v1/me/password",
                json!({"current_password": PASSWORD, "new_password": "another long secret"}),
            )
            .await
            .text()
            .await
            .unwrap(),
        );
        for body in &bodies {
            assert_no_secrets(body);
            assert!(!body.contains("another long secret"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn made_up_methods_do_not_grow_the_metrics() {
    let app = TestApp::spawn(tally_testkit::db::TestDb::sqlite()).await;
    let metrics = || async {
        let r = app.client.get(app.url("/metrics")).send().await.unwrap();
        r.text().await.unwrap()
    };
    let others = |text: &str| {
        text.lines()
            .filter(|l| l.contains("method=\"other\""))
            .count()
    };
    for i in 0..20 {
        let method = Method::from_bytes(format!("PROBE{i}").as_bytes()).unwrap();
        app.req(method.clone(), "/api/v1/transactions", None)
            .send()
            .await
            .unwrap();
        app.req(method, &format!("/nowhere/{i}"), None)
            .send()
            .await
            .unwrap();
    }
    let before = metrics().await;
    assert!(!before.contains("PROBE"), "{before}");
    assert!(before.contains("method=\"other\""), "{before}");
    for i in 20..300 {
        let method = Method::from_bytes(format!("PROBE{i}").as_bytes()).unwrap();
        app.req(method, &format!("/nowhere/{i}"), None)
            .send()
            .await
            .unwrap();
    }
    let after = metrics().await;
    // Only counts change: no new series for all those methods and paths.
    assert!(!after.contains("PROBE"), "{after}");
    assert_eq!(others(&before), others(&after), "{after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_reply_is_marked_sent_by_its_response() {
    use diesel::prelude::*;
    use tally_core::db::schema::outbox;
    for db in backends("messages_outbox") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let r = app
            .post(&token, "/api/v1/messages", json!({"text": "/help"}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        // Written to the outbox with the update, and marked sent by the response itself, so no
        // sender ever takes it up.
        let (rows, unsent): (i64, i64) = app
            .tally
            .db()
            .read(|c| {
                let all = outbox::table
                    .filter(outbox::platform.eq("web"))
                    .count()
                    .get_result(c)?;
                let unsent = outbox::table
                    .filter(outbox::platform.eq("web"))
                    .filter(outbox::sent_at.is_null())
                    .count()
                    .get_result(c)?;
                Ok((all, unsent))
            })
            .await
            .unwrap();
        assert_eq!((rows, unsent), (1, 0));
    }
}
