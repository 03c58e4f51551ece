//! The chat-completions call through openai-api-rs: one request, bounded in time, errors sorted.

use std::time::Duration;

use openai_api_rs::v1::api::OpenAIClient;
use openai_api_rs::v1::chat_completion::chat_completion::{
    ChatCompletionRequest, ChatCompletionResponse,
};
use openai_api_rs::v1::chat_completion::{ChatCompletionMessage, Tool, ToolChoiceType};
use openai_api_rs::v1::error::APIError;
use tally_core::conversation::fallback::FallbackError;
use tracing::debug;

use crate::config::OpenAiConfig;

/// Longest answer the model may write: a chat reply, not an essay.
const MAX_ANSWER_TOKENS: i64 = 500;
/// How much of an error body reaches the debug log.
const LOGGED_BODY_CHARS: usize = 300;

/// An OpenAI-compatible endpoint (OpenAI, Ollama, llama.cpp, vLLM…) and the model to ask.
pub struct ChatClient {
    client: OpenAIClient,
    model: String,
    timeout: Duration,
}

impl ChatClient {
    pub fn new(config: &OpenAiConfig) -> anyhow::Result<ChatClient> {
        // The client appends `/chat/completions` to the endpoint as given.
        let endpoint = config.base_url.as_str().trim_end_matches('/').to_owned();
        let mut builder = OpenAIClient::builder().with_endpoint(endpoint);
        if let Some(key) = &config.api_key {
            builder = builder.with_api_key(key.expose());
        }
        let client = builder
            .build()
            .map_err(|e| anyhow::anyhow!("setting up the LLM client: {e}"))?;
        Ok(ChatClient {
            client,
            model: config.model.clone(),
            timeout: config.timeout,
        })
    }

    /// One completion with the tools offered; a slow server is cut off after the timeout.
    pub async fn complete(
        &self,
        messages: Vec<ChatCompletionMessage>,
        tools: Vec<Tool>,
    ) -> Result<ChatCompletionResponse, FallbackError> {
        let request = ChatCompletionRequest::new(self.model.clone(), messages)
            .tools(tools)
            .tool_choice(ToolChoiceType::Auto)
            .temperature(0.2)
            .max_tokens(MAX_ANSWER_TOKENS);
        match tokio::time::timeout(self.timeout, self.client.chat_completion(request)).await {
            Err(_) => Err(FallbackError::Timeout),
            Ok(Err(e)) => Err(classify(e)),
            Ok(Ok(response)) => Ok(response.inner),
        }
    }
}

/// Sorts a failed call into what the user is told. The error's text (which carries the server's
/// raw body) goes to the debug log, trimmed; the user only ever sees the short phrase.
pub fn classify(error: APIError) -> FallbackError {
    match error {
        APIError::ReqwestError(e) if e.is_timeout() => FallbackError::Timeout,
        APIError::ReqwestError(e) => {
            debug!(error = %trimmed(&e.to_string()), "LLM request failed");
            FallbackError::Unavailable("it could not be reached".into())
        }
        APIError::CustomError { message } => {
            debug!(body = %trimmed(&message), "LLM answered with an error");
            let status: Option<u16> = message
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|s| s.parse().ok());
            match status {
                Some(429) => FallbackError::RateLimited,
                Some(401 | 403) => FallbackError::Unavailable("it refused our credentials".into()),
                Some(s) if s >= 500 => FallbackError::Unavailable("it is having trouble".into()),
                Some(_) => FallbackError::Unavailable("it answered with an error".into()),
                // Not a status line: the body of a 200 did not parse as a completion.
                None => FallbackError::Nonsense("its reply was unreadable".into()),
            }
        }
    }
}

fn trimmed(s: &str) -> String {
    let mut out: String = s.chars().take(LOGGED_BODY_CHARS).collect();
    if s.chars().count() > LOGGED_BODY_CHARS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(message: &str) -> FallbackError {
        classify(APIError::CustomError {
            message: message.to_owned(),
        })
    }

    #[test]
    fn sorts_errors_without_leaking_bodies() {
        assert!(matches!(
            custom("429 Too Many Requests: {\"error\":\"slow down\"}"),
            FallbackError::RateLimited
        ));
        let e = custom("500 Internal Server Error: secret stack trace");
        assert!(matches!(e, FallbackError::Unavailable(_)));
        assert!(!e.to_string().contains("secret"));
        assert!(matches!(
            custom("Failed to parse JSON: expected value / response <html>"),
            FallbackError::Nonsense(_)
        ));
        assert!(matches!(
            custom("401 Unauthorized: bad key"),
            FallbackError::Unavailable(_)
        ));
    }
}
