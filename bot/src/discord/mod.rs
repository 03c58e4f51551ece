//! The Discord adapter (serenity): slash commands, buttons, DMs and budget channels over the core.

mod autocomplete;
pub mod commands;
mod handler;
mod incoming;
mod membership;
mod notifier;
pub mod render;
mod respond;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use serenity::all::{
    ClientBuilder, CreateAllowedMentions, GatewayIntents, Http, HttpBuilder, ShardManager,
};
use tally_core::Tally;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use url::Url;

pub use handler::Outcome;
pub use notifier::DiscordNotifier;

use crate::config::{DiscordConfig, Secret, ShardRange};

/// How long an interaction may run before Tally defers its answer. Discord allows 3 seconds
/// for the first response; this leaves room for the round trip.
pub const DEFER_AFTER: Duration = Duration::from_millis(2000);

/// What the adapter needs; built from [`DiscordConfig`], adjustable by tests.
#[derive(Debug, Clone)]
pub struct Options {
    pub token: Secret,
    /// Where REST calls go instead of `https://discord.com` (a proxy or a test server).
    pub api_url: Option<Url>,
    /// Register commands in this guild only (instant, for development) instead of globally.
    pub guild_id: Option<u64>,
    pub shards: Option<ShardRange>,
    pub defer_after: Duration,
    /// Ask for member-remove events (the privileged Server Members intent).
    pub member_events: bool,
}

impl Options {
    pub fn from_config(c: &DiscordConfig) -> Options {
        Options {
            token: c.token.clone(),
            api_url: c.api_url.clone(),
            guild_id: c.guild_id,
            shards: c.shards,
            defer_after: DEFER_AFTER,
            member_events: c.member_events,
        }
    }
}

/// A running Discord client.
pub struct Discord {
    pub notifier: Arc<DiscordNotifier>,
    pub http: Arc<Http>,
    shard_manager: Arc<ShardManager>,
    task: JoinHandle<()>,
    outcomes: broadcast::Sender<Outcome>,
}

impl Discord {
    /// How each update ended from now on (for tests and load harnesses; metrics count them too).
    pub fn outcomes(&self) -> broadcast::Receiver<Outcome> {
        self.outcomes.subscribe()
    }

    /// Closes the gateway connections and waits for the client to stop.
    pub async fn shutdown(self) {
        self.shard_manager.shutdown_all().await;
        let _ = self.task.await;
    }
}

fn http(options: &Options) -> Http {
    let mut builder = HttpBuilder::new(options.token.expose())
        .default_allowed_mentions(CreateAllowedMentions::new());
    if let Some(url) = &options.api_url {
        // serenity only uses the proxy with its own rate limiter off; the proxy (or test
        // server) is then in charge of Discord's limits.
        builder = builder
            .proxy(url.as_str().trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    builder.build()
}

/// Connects to Discord and handles events in the background until [`Discord::shutdown`].
/// Rate limits (with serenity's limiter) and gateway reconnects are serenity's job.
pub async fn start(options: Options, tally: Tally) -> anyhow::Result<Discord> {
    let (outcomes, _) = broadcast::channel(1024);
    let handler = handler::Handler::new(
        tally.clone(),
        options.guild_id,
        options.defer_after,
        outcomes.clone(),
    );
    // DMs only: interactions need no intent, and DM content is readable without the
    // privileged message-content intent. Member-remove events need the privileged members
    // intent, so they are asked for only when the operator says it is switched on.
    let mut intents = GatewayIntents::DIRECT_MESSAGES;
    if options.member_events {
        intents |= GatewayIntents::GUILD_MEMBERS;
    }
    let mut client = ClientBuilder::new_with_http(http(&options), intents)
        .event_handler(handler)
        .await
        .context("setting up the Discord client")?;
    tally.add_membership_oracle(Arc::new(membership::DiscordOracle::new(
        client.http.clone(),
    )));
    let notifier = Arc::new(DiscordNotifier::new(client.http.clone(), tally));
    let shard_manager = client.shard_manager.clone();
    let http = client.http.clone();
    let shards = options.shards;
    let task = tokio::spawn(async move {
        let result = match shards {
            None => client.start_autosharded().await,
            // serenity's range is inclusive of its end, despite the `Range` type.
            Some(r) => client.start_shard_range(r.first..r.last, r.total).await,
        };
        match result {
            Ok(()) => tracing::info!("the Discord client stopped"),
            Err(e) => tracing::error!(error = %e, "the Discord client stopped"),
        }
    });
    Ok(Discord {
        notifier,
        http,
        shard_manager,
        task,
        outcomes,
    })
}
