//! The drivers of learning-lab's state machines: each one asks its machine what to do next,
//! does the I/O (LLM requests, storage, timers) and hands the results back. They decide
//! nothing the machine can decide.
//!
//! - [`player`] — a play: `PlaySession` move by move, through the LLM client (which drives
//!   the `ChatDriver`), every attempt committed before the next request;
//! - [`dreamer`] — a dream: `Dream` over stored experiences, its LLM requests when asked,
//!   the unit stored and pinned;
//! - [`experiment_runner`] — an experiment: `ExperimentState`'s runs (played by the player)
//!   and dreams (by the dreamer), the state committed after every change.

pub mod dreamer;
pub mod experiment_runner;
pub mod player;
