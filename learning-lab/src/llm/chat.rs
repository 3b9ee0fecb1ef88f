//! The OpenAI chat-completions wire format: the request the app sends for a move, and the
//! answer read back from a stream of chunks or from one JSON body.
//!
//! Servers differ in the details, so reading is lenient: reasoning arrives as
//! `reasoning_content` (llama.cpp, DeepSeek) or `reasoning` (OpenRouter, Ollama); usage comes
//! in a final chunk with empty `choices` (with `stream_options.include_usage`) or not at all;
//! an error may arrive as an in-stream `{"error":…}` object after a 200 status.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::sse::SseEvent;
use super::LlmError;
use crate::dream::llm::LlmRequest;
use crate::play::experience::TokenUsage;
use crate::play::judge::Move;
use crate::play::{BuiltPrompt, PlaySession, PromptMode};
use crate::profile::Profile;
use solver_core::grid::Grid;

/// Who said a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions (rules, output format).
    System,
    /// The board and feedback.
    User,
    /// The model's earlier (partial) answer, sent back to continue it.
    Assistant,
}

/// One chat message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Who said it.
    pub role: Role,
    /// What was said.
    pub content: String,
}

impl ChatMessage {
    /// A message from `role`.
    pub fn new(role: Role, content: impl Into<String>) -> ChatMessage {
        ChatMessage {
            role,
            content: content.into(),
        }
    }
}

/// How the answer's form is constrained; recorded with every experience because it changes
/// what a result means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    /// Free text.
    #[default]
    None,
    /// A JSON object `{row, col, value, reasoning}` with values in range (format only: the
    /// model still chooses freely among every cell and value).
    MoveSchema,
    /// Research mode, opt-in: the schema lists only the legal moves of the current board
    /// (empty cell × candidate not excluded by its row, column or box, minus banned moves).
    /// Every answer is then a legal move, so results are not comparable with free play.
    AssistedDecoding,
}

/// `stream_options` of a streaming request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamOptions {
    /// Ask for a final chunk with token usage.
    pub include_usage: bool,
}

/// A chat-completions request, serialized as the OpenAI wire format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// Model name the server knows.
    pub model: String,
    /// The conversation.
    pub messages: Vec<ChatMessage>,
    /// Sampling temperature.
    pub temperature: f64,
    /// Nucleus sampling.
    pub top_p: f64,
    /// Answer budget; raised by the length policy when an answer is cut off.
    pub max_tokens: u32,
    /// Stream the answer as SSE.
    pub stream: bool,
    /// Stream options (usage in the last chunk).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<StreamOptions>,
    /// `{"type":"json_schema",…}` when the answer's form is constrained.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<Value>,
    /// Which constraint `response_format` carries; not sent.
    #[serde(skip)]
    pub constraint: Constraint,
}

impl ChatRequest {
    /// A streaming request with the profile's model and sampling and these system and user
    /// messages (no system message when `system` is empty); free text.
    fn for_profile(profile: &Profile, system: &str, user: &str) -> ChatRequest {
        let mut messages = Vec::with_capacity(2);
        if !system.is_empty() {
            messages.push(ChatMessage::new(Role::System, system));
        }
        messages.push(ChatMessage::new(Role::User, user));
        ChatRequest {
            model: profile.model.clone(),
            messages,
            temperature: profile.sampling.temperature,
            top_p: profile.sampling.top_p,
            max_tokens: profile.sampling.max_tokens,
            stream: true,
            stream_options: Some(StreamOptions {
                include_usage: true,
            }),
            response_format: None,
            constraint: Constraint::None,
        }
    }

    /// A streaming request for one move: the profile's model and sampling, the system and
    /// user messages, the move schema when `profile.json_output` (for a grid of `size`).
    pub fn for_move(profile: &Profile, system: &str, user: &str, size: usize) -> ChatRequest {
        let mut request = ChatRequest::for_profile(profile, system, user);
        if profile.json_output {
            request.response_format = Some(json_schema_format(move_schema(size)));
            request.constraint = Constraint::MoveSchema;
        }
        request
    }

