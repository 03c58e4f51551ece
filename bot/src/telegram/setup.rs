//! Start-up calls: who the bot is, its command menu, and how updates reach it.

use tally_core::Tally;
use tally_core::conversation::table::{self, CommandSpec};
use tally_core::domain::{ChatKind, Platform};
use teloxide::types::{BotCommand, BotCommandScope};
use tracing::{info, warn};
use url::Url;

use super::api::{Api, ApiFailure};
use super::inbound::telegram_command_name;

/// Asks `getMe` and stores the username in the database for every instance and the API.
pub async fn introduce(api: &Api, tally: &Tally) -> anyhow::Result<String> {
    let me = api.get_me().await.map_err(|e| match e.refusal() {
        Some(teloxide::RequestError::Api(teloxide::ApiError::InvalidToken)) => {
            anyhow::anyhow!("Telegram rejected TALLY_TELEGRAM_TOKEN (getMe: unauthorized)")
        }
        _ => anyhow::anyhow!("can't reach Telegram at TALLY_TELEGRAM_API_URL: {e}"),
    })?;
    // teloxide's `Me::username` panics without one; every bot has one, but don't bet on it.
    let username = me
        .user
        .username
        .clone()
        .filter(|u| !u.is_empty())
        .ok_or_else(|| anyhow::anyhow!("Telegram's getMe answered without a username"))?;
    tally
        .set_bot_handle(Platform::Telegram, username.clone())
        .await
        .map_err(|e| anyhow::anyhow!("storing the bot's username: {e}"))?;
    info!(username = %username, "connected to Telegram");
    Ok(username)
}

/// The menus Telegram shows, one per scope, from the core's command table: private chats get
/// the private commands; groups the group ones, and their administrators also those that
/// manage the chat.
pub fn menus() -> Vec<(BotCommandScope, Vec<BotCommand>)> {
    vec![
        (
            BotCommandScope::AllPrivateChats,
            menu(table::offered(ChatKind::Private)),
        ),
        (
            BotCommandScope::AllGroupChats,
            menu(table::offered(ChatKind::Group).filter(|c| !c.manage)),
        ),
        (
            BotCommandScope::AllChatAdministrators,
            menu(table::offered(ChatKind::Group)),
        ),
    ]
}

/// The entries in Telegram's form (`budget-channel` is `budget_channel` there).
fn menu<'a>(entries: impl Iterator<Item = &'a CommandSpec>) -> Vec<BotCommand> {
    entries
        .filter_map(|c| {
            let name = telegram_command_name(c.name);
            let valid = (1..=32).contains(&name.len())
                && name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
            let description: String = c.description.chars().take(256).collect();
            (valid && description.chars().count() >= 3).then(|| BotCommand::new(name, description))
        })
        .collect()
}

/// Registers the menus. A failure costs only a menu, so it is logged, not fatal.
pub async fn register_commands(api: &Api) {
    for (scope, commands) in menus() {
        if let Err(e) = api.set_my_commands(commands, scope).await {
            warn!(error = %e, "couldn't register the command menu");
            crate::metrics::error("telegram_set_commands");
        }
    }
}

/// Polling needs no webhook set (Telegram refuses getUpdates while one is).
pub async fn prepare_polling(api: &Api) -> Result<(), ApiFailure> {
    let info = api.get_webhook_info().await?;
    if info.url.is_some() {
        info!("removing the webhook so that long polling can start");
        api.delete_webhook().await?;
    }
    Ok(())
}

/// Points Telegram at our webhook. Every instance does the same, so it is harmless to repeat.
pub async fn prepare_webhook(api: &Api, url: &Url, secret: &str) -> Result<(), ApiFailure> {
    api.set_webhook(url, secret).await?;
    info!(url = %url, "webhook set");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menus_list_the_offered_commands_in_telegram_form() {
        let menus = menus();
        for (_, menu) in &menus {
            assert!(menu.iter().any(|c| c.command == "spent"));
            assert!(menu.iter().all(|c| c.command != "start"));
            assert!(menu.iter().all(|c| !c.command.contains('-')));
        }
        let names =
            |i: usize| -> Vec<&str> { menus[i].1.iter().map(|c| c.command.as_str()).collect() };
        assert_eq!(
            names(0).len(),
            table::offered(ChatKind::Private).count(),
            "every offered command fits Telegram's rules"
        );
        assert!(!names(0).contains(&"budget_channel"));
        assert!(!names(1).contains(&"budget_channel"));
        assert!(names(2).contains(&"budget_channel"));
    }
}
