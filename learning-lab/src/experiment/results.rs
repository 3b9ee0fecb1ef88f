//! Results of an experiment: per-arm summaries, comparisons with the control arm and honest
//! verdicts, the learning curve, and CSV / JSON export.

use serde::{Deserialize, Serialize};

use super::plan::ExperimentState;
use super::run::{OutcomeCounts, RunResult};
use super::stats::{
    bootstrap_accuracy, bootstrap_accuracy_difference, fisher_exact, newcombe_difference,
    permutation_test, runs_needed, wilson, Estimate, SessionMoves, ALPHA,
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
    /// Share of runs solved (Fisher's exact test).
    SolveRate,
    /// Share of correct moves (session permutation test).
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
/// threshold is α = 0.05 split evenly over all of them (Bonferroni): a result is only called
/// a difference when it survives that.
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

/// An arm against the control (the first arm).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The arm.
    pub arm_id: String,
    /// The control arm.
    pub control_id: String,
    /// Solve rate difference (arm − control) with Newcombe's hybrid score 95 % interval.
    pub solve_rate_difference: Option<Estimate>,
    /// Fisher's exact two-sided p for solve rate.
    pub solve_rate_p: f64,
    /// Accuracy difference (arm − control) with a session-bootstrap 95 % interval.
    pub accuracy_difference: Option<Estimate>,
    /// Permutation-test p for accuracy.
    pub accuracy_p: Option<f64>,
    /// The verdict.
    pub verdict: Verdict,
    /// [`Verdict::text`].
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
    /// One summary per arm, in design order.
    pub arms: Vec<ArmSummary>,
    /// Every other arm against the first.
    pub comparisons: Vec<Comparison>,
    /// Accuracy per session in order.
    pub curve: Vec<CurvePoint>,
}

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

fn compare(
    arm: &ArmSummary,
    control: &ArmSummary,
    arm_runs: &[&RunResult],
    control_runs: &[&RunResult],
    threshold: f64,
    seed: u64,
) -> Comparison {
    let (a, c) = (moves(arm_runs), moves(control_runs));
    let solve_rate_p = fisher_exact(
        arm.solved,
        arm.runs - arm.solved,
        control.solved,
        control.runs - control.solved,
    );
    let accuracy_p = permutation_test(&a, &c, seed);
    let accuracy_difference = bootstrap_accuracy_difference(&a, &c, seed);
    let solve_rate_difference =
        newcombe_difference(arm.solved, arm.runs, control.solved, control.runs);
    let verdict = if arm.runs < MIN_RUNS_FOR_VERDICT || control.runs < MIN_RUNS_FOR_VERDICT {
        Verdict::NotEnoughData {
            min_runs: MIN_RUNS_FOR_VERDICT,
        }
    } else if solve_rate_p < threshold {
        Verdict::Different {
            metric: Metric::SolveRate,
            better: solve_rate_difference.is_some_and(|d| d.value > 0.0),
            difference: solve_rate_difference,
            p: solve_rate_p,
            threshold,
        }
    } else if let Some(p) = accuracy_p.filter(|&p| p < threshold) {
        Verdict::Different {
            metric: Metric::Accuracy,
            better: accuracy_difference.is_some_and(|d| d.value > 0.0),
            difference: accuracy_difference,
            p,
            threshold,
        }
    } else {
        let pooled = (arm.solved + control.solved) as f64 / (arm.runs + control.runs) as f64;
        Verdict::NoSignificantDifference {
            solve_rate_p,
            accuracy_p,
            threshold,
            runs_needed: runs_needed(pooled, HINT_DIFFERENCE),
        }
    };
    Comparison {
        arm_id: arm.arm_id.clone(),
        control_id: control.arm_id.clone(),
        solve_rate_difference,
        solve_rate_p,
        accuracy_difference,
        accuracy_p,
        verdict_text: verdict.text(),
        verdict,
    }
}

impl ExperimentResults {
    /// Summarises the finished runs of `state` (failed and unfinished runs are left out).
    pub fn from_state(state: &ExperimentState) -> ExperimentResults {
        let experiment = &state.experiment;
        let done: Vec<&RunResult> = state.done_results().collect();
        let per_arm: Vec<Vec<&RunResult>> = experiment
            .arms
            .iter()
            .map(|arm| {
                done.iter()
                    .copied()
                    .filter(|r| r.arm_id == arm.id)
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
        let tests = 2 * arms.len().saturating_sub(1).max(1);
        let threshold = ALPHA / tests as f64;
        let comparisons = (1..arms.len())
            .map(|i| {
                compare(
                    &arms[i],
                    &arms[0],
                    &per_arm[i],
                    &per_arm[0],
                    threshold,
                    RESULTS_SEED.wrapping_add(1000 + i as u64),
                )
            })
            .collect();
        let curve = done
            .iter()
            .enumerate()
            .map(|(index, r)| CurvePoint {
                index,
                run: r.run,
                arm_id: r.arm_id.clone(),
                accuracy: r.accuracy(),
                solved: r.solved,
            })
            .collect();
        ExperimentResults {
            experiment_id: experiment.id.clone(),
            name: experiment.name.clone(),
            arms,
            comparisons,
            curve,
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

fn csv_row(fields: &[String]) -> String {
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
    use crate::experiment::plan::tests::result_for;

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
        // 10/10 vs 0/10: R fisher.test gives 1.083e-05.
        assert!((c.solve_rate_p - 1.082_509e-5).abs() < 1e-9);
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
            text.ends_with(
                "threshold 0.025); about 35 runs per arm would detect a 20-point difference \
                 in solve rate"
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
        assert!(runs.contains(",\"Baseline, no unit\","));
        assert!(runs.contains("maximum number of attempts reached"));
        let res = ExperimentResults::from_state(&st);
        let arms = arms_csv(&res);
        let lines: Vec<&str> = arms.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].split(',').count(), 25);
        assert!(lines[1].ends_with(",control"));
        let json = export_json(&st, &res);
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["format"], "machine-dream-experiment/1");
        assert_eq!(back["results"]["arms"][1]["solved"], 3);
        let state_back: ExperimentState = serde_json::from_value(back["state"].clone()).unwrap();
        assert_eq!(state_back, st);
    }
}