    /// The request for the next move of `session`: `prompt` (from `PlaySession::poll_prompt`)
    /// with the profile's system prompt addition after the built system prompt, the move
    /// schema when the profile asks for JSON, and — in [`PromptMode::Assisted`] — restricted
    /// to the board's legal moves ([`ChatRequest::with_assisted_decoding`]).
    pub fn for_play(
        profile: &Profile,
        prompt: &BuiltPrompt,
        session: &PlaySession,
        mode: PromptMode,
    ) -> ChatRequest {
        let addition = profile.system_prompt_addition.trim();
        let system = if addition.is_empty() {
            prompt.system.clone()
        } else {
            format!("{}\n\n{addition}", prompt.system)
        };
        let request = ChatRequest::for_move(profile, &system, &prompt.user, session.board().size());
        if mode.assisted_decoding() {
            request.with_assisted_decoding(session.board(), session.banned())
        } else {
            request
        }
    }

    /// The chat request for one of a dream's requests: the profile's model and sampling,
    /// the request's messages and token cap, never the move schema (its answers are not
    /// moves); when the profile asks for JSON output, the dream request's own answer schema
    /// instead (format only), which keeps small models readable.
    pub fn for_dream(profile: &Profile, request: &LlmRequest) -> ChatRequest {
        let mut chat = ChatRequest::for_profile(profile, &request.system, &request.user);
        chat.response_format = profile.json_output.then(|| {
            json!({
                "type": "json_schema",
                "json_schema": { "name": "dream_answer", "strict": true, "schema": request.json_schema },
            })
        });
        chat.max_tokens = request.max_tokens;
        chat
    }

    /// Every message's text, blank-line separated: what the model is shown, for a screen.
    pub fn transcript(&self) -> String {
        self.messages
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// Research mode (opt-in): restricts the answer to the legal moves of `board` that are not
    /// `banned`. Returns the request unchanged (and unlabelled) when no legal move is left —
    /// the board is then a dead end and the constraint could not be satisfied.
    pub fn with_assisted_decoding(mut self, board: &Grid, banned: &BTreeSet<Move>) -> ChatRequest {
        if let Some(schema) = legal_move_schema(board, banned) {
            self.response_format = Some(json_schema_format(schema));
            self.constraint = Constraint::AssistedDecoding;
        }
        self
    }

    /// Whether answers are restricted to legal moves (for `ExperienceContext`).
    pub fn assisted_decoding(&self) -> bool {
        self.constraint == Constraint::AssistedDecoding
    }

    /// The request body.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a chat request serializes")
    }
}

fn json_schema_format(schema: Value) -> Value {
    json!({
        "type": "json_schema",
        "json_schema": { "name": "sudoku_move", "strict": true, "schema": schema }
    })
}

/// The longest `reasoning` a constrained answer may have, in characters: without a bound a
/// small model can ramble inside the string until every budget is cut off (seen with
/// SmolLM2). Models that think at length send `reasoning_content` apart, which is unbounded.
pub const SCHEMA_REASONING_MAX_CHARS: usize = 400;

/// The JSON schema of a move in a grid of `size`: 1-based row, column and value, and a
/// reasoning string (last, so a constrained model commits to a move before explaining it
/// and a cut-off explanation still holds a parseable move).
pub fn move_schema(size: usize) -> Value {
    let range = json!({ "type": "integer", "minimum": 1, "maximum": size });
    json!({
        "type": "object",
        "properties": {
            "row": range, "col": range, "value": range,
            "reasoning": { "type": "string", "maxLength": SCHEMA_REASONING_MAX_CHARS }
        },
        "required": ["row", "col", "value", "reasoning"],
        "additionalProperties": false
    })
}

