//! Start-up calls: who the bot is, its command menu, and how updates reach it.

use tally_core::Tally;
use tally_core::conversation::COMMANDS;
use teloxide::types::BotCommand;
use tracing::{info, warn};
use url::Url;

use super::api::{Api, ApiFailure};
use super::inbound::telegram_command_name;

/// The settings key holding the bot's username (the API builds `t.me` links from it).
pub const USERNAME_SETTING: &str = tally_core::services::linking::TELEGRAM_BOT_USERNAME;

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
        .set_telegram_bot_username(username.clone())
        .await
        .map_err(|e| anyhow::anyhow!("storing the bot's username: {e}"))?;
    info!(username = %username, "connected to Telegram");
    Ok(username)
}

/// The menu Telegram shows: every visible command whose name Telegram accepts.
pub fn menu() -> Vec<BotCommand> {
    COMMANDS
        .iter()
        .filter(|c| !c.hidden)
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

/// Registers the menu. A failure costs only the menu, so it is logged, not fatal.
pub async fn register_commands(api: &Api) {
    if let Err(e) = api.set_my_commands(menu()).await {
        warn!(error = %e, "couldn't register the command menu");
        crate::metrics::error("telegram_set_commands");
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
    fn menu_lists_visible_commands_in_telegram_form() {
        let menu = menu();
        assert!(menu.iter().any(|c| c.command == "spent"));
        assert!(menu.iter().all(|c| c.command != "start"));
        assert!(menu.iter().all(|c| !c.command.contains('-')));
        assert_eq!(
            menu.len(),
            COMMANDS.iter().filter(|c| !c.hidden).count(),
            "every visible command fits Telegram's rules"
        );
    }
}
