//! The `/login` handshake end to end: a chat asks for a link, the web page's forms give the chat's
//! account a login or hand it to an existing account, and the token works once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tally_core::domain::{AccountId, CategoryName, Platform, TransactionKind};
use tally_core::money::{Currency, Money};
use tally_core::services::transactions::{self, NewTransaction, Source};
use tally_core::services::{accounts, budgets, categories, ledgers};

/// The account a chat identity leads to now.
async fn chat_account(app: &TestApp, platform: Platform, user: &str) -> AccountId {
    let user = user.to_owned();
    app.tally
        .db()
        .read(move |c| {
            Ok(accounts::find_identity(c, platform, &user)?
                .unwrap()
                .account)
        })
        .await
        .unwrap()
}

/// Records an expense in a chat account's personal ledger (as the chat would, without the parser).
async fn chat_spend(app: &TestApp, account: AccountId, amount: &str, category: &str) {
    let category = CategoryName::parse(category).unwrap();
    let money = Money::parse(amount, Currency::USD).unwrap();
    let now = app.clock.now_utc();
    app.tally
        .db()
        .write(move |c| {
            let ledger = ledgers::personal(c, account)?.id;
            transactions::record(
                c,
                account,
                ledger,
                NewTransaction {
                    kind: TransactionKind::Expense,
                    money,
                    category,
                    date: "2026-11-23".parse().unwrap(),
                    note: "from the chat".into(),
                    source: Source {
                        platform: Platform::Telegram,
                        reference: Some("m1".into()),
                    },
                },
                now,
            )
        })
        .await
        .unwrap();
}

trait NowUtc {
    fn now_utc(&self) -> chrono::DateTime<chrono::Utc>;
}

impl NowUtc for std::sync::Arc<tally_core::clock::ManualClock> {
    fn now_utc(&self) -> chrono::DateTime<chrono::Utc> {
        tally_core::clock::Clock::now(self.as_ref())
    }
}

