//! The Machine Dream learning lab: everything about a language model learning Sudoku from its
//! own experience, as pure logic over the `solver-core` engine.
//!
//! - [`play`] — the play protocol: prompts, reading a move out of an answer, judging it,
//!   the [`PlaySession`](play::PlaySession) state machine, experiences;
//! - [`llm`] — the LLM client's decisions without I/O: SSE decoding, the chat-completions
//!   wire format, endpoints, the [`ChatDriver`](llm::ChatDriver) retry/length state machine;
//! - [`profile`] — how the app reaches a model, and the rules that keep secrets out of it;
//! - [`memory`] — what the app remembers as records (ids, index fields, validation), full-text
//!   search, the JSON-lines export format;
//! - [`dream`] — consolidating experiences into a learning unit, the
//!   [`Dream`](dream::Dream) state machine;
//! - [`unit`](mod@unit) — learning units: items, merge, import/export, which unit is active, retrieval
//!   for a prompt;
//! - [`experiment`] — A/B/X experiments: design, the resumable
//!   [`ExperimentState`](experiment::ExperimentState) plan, statistics, results, charts.
//!
//! No I/O, clock or randomness source: times and random numbers come from the caller, so
//! every rule here is tested natively and behaves the same in the browser (wasm32).

#![warn(missing_docs)]

pub mod dream;
pub mod experiment;
pub mod llm;
pub mod memory;
pub mod play;
pub mod profile;
pub mod unit;
