//! Splitting one experiment's run plan over several headless runners (`--shard i/n`) and
//! merging their states back into the one state the app's results are computed from.
//!
//! A shard owns the runs whose plan index `r` has `r mod n = i − 1`: every shard gets every
//! arm on nearly the same number of puzzles, and the slices of `1/n … n/n` cover the plan
//! exactly once. Only interleaved experiments without early stopping split: the dream
//! before a learning-curve or held-out phase needs every session of the phases before it,
//! and an interim look needs every run of its rounds; no single shard has them.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::design::{DesignError, Experiment, Schedule};
use super::plan::{ExperimentState, RunStatus};

/// The slice `index` of `count` (1-based, as written on the command line: `2/3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 1..=count.
    pub index: usize,
    /// How many shards the plan is split into, at least 1.
    pub count: usize,
}

/// Why a shard or a merge was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShardError {
    /// `--shard` was not `i/n` with `1 ≤ i ≤ n`.
    Malformed(String),
    /// The design is invalid.
    Design(DesignError),
    /// A learning curve or a held-out design cannot be split (its dreams need every earlier
    /// session).
    DreamBarriers,
    /// An early-stopping design cannot be split: each interim look must see every run of
    /// its rounds, which no single shard has.
    EarlyStopping,
    /// Nothing to merge.
    NoStates,
    /// A state is of another experiment or plan than the first.
    DifferentExperiment {
        /// Position of the state in the merge (0-based).
        position: usize,
    },
    /// Two states both report run `run` finished.
    RunTwice {
        /// The run's plan index.
        run: usize,
    },
}

impl fmt::Display for ShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShardError::Malformed(text) => write!(
                f,
                "--shard {text:?} is not i/n with 1 <= i <= n (for example 1/4)"
            ),
            ShardError::Design(e) => write!(f, "the design is invalid: {e:?}"),
            ShardError::DreamBarriers => f.write_str(
                "a learning-curve or held-out experiment cannot be split into shards: the dream \
                 before each phase needs every session of the phases before it; run it unsharded",
            ),
            ShardError::EarlyStopping => f.write_str(
                "an experiment with early stopping cannot be split into shards: each interim \
                 look needs every run of its rounds; run it unsharded or remove early stopping",
            ),
            ShardError::NoStates => f.write_str("there is nothing to merge"),
            ShardError::DifferentExperiment { position } => write!(
                f,
                "input {} is of another experiment or plan than the first one: merge only the \
                 shards of one run",
                position + 1
            ),
            ShardError::RunTwice { run } => write!(
                f,
                "run {} was finished by two inputs: give each shard's journal once",
                run + 1
            ),
        }
    }
}

impl std::error::Error for ShardError {}

impl Shard {
    /// Every run: `1/1`.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Reads `i/n`.
    ///
    /// # Errors
    /// [`ShardError::Malformed`].
    pub fn parse(text: &str) -> Result<Shard, ShardError> {
        let malformed = || ShardError::Malformed(text.to_string());
        let (i, n) = text.trim().split_once('/').ok_or_else(malformed)?;
        let index: usize = i.trim().parse().map_err(|_| malformed())?;
        let count: usize = n.trim().parse().map_err(|_| malformed())?;
        if count == 0 || index == 0 || index > count {
            return Err(malformed());
        }
        Ok(Shard { index, count })
    }

