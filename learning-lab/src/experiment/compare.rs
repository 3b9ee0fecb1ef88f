//! The comparison view's logic: one arm against a chosen baseline, puzzle by puzzle — which
//! puzzles got better, worse or stayed the same, sorted and filtered as a person asks, and the
//! view's settings as a URL query so a view can be linked.
//!
//! A puzzle's side is every finished evaluation run of that arm on it (its repeats): the
//! share of runs solved decides first, the pooled move accuracy (correct moves over attempts,
//! compared exactly as fractions) second. Training runs of a held-out design are never
//! compared. Learning curves give each phase its own puzzles, so there is nothing to pair.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use super::plan::{ExperimentState, RunStatus};

/// How an arm did on one puzzle against the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// Solved more often, or as often with a higher move accuracy.
    Better,
    /// Solved less often, or as often with a lower move accuracy.
    Worse,
    /// The same solve share and accuracy (or no attempts on either side).
    Same,
}

impl Change {
    /// The word in the URL and the CSS class.
    pub fn name(self) -> &'static str {
        match self {
            Change::Better => "better",
            Change::Worse => "worse",
            Change::Same => "same",
        }
    }

    fn parse(text: &str) -> Option<Change> {
        [Change::Better, Change::Worse, Change::Same]
            .into_iter()
            .find(|c| c.name() == text)
    }
}

/// One arm's runs on one puzzle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PuzzleSide {
    /// The sessions played, by repeat (plan order).
    pub session_ids: Vec<String>,
    /// Runs that solved the puzzle.
    pub solved: usize,
    /// Correct moves over all runs.
    pub correct: u64,
    /// Attempts over all runs.
    pub attempts: u64,
}

impl PuzzleSide {
    /// Runs played.
    pub fn runs(&self) -> usize {
        self.session_ids.len()
    }

    /// Pooled move accuracy, `None` without attempts.
    pub fn accuracy(&self) -> Option<f64> {
        (self.attempts > 0).then(|| self.correct as f64 / self.attempts as f64)
    }

    /// `solved / runs` against `other`'s, exactly (cross-multiplied).
    fn solve_share_cmp(&self, other: &PuzzleSide) -> Ordering {
        (self.solved as u128 * other.runs() as u128)
            .cmp(&(other.solved as u128 * self.runs() as u128))
    }

    /// `correct / attempts` against `other`'s, exactly; a side without attempts counts as
    /// accuracy 0.
    fn accuracy_cmp(&self, other: &PuzzleSide) -> Ordering {
        let mine = self.correct as u128 * other.attempts.max(1) as u128;
        let theirs = other.correct as u128 * self.attempts.max(1) as u128;
        mine.cmp(&theirs)
    }
}

/// One puzzle: the baseline's side, the arm's side and the change.
#[derive(Clone, Debug, PartialEq)]
pub struct PuzzleRow {
    /// The puzzle's id.
    pub puzzle_id: String,
    /// Position of the puzzle's first run in the plan (the "plan" order).
    pub first_run: usize,
    /// The baseline arm's runs.
    pub baseline: PuzzleSide,
    /// The compared arm's runs.
    pub arm: PuzzleSide,
    /// The arm against the baseline.
    pub change: Change,
    /// Solve share difference, arm minus baseline (−1..=1).
    pub solve_delta: f64,
    /// Accuracy difference, arm minus baseline (0 when a side has no attempts).
    pub accuracy_delta: f64,
}

/// How rows are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    /// As the plan played them.
    #[default]
    Plan,
    /// Regressions first, the biggest first; then same, then improvements.
    Regressions,
    /// Improvements first, the biggest first.
    Improvements,
    /// By puzzle id.
    Puzzle,
}

impl SortBy {
    /// Every order, as offered.
    pub const ALL: [SortBy; 4] = [
        SortBy::Plan,
        SortBy::Regressions,
        SortBy::Improvements,
        SortBy::Puzzle,
    ];

    /// The word in the URL.
    pub fn name(self) -> &'static str {
        match self {
            SortBy::Plan => "plan",
            SortBy::Regressions => "regressions",
            SortBy::Improvements => "improvements",
            SortBy::Puzzle => "puzzle",
        }
    }

    /// What a person reads.
    pub fn label(self) -> &'static str {
        match self {
            SortBy::Plan => "plan order",
            SortBy::Regressions => "regressions first",
            SortBy::Improvements => "improvements first",
            SortBy::Puzzle => "puzzle id",
        }
    }

    fn parse(text: &str) -> Option<SortBy> {
        SortBy::ALL.into_iter().find(|s| s.name() == text)
    }
}

