//! Gateway events in, core calls out: commands, autocomplete, buttons, menus and DMs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serenity::all::{
    CommandDataOptionValue, CommandInteraction, ComponentInteraction, ComponentInteractionDataKind,
    Context, CreateAutocompleteResponse, CreateInteractionResponse, EventHandler, GuildId, Http,
    Interaction, Member, Message, Ready, User,
};
use tally_core::Tally;
use tally_core::conversation::table::Suggest;
use tally_core::conversation::{Action, Command, Content, Incoming, Outcome as Handled, Reply};
use tally_core::domain::Platform;
use tally_core::services::outbox::ReplyToken;
use tokio::sync::broadcast;
use tracing::{Instrument, debug, error, info, info_span, warn};

use super::incoming::{self, Place, Who};
use super::render::MENU_PREFIX;
use super::respond::{self, Answer};
use super::{autocomplete, commands};
use crate::metrics;

const PLATFORM: &str = "discord";

/// How one update ended, as counted in the metrics: `handled`, `duplicate`, `ignored` or
/// `failed`, with the interaction's or message's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub update_id: String,
    pub outcome: &'static str,
}

pub struct Handler {
    tally: Tally,
    guild_id: Option<u64>,
    defer_after: Duration,
    registered: AtomicBool,
    outcomes: broadcast::Sender<Outcome>,
}

impl Handler {
    pub fn new(
        tally: Tally,
        guild_id: Option<u64>,
        defer_after: Duration,
        outcomes: broadcast::Sender<Outcome>,
    ) -> Handler {
        Handler {
            tally,
            guild_id,
            defer_after,
            registered: AtomicBool::new(false),
            outcomes,
        }
    }

    fn outcome(&self, update_id: &str, outcome: &'static str) {
        metrics::update(PLATFORM, outcome);
        // Nobody listening is the normal case outside tests.
        let _ = self.outcomes.send(Outcome {
            update_id: update_id.to_owned(),
            outcome,
        });
    }

    /// Registers the commands (bulk overwrite, so it is idempotent and removes stale ones).
    async fn register(&self, http: &Http) {
        if self.registered.swap(true, Ordering::SeqCst) {
            return;
        }
        let commands = commands::registration();
        let result = match self.guild_id {
            Some(g) => GuildId::new(g).set_commands(http, commands).await,
            None => serenity::all::Command::set_global_commands(http, commands).await,
        };
        match result {
            Ok(done) => {
                info!(commands = done.len(), guild = ?self.guild_id, "slash commands registered")
            }
            Err(e) => {
                // Try again at the next READY (a reconnect) rather than run without commands.
                self.registered.store(false, Ordering::SeqCst);
                error!(error = %e, "registering slash commands failed");
                metrics::error("discord_register");
            }
        }
    }

    async fn command(&self, http: &Http, ix: CommandInteraction) {
        let who = Who::of(&ix.user, ix.member.as_deref());
        let command = commands::command(&ix.data);
        let spec = commands::find(&ix.data.name);
        let group_ledger = matches!(command, Command::GroupLedger { .. });
        let title = ix.channel.as_ref().and_then(|c| c.name.clone());
        let place = if group_ledger && ix.guild_id.is_some() {
            // Enabling happens in a channel that has no budget yet: always the channel's ledger.
            Place::Channel {
                channel_id: ix.channel_id.get().to_string(),
                title,
                ledger: None,
            }
        } else if spec.is_some_and(|s| s.personal) {
            Place::Personal
        } else {
            match Place::find(&self.tally, ix.guild_id, ix.channel_id, title).await {
                Ok(p) => p,
                Err(e) => {
                    return self
                        .failed(Answer::private(http, ix.id, &ix.token), &e)
                        .await;
                }
            }
        };
        // Switching a channel's ledger concerns everyone there only when it was allowed.
        let ephemeral = !place.is_public() || (group_ledger && !who.manages);
        let (chat, sender) = incoming::chat_and_sender(&who, &place);
        let slow = matches!(command, Command::Ask { .. } | Command::Advice)
            && self.tally.fallback().is_some();
        let msg = incoming::incoming(
            &self.tally,
            ix.id.get().to_string(),
            chat,
            sender,
            Content::Typed(command),
        );
        let mut answer = Answer {
            http,
            id: ix.id,
            token: &ix.token,
            ephemeral,
            component: false,
            deferred: false,
        };
        self.answer(&mut answer, msg, slow).await;
    }