    /// Whether the run at plan index `run` is in this slice.
    pub fn owns(&self, run: usize) -> bool {
        self.count <= 1 || run % self.count == self.index - 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Whether two designs are one experiment: equal except for `concurrency`, which says how
/// a runner executes the plan, not what it measures (shards may run with different limits).
fn same_design(a: &Experiment, b: &Experiment) -> bool {
    *a == Experiment {
        concurrency: a.concurrency,
        ..b.clone()
    }
}

impl ExperimentState {
    /// Plans `experiment` (validated first) and keeps only `shard`'s slice of it playable.
    ///
    /// # Errors
    /// An invalid design, or a split learning curve.
    pub fn sharded(experiment: Experiment, shard: Shard) -> Result<ExperimentState, ShardError> {
        if shard.count > 1
            && matches!(
                experiment.schedule,
                Schedule::LearningCurve { .. } | Schedule::HeldOut { .. }
            )
        {
            return Err(ShardError::DreamBarriers);
        }
        if shard.count > 1 && experiment.early_stopping.is_some() {
            return Err(ShardError::EarlyStopping);
        }
        let mut state = ExperimentState::new(experiment).map_err(ShardError::Design)?;
        if shard.count > 1 {
            state.shard = Some(shard);
        }
        Ok(state)
    }

    /// The states of the shards of one experiment as one state: every run finished in any
    /// of them is finished, every other run pending, no shard. Results computed from it are
    /// the results of one unsharded run of the same runs (plan order is kept). The order of
    /// `states` does not matter.
    ///
    /// # Errors
    /// No states, states of different experiments or plans, or a run finished twice.
    pub fn merge(states: &[ExperimentState]) -> Result<ExperimentState, ShardError> {
        let first = states.first().ok_or(ShardError::NoStates)?;
        let mut merged = first.clone();
        merged.shard = None;
        merged.status = vec![RunStatus::Pending; merged.runs.len()];
        for (position, state) in states.iter().enumerate() {
            if !same_design(&state.experiment, &first.experiment) || state.runs != first.runs {
                return Err(ShardError::DifferentExperiment { position });
            }
            for (run, status) in state.status.iter().enumerate() {
                if let RunStatus::Done { .. } = status {
                    if matches!(merged.status[run], RunStatus::Done { .. }) {
                        return Err(ShardError::RunTwice { run });
                    }
                    merged.status[run] = status.clone();
                } else if let RunStatus::Failed { .. } = status {
                    if merged.status[run] == RunStatus::Pending {
                        merged.status[run] = status.clone();
                    }
                }
            }
            for (phase, unit) in &state.dream_units {
                merged
                    .dream_units
                    .entry(*phase)
                    .or_insert_with(|| unit.clone());
            }
        }
        Ok(merged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::design::tests::ab;
    use crate::experiment::design::LearningCurve;
    use crate::experiment::plan::tests::result_for;
    use crate::experiment::{ExperimentResults, Next};

    #[test]
    fn shards_parse_from_i_over_n_and_refuse_anything_else() {
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 2, count: 3 });
        assert_eq!(Shard::parse(" 1 / 1 ").unwrap(), Shard::WHOLE);
        for bad in ["0/2", "3/2", "1/0", "1", "a/b", "1/2/3", ""] {
            let e = Shard::parse(bad).unwrap_err();
            assert!(e.to_string().contains("i/n"), "{bad}: {e}");
        }
        assert_eq!(Shard { index: 2, count: 3 }.to_string(), "2/3");
    }

    #[test]
    fn the_slices_cover_the_plan_exactly_once() {
        for count in 1..=4 {
            for run in 0..20 {
                let owners = (1..=count)
                    .filter(|&index| Shard { index, count }.owns(run))
                    .count();
                assert_eq!(owners, 1, "run {run} of {count} shards");
            }
        }
    }

    /// Plays every run a state hands out: `solved` decides per run index.
    fn play_all(state: &mut ExperimentState, solved: impl Fn(usize) -> bool) {
        loop {
            match state.poll_next(8) {
                Next::Run { runs } => {
                    for order in runs {
                        let correct = (order.run % 4) as u64;
                        let r = result_for(&order, correct, 5, solved(order.run));
                        state.handle_result(r).unwrap();
                    }
                }
                Next::Finished => break,
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn a_shard_plays_only_its_slice_and_the_merge_equals_one_unsharded_run() {
        let solved = |run: usize| run % 3 != 0;
        let mut whole = ExperimentState::new(ab(2, vec![1, 2, 3])).unwrap();
        play_all(&mut whole, solved);
        let mut shards = Vec::new();
        for index in 1..=2 {
            let shard = Shard { index, count: 2 };
            let mut state = ExperimentState::sharded(ab(2, vec![1, 2, 3]), shard).unwrap();
            play_all(&mut state, solved);
            let p = state.progress();
            assert_eq!(p.total, 6);
            assert_eq!(p.done, 6);
            assert!(state.done_results().all(|r| shard.owns(r.run)));
            shards.push(state);
        }
        shards.reverse();
        shards[0].experiment.concurrency = 7;
        let mut merged = ExperimentState::merge(&shards).unwrap();
        assert_eq!(
            merged.experiment.concurrency, 7,
            "the first input's limit is kept"
        );
        merged.experiment.concurrency = whole.experiment.concurrency;
        assert_eq!(merged, whole);
        assert_eq!(
            ExperimentResults::from_state(&merged),
            ExperimentResults::from_state(&whole)
        );
        let e = ExperimentState::merge(&[shards[0].clone(), shards[0].clone()]).unwrap_err();
        assert!(matches!(e, ShardError::RunTwice { .. }), "{e}");
        let other = ExperimentState::new(ab(1, vec![1])).unwrap();
        let e = ExperimentState::merge(&[shards[0].clone(), other]).unwrap_err();
        assert_eq!(e, ShardError::DifferentExperiment { position: 1 });
        assert_eq!(ExperimentState::merge(&[]), Err(ShardError::NoStates));
    }

    #[test]
    fn a_learning_curve_is_not_split_and_a_sharded_state_survives_its_json() {
        let curve = Experiment::learning_curve("lc", "c", &LearningCurve::new("p", 4, 2), 0);
        assert_eq!(
            ExperimentState::sharded(curve.clone(), Shard { index: 1, count: 2 }),
            Err(ShardError::DreamBarriers)
        );
        assert!(ExperimentState::sharded(curve, Shard::WHOLE)
            .unwrap()
            .shard
            .is_none());
        let state = ExperimentState::sharded(ab(1, vec![1]), Shard { index: 2, count: 2 }).unwrap();
        let back = ExperimentState::from_json(&state.to_json()).unwrap();
        assert_eq!(back, state);
        assert!(!ExperimentState::new(ab(1, vec![1]))
            .unwrap()
            .to_json()
            .contains("shard"));
    }

    /// Each shard would take its interim looks on its own slice and stop on evidence the
    /// experiment as a whole never saw.
    #[test]
    fn an_early_stopping_design_is_not_split() {
        let mut design = ab(4, vec![1, 2, 3, 4]);
        design.early_stopping = Some(crate::experiment::EarlyStopping::every(
            2,
            4,
            crate::experiment::AlphaSpending::Pocock,
        ));
        let e = ExperimentState::sharded(design.clone(), Shard { index: 1, count: 2 }).unwrap_err();
        assert_eq!(e, ShardError::EarlyStopping);
        assert!(e.to_string().contains("unsharded"), "{e}");
        assert!(ExperimentState::sharded(design, Shard::WHOLE).is_ok());
    }
}
