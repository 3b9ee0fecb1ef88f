//! The run plan and the scheduler: a state machine that says what to run next, takes the
//! results back, stops at dream barriers, and serialises so an experiment resumes after a
//! reload.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::design::{DesignError, Experiment, PlannedPuzzle, Schedule, UnitChoice};
use super::run::{RunOrder, RunResult};
use super::shard::Shard;

/// One entry of the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedRun {
    /// Position in the plan.
    pub index: usize,
    /// Index of the arm in [`Experiment::arms`].
    pub arm: usize,
    /// The puzzle.
    pub puzzle: PlannedPuzzle,
    /// 0-based repetition.
    pub repeat: usize,
    /// Phase: 0 for interleaved experiments, the arm's index for learning curves and
    /// held-out designs.
    pub phase: usize,
    /// A held-out design's training run: played to be dreamt over, never evaluated.
    #[serde(default)]
    pub training: bool,
}

/// Where a run is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RunStatus {
    /// Not started.
    Pending,
    /// Handed out by [`ExperimentState::poll_next`], no result yet.
    Running,
    /// Finished, with its full record.
    Done {
        /// The record.
        result: RunResult,
    },
    /// Could not be played (e.g. the model was unreachable); can be retried.
    Failed {
        /// Why.
        error: String,
    },
    /// Not played: the experiment stopped early at a checkpoint before it.
    Skipped,
}

/// What the caller should do next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Next {
    /// Start these runs (marked running already).
    Run {
        /// The runs.
        runs: Vec<RunOrder>,
    },
    /// Dream now, then call [`ExperimentState::handle_dream`] with the new unit's id.
    Dream(DreamRequest),
    /// Nothing new can start until a running run reports back (concurrency limit or a
    /// barrier ahead).
    Wait,
    /// Every run has finished, failed or was skipped by an early stop.
    Finished,
}

/// A dream the experiment needs before its next phase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DreamRequest {
    /// The phase that waits for the unit.
    pub phase: usize,
    /// The profile whose experiences to dream over (the waiting arm's).
    pub profile_id: String,
    /// Sessions played so far in this experiment, in plan order: the experiences to dream.
    pub session_ids: Vec<String>,
}

/// Why a report was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateError {
    /// No run has this index.
    UnknownRun(usize),
    /// The run is not waiting for a result (it is pending, done or failed).
    NotRunning(usize),
    /// The result names another arm or puzzle than the plan has for that run.
    Mismatch(usize),
    /// No dream is due for this phase now.
    NoDreamDue(usize),
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::UnknownRun(i) => write!(f, "there is no run {i}"),
            StateError::NotRunning(i) => write!(f, "run {i} is not running"),
            StateError::Mismatch(i) => {
                write!(f, "the result for run {i} names another arm or puzzle")
            }
            StateError::NoDreamDue(p) => write!(f, "no dream is due before phase {p}"),
        }
    }
}

impl std::error::Error for StateError {}

/// Counts for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Finished with a result.
    pub done: usize,
    /// Failed.
    pub failed: usize,
    /// Started, no result yet.
    pub running: usize,
    /// Not played because the experiment stopped early.
    #[serde(default)]
    pub skipped: usize,
    /// All runs of the plan.
    pub total: usize,
}

impl Progress {
    /// Share of runs that finished, failed or were skipped, 0..=1 (1 for an empty plan).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            (self.done + self.failed + self.skipped) as f64 / self.total as f64
        }
    }
}

/// An experiment in progress. Serialise it after every change; deserialise and call
/// [`ExperimentState::requeue_running`] to resume after a reload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentState {
    /// The design.
    pub experiment: Experiment,
    /// The plan, in the order runs are handed out.
    pub runs: Vec<PlannedRun>,
    /// One status per run.
    pub status: Vec<RunStatus>,
    /// Units made by the dream before each phase that needed one.
    pub dream_units: BTreeMap<usize, String>,
    /// Interim looks of early stopping taken so far (see [`Experiment::early_stopping`]).
    #[serde(default)]
    pub looks_taken: usize,
    /// The interim look (0-based) at which the experiment stopped early, if it did.
    #[serde(default)]
    pub stopped_at_look: Option<usize>,
    /// The slice of the plan this state plays (a headless runner's `--shard i/n`); `None`,
    /// as the app stores it, plays every run. Runs outside the slice stay pending and are
    /// never handed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
}

