//! The Telegram adapter: long polling or a webhook, thin over the core's `Tally::handle`.

// Every update goes through `handler::Handler`: read into an `Incoming`, the sender's group role
// asked of Telegram, the core run (which commits the update's effects and its id in one
// transaction), then the reply sent as HTML. Polling moves its offset only past committed
// updates; the webhook answers 500 for an update that failed, so Telegram delivers it again.

mod api;
mod handler;
mod html;
mod inbound;
mod links;
mod notifier;
mod outbound;
mod polling;
mod retry;
mod roles;
mod setup;
mod updates;
mod webhook;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tally_core::Tally;
use tally_core::notify::Notifier;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::info;

pub use api::{Api, ApiFailure, Target};
pub use handler::{Stats, StatsSnapshot};
pub use links::{StartLinks, link_username};
pub use notifier::TelegramNotifier;
pub use polling::PollOptions;
pub use retry::RetryPolicy;
pub use teloxide::adaptors::throttle::Limits;
pub use webhook::SECRET_HEADER;

use crate::config::TelegramConfig;
use handler::Handler;

/// How the adapter behaves, beyond what configuration says. The defaults suit production;
/// tests and the load harness turn throttling off and shorten the waits.
#[derive(Debug, Clone)]
pub struct Options {
    /// Telegram's sending limits, kept by teloxide's `Throttle` (which queues, never drops);
    /// `None` sends without throttling.
    pub limits: Option<Limits>,
    pub retry: RetryPolicy,
    pub poll: PollOptions,
    /// How long a member's admin status is remembered; zero asks Telegram every time.
    pub role_ttl: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limits: Some(telegram_limits()),
            retry: RetryPolicy::default(),
            poll: PollOptions::default(),
            role_ttl: Duration::from_secs(30),
        }
    }
}

/// Telegram's published limits: about one message a second per chat, twenty a minute per group,
/// thirty a second overall. teloxide's per-minute chat limit also covers private chats.
pub fn telegram_limits() -> Limits {
    Limits {
        messages_per_sec_chat: 1,
        messages_per_min_chat: 20,
        messages_per_min_channel_or_supergroup: 20,
        messages_per_sec_overall: 30,
    }
}

/// A running Telegram adapter.
pub struct Telegram {
    handler: Arc<Handler>,
    router: Option<Router>,
    notifier: Arc<TelegramNotifier>,
    shutdown: watch::Sender<bool>,
    poller: Option<JoinHandle<()>>,
    username: String,
}

impl Telegram {
    /// Introduces the bot (`getMe`, storing its username; `setMyCommands`), then either sets the
    /// webhook (when `config.webhook_url` is set; merge [`Telegram::router`] into the HTTP
    /// server) or starts long polling in the background. Fails when Telegram can't be reached
    /// or refuses the token.
    pub async fn start(
        tally: Tally,
        config: &TelegramConfig,
        options: Options,
    ) -> anyhow::Result<Telegram> {
        let token = config.token.expose();
        let api = Api::new(
            token,
            config.api_url.clone(),
            options.limits,
            options.retry.clone(),
        )?;
        tally.add_membership_oracle(Arc::new(roles::TelegramOracle::new(api.clone())));
        tally.add_link_port(Arc::new(StartLinks));
        let handler = Arc::new(Handler::new(
            tally.clone(),
            api.clone(),
            roles::Roles::new(options.role_ttl),
        ));
        let username = setup::introduce(&api, &tally).await?;
        handler.set_username(&username);
        setup::register_commands(&api).await;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let (router, poller) = match &config.webhook_url {
            Some(url) => {
                let path = webhook::route_path(url)?;
                let secret =
                    webhook::secret(config.webhook_secret.as_ref().map(|s| s.expose()), token)?;
                setup::prepare_webhook(&api, url, &secret)
                    .await
                    .map_err(|e| anyhow::anyhow!("setting the Telegram webhook: {e}"))?;
                info!(path = %path, "Telegram updates arrive by webhook");
                let router = webhook::router(Arc::clone(&handler), &path, secret);
                (Some(router), None)
            }
            None => {
                setup::prepare_polling(&api)
                    .await
                    .map_err(|e| anyhow::anyhow!("preparing Telegram long polling: {e}"))?;
                let task = tokio::spawn(polling::run(
                    Arc::clone(&handler),
                    options.poll.clone(),
                    shutdown_rx,
                ));
                (None, Some(task))
            }
        };
        Ok(Telegram {
            notifier: Arc::new(TelegramNotifier::new(api)),
            handler,
            router,
            shutdown,
            poller,
            username,
        })
    }

    /// The webhook route (webhook mode only), to merge into the HTTP server's router.
    pub fn router(&self) -> Option<Router> {
        self.router.clone()
    }

    /// Posts digests and other unprompted messages.
    pub fn notifier(&self) -> Arc<dyn Notifier> {
        Arc::clone(&self.notifier) as Arc<dyn Notifier>
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    /// Counts of how updates went since start.
    pub fn stats(&self) -> StatsSnapshot {
        self.handler.stats.snapshot()
    }

    /// Stops polling after the batch in hand is handled.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.poller.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Telegram {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
