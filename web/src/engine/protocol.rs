//! The messages between the page and the engine worker. Both ends are this crate, so they
//! always agree; gloo-worker carries them (bincode, so no internally tagged enums and no
//! skipped fields here).
//!
//! Every request has a `job` number chosen by the page; every answer names the job it
//! belongs to. A batch is answered, in order, by one [`FromEngine::Generated`] per puzzle kept
//! or one [`FromEngine::Failed`] per seed that gave none, each followed by a
//! [`FromEngine::Progress`], and last one [`FromEngine::Done`]. The worker makes one puzzle
//! per turn of its event loop, so a [`ToEngine::Cancel`] sent meanwhile is seen before the
//! next puzzle.
//!
//! A dream (the non-LLM phases of learning-lab's `Dream`, and the bookkeeping around each of
//! its LLM requests) runs in the worker too: the page sends the experiences in pages
//! ([`ToEngine::DreamFeed`], no answer), then [`ToEngine::DreamStart`] with the options; the
//! worker answers each of `DreamStart` and [`ToEngine::DreamAnswer`] with exactly one
//! [`FromEngine::DreamAsks`] (an LLM request for the page to send), [`FromEngine::Dreamt`]
//! (the finished unit and report) or [`FromEngine::Refused`]. Lab types travel as JSON text:
//! their serde attributes (flattened and skipped fields, JSON values) are not bincode's.

use learning_lab::dream::{DreamReport, Progress};
use learning_lab::unit::LearningUnit;
use serde::{Deserialize, Serialize};
use solver_core::generate::BatchState;
use solver_core::human::{Band, Rating};
use solver_core::symmetry::Symmetry;

/// A job's number, unique per page.
pub type JobId = u32;

/// From the page to the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToEngine {
    /// Make `count` puzzles, seeds `first_seed`, `first_seed + 1`, … (a seed that gives no
    /// puzzle is skipped; see `solver_core::generate::BatchPlan`).
    GenerateBatch {
        /// The job.
        job: JobId,
        /// Side length.
        size: usize,
        /// The band to hit, or any.
        band: Option<Band>,
        /// Symmetry of the clue pattern.
        symmetry: Symmetry,
        /// The first seed.
        first_seed: u64,
        /// How many puzzles.
        count: usize,
    },
    /// Rate a puzzle (givens in one-line form).
    Rate {
        /// The job.
        job: JobId,
        /// The givens.
        givens: String,
    },
    /// Experiences for the dream `job`: a JSON array of `[id, Experience]` pairs (one
    /// storage page). Unanswered.
    DreamFeed {
        /// The job.
        job: JobId,
        /// The page, as JSON.
        experiences: String,
    },
    /// Start the dream `job` over the experiences fed so far; `options` is learning-lab's
    /// `DreamOptions` as JSON.
    DreamStart {
        /// The job.
        job: JobId,
        /// The options, as JSON.
        options: String,
    },
    /// The model's answer to the dream's last request (`Err`: why there is none).
    DreamAnswer {
        /// The job.
        job: JobId,
        /// The answer's text, or the reason it failed.
        answer: Result<String, String>,
    },
    /// Compute an experiment's results (learning-lab's `ExperimentResults::from_state`, whose
    /// bootstrap and permutation tests take tens of milliseconds at a few hundred runs);
    /// `state` is its `ExperimentState` as JSON.
    Results {
        /// The job.
        job: JobId,
        /// The state, as JSON.
        state: String,
    },
    /// Stop the batch `job` before its next puzzle, or drop the dream `job` (nothing happens
    /// if it is over).
    Cancel {
        /// The job.
        job: JobId,
    },
}

/// From the worker to the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromEngine {
    /// A puzzle of a batch.
    Generated {
        /// The job.
        job: JobId,
        /// Its place in the batch, from 0.
        index: usize,
        /// The seed that made it.
        seed: u64,
        /// Givens, one-line form.
        givens: String,
        /// Solution, one-line form.
        solution: String,
        /// Its rating (band, score, techniques).
        rating: Rating,
    },
    /// A seed of a batch that gave no puzzle to keep (band not reached, a repeat); the batch
    /// goes on with the next seed.
    Failed {
        /// The job.
        job: JobId,
        /// The seed.
        seed: u64,
        /// Why.
        error: String,
    },
    /// How far a batch is.
    Progress {
        /// The job.
        job: JobId,
        /// Puzzles kept so far.
        kept: usize,
        /// Seeds tried so far.
        tried: usize,
        /// Puzzles asked for.
        count: usize,
        /// Kept over asked for, 0 to 1.
        fraction: f64,
    },
    /// A batch is over: complete, cancelled or given up.
    Done {
        /// The job.
        job: JobId,
        /// How it ended.
        state: BatchState,
        /// Puzzles kept.
        kept: usize,
    },
    /// The rating of a [`ToEngine::Rate`].
    Rated {
        /// The job.
        job: JobId,
        /// The rating.
        rating: Rating,
    },
    /// A request the engine cannot run (a bad size or count, givens that do not parse).
    Refused {
        /// The job.
        job: JobId,
        /// Why.
        error: String,
    },
    /// The dream `job` wants this LLM request sent (learning-lab's `LlmRequest` as JSON);
    /// the page answers with [`ToEngine::DreamAnswer`].
    DreamAsks {
        /// The job.
        job: JobId,
        /// The request, as JSON.
        request: String,
        /// Where the dream is.
        progress: Progress,
    },
    /// The dream `job` is over: a [`Dreamt`] as JSON.
    Dreamt {
        /// The job.
        job: JobId,
        /// The outcome, as JSON.
        outcome: String,
    },
    /// The results of a [`ToEngine::Results`]: `ExperimentResults` as JSON.
    Results {
        /// The job.
        job: JobId,
        /// The results, as JSON.
        results: String,
    },
    /// The worker panicked (the message is sent just before it stops).
    Crashed {
        /// The panic message.
        message: String,
    },
}

impl FromEngine {
    /// The job an answer belongs to (`None` for a crash, which concerns every job).
    pub fn job(&self) -> Option<JobId> {
        match self {
            FromEngine::Generated { job, .. }
            | FromEngine::Failed { job, .. }
            | FromEngine::Progress { job, .. }
            | FromEngine::Done { job, .. }
            | FromEngine::Rated { job, .. }
            | FromEngine::DreamAsks { job, .. }
            | FromEngine::Dreamt { job, .. }
            | FromEngine::Results { job, .. }
            | FromEngine::Refused { job, .. } => Some(*job),
            FromEngine::Crashed { .. } => None,
        }
    }
}

/// A finished dream as it crosses from the worker (learning-lab's `DreamOutcome`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dreamt {
    /// The new unit.
    pub unit: LearningUnit,
    /// What each phase did.
    pub report: DreamReport,
}