impl ExperimentState {
    /// Plans `experiment` (validated first).
    ///
    /// Interleaved: repeat by repeat, puzzle by puzzle, arm by arm, so after any prefix every
    /// arm has played nearly the same puzzles (run `k` belongs to round `k / arms`). Learning
    /// curve: arm `i` plays puzzles `i·N .. (i+1)·N` in phase `i`. Held out: arm `i` plays
    /// every test puzzle in phase `i`, then, when the next arm waits for a dream, the next
    /// block of training puzzles (once each).
    ///
    /// # Errors
    /// The design's [`DesignError`].
    pub fn new(experiment: Experiment) -> Result<ExperimentState, DesignError> {
        experiment.validate()?;
        let puzzles = experiment.puzzles.puzzles();
        let mut runs = Vec::new();
        let mut push =
            |arm: usize, puzzle: &PlannedPuzzle, repeat: usize, phase: usize, training: bool| {
                runs.push(PlannedRun {
                    index: runs.len(),
                    arm,
                    puzzle: puzzle.clone(),
                    repeat,
                    phase,
                    training,
                });
            };
        match &experiment.schedule {
            Schedule::Interleaved => {
                for repeat in 0..experiment.runs_per_arm {
                    for puzzle in &puzzles {
                        for arm in 0..experiment.arms.len() {
                            push(arm, puzzle, repeat, 0, false);
                        }
                    }
                }
            }
            Schedule::LearningCurve { puzzles_per_phase } => {
                let n = *puzzles_per_phase;
                for arm in 0..experiment.arms.len() {
                    for repeat in 0..experiment.runs_per_arm {
                        for puzzle in &puzzles[arm * n..(arm + 1) * n] {
                            push(arm, puzzle, repeat, arm, false);
                        }
                    }
                }
            }
            Schedule::HeldOut {
                training,
                puzzles_per_dream,
            } => {
                let training = training.puzzles();
                let mut blocks = training.chunks(*puzzles_per_dream);
                for arm in 0..experiment.arms.len() {
                    for repeat in 0..experiment.runs_per_arm {
                        for puzzle in &puzzles {
                            push(arm, puzzle, repeat, arm, false);
                        }
                    }
                    let next_waits = experiment
                        .arms
                        .get(arm + 1)
                        .is_some_and(|a| a.unit == UnitChoice::NewestAfterDream);
                    if next_waits {
                        // Validation made sure there is a full block for every dream.
                        for puzzle in blocks.next().unwrap_or_default() {
                            push(arm, puzzle, 0, arm, true);
                        }
                    }
                }
            }
        }
        let status = vec![RunStatus::Pending; runs.len()];
        Ok(ExperimentState {
            experiment,
            runs,
            status,
            dream_units: BTreeMap::new(),
            looks_taken: 0,
            stopped_at_look: None,
            shard: None,
        })
    }

    /// Whether run `index` is in this state's slice of the plan (every run without a shard).
    pub fn owns(&self, index: usize) -> bool {
        self.shard.is_none_or(|s| s.owns(index))
    }

    /// The lowest phase that still has pending or running runs.
    fn current_phase(&self) -> Option<usize> {
        self.runs
            .iter()
            .zip(&self.status)
            .filter(|(r, _)| self.owns(r.index))
            .filter(|(_, s)| matches!(s, RunStatus::Pending | RunStatus::Running))
            .map(|(r, _)| r.phase)
            .min()
    }

    /// Whether the phase's arm waits for a dream.
    fn phase_needs_dream(&self, phase: usize) -> bool {
        !matches!(self.experiment.schedule, Schedule::Interleaved)
            && self.experiment.arms[phase].unit == UnitChoice::NewestAfterDream
    }

    /// The sessions a dream before `phase` learns from, in plan order: every finished run so
    /// far, or in a held-out design only the training runs (test puzzles stay unseen).
    fn dream_sessions(&self) -> Vec<String> {
        let held_out = matches!(self.experiment.schedule, Schedule::HeldOut { .. });
        self.runs
            .iter()
            .zip(&self.status)
            .filter(|(run, _)| run.training || !held_out)
            .filter_map(|(_, s)| match s {
                RunStatus::Done { result } => Some(result.session_id.clone()),
                _ => None,
            })
            .collect()
    }

