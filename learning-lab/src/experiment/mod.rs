//! Experiments (A/B/X): does a learning unit, memory or a prompt mode make the model play
//! better? Pure logic; the web app drives it (plays the runs, runs the dreams, stores the
//! state).
//!
//! - [`design`] — [`Experiment`], its [`Arm`]s, the [`PuzzleSet`], the [`Schedule`]
//!   (interleaved and held-out arms play the same puzzles: paired; learning-curve phases
//!   do not), [`EarlyStopping`] at declared checkpoints, validation (held-out training and
//!   test puzzles disjoint), and the "learning curve" preset (held out by default);
//! - [`plan`] — [`ExperimentState`]: the run plan and a resumable scheduler (concurrency,
//!   interleaved arms, dream barriers);
//! - [`run`] — [`RunOrder`] handed out and the [`RunResult`] reported back;
//! - [`record`] — [`ExperimentRecord`], the experiment as the app stores it and a headless
//!   runner journals it;
//! - [`shard`] — [`Shard`]: a deterministic slice of the plan per runner, and the merge of
//!   the shards' states;
//! - [`stats`] — Wilson, Newcombe, Fisher, session bootstrap, permutation test, sample size;
//!   paired: exact McNemar, paired bootstrap and paired permutation over puzzles; alpha
//!   spending over looks;
//! - [`results`] — per-arm summaries, comparisons with honest verdicts (paired tests when
//!   every puzzle was played by both arms, the look of an early stop), CSV and JSON export;
//! - [`compare`] — [`ArmComparison`]: one arm against a baseline puzzle by puzzle (better,
//!   worse, same), sorted and filtered, its settings as a URL query;
//! - [`ablation`] — the leave-one-out preset: a unit against itself without each item, and
//!   the items ranked by lift;
//! - [`chart`] — SVG charts of the results.
//!
//! ```
//! use learning_lab::experiment::{
//!     Experiment, ExperimentResults, ExperimentState, LearningCurve, Next,
//! };
//!
//! // Play 2 puzzles of 4x4, dream, play 2 new ones with the new unit.
//! let design = Experiment::learning_curve("lc-1", "Curve", &LearningCurve::new("local", 4, 2), 0);
//! let mut state = ExperimentState::new(design).unwrap();
//! let Next::Run { runs } = state.poll_next(1) else { unreachable!() };
//! assert_eq!(runs[0].puzzle.id, "4x4-any-s1");
//! assert!(ExperimentResults::from_state(&state).arms[0].solve_rate.is_none());
//! ```

pub mod ablation;
pub mod chart;
pub mod compare;
pub mod design;
pub mod plan;
pub mod record;
pub mod results;
pub mod run;
pub mod shard;
pub mod stats;

pub use ablation::{
    ablation_design, rank_items, variant_units, Ablation, AblationError, AblationOptions, ItemLift,
    LeftOut,
};
pub use chart::{accuracy_chart, learning_curve_chart, outcome_mix_chart};
pub use compare::{
    side_by_side, ArmComparison, Change, CompareError, PuzzleRow, PuzzleSide, SortBy, ViewQuery,
};
pub use design::{
    Arm, DesignError, EarlyStopping, Experiment, LearningCurve, MaterialiseError, PlannedPuzzle,
    PuzzleSet, PuzzleSource, Schedule, UnitChoice,
};
pub use plan::{DreamRequest, ExperimentState, Next, PlannedRun, Progress, RunStatus, StateError};
pub use record::ExperimentRecord;
pub use results::{
    arms_csv, export_json, runs_csv, ArmSummary, Comparison, CurvePoint, ExperimentResults,
    LookInfo, Metric, PairedComparison, Pairing, Verdict,
};
pub use run::{OutcomeCounts, RunOrder, RunResult, RunUnit};
pub use shard::{Shard, ShardError};
pub use stats::{AlphaSpending, Estimate, Interval, PuzzlePair, SessionMoves};
