//! The Experiments screen: design an A/B/X experiment (or the learning-curve preset), run it
//! (resumable after a reload), and read the results: per-arm table with intervals, verdicts,
//! charts, CSV/JSON export. Statistics and charts come from learning-lab.

use learning_lab::experiment::{
    accuracy_chart, arms_csv, export_json, learning_curve_chart, outcome_mix_chart, runs_csv, Arm,
    Estimate, Experiment, ExperimentResults, ExperimentState, LearningCurve, PuzzleSet, RunStatus,
    Schedule, UnitChoice,
};
use learning_lab::profile::{default_profile, Profile};
use learning_lab::unit::LearningUnit;
use leptos::prelude::*;
use leptos::task::spawn_local;
use solver_core::Band;

use crate::components::size_select::SizeSelect;
use crate::db;
use crate::download::download_text;
use crate::drivers::experiment_runner::{Runner, RunnerLive};
use crate::storage::ExperimentRecord;

/// One arm as the form edits it.
#[derive(Clone, Debug, PartialEq)]
struct ArmForm {
    label: String,
    profile_id: String,
    /// [`UnitChoice::key`]: `none`, `after-dream`, or a unit id.
    unit: String,
    memory: bool,
}

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

/// The design the form describes, validated by learning-lab.
#[allow(clippy::too_many_arguments)]
fn design(
    name: &str,
    preset: &str,
    arms: &[ArmForm],
    size: usize,
    band: Option<Band>,
    seeds: (u64, u64),
    runs_per_arm: usize,
    concurrency: usize,
    per_phase: usize,
    dreams: usize,
    profile_id: &str,
) -> Result<Experiment, String> {
    let id = db::new_id("experiment");
    let now = db::now() as u64;
    let experiment = if preset == "learning-curve" {
        let mut options = LearningCurve::new(profile_id, size, per_phase);
        options.band = band;
        options.first_seed = seeds.0;
        options.dreams = dreams.max(1);
        Experiment::learning_curve(&id, name.trim(), &options, now)
    } else {
        Experiment {
            id,
            name: name.trim().to_string(),
            arms: arms
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let unit = UnitChoice::from_key(&a.unit);
                    Arm::numbered(i, &a.label, &a.profile_id, unit, a.memory)
                })
                .collect(),
            puzzles: PuzzleSet::seed_range(size, band, seeds.0, seeds.1),
            runs_per_arm: runs_per_arm.max(1),
            concurrency: concurrency.max(1),
            schedule: Schedule::Interleaved,
            created_at_ms: now,
        }
    };
    experiment.validate().map_err(|e| e.to_string())?;
    Ok(experiment)
}

