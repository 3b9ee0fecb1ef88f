//! The play protocol: how a language model plays Sudoku move by move, and how every attempt is
//! judged and recorded. Pure logic (no I/O, no clock); the web app drives it.
//!
//! - [`prompt`] — the system prompt per grid size, board rendering, the user prompt with
//!   feedback, history, banned moves and a learning unit, trimmed to a token budget;
//! - [`parse`] — reading a move (line form, JSON, `r{row}c{col}`) and `<think>` reasoning out
//!   of an answer;
//! - [`judge`](mod@judge) — [`Move`], the ordered checks and the feedback sentence;
//! - [`mode`] — [`PromptMode`]: standard, or assisted decoding (research mode);
//! - [`puzzle`] — [`ReadyPuzzle`]: a puzzle ready to play, with its id and solution;
//! - [`session`] — [`PlaySession`]: limits, abandon reasons, pause/resume, stats;
//! - [`experience`] — the stored record of one attempt and its importance score.
//!
//! The engine's human-technique solver is never used here: the player gets no help.

pub mod experience;
pub mod judge;
pub mod mode;
pub mod parse;
pub mod prompt;
pub mod puzzle;
pub mod session;

pub use experience::{importance, Experience, ExperienceContext, Timings, TokenUsage};
pub use judge::{judge, InvalidReason, Judgement, Move, ParseFailure};
pub use mode::PromptMode;
pub use parse::{parse_response, ParsedResponse};
pub use prompt::{
    build_prompt, render_board, system_prompt, BuiltPrompt, PromptInput, PromptUnit, TokenBudget,
    Trimmed,
};
pub use puzzle::ReadyPuzzle;

/// Attempts shown in a move prompt's history (`PlaySession::poll_prompt`), the same for every
/// player (the app's and the headless runner's), so their prompts — and results — agree.
pub const HISTORY_LIMIT: usize = 8;
pub use session::{
    AbandonReason, Attempt, Limits, PlaySession, SessionError, SessionStats, Status,
};
