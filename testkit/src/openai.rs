//! A fake OpenAI-compatible chat completions server on 127.0.0.1 that plays a script and records
//! every request, for the LLM fallback's tests.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// What the fake answers to the next request.
#[derive(Debug)]
pub enum Step {
    /// 200 with this body.
    Reply(Value),
    /// This status with this body.
    Status(u16, &'static str),
    /// Never answers: the client must give up on its own.
    Hold,
}

/// The running fake: the rest of its script and the requests it received.
#[derive(Debug, Default)]
pub struct FakeOpenAi {
    script: Mutex<VecDeque<Step>>,
    requests: Mutex<Vec<Value>>,
}

impl FakeOpenAi {
    /// Every request body received so far, oldest first.
    pub fn requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }
}

async fn completions(State(fake): State<Arc<FakeOpenAi>>, Json(body): Json<Value>) -> Response {
    fake.requests.lock().unwrap().push(body);
    let step = fake.script.lock().unwrap().pop_front();
    match step {
        Some(Step::Reply(v)) => Json(v).into_response(),
        Some(Step::Status(code, body)) => {
            (StatusCode::from_u16(code).unwrap(), body.to_owned()).into_response()
        }
        Some(Step::Hold) => std::future::pending().await,
        None => (StatusCode::INTERNAL_SERVER_ERROR, "unscripted request").into_response(),
    }
}

/// Starts the fake; returns its base URL (what `TALLY_OPENAI_BASE_URL` would be) and the fake.
pub async fn start(script: Vec<Step>) -> (String, Arc<FakeOpenAi>) {
    let fake = Arc::new(FakeOpenAi {
        script: Mutex::new(script.into()),
        ..FakeOpenAi::default()
    });
    let app = axum::Router::new()
        .route("/v1/chat/completions", post(completions))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/v1"), fake)
}

/// A chat completion with `message`, finished for `finish`, that used `tokens` tokens in all.
pub fn completion(message: Value, finish: &str, tokens: i64) -> Step {
    Step::Reply(json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_790_000_000,
        "model": "fake-model",
        "choices": [{ "index": 0, "message": message, "finish_reason": finish }],
        "usage": { "prompt_tokens": tokens - 10, "completion_tokens": 10, "total_tokens": tokens },
    }))
}

/// A plain text answer.
pub fn text(content: &str, tokens: i64) -> Step {
    completion(
        json!({ "role": "assistant", "content": content }),
        "stop",
        tokens,
    )
}

/// An answer that calls tools: `(call id, tool name, JSON arguments)` each.
pub fn calls(list: &[(&str, &str, String)], tokens: i64) -> Step {
    let tool_calls: Vec<Value> = list
        .iter()
        .map(|(id, name, args)| {
            json!({ "id": id, "type": "function", "function": { "name": name, "arguments": args } })
        })
        .collect();
    completion(
        json!({ "role": "assistant", "content": null, "tool_calls": tool_calls }),
        "tool_calls",
        tokens,
    )
}

/// An answer that calls one tool.
pub fn call(name: &str, args: Value) -> Step {
    calls(&[("call_1", name, args.to_string())], 100)
}