/// The view's settings, kept in the URL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewQuery {
    /// The experiment.
    pub experiment: Option<String>,
    /// The baseline arm (default: the design's control, its first arm).
    pub baseline: Option<String>,
    /// The arm compared (default: the first arm that is not the baseline).
    pub arm: Option<String>,
    /// Only these changes (empty: all).
    pub show: Vec<Change>,
    /// The order.
    pub sort: SortBy,
    /// The puzzle opened side by side.
    pub puzzle: Option<String>,
}

impl ViewQuery {
    /// Reads the query's pairs (as the router gives them); unknown words are ignored, so an
    /// old or hand-edited link still opens.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ViewQuery {
        let mut q = ViewQuery::default();
        for (key, value) in pairs {
            let value = value.trim();
            let some = || (!value.is_empty()).then(|| value.to_string());
            match key {
                "exp" => q.experiment = some(),
                "baseline" => q.baseline = some(),
                "arm" => q.arm = some(),
                "show" => {
                    q.show = value.split(',').filter_map(Change::parse).collect();
                    q.show.sort();
                    q.show.dedup();
                }
                "sort" => q.sort = SortBy::parse(value).unwrap_or_default(),
                "puzzle" => q.puzzle = some(),
                _ => {}
            }
        }
        q
    }

    /// The query string (without `?`), percent-encoded; defaults are left out.
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        let mut put = |key: &str, value: &str| parts.push(format!("{key}={}", encode(value)));
        if let Some(v) = &self.experiment {
            put("exp", v);
        }
        if let Some(v) = &self.baseline {
            put("baseline", v);
        }
        if let Some(v) = &self.arm {
            put("arm", v);
        }
        if !self.show.is_empty() {
            let words: Vec<&str> = self.show.iter().map(|c| c.name()).collect();
            put("show", &words.join(","));
        }
        if self.sort != SortBy::Plan {
            put("sort", self.sort.name());
        }
        if let Some(v) = &self.puzzle {
            put("puzzle", v);
        }
        parts.join("&")
    }

    /// Whether a row with `change` is shown.
    pub fn shows(&self, change: Change) -> bool {
        self.show.is_empty() || self.show.contains(&change)
    }
}

/// Percent-encoding of everything but unreserved characters (RFC 3986).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Why there is no comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompareError {
    /// The design gives each phase its own puzzles (a learning curve without held-out tests).
    NotPaired,
    /// Fewer than two arms.
    OneArm,
    /// No arm has this id.
    UnknownArm(String),
    /// The baseline and the arm are the same.
    SameArm,
}

impl fmt::Display for CompareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompareError::NotPaired => f.write_str(
                "this learning curve plays new puzzles in every phase, so no puzzle was played \
                 by two arms: design it held out (the same test puzzles for every phase) to \
                 compare puzzle by puzzle",
            ),
            CompareError::OneArm => f.write_str("a comparison needs two arms"),
            CompareError::UnknownArm(id) => write!(f, "the experiment has no arm {id:?}"),
            CompareError::SameArm => f.write_str("choose a baseline other than the arm compared"),
        }
    }
}

impl std::error::Error for CompareError {}

/// One arm against a baseline over every puzzle either has finished.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmComparison {
    /// The baseline arm's id.
    pub baseline_id: String,
    /// The compared arm's id.
    pub arm_id: String,
    /// Every puzzle, in plan order.
    pub rows: Vec<PuzzleRow>,
}

