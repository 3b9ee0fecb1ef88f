//! Batches of generated puzzles made one puzzle at a time, so that whoever runs them (the
//! app's engine worker, a script) can report progress and stop between two puzzles.
//!
//! A [`BatchPlan`] decides everything about a batch that is not the generation itself: which
//! seed comes next (the first seed, fixed or drawn by the caller, then one up each time), what
//! is kept (a puzzle that repeats one already in the batch is not; a seed that gives no puzzle
//! is skipped and the next one tried), when the batch is over (enough puzzles, cancelled, or
//! too many seeds gave nothing) and how far along it is.
//!
//! ```
//! use solver_core::generate::{BatchPlan, BatchState, BatchStep, GenerateOptions};
//!
//! let mut plan = BatchPlan::new(GenerateOptions::new(4, 7), 3).unwrap();
//! let mut seeds = Vec::new();
//! while let Some(step) = plan.step() {
//!     if let BatchStep::Generated { puzzle, .. } = step {
//!         seeds.push(puzzle.seed);
//!     }
//! }
//! assert_eq!(plan.state(), BatchState::Complete);
//! assert_eq!(seeds.len(), 3);
//! assert_eq!(seeds[0], 7);
//! assert_eq!(plan.progress(), 1.0);
//! ```

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{generate, GenerateError, GenerateOptions};
use crate::grid::Shape;
use crate::human::{rate, Rating};
use crate::Puzzle;

/// The largest seed a batch hands out. Seeds stay below 2^53 so that a JavaScript number (and
/// so IndexedDB and JSON read by a browser) holds every one exactly; past it they wrap to 0.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// The most puzzles one batch may ask for.
pub const MAX_BATCH: usize = 500;

/// The seed for a batch whose first seed is "random": `unit` is a number in `[0, 1)` from the
/// caller's randomness source (the library has none); the seed is in `1..=999_999_999`, short
/// enough to read out and type back.
pub fn random_seed(unit: f64) -> u64 {
    let unit = if unit.is_finite() {
        unit.clamp(0.0, 1.0)
    } else {
        0.0
    };
    ((unit * 999_999_999.0) as u64).min(999_999_998) + 1
}

/// Where a batch is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchState {
    /// More puzzles to make.
    Running,
    /// Every puzzle asked for was made.
    Complete,
    /// Stopped on request; the puzzles made so far are kept.
    Cancelled,
    /// Stopped because too many seeds in a row gave no puzzle (see
    /// [`BatchPlan::failure_limit`]); the puzzles made so far are kept.
    GaveUp,
}

impl BatchState {
    /// The lowercase name the app shows.
    pub fn name(self) -> &'static str {
        match self {
            BatchState::Running => "running",
            BatchState::Complete => "complete",
            BatchState::Cancelled => "cancelled",
            BatchState::GaveUp => "gave up",
        }
    }
}

/// A batch that cannot be planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchError {
    /// The size is not one of 4, 6, 9, 12, 16, 25.
    Size(usize),
    /// The count is 0 or above [`MAX_BATCH`].
    Count(usize),
    /// The first seed is above [`MAX_SEED`].
    Seed(u64),
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::Size(n) => write!(f, "{n}x{n} is not a size the engine makes"),
            BatchError::Count(n) => {
                write!(f, "a batch has 1 to {MAX_BATCH} puzzles, not {n}")
            }
            BatchError::Seed(s) => write!(f, "seed {s} is above the largest seed, {MAX_SEED}"),
        }
    }
}

impl std::error::Error for BatchError {}

/// What one step of a batch gave.
#[derive(Clone, Debug, PartialEq)]
pub enum BatchStep {
    /// A puzzle to keep.
    Generated {
        /// Its place in the batch, from 0.
        index: usize,
        /// The puzzle (its `seed` is the seed that made it).
        puzzle: Puzzle,
        /// Its rating.
        rating: Rating,
    },
    /// A seed that gave no puzzle to keep; the batch goes on with the next seed.
    Skipped {
        /// The seed.
        seed: u64,
        /// Why, in words.
        reason: String,
    },
}

/// A batch of puzzles in the making (see the module docs).
#[derive(Clone, Debug)]
pub struct BatchPlan {
    options: GenerateOptions,
    count: usize,
    tried: usize,
    kept: BTreeSet<String>,
    skipped_in_a_row: usize,
    state: BatchState,
}

impl BatchPlan {
    /// A batch of `count` puzzles made with `options` (size, band, symmetry, clue target),
    /// whose first seed is `options.seed`.
    ///
    /// # Errors
    /// [`BatchError`] for a size the engine does not make, a count of 0 or above
    /// [`MAX_BATCH`], or a first seed above [`MAX_SEED`].
    pub fn new(options: GenerateOptions, count: usize) -> Result<BatchPlan, BatchError> {
        Shape::new(options.size).map_err(|_| BatchError::Size(options.size))?;
        if count == 0 || count > MAX_BATCH {
            return Err(BatchError::Count(count));
        }
        if options.seed > MAX_SEED {
            return Err(BatchError::Seed(options.seed));
        }
        Ok(BatchPlan {
            options,
            count,
            tried: 0,
            kept: BTreeSet::new(),
            skipped_in_a_row: 0,
            state: BatchState::Running,
        })
    }