/// The JSON schema allowing exactly the legal moves of `board` minus `banned`: one
/// alternative per empty cell, its value an enum of the cell's remaining candidates. `None`
/// when there is none.
pub fn legal_move_schema(board: &Grid, banned: &BTreeSet<Move>) -> Option<Value> {
    let size = board.size();
    let mut alternatives = Vec::new();
    for row in 0..size {
        for col in 0..size {
            if board.get(row, col).is_some() {
                continue;
            }
            let candidates = board.candidates(row, col);
            let values: Vec<u8> = (1..=size as u8)
                .filter(|&v| candidates.contains(v) && !banned.contains(&Move::new(row, col, v)))
                .collect();
            if values.is_empty() {
                continue;
            }
            alternatives.push(json!({
                "type": "object",
                "properties": {
                    "row": { "const": row + 1 },
                    "col": { "const": col + 1 },
                    "value": { "enum": values },
                    "reasoning": { "type": "string", "maxLength": SCHEMA_REASONING_MAX_CHARS }
                },
                "required": ["row", "col", "value", "reasoning"],
                "additionalProperties": false
            }));
        }
    }
    (!alternatives.is_empty()).then(|| json!({ "anyOf": alternatives }))
}

/// Why the model stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// A natural end or a stop sequence.
    Stop,
    /// The `max_tokens` budget ran out: the answer is cut off.
    Length,
    /// A provider's filter stopped it.
    ContentFilter,
    /// The model called a tool (not used by the app).
    ToolCalls,
    /// Anything else, as the server said it.
    Other(String),
}

impl FinishReason {
    fn parse(text: &str) -> FinishReason {
        match text {
            "stop" | "end_turn" | "eos" | "stop_sequence" => FinishReason::Stop,
            "length" | "max_tokens" => FinishReason::Length,
            "content_filter" => FinishReason::ContentFilter,
            "tool_calls" | "function_call" | "tool_use" => FinishReason::ToolCalls,
            other => FinishReason::Other(other.to_string()),
        }
    }

    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::ContentFilter => "content_filter",
            FinishReason::ToolCalls => "tool_calls",
            FinishReason::Other(text) => text,
        }
    }
}

/// A piece of the answer as it streams, for the live view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delta {
    /// Answer text.
    Content(String),
    /// Reasoning text (`reasoning_content` / `reasoning`).
    Reasoning(String),
    /// The client starts the answer again (a retry, or more budget after a cut-off): what
    /// was shown so far is replaced by what follows.
    Restart {
        /// Why, for people.
        reason: String,
    },
}

/// What one chunk of a stream said.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamChunk {
    /// Answer text in this chunk.
    pub content: Option<String>,
    /// Reasoning text in this chunk.
    pub reasoning: Option<String>,
    /// Set on the last chunk of the answer.
    pub finish_reason: Option<FinishReason>,
    /// Token usage (usually its own final chunk).
    pub usage: Option<TokenUsage>,
}

#[derive(Deserialize)]
struct WireUsage {
    prompt_tokens: Option<u32>,
    completion_tokens: Option<u32>,
    #[serde(default)]
    completion_tokens_details: Option<WireUsageDetails>,
}

#[derive(Deserialize)]
struct WireUsageDetails {
    reasoning_tokens: Option<u32>,
}

impl From<WireUsage> for TokenUsage {
    fn from(u: WireUsage) -> TokenUsage {
        TokenUsage {
            prompt_tokens: u.prompt_tokens,
            completion_tokens: u.completion_tokens,
            reasoning_tokens: u.completion_tokens_details.and_then(|d| d.reasoning_tokens),
        }
    }
}

/// Reads an `{"error":{…}}` object (edge API: string `code`; llama.cpp: numeric `code`).
fn api_error(value: &Value) -> Option<(Option<String>, String)> {
    let error = value.get("error")?;
    if error.is_null() {
        return None;
    }
    let code = match error.get("code") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => error
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    let message = match error {
        Value::String(s) => s.clone(),
        _ => error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("no message")
            .to_string(),
    };
    Some((code, message))
}