impl ArmComparison {
    /// Compares `arm` (default: the first arm other than the baseline) with `baseline`
    /// (default: the control, the first arm) over the finished evaluation runs of `state`.
    ///
    /// # Errors
    /// See [`CompareError`].
    pub fn new(
        state: &ExperimentState,
        baseline: Option<&str>,
        arm: Option<&str>,
    ) -> Result<ArmComparison, CompareError> {
        let arms = &state.experiment.arms;
        if arms.len() < 2 {
            return Err(CompareError::OneArm);
        }
        if !state.experiment.arms_share_puzzles() {
            return Err(CompareError::NotPaired);
        }
        let index_of = |id: &str| {
            arms.iter()
                .position(|a| a.id == id)
                .ok_or_else(|| CompareError::UnknownArm(id.to_string()))
        };
        let b = baseline.map(index_of).transpose()?.unwrap_or(0);
        let a = match arm {
            Some(id) => index_of(id)?,
            None => usize::from(b == 0),
        };
        if a == b {
            return Err(CompareError::SameArm);
        }
        let mut by_puzzle: BTreeMap<&str, (usize, PuzzleSide, PuzzleSide)> = BTreeMap::new();
        for (run, status) in state.runs.iter().zip(&state.status) {
            if run.training || (run.arm != a && run.arm != b) {
                continue;
            }
            let entry = by_puzzle.entry(run.puzzle.id.as_str()).or_insert((
                run.index,
                PuzzleSide::default(),
                PuzzleSide::default(),
            ));
            entry.0 = entry.0.min(run.index);
            let RunStatus::Done { result } = status else {
                continue;
            };
            let side = if run.arm == b {
                &mut entry.1
            } else {
                &mut entry.2
            };
            side.session_ids.push(result.session_id.clone());
            side.solved += usize::from(result.solved);
            side.correct += result.correct;
            side.attempts += result.attempts;
        }
        let mut rows: Vec<PuzzleRow> = by_puzzle
            .into_iter()
            // A puzzle only one side has finished is not a comparison yet.
            .filter(|(_, (_, base, arm))| base.runs() > 0 && arm.runs() > 0)
            .map(|(id, (first_run, baseline, arm))| {
                let change = match arm
                    .solve_share_cmp(&baseline)
                    .then_with(|| arm.accuracy_cmp(&baseline))
                {
                    Ordering::Greater => Change::Better,
                    Ordering::Less => Change::Worse,
                    Ordering::Equal => Change::Same,
                };
                let share = |s: &PuzzleSide| s.solved as f64 / s.runs() as f64;
                PuzzleRow {
                    puzzle_id: id.to_string(),
                    first_run,
                    solve_delta: share(&arm) - share(&baseline),
                    accuracy_delta: arm.accuracy().unwrap_or(0.0)
                        - baseline.accuracy().unwrap_or(0.0),
                    baseline,
                    arm,
                    change,
                }
            })
            .collect();
        rows.sort_by_key(|r| r.first_run);
        Ok(ArmComparison {
            baseline_id: arms[b].id.clone(),
            arm_id: arms[a].id.clone(),
            rows,
        })
    }

    /// How many puzzles got better, worse, stayed the same.
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |c| self.rows.iter().filter(|r| r.change == c).count();
        (n(Change::Better), n(Change::Worse), n(Change::Same))
    }

    /// The rows `query` shows, in its order. Ties keep plan order.
    pub fn view(&self, query: &ViewQuery) -> Vec<&PuzzleRow> {
        let mut rows: Vec<&PuzzleRow> =
            self.rows.iter().filter(|r| query.shows(r.change)).collect();
        // Signed size of a change: solve share first, then accuracy.
        let size = |r: &PuzzleRow| (r.solve_delta, r.accuracy_delta);
        let ascending =
            |x: (f64, f64), y: (f64, f64)| x.0.total_cmp(&y.0).then_with(|| x.1.total_cmp(&y.1));
        match query.sort {
            SortBy::Plan => {}
            SortBy::Puzzle => rows.sort_by(|x, y| x.puzzle_id.cmp(&y.puzzle_id)),
            SortBy::Regressions => rows.sort_by(|x, y| ascending(size(x), size(y))),
            SortBy::Improvements => rows.sort_by(|x, y| ascending(size(y), size(x))),
        }
        rows
    }
}

