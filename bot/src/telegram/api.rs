//! The Bot API calls the adapter makes, each bounded by a deadline and retried by one policy.

use std::future::Future;
use std::time::Duration;

use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::Limits;
use teloxide::payloads::{
    AnswerCallbackQuerySetters, EditMessageTextSetters, GetUpdatesSetters, SendDocumentSetters,
    SendMessageSetters, SendPhotoSetters, SetMyCommandsSetters, SetWebhookSetters,
};
use teloxide::requests::Requester;
use teloxide::types::{
    AllowedUpdate, BotCommand, BotCommandScope, CallbackQueryId, ChatId, ChatMember,
    InlineKeyboardMarkup, InputFile, Me, Message, MessageId, ParseMode, ReplyParameters, ThreadId,
    Update, UserId, WebhookInfo,
};
use teloxide::{Bot, RequestError};
use tracing::{debug, warn};
use url::Url;

use super::retry::{RetryPolicy, Verdict, classify};

/// The updates Tally reads: messages, button presses, and changes of membership in groups
/// (Telegram sends `chat_member` only to a bot that asks for it, and only where it is an admin).
pub const ALLOWED_UPDATES: [AllowedUpdate; 4] = [
    AllowedUpdate::Message,
    AllowedUpdate::CallbackQuery,
    AllowedUpdate::ChatMember,
    AllowedUpdate::MyChatMember,
];

/// A call that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ApiFailure {
    /// Telegram answered with a refusal that repeating would not change.
    #[error("Telegram refused {method}: {source}")]
    Refused {
        method: &'static str,
        source: RequestError,
    },
    /// No usable answer after every attempt the policy allows.
    #[error("{method} failed {attempts} times; last: {last}")]
    GaveUp {
        method: &'static str,
        attempts: u32,
        last: String,
    },
}

impl ApiFailure {
    pub fn refusal(&self) -> Option<&RequestError> {
        match self {
            ApiFailure::Refused { source, .. } => Some(source),
            ApiFailure::GaveUp { .. } => None,
        }
    }
}

/// The bot's connection to the Bot API. Cheap to clone.
#[derive(Clone)]
pub struct Api {
    bot: Bot,
    /// Sends go through teloxide's `Throttle` (Telegram's per-chat, per-group and overall
    /// limits) unless throttling is off; other methods are not rate-limited by Telegram.
    throttle: Option<Throttle<Bot>>,
    policy: RetryPolicy,
}

/// Where a message goes, and what it answers.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub chat: ChatId,
    pub reply_to: Option<MessageId>,
    /// The forum topic the conversation is in.
    pub thread: Option<ThreadId>,
}

impl Target {
    pub fn chat(chat: ChatId) -> Target {
        Target {
            chat,
            reply_to: None,
            thread: None,
        }
    }
}