fn text_field(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn usage_of(value: &Value) -> Option<TokenUsage> {
    value
        .get("usage")
        .filter(|u| !u.is_null())
        .and_then(|u| serde_json::from_value::<WireUsage>(u.clone()).ok())
        .map(TokenUsage::from)
}

/// Parses the JSON of one stream chunk.
///
/// # Errors
/// [`LlmError::BadStream`] for JSON that is not a chunk; [`LlmError::Server`] for an
/// in-stream error object.
pub fn parse_stream_chunk(data: &str) -> Result<StreamChunk, LlmError> {
    let value: Value = serde_json::from_str(data).map_err(|e| LlmError::BadStream {
        detail: format!("a chunk is not JSON ({e}): {}", preview(data)),
    })?;
    if let Some((code, message)) = api_error(&value) {
        return Err(LlmError::Server { code, message });
    }
    let mut chunk = StreamChunk {
        usage: usage_of(&value),
        ..StreamChunk::default()
    };
    let choice = value
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|c| c.first());
    if let Some(choice) = choice {
        if let Some(delta) = choice.get("delta").or_else(|| choice.get("message")) {
            chunk.content = text_field(delta, "content");
            chunk.reasoning =
                text_field(delta, "reasoning_content").or_else(|| text_field(delta, "reasoning"));
        }
        chunk.finish_reason = choice
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(FinishReason::parse);
    } else if value.get("choices").is_none() && chunk.usage.is_none() {
        return Err(LlmError::BadStream {
            detail: format!("a chunk has no choices: {}", preview(data)),
        });
    }
    Ok(chunk)
}

fn preview(text: &str) -> String {
    let cut: String = text.chars().take(200).collect();
    if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// The complete answer of one request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatAnswer {
    /// Answer text (what the move parser reads).
    pub content: String,
    /// Reasoning text sent apart from the answer, if any.
    pub reasoning: String,
    /// Why the model stopped; `None` when the server never said.
    pub finish_reason: Option<FinishReason>,
    /// Token usage, when reported.
    pub usage: TokenUsage,
}

impl ChatAnswer {
    /// The reasoning that arrived apart from the answer, when there is any (not blank).
    pub fn separate_reasoning(&self) -> Option<&str> {
        Some(self.reasoning.as_str()).filter(|r| !r.trim().is_empty())
    }

    /// The text to hand to the move parser and to record (`PlaySession::handle_answer`): the
    /// content, with reasoning that arrived apart wrapped in `<think>…</think>` in front, so
    /// the parser keeps it as hidden reasoning and never reads a move from it.
    pub fn text_for_parsing(&self) -> String {
        if self.reasoning.trim().is_empty() {
            self.content.clone()
        } else {
            format!("<think>{}</think>\n{}", self.reasoning, self.content)
        }
    }
}

/// Parses a non-streaming response body.
///
/// # Errors
/// [`LlmError::Server`] for an error object, [`LlmError::BadStream`] for a body that is not
/// a chat completion.
pub fn parse_completion(body: &str) -> Result<ChatAnswer, LlmError> {
    let chunk = parse_stream_chunk(body)?;
    if chunk.content.is_none() && chunk.reasoning.is_none() && chunk.finish_reason.is_none() {
        let value: Value = serde_json::from_str(body).expect("parsed above");
        let has_message = value
            .pointer("/choices/0/message")
            .is_some_and(Value::is_object);
        if !has_message {
            return Err(LlmError::BadStream {
                detail: format!("the answer has no message: {}", preview(body)),
            });
        }
    }
    Ok(ChatAnswer {
        content: chunk.content.unwrap_or_default(),
        reasoning: chunk.reasoning.unwrap_or_default(),
        finish_reason: chunk.finish_reason,
        usage: chunk.usage.unwrap_or_default(),
    })
}