    /// The unit a run's arm plays with, if known.
    fn unit_for(&self, run: &PlannedRun) -> Option<String> {
        match &self.experiment.arms[run.arm].unit {
            UnitChoice::None => None,
            UnitChoice::Fixed(id) => Some(id.clone()),
            UnitChoice::NewestAfterDream => self.dream_units.get(&run.phase).cloned(),
        }
    }

    fn running(&self) -> usize {
        self.status
            .iter()
            .filter(|s| matches!(s, RunStatus::Running))
            .count()
    }

    /// The next thing to do: runs to start, a dream, wait, or finished. At most `min(max_concurrency, experiment.concurrency)` runs are
    /// running at once; the runs handed out are marked running.
    pub fn poll_next(&mut self, max_concurrency: usize) -> Next {
        let Some(phase) = self.current_phase() else {
            return Next::Finished;
        };
        if self.stopped_at_look.is_some() {
            // Stopped early: what still runs may report back, nothing new starts.
            return Next::Wait;
        }
        if self.phase_needs_dream(phase) && !self.dream_units.contains_key(&phase) {
            // Every earlier phase has finished (this is the lowest unfinished one), so the
            // dream sees all of their experiences.
            return Next::Dream(DreamRequest {
                phase,
                profile_id: self.experiment.arms[phase].profile_id.clone(),
                session_ids: self.dream_sessions(),
            });
        }
        let limit = max_concurrency.min(self.experiment.concurrency);
        let free = limit.saturating_sub(self.running());
        let chosen: Vec<usize> = (0..self.runs.len())
            .filter(|&i| {
                self.owns(i) && self.runs[i].phase == phase && self.status[i] == RunStatus::Pending
            })
            .take(free)
            .collect();
        if chosen.is_empty() {
            return Next::Wait;
        }
        let runs = chosen
            .into_iter()
            .map(|i| {
                self.status[i] = RunStatus::Running;
                let run = &self.runs[i];
                RunOrder {
                    run: i,
                    arm: self.experiment.arms[run.arm].clone(),
                    puzzle: run.puzzle.clone(),
                    repeat: run.repeat,
                    unit_id: self.unit_for(run),
                    training: run.training,
                }
            })
            .collect();
        Next::Run { runs }
    }

    /// The runs to start now (see [`ExperimentState::poll_next`]); empty when the caller must
    /// wait, dream or is finished.
    pub fn poll_runs(&mut self, max_concurrency: usize) -> Vec<RunOrder> {
        match self.poll_next(max_concurrency) {
            Next::Run { runs } => runs,
            _ => Vec::new(),
        }
    }

    /// Feeds a finished run's result back.
    ///
    /// # Errors
    /// The run is unknown, not running, or the record names another arm or puzzle.
    pub fn handle_result(&mut self, result: RunResult) -> Result<(), StateError> {
        let i = result.run;
        let run = self.runs.get(i).ok_or(StateError::UnknownRun(i))?;
        if self.status[i] != RunStatus::Running {
            return Err(StateError::NotRunning(i));
        }
        if result.arm_id != self.experiment.arms[run.arm].id || result.puzzle_id != run.puzzle.id {
            return Err(StateError::Mismatch(i));
        }
        self.status[i] = RunStatus::Done { result };
        self.take_due_looks();
        Ok(())
    }

    /// Whether every run of the first `rounds` rounds of an interleaved plan has finished.
    pub fn rounds_done(&self, rounds: usize) -> bool {
        let arms = self.experiment.arms.len();
        self.status
            .iter()
            .take(rounds * arms)
            .all(|s| matches!(s, RunStatus::Done { .. }))
    }

    /// Takes the interim looks of early stopping whose rounds have all finished, in order;
    /// at the first that decides, the runs not started are skipped.
    fn take_due_looks(&mut self) {
        let Some(stopping) = self.experiment.early_stopping.clone() else {
            return;
        };
        while self.stopped_at_look.is_none() && self.looks_taken < stopping.checkpoints.len() {
            let look = self.looks_taken;
            if !self.rounds_done(stopping.checkpoints[look]) {
                return;
            }
            self.looks_taken += 1;
            if super::results::look_decides(self, &stopping, look) {
                self.stopped_at_look = Some(look);
                for s in &mut self.status {
                    if matches!(s, RunStatus::Pending | RunStatus::Failed { .. }) {
                        *s = RunStatus::Skipped;
                    }
                }
            }
        }
    }

