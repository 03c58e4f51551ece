//! Resident memory of an idle `tally run`: starts the release binary on a fresh SQLite database,
//! waits until `/healthz` answers, lets it idle, and reads VmRSS / VmHWM from /proc.
//!
//! cargo build --release -p tally-bot && cargo run --release -p tally-bench --bin idle_rss

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("{field} not in /proc/{pid}/status"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let bin = std::env::var("TALLY_BIN").unwrap_or_else(|_| "target/release/tally".to_owned());
    let dir = std::env::temp_dir().join(format!("tally-idle-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut child = Command::new(&bin)
        .arg("run")
        .env(
            "TALLY_DATABASE_URL",
            format!("sqlite://{}", dir.join("idle.db").display()),
        )
        .env("TALLY_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("TALLY_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            anyhow::anyhow!(
                "can't start {bin} (build it with cargo build --release -p tally-bot): {e}"
            )
        })?;
    let url = format!("http://127.0.0.1:{port}/healthz");
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if client
            .get(&url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            anyhow::bail!("tally run did not become healthy within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "healthy after {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    // Idle for a while, sampling: the figure is what an idle instance keeps resident.
    let mut peak_rss = 0;
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        peak_rss = peak_rss.max(status_kib(child.id(), "VmRSS:")?);
    }
    let hwm = status_kib(child.id(), "VmHWM:")?;
    println!(
        "idle tally run: VmRSS {:.1} MiB (high-water mark {:.1} MiB)",
        peak_rss as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
    child.kill()?;
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
