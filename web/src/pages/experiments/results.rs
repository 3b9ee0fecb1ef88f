//! What the Experiments screen shows of the experiment in view: its title, progress, the
//! per-arm table with intervals, the training runs of a held-out design, verdicts with the
//! tests they used, the paired statistics, charts and the exports.

use learning_lab::experiment::{
    accuracy_chart, arms_csv, export_json, learning_curve_chart, outcome_mix_chart, rank_items,
    runs_csv, Comparison, Estimate, ExperimentResults, ExperimentState, ItemLift, Pairing,
};
use leptos::prelude::*;

use crate::download::download_text;
use crate::drivers::experiment_runner::RunnerLive;

fn estimate(e: &Option<Estimate>) -> String {
    match e {
        Some(e) => format!(
            "{:.0}% (95% CI {:.0}–{:.0}%)",
            e.value * 100.0,
            e.ci.low * 100.0,
            e.ci.high * 100.0
        ),
        None => "—".into(),
    }
}

/// The results shown, with the state they were computed from (exports use both, so a file
/// never mixes two moments of a running experiment).
type Shown = (ExperimentState, ExperimentResults);

/// Computes the results of `live.record` in the engine worker whenever it changes: one
/// computation at a time, and while one runs, newer changes coalesce into the next one.
fn follow_results(live: RunnerLive, shown: RwSignal<Option<Shown>>) {
    let busy = StoredValue::new(false);
    let dirty = StoredValue::new(false);
    Effect::new(move |_| {
        // Tracks the record; the state is read again when the computation starts.
        if live.record.with(Option::is_none) {
            shown.set(None);
            return;
        }
        if busy.get_value() {
            dirty.set_value(true);
            return;
        }
        busy.set_value(true);
        leptos::task::spawn_local(async move {
            loop {
                dirty.set_value(false);
                let Some(Some(state)) = live
                    .record
                    .try_with_untracked(|r| r.as_ref().map(|r| r.state.clone()))
                else {
                    break;
                };
                match crate::engine::experiment_results(&state).await {
                    Ok(results) => {
                        if shown.try_set(Some((state, results))).is_some() {
                            // The screen is gone.
                            return;
                        }
                    }
                    Err(e) => {
                        live.status
                            .try_set(format!("the results could not be computed: {e}"));
                    }
                }
                if !dirty.try_get_value().unwrap_or(false) {
                    break;
                }
            }
            busy.try_set_value(false);
        });
    });
}