/// Builds a [`ChatAnswer`] from stream events, handing out deltas for the live view.
#[derive(Clone, Debug, Default)]
pub struct ChatAccumulator {
    answer: ChatAnswer,
    done: bool,
    answer_started: bool,
}

impl ChatAccumulator {
    /// An empty answer.
    pub fn new() -> ChatAccumulator {
        ChatAccumulator::default()
    }

    /// Takes one SSE event; returns the deltas it carried.
    ///
    /// # Errors
    /// A chunk that is not JSON, or an in-stream error object.
    pub fn push(&mut self, event: &SseEvent) -> Result<Vec<Delta>, LlmError> {
        if event.is_done() {
            self.done = true;
            return Ok(Vec::new());
        }
        if event.data.trim().is_empty() {
            return Ok(Vec::new());
        }
        let chunk = parse_stream_chunk(&event.data)?;
        let mut deltas = Vec::new();
        if let Some(text) = chunk.reasoning {
            self.answer_started = true;
            self.answer.reasoning.push_str(&text);
            deltas.push(Delta::Reasoning(text));
        }
        if let Some(text) = chunk.content {
            self.answer_started = true;
            self.answer.content.push_str(&text);
            deltas.push(Delta::Content(text));
        }
        if let Some(reason) = chunk.finish_reason {
            self.answer.finish_reason = Some(reason);
        }
        if let Some(usage) = chunk.usage {
            self.answer.usage = usage;
        }
        Ok(deltas)
    }

    /// Whether any answer text (or reasoning) arrived: from then on a failure is not retried,
    /// because the person already saw part of this answer.
    pub fn answer_started(&self) -> bool {
        self.answer_started
    }

    /// Whether `[DONE]` arrived.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The stream ended: the answer, if it is complete.
    ///
    /// # Errors
    /// [`LlmError::BadStream`] when the stream stopped before `[DONE]` or a finish reason
    /// (the connection broke mid-answer).
    pub fn finish(self) -> Result<ChatAnswer, LlmError> {
        if !self.done && self.answer.finish_reason.is_none() {
            return Err(LlmError::BadStream {
                detail: format!(
                    "the stream ended before the answer was complete ({} characters received)",
                    self.answer.content.chars().count()
                ),
            });
        }
        Ok(self.answer)
    }

