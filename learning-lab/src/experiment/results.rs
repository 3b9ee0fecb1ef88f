//! Results of an experiment: per-arm summaries, comparisons with the control arm and honest
//! verdicts, the learning curve, and CSV / JSON export.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::design::{EarlyStopping, Schedule};
use super::plan::{ExperimentState, PlannedRun, RunStatus};
use super::run::{OutcomeCounts, RunResult};
use super::stats::{
    bootstrap_accuracy, bootstrap_accuracy_difference, fisher_exact, mcnemar_exact,
    newcombe_difference, paired_bootstrap_difference, paired_permutation_test, permutation_test,
    runs_needed, wilson, AlphaSpending, Estimate, PuzzlePair, SessionMoves, ALPHA,
};

/// Seed of every resampling in results: fixed, so the same runs always give the same
/// intervals and p-values.
pub const RESULTS_SEED: u64 = 0x6d61_6368_696e_6564; // "machined"

/// Fewer runs than this in an arm and no verdict is given.
pub const MIN_RUNS_FOR_VERDICT: u64 = 3;

/// The difference the sample-size hint is for: 20 points of solve rate.
pub const HINT_DIFFERENCE: f64 = 0.2;

/// One arm's numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArmSummary {
    /// The arm's id.
    pub arm_id: String,
    /// The arm's label.
    pub label: String,
    /// Finished runs.
    pub runs: u64,
    /// Solved runs.
    pub solved: u64,
    /// Solve rate with its Wilson 95 % interval (`None` before the first run).
    pub solve_rate: Option<Estimate>,
    /// Per-move accuracy with its session-bootstrap 95 % interval (`None` without moves).
    pub accuracy: Option<Estimate>,
    /// Attempts per outcome, summed over runs.
    pub outcomes: OutcomeCounts,
    /// Mean attempts per run (0 before the first run).
    pub mean_attempts: f64,
    /// Mean wall time per run.
    pub mean_duration_ms: f64,
}

/// Which measure a verdict is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of runs solved (exact McNemar test when paired, else Fisher's exact test).
    SolveRate,
    /// Share of correct moves (paired permutation test over puzzles when paired, else the
    /// session permutation test).
    Accuracy,
}

impl Metric {
    fn name(self) -> &'static str {
        match self {
            Metric::SolveRate => "solve rate",
            Metric::Accuracy => "per-move accuracy",
        }
    }
}

/// What the data say about an arm against the control.
///
/// Each comparison runs two tests (solve rate and accuracy) for each non-control arm, so the
/// threshold is α = 0.05 (or, with early stopping, the α of the look) split evenly over all
/// of them (Bonferroni): a result is only called a difference when it survives that.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Too few runs to say anything.
    NotEnoughData {
        /// Runs each arm needs at least.
        min_runs: u64,
    },
    /// A significant difference.
    Different {
        /// In which measure.
        metric: Metric,
        /// Whether the arm is better than the control.
        better: bool,
        /// Arm − control in that measure, with its 95 % interval.
        difference: Option<Estimate>,
        /// The test's p.
        p: f64,
        /// The threshold p had to be under.
        threshold: f64,
    },
    /// No significant difference.
    NoSignificantDifference {
        /// Fisher's p for solve rate.
        solve_rate_p: f64,
        /// Permutation p for accuracy (`None` without moves).
        accuracy_p: Option<f64>,
        /// The threshold.
        threshold: f64,
        /// Runs per arm that would detect a [`HINT_DIFFERENCE`] in solve rate with 80 %
        /// power.
        runs_needed: Option<u64>,
    },
    /// Early stopping is declared and its first checkpoint is not reached: the data are
    /// only tested at the declared looks.
    AwaitingLook {
        /// Rounds of the first checkpoint.
        rounds: usize,
    },
}

impl Verdict {
    /// One honest sentence.
    pub fn text(&self) -> String {
        match self {
            Verdict::NotEnoughData { min_runs } => {
                format!("not enough data yet: at least {min_runs} runs per arm are needed")
            }
            Verdict::Different {
                metric,
                better,
                difference,
                p,
                threshold,
            } => {
                let by = difference.map_or_else(String::new, |d| {
                    format!(
                        " by {} points (95 % CI {} to {})",
                        points(d.value.abs()),
                        points_signed(d.ci.low),
                        points_signed(d.ci.high)
                    )
                });
                format!(
                    "{} {} than the control{by} ({}, significant at {})",
                    metric.name(),
                    if *better { "higher" } else { "lower" },
                    fmt_p(*p),
                    fmt_threshold(*threshold)
                )
            }
            Verdict::NoSignificantDifference {
                solve_rate_p,
                accuracy_p,
                threshold,
                runs_needed,
            } => {
                let mut s = format!(
                    "no significant difference (solve rate {}",
                    fmt_p(*solve_rate_p)
                );
                if let Some(p) = accuracy_p {
                    s.push_str(&format!(", accuracy {}", fmt_p(*p)));
                }
                s.push_str(&format!("; threshold {})", fmt_threshold(*threshold)));
                if let Some(n) = runs_needed {
                    s.push_str(&format!(
                        "; about {n} runs per arm would detect a {}-point difference in solve rate",
                        (HINT_DIFFERENCE * 100.0).round()
                    ));
                }
                s
            }
            Verdict::AwaitingLook { rounds } => format!(
                "no verdict before the first checkpoint (after {rounds} rounds): with early \
                 stopping the data are tested at the declared looks only"
            ),
        }
    }
}

fn points(x: f64) -> String {
    format!("{:.0}", x * 100.0)
}

fn points_signed(x: f64) -> String {
    format!("{:+.0}", x * 100.0)
}

