//! The real `tally` binary as a child process: started with the harness's settings, killed with SIGKILL.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

/// Where the `tally` binary is: `TALLY_BIN`, else next to the running executable (a test in
/// `target/debug/deps/` or a harness in `target/release/`), else the newest of
/// `$CARGO_TARGET_DIR/{debug,release}/tally`.
pub fn locate() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("TALLY_BIN").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        if !p.is_file() {
            bail!("TALLY_BIN={} is not a file", p.display());
        }
        return Ok(p);
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(2) {
            candidates.push(dir.join("tally"));
        }
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    candidates.push(target.join("debug/tally"));
    candidates.push(target.join("release/tally"));
    candidates
        .into_iter()
        .filter(|p| p.is_file())
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
        .with_context(|| {
            format!(
                "no tally binary found (looked next to this executable and under {}): build it with \
                 `cargo build -p tally-bot --bin tally` or point TALLY_BIN at one",
                target.display()
            )
        })
}

/// How to start one `tally run`: the binary, its environment, and a log file.
#[derive(Debug, Clone)]
pub struct Launch {
    pub bin: PathBuf,
    /// `TALLY_*` settings; every other `TALLY_*` of the harness's environment is removed.
    pub env: Vec<(String, String)>,
    /// Working directory; the log is `NAME.log` in it.
    pub dir: PathBuf,
    pub name: String,
}

/// A running `tally run`.
#[derive(Debug)]
pub struct Instance {
    child: Child,
    pub http_addr: SocketAddr,
}

impl Launch {
    pub fn log_path(&self) -> PathBuf {
        self.dir.join(format!("{}.log", self.name))
    }

    /// Starts `tally run` on a free port; `life` numbers the start in the log.
    pub fn start(&self, life: usize) -> anyhow::Result<Instance> {
        let http_addr = free_port()?;
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())?;
        writeln!(log, "=== start {life} on {http_addr} ===")?;
        let mut cmd = Command::new(&self.bin);
        cmd.arg("run").current_dir(&self.dir);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("TALLY_") {
                cmd.env_remove(key);
            }
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("TALLY_HTTP_ADDR", http_addr.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .kill_on_drop(true);
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        Ok(Instance { child, http_addr })
    }
}

impl Instance {
    /// SIGKILL, and waits until the process is gone.
    pub async fn kill(mut self) -> anyhow::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }

    /// Whether it exited by itself (a crash the harness did not cause), with its status.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

/// A port of 127.0.0.1 free a moment ago.
fn free_port() -> anyhow::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}
