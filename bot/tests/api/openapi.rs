//! The OpenAPI document against the real router: for every operation, the statuses it answers to
//! a missing token, a malformed body, a body of the wrong type or shape, and unreadable query
//! values are among those the document lists; and the fixed words are enums.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Every operation of the document: method, path template, and the operation object.
fn operations(doc: &Value) -> Vec<(Method, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (name, operation) in item.as_object().expect("path item") {
            let method = match name.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue,
            };
            out.push((method, path.clone(), operation.clone()));
        }
    }
    out
}

/// The template with its path parameters filled with values the router takes.
fn concrete(path: &str) -> String {
    path.replace("{id}", "999999")
        .replace("{category}", "food")
        .replace("{period}", "month")
        .replace("{kind}", "categories")
        .replace("{format}", "png")
}

fn documented(operation: &Value) -> Vec<u16> {
    operation["responses"]
        .as_object()
        .expect("responses")
        .keys()
        .map(|k| k.parse().expect("numeric status"))
        .collect()
}

fn query_params(operation: &Value) -> Vec<String> {
    operation["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter(|p| p["in"] == "query")
                .map(|p| p["name"].as_str().expect("name").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_documents_what_it_answers_to_bad_requests() {
    let app = TestApp::spawn(tally_testkit::db::TestDb::sqlite()).await;
    let token = app.user("ann").await;
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ops = operations(&doc);
    assert!(ops.len() > 20, "{} operations", ops.len());
    let mut failures = Vec::new();
    for (method, template, operation) in &ops {
        let statuses = documented(operation);
        let path = concrete(template);
        let mut check = |what: &str, status: StatusCode, expected: Option<u16>| {
            let code = status.as_u16();
            if !statuses.contains(&code) {
                failures.push(format!(
                    "{method} {template}: {what} answered {code}, documented {statuses:?}"
                ));
            }
            if let Some(e) = expected
                && e != code
            {
                failures.push(format!(
                    "{method} {template}: {what} answered {code}, not {e}"
                ));
            }
        };
        let secured = operation["security"]
            .as_array()
            .is_some_and(|s| !s.is_empty());
        let has_body = operation["requestBody"].is_object();
        let multipart = operation["requestBody"]["content"]["multipart/form-data"].is_object();
        if multipart {
            // A file upload: anything but multipart is 415, more than its limit 413.
            let r = app
                .req(method.clone(), &path, Some(&token))
                .header(CONTENT_TYPE, "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            check("a body that is not multipart", r.status(), Some(415));
            // Only declared: the server answers before the body, which is never sent.
            let (status, text) =
                declared_only(&app.url(&path), method.as_str(), &token, 5_000_000).await;
            check("a huge body", status, Some(413));
            // The route's own limit is named, not the API's general one.
            assert!(text.contains("4 MiB"), "{method} {path}: {text}");
        }
        let has_body = has_body && !multipart;
        if secured {
            let r = app.req(method.clone(), &path, None).send().await.unwrap();
            check("no token", r.status(), Some(401));
            let r = app
                .req(method.clone(), &path, Some("not-a-token"))
                .send()
                .await
                .unwrap();
            check("a forged token", r.status(), Some(401));
        }
        if has_body {
            let send = |content_type: &'static str, body: &'static str| {
                app.req(method.clone(), &path, Some(&token))
                    .header(CONTENT_TYPE, content_type)
                    .body(body)
                    .send()
            };
            check(
                "a malformed body",
                send("application/json", "{").await.unwrap().status(),
                Some(400),
            );
            check(
                "a body of the wrong shape",
                send("application/json", "[1]").await.unwrap().status(),
                Some(422),
            );
            check(
                "an unknown field",
                send("application/json", r#"{"surprise": 1}"#)
                    .await
                    .unwrap()
                    .status(),
                None,
            );
            check(
                "a body that is not JSON",
                send("text/plain", "{}").await.unwrap().status(),
                Some(415),
            );
            // On a connection of its own: the server answers before reading the body and then
            // closes the connection, which a pooled client would reuse.
            let big = "x".repeat(70 * 1024);
            let r = reqwest::Client::new()
                .request(method.clone(), app.url(&path))
                .bearer_auth(&token)
                .header(CONTENT_TYPE, "application/json")
                .body(big)
                .send()
                .await
                .unwrap();
            check("a huge body", r.status(), Some(413));
        }
        let query = query_params(operation);
        if !query.is_empty() && !has_body {
            let bad: Vec<String> = query.iter().map(|q| format!("{q}=%FF%00zz")).collect();
            let r = app
                .req(
                    method.clone(),
                    &format!("{path}?{}", bad.join("&")),
                    Some(&token),
                )
                .send()
                .await
                .unwrap();
            check("unreadable query values", r.status(), None);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kinds_periods_and_granularities_are_enums() {
    let app = TestApp::spawn(tally_testkit::db::TestDb::sqlite()).await;
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schema = |name: &str| doc["components"]["schemas"][name].clone();
    assert_eq!(
        schema("Kind")["enum"],
        serde_json::json!(["expense", "income"])
    );
    assert_eq!(
        schema("Period")["enum"],
        serde_json::json!(["week", "month", "year"])
    );
    assert_eq!(
        schema("Granularity")["enum"],
        serde_json::json!(["month", "quarter", "year"])
    );
    let text = doc.to_string();
    let kind_ref = "#/components/schemas/Kind";
    for (schema_name, field) in [
        ("TransactionView", "kind"),
        ("NewTransactionBody", "kind"),
        ("TransactionPatchBody", "kind"),
        ("CategoryView", "kind"),
        ("NewCategoryBody", "kind"),
        ("BudgetView", "period"),
    ] {
        let property = schema(schema_name)["properties"][field].to_string();
        assert!(
            property.contains("/components/schemas/Kind")
                || property.contains("/components/schemas/Period"),
            "{schema_name}.{field}: {property}"
        );
    }
    assert!(text.contains(kind_ref));
    let budget_put = &doc["paths"]["/api/v1/budgets/{category}/{period}"]["put"]["parameters"];
    let period = budget_put
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "period")
        .unwrap();
    assert_eq!(period["schema"]["$ref"], "#/components/schemas/Period");
}

/// Every `$ref` in the document.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k == "$ref" {
                    if let Some(r) = child.as_str() {
                        out.push(r.to_owned());
                    }
                } else {
                    refs(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| refs(i, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_reference_in_the_document_resolves() {
    let app = TestApp::spawn(tally_testkit::db::TestDb::sqlite()).await;
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    for r in found {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("an unexpected reference {r}"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{r} is referenced but not in the document"
        );
    }
}

/// Sends only the head of a request declaring `length` bytes of multipart body, and reads the
/// status the server answers with.
/// The status and the first bytes of the answer to a request that only declares its body.
async fn declared_only(
    url: &str,
    method: &str,
    token: &str,
    length: usize,
) -> (StatusCode, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary=XB\r\nContent-Length: {length}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let mut read = 0;
    // Up to the end of the JSON error body (or the connection's end).
    while !String::from_utf8_lossy(&buf[..read])
        .trim_end()
        .ends_with('}')
        && read < buf.len()
    {
        let n = stream.read(&mut buf[read..]).await.unwrap();
        if n == 0 {
            break;
        }
        read += n;
    }
    let text = String::from_utf8_lossy(&buf[..read]).to_string();
    assert!(text.len() >= 12, "the server closed without answering");
    let status = StatusCode::from_u16(text[9..12].parse().unwrap()).unwrap();
    (status, text)
}