async fn page(app: &TestApp, link: &str) -> (StatusCode, String) {
    let url = link.replace("http://tally.test", &app.base);
    let r = app.client.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn submit(app: &TestApp, form: &[(&str, &str)]) -> (StatusCode, String) {
    let r = app
        .client
        .post(app.url("/link"))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    (r.status(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_gets_a_login_through_the_page() {
    for db in backends("link_create") {
        let app = TestApp::spawn(db).await;
        let reply = app.chat(Platform::Telegram, "100", "/login").await;
        let link = url_in(&reply);
        assert!(link.starts_with("http://tally.test/link?token="), "{reply}");
        let token = token_in(&reply);
        let chat = chat_account(&app, Platform::Telegram, "100").await;
        chat_spend(&app, chat, "7.25", "food").await;

        let (status, html) = page(&app, &link).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("100 on telegram") && html.contains("Telegram"));
        assert!(
            html.contains("name=\"action\" value=\"create\"")
                && html.contains("name=\"action\" value=\"login\"")
        );
        assert!(!html.contains("<script"));

        // A bad choice of password re-shows the form, and the link still works afterwards.
        let (status, html) = submit(
            &app,
            &[
                ("token", &token),
                ("action", "create"),
                ("username", "ann"),
                ("password", "short"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("at least 10 characters") && html.contains("value=\"ann\""));
        assert!(!html.contains("short\""), "passwords are never echoed");

        let (status, html) = submit(
            &app,
            &[
                ("token", &token),
                ("action", "create"),
                ("username", "Ann"),
                ("password", PASSWORD),
                ("email", ""),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("All set") && html.contains("Ann"));
        // Not a dead end: the way back to the chat, and where the API starts.
        assert!(
            html.contains("Go back to your Telegram chat")
                && html.contains("href=\"http://tally.test/api/v1/openapi.json\""),
            "{html}"
        );
        assert_no_secrets(&html);

        // The same link again: a friendly dead end.
        let (status, html) = submit(
            &app,
            &[
                ("token", &token),
                ("action", "create"),
                ("username", "other"),
                ("password", PASSWORD),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::GONE);
        assert!(html.contains("already been used"));
        assert_eq!(page(&app, &link).await.0, StatusCode::GONE);

        // The chat's account now logs in, and the chat's entries are the API's.
        let api = app.login("ann", PASSWORD).await;
        let me: Value = app.get(&api, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["id"].as_i64(), Some(chat.get()));
        assert!(
            me["identities"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["platform"] == "telegram" && i["platform_user_id"] == "100")
        );
        let page_: Value = app
            .get(&api, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page_["total"], 1);
        assert_eq!(page_["items"][0]["amount"], "7.25");
        // And what the API records, the chat sees.
        app.spend(&api, "3.10", "transport", "2026-11-24").await;
        let recent = app.chat(Platform::Telegram, "100", "/recent").await;
        assert!(
            recent.contains("3.10") && recent.contains("7.25"),
            "{recent}"
        );

        // A new /login link now offers only "log in".
        let (_, html) = page(
            &app,
            &url_in(&app.chat(Platform::Telegram, "100", "/login").await),
        )
        .await;
        assert!(html.contains("already logs in as") && !html.contains("value=\"create\""));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_in_on_the_page_merges_the_chat_into_the_account() {
    for db in backends("link_login") {
        let app = TestApp::spawn(db).await;
        let api = app.user("ann").await;
        app.spend(&api, "10", "food", "2026-11-20").await;
        let ann: Value = app.get(&api, "/api/v1/me").await.json().await.unwrap();

        let reply = app.chat(Platform::Discord, "9001", "/login").await;
        let token = token_in(&reply);
        let chat = chat_account(&app, Platform::Discord, "9001").await;
        chat_spend(&app, chat, "5", "food").await;
        chat_spend(&app, chat, "6", "transport").await;
        let now = app.clock.now_utc();
        app.tally
            .db()
            .write(move |c| {
                let ledger = ledgers::personal(c, chat)?.id;
                let climbing = CategoryName::parse("climbing").unwrap();
                categories::add(c, chat, ledger, TransactionKind::Expense, &climbing, now)?;
                budgets::set(
                    c,
                    chat,
                    ledger,
                    &climbing,
                    Money::parse("50", Currency::USD).unwrap(),
                    tally_core::period::BudgetPeriod::Month,
                    now,
                )?;
                Ok(())
            })
            .await
            .unwrap();
        chat_spend(&app, chat, "20", "climbing").await;

        // A wrong password: the form again, and the link is not used up.
        let (status, html) = submit(
            &app,
            &[
                ("token", &token),
                ("action", "login"),
                ("username", "ann"),
                ("password", "not the password"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(html.contains("Wrong username or password."));
        let (status, html) = submit(
            &app,
            &[
                ("token", &token),
                ("action", "login"),
                ("username", "ANN"),
                ("password", PASSWORD),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(
            html.contains("Connected")
                && html.contains("3 entries")
                && html.contains("href=\"https://discord.com/channels/@me\""),
            "{html}"
        );

        // One account: the identity, the entries, the categories (merged by name), the budget.
        assert_eq!(
            chat_account(&app, Platform::Discord, "9001").await.get(),
            ann["id"].as_i64().unwrap()
        );
        let page_: Value = app
            .get(&api, "/api/v1/transactions?limit=10")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page_["total"], 4);
        let cats: Value = app
            .get(&api, "/api/v1/categories")
            .await
            .json()
            .await
            .unwrap();
        let names: Vec<&str> = cats
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["kind"] == "expense")
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.iter().filter(|n| **n == "food").count(), 1);
        assert!(names.contains(&"climbing"));
        let s: Value = app.get(&api, "/api/v1/summary").await.json().await.unwrap();
        assert_eq!(s["currencies"][0]["expenses"], "41.00");
        let b: Value = app.get(&api, "/api/v1/budgets").await.json().await.unwrap();
        assert_eq!(
            (b[0]["category"].as_str(), b[0]["spent"].as_str()),
            (Some("climbing"), Some("20.00"))
        );
        let ledgers_: Value = app.get(&api, "/api/v1/ledgers").await.json().await.unwrap();
        assert_eq!(ledgers_.as_array().unwrap().len(), 1);
        // The chat now talks to Ann's ledger.
        let recent = app.chat(Platform::Discord, "9001", "/recent 10").await;
        assert!(
            recent.contains("10.00") && recent.contains("20.00"),
            "{recent}"
        );
        // The absorbed account is marked.
        let merged = app
            .tally
            .db()
            .read(move |c| tally_core::services::credentials::final_account(c, chat))
            .await
            .unwrap();
        assert_eq!(merged.get(), ann["id"].as_i64().unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_expired_and_misused_links_fail_kindly() {
    for db in backends("link_bad") {
        let app = TestApp::spawn(db).await;
        let access = app.user("ann").await;
        let (status, html) = page(&app, &app.url("/link?token=not.a.token")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(html.contains("isn't valid") && html.contains("/login"));
        assert_eq!(
            page(&app, &app.url("/link")).await.0,
            StatusCode::BAD_REQUEST
        );
        // An access token is not a link token.
        let (status, _) = page(&app, &app.url(&format!("/link?token={access}"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        let reply = app.chat(Platform::Telegram, "7", "/login").await;
        let token = token_in(&reply);
        // Tampered: another identity in the payload.
        let parts: Vec<&str> = token.split('.').collect();
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut claims: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
        claims["puid"] = json!("8");
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64.encode(claims.to_string()),
            parts[2]
        );
        let (status, html) = submit(
            &app,
            &[
                ("token", &forged),
                ("action", "login"),
                ("username", "ann"),
                ("password", PASSWORD),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(html.contains("isn't valid"));

        app.clock.advance(Duration::minutes(11));
        let (status, html) = submit(
            &app,
            &[
                ("token", &token),
                ("action", "login"),
                ("username", "ann"),
                ("password", PASSWORD),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::GONE);
        assert!(html.contains("expired"));
        // Nothing was linked.
        let me: Value = app
            .get(&app.login("ann", PASSWORD).await, "/api/v1/me")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["identities"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_escapes_names_and_login_stays_private() {
    for db in backends("link_escape") {
        let app = TestApp::spawn(db).await;
        let reply = app
            .chat(Platform::Telegram, "<script>alert(1)</script>", "/login")
            .await;
        let (status, html) = page(&app, &url_in(&reply)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("<script>alert(1)</script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

        let reply = app
            .group_chat(Platform::Telegram, "42", "-1001", "/login")
            .await;
        assert!(
            reply.contains("private chat") && !reply.contains("http"),
            "{reply}"
        );
        let reply = app
            .group_chat(Platform::Telegram, "42", "-1001", "/link")
            .await;
        assert!(reply.contains("private chat"), "{reply}");
    }
}

/// The form with the error, as the page shows it: the part from that form's heading onwards.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or(html.len());
    let rest = &html[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_password_does_not_survive_a_merge() {
    for db in backends("link_stale_password") {
        let app = TestApp::spawn(db).await;
        // The attacker's chat gets its own login, then a second /login link for the victim.
        let reply = app.chat(Platform::Telegram, "666", "/login").await;
        let (status, _) = submit(
            &app,
            &[
                ("token", &token_in(&reply)),
                ("action", "create"),
                ("username", "eve"),
                ("password", PASSWORD),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let old_eve = app.login("eve", PASSWORD).await;
        let reply = app.chat(Platform::Telegram, "666", "/login").await;
        let link = url_in(&reply);
        let token = token_in(&reply);
        let vic = app.user("vic").await;

        // The page says whose chat this is before anything happens.
        let (_, html) = page(&app, &link).await;
        assert!(
            html.contains("already logs in as <strong>eve</strong>"),
            "{html}"
        );
        assert!(html.contains("Connect your Telegram chat to Tally") && !html.contains("your the"));

        // The victim logs in with only their own password: refused, next to the login form.
        let (status, html) = submit(
            &app,
            &[
                ("token", &token),
                ("action", "login"),
                ("username", "vic"),
                ("password", PASSWORD),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            section(&html, "login").contains("own login (eve)"),
            "{html}"
        );
        let me: Value = app.get(&vic, "/api/v1/me").await.json().await.unwrap();
        assert_ne!(
            chat_account(&app, Platform::Telegram, "666").await.get(),
            me["id"].as_i64().unwrap()
        );
        // A wrong chat password is refused too.
        let (status, _) = submit(
            &app,
            &[
                ("token", &token),
                ("action", "login"),
                ("username", "vic"),
                ("password", PASSWORD),
                ("chat_password", "not the password"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // With both passwords the accounts join, and only the survivor's login is left.
        let (status, html) = submit(
            &app,
            &[
                ("token", &token),
                ("action", "login"),
                ("username", "vic"),
                ("password", PASSWORD),
                ("chat_password", PASSWORD),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(
            html.contains("/api/v1/openapi.json") && html.contains("/unlink"),
            "{html}"
        );
        assert_eq!(
            app.login_raw("eve", PASSWORD).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let r = app.get(&old_eve, "/api/v1/me").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        // Logout-all ends every session of the merged account.
        let fresh = app.login("vic", PASSWORD).await;
        let r = app.post(&fresh, "/api/v1/auth/logout-all", json!({})).await;
        assert!(r.status().is_success());
        assert_eq!(
            app.get(&vic, "/api/v1/me").await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.get(&fresh, "/api/v1/me").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_sit_by_their_own_form_and_lockouts_read_in_minutes() {
    for db in backends("link_page_errors") {
        let app = TestApp::spawn(db).await;
        let reply = app.chat(Platform::Console, "ann", "/login").await;
        let token = token_in(&reply);
        let (_, html) = page(&app, &url_in(&reply)).await;
        assert!(
            html.contains("<h1>Connect your console chat to Tally</h1>")
                && html.contains("<strong>ann on console</strong> in the console")
                && !html.contains("your the"),
            "{html}"
        );
        assert!(html.contains("font-size:16px") && html.contains("min-height:44px"));
        let wrong = async |token: &str| {
            submit(
                &app,
                &[
                    ("token", token),
                    ("action", "login"),
                    ("username", "nobody"),
                    ("password", "wrong password here"),
                ],
            )
            .await
        };
        // The first wait is a second: said in seconds, by the login form.
        let mut last = String::new();
        for _ in 0..6 {
            last = wrong(&token).await.1;
        }
        assert!(
            section(&last, "login").contains("Try again in 1 second."),
            "{last}"
        );
        // Waits double up to five minutes: said in minutes. (Links last ten minutes, so each
        // round asks for a new one, as the person would.)
        let mut token = token;
        for _ in 0..10 {
            app.clock.advance(Duration::minutes(5));
            token = token_in(&app.chat(Platform::Console, "ann", "/login").await);
            wrong(&token).await;
        }
        let (status, last) = wrong(&token).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        let login = section(&last, "login");
        let create = section(&last, "create");
        assert!(login.contains("Try again in 5 minutes."), "{last}");
        assert!(!last.contains("seconds"), "{last}");
        assert!(login.contains("value=\"nobody\""));
        assert!(
            !create.contains("nobody") && !create.contains("class=\"error\""),
            "{create}"
        );
    }
}