/// Title, progress and results of `live.record`; export errors go to `live.status`.
#[component]
pub fn ExperimentOutcome(live: RunnerLive) -> impl IntoView {
    let shown = RwSignal::new(None::<Shown>);
    follow_results(live, shown);
    let results = move || shown.with(|s| s.as_ref().map(|(_, r)| r.clone()));
    let progress = move || live.record.with(|r| r.as_ref().map(|r| r.state.progress()));

    let export_csv = move |_| {
        let (Some(record), Some((state, results))) =
            (live.record.get_untracked(), shown.get_untracked())
        else {
            return;
        };
        let r1 = download_text(&format!("{}-runs.csv", record.id), &runs_csv(&state));
        let r2 = download_text(&format!("{}-arms.csv", record.id), &arms_csv(&results));
        if let Err(e) = r1.and(r2) {
            live.status.set(e);
        }
    };
    let export_all = move |_| {
        let (Some(record), Some((state, results))) =
            (live.record.get_untracked(), shown.get_untracked())
        else {
            return;
        };
        if let Err(e) = download_text(
            &format!("{}.json", record.id),
            &export_json(&state, &results),
        ) {
            live.status.set(e);
        }
    };

    view! {
        {move || live.record.get().map(|r| view! {
            <h3 id="experiment-title" data-experiment-id=r.id.clone()>{r.name.clone()}</h3>
        })}
        {move || progress().map(|p| view! {
            <p>
                <progress id="experiment-progress" max=p.total value=p.done + p.failed
                    data-done=p.done data-failed=p.failed data-total=p.total
                    aria-label="Runs finished"></progress>
                {format!(" {} of {} runs done, {} failed, {} running", p.done, p.total, p.failed, p.running)}
                {(p.skipped > 0).then(|| format!(", {} skipped (stopped early)", p.skipped))}
            </p>
        })}
        {move || results().map(|res| view! {
            <div id="experiment-results">
                <ArmTable results=res.clone()/>
                <Training results=res.clone()/>
                {shown.with_untracked(|s| s.as_ref().map(|(state, _)| rank_items(state, &res)))
                    .filter(|ranked| !ranked.is_empty())
                    .map(|ranked| view! { <ItemRanking ranked/> })}
                <Verdicts results=res.clone()/>
                <PairedTests results=res.clone()/>
                <div class="charts">
                    {[accuracy_chart(&res), learning_curve_chart(&res), outcome_mix_chart(&res)]
                        .into_iter()
                        .map(|svg| view! { <figure class="chart" inner_html=svg></figure> })
                        .collect_view()}
                </div>
                <div class="row">
                    <button id="experiment-export-csv" type="button" on:click=export_csv>"Export CSV"</button>
                    <button id="experiment-export-json" type="button" on:click=export_all>"Export JSON"</button>
                    {move || live.record.with(|r| r.as_ref().filter(|r| r.state.experiment.arms.len() > 1 && r.state.experiment.arms_share_puzzles()).map(|r| {
                        let href = crate::base_path::url(&format!("/compare?{}", learning_lab::experiment::ViewQuery { experiment: Some(r.id.clone()), ..Default::default() }.to_query()));
                        view! { <a id="experiment-compare" class="button" href=href>"Compare puzzle by puzzle"</a> }
                    }))}
                </div>
            </div>
        })}
    }
}