/// Thresholds like 0.0125 (α split over four tests) need four decimals.
fn fmt_threshold(t: f64) -> String {
    let s = format!("{t:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `p = 0.41`, or `p < 0.001` below what three decimals show.
fn fmt_p(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        let s = format!("{p:.3}");
        format!("p = {}", s.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// Which tests a comparison used, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pairing {
    /// Every puzzle either arm played was played by both, with the same repeats: the arms
    /// are compared puzzle by puzzle.
    Paired {
        /// Puzzles both arms played.
        puzzles: u64,
        /// Pairs of runs (a puzzle's repeat played by each arm).
        pairs: u64,
    },
    /// Not every puzzle was played by both arms: the arms are compared as two samples.
    Unpaired {
        /// Why.
        reason: String,
    },
}

impl Pairing {
    /// The tests used and why, as a clause.
    pub fn text(&self) -> String {
        match self {
            Pairing::Paired { puzzles, pairs } => format!(
                "paired tests (exact McNemar for solve rate, paired permutation for accuracy): \
                 both arms played the same {puzzles} puzzles ({pairs} pairs of runs)"
            ),
            Pairing::Unpaired { reason } => format!(
                "unpaired tests (Fisher's exact for solve rate, session permutation for \
                 accuracy): {reason}"
            ),
        }
    }
}

/// The paired statistics of a comparison: both arms on the same puzzles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairedComparison {
    /// Pairs of runs: a puzzle's repeat, played by each arm.
    pub pairs: u64,
    /// Puzzles.
    pub puzzles: u64,
    /// Pairs in which only the arm solved (McNemar's b).
    pub only_arm_solved: u64,
    /// Pairs in which only the control solved (McNemar's c).
    pub only_control_solved: u64,
    /// The exact McNemar two-sided p for solve rate.
    pub mcnemar_p: f64,
    /// Solve rate difference (arm − control) with a paired bootstrap 95 % interval over
    /// puzzles.
    pub solve_rate_difference: Option<Estimate>,
    /// Accuracy difference (arm − control) with a paired bootstrap 95 % interval over
    /// puzzles.
    pub accuracy_difference: Option<Estimate>,
    /// Paired permutation p for accuracy.
    pub accuracy_p: Option<f64>,
}

/// Which look of an early-stopping design a comparison is from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LookInfo {
    /// 1-based look number (the last is the final analysis).
    pub look: usize,
    /// Looks declared, the final one included.
    pub looks: usize,
    /// Rounds the look covers.
    pub rounds: usize,
    /// The α of this look (shared by its tests, see [`Verdict`]).
    pub alpha: f64,
    /// How α was shared among the looks.
    pub spending: AlphaSpending,
    /// Whether the experiment stopped at this look.
    pub stopped: bool,
}

impl LookInfo {
    /// Which look, its α, and what it meant for the run, as a clause.
    pub fn text(&self) -> String {
        let LookInfo {
            look,
            looks,
            rounds,
            alpha,
            spending,
            stopped,
        } = *self;
        let level = format!(
            "α = {} for this look ({}, {} over {looks} looks)",
            fmt_threshold(alpha),
            spending.name(),
            fmt_threshold(ALPHA)
        );
        if stopped {
            format!(
                "stopped early at checkpoint {look} of {looks} (after {rounds} rounds), {level}"
            )
        } else if look == looks {
            format!("final look {look} of {looks} ({rounds} rounds), {level}")
        } else {
            format!(
                "checkpoint {look} of {looks} (after {rounds} rounds) did not decide, {level}; \
                 the run goes on"
            )
        }
    }
}

/// An arm against the control (the first arm).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The arm.
    pub arm_id: String,
    /// The control arm.
    pub control_id: String,
    /// Solve rate difference (arm − control) with Newcombe's hybrid score 95 % interval
    /// (unpaired).
    pub solve_rate_difference: Option<Estimate>,
    /// Fisher's exact two-sided p for solve rate (unpaired).
    pub solve_rate_p: f64,
    /// Accuracy difference (arm − control) with a session-bootstrap 95 % interval
    /// (unpaired).
    pub accuracy_difference: Option<Estimate>,
    /// Session permutation-test p for accuracy (unpaired).
    pub accuracy_p: Option<f64>,
    /// The paired statistics, when the arms played the same puzzles.
    #[serde(default)]
    pub paired: Option<PairedComparison>,
    /// Which tests the verdict used, and why.
    pub pairing: Pairing,
    /// The look of an early-stopping design this comparison is from.
    #[serde(default)]
    pub look: Option<LookInfo>,
    /// The verdict.
    pub verdict: Verdict,
    /// [`Verdict::text`], the tests used and why ([`Pairing::text`]), and the look
    /// ([`LookInfo::text`]).
    pub verdict_text: String,
}

/// One point of the learning curve: a finished run, in plan (= session) order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// 0-based position among finished runs.
    pub index: usize,
    /// The run's plan index.
    pub run: usize,
    /// The arm (for learning curves: the phase).
    pub arm_id: String,
    /// Per-move accuracy of the session.
    pub accuracy: f64,
    /// Whether it was solved.
    pub solved: bool,
}

/// Everything the results screen and the exports show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentResults {
    /// The experiment's id.
    pub experiment_id: String,
    /// Its name.
    pub name: String,
    /// One summary per arm, in design order (evaluation runs only).
    pub arms: Vec<ArmSummary>,
    /// Every other arm against the first.
    pub comparisons: Vec<Comparison>,
    /// Accuracy per evaluated session in order.
    pub curve: Vec<CurvePoint>,
    /// A held-out design's training runs (played to be dreamt over, never compared).
    #[serde(default)]
    pub training: Option<ArmSummary>,
}

/// A finished run with its place in the plan.
type Played<'a> = (&'a PlannedRun, &'a RunResult);

fn moves(runs: &[&RunResult]) -> Vec<SessionMoves> {
    runs.iter()
        .map(|r| SessionMoves {
            correct: r.correct,
            attempts: r.attempts,
        })
        .collect()
}

fn summarize_arm(arm_id: &str, label: &str, runs: &[&RunResult], seed: u64) -> ArmSummary {
    let n = runs.len() as u64;
    let solved = runs.iter().filter(|r| r.solved).count() as u64;
    let mut outcomes = OutcomeCounts::default();
    for r in runs {
        outcomes.add(&r.outcomes);
    }
    let mean = |f: &dyn Fn(&RunResult) -> f64| {
        if n == 0 {
            0.0
        } else {
            runs.iter().map(|r| f(r)).sum::<f64>() / n as f64
        }
    };
    ArmSummary {
        arm_id: arm_id.to_string(),
        label: label.to_string(),
        runs: n,
        solved,
        solve_rate: wilson(solved, n),
        accuracy: bootstrap_accuracy(&moves(runs), seed),
        outcomes,
        mean_attempts: mean(&|r| r.attempts as f64),
        mean_duration_ms: mean(&|r| r.duration_ms as f64),
    }
}

