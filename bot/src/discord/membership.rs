//! Who is in a Discord server's budget channel, asked over Discord's REST API for requests that
//! come from outside the channel (the API), and people leaving servers.

use std::sync::Arc;

use async_trait::async_trait;
use serenity::all::{
    Channel, ChannelId, GuildId, Http, HttpError, Member, PartialGuild, RoleId, StatusCode, UserId,
};
use tally_core::Tally;
use tally_core::domain::{Platform, Role};
use tally_core::services::membership::{MembershipOracle, Recorded, Standing};
use tracing::{info, warn};

pub struct DiscordOracle {
    http: Arc<Http>,
}

impl DiscordOracle {
    pub fn new(http: Arc<Http>) -> DiscordOracle {
        DiscordOracle { http }
    }
}

#[async_trait]
impl MembershipOracle for DiscordOracle {
    fn platform(&self) -> Platform {
        Platform::Discord
    }

    async fn standing(&self, chat_id: &str, user_id: &str) -> Option<Standing> {
        let (Some(channel), Some(user)) = (snowflake(chat_id), snowflake(user_id)) else {
            return Some(Standing::Gone);
        };
        let guild = match self.http.get_channel(ChannelId::new(channel)).await {
            Ok(Channel::Guild(c)) => c.guild_id,
            Ok(_) => return Some(Standing::Gone),
            Err(e) if not_found(&e) => return Some(Standing::Gone),
            Err(e) => return unknown(&e),
        };
        let member = match self.http.get_member(guild, UserId::new(user)).await {
            Ok(m) => m,
            Err(e) if not_found(&e) => return Some(Standing::Gone),
            Err(e) => return unknown(&e),
        };
        match self.http.get_guild(guild).await {
            Ok(g) => Some(Standing::Member(Some(role_in(&g, &member)))),
            // In the server for sure; the role stays what the chat last showed.
            Err(_) => Some(Standing::Member(None)),
        }
    }
}

/// Discord ids are non-zero integers; anything else cannot name a member.
fn snowflake(id: &str) -> Option<u64> {
    id.parse::<u64>().ok().filter(|n| *n != 0)
}

fn not_found(e: &serenity::Error) -> bool {
    matches!(e, serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) if r.status_code == StatusCode::NOT_FOUND)
}

fn unknown(e: &serenity::Error) -> Option<Standing> {
    warn!(error = %e, "couldn't ask Discord whether someone is in a server");
    crate::metrics::error("discord_get_member");
    None
}

/// The same rule the chat applies (Manage Channels or Administrator makes an admin), from the
/// server's roles; the owner counts as an admin, as in the chat. Channel overwrites are not
/// read here, so this can only under-state a role, never grant one.
fn role_in(guild: &PartialGuild, member: &Member) -> Role {
    if guild.owner_id == member.user.id {
        return Role::Admin;
    }
    let everyone = guild
        .roles
        .get(&RoleId::new(guild.id.get()))
        .map(|r| r.permissions)
        .unwrap_or_default();
    let permissions = member
        .roles
        .iter()
        .filter_map(|id| guild.roles.get(id))
        .fold(everyone, |p, r| p | r.permissions);
    if permissions.administrator() || permissions.manage_channels() {
        Role::Admin
    } else {
        Role::Member
    }
}

/// Someone left (or was removed from) `guild`: they lose access to the budgets of its channels.
pub async fn member_left(tally: &Tally, http: &Http, guild: GuildId, user: UserId) {
    let user_id = user.get().to_string();
    let ledgers = match tally
        .group_ledgers_of(Platform::Discord, user_id.clone())
        .await
    {
        Ok(l) => l,
        Err(e) => {
            warn!(error = %e, "couldn't look up a departing member's budgets");
            return;
        }
    };
    for (_, channel_id) in ledgers {
        let Some(channel) = snowflake(&channel_id) else {
            continue;
        };
        let in_guild = match http.get_channel(ChannelId::new(channel)).await {
            Ok(Channel::Guild(c)) => c.guild_id == guild,
            _ => false,
        };
        if !in_guild {
            continue;
        }
        let recorded = tally
            .record_standing(
                Platform::Discord,
                channel_id,
                user_id.clone(),
                Standing::Gone,
            )
            .await;
        match recorded {
            Ok(Recorded::Removed(ledger)) => {
                info!(
                    ledger = ledger.get(),
                    "a member left the server: access removed"
                );
            }
            Ok(_) => {}
            Err(e) => warn!(error = %e, "couldn't record a member leaving"),
        }
    }
}
