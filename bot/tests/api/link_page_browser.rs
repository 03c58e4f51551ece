//! The `/login` link page in a real browser (headless Chromium through chromedriver), as a new
//! user meets it: on a desktop window and on a phone, with JavaScript on and off. The page names
//! the chat's platform, its inputs are 16 px (phones zoom into smaller ones) and its targets 44 px
//! tall, a wrong password is answered by the form it was typed in, and the second try ends on the
//! success page with its way back to the chat.
//!
//! `.ci/install-chromium` installs Chromium and chromedriver; under `CI=true` a missing one is a
//! failure, elsewhere the test says it is skipped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::*;
use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use futures::FutureExt;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tally_core::clock::Clock;
use tally_core::domain::Platform;
use tally_core::services::settings;
use tally_testkit::db::TestDb;

/// The longest an element may take to appear after a navigation or a form submission.
const WAIT: Duration = Duration::from_secs(20);

/// The longest one walk through the page may take, so a stuck browser fails the test.
const WALK: Duration = Duration::from_secs(120);

const BOT_USERNAME: &str = "tally_test_bot";

/// `name` on the PATH, as an executable file.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The browser and its driver, or `None` (a failure under `CI=true`) when either is missing.
fn require_browser() -> Option<(PathBuf, PathBuf)> {
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find_map(on_path);
    let driver = on_path("chromedriver");
    let missing = match (&chromium, &driver) {
        (Some(_), Some(_)) => None,
        (None, Some(_)) => Some("chromium"),
        (Some(_), None) => Some("chromedriver"),
        (None, None) => Some("chromium and chromedriver"),
    };
    if let Some(missing) = missing {
        let verb = if missing.contains(" and ") {
            "are"
        } else {
            "is"
        };
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{missing} {verb} required under CI=true: run .ci/install-chromium"
        );
        eprintln!("skipped: {missing} {verb} not installed (run .ci/install-chromium)");
        return None;
    }
    Some((chromium?, driver?))
}

/// chromedriver on a port of its choosing, stopped (with the browsers it started) on drop.
struct ChromeDriver {
    child: Child,
    url: String,
}

impl ChromeDriver {
    /// Starts it and returns once it says it listens (it prints the port it took).
    fn start(driver: &Path) -> ChromeDriver {
        let mut command = Command::new(driver);
        command.arg("--port=0");
        // Its own log, to look into a failure: TALLY_CHROMEDRIVER_LOG=/tmp/chromedriver.log.
        if let Some(log) = std::env::var_os("TALLY_CHROMEDRIVER_LOG") {
            let mut arg = std::ffi::OsString::from("--log-path=");
            arg.push(log);
            command.arg(arg).arg("--verbose");
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            // Its own process group, so dropping it also stops any browser left running.
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut said = Vec::new();
        let port = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(rest) = line.split("started successfully on port ").nth(1) {
                        break rest.trim().trim_end_matches('.').parse::<u16>().unwrap();
                    }
                    said.push(line);
                }
                _ => panic!("chromedriver stopped before it listened: {said:?}"),
            }
        };
        // Keep reading what it prints, so a full pipe never blocks it.
        std::thread::spawn(move || lines.for_each(drop));
        ChromeDriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    /// A 1280×800 window.
    Desktop,
    /// A 390×844 phone screen (device metrics, touch, `width=device-width` honoured).
    Phone,
}

