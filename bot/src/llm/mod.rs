//! The LLM fallback: questions the rules don't cover, and messages they can't read, answered by an
//! OpenAI-compatible model with tools over the asker's own ledger.

mod client;
mod prompt;
mod record;
mod tools;

use std::sync::Arc;

use async_trait::async_trait;
use openai_api_rs::v1::chat_completion::{ChatCompletionMessage, Content, MessageRole, ToolCall};
use serde_json::{Map, Value, json};
use tally_core::app::llm::{LlmStore, TurnRole};
use tally_core::clock::{Clock, SystemClock};
use tally_core::conversation::Text;
use tally_core::conversation::fallback::{
    Fallback, FallbackAnswer, FallbackError, FallbackRequest,
};
use tally_core::db::Db;
use tally_core::parser::Intent;
use tracing::{debug, warn};

use crate::config::OpenAiConfig;
use client::ChatClient;

/// Model calls per message: a question may need a tool or two before the answer.
const MAX_ROUNDS: usize = 4;
/// Tool calls carried out per round; more are answered with a refusal.
const MAX_CALLS_PER_ROUND: usize = 4;
/// The longest answer passed on to the chat.
const MAX_ANSWER_CHARS: usize = 1500;

/// The fallback the core asks when its rules are unsure. Holds its own database handle, and
/// only ever reads the ledger and account named in the request.
pub struct LlmFallback {
    store: LlmStore,
    client: ChatClient,
    daily_tokens: u64,
    clock: Arc<dyn Clock>,
}

impl LlmFallback {
    pub fn new(db: Db, config: &OpenAiConfig) -> anyhow::Result<LlmFallback> {
        Ok(LlmFallback {
            store: LlmStore::new(db),
            client: ChatClient::new(config)?,
            daily_tokens: config.daily_tokens,
            clock: Arc::new(SystemClock),
        })
    }

    /// The clock that stamps stored turns (the `Tally`'s, so tests move one clock).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> LlmFallback {
        self.clock = clock;
        self
    }

    async fn check_budget(&self, request: &FallbackRequest) -> Result<(), FallbackError> {
        let used = self
            .store
            .tokens_used(request.account, request.today)
            .await
            .map_err(unprepared)?;
        if u64::try_from(used).unwrap_or(0) >= self.daily_tokens {
            debug!(used, "daily LLM allowance used up");
            return Err(FallbackError::BudgetExceeded);
        }
        Ok(())
    }

    async fn remember(&self, request: &FallbackRequest, answer: &str) -> Result<(), FallbackError> {
        self.store
            .remember(
                request.account,
                request.chat_key.clone(),
                request.text.clone(),
                answer.to_owned(),
                self.clock.now(),
            )
            .await
            .map_err(unprepared)
    }
}

fn unprepared(e: tally_core::Error) -> FallbackError {
    warn!(error = %e, "LLM bookkeeping failed");
    FallbackError::Unavailable("I couldn't prepare the question".into())
}

fn message(role: MessageRole, content: String) -> ChatCompletionMessage {
    ChatCompletionMessage {
        role,
        content: Content::Text(content),
        name: None,
        tool_calls: None,
        tool_call_id: None,
    }
}

#[async_trait]
impl Fallback for LlmFallback {
    async fn interpret(&self, request: FallbackRequest) -> Result<FallbackAnswer, FallbackError> {
        self.check_budget(&request).await?;
        let context = self
            .store
            .context(&request, prompt::FINDINGS_IN_CONTEXT)
            .await
            .map_err(unprepared)?;
        let mut messages = vec![message(
            MessageRole::system,
            prompt::system(&request, &prompt::context(&context)),
        )];
        for (role, content) in context.turns {
            let role = match role {
                TurnRole::User => MessageRole::user,
                TurnRole::Assistant => MessageRole::assistant,
            };
            messages.push(message(role, content));
        }
        messages.push(message(MessageRole::user, request.text.clone()));
        let tools = tools::all();

        for round in 0..MAX_ROUNDS {
            if round > 0 {
                self.check_budget(&request).await?;
            }
            let response = self
                .client
                .complete(messages.clone(), tools.clone())
                .await?;
            let spent = i64::from(response.usage.total_tokens.max(0));
            self.store
                .add_tokens(request.account, request.today, spent)
                .await
                .map_err(unprepared)?;
            let Some(choice) = response.choices.into_iter().next() else {
                return Err(FallbackError::Nonsense("it sent no answer".into()));
            };
            let calls: Vec<ToolCall> = choice.message.tool_calls.unwrap_or_default();
            if calls.is_empty() {
                let answer: String = choice
                    .message
                    .content
                    .unwrap_or_default()
                    .trim()
                    .chars()
                    .take(MAX_ANSWER_CHARS)
                    .collect();
                if answer.is_empty() {
                    return Err(FallbackError::Nonsense("it sent an empty answer".into()));
                }
                self.remember(&request, &answer).await?;
                return Ok(FallbackAnswer::Answer(Text::plain_str(answer)));
            }
            if let Some(call) = calls
                .iter()
                .find(|c| c.function.name.as_deref() == Some(tools::RECORD))
            {
                let add = record::read(call.function.arguments.as_deref().unwrap_or(""), &request)?;
                let summary = format!(
                    "(Proposed to record {} {} {} in {} on {}; waiting for the user to confirm.)",
                    add.kind.as_str(),
                    add.amount,
                    add.currency.code(),
                    add.category,
                    add.date
                );
                self.remember(&request, &summary).await?;
                return Ok(FallbackAnswer::Intent(Intent::Add(add)));
            }
            let mut assistant = message(
                MessageRole::assistant,
                choice.message.content.unwrap_or_default(),
            );
            assistant.tool_calls = Some(calls.clone());
            messages.push(assistant);
            for (i, call) in calls.into_iter().enumerate() {
                let result = if i >= MAX_CALLS_PER_ROUND {
                    json!({ "error": "too many tool calls at once; ask again for what you still need" })
                } else {
                    self.run_tool(&request, &call).await?
                };
                let mut reply = message(MessageRole::tool, result.to_string());
                reply.tool_call_id = Some(call.id);
                messages.push(reply);
            }
        }
        Err(FallbackError::Nonsense(
            "it kept asking for more data".into(),
        ))
    }
}

impl LlmFallback {
    /// Carries out one read-only tool call. Unreadable arguments end the conversation (the
    /// offline answer stands); arguments that read but don't fit are told back to the model.
    async fn run_tool(
        &self,
        request: &FallbackRequest,
        call: &ToolCall,
    ) -> Result<Value, FallbackError> {
        let name = call.function.name.clone().unwrap_or_default();
        let raw = call.function.arguments.as_deref().unwrap_or("").trim();
        let args: Map<String, Value> = if raw.is_empty() {
            Map::new()
        } else {
            match serde_json::from_str::<Value>(raw) {
                Ok(Value::Object(map)) => map,
                _ => {
                    debug!(tool = %name, "unreadable tool arguments");
                    return Err(FallbackError::Nonsense(
                        "it asked for data in a way I couldn't read".into(),
                    ));
                }
            }
        };
        debug!(tool = %name, "LLM tool call");
        let outcome = tools::run(&self.store, request, &name, args)
            .await
            .map_err(unprepared)?;
        Ok(match outcome {
            Ok(value) => value,
            Err(tools::Refusal(why)) => json!({ "error": why }),
        })
    }
}