    /// The answer so far (also after an error).
    pub fn partial(&self) -> &ChatAnswer {
        &self.answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::sse::SseDecoder;
    use crate::profile::ProviderTemplate;

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/llm/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn replay(stream: &str, chunk: usize) -> (Result<ChatAnswer, LlmError>, Vec<Delta>) {
        let mut decoder = SseDecoder::new();
        let mut acc = ChatAccumulator::new();
        let mut deltas = Vec::new();
        let bytes = stream.as_bytes();
        let mut events = Vec::new();
        for piece in bytes.chunks(chunk.max(1)) {
            events.extend(decoder.push(piece));
        }
        events.extend(decoder.finish());
        for event in &events {
            match acc.push(event) {
                Ok(d) => deltas.extend(d),
                Err(e) => return (Err(e), deltas),
            }
        }
        (acc.finish(), deltas)
    }

    #[test]
    fn recorded_llama_server_stream_reads_the_same_at_every_chunk_size() {
        // fixtures/llm/llama-server-stream-stop.sse: recorded from llama-server + SmolLM2.
        let stream = fixture("llama-server-stream-stop.sse");
        let (whole, deltas) = replay(&stream, usize::MAX);
        let answer = whole.unwrap();
        assert_eq!(answer.finish_reason, Some(FinishReason::Stop));
        assert!(
            answer.content.starts_with("The board"),
            "{}",
            answer.content
        );
        assert!(answer.usage.completion_tokens.unwrap() > 0);
        assert!(answer.usage.prompt_tokens.unwrap() > 0);
        let joined: String = deltas
            .iter()
            .map(|d| match d {
                Delta::Content(t) => t.as_str(),
                _ => panic!("no reasoning in this stream"),
            })
            .collect();
        assert_eq!(joined, answer.content);
        for chunk in [1, 2, 3, 7, 64, 333] {
            assert_eq!(replay(&stream, chunk).0.unwrap(), answer, "chunk {chunk}");
        }
    }

    proptest::proptest! {
        #[test]
        fn recorded_streams_read_the_same_under_any_cuts(
            cuts in proptest::collection::vec(0usize..20_000, 0..40),
            which in 0usize..4,
        ) {
            let name = [
                "llama-server-stream-stop.sse",
                "llama-server-stream-length.sse",
                "llama-server-stream-json-schema.sse",
                "reasoning-stream.sse",
            ][which];
            let stream = fixture(name);
            let bytes = stream.as_bytes();
            let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
            points.sort_unstable();
            let mut decoder = SseDecoder::new();
            let mut acc = ChatAccumulator::new();
            let mut start = 0;
            for p in points.into_iter().chain([bytes.len()]) {
                for event in decoder.push(&bytes[start..p]) {
                    acc.push(&event).unwrap();
                }
                start = p;
            }
            for event in decoder.finish() {
                acc.push(&event).unwrap();
            }
            proptest::prop_assert_eq!(acc.finish().unwrap(), replay(&stream, usize::MAX).0.unwrap());
        }
    }

    #[test]
    fn recorded_length_stream_reports_length() {
        let (answer, _) = replay(&fixture("llama-server-stream-length.sse"), 5);
        let answer = answer.unwrap();
        assert_eq!(answer.finish_reason, Some(FinishReason::Length));
        assert_eq!(answer.usage.completion_tokens, Some(8));
    }

    #[test]
    fn recorded_json_schema_stream_is_a_parseable_move() {
        let (answer, _) = replay(&fixture("llama-server-stream-json-schema.sse"), 11);
        let answer = answer.unwrap();
        let parsed = crate::play::parse::parse_response(&answer.content, 4);
        assert!(parsed.proposal.is_ok(), "{}", answer.content);
    }

    #[test]
    fn recorded_non_stream_answer_and_error_body() {
        let answer = parse_completion(&fixture("llama-server-nonstream.json")).unwrap();
        assert_eq!(answer.finish_reason, Some(FinishReason::Length));
        assert_eq!(answer.usage.completion_tokens, Some(40));
        assert!(!answer.content.is_empty());
        let error = parse_completion(&fixture("llama-server-error.json")).unwrap_err();
        assert_eq!(
            error,
            LlmError::Server {
                code: Some("400".into()),
                message: "Expected 'messages' to be an array".into()
            }
        );
    }

    #[test]
    fn reasoning_deltas_in_both_spellings() {
        // Hand-written (fixtures/llm/reasoning-stream.sse): llama.cpp's `reasoning_content`
        // and OpenRouter's `reasoning`, with usage details in the last chunk.
        let (answer, deltas) = replay(&fixture("reasoning-stream.sse"), 9);
        let answer = answer.unwrap();
        assert_eq!(answer.reasoning, "Row 1 lacks 2. Only c2 fits.");
        assert_eq!(answer.content, "ROW: 1 COL: 2 VALUE: 2");
        assert_eq!(answer.usage.reasoning_tokens, Some(9));
        assert_eq!(deltas[0], Delta::Reasoning("Row 1 lacks 2.".into()));
    }

    #[test]
    fn separate_reasoning_is_hidden_from_the_move_parser() {
        let answer = ChatAnswer {
            content: "ROW: 1 COL: 2 VALUE: 2".into(),
            reasoning: "maybe ROW: 4 COL: 4 VALUE: 4".into(),
            ..ChatAnswer::default()
        };
        let parsed = crate::play::parse::parse_response(&answer.text_for_parsing(), 4);
        assert_eq!(parsed.proposal, Ok(Move::new(0, 1, 2)));
        assert_eq!(
            parsed.hidden_reasoning.as_deref().map(str::trim),
            Some("maybe ROW: 4 COL: 4 VALUE: 4")
        );
        let plain = ChatAnswer {
            content: "r1c2=2".into(),
            ..ChatAnswer::default()
        };
        assert_eq!(plain.text_for_parsing(), "r1c2=2");
    }

    #[test]
    fn in_stream_error_and_broken_streams() {
        // The edge API's error shape, sent after a 200.
        let (result, deltas) = replay(&fixture("edge-in-stream-error.sse"), 4);
        assert_eq!(deltas, vec![Delta::Content("ROW".into())]);
        match result.unwrap_err() {
            LlmError::Server { code, message } => {
                assert_eq!(code.as_deref(), Some("upstream_error"));
                assert!(message.contains("model crashed"));
            }
            other => panic!("{other:?}"),
        }
        let cut = "data: {\"choices\":[{\"delta\":{\"content\":\"RO\"}}]}\n\n";
        assert!(matches!(
            replay(cut, 3).0.unwrap_err(),
            LlmError::BadStream { .. }
        ));
        assert!(matches!(
            replay("data: {not json\n\n", 3).0.unwrap_err(),
            LlmError::BadStream { .. }
        ));
    }

    #[test]
    fn move_request_carries_profile_sampling_usage_option_and_schema() {
        let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "p", 0.0);
        let request = ChatRequest::for_move(&profile, "rules", "board", 9);
        let body: Value = serde_json::from_str(&request.to_json()).unwrap();
        assert_eq!(body["model"], "smollm2-135m-instruct");
        assert_eq!(body["max_tokens"], 512);
        assert_eq!(body["stream"], true);
        assert_eq!(body["stream_options"]["include_usage"], true);
        assert_eq!(body["messages"][0]["role"], "system");
        assert_eq!(body["messages"][1]["content"], "board");
        assert!(body.get("response_format").is_none());
        assert!(body.get("constraint").is_none());
        profile.json_output = true;
        let request = ChatRequest::for_move(&profile, "rules", "board", 9);
        assert_eq!(request.constraint, Constraint::MoveSchema);
        assert!(!request.assisted_decoding());
        let schema = &request.response_format.as_ref().unwrap()["json_schema"]["schema"];
        assert_eq!(schema["properties"]["row"]["maximum"], 9);
        assert_eq!(
            schema["properties"]["reasoning"]["maxLength"],
            SCHEMA_REASONING_MAX_CHARS
        );
    }

