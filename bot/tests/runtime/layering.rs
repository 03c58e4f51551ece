//! The bot crate reaches the core through its application layer only: no diesel, no connection.

use std::path::{Path, PathBuf};

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

/// Every line of the Rust files under `dir` containing one of `needles`, as `path:line: text`.
fn lines_with(dir: &Path, needles: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(dir, &mut files);
    assert!(
        files.len() > 20,
        "found only {} files under {dir:?}",
        files.len()
    );
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if needles.iter().any(|needle| line.contains(needle)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

/// The core writes links through the adapters' ports, and names no platform's addresses.
#[test]
fn core_src_knows_no_platform_addresses() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/src");
    let found = lines_with(&core, &["t.me/", "/link?token", "discord.com"]);
    assert!(
        found.is_empty(),
        "platform addresses in core/src:\n{}",
        found.join("\n")
    );
}

/// Fakes live in tally-testkit, so none is compiled into `tally`.
#[test]
fn no_fake_server_in_bot_src() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = lines_with(&root, &["FakeTelegram", "FakeDiscord", "mod fake"]);
    assert!(
        found.is_empty(),
        "fake servers in bot/src:\n{}",
        found.join("\n")
    );
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
                found.push(format!("bot/src/{relative}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "bot/src must go through tally_core::app (no diesel, no Tally::db(), no connection):\n{}",
        found.join("\n")
    );
}
