//! `tally run`: the HTTP server and every configured chat adapter, until Ctrl-C or SIGTERM.

use std::sync::Arc;

use tally_core::domain::Platform;
use tally_core::notify::Notifier;
use tokio::net::TcpListener;

use crate::http::server::{self, ServeOptions};

use crate::config::Config;
use crate::outbox::OutboxSender;
use crate::rates::RatesFetcher;
use crate::recurring::Poster;
use crate::scheduler::Scheduler;
use crate::{app, discord, http, telegram};

/// How often this instance looks for due digests; a digest goes out within this of its time.
const DIGEST_TICK: std::time::Duration = std::time::Duration::from_secs(60);
/// How often due recurring entries are looked for: a minute late at most.
pub const RECURRING_TICK: std::time::Duration = std::time::Duration::from_secs(60);

/// How often unsent replies are looked for; a reply waits its lease (`TALLY_OUTBOX_GRACE_SECS`)
/// before the sender takes it over.
const OUTBOX_TICK: std::time::Duration = std::time::Duration::from_secs(5);

/// How often this instance checks whether today's exchange rates still need fetching.
pub(crate) const RATES_TICK: std::time::Duration = std::time::Duration::from_secs(60 * 60);

pub fn run(config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let db = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || app::open_database(&config)).await??
    };
    let tally = app::build_tally(&config, db, None);
    let mut enabled: Vec<&str> = Vec::new();
    // Platforms that can post digests; each adapter adds its own.
    let mut notifiers: Vec<Arc<dyn Notifier>> = Vec::new();
    let mut extra = axum::Router::new();
    // Chat adapters start here (Telegram, Discord), each adding its routes, tasks and notifier.
    let mut telegram = None;
    if let Some(tg) = &config.telegram {
        let adapter =
            telegram::Telegram::start(tally.clone(), tg, telegram::Options::default()).await?;
        if let Some(webhook) = adapter.router() {
            extra = extra.merge(webhook);
        }
        notifiers.push(adapter.notifier());
        telegram = Some(adapter);
        enabled.push("Telegram");
    }
    let mut discord = None;
    if let Some(d) = &config.discord {
        let client = discord::start(discord::Options::from_config(d), tally.clone()).await?;
        notifiers.push(client.notifier.clone());
        discord = Some(client);
        enabled.push("Discord");
    }
    if enabled.is_empty() {
        eprintln!(
            "No chat platform is configured, so only the HTTP API runs.\n\
             Set TALLY_TELEGRAM_TOKEN to enable Telegram, TALLY_DISCORD_TOKEN to enable Discord,\n\
             and TALLY_OPENAI_API_KEY or TALLY_OPENAI_BASE_URL for the LLM assistant."
        );
    }
    // With a metrics address, /metrics moves there and off the public API listener.
    let metrics_at = match config.metrics_addr {
        Some(_) => http::Metrics::Elsewhere,
        None => http::Metrics::Here,
    };
    let router = http::surface(tally.clone(), extra, metrics_at);
    // Digests go out through whichever notifiers the adapters registered above.
    let digests = Scheduler::new(tally.clone(), notifiers.clone()).spawn(DIGEST_TICK);
    // Schedules made over the API have no chat to tell, but are posted here all the same.
    let recurring =
        Poster::new(tally.clone(), notifiers.clone(), &[Platform::Web]).spawn(RECURRING_TICK);
    // Replies a crash or a failed send left unsent: at start, then every few seconds.
    let outbox = OutboxSender::new(tally.clone(), notifiers.clone()).spawn(OUTBOX_TICK);
    let rates = match &config.rates_url {
        Some(base) => Some(RatesFetcher::new(tally.clone(), base.clone())?.spawn(RATES_TICK)),
        None => None,
    };
    let listener = TcpListener::bind(config.http_addr).await.map_err(|e| {
        anyhow::anyhow!("can't listen on TALLY_HTTP_ADDR {}: {e}", config.http_addr)
    })?;
    let metrics_listener = match config.metrics_addr {
        Some(addr) => Some(
            TcpListener::bind(addr)
                .await
                .map_err(|e| anyhow::anyhow!("can't listen on TALLY_METRICS_ADDR {addr}: {e}"))?,
        ),
        None => None,
    };
    tracing::info!(
        addr = %config.http_addr,
        metrics_addr = ?config.metrics_addr,
        adapters = ?enabled,
        "tally is running"
    );
    let options = ServeOptions::from_config(&config);
    // One signal stops both listeners.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let metrics = metrics_listener.map(|listener| {
        let options = ServeOptions {
            client_ip_header: None,
            ..options.clone()
        };
        tokio::spawn(server::serve(
            listener,
            http::metrics_router(),
            options,
            stopped(stop_rx.clone()),
        ))
    });
    server::serve(listener, router, options, stopped(stop_rx)).await;
    if let Some(metrics) = metrics {
        let _ = metrics.await;
    }
    digests.abort();
    recurring.abort();
    outbox.abort();
    if let Some(rates) = rates {
        rates.abort();
    }
    if let Some(d) = discord {
        d.shutdown().await;
    }
    if let Some(adapter) = telegram {
        adapter.stop().await;
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, so containers stop cleanly.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