/// One row per arm: runs, solved, solve rate and accuracy with intervals, outcome mix.
#[component]
fn ArmTable(results: ExperimentResults) -> impl IntoView {
    view! {
        <table>
            <caption>"Results per arm (95% intervals: Wilson for solve rate, session bootstrap for accuracy)"</caption>
            <thead><tr>
                <th scope="col">"arm"</th><th scope="col">"n"</th><th scope="col">"solved"</th>
                <th scope="col">"solve rate"</th><th scope="col">"accuracy"</th>
                <th scope="col">"correct / invalid / repeats / valid but wrong / unparseable"</th>
                <th scope="col">"mean attempts"</th>
            </tr></thead>
            <tbody>
                {results.arms.iter().map(|a| view! {
                    <tr data-arm-id=a.arm_id.clone() data-runs=a.runs>
                        <th scope="row">{a.label.clone()}</th>
                        <td>{a.runs}</td><td>{a.solved}</td>
                        <td class="solve-rate">{estimate(&a.solve_rate)}</td>
                        <td class="accuracy">{estimate(&a.accuracy)}</td>
                        <td>{format!("{} / {} / {} / {} / {}", a.outcomes.correct, a.outcomes.invalid, a.outcomes.banned_repeats, a.outcomes.valid_but_wrong, a.outcomes.unparseable)}</td>
                        <td>{format!("{:.1}", a.mean_attempts)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// An ablation's items, ranked by what leaving each out cost the unit.
#[component]
fn ItemRanking(ranked: Vec<ItemLift>) -> impl IntoView {
    let lift = |e: &Option<Estimate>| e.as_ref().map_or_else(|| "—".to_string(), signed_points);
    view! {
        <table id="ablation-ranking">
            <caption>"Items ranked by lift: the whole unit minus the unit without the item (positive: the item helps)"</caption>
            <thead><tr>
                <th scope="col">"rank"</th><th scope="col">"item"</th><th scope="col">"prompt line"</th>
                <th scope="col">"accuracy lift"</th><th scope="col">"solve-rate lift"</th><th scope="col">"verdict"</th>
            </tr></thead>
            <tbody>
                {ranked.into_iter().enumerate().map(|(i, l)| view! {
                    <tr data-item-id=l.item_id.clone() data-arm-id=l.arm_id.clone()>
                        <td>{i + 1}</td>
                        <th scope="row"><code>{l.item_id.clone()}</code></th>
                        <td>{l.line.clone()}</td>
                        <td class="accuracy-lift">{lift(&l.accuracy_lift)}</td>
                        <td class="solve-rate-lift">{lift(&l.solve_rate_lift)}</td>
                        <td>{l.verdict_text.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Each comparison's verdict, or why there is none.
#[component]
fn Verdicts(results: ExperimentResults) -> impl IntoView {
    let verdicts: Vec<String> = results
        .comparisons
        .iter()
        .map(|c| format!("{} vs {}: {}", c.arm_id, c.control_id, c.verdict_text))
        .collect();
    view! {
        <div id="experiment-verdict" role="status">
            {if verdicts.is_empty() {
                view! { <p>"one arm: nothing to compare"</p> }.into_any()
            } else {
                view! { <ul>{verdicts.into_iter().map(|v| view! { <li>{v}</li> }).collect_view()}</ul> }.into_any()
            }}
        </div>
    }
}

/// A held-out design's training runs: played to be dreamt over, never compared.
#[component]
fn Training(results: ExperimentResults) -> impl IntoView {
    results.training.map(|t| {
        view! {
            <p id="experiment-training" data-runs=t.runs>
                {format!(
                    "Training runs (dreamt over, not compared): {} played, {} solved, accuracy {}",
                    t.runs,
                    t.solved,
                    estimate(&t.accuracy)
                )}
            </p>
        }
    })
}

fn signed_points(e: &Estimate) -> String {
    // Rounded first, then `+ 0.0`: a difference under half a point reads "+0", never "-0".
    let points = |x: f64| (x * 100.0).round() + 0.0;
    format!(
        "{:+} points (95% CI {:+} to {:+})",
        points(e.value),
        points(e.ci.low),
        points(e.ci.high)
    )
}

fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

/// One comparison's paired statistics, or why it was compared unpaired.
fn paired_line(c: &Comparison) -> String {
    let head = format!("{} vs {}: ", c.arm_id, c.control_id);
    match (&c.pairing, &c.paired) {
        (Pairing::Paired { .. }, Some(p)) => {
            let mut line = format!(
                "{head}{} puzzles, {} pairs of runs; solved by one arm only: {} by {}, {} by {} \
                 (exact McNemar {})",
                p.puzzles,
                p.pairs,
                p.only_arm_solved,
                c.arm_id,
                p.only_control_solved,
                c.control_id,
                p_text(p.mcnemar_p)
            );
            if let Some(d) = &p.accuracy_difference {
                line.push_str(&format!(
                    "; accuracy {} by paired bootstrap over puzzles",
                    signed_points(d)
                ));
            }
            if let Some(pp) = p.accuracy_p {
                line.push_str(&format!(" (paired permutation {})", p_text(pp)));
            }
            line
        }
        (Pairing::Unpaired { reason }, _) => format!("{head}unpaired: {reason}"),
        (Pairing::Paired { .. }, None) => format!("{head}paired"),
    }
}

/// The paired statistics of each comparison (when the arms played the same puzzles).
#[component]
fn PairedTests(results: ExperimentResults) -> impl IntoView {
    let lines: Vec<(String, &'static str)> = results
        .comparisons
        .iter()
        .map(|c| {
            let kind = match c.pairing {
                Pairing::Paired { .. } => "paired",
                Pairing::Unpaired { .. } => "unpaired",
            };
            (paired_line(c), kind)
        })
        .collect();
    (!lines.is_empty()).then(|| {
        view! {
            <ul id="experiment-paired" aria-label="Paired statistics">
                {lines.into_iter().map(|(line, kind)| view! { <li data-pairing=kind>{line}</li> }).collect_view()}
            </ul>
        }
    })
}