    async fn component(&self, http: &Http, ix: ComponentInteraction) {
        let who = Who::of(&ix.user, ix.member.as_ref());
        let data = match &ix.data.kind {
            ComponentInteractionDataKind::StringSelect { values } => values.first().cloned(),
            ComponentInteractionDataKind::Button if !ix.data.custom_id.starts_with(MENU_PREFIX) => {
                Some(ix.data.custom_id.clone())
            }
            _ => None,
        };
        let Some(action) = data.as_deref().and_then(Action::decode) else {
            self.outcome(&ix.id.to_string(), "ignored");
            debug!("a component Tally did not make was used");
            let reply = Reply::text(tally_core::conversation::Text::plain_str(
                "That button doesn't work any more.",
            ));
            if let Err(e) = Answer::private(http, ix.id, &ix.token).send(&reply).await {
                send_failed(&e);
            }
            return;
        };
        let title = ix.channel.as_ref().and_then(|c| c.name.clone());
        let place = match Place::find(&self.tally, ix.guild_id, ix.channel_id, title).await {
            Ok(p) => p,
            Err(e) => {
                return self
                    .failed(Answer::private(http, ix.id, &ix.token), &e)
                    .await;
            }
        };
        let ephemeral = !place.is_public();
        let (chat, sender) = incoming::chat_and_sender(&who, &place);
        let msg = incoming::incoming(
            &self.tally,
            ix.id.get().to_string(),
            chat,
            sender,
            Content::Action(action),
        );
        let mut answer = Answer {
            http,
            id: ix.id,
            token: &ix.token,
            ephemeral,
            component: true,
            deferred: false,
        };
        self.answer(&mut answer, msg, false).await;
    }

    /// Runs the update through the core and answers within Discord's deadline: defers at once
    /// when the work is known to be slow (or `defer_after` is zero), or when it has not
    /// finished after `defer_after`.
    async fn answer(&self, answer: &mut Answer<'_>, msg: Incoming, slow: bool) {
        let update_id = msg.update_id.clone();
        if slow || (self.defer_after.is_zero() && !answer.component) {
            // A redelivered interaction must not be acknowledged a second time.
            let seen = self
                .tally
                .update_seen(Platform::Discord, update_id.clone())
                .await;
            if matches!(seen, Ok(true)) {
                self.outcome(&update_id, "duplicate");
                return;
            }
            self.defer(answer).await;
        }
        let work = self.tally.handle(msg);
        tokio::pin!(work);
        let result = if answer.deferred || answer.component {
            work.await
        } else {
            match tokio::time::timeout(self.defer_after, &mut work).await {
                Ok(r) => r,
                Err(_) => {
                    debug!("still working: deferring");
                    self.defer(answer).await;
                    work.await
                }
            }
        };
        let sent = match result {
            Ok(Handled::Replied(delivery)) => {
                self.outcome(&update_id, "handled");
                if answer.deferred && delivery.id.is_some() {
                    // Should this process die before answering, the outbox sender completes
                    // the deferred response with the token, while Discord still takes it.
                    let token = ReplyToken::new(answer.token);
                    if let Err(e) = self
                        .tally
                        .keep_reply_token(Platform::Discord, update_id.clone(), token)
                        .await
                    {
                        warn!(error = %e, "couldn't keep the interaction for the outbox");
                    }
                }
                let sent = answer.send(&delivery.reply).await;
                if sent.is_ok() {
                    self.sent(delivery.rows()).await;
                }
                sent
            }
            Ok(outcome) => {
                self.outcome(&update_id, outcome.label());
                debug!(outcome = outcome.label(), "nothing to send");
                if answer.deferred {
                    // A deferred answer waits for a reply that won't come: take it back.
                    answer
                        .http
                        .delete_original_interaction_response(answer.token)
                        .await
                } else {
                    Ok(())
                }
            }
            Err(e) => {
                self.outcome(&update_id, "failed");
                error!(error = %e, "handling an interaction failed");
                answer.failure().await
            }
        };
        if let Err(e) = sent {
            send_failed(&e);
        }
    }

    /// Marks a reply's outbox row sent. Left unmarked (a failed send, a crash), the outbox
    /// sender posts it later through the notifier: to the channel, or in a DM for a personal one.
    async fn sent(&self, rows: Vec<i64>) {
        if let Err(e) = self.tally.mark_sent(rows.clone()).await {
            warn!(error = %e, outbox = ?rows, "couldn't mark a reply sent; it may be sent again");
        }
    }

    async fn defer(&self, answer: &mut Answer<'_>) {
        match answer.defer().await {
            Ok(()) => answer.deferred = true,
            Err(e) => send_failed(&e),
        }
    }

    /// Finding the place failed (the database): apologise privately.
    async fn failed(&self, answer: Answer<'_>, e: &tally_core::Error) {
        self.outcome(&answer.id.to_string(), "failed");
        error!(error = %e, "reading the channel's ledger failed");
        if let Err(e) = answer.failure().await {
            send_failed(&e);
        }
    }