/// Two move lists side by side: row `i` holds each side's move `i`, `None` where one side
/// made fewer moves.
pub fn side_by_side<'a, T>(left: &'a [T], right: &'a [T]) -> Vec<(Option<&'a T>, Option<&'a T>)> {
    (0..left.len().max(right.len()))
        .map(|i| (left.get(i), right.get(i)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::design::tests::ab;
    use crate::experiment::design::LearningCurve;
    use crate::experiment::plan::tests::result_for;
    use crate::experiment::{Experiment, Next};

    /// Plays every run; `outcome(run)` gives (correct, attempts, solved).
    fn played(
        mut state: ExperimentState,
        outcome: impl Fn(usize) -> (u64, u64, bool),
    ) -> ExperimentState {
        loop {
            match state.poll_next(8) {
                Next::Run { runs } => {
                    for o in runs {
                        let (c, n, s) = outcome(o.run);
                        state.handle_result(result_for(&o, c, n, s)).unwrap();
                    }
                }
                Next::Finished => return state,
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    fn arm_of(state: &ExperimentState, run: usize) -> usize {
        state.runs[run].arm
    }

    #[test]
    fn each_puzzle_is_better_worse_or_same_by_solves_then_accuracy() {
        // Two arms, four puzzles, one run each; plan order interleaves arm 0 and arm 1.
        let state = ExperimentState::new(ab(1, vec![1, 2, 3, 4])).unwrap();
        let puzzle_of = |run: usize| state.runs[run].puzzle.id.clone();
        let ids: Vec<String> = (0..state.runs.len()).map(puzzle_of).collect();
        let arms: Vec<usize> = (0..state.runs.len()).map(|r| arm_of(&state, r)).collect();
        let state = played(state, |run| {
            let puzzle = ids[run].clone();
            let arm = arms[run];
            match (
                puzzle.ends_with('1'),
                puzzle.ends_with('2'),
                puzzle.ends_with('3'),
                arm,
            ) {
                // puzzle 1: arm 1 solves, the baseline does not → better
                (true, _, _, 0) => (3, 10, false),
                (true, _, _, _) => (9, 10, true),
                // puzzle 2: both solve, arm 1 less accurately → worse
                (_, true, _, 0) => (9, 10, true),
                (_, true, _, _) => (9, 12, true),
                // puzzle 3: the same counts → same
                (_, _, true, _) => (4, 8, false),
                // puzzle 4: arm 1 loses the solve despite a higher accuracy → worse
                (_, _, _, 0) => (8, 9, true),
                (_, _, _, _) => (9, 9, false),
            }
        });
        let cmp = ArmComparison::new(&state, None, None).unwrap();
        assert_eq!(cmp.baseline_id, state.experiment.arms[0].id);
        assert_eq!(cmp.arm_id, state.experiment.arms[1].id);
        let changes: Vec<(String, Change)> = cmp
            .rows
            .iter()
            .map(|r| (r.puzzle_id.clone(), r.change))
            .collect();
        let by_suffix = |s: char| changes.iter().find(|(id, _)| id.ends_with(s)).unwrap().1;
        assert_eq!(by_suffix('1'), Change::Better);
        assert_eq!(by_suffix('2'), Change::Worse);
        assert_eq!(by_suffix('3'), Change::Same);
        assert_eq!(by_suffix('4'), Change::Worse);
        assert_eq!(cmp.counts(), (1, 2, 1));

        // Regressions first: the lost solve (puzzle 4) before the accuracy dip (puzzle 2).
        let q = ViewQuery {
            sort: SortBy::Regressions,
            ..ViewQuery::default()
        };
        let order: Vec<&str> = cmp.view(&q).iter().map(|r| r.puzzle_id.as_str()).collect();
        assert!(
            order[0].ends_with('4') && order[1].ends_with('2'),
            "{order:?}"
        );
        assert!(
            order[3].ends_with('1'),
            "the improvement is last: {order:?}"
        );
        let q = ViewQuery {
            show: vec![Change::Worse],
            ..ViewQuery::default()
        };
        assert_eq!(cmp.view(&q).len(), 2);
        assert!(cmp.view(&q).iter().all(|r| r.change == Change::Worse));

        // The other way round, every change flips.
        let back = ArmComparison::new(&state, Some(&cmp.arm_id), Some(&cmp.baseline_id)).unwrap();
        assert_eq!(back.counts(), (2, 1, 1));
    }

    #[test]
    fn repeats_pool_and_unfinished_puzzles_wait() {
        let state = ExperimentState::new(ab(2, vec![1, 2])).unwrap();
        let runs = state.runs.clone();
        // The compared arm solves its first repeat only; the baseline never solves.
        let mut state = played(state, |run| {
            let r = &runs[run];
            (2, 4, r.arm == 1 && r.repeat == 0)
        });
        // Puzzle 2's runs of the compared arm are not finished yet.
        for (run, status) in state.runs.iter().zip(state.status.iter_mut()) {
            if run.arm == 1 && run.puzzle.id.ends_with('2') {
                *status = RunStatus::Pending;
            }
        }
        let cmp = ArmComparison::new(&state, None, None).unwrap();
        assert_eq!(
            cmp.rows.len(),
            1,
            "puzzle 2 is not compared before both sides played"
        );
        let row = &cmp.rows[0];
        assert_eq!(row.arm.runs(), 2);
        assert_eq!(row.arm.solved, 1);
        assert_eq!((row.arm.correct, row.arm.attempts), (4, 8));
        assert_eq!(row.baseline.solved, 0);
        assert!((row.solve_delta - 0.5).abs() < 1e-12);
        assert_eq!(row.change, Change::Better);
    }

    #[test]
    fn a_learning_curve_and_bad_arms_say_why_there_is_no_comparison() {
        let mut unpaired = LearningCurve::new("p", 4, 2);
        unpaired.held_out = false;
        let curve = Experiment::learning_curve("lc", "c", &unpaired, 0);
        let state = ExperimentState::new(curve).unwrap();
        let e = ArmComparison::new(&state, None, None).unwrap_err();
        assert_eq!(e, CompareError::NotPaired);
        assert!(e.to_string().contains("held out"), "{e}");

        let state = ExperimentState::new(ab(1, vec![1])).unwrap();
        let a = state.experiment.arms[0].id.clone();
        assert_eq!(
            ArmComparison::new(&state, Some("nope"), None),
            Err(CompareError::UnknownArm("nope".into()))
        );
        assert_eq!(
            ArmComparison::new(&state, Some(&a), Some(&a)),
            Err(CompareError::SameArm)
        );
        // The baseline may be the second arm: the arm compared is then the first.
        let b = state.experiment.arms[1].id.clone();
        let cmp = ArmComparison::new(&state, Some(&b), None).unwrap();
        assert_eq!(cmp.arm_id, a);
    }

    #[test]
    fn a_held_out_design_compares_test_puzzles_only() {
        let curve = Experiment::learning_curve("ho", "h", &LearningCurve::new("p", 4, 2), 0);
        let mut state = ExperimentState::new(curve).unwrap();
        loop {
            match state.poll_next(8) {
                Next::Run { runs } => {
                    for o in runs {
                        state.handle_result(result_for(&o, 1, 2, false)).unwrap();
                    }
                }
                Next::Dream(d) => state.handle_dream(d.phase, "unit-1").unwrap(),
                Next::Finished => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        let cmp = ArmComparison::new(&state, None, None).unwrap();
        let training: Vec<&str> = state
            .runs
            .iter()
            .filter(|r| r.training)
            .map(|r| r.puzzle.id.as_str())
            .collect();
        assert!(!training.is_empty());
        assert!(cmp
            .rows
            .iter()
            .all(|r| !training.contains(&r.puzzle_id.as_str())));
        let tests: std::collections::BTreeSet<&str> = state
            .runs
            .iter()
            .filter(|r| !r.training)
            .map(|r| r.puzzle.id.as_str())
            .collect();
        assert!(!tests.is_empty());
        assert_eq!(cmp.rows.len(), tests.len(), "every test puzzle, once");
    }

    #[test]
    fn the_view_query_survives_its_url_and_ignores_what_it_does_not_know() {
        let q = ViewQuery {
            experiment: Some("exp 1/ä".into()),
            baseline: Some("a".into()),
            arm: Some("b".into()),
            show: vec![Change::Better, Change::Worse],
            sort: SortBy::Regressions,
            puzzle: Some("4x4-any-s1".into()),
        };
        let text = q.to_query();
        assert_eq!(
            text,
            "exp=exp%201%2F%C3%A4&baseline=a&arm=b&show=better%2Cworse&sort=regressions&puzzle=4x4-any-s1"
        );
        // The router hands the decoded pairs back.
        let decoded = [
            ("exp", "exp 1/ä"),
            ("baseline", "a"),
            ("arm", "b"),
            ("show", "worse,better,worse"),
            ("sort", "regressions"),
            ("puzzle", "4x4-any-s1"),
            ("utm", "x"),
        ];
        assert_eq!(ViewQuery::from_pairs(decoded), q);
        let odd = ViewQuery::from_pairs([("sort", "sideways"), ("show", "nah"), ("arm", " ")]);
        assert_eq!(odd, ViewQuery::default());
        assert_eq!(ViewQuery::default().to_query(), "");
    }

    #[test]
    fn side_by_side_pads_the_shorter_list() {
        let rows = side_by_side(&[1, 2, 3], &[7]);
        assert_eq!(
            rows,
            vec![(Some(&1), Some(&7)), (Some(&2), None), (Some(&3), None)]
        );
        assert!(side_by_side::<u8>(&[], &[]).is_empty());
    }
}