    #[test]
    fn assisted_decoding_lists_exactly_the_legal_unbanned_moves() {
        let board = solver_core::format::parse_line("12.43.1221.343.1").unwrap();
        let mut banned = BTreeSet::new();
        // r1c3 must be 3 in this 4x4; ban it and the cell drops out.
        banned.insert(Move::new(0, 2, 3));
        let profile = Profile::from_template(ProviderTemplate::LlamaCpp, "p", 0.0);
        let request =
            ChatRequest::for_move(&profile, "s", "u", 4).with_assisted_decoding(&board, &banned);
        assert!(request.assisted_decoding());
        let schema = &request.response_format.as_ref().unwrap()["json_schema"]["schema"];
        let alternatives = schema["anyOf"].as_array().unwrap();
        let cells: Vec<(u64, u64, Vec<u64>)> = alternatives
            .iter()
            .map(|a| {
                let p = &a["properties"];
                (
                    p["row"]["const"].as_u64().unwrap(),
                    p["col"]["const"].as_u64().unwrap(),
                    p["value"]["enum"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_u64().unwrap())
                        .collect(),
                )
            })
            .collect();
        for row in 0..4 {
            for col in 0..4 {
                if board.get(row, col).is_some() {
                    continue;
                }
                let legal: Vec<u64> = board
                    .candidates(row, col)
                    .iter()
                    .filter(|&v| !banned.contains(&Move::new(row, col, v)))
                    .map(u64::from)
                    .collect();
                let found = cells
                    .iter()
                    .find(|(r, c, _)| (*r, *c) == (row as u64 + 1, col as u64 + 1));
                match found {
                    Some((_, _, values)) => assert_eq!(values, &legal),
                    None => assert!(legal.is_empty(), "r{}c{} missing", row + 1, col + 1),
                }
            }
        }
        let full = solver_core::format::parse_line("1234341221434321").unwrap();
        let unchanged = ChatRequest::for_move(&profile, "s", "u", 4)
            .with_assisted_decoding(&full, &BTreeSet::new());
        assert!(!unchanged.assisted_decoding());
        assert!(unchanged.response_format.is_none());
    }