    /// How many puzzles were asked for.
    pub fn count(&self) -> usize {
        self.count
    }

    /// How many puzzles were kept so far.
    pub fn kept(&self) -> usize {
        self.kept.len()
    }

    /// How many seeds were tried so far (kept plus skipped).
    pub fn tried(&self) -> usize {
        self.tried
    }

    /// Where the batch is.
    pub fn state(&self) -> BatchState {
        self.state
    }

    /// How many seeds in a row may give no puzzle before the batch gives up: enough for a
    /// rare band to turn up, few enough that an unreachable one (hard on 4x4) ends.
    pub fn failure_limit(&self) -> usize {
        self.count.clamp(3, 10)
    }

    /// The fraction done, from 0 to 1, for a progress bar: kept puzzles over those asked for
    /// (1 once the batch is complete).
    pub fn progress(&self) -> f64 {
        if self.state == BatchState::Complete {
            1.0
        } else {
            self.kept() as f64 / self.count as f64
        }
    }

    /// The seed the next step uses; `None` once the batch is over.
    pub fn next_seed(&self) -> Option<u64> {
        (self.state == BatchState::Running)
            .then(|| (self.options.seed + self.tried as u64) % (MAX_SEED + 1))
    }

    /// Stops the batch: no further step runs; what was kept stays kept. A batch already over
    /// keeps its state.
    pub fn cancel(&mut self) {
        if self.state == BatchState::Running {
            self.state = BatchState::Cancelled;
        }
    }

    /// Makes the next puzzle (the slow part: up to about a second for a 25x25) and records
    /// it; `None` once the batch is over.
    pub fn step(&mut self) -> Option<BatchStep> {
        let seed = self.next_seed()?;
        let options = GenerateOptions {
            seed,
            ..self.options.clone()
        };
        let made = generate(&options).map(|puzzle| {
            let rating = rate(&puzzle.givens);
            (puzzle, rating)
        });
        Some(self.record(seed, made))
    }