    /// Whether anything is left to play: a run pending, running or failed (to retry), and no
    /// early stop.
    pub fn can_continue(&self) -> bool {
        self.stopped_at_look.is_none()
            && self.status.iter().any(|s| {
                matches!(
                    s,
                    RunStatus::Pending | RunStatus::Running | RunStatus::Failed { .. }
                )
            })
    }

    /// Feeds a run's failure back: it is marked failed ([`ExperimentState::retry_failed`]
    /// puts it back).
    ///
    /// # Errors
    /// The run is unknown or not running.
    pub fn handle_failure(&mut self, run: usize, error: &str) -> Result<(), StateError> {
        match self.status.get(run) {
            None => Err(StateError::UnknownRun(run)),
            Some(RunStatus::Running) => {
                self.status[run] = RunStatus::Failed {
                    error: error.to_string(),
                };
                Ok(())
            }
            Some(_) => Err(StateError::NotRunning(run)),
        }
    }

    /// Feeds the dream [`Next::Dream`] asked for back: the id of the unit it made.
    ///
    /// # Errors
    /// [`StateError::NoDreamDue`] when the experiment is not waiting for that dream.
    pub fn handle_dream(&mut self, phase: usize, unit_id: &str) -> Result<(), StateError> {
        let due = self.current_phase() == Some(phase)
            && self.phase_needs_dream(phase)
            && !self.dream_units.contains_key(&phase);
        if !due {
            return Err(StateError::NoDreamDue(phase));
        }
        self.dream_units.insert(phase, unit_id.to_string());
        Ok(())
    }

    /// Whether `session_id` is the session of a finished run. A session of this experiment
    /// that is not, and is still running or paused, belongs to a run that was cut off and is
    /// replayed in a fresh session: it is abandoned as [`AbandonReason::Interrupted`] so it
    /// does not look like a play still going on.
    ///
    /// [`AbandonReason::Interrupted`]: crate::play::AbandonReason::Interrupted
    pub fn records_session(&self, session_id: &str) -> bool {
        self.status
            .iter()
            .any(|s| matches!(s, RunStatus::Done { result } if result.session_id == session_id))
    }

    /// After a reload: runs that were running when the page went away have no player any
    /// more; they go back to pending (or, after an early stop, are skipped). Returns how
    /// many.
    pub fn requeue_running(&mut self) -> usize {
        let requeued = if self.stopped_at_look.is_some() {
            RunStatus::Skipped
        } else {
            RunStatus::Pending
        };
        let mut n = 0;
        for s in &mut self.status {
            if *s == RunStatus::Running {
                *s = requeued.clone();
                n += 1;
            }
        }
        n
    }

    /// Puts failed runs back to pending. Returns how many. (A failed run of a finished
    /// phase is retried before any later phase continues; after an early stop nothing is.)
    pub fn retry_failed(&mut self) -> usize {
        if self.stopped_at_look.is_some() {
            return 0;
        }
        let mut n = 0;
        for s in &mut self.status {
            if matches!(s, RunStatus::Failed { .. }) {
                *s = RunStatus::Pending;
                n += 1;
            }
        }
        n
    }

    /// Counts for a progress bar (of this state's slice of the plan, with a shard).
    pub fn progress(&self) -> Progress {
        let mut p = Progress {
            done: 0,
            failed: 0,
            running: 0,
            skipped: 0,
            total: (0..self.runs.len()).filter(|&i| self.owns(i)).count(),
        };
        for (i, s) in self.status.iter().enumerate() {
            if !self.owns(i) {
                continue;
            }
            match s {
                RunStatus::Pending => {}
                RunStatus::Running => p.running += 1,
                RunStatus::Done { .. } => p.done += 1,
                RunStatus::Failed { .. } => p.failed += 1,
                RunStatus::Skipped => p.skipped += 1,
            }
        }
        p
    }

    /// The finished runs' records, in plan order.
    pub fn done_results(&self) -> impl Iterator<Item = &RunResult> {
        self.status.iter().filter_map(|s| match s {
            RunStatus::Done { result } => Some(result),
            _ => None,
        })
    }