    #[test]
    fn play_request_adds_the_profile_addition_and_follows_the_mode() {
        let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "p", 0.0);
        let givens = solver_core::format::parse_line("1..4.41.2.4..3.1").unwrap();
        let solution = solver_core::format::parse_line("1234341221434321").unwrap();
        let session = PlaySession::new(givens, solution, crate::play::Limits::default()).unwrap();
        let prompt = session.poll_prompt(8, None, crate::play::TokenBudget::for_size(4));
        let plain = ChatRequest::for_play(&profile, &prompt, &session, PromptMode::Standard);
        assert_eq!(
            plain,
            ChatRequest::for_move(&profile, &prompt.system, &prompt.user, 4)
        );
        assert_eq!(
            plain.transcript(),
            format!("{}\n\n{}", prompt.system, prompt.user)
        );
        profile.system_prompt_addition = "  Think briefly.  ".into();
        let added = ChatRequest::for_play(&profile, &prompt, &session, PromptMode::Standard);
        assert_eq!(
            added.messages[0].content,
            format!("{}\n\nThink briefly.", prompt.system)
        );
        let assisted = ChatRequest::for_play(&profile, &prompt, &session, PromptMode::Assisted);
        assert!(assisted.assisted_decoding());
        assert_eq!(
            assisted,
            ChatRequest::for_move(&profile, &added.messages[0].content, &prompt.user, 4)
                .with_assisted_decoding(session.board(), session.banned())
        );
    }

    #[test]
    fn dream_request_is_the_profile_request_with_the_dream_schema_and_cap() {
        let request = LlmRequest {
            system: "coach".into(),
            user: "facts".into(),
            max_tokens: 77,
            purpose: "strategy for cluster 1".into(),
            json_schema: json!({"type": "object"}),
        };
        for json_output in [false, true] {
            let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "p", 0.0);
            profile.json_output = json_output;
            let chat = ChatRequest::for_dream(&profile, &request);
            // What the app built before this constructor existed: a move request, then its
            // schema, constraint and cap replaced.
            let mut before = ChatRequest::for_move(&profile, "coach", "facts", 4);
            before.response_format = json_output.then(|| {
                json!({
                    "type": "json_schema",
                    "json_schema": { "name": "dream_answer", "strict": true, "schema": request.json_schema },
                })
            });
            before.constraint = Constraint::None;
            before.max_tokens = 77;
            assert_eq!(chat, before);
            assert_eq!(chat.constraint, Constraint::None);
            assert_eq!(chat.response_format.is_some(), json_output);
        }
    }

    #[test]
    fn separate_reasoning_only_when_not_blank() {
        let mut answer = ChatAnswer {
            content: "ROW: 1".into(),
            reasoning: "  \n".into(),
            ..ChatAnswer::default()
        };
        assert_eq!(answer.separate_reasoning(), None);
        answer.reasoning = "because".into();
        assert_eq!(answer.separate_reasoning(), Some("because"));
    }
}