    /// Records what seed `seed` (the one [`Self::next_seed`] gave) made: keeps a puzzle unless
    /// it repeats one already kept, counts a failure otherwise, and moves on to the next seed.
    pub fn record(
        &mut self,
        seed: u64,
        made: Result<(Puzzle, Rating), GenerateError>,
    ) -> BatchStep {
        self.tried += 1;
        let step = match made {
            Ok((puzzle, rating)) => {
                if self.kept.insert(puzzle.givens.to_line()) {
                    self.skipped_in_a_row = 0;
                    BatchStep::Generated {
                        index: self.kept.len() - 1,
                        puzzle,
                        rating,
                    }
                } else {
                    self.skipped_in_a_row += 1;
                    BatchStep::Skipped {
                        seed,
                        reason: "the same puzzle as an earlier seed of this batch".into(),
                    }
                }
            }
            Err(e) => {
                self.skipped_in_a_row += 1;
                BatchStep::Skipped {
                    seed,
                    reason: e.to_string(),
                }
            }
        };
        if self.kept.len() == self.count {
            self.state = BatchState::Complete;
        } else if self.skipped_in_a_row >= self.failure_limit() {
            self.state = BatchState::GaveUp;
        }
        step
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::human::Band;

    fn run(plan: &mut BatchPlan) -> Vec<BatchStep> {
        std::iter::from_fn(|| plan.step()).collect()
    }

    #[test]
    fn a_batch_is_the_puzzles_of_consecutive_seeds() {
        let mut options = GenerateOptions::new(9, 41);
        options.band = Some(Band::Easy);
        let mut plan = BatchPlan::new(options.clone(), 3).unwrap();
        assert_eq!(plan.next_seed(), Some(41));
        let steps = run(&mut plan);
        assert_eq!(plan.state(), BatchState::Complete);
        assert_eq!(plan.next_seed(), None);
        for (k, step) in steps.iter().enumerate() {
            let BatchStep::Generated {
                index,
                puzzle,
                rating,
            } = step
            else {
                panic!("seed {} skipped: {step:?}", 41 + k);
            };
            assert_eq!(*index, k);
            let alone = generate(&GenerateOptions {
                seed: 41 + k as u64,
                ..options.clone()
            })
            .unwrap();
            assert_eq!(*puzzle, alone, "the same puzzle as generated alone");
            assert_eq!(rating.band, Some(Band::Easy));
        }
    }

    #[test]
    fn progress_counts_kept_puzzles() {
        let mut plan = BatchPlan::new(GenerateOptions::new(4, 1), 4).unwrap();
        assert_eq!(plan.progress(), 0.0);
        plan.step();
        assert_eq!((plan.kept(), plan.tried()), (1, 1));
        assert_eq!(plan.progress(), 0.25);
        run(&mut plan);
        assert_eq!(plan.progress(), 1.0);
    }

    #[test]
    fn cancel_stops_between_puzzles_and_keeps_what_was_made() {
        let mut plan = BatchPlan::new(GenerateOptions::new(6, 5), 10).unwrap();
        plan.step();
        plan.step();
        plan.cancel();
        assert_eq!(plan.state(), BatchState::Cancelled);
        assert_eq!(plan.step(), None);
        assert_eq!(plan.kept(), 2);
        assert_eq!(plan.progress(), 0.2);
        // Cancelling a finished batch changes nothing.
        let mut done = BatchPlan::new(GenerateOptions::new(4, 1), 1).unwrap();
        run(&mut done);
        done.cancel();
        assert_eq!(done.state(), BatchState::Complete);
    }

    #[test]
    fn a_repeated_puzzle_is_skipped_and_the_next_seed_tried() {
        let mut plan = BatchPlan::new(GenerateOptions::new(4, 10), 2).unwrap();
        let first = generate(&GenerateOptions::new(4, 10)).unwrap();
        let rating = rate(&first.givens);
        let step = plan.record(10, Ok((first.clone(), rating.clone())));
        assert!(matches!(step, BatchStep::Generated { index: 0, .. }));
        assert_eq!(plan.next_seed(), Some(11));
        let again = plan.record(11, Ok((first, rating)));
        assert!(
            matches!(&again, BatchStep::Skipped { seed: 11, reason } if reason.contains("same puzzle")),
            "{again:?}"
        );
        assert_eq!((plan.kept(), plan.tried()), (1, 2));
        assert_eq!(plan.next_seed(), Some(12));
        assert_eq!(plan.state(), BatchState::Running);
    }

    #[test]
    fn a_band_out_of_reach_gives_up_after_the_failure_limit() {
        // 4x4 puzzles never need more than singles: diabolical is out of reach.
        let mut options = GenerateOptions::new(4, 1);
        options.band = Some(Band::Diabolical);
        let mut plan = BatchPlan::new(options, 2).unwrap();
        let steps = run(&mut plan);
        assert_eq!(plan.state(), BatchState::GaveUp);
        assert_eq!(steps.len(), plan.failure_limit());
        assert!(steps.iter().all(
            |s| matches!(s, BatchStep::Skipped { reason, .. } if reason.contains("diabolical"))
        ));
        assert_eq!(plan.kept(), 0);
    }

    #[test]
    fn a_kept_puzzle_resets_the_failure_count() {
        let mut plan = BatchPlan::new(GenerateOptions::new(4, 1), 5).unwrap();
        let limit = plan.failure_limit();
        let fail = || Err(GenerateError::FillFailed { attempts: 1 });
        for _ in 0..limit - 1 {
            let seed = plan.next_seed().unwrap();
            plan.record(seed, fail());
        }
        let seed = plan.next_seed().unwrap();
        let puzzle = generate(&GenerateOptions::new(4, seed)).unwrap();
        let rating = rate(&puzzle.givens);
        plan.record(seed, Ok((puzzle, rating)));
        for _ in 0..limit - 1 {
            let seed = plan.next_seed().unwrap();
            plan.record(seed, fail());
        }
        assert_eq!(plan.state(), BatchState::Running);
        let seed = plan.next_seed().unwrap();
        plan.record(seed, fail());
        assert_eq!(plan.state(), BatchState::GaveUp);
    }

    #[test]
    fn bad_batches_are_refused() {
        assert_eq!(
            BatchPlan::new(GenerateOptions::new(10, 1), 1).unwrap_err(),
            BatchError::Size(10)
        );
        assert_eq!(
            BatchPlan::new(GenerateOptions::new(9, 1), 0).unwrap_err(),
            BatchError::Count(0)
        );
        assert!(BatchPlan::new(GenerateOptions::new(9, 1), MAX_BATCH + 1).is_err());
        let err = BatchPlan::new(GenerateOptions::new(9, MAX_SEED + 1), 1).unwrap_err();
        assert!(err.to_string().contains("largest seed"), "{err}");
    }

    #[test]
    fn seeds_wrap_below_two_to_the_53() {
        let mut plan = BatchPlan::new(GenerateOptions::new(4, MAX_SEED), 2).unwrap();
        assert_eq!(plan.next_seed(), Some(MAX_SEED));
        plan.step();
        assert_eq!(plan.next_seed(), Some(0));
    }

    #[test]
    fn random_seeds_are_short_and_positive() {
        assert_eq!(random_seed(0.0), 1);
        assert_eq!(random_seed(0.999_999_999_999), 999_999_999);
        assert_eq!(random_seed(f64::NAN), 1);
        assert_eq!(random_seed(2.0), 999_999_999);
        assert_eq!(random_seed(0.5), 500_000_000);
    }
}