/// The arms' runs matched puzzle by puzzle and repeat by repeat, or why they cannot be.
struct Matched<'a> {
    /// (arm, control) per pair of runs.
    pairs: Vec<(&'a RunResult, &'a RunResult)>,
    /// Puzzles.
    puzzles: u64,
}

fn match_runs<'a>(
    arm: &[Played<'a>],
    control: &[Played<'a>],
    arm_id: &str,
    control_id: &str,
    schedule: &Schedule,
) -> Result<Matched<'a>, String> {
    if matches!(schedule, Schedule::LearningCurve { .. }) {
        return Err("each phase of a learning curve plays its own new puzzles".to_string());
    }
    let key = |(run, _): &Played<'a>| (run.puzzle.id.as_str(), run.repeat);
    let a: BTreeMap<(&str, usize), &RunResult> = arm.iter().map(|p| (key(p), p.1)).collect();
    let c: BTreeMap<(&str, usize), &RunResult> = control.iter().map(|p| (key(p), p.1)).collect();
    if a.is_empty() && c.is_empty() {
        return Err("no run has finished yet".to_string());
    }
    let missing = |from: &BTreeMap<(&str, usize), &RunResult>,
                   other: &BTreeMap<(&str, usize), &RunResult>| {
        from.keys()
            .find(|k| !other.contains_key(*k))
            .map(|k| k.0.to_string())
    };
    if let Some(id) = missing(&a, &c) {
        return Err(format!(
            "puzzle {id} was played by {arm_id} but not (yet) by {control_id}"
        ));
    }
    if let Some(id) = missing(&c, &a) {
        return Err(format!(
            "puzzle {id} was played by {control_id} but not (yet) by {arm_id}"
        ));
    }
    let puzzles = a
        .keys()
        .map(|k| k.0)
        .collect::<std::collections::BTreeSet<_>>()
        .len() as u64;
    let pairs = a.iter().map(|(k, r)| (*r, c[k])).collect();
    Ok(Matched { pairs, puzzles })
}

/// The paired statistics of matched runs; resampling is by puzzle.
///
/// With several repeats, repeat k of the arm is paired with repeat k of the control. Runs
/// of one puzzle are independent plays given the puzzle, so under "no difference" each
/// discordant pair still goes either way with probability ½, which is all the exact
/// McNemar test needs; the bootstrap and the permutation keep a puzzle's runs together.
fn paired_stats(matched: &Matched<'_>, seed: u64) -> PairedComparison {
    let only_arm_solved = matched
        .pairs
        .iter()
        .filter(|(a, c)| a.solved && !c.solved)
        .count();
    let only_control_solved = matched
        .pairs
        .iter()
        .filter(|(a, c)| !a.solved && c.solved)
        .count();
    // Per puzzle: moves of each arm, and solved runs out of runs (the solve rate is the same
    // kind of pooled share, with a run as the "attempt").
    let mut by_puzzle: BTreeMap<&str, (PuzzlePair, PuzzlePair)> = BTreeMap::new();
    for (a, c) in &matched.pairs {
        let (moves, solves) = by_puzzle.entry(a.puzzle_id.as_str()).or_default();
        moves.arm.correct += a.correct;
        moves.arm.attempts += a.attempts;
        moves.control.correct += c.correct;
        moves.control.attempts += c.attempts;
        solves.arm.correct += u64::from(a.solved);
        solves.arm.attempts += 1;
        solves.control.correct += u64::from(c.solved);
        solves.control.attempts += 1;
    }
    let (moves, solves): (Vec<PuzzlePair>, Vec<PuzzlePair>) = by_puzzle.into_values().unzip();
    PairedComparison {
        pairs: matched.pairs.len() as u64,
        puzzles: matched.puzzles,
        only_arm_solved: only_arm_solved as u64,
        only_control_solved: only_control_solved as u64,
        mcnemar_p: mcnemar_exact(only_arm_solved as u64, only_control_solved as u64),
        solve_rate_difference: paired_bootstrap_difference(&solves, seed),
        accuracy_difference: paired_bootstrap_difference(&moves, seed.wrapping_add(1)),
        accuracy_p: paired_permutation_test(&moves, seed),
    }
}

/// The comparison of arm `arm` with the control over the finished runs in `scope`.
fn compare(
    state: &ExperimentState,
    arm: usize,
    scope: &[Played<'_>],
    threshold: f64,
    look: Option<LookInfo>,
    seed: u64,
) -> Comparison {
    let experiment = &state.experiment;
    let (arm_id, control_id) = (&experiment.arms[arm].id, &experiment.arms[0].id);
    let of = |i: usize| -> Vec<Played<'_>> {
        scope
            .iter()
            .copied()
            .filter(|(run, _)| run.arm == i)
            .collect()
    };
    let (arm_played, control_played) = (of(arm), of(0));
    fn results<'a>(p: &[Played<'a>]) -> Vec<&'a RunResult> {
        p.iter().map(|(_, r)| *r).collect()
    }
    let (arm_runs, control_runs) = (results(&arm_played), results(&control_played));
    let count = |runs: &[&RunResult]| {
        let solved = runs.iter().filter(|r| r.solved).count() as u64;
        (runs.len() as u64, solved)
    };
    let ((an, asolved), (cn, csolved)) = (count(&arm_runs), count(&control_runs));
    let (a, c) = (moves(&arm_runs), moves(&control_runs));
    let solve_rate_p = fisher_exact(asolved, an - asolved, csolved, cn - csolved);
    let accuracy_p = permutation_test(&a, &c, seed);
    let accuracy_difference = bootstrap_accuracy_difference(&a, &c, seed);
    let solve_rate_difference = newcombe_difference(asolved, an, csolved, cn);
    let matched = match_runs(
        &arm_played,
        &control_played,
        arm_id,
        control_id,
        &experiment.schedule,
    );
    let (paired, pairing) = match matched {
        Ok(m) => {
            let stats = paired_stats(&m, seed);
            let pairing = Pairing::Paired {
                puzzles: stats.puzzles,
                pairs: stats.pairs,
            };
            (Some(stats), pairing)
        }
        Err(reason) => (None, Pairing::Unpaired { reason }),
    };
    // The tests the verdict rests on: paired ones when every puzzle was played by both.
    let (solve_p, solve_diff, acc_p, acc_diff) = match &paired {
        Some(p) => (
            p.mcnemar_p,
            p.solve_rate_difference,
            p.accuracy_p,
            p.accuracy_difference,
        ),
        None => (
            solve_rate_p,
            solve_rate_difference,
            accuracy_p,
            accuracy_difference,
        ),
    };
    let awaiting = experiment
        .early_stopping
        .as_ref()
        .filter(|_| look.is_none())
        .and_then(|e| e.checkpoints.first().copied());
    let verdict = if let Some(rounds) = awaiting {
        Verdict::AwaitingLook { rounds }
    } else if an < MIN_RUNS_FOR_VERDICT || cn < MIN_RUNS_FOR_VERDICT {
        Verdict::NotEnoughData {
            min_runs: MIN_RUNS_FOR_VERDICT,
        }
    } else if solve_p < threshold {
        Verdict::Different {
            metric: Metric::SolveRate,
            better: solve_diff.is_some_and(|d| d.value > 0.0),
            difference: solve_diff,
            p: solve_p,
            threshold,
        }
    } else if let Some(p) = acc_p.filter(|&p| p < threshold) {
        Verdict::Different {
            metric: Metric::Accuracy,
            better: acc_diff.is_some_and(|d| d.value > 0.0),
            difference: acc_diff,
            p,
            threshold,
        }
    } else {
        let pooled = (asolved + csolved) as f64 / (an + cn) as f64;
        Verdict::NoSignificantDifference {
            solve_rate_p: solve_p,
            accuracy_p: acc_p,
            threshold,
            runs_needed: runs_needed(pooled, HINT_DIFFERENCE),
        }
    };
    let mut verdict_text = format!("{}; {}", verdict.text(), pairing.text());
    if let Some(look) = look {
        verdict_text.push_str("; ");
        verdict_text.push_str(&look.text());
    }
    Comparison {
        arm_id: arm_id.clone(),
        control_id: control_id.clone(),
        solve_rate_difference,
        solve_rate_p,
        accuracy_difference,
        accuracy_p,
        paired,
        pairing,
        look,
        verdict_text,
        verdict,
    }
}