    /// The state as JSON (what the app stores).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("the state has only serialisable fields")
    }

    /// Reads a state stored with [`ExperimentState::to_json`].
    ///
    /// # Errors
    /// The text is not such a state.
    /// The text is not such a state, or its parts do not fit together (a status per run,
    /// arms and phases that exist): stored data can be damaged, and indexing must not panic.
    pub fn from_json(text: &str) -> Result<ExperimentState, serde_json::Error> {
        let state: ExperimentState = serde_json::from_str(text)?;
        let arms = state.experiment.arms.len();
        let fits = state.status.len() == state.runs.len()
            && state
                .shard
                .is_none_or(|s| s.count >= 1 && (1..=s.count).contains(&s.index))
            && state.runs.iter().enumerate().all(|(i, r)| {
                r.index == i
                    && r.arm < arms
                    && (r.phase == 0 || !matches!(state.experiment.schedule, Schedule::Interleaved))
                    && r.phase < arms.max(1)
            })
            && state
                .stopped_at_look
                .is_none_or(|look| look < state.looks_taken);
        if !fits {
            return Err(serde::de::Error::custom(
                "the stored experiment state is inconsistent (runs, statuses and arms do not match)",
            ));
        }
        Ok(state)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::experiment::design::tests::ab;

    #[test]
    fn only_finished_runs_record_their_session_so_an_interrupted_one_is_retired() {
        let mut st = ExperimentState::new(ab(1, vec![1])).unwrap();
        let orders = st.poll_runs(2);
        assert_eq!(orders.len(), 2);
        let done = result_for(&orders[0], 3, 4, true);
        let kept = done.session_id.clone();
        st.handle_result(done).unwrap();
        assert!(st.records_session(&kept));
        assert!(
            !st.records_session("session-cut-off"),
            "a running run's session is not recorded"
        );
        assert_eq!(st.requeue_running(), 1);
        assert!(!st.records_session("session-cut-off"));
    }
    use crate::experiment::design::LearningCurve;
    use crate::experiment::run::OutcomeCounts;

    pub(crate) fn result_for(
        order: &RunOrder,
        correct: u64,
        attempts: u64,
        solved: bool,
    ) -> RunResult {
        RunResult {
            run: order.run,
            arm_id: order.arm.id.clone(),
            puzzle_id: order.puzzle.id.clone(),
            session_id: format!("s{}", order.run),
            solved,
            attempts,
            correct,
            outcomes: OutcomeCounts {
                correct,
                valid_but_wrong: attempts - correct,
                ..OutcomeCounts::default()
            },
            abandon_reason: (!solved).then(|| "maximum number of attempts reached".to_string()),
            duration_ms: 1000,
        }
    }

    #[test]
    fn interleaves_arms_and_respects_concurrency() {
        let mut st = ExperimentState::new(ab(2, vec![1, 2, 3])).unwrap();
        assert_eq!(st.progress().total, 12);
        // The design allows 2 at once even if the caller offers 5.
        let first = st.poll_runs(5);
        assert_eq!(first.len(), 2);
        assert_eq!(first[0].arm.id, "a");
        assert_eq!(first[1].arm.id, "b");
        assert_eq!(first[0].puzzle.id, first[1].puzzle.id);
        assert_eq!(first[1].unit_id.as_deref(), Some("unit-1"));
        assert_eq!(st.poll_next(5), Next::Wait);
        st.handle_result(result_for(&first[0], 3, 4, true)).unwrap();
        let more = st.poll_runs(5);
        assert_eq!(more.len(), 1);
        assert_eq!(more[0].run, 2);
        assert_eq!(st.progress().running, 2);
        assert_eq!(st.progress().done, 1);
    }

    #[test]
    fn refuses_wrong_reports() {
        let mut st = ExperimentState::new(ab(1, vec![1])).unwrap();
        let orders = st.poll_runs(1);
        let mut r = result_for(&orders[0], 1, 1, true);
        r.arm_id = "b".to_string();
        assert_eq!(st.handle_result(r), Err(StateError::Mismatch(0)));
        let r = result_for(&orders[0], 1, 1, true);
        st.handle_result(r.clone()).unwrap();
        assert_eq!(st.handle_result(r), Err(StateError::NotRunning(0)));
        let mut r = result_for(&orders[0], 1, 1, true);
        r.run = 9;
        assert_eq!(st.handle_result(r), Err(StateError::UnknownRun(9)));
        assert_eq!(st.handle_failure(1, "x"), Err(StateError::NotRunning(1)));
    }

    #[test]
    fn resumes_after_a_reload_mid_run() {
        let mut st = ExperimentState::new(ab(1, vec![1, 2])).unwrap();
        let orders = st.poll_runs(2);
        st.handle_result(result_for(&orders[0], 2, 3, false))
            .unwrap();
        // The page reloads: the state comes back from storage, run 1 lost its player.
        let mut back = ExperimentState::from_json(&st.to_json()).unwrap();
        assert_eq!(back, st);
        assert_eq!(back.requeue_running(), 1);
        let again = back.poll_runs(2);
        assert_eq!(again.iter().map(|o| o.run).collect::<Vec<_>>(), vec![1, 2]);
        for o in &again {
            back.handle_result(result_for(o, 1, 1, true)).unwrap();
        }
        let last = back.poll_runs(2);
        back.handle_failure(last[0].run, "model unreachable")
            .unwrap();
        assert_eq!(back.poll_next(2), Next::Finished);
        assert_eq!(back.progress().failed, 1);
        assert_eq!(back.retry_failed(), 1);
        let retried = back.poll_runs(2);
        back.handle_result(result_for(&retried[0], 1, 1, true))
            .unwrap();
        assert_eq!(back.poll_next(2), Next::Finished);
        assert_eq!(back.progress().fraction(), 1.0);
    }

    #[test]
    fn damaged_state_is_refused_not_panicked_on() {
        let st = ExperimentState::new(ab(1, vec![1])).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&st.to_json()).unwrap();
        v["status"].as_array_mut().unwrap().pop();
        let err = ExperimentState::from_json(&v.to_string()).unwrap_err();
        assert!(err.to_string().contains("inconsistent"), "{err}");
        let mut v: serde_json::Value = serde_json::from_str(&st.to_json()).unwrap();
        v["runs"][1]["arm"] = 7.into();
        assert!(ExperimentState::from_json(&v.to_string()).is_err());
        assert!(ExperimentState::from_json("{}").is_err());
    }

    #[test]
    fn learning_curve_stops_for_a_dream_between_phases() {
        let options = LearningCurve {
            first_seed: 10,
            held_out: false,
            ..LearningCurve::new("local", 4, 2)
        };
        let e = Experiment::learning_curve("lc", "Curve", &options, 0);
        let mut st = ExperimentState::new(e).unwrap();
        let phase0 = st.poll_runs(4);
        assert_eq!(phase0.len(), 1, "the preset plays one at a time");
        assert_eq!(phase0[0].unit_id, None);
        st.handle_result(result_for(&phase0[0], 1, 2, false))
            .unwrap();
        let second = st.poll_runs(4);
        assert_eq!(second[0].puzzle.id, "4x4-any-s11");
        // No dream while phase 0 still runs.
        assert_eq!(st.handle_dream(1, "u"), Err(StateError::NoDreamDue(1)));
        st.handle_result(result_for(&second[0], 2, 2, true))
            .unwrap();
        let Next::Dream(request) = st.poll_next(4) else {
            panic!("a dream is due");
        };
        assert_eq!(request.phase, 1);
        assert_eq!(
            request.session_ids,
            vec!["s0".to_string(), "s1".to_string()]
        );
        // Asking again before reporting the dream asks for the same dream (and survives a
        // reload).
        let mut st = ExperimentState::from_json(&st.to_json()).unwrap();
        assert_eq!(st.poll_next(4), Next::Dream(request));
        st.handle_dream(1, "unit-after").unwrap();
        assert_eq!(st.handle_dream(1, "again"), Err(StateError::NoDreamDue(1)));
        let phase1 = st.poll_runs(4);
        assert_eq!(phase1[0].unit_id.as_deref(), Some("unit-after"));
        // New puzzles after the dream.
        assert_eq!(phase1[0].puzzle.id, "4x4-any-s12");
    }

    /// Plays everything `st` hands out (one at a time), dreaming with unit `unit-{phase}`
    /// when asked; `solves(order)` says whether a run solves. Returns the dream requests.
    pub(crate) fn play_all(
        st: &mut ExperimentState,
        solves: &dyn Fn(&RunOrder) -> bool,
    ) -> Vec<DreamRequest> {
        let mut dreams = Vec::new();
        loop {
            match st.poll_next(2) {
                Next::Run { runs } => {
                    for o in runs {
                        let solved = solves(&o);
                        st.handle_result(result_for(&o, if solved { 8 } else { 3 }, 8, solved))
                            .unwrap();
                    }
                }
                Next::Dream(request) => {
                    st.handle_dream(request.phase, &format!("unit-{}", request.phase))
                        .unwrap();
                    dreams.push(request);
                }
                Next::Wait => panic!("nothing is in flight"),
                Next::Finished => return dreams,
            }
        }
    }

    #[test]
    fn held_out_dreams_see_only_training_puzzles_and_every_phase_plays_the_test_set() {
        let options = LearningCurve {
            dreams: 2,
            test_puzzles: 3,
            ..LearningCurve::new("local", 4, 2)
        };
        let mut st =
            ExperimentState::new(Experiment::learning_curve("ho", "Held out", &options, 0))
                .unwrap();
        let test_ids = ["4x4-any-s1", "4x4-any-s2", "4x4-any-s3"];
        for phase in 0..3 {
            let eval: Vec<&str> = st
                .runs
                .iter()
                .filter(|r| r.phase == phase && !r.training)
                .map(|r| r.puzzle.id.as_str())
                .collect();
            assert_eq!(eval, test_ids, "phase {phase} plays the whole test set");
        }
        let training: Vec<(usize, &str)> = st
            .runs
            .iter()
            .filter(|r| r.training)
            .map(|r| (r.phase, r.puzzle.id.as_str()))
            .collect();
        assert_eq!(
            training,
            [
                (0, "4x4-any-s4"),
                (0, "4x4-any-s5"),
                (1, "4x4-any-s6"),
                (1, "4x4-any-s7")
            ],
            "a training block before each dream, none after the last"
        );
        let dreams = play_all(&mut st, &|_| false);
        assert_eq!(dreams.len(), 2);
        let session_of = |i: usize| format!("s{i}");
        let training_sessions: Vec<String> = st
            .runs
            .iter()
            .filter(|r| r.training)
            .map(|r| session_of(r.index))
            .collect();
        // Dream 1 sees phase 0's training runs only; dream 2 both blocks; never a test run.
        assert_eq!(dreams[0].session_ids, training_sessions[..2]);
        assert_eq!(dreams[1].session_ids, training_sessions);
        // Training runs play with the unit of their phase (the next dream builds on it).
        let unit_of_training: Vec<Option<String>> = st
            .runs
            .iter()
            .filter(|r| r.training)
            .map(|r| st.unit_for(r))
            .collect();
        assert_eq!(
            unit_of_training,
            [None, None, Some("unit-1".into()), Some("unit-1".into())]
        );
        assert_eq!(st.progress().done, 3 * 3 + 4);
        // Stored and read back, the plan is the same.
        assert_eq!(ExperimentState::from_json(&st.to_json()).unwrap(), st);
    }

    /// The (puzzle, repeat) plays of each arm's evaluation runs, sorted.
    fn plays_per_arm(st: &ExperimentState) -> Vec<Vec<(String, usize)>> {
        (0..st.experiment.arms.len())
            .map(|arm| {
                let mut plays: Vec<(String, usize)> = st
                    .runs
                    .iter()
                    .filter(|r| r.arm == arm && !r.training)
                    .map(|r| (r.puzzle.id.clone(), r.repeat))
                    .collect();
                plays.sort();
                plays
            })
            .collect()
    }

    #[test]
    fn arms_of_interleaved_and_held_out_plans_play_the_same_puzzles() {
        let mut three = ab(2, vec![4, 7, 9]);
        let mut c = three.arms[1].clone();
        c.id = "c".into();
        three.arms.push(c);
        assert!(three.arms_share_puzzles());
        let st = ExperimentState::new(three).unwrap();
        let plays = plays_per_arm(&st);
        assert_eq!(plays[0].len(), 6);
        assert!(plays.iter().all(|p| *p == plays[0]), "{plays:?}");
        // Round k is runs 3k, 3k+1, 3k+2: one puzzle's repeat, played by every arm.
        for round in st.runs.chunks(3) {
            assert!(round
                .iter()
                .all(|r| (&r.puzzle.id, r.repeat) == (&round[0].puzzle.id, round[0].repeat)));
        }
        let held_out = Experiment::learning_curve("h", "H", &LearningCurve::new("p", 4, 2), 0);
        let plays = plays_per_arm(&ExperimentState::new(held_out).unwrap());
        assert_eq!(plays[0], plays[1]);
        // A learning curve's phases never share a puzzle.
        let curve = LearningCurve {
            held_out: false,
            ..LearningCurve::new("p", 4, 2)
        };
        let e = Experiment::learning_curve("c", "C", &curve, 0);
        assert!(!e.arms_share_puzzles());
        let plays = plays_per_arm(&ExperimentState::new(e).unwrap());
        assert!(plays[0].iter().all(|p| !plays[1].contains(p)));
    }

    #[test]
    fn states_stored_before_held_out_and_early_stopping_still_load() {
        let mut st = ExperimentState::new(ab(1, vec![1, 2])).unwrap();
        let o = st.poll_runs(1);
        st.handle_result(result_for(&o[0], 1, 2, false)).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&st.to_json()).unwrap();
        let obj = v.as_object_mut().unwrap();
        obj.remove("looks_taken");
        obj.remove("stopped_at_look");
        obj["experiment"]
            .as_object_mut()
            .unwrap()
            .remove("early_stopping");
        for run in obj["runs"].as_array_mut().unwrap() {
            run.as_object_mut().unwrap().remove("training");
        }
        assert!(!v.to_string().contains("training"));
        let back = ExperimentState::from_json(&v.to_string()).unwrap();
        assert_eq!(back, st);
        assert!(back.can_continue());
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever the caller's concurrency, and with reloads (serde round-trip + requeue)
        /// and failures at arbitrary points, every run ends done exactly once and the arms
        /// never drift apart by more than what is in flight.
        #[test]
        fn any_schedule_of_reports_and_reloads_finishes_every_run(
            ops in prop::collection::vec((1usize..4, any::<bool>(), any::<bool>()), 1..80),
            runs in 1usize..3,
        ) {
            let mut st = ExperimentState::new(ab(runs, vec![1, 2, 3])).unwrap();
            let total = st.progress().total;
            let mut in_flight: Vec<RunOrder> = Vec::new();
            let mut steps = ops.into_iter().cycle();
            for step in 0..10_000 {
                let (want, reload, fail) = steps.next().unwrap();
                // Failures and reloads stop after a while, as a flaky model eventually answers.
                let (reload, fail) = (reload && step < 200, fail && step < 200);
                if reload {
                    st = ExperimentState::from_json(&st.to_json()).unwrap();
                    st.requeue_running();
                    in_flight.clear();
                }
                in_flight.extend(st.poll_runs(want));
                if let Some(o) = in_flight.pop() {
                    if fail {
                        st.handle_failure(o.run, "flaky").unwrap();
                        st.retry_failed();
                    } else {
                        st.handle_result(result_for(&o, 1, 2, true)).unwrap();
                    }
                }
                let done_a = st.done_results().filter(|r| r.arm_id == "a").count();
                let done_b = st.done_results().filter(|r| r.arm_id == "b").count();
                prop_assert!(done_a.abs_diff(done_b) <= 2 + st.progress().running);
                if st.poll_next(4) == Next::Finished {
                    break;
                }
                // `next(4)` above may have handed out runs: keep them.
                for (i, s) in st.status.iter().enumerate() {
                    if *s == RunStatus::Running && !in_flight.iter().any(|o| o.run == i) {
                        let run = &st.runs[i];
                        in_flight.push(RunOrder {
                            run: i,
                            arm: st.experiment.arms[run.arm].clone(),
                            puzzle: run.puzzle.clone(),
                            repeat: run.repeat,
                            unit_id: None,
                            training: false,
                        });
                    }
                }
            }
            prop_assert_eq!(st.progress().done, total);
            let mut seen: Vec<usize> = st.done_results().map(|r| r.run).collect();
            seen.dedup();
            prop_assert_eq!(seen.len(), total);
        }
    }
}