impl Api {
    /// `limits: None` turns throttling off (tests and benchmarks). Must be called inside a tokio
    /// runtime: the throttle's worker is spawned on it.
    pub fn new(
        token: &str,
        api_url: Url,
        limits: Option<Limits>,
        policy: RetryPolicy,
    ) -> anyhow::Result<Api> {
        // The client's own timeout is a backstop behind the per-call deadlines below.
        let client = teloxide::net::default_reqwest_settings()
            .timeout(policy.call_timeout + Duration::from_secs(120))
            .build()
            .map_err(|e| anyhow::anyhow!("building the HTTP client for Telegram: {e}"))?;
        let bot = Bot::with_client(token, client).set_api_url(api_url);
        let throttle = limits.map(|l| Throttle::new_spawn(bot.clone(), l));
        Ok(Api {
            bot,
            throttle,
            policy,
        })
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Runs `call` until it succeeds, is refused, or the policy gives up. Each attempt has
    /// `deadline`; a 429 waits as long as Telegram asks.
    async fn retrying<T, F, Fut>(
        &self,
        method: &'static str,
        deadline: Duration,
        max_attempts: u32,
        mut call: F,
    ) -> Result<T, ApiFailure>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, RequestError>>,
    {
        let mut attempt: u32 = 0;
        loop {
            let (wait, last) = match tokio::time::timeout(deadline, call()).await {
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(e)) => match classify(&e) {
                    Verdict::RetryAfter(secs) => {
                        warn!(method, retry_after = secs, "Telegram asked us to slow down");
                        crate::metrics::error("telegram_retry_after");
                        (self.policy.retry_after(secs), e.to_string())
                    }
                    Verdict::Transient => {
                        debug!(method, error = %e, attempt, "Telegram call failed; will retry");
                        (self.policy.backoff(attempt), e.to_string())
                    }
                    Verdict::Permanent => return Err(ApiFailure::Refused { method, source: e }),
                },
                Err(_) => {
                    debug!(
                        method,
                        ?deadline,
                        attempt,
                        "Telegram call timed out; will retry"
                    );
                    (
                        self.policy.backoff(attempt),
                        format!("no answer within {deadline:?}"),
                    )
                }
            };
            attempt += 1;
            if attempt >= max_attempts {
                return Err(ApiFailure::GaveUp {
                    method,
                    attempts: attempt,
                    last,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    fn deadline(&self) -> Duration {
        self.policy.call_timeout
    }

    fn attempts(&self) -> u32 {
        self.policy.max_attempts.max(1)
    }

    pub async fn get_me(&self) -> Result<Me, ApiFailure> {
        self.retrying("getMe", self.deadline(), self.attempts(), || {
            self.bot.get_me().into_future()
        })
        .await
    }

    /// Sets the menu shown in the chats of `scope`.
    pub async fn set_my_commands(
        &self,
        commands: Vec<BotCommand>,
        scope: BotCommandScope,
    ) -> Result<(), ApiFailure> {
        self.retrying("setMyCommands", self.deadline(), self.attempts(), || {
            self.bot
                .set_my_commands(commands.clone())
                .scope(scope.clone())
                .into_future()
        })
        .await
        .map(drop)
    }

    pub async fn get_webhook_info(&self) -> Result<WebhookInfo, ApiFailure> {
        self.retrying("getWebhookInfo", self.deadline(), self.attempts(), || {
            self.bot.get_webhook_info().into_future()
        })
        .await
    }

    pub async fn delete_webhook(&self) -> Result<(), ApiFailure> {
        self.retrying("deleteWebhook", self.deadline(), self.attempts(), || {
            self.bot.delete_webhook().into_future()
        })
        .await
        .map(drop)
    }

    pub async fn set_webhook(&self, url: &Url, secret: &str) -> Result<(), ApiFailure> {
        self.retrying("setWebhook", self.deadline(), self.attempts(), || {
            self.bot
                .set_webhook(url.clone())
                .secret_token(secret)
                .allowed_updates(ALLOWED_UPDATES)
                .into_future()
        })
        .await
        .map(drop)
    }

    /// One long poll, one attempt: the polling loop owns retrying, since it must also watch for
    /// shutdown. The update list comes back raw (see [`super::updates`]).
    pub async fn get_updates(
        &self,
        offset: i32,
        timeout: Duration,
        limit: u8,
    ) -> Result<Vec<Update>, GetUpdatesError> {
        let secs = u32::try_from(timeout.as_secs()).unwrap_or(u32::MAX);
        let request = self
            .bot
            .get_updates()
            .offset(offset)
            .timeout(secs)
            .limit(limit)
            .allowed_updates(ALLOWED_UPDATES);
        let deadline = self.deadline() + timeout;
        match tokio::time::timeout(deadline, request.into_future()).await {
            Ok(Ok(updates)) => Ok(updates),
            Ok(Err(e)) => Err(GetUpdatesError::Request(e)),
            Err(_) => Err(GetUpdatesError::TimedOut(deadline)),
        }
    }

    pub async fn send_message(
        &self,
        target: Target,
        html: &str,
        keyboard: Option<&InlineKeyboardMarkup>,
        no_link_preview: bool,
    ) -> Result<Message, ApiFailure> {
        self.retrying(
            "sendMessage",
            self.deadline(),
            self.attempts(),
            || async move {
                macro_rules! build {
                    ($requester:expr) => {{
                        let mut request = $requester
                            .send_message(target.chat, html)
                            .parse_mode(ParseMode::Html);
                        if let Some(k) = keyboard {
                            request = request.reply_markup(k.clone());
                        }
                        if let Some(id) = target.reply_to {
                            let mut reply = ReplyParameters::new(id);
                            reply.allow_sending_without_reply = Some(true);
                            request = request.reply_parameters(reply);
                        }
                        if let Some(thread) = target.thread {
                            request = request.message_thread_id(thread);
                        }
                        if no_link_preview {
                            request =
                                request.link_preview_options(teloxide::types::LinkPreviewOptions {
                                    is_disabled: true,
                                    url: None,
                                    prefer_small_media: false,
                                    prefer_large_media: false,
                                    show_above_text: false,
                                });
                        }
                        request.await
                    }};
                }
                match &self.throttle {
                    Some(throttle) => build!(throttle),
                    None => build!(self.bot),
                }
            },
        )
        .await
    }

    /// Uploads an image (multipart) with an optional HTML caption and buttons.
    pub async fn send_photo(
        &self,
        target: Target,
        photo: &Photo<'_>,
        keyboard: Option<&InlineKeyboardMarkup>,
    ) -> Result<Message, ApiFailure> {
        self.retrying(
            "sendPhoto",
            self.deadline(),
            self.attempts(),
            || async move {
                macro_rules! build {
                    ($requester:expr) => {{
                        let file = InputFile::memory(photo.bytes.to_vec())
                            .file_name(photo.file_name.to_owned());
                        let mut request = $requester.send_photo(target.chat, file);
                        if let Some(caption) = photo.caption {
                            request = request.caption(caption).parse_mode(ParseMode::Html);
                        }
                        if let Some(k) = keyboard {
                            request = request.reply_markup(k.clone());
                        }
                        if let Some(id) = target.reply_to {
                            let mut reply = ReplyParameters::new(id);
                            reply.allow_sending_without_reply = Some(true);
                            request = request.reply_parameters(reply);
                        }
                        if let Some(thread) = target.thread {
                            request = request.message_thread_id(thread);
                        }
                        request.await
                    }};
                }
                match &self.throttle {
                    Some(throttle) => build!(throttle),
                    None => build!(self.bot),
                }
            },
        )
        .await
    }

    /// Uploads any file (multipart) as a document, with an optional HTML caption and buttons:
    /// exports go this way, so Telegram neither recompresses nor previews them as pictures.
    pub async fn send_document(
        &self,
        target: Target,
        file: &Photo<'_>,
        keyboard: Option<&InlineKeyboardMarkup>,
    ) -> Result<Message, ApiFailure> {
        self.retrying(
            "sendDocument",
            self.deadline(),
            self.attempts(),
            || async move {
                macro_rules! build {
                    ($requester:expr) => {{
                        let input = InputFile::memory(file.bytes.to_vec())
                            .file_name(file.file_name.to_owned());
                        let mut request = $requester.send_document(target.chat, input);
                        if let Some(caption) = file.caption {
                            request = request.caption(caption).parse_mode(ParseMode::Html);
                        }
                        if let Some(k) = keyboard {
                            request = request.reply_markup(k.clone());
                        }
                        if let Some(id) = target.reply_to {
                            let mut reply = ReplyParameters::new(id);
                            reply.allow_sending_without_reply = Some(true);
                            request = request.reply_parameters(reply);
                        }
                        if let Some(thread) = target.thread {
                            request = request.message_thread_id(thread);
                        }
                        request.await
                    }};
                }
                match &self.throttle {
                    Some(throttle) => build!(throttle),
                    None => build!(self.bot),
                }
            },
        )
        .await
    }

    pub async fn edit_message_text(
        &self,
        chat: ChatId,
        message: MessageId,
        html: &str,
        keyboard: Option<&InlineKeyboardMarkup>,
    ) -> Result<(), ApiFailure> {
        self.retrying("editMessageText", self.deadline(), self.attempts(), || {
            let mut request = self
                .bot
                .edit_message_text(chat, message, html)
                .parse_mode(ParseMode::Html);
            if let Some(k) = keyboard {
                request = request.reply_markup(k.clone());
            }
            request.into_future()
        })
        .await
        .map(drop)
    }

    pub async fn answer_callback_query(
        &self,
        id: &CallbackQueryId,
        notice: Option<&str>,
    ) -> Result<(), ApiFailure> {
        self.retrying(
            "answerCallbackQuery",
            self.deadline(),
            self.attempts(),
            || {
                let mut request = self.bot.answer_callback_query(id.clone());
                if let Some(text) = notice {
                    request = request.text(text);
                }
                request.into_future()
            },
        )
        .await
        .map(drop)
    }

    pub async fn get_chat_member(
        &self,
        chat: ChatId,
        user: UserId,
    ) -> Result<ChatMember, ApiFailure> {
        self.retrying("getChatMember", self.deadline(), self.attempts(), || {
            self.bot.get_chat_member(chat, user).into_future()
        })
        .await
    }
}

/// A file to upload (an image for `sendPhoto`, anything for `sendDocument`), and its caption
/// as Telegram HTML.
#[derive(Debug, Clone, Copy)]
pub struct Photo<'a> {
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    pub caption: Option<&'a str>,
}

/// Why one long poll brought nothing.
#[derive(Debug, thiserror::Error)]
pub enum GetUpdatesError {
    #[error("{0}")]
    Request(RequestError),
    #[error("no answer within {0:?}")]
    TimedOut(Duration),
}