impl View {
    fn width(self) -> i64 {
        match self {
            View::Desktop => 1280,
            View::Phone => 390,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Visit {
    view: View,
    javascript: bool,
    platform: Platform,
}

fn capabilities(chromium: &Path, visit: Visit) -> Capabilities {
    let mut args = vec![
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
    ];
    if visit.view == View::Desktop {
        args.push("--window-size=1280,800");
    }
    let mut options = json!({ "binary": chromium, "args": args });
    if visit.view == View::Phone {
        options["mobileEmulation"] = json!({
            "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 3.0, "touch": true }
        });
    }
    if !visit.javascript {
        options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
    }
    let mut caps = Capabilities::new();
    caps.insert("goog:chromeOptions".into(), options);
    // A page that never loads fails the command instead of holding it.
    caps.insert(
        "timeouts".into(),
        json!({ "pageLoad": WAIT.as_millis() as u64, "script": WAIT.as_millis() as u64 }),
    );
    caps
}

async fn find(client: &Client, css: &str) -> Element {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
}

fn px(value: &str) -> f64 {
    value
        .trim_end_matches("px")
        .parse()
        .unwrap_or_else(|_| panic!("not a length in px: {value:?}"))
}

/// Every visible input and button: 16 px text at least, and at least 44 px tall.
async fn check_sizes(client: &Client, what: &str) {
    let fields = client
        .find_all(Locator::Css("input:not([type=hidden]), button"))
        .await
        .unwrap();
    assert!(!fields.is_empty(), "{what}: no inputs or buttons");
    for field in fields {
        let id = field.attr("id").await.unwrap().unwrap_or_default();
        let font = px(&field.css_value("font-size").await.unwrap());
        assert!(font >= 16.0, "{what}: {id:?} has {font} px text");
        let (_, _, width, height) = field.rectangle().await.unwrap();
        assert!(height >= 44.0, "{what}: {id:?} is {height} px tall");
        assert!(width >= 44.0, "{what}: {id:?} is {width} px wide");
    }
}

/// The page fits the screen's width: nothing sticks out sideways. (On a phone, content wider
/// than the screen widens the layout viewport, so `innerWidth` grows past the screen's width.)
async fn check_fits(client: &Client, view: View, what: &str) {
    let widths = client
        .execute(
            "const w = arguments[0];\
             const out = [...document.body.querySelectorAll('*')]\
               .filter(e => e.getBoundingClientRect().right > w)\
               .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' \
                 + Math.round(e.getBoundingClientRect().right) + ' px');\
             return {inner: window.innerWidth, scroll: document.documentElement.scrollWidth,\
               out: out};",
            vec![json!(view.width())],
        )
        .await
        .unwrap();
    let inner = widths["inner"].as_i64().unwrap();
    let scroll = widths["scroll"].as_i64().unwrap();
    assert!(
        inner == view.width() && scroll <= view.width(),
        "{what}: the page is {scroll} px wide (viewport {inner} px) on a {} px screen; \
         sticking out: {}",
        view.width(),
        widths["out"]
    );
}

/// The page's JavaScript is on or off, as asked: a script in a test page renames it.
async fn check_javascript(client: &Client, javascript: bool) {
    client
        .goto("data:text/html,%3Ctitle%3Eoff%3C%2Ftitle%3E%3Cscript%3Edocument.title%3D%27on%27%3C%2Fscript%3E")
        .await
        .unwrap();
    let expected = if javascript { "on" } else { "off" };
    assert_eq!(
        client.title().await.unwrap(),
        expected,
        "JavaScript setting"
    );
}

/// Sends a form with its button. On the emulated phone without JavaScript, chromedriver's tap
/// waits for page timers that never run, so there the Enter key in `field` sends the form instead
/// (as the keyboard's Go key would).
async fn submit(client: &Client, visit: Visit, form: &str, field: &str) {
    if visit.view == View::Phone && !visit.javascript {
        find(client, field)
            .await
            .send_keys("\u{E007}")
            .await
            .unwrap();
    } else {
        find(client, &format!("{form} button[type=submit]"))
            .await
            .click()
            .await
            .unwrap();
    }
}

/// One new user's walk through the page: `n` keeps the names of each walk apart.
async fn walk(app: &TestApp, client: &Client, visit: Visit, n: usize) {
    let what = format!("{visit:?}");
    check_javascript(client, visit.javascript).await;

    // An account of their own to log in to, as someone who signed up in the app already would.
    let existing = format!("ann{n}");
    app.register(&existing).await;
    let chat_user = format!("chat{n}");
    let reply = app.chat(visit.platform, &chat_user, "/login").await;
    let link = url_in(&reply).replace("http://tally.test", &app.base);
    client.goto(&link).await.unwrap();

    let (place, back) = match visit.platform {
        Platform::Telegram => ("Telegram", format!("https://t.me/{BOT_USERNAME}")),
        Platform::Discord => ("Discord", "https://discord.com/channels/@me".to_owned()),
        other => panic!("no walk for {other:?}"),
    };
    let heading = find(client, "h1").await.text().await.unwrap();
    assert_eq!(
        heading,
        format!("Connect your {place} chat to Tally"),
        "{what}"
    );
    check_sizes(client, &format!("{what}, the forms")).await;
    check_fits(client, visit.view, &format!("{what}, the forms")).await;

    // A wrong password in the login form: the error shows in that form, with the name kept.
    find(client, "#l-user")
        .await
        .send_keys(&existing)
        .await
        .unwrap();
    find(client, "#l-pass")
        .await
        .send_keys("not the right password")
        .await
        .unwrap();
    submit(client, visit, "#login", "#l-pass").await;
    let error = find(client, "#login #l-error").await;
    assert_eq!(
        error.text().await.unwrap(),
        "Wrong username or password.",
        "{what}"
    );
    assert!(error.is_displayed().await.unwrap(), "{what}");
    assert_eq!(
        error.attr("role").await.unwrap().as_deref(),
        Some("alert"),
        "{what}"
    );
    assert!(
        client
            .find_all(Locator::Css("#create .error"))
            .await
            .unwrap()
            .is_empty(),
        "{what}: the error also shows by the other form"
    );
    // Next to the form it is about: below that form's heading, above its first field.
    let (_, error_y, _, _) = error.rectangle().await.unwrap();
    let (_, h2_y, _, _) = find(client, "#login h2").await.rectangle().await.unwrap();
    let (_, field_y, _, _) = find(client, "#l-user").await.rectangle().await.unwrap();
    assert!(
        h2_y < error_y && error_y < field_y,
        "{what}: error at {error_y}, heading at {h2_y}, field at {field_y}"
    );
    assert_eq!(
        find(client, "#l-user")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some(existing.as_str()),
        "{what}"
    );
    check_sizes(client, &format!("{what}, after the error")).await;
    check_fits(client, visit.view, &format!("{what}, after the error")).await;

    // Then a login of their own for the chat: the success page, with the way back.
    let new = format!("new{n}");
    find(client, "#c-user").await.send_keys(&new).await.unwrap();
    find(client, "#c-pass")
        .await
        .send_keys(PASSWORD)
        .await
        .unwrap();
    submit(client, visit, "#create", "#c-pass").await;
    let back_link = find(client, "#back").await;
    assert_eq!(
        find(client, "h1").await.text().await.unwrap(),
        "All set",
        "{what}"
    );
    let ok = find(client, ".ok").await.text().await.unwrap();
    assert!(ok.contains(&new), "{what}: {ok}");
    assert_eq!(
        back_link.attr("href").await.unwrap().as_deref(),
        Some(back.as_str()),
        "{what}"
    );
    let (_, _, _, height) = back_link.rectangle().await.unwrap();
    assert!(height >= 44.0, "{what}: the link back is {height} px tall");
    check_fits(client, visit.view, &format!("{what}, the success page")).await;
    // The login made there works.
    app.login(&new, PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_links_a_chat_in_a_real_browser() {
    let Some((chromium, driver)) = require_browser() else {
        return;
    };
    let driver = tokio::task::spawn_blocking(move || ChromeDriver::start(&driver))
        .await
        .unwrap();
    // The page is the same on every backend: SQLite is enough here.
    let app = TestApp::spawn(TestDb::sqlite()).await;
    let now = app.clock.now();
    app.tally
        .db()
        .write(move |c| {
            settings::set(
                c,
                &tally_core::links::bot_handle_key(Platform::Telegram),
                BOT_USERNAME,
                now,
            )
        })
        .await
        .unwrap();

    let visits = [
        (View::Desktop, true, Platform::Telegram),
        (View::Desktop, false, Platform::Discord),
        (View::Phone, true, Platform::Discord),
        (View::Phone, false, Platform::Telegram),
    ];
    for (n, (view, javascript, platform)) in visits.into_iter().enumerate() {
        let visit = Visit {
            view,
            javascript,
            platform,
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities(&chromium, visit))
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| panic!("{visit:?}: no browser session: {e}"));
        // The browser is closed whether the walk passes or not; then its failure is reported.
        let outcome = tokio::time::timeout(
            WALK,
            AssertUnwindSafe(walk(&app, &client, visit, n)).catch_unwind(),
        )
        .await;
        let _ = tokio::time::timeout(WAIT, client.close()).await;
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => panic!("{visit:?}: the browser did not finish within {WALK:?}"),
        }
    }
}
