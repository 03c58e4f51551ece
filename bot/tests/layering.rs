//! The bot crate reaches the core through its application layer only: no diesel, no connection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

/// Places still allowed to reach the database, each with the change that removes it. Entries
/// are (file under `bot/src`, text on the line).
const ALLOWED: &[(&str, &str)] = &[
    // The Telegram handler re-reads `updates` after `Tally::handle` to tell a duplicate from
    // ignored chatter; helper O's change (`handle` returning an outcome) removes it. Drop this
    // entry when that lands.
    ("telegram/handler.rs", ".db()"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn bot_src_uses_no_diesel_and_no_db_handle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(
        files.len() > 20,
        "found only {} files under {root:?}",
        files.len()
    );
    let mut found = Vec::new();
    for file in &files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for needle in ["diesel", ".db()", "AnyConnection", ".checkout()"] {
                if !line.contains(needle) {
                    continue;
                }
                let allowed = ALLOWED.iter().any(|(f, t)| *f == relative && *t == needle);
                if !allowed {
                    found.push(format!("bot/src/{relative}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "bot/src must go through tally_core::app (no diesel, no Tally::db(), no connection):\n{}",
        found.join("\n")
    );
}