/// The finished evaluation runs (training runs left out), in plan order.
fn evaluated(state: &ExperimentState) -> Vec<Played<'_>> {
    state
        .runs
        .iter()
        .zip(&state.status)
        .filter_map(|(run, s)| match s {
            RunStatus::Done { result } if !run.training => Some((run, result)),
            _ => None,
        })
        .collect()
}

/// Tests per look: solve rate and accuracy for every arm but the control.
fn tests(state: &ExperimentState) -> usize {
    2 * state.experiment.arms.len().saturating_sub(1).max(1)
}

/// Every arm against the control over `scope` at `alpha` (split over the tests).
fn comparisons(
    state: &ExperimentState,
    scope: &[Played<'_>],
    alpha: f64,
    look: Option<LookInfo>,
) -> Vec<Comparison> {
    let threshold = alpha / tests(state) as f64;
    (1..state.experiment.arms.len())
        .map(|i| {
            compare(
                state,
                i,
                scope,
                threshold,
                look,
                RESULTS_SEED.wrapping_add(1000 + i as u64),
            )
        })
        .collect()
}

/// The look of an early-stopping design in force: `(index, stopped)` — the look it stopped
/// at, the final look once nothing is left to run, else the latest interim look taken.
/// `None` before the first.
fn look_in_force(state: &ExperimentState, looks: usize) -> Option<(usize, bool)> {
    if let Some(look) = state.stopped_at_look {
        return Some((look, true));
    }
    let open = state
        .status
        .iter()
        .any(|s| matches!(s, RunStatus::Pending | RunStatus::Running));
    if !open {
        return Some((looks - 1, false));
    }
    state.looks_taken.checked_sub(1).map(|look| (look, false))
}

/// Whether interim look `look` (0-based) of `stopping` (`state`'s) decides: every arm
/// differs significantly from the control over the look's rounds, at the look's α.
pub(crate) fn look_decides(state: &ExperimentState, stopping: &EarlyStopping, look: usize) -> bool {
    let looks = stopping.looks(state.experiment.rounds(), ALPHA);
    let (rounds, alpha) = looks[look];
    let info = LookInfo {
        look: look + 1,
        looks: looks.len(),
        rounds,
        alpha,
        spending: stopping.spending,
        stopped: false,
    };
    let arms = state.experiment.arms.len();
    let scope: Vec<Played<'_>> = evaluated(state)
        .into_iter()
        .filter(|(run, _)| run.index < rounds * arms)
        .collect();
    let all = comparisons(state, &scope, alpha, Some(info));
    !all.is_empty()
        && all
            .iter()
            .all(|c| matches!(c.verdict, Verdict::Different { .. }))
}

impl ExperimentResults {
    /// Summarises the finished runs of `state` (failed, skipped and unfinished runs are left
    /// out; training runs are summarised apart). Comparisons cover every finished
    /// evaluation run — with early stopping, those of the look in force, at its α.
    pub fn from_state(state: &ExperimentState) -> ExperimentResults {
        let experiment = &state.experiment;
        let played = evaluated(state);
        let per_arm: Vec<Vec<&RunResult>> = (0..experiment.arms.len())
            .map(|i| {
                played
                    .iter()
                    .filter(|(run, _)| run.arm == i)
                    .map(|(_, r)| *r)
                    .collect()
            })
            .collect();
        let arms: Vec<ArmSummary> = experiment
            .arms
            .iter()
            .zip(&per_arm)
            .enumerate()
            .map(|(i, (arm, runs))| {
                summarize_arm(
                    &arm.id,
                    &arm.label,
                    runs,
                    RESULTS_SEED.wrapping_add(i as u64),
                )
            })
            .collect();
        let comparisons = match &experiment.early_stopping {
            None => comparisons(state, &played, ALPHA, None),
            Some(stopping) => {
                let looks = stopping.looks(experiment.rounds(), ALPHA);
                match look_in_force(state, looks.len()) {
                    None => comparisons(state, &played, ALPHA, None),
                    Some((look, stopped)) => {
                        let (rounds, alpha) = looks[look];
                        let info = LookInfo {
                            look: look + 1,
                            looks: looks.len(),
                            rounds,
                            alpha,
                            spending: stopping.spending,
                            stopped,
                        };
                        let arms = experiment.arms.len();
                        let scope: Vec<Played<'_>> = played
                            .iter()
                            .copied()
                            .filter(|(run, _)| run.index < rounds * arms)
                            .collect();
                        comparisons(state, &scope, alpha, Some(info))
                    }
                }
            }
        };
        let curve = played
            .iter()
            .enumerate()
            .map(|(index, (_, r))| CurvePoint {
                index,
                run: r.run,
                arm_id: r.arm_id.clone(),
                accuracy: r.accuracy(),
                solved: r.solved,
            })
            .collect();
        let training_runs: Vec<&RunResult> = state
            .runs
            .iter()
            .zip(&state.status)
            .filter_map(|(run, s)| match s {
                RunStatus::Done { result } if run.training => Some(result),
                _ => None,
            })
            .collect();
        let training = state.runs.iter().any(|r| r.training).then(|| {
            summarize_arm(
                "training",
                "Training (dreamt over)",
                &training_runs,
                RESULTS_SEED.wrapping_add(999),
            )
        });
        ExperimentResults {
            experiment_id: experiment.id.clone(),
            name: experiment.name.clone(),
            arms,
            comparisons,
            curve,
            training,
        }
    }
}

/// One CSV field, quoted when it holds a comma, quote, or line break (RFC 4180).
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

pub(crate) fn csv_row(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

fn num(x: f64) -> String {
    format!("{x:.6}")
}

fn opt_num(x: Option<f64>) -> String {
    x.map(num).unwrap_or_default()
}

/// CSV with one row per finished run (header first, CRLF line ends).
pub fn runs_csv(state: &ExperimentState) -> String {
    let mut out = csv_row(
        &[
            "experiment_id",
            "run",
            "arm_id",
            "arm_label",
            "puzzle_id",
            "repeat",
            "session_id",
            "unit_id",
            "solved",
            "attempts",
            "correct",
            "accuracy",
            "invalid",
            "banned_repeat",
            "valid_but_wrong",
            "unparseable",
            "abandon_reason",
            "duration_ms",
            "role",
        ]
        .map(String::from),
    );
    for (planned, status) in state.runs.iter().zip(&state.status) {
        let super::plan::RunStatus::Done { result: r } = status else {
            continue;
        };
        let arm = &state.experiment.arms[planned.arm];
        let unit = match &arm.unit {
            super::design::UnitChoice::None => None,
            super::design::UnitChoice::Fixed(id) => Some(id.clone()),
            super::design::UnitChoice::NewestAfterDream => {
                state.dream_units.get(&planned.phase).cloned()
            }
        };
        out.push_str(&csv_row(&[
            state.experiment.id.clone(),
            r.run.to_string(),
            r.arm_id.clone(),
            arm.label.clone(),
            r.puzzle_id.clone(),
            planned.repeat.to_string(),
            r.session_id.clone(),
            unit.unwrap_or_default(),
            r.solved.to_string(),
            r.attempts.to_string(),
            r.correct.to_string(),
            num(r.accuracy()),
            r.outcomes.invalid.to_string(),
            r.outcomes.banned_repeats.to_string(),
            r.outcomes.valid_but_wrong.to_string(),
            r.outcomes.unparseable.to_string(),
            r.abandon_reason.clone().unwrap_or_default(),
            r.duration_ms.to_string(),
            if planned.training {
                "training"
            } else {
                "evaluation"
            }
            .to_string(),
        ]));
    }
    out
}

/// CSV with one row per arm: summary, intervals and the comparison with the control.
pub fn arms_csv(results: &ExperimentResults) -> String {
    let mut out = csv_row(
        &[
            "arm_id",
            "label",
            "runs",
            "solved",
            "solve_rate",
            "solve_rate_low",
            "solve_rate_high",
            "accuracy",
            "accuracy_low",
            "accuracy_high",
            "mean_attempts",
            "correct",
            "invalid",
            "banned_repeat",
            "valid_but_wrong",
            "unparseable",
            "solve_rate_diff",
            "solve_rate_diff_low",
            "solve_rate_diff_high",
            "fisher_p",
            "accuracy_diff",
            "accuracy_diff_low",
            "accuracy_diff_high",
            "permutation_p",
            "pairing",
            "paired_pairs",
            "mcnemar_b",
            "mcnemar_c",
            "mcnemar_p",
            "paired_solve_rate_diff_low",
            "paired_solve_rate_diff_high",
            "paired_accuracy_diff",
            "paired_accuracy_diff_low",
            "paired_accuracy_diff_high",
            "paired_permutation_p",
            "look",
            "look_alpha",
            "verdict",
        ]
        .map(String::from),
    );
    for arm in &results.arms {
        let cmp = results.comparisons.iter().find(|c| c.arm_id == arm.arm_id);
        let est = |e: Option<Estimate>| {
            [
                opt_num(e.map(|e| e.value)),
                opt_num(e.map(|e| e.ci.low)),
                opt_num(e.map(|e| e.ci.high)),
            ]
        };
        let mut row = vec![
            arm.arm_id.clone(),
            arm.label.clone(),
            arm.runs.to_string(),
            arm.solved.to_string(),
        ];
        row.extend(est(arm.solve_rate));
        row.extend(est(arm.accuracy));
        row.push(num(arm.mean_attempts));
        row.extend(arm.outcomes.as_array().map(|c| c.to_string()));
        row.extend(est(cmp.and_then(|c| c.solve_rate_difference)));
        row.push(opt_num(cmp.map(|c| c.solve_rate_p)));
        row.extend(est(cmp.and_then(|c| c.accuracy_difference)));
        row.push(opt_num(cmp.and_then(|c| c.accuracy_p)));
        let paired = cmp.and_then(|c| c.paired.as_ref());
        row.push(cmp.map_or_else(String::new, |c| match c.pairing {
            Pairing::Paired { .. } => "paired".to_string(),
            Pairing::Unpaired { .. } => "unpaired".to_string(),
        }));
        let count = |f: fn(&PairedComparison) -> u64| paired.map(|p| f(p).to_string());
        row.push(count(|p| p.pairs).unwrap_or_default());
        row.push(count(|p| p.only_arm_solved).unwrap_or_default());
        row.push(count(|p| p.only_control_solved).unwrap_or_default());
        row.push(opt_num(paired.map(|p| p.mcnemar_p)));
        let solve = paired.and_then(|p| p.solve_rate_difference);
        row.push(opt_num(solve.map(|e| e.ci.low)));
        row.push(opt_num(solve.map(|e| e.ci.high)));
        row.extend(est(paired.and_then(|p| p.accuracy_difference)));
        row.push(opt_num(paired.and_then(|p| p.accuracy_p)));
        let look = cmp.and_then(|c| c.look);
        row.push(look.map_or_else(String::new, |l| format!("{}/{}", l.look, l.looks)));
        row.push(opt_num(look.map(|l| l.alpha)));
        row.push(cmp.map_or_else(|| "control".to_string(), |c| c.verdict_text.clone()));
        out.push_str(&csv_row(&row));
    }
    out
}

/// The whole experiment as pretty JSON: the state (design, plan, every run's record) and the
/// results.
pub fn export_json(state: &ExperimentState, results: &ExperimentResults) -> String {
    #[derive(Serialize)]
    struct Export<'a> {
        format: &'static str,
        state: &'a ExperimentState,
        results: &'a ExperimentResults,
    }
    serde_json::to_string_pretty(&Export {
        format: "machine-dream-experiment/1",
        state,
        results,
    })
    .expect("results have only serialisable fields")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::design::tests::ab;
    use crate::experiment::design::{Experiment, LearningCurve};
    use crate::experiment::plan::tests::{play_all, result_for};
    use crate::experiment::plan::Next;

    /// Plays every run of an A/B design: arm `a` solves when `a_solves(i)`, arm `b` when
    /// `b_solves(i)`, with the given accuracies.
    fn played(seeds: usize, a: (f64, bool), b: (f64, bool)) -> ExperimentState {
        let mut st = ExperimentState::new(ab(1, (0..seeds as u64).collect())).unwrap();
        loop {
            let orders = st.poll_runs(2);
            if orders.is_empty() {
                break;
            }
            for o in orders {
                let (acc, solved) = if o.arm.id == "a" { a } else { b };
                // Vary sessions a little so the bootstrap has something to resample.
                let attempts = 20 + (o.run as u64 % 3);
                let correct = ((attempts as f64) * acc).round() as u64;
                st.handle_result(result_for(&o, correct, attempts, solved))
                    .unwrap();
            }
        }
        st
    }

    #[test]
    fn clear_difference_is_called() {
        let st = played(10, (0.2, false), (0.9, true));
        let res = ExperimentResults::from_state(&st);
        assert_eq!(res.arms[0].runs, 10);
        assert_eq!(res.arms[1].solved, 10);
        let c = &res.comparisons[0];
        // 10/10 vs 0/10: R fisher.test gives 1.083e-05 (the unpaired test, still reported).
        assert!((c.solve_rate_p - 1.082_509e-5).abs() < 1e-9);
        // Both arms played the same ten puzzles: the verdict rests on McNemar, b = 10,
        // c = 0: 2 · 2⁻¹⁰ = 0.001953125.
        let paired = c.paired.as_ref().unwrap();
        assert_eq!(
            (paired.only_arm_solved, paired.only_control_solved),
            (10, 0)
        );
        assert!((paired.mcnemar_p - 0.001_953_125).abs() < 1e-15);
        let Verdict::Different { p, .. } = c.verdict else {
            panic!("{:?}", c.verdict);
        };
        assert_eq!(p, paired.mcnemar_p);
        assert!(
            c.verdict_text.contains("; paired tests (exact McNemar for solve rate, paired \
                 permutation for accuracy): both arms played the same 10 puzzles (10 pairs of runs)"),
            "{}",
            c.verdict_text
        );
        assert!(matches!(
            c.verdict,
            Verdict::Different {
                metric: Metric::SolveRate,
                better: true,
                ..
            }
        ));
        assert!(
            c.verdict_text.starts_with("solve rate higher"),
            "{}",
            c.verdict_text
        );
        assert_eq!(res.curve.len(), 20);
        assert_eq!(res.curve[0].arm_id, "a");
    }

    #[test]
    fn no_difference_is_said_honestly_with_a_hint() {
        let st = played(5, (0.5, false), (0.5, false));
        let res = ExperimentResults::from_state(&st);
        let c = &res.comparisons[0];
        let Verdict::NoSignificantDifference { runs_needed, .. } = c.verdict else {
            panic!("{:?}", c.verdict);
        };
        // Pooled solve rate 0 → 0 vs 0.2: ((1.96·√(2·0.1·0.9) + 0.8416·0.4) / 0.2)² = 34.12,
        // as R's power.prop.test(p1 = 0, p2 = .2, power = .8) solves it.
        assert_eq!(runs_needed, Some(35));
        let text = &c.verdict_text;
        assert!(
            text.starts_with("no significant difference (solve rate p = 1, accuracy p = 0."),
            "{text}"
        );
        assert!(
            text.contains(
                "threshold 0.025); about 35 runs per arm would detect a 20-point difference \
                 in solve rate; paired tests"
            ),
            "{text}"
        );
        let few = played(2, (0.5, false), (0.9, true));
        let res = ExperimentResults::from_state(&few);
        assert_eq!(
            res.comparisons[0].verdict,
            Verdict::NotEnoughData { min_runs: 3 }
        );
    }

    #[test]
    fn alpha_is_split_over_all_comparisons() {
        let mut design = ab(1, (0..4).collect());
        let mut third = design.arms[1].clone();
        third.id = "c".to_string();
        design.arms.push(third);
        let mut st = ExperimentState::new(design).unwrap();
        loop {
            let orders = st.poll_runs(2);
            if orders.is_empty() {
                break;
            }
            for o in orders {
                st.handle_result(result_for(&o, 5, 10, o.run % 2 == 0))
                    .unwrap();
            }
        }
        let res = ExperimentResults::from_state(&st);
        assert_eq!(res.comparisons.len(), 2);
        for c in &res.comparisons {
            assert_eq!(c.control_id, "a");
            assert!(
                c.verdict_text.contains("threshold 0.0125"),
                "{}",
                c.verdict_text
            );
        }
    }

    /// Plays every run of `design`; `outcome(arm, round)` gives (correct of 20, solved).
    fn played_design(
        design: Experiment,
        outcome: &dyn Fn(&str, usize) -> (u64, bool),
    ) -> ExperimentState {
        let mut st = ExperimentState::new(design).unwrap();
        let arms = st.experiment.arms.len();
        loop {
            let orders = st.poll_runs(arms);
            if orders.is_empty() {
                break;
            }
            for o in orders {
                let (correct, solved) = outcome(&o.arm.id, o.run / arms);
                st.handle_result(result_for(&o, correct, 20, solved))
                    .unwrap();
            }
        }
        st
    }

    #[test]
    fn paired_tests_see_a_small_steady_gain_that_unpaired_tests_miss() {
        // Ten puzzles of very different difficulty; arm b gets one move more right on each.
        let st = played_design(ab(1, (0..10).collect()), &|arm, round| {
            let base = 2 * round as u64 % 19;
            (if arm == "b" { base + 1 } else { base }, false)
        });
        let c = &ExperimentResults::from_state(&st).comparisons[0];
        let paired = c.paired.as_ref().unwrap();
        // Exact over all 2¹⁰ swaps: only "none" and "all" are as extreme: 2/1024.
        assert_eq!(paired.accuracy_p, Some(2.0 / 1024.0));
        assert!(
            c.accuracy_p.unwrap() > 0.5,
            "the unpaired test drowns in difficulty"
        );
        let d = paired.accuracy_difference.unwrap();
        assert!((d.value - 0.05).abs() < 1e-12 && d.ci.low > 0.0, "{d:?}");
        assert!(
            matches!(
                c.verdict,
                Verdict::Different {
                    metric: Metric::Accuracy,
                    better: true,
                    ..
                }
            ),
            "{}",
            c.verdict_text
        );
        assert!(c
            .verdict_text
            .starts_with("per-move accuracy higher than the control by 5 points"));
    }

    #[test]
    fn unpaired_tests_when_a_puzzle_was_played_by_one_arm_only() {
        let mut st = ExperimentState::new(ab(1, (0..4).collect())).unwrap();
        // Every run but the last (arm b on the fourth puzzle) finishes.
        let orders: Vec<_> = std::iter::from_fn(|| {
            let o = st.poll_runs(1);
            (!o.is_empty()).then(|| o[0].clone()).inspect(|o| {
                if o.run < 7 {
                    st.handle_result(result_for(o, 5, 10, o.arm.id == "b"))
                        .unwrap();
                }
            })
        })
        .take(8)
        .collect();
        assert_eq!(orders.len(), 8);
        let c = &ExperimentResults::from_state(&st).comparisons[0];
        assert_eq!(c.paired, None);
        assert_eq!(
            c.pairing,
            Pairing::Unpaired {
                reason: "puzzle 4x4-any-s3 was played by a but not (yet) by b".into()
            }
        );
        assert!(
            c.verdict_text.contains("; unpaired tests (Fisher's exact"),
            "{}",
            c.verdict_text
        );
        // A learning curve's phases play different puzzles: unpaired, and it says why.
        let curve = LearningCurve {
            held_out: false,
            ..LearningCurve::new("local", 4, 3)
        };
        let mut st =
            ExperimentState::new(Experiment::learning_curve("lc", "C", &curve, 0)).unwrap();
        play_all(&mut st, &|o| o.arm.id != "before");
        let c = &ExperimentResults::from_state(&st).comparisons[0];
        assert!(
            c.verdict_text
                .contains("each phase of a learning curve plays its own new puzzles"),
            "{}",
            c.verdict_text
        );
        // Held out: every phase played the test set, so the same data are paired.
        let mut st = ExperimentState::new(Experiment::learning_curve(
            "ho",
            "H",
            &LearningCurve::new("local", 4, 3),
            0,
        ))
        .unwrap();
        play_all(&mut st, &|o| o.arm.id != "before");
        let res = ExperimentResults::from_state(&st);
        let c = &res.comparisons[0];
        assert_eq!(
            c.pairing,
            Pairing::Paired {
                puzzles: 3,
                pairs: 3
            }
        );
        assert_eq!(res.arms[0].runs, 3, "training runs are not evaluated");
        assert_eq!(res.training.as_ref().map(|t| t.runs), Some(3));
        assert_eq!(res.curve.len(), 6);
        assert!(runs_csv(&st).contains(",training\r\n"));
    }

    fn stopping(
        design_rounds: usize,
        checkpoints: Vec<usize>,
        spending: AlphaSpending,
    ) -> Experiment {
        let mut e = ab(1, (0..design_rounds as u64).collect());
        e.early_stopping = Some(EarlyStopping {
            checkpoints,
            spending,
        });
        e
    }

    #[test]
    fn early_stopping_ends_at_the_first_clear_checkpoint_and_says_so() {
        // Arm b solves everything, a nothing. Bonferroni over 3 looks: α = 0.05/3 per look,
        // split over 2 tests: 0.00833. At 6 rounds McNemar is 2/2⁶ = 0.03125: go on; at 12
        // it is 2/2¹² = 0.000488: stop.
        let design = stopping(20, vec![6, 12], AlphaSpending::Bonferroni);
        // Between the checkpoints (8 rounds played) the verdict is look 1's, at look 1's
        // α, over its 6 rounds: the two rounds since are not tested yet.
        let mut st = ExperimentState::new(design.clone()).unwrap();
        for _ in 0..8 {
            for o in st.poll_runs(2) {
                let solved = o.arm.id == "b";
                st.handle_result(result_for(&o, if solved { 20 } else { 0 }, 20, solved))
                    .unwrap();
            }
        }
        assert_eq!((st.looks_taken, st.stopped_at_look), (1, None));
        assert!(st.can_continue());
        let c = &ExperimentResults::from_state(&st).comparisons[0];
        assert_eq!(c.paired.as_ref().unwrap().pairs, 6);
        assert!(
            c.verdict_text.ends_with(
                "; checkpoint 1 of 3 (after 6 rounds) did not decide, α = 0.0167 for this look \
                 (Bonferroni, 0.05 over 3 looks); the run goes on"
            ),
            "{}",
            c.verdict_text
        );
        assert!(c
            .verdict_text
            .starts_with("no significant difference (solve rate p = 0.031"));
        let st = played_design(design, &|arm, _| {
            if arm == "b" {
                (20, true)
            } else {
                (0, false)
            }
        });
        assert_eq!(st.stopped_at_look, Some(1));
        assert_eq!(st.looks_taken, 2);
        let p = st.progress();
        assert_eq!((p.done, p.skipped, p.total), (24, 16, 40));
        assert_eq!(p.fraction(), 1.0);
        assert!(!st.can_continue());
        let mut back = ExperimentState::from_json(&st.to_json()).unwrap();
        assert_eq!(back.retry_failed(), 0);
        assert_eq!(back.poll_next(2), Next::Finished);
        let c = &ExperimentResults::from_state(&st).comparisons[0];
        let look = c.look.unwrap();
        assert_eq!(
            (look.look, look.looks, look.rounds, look.stopped),
            (2, 3, 12, true)
        );
        assert!((look.alpha - 0.05 / 3.0).abs() < 1e-15);
        assert_eq!(c.paired.as_ref().unwrap().pairs, 12);
        assert!(
            c.verdict_text.ends_with(
                "; stopped early at checkpoint 2 of 3 (after 12 rounds), α = 0.0167 for this \
                 look (Bonferroni, 0.05 over 3 looks)"
            ),
            "{}",
            c.verdict_text
        );
        assert!(
            c.verdict_text.contains("significant at 0.0083"),
            "{}",
            c.verdict_text
        );
    }

    #[test]
    fn early_stopping_without_a_clear_answer_plays_to_the_final_look() {
        let design = stopping(8, vec![4], AlphaSpending::OBrienFleming);
        let mut st = ExperimentState::new(design.clone()).unwrap();
        // Before the first checkpoint no verdict is given, however the data look.
        let first = st.poll_runs(2);
        for o in &first {
            st.handle_result(result_for(o, 5, 10, o.arm.id == "b"))
                .unwrap();
        }
        let c = &ExperimentResults::from_state(&st).comparisons[0];
        assert_eq!(c.verdict, Verdict::AwaitingLook { rounds: 4 });
        assert!(c
            .verdict_text
            .starts_with("no verdict before the first checkpoint (after 4 rounds)"));
        let st = played_design(design, &|_, round| (5 + round as u64 % 3, round % 2 == 0));
        assert_eq!((st.stopped_at_look, st.looks_taken), (None, 1));
        assert_eq!(st.progress().done, 16);
        let c = &ExperimentResults::from_state(&st).comparisons[0];
        let look = c.look.unwrap();
        assert_eq!(
            (look.look, look.looks, look.rounds, look.stopped),
            (2, 2, 8, false)
        );
        // O'Brien–Fleming at t = ½ spends 0.0055746; the final look keeps 0.0444254.
        assert!((look.alpha - 0.044_425_403).abs() < 1e-8, "{look:?}");
        assert!(
            c.verdict_text.contains("threshold 0.0222"),
            "{}",
            c.verdict_text
        );
        assert!(
            c.verdict_text.ends_with(
                "; final look 2 of 2 (8 rounds), α = 0.0444 for this look \
                 (O'Brien-Fleming-type spending, 0.05 over 2 looks)"
            ),
            "{}",
            c.verdict_text
        );
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Whatever the outcomes, the spending rule and reloads between results, an
        /// early-stopping run ends with every run played or skipped; it stops only at a
        /// declared checkpoint where every comparison was significant at that look's α, and
        /// skips only runs after that checkpoint's rounds.
        #[test]
        fn early_stopping_stops_only_where_the_declared_look_decides(
            // Arm b mostly solves and a mostly not, so that some cases stop early.
            solves in prop::collection::vec((prop::bool::weighted(0.1), prop::bool::weighted(0.9)), 12),
            rule in 0usize..3,
            reloads in prop::collection::vec(any::<bool>(), 24),
        ) {
            let spending = AlphaSpending::ALL[rule];
            let mut st = ExperimentState::new(stopping(12, vec![4, 8], spending)).unwrap();
            let mut step = 0;
            loop {
                let orders = st.poll_runs(2);
                if orders.is_empty() {
                    break;
                }
                for o in orders {
                    let (a, b) = solves[o.run / 2];
                    let solved = if o.arm.id == "a" { a } else { b };
                    st.handle_result(result_for(&o, if solved { 9 } else { 2 }, 10, solved)).unwrap();
                }
                if reloads[step % reloads.len()] {
                    st = ExperimentState::from_json(&st.to_json()).unwrap();
                    st.requeue_running();
                }
                step += 1;
            }
            let p = st.progress();
            prop_assert_eq!(p.done + p.skipped, p.total);
            let c = &ExperimentResults::from_state(&st).comparisons[0];
            let look = c.look.unwrap();
            match st.stopped_at_look {
                Some(k) => {
                    let rounds = [4, 8][k];
                    prop_assert!(look.stopped && look.rounds == rounds);
                    prop_assert!(matches!(c.verdict, Verdict::Different { .. }), "{}", c.verdict_text);
                    let Verdict::Different { threshold, .. } = c.verdict else { unreachable!() };
                    prop_assert!((threshold - look.alpha / 2.0).abs() < 1e-15);
                    for (run, status) in st.runs.iter().zip(&st.status) {
                        if *status == RunStatus::Skipped {
                            prop_assert!(run.index >= rounds * 2);
                        }
                    }
                }
                None => {
                    prop_assert_eq!(p.done, p.total);
                    prop_assert_eq!((look.look, look.looks, look.stopped), (3, 3, false));
                }
            }
        }
    }

    #[test]
    fn csv_quotes_and_has_one_row_per_run_and_arm() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        let mut st = played(3, (0.5, false), (0.7, true));
        st.experiment.arms[0].label = "Baseline, no unit".to_string();
        let runs = runs_csv(&st);
        assert_eq!(runs.lines().count(), 1 + 6);
        assert!(runs.lines().skip(1).all(|l| l.ends_with(",evaluation")));
        assert!(runs.contains(",\"Baseline, no unit\","));
        assert!(runs.contains("maximum number of attempts reached"));
        let res = ExperimentResults::from_state(&st);
        let arms = arms_csv(&res);
        let lines: Vec<&str> = arms.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].split(',').count(), 38);
        assert!(lines[2].contains(",paired,3,3,0,0.250000,"), "{arms}");
        assert!(lines[1].ends_with(",control"));
        let json = export_json(&st, &res);
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["format"], "machine-dream-experiment/1");
        assert_eq!(back["results"]["arms"][1]["solved"], 3);
        let state_back: ExperimentState = serde_json::from_value(back["state"].clone()).unwrap();
        assert_eq!(state_back, st);
    }
}