#[component]
pub fn ExperimentsPage() -> impl IntoView {
    let live = RunnerLive::new();
    let runner = StoredValue::new_local(None::<Runner>);
    let profiles = RwSignal::new(Vec::<Profile>::new());
    let unit_list = RwSignal::new(Vec::<LearningUnit>::new());
    let past = RwSignal::new(Vec::<ExperimentRecord>::new());

    let name = RwSignal::new(String::from("memory off vs on"));
    let preset = RwSignal::new(String::from("ab"));
    let arms = RwSignal::new(Vec::<ArmForm>::new());
    let size = RwSignal::new(4usize);
    let band = RwSignal::new(String::new());
    let seed_from = RwSignal::new(1u64);
    let seed_to = RwSignal::new(2u64);
    let runs_per_arm = RwSignal::new(1usize);
    let concurrency = RwSignal::new(1usize);
    let max_attempts = RwSignal::new(30usize);
    let per_phase = RwSignal::new(3usize);
    let dreams = RwSignal::new(1usize);
    let dream_with_model = RwSignal::new(false);

    let load_past = move || {
        spawn_local(async move {
            let Ok(db) = db::open().await else { return };
            if let Ok(page) = db.page_experiments(None, 20).await {
                past.set(page.items);
            }
        });
    };

    // Profiles, units, and the newest experiment (resumable when it was interrupted).
    spawn_local(async move {
        let db = match db::open().await {
            Ok(db) => db,
            Err(e) => return live.status.set(e.to_string()),
        };
        let ps = db.all_profiles().await.unwrap_or_default();
        let first = default_profile(&ps)
            .map(|p| p.id.clone())
            .unwrap_or_default();
        arms.set(vec![
            ArmForm {
                label: "memory off".into(),
                profile_id: first.clone(),
                unit: UnitChoice::None.key().into(),
                memory: false,
            },
            ArmForm {
                label: "memory on".into(),
                profile_id: first,
                unit: UnitChoice::None.key().into(),
                memory: true,
            },
        ]);
        profiles.set(ps);
        unit_list.set(db.all_units(None).await.unwrap_or_default());
        if let Some(current) = Runner::current() {
            // Still running in this tab (the screen was left and opened again).
            current.attach(live);
            runner.set_value(Some(current));
            load_past();
            return;
        }
        if let Ok(page) = db.page_experiments(None, 20).await {
            if let Some(mut newest) = page.items.first().cloned() {
                let requeued = newest.state.requeue_running();
                if requeued > 0 {
                    let _ = db.put_experiment(&newest).await;
                    live.status.set(format!(
                        "{} was interrupted ({requeued} runs to replay); press Resume",
                        newest.name
                    ));
                }
                live.record.set(Some(newest));
            }
            past.set(page.items);
        }
    });

    let launch = move |record: ExperimentRecord| {
        let ps = profiles.get_untracked();
        runner.set_value(Some(Runner::start(record, ps, live)));
    };

    let run = move |_| {
        let experiment = design(
            &name.get_untracked(),
            &preset.get_untracked(),
            &arms.get_untracked(),
            size.get_untracked(),
            band.get_untracked().parse::<Band>().ok(),
            (seed_from.get_untracked(), seed_to.get_untracked()),
            runs_per_arm.get_untracked(),
            concurrency.get_untracked(),
            per_phase.get_untracked(),
            dreams.get_untracked(),
            &arms
                .with_untracked(|a| a.first().map(|a| a.profile_id.clone()))
                .unwrap_or_default(),
        );
        let experiment =
            match experiment.and_then(|e| ExperimentState::new(e).map_err(|e| e.to_string())) {
                Ok(state) => state,
                Err(e) => return live.status.set(format!("cannot run this design: {e}")),
            };
        let record = ExperimentRecord::new(
            experiment,
            max_attempts.get_untracked(),
            dream_with_model.get_untracked(),
            db::now(),
        );
        live.record.set(Some(record.clone()));
        spawn_local(async move {
            let saved = match db::open().await {
                Ok(db) => db.put_experiment(&record).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match saved {
                Ok(()) => {
                    launch(record);
                    load_past();
                }
                Err(e) => live.status.set(format!("not started: {e}")),
            }
        });
    };

    let stop = move |_| {
        runner.with_value(|r| {
            if let Some(r) = r {
                r.stop();
            }
        })
    };
    let resume = move |_| {
        let Some(mut record) = live.record.get_untracked() else {
            return;
        };
        record.state.requeue_running();
        record.state.retry_failed();
        launch(record);
    };
    let can_resume = move || {
        !live.running.get()
            && live.record.with(|r| {
                r.as_ref().is_some_and(|r| {
                    r.state
                        .status
                        .iter()
                        .any(|s| !matches!(s, RunStatus::Done { .. }))
                })
            })
    };

    let results = Memo::new(move |_| {
        live.record
            .with(|r| r.as_ref().map(|r| ExperimentResults::from_state(&r.state)))
    });
    let progress = move || live.record.with(|r| r.as_ref().map(|r| r.state.progress()));

    let export_csv = move |_| {
        let Some(record) = live.record.get_untracked() else {
            return;
        };
        let results = ExperimentResults::from_state(&record.state);
        let r1 = download_text(&format!("{}-runs.csv", record.id), &runs_csv(&record.state));
        let r2 = download_text(&format!("{}-arms.csv", record.id), &arms_csv(&results));
        if let Err(e) = r1.and(r2) {
            live.status.set(e);
        }
    };
    let export_all = move |_| {
        let Some(record) = live.record.get_untracked() else {
            return;
        };
        let results = ExperimentResults::from_state(&record.state);
        if let Err(e) = download_text(
            &format!("{}.json", record.id),
            &export_json(&record.state, &results),
        ) {
            live.status.set(e);
        }
    };

    let arm_rows = move || {
        arms.get()
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                let set = move |f: &dyn Fn(&mut ArmForm)| arms.update(|v| f(&mut v[i]));
                let label_id = format!("experiment-arm-{}-label", i + 1);
                view! {
                    <fieldset class="arm" data-arm=i + 1>
                        <legend>{format!("Arm {}", i + 1)}</legend>
                        <label for=label_id.clone()>"Label "</label>
                        <input id=label_id class="arm-label" prop:value=a.label.clone()
                            on:change=move |ev| { let v = event_target_value(&ev); set(&|a| a.label = v.clone()) }/>
                        <label>" Profile "
                            <select class="arm-profile" prop:value=a.profile_id.clone()
                                on:change=move |ev| { let v = event_target_value(&ev); set(&|a| a.profile_id = v.clone()) }>
                                {profiles.get().into_iter().map(|p| view! { <option value=p.id.clone()>{p.name.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>" Unit "
                            <select class="arm-unit" prop:value=a.unit.clone()
                                on:change=move |ev| { let v = event_target_value(&ev); set(&|a| a.unit = v.clone()) }>
                                <option value=UnitChoice::None.key()>"none"</option>
                                <option value=UnitChoice::NewestAfterDream.key()>"newest after dream"</option>
                                {unit_list.get().into_iter().map(|u| view! { <option value=u.id.clone()>{u.name.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>" "<input type="checkbox" class="arm-memory" prop:checked=a.memory
                            on:change=move |ev| { let v = event_target_checked(&ev); set(&|a| a.memory = v) }/>" memory (the active unit when no unit is named)"</label>
                        " "<button type="button" class="arm-remove" on:click=move |_| arms.update(|v| { if v.len() > 1 { v.remove(i); } })>"Remove"</button>
                    </fieldset>
                }
            })
            .collect_view()
    };
    let num = |sig: RwSignal<usize>, lo: usize, hi: usize| {
        move |ev: web_sys::Event| {
            if let Ok(v) = event_target_value(&ev).parse::<usize>() {
                sig.set(v.clamp(lo, hi));
            }
        }
    };

    view! {
        <section aria-labelledby="experiments-title" class="experiments">
            <h2 id="experiments-title">"Experiments"</h2>
            <form class="controls design" on:submit=|ev| ev.prevent_default()>
                <label>"Name "<input id="experiment-name" prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))/></label>
                <label>" Design "
                    <select id="experiment-preset" prop:value=move || preset.get()
                        on:change=move |ev| preset.set(event_target_value(&ev))>
                        <option value="ab">"A/B/X: arms below"</option>
                        <option value="learning-curve">"Learning curve: play N → dream → play N new"</option>
                    </select>
                </label>
                <Show when=move || preset.get() == "ab">
                    <div id="experiment-arms">{arm_rows}</div>
                    <button id="experiment-add-arm" type="button" on:click=move |_| arms.update(|v| {
                        let base = v.last().cloned().unwrap_or(ArmForm { label: String::new(), profile_id: String::new(), unit: UnitChoice::None.key().into(), memory: false });
                        v.push(ArmForm { label: format!("arm {}", v.len() + 1), ..base });
                    })>"Add arm"</button>
                </Show>
                <Show when=move || preset.get() == "learning-curve">
                    <label>"Puzzles per phase "<input id="experiment-per-phase" type="number" min="1" max="500"
                        prop:value=move || per_phase.get().to_string() on:input=num(per_phase, 1, 500)/></label>
                    <label>" Dreams "<input id="experiment-dreams" type="number" min="1" max="10"
                        prop:value=move || dreams.get().to_string() on:input=num(dreams, 1, 10)/></label>
                    <span class="muted">" (plays with the first arm's profile)"</span>
                </Show>
                <fieldset>
                    <legend>"Puzzles"</legend>
                    <SizeSelect id="experiment-size" size=size/>
                    <label>" Band "
                        <select id="experiment-band" prop:value=move || band.get()
                            on:change=move |ev| band.set(event_target_value(&ev))>
                            <option value="">"any"</option>
                            {Band::ALL.into_iter().map(|b| view! { <option value=b.name()>{b.name()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>" Seeds from "<input id="experiment-seed-from" type="number" min="0"
                        prop:value=move || seed_from.get().to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { seed_from.set(v) } }/></label>
                    <label>" to "<input id="experiment-seed-to" type="number" min="0"
                        prop:value=move || seed_to.get().to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { seed_to.set(v) } }/></label>
                </fieldset>
                <label>"Runs per arm "<input id="experiment-runs" type="number" min="1" max="100"
                    prop:value=move || runs_per_arm.get().to_string() on:input=num(runs_per_arm, 1, 100)/></label>
                <label>" Concurrency "<input id="experiment-concurrency" type="number" min="1" max="8"
                    prop:value=move || concurrency.get().to_string() on:input=num(concurrency, 1, 8)/></label>
                <label>" Max attempts "<input id="experiment-max-attempts" type="number" min="1" max="2000"
                    prop:value=move || max_attempts.get().to_string() on:input=num(max_attempts, 1, 2000)/></label>
                <label>" "<input id="experiment-dream-llm" type="checkbox" prop:checked=move || dream_with_model.get()
                    on:change=move |ev| dream_with_model.set(event_target_checked(&ev))/>" dreams use the model"</label>
                <div class="row">
                    <button id="experiment-run" type="button" on:click=run disabled=move || live.running.get()>"Run"</button>
                    <button id="experiment-stop" type="button" on:click=stop disabled=move || !live.running.get()>"Stop"</button>
                    <button id="experiment-resume" type="button" on:click=resume disabled=move || !can_resume()>"Resume"</button>
                </div>
            </form>
            <p id="experiment-status" role="status" aria-live="polite">{move || live.status.get()}</p>
            {move || live.record.get().map(|r| view! {
                <h3 id="experiment-title" data-experiment-id=r.id.clone()>{r.name.clone()}</h3>
            })}
            {move || progress().map(|p| view! {
                <p>
                    <progress id="experiment-progress" max=p.total value=p.done + p.failed
                        data-done=p.done data-failed=p.failed data-total=p.total
                        aria-label="Runs finished"></progress>
                    {format!(" {} of {} runs done, {} failed, {} running", p.done, p.total, p.failed, p.running)}
                </p>
            })}
            {move || results.get().map(|res| {
                let verdicts: Vec<String> = res.comparisons.iter().map(|c| format!("{} vs {}: {}", c.arm_id, c.control_id, c.verdict_text)).collect();
                let charts = [accuracy_chart(&res), learning_curve_chart(&res), outcome_mix_chart(&res)];
                view! {
                    <div id="experiment-results">
                        <table>
                            <caption>"Results per arm (95% intervals: Wilson for solve rate, session bootstrap for accuracy)"</caption>
                            <thead><tr>
                                <th scope="col">"arm"</th><th scope="col">"n"</th><th scope="col">"solved"</th>
                                <th scope="col">"solve rate"</th><th scope="col">"accuracy"</th>
                                <th scope="col">"correct / invalid / repeats / valid but wrong / unparseable"</th>
                                <th scope="col">"mean attempts"</th>
                            </tr></thead>
                            <tbody>
                                {res.arms.iter().map(|a| view! {
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
                        <div id="experiment-verdict" role="status">
                            {if verdicts.is_empty() {
                                view! { <p>"one arm: nothing to compare"</p> }.into_any()
                            } else {
                                view! { <ul>{verdicts.into_iter().map(|v| view! { <li>{v}</li> }).collect_view()}</ul> }.into_any()
                            }}
                        </div>
                        <div class="charts">
                            {charts.into_iter().map(|svg| view! { <figure class="chart" inner_html=svg></figure> }).collect_view()}
                        </div>
                        <div class="row">
                            <button id="experiment-export-csv" type="button" on:click=export_csv>"Export CSV"</button>
                            <button id="experiment-export-json" type="button" on:click=export_all>"Export JSON"</button>
                        </div>
                    </div>
                }
            })}
            <h3>"Past experiments"</h3>
            <ul id="experiment-list">
                {move || past.get().into_iter().map(|r| {
                    let p = r.state.progress();
                    let label = format!("{} · {} of {} runs", r.name, p.done, p.total);
                    let id = r.id.clone();
                    view! { <li data-experiment-id=id><button type="button" disabled=move || live.running.get()
                        on:click=move |_| live.record.set(Some(r.clone()))>{label}</button></li> }
                }).collect_view()}
            </ul>
        </section>
    }
}