    async fn autocomplete(&self, http: &Http, ix: CommandInteraction) {
        let Some(focused) = ix.data.autocomplete() else {
            return;
        };
        let suggests = commands::find(&ix.data.name).is_some_and(|spec| {
            let sub = ix.data.options.iter().find_map(|o| match &o.value {
                CommandDataOptionValue::SubCommand(_) => Some(o.name.as_str()),
                _ => None,
            });
            commands::declared(spec, sub)
                .iter()
                .any(|o| o.name == focused.name && o.suggest == Some(Suggest::Categories))
        });
        let choices = if suggests {
            let title = ix.channel.as_ref().and_then(|c| c.name.clone());
            let place = Place::find(&self.tally, ix.guild_id, ix.channel_id, title).await;
            let user = ix.user.id.get().to_string();
            match place {
                Ok(place) => {
                    autocomplete::categories(&self.tally, user, place, &ix.data.name, focused.value)
                        .await
                }
                Err(e) => Err(e),
            }
        } else {
            Ok(Vec::new())
        };
        let choices = choices.unwrap_or_else(|e| {
            warn!(error = %e, "category suggestions failed");
            metrics::error("discord_autocomplete");
            Vec::new()
        });
        self.outcome(&ix.id.to_string(), "handled");
        let response = CreateInteractionResponse::Autocomplete(
            CreateAutocompleteResponse::new().set_choices(choices),
        );
        if let Err(e) = http
            .create_interaction_response(ix.id, &ix.token, &response, Vec::new())
            .await
        {
            send_failed(&e);
        }
    }

    /// A direct message: free text (or a typed `/command`) as in a private chat.
    async fn direct_message(&self, http: &Http, m: Message) {
        let who = Who::of(&m.author, None);
        let (chat, sender) = incoming::chat_and_sender(&who, &Place::Personal);
        let update_id = m.id.get().to_string();
        let msg = incoming::incoming(
            &self.tally,
            update_id.clone(),
            chat,
            sender,
            Content::from_text(&m.content),
        );
        if self.tally.fallback().is_some() {
            // An LLM answer can take a while: show that something is happening.
            let _ = http.broadcast_typing(m.channel_id).await;
        }
        let sent = match self.tally.handle(msg).await {
            Ok(Handled::Replied(delivery)) => {
                self.outcome(&update_id, "handled");
                let sent = respond::to_channel(http, m.channel_id, &delivery.reply).await;
                if sent.is_ok() {
                    self.sent(delivery.rows()).await;
                }
                sent
            }
            Ok(outcome) => {
                self.outcome(&update_id, outcome.label());
                Ok(())
            }
            Err(e) => {
                self.outcome(&update_id, "failed");
                error!(error = %e, "handling a direct message failed");
                respond::to_channel(
                    http,
                    m.channel_id,
                    &Reply::text(tally_core::conversation::Text::plain_str(respond::FAILURE)),
                )
                .await
            }
        };
        if let Err(e) = sent {
            send_failed(&e);
        }
    }
}

fn send_failed(e: &serenity::Error) {
    warn!(error = %e, "sending to Discord failed");
    metrics::error("discord_send");
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        info!(shard = ctx.shard_id.0, user = %ready.user.name, "connected to Discord");
        // One instance registers: the one running shard 0.
        if ctx.shard_id.0 == 0 {
            self.register(&ctx.http).await;
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let id = interaction.id();
        let span = info_span!("discord", platform = PLATFORM, interaction = %id, kind = ?interaction.kind());
        async {
            match interaction {
                Interaction::Command(ix) => self.command(&ctx.http, ix).await,
                Interaction::Autocomplete(ix) => self.autocomplete(&ctx.http, ix).await,
                Interaction::Component(ix) => self.component(&ctx.http, ix).await,
                _ => self.outcome(&id.to_string(), "ignored"),
            }
        }
        .instrument(span)
        .await;
    }

    async fn guild_member_removal(
        &self,
        ctx: Context,
        guild: GuildId,
        user: User,
        _member: Option<Member>,
    ) {
        let span = info_span!("discord", platform = PLATFORM, event = "member_removal");
        super::membership::member_left(&self.tally, &ctx.http, guild, user.id)
            .instrument(span)
            .await;
    }

    async fn message(&self, ctx: Context, m: Message) {
        // Server channels are for slash commands; bots (Tally included) are never answered.
        if m.guild_id.is_some() || m.author.bot || m.content.trim().is_empty() {
            return;
        }
        let span = info_span!("discord", platform = PLATFORM, message = %m.id);
        self.direct_message(&ctx.http, m).instrument(span).await;
    }
}
