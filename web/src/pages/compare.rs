//! The comparison view (`/compare`): one arm of an experiment against a baseline arm, puzzle
//! by puzzle — better, worse or the same in colour, sorted and filtered — and one puzzle's
//! moves of both arms side by side with the unit items each move was shown. Every setting
//! lives in the URL (learning-lab's `ViewQuery`), so a view can be linked and reloads as it was.

use learning_lab::experiment::{side_by_side, ArmComparison, Change, PuzzleRow, SortBy, ViewQuery};
use learning_lab::memory::{ExperienceRecord, SessionRecord};
use learning_lab::play::Attempt;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::db;
use crate::storage::ExperimentRecord;

/// Experiments offered in the chooser (the newest).
const LISTED: u32 = 50;

#[component]
pub fn ComparePage() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map.with(|q| {
            let pairs: Vec<(String, String)> = ["exp", "baseline", "arm", "show", "sort", "puzzle"]
                .iter()
                .filter_map(|k| q.get(k).map(|v| (k.to_string(), v)))
                .collect();
            ViewQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        })
    });
    let navigate = use_navigate();
    let set_query = move |change: &dyn Fn(&mut ViewQuery)| {
        let mut q = query.get_untracked();
        change(&mut q);
        let text = q.to_query();
        let path = if text.is_empty() {
            "/compare".to_string()
        } else {
            format!("/compare?{text}")
        };
        navigate(
            &crate::base_path::url(&path),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let set_query = StoredValue::new_local(set_query);

    let experiments = RwSignal::new(Vec::<ExperimentRecord>::new());
    let message = RwSignal::new(String::from("loading…"));
    spawn_local(async move {
        let page = match db::open().await {
            Ok(db) => db
                .page_experiments(None, LISTED)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match page {
            Ok(page) => {
                if page.items.is_empty() {
                    message.set("No experiment yet: run one on the Experiments screen.".into());
                } else {
                    message.set(String::new());
                }
                experiments.set(page.items);
            }
            Err(e) => message.set(format!("experiments could not be read: {e}")),
        }
    });

    // The experiment in view: the URL's, else the newest.
    let record = Memo::new(move |_| {
        let wanted = query.with(|q| q.experiment.clone());
        experiments.with(|list| match wanted {
            Some(id) => list.iter().find(|r| r.id == id).cloned(),
            None => list.first().cloned(),
        })
    });
    let comparison = Memo::new(move |_| {
        let q = query.get();
        record.with(|r| {
            r.as_ref().map(|r| {
                ArmComparison::new(&r.state, q.baseline.as_deref(), q.arm.as_deref())
                    .map_err(|e| e.to_string())
            })
        })
    });

    let arm_options = move |selected: String| {
        record.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.state
                        .experiment
                        .arms
                        .iter()
                        .map(|a| {
                            let chosen = a.id == selected;
                            view! { <option value=a.id.clone() selected=chosen>{a.label.clone()}</option> }
                        })
                        .collect_view()
                })
        })
    };
    let baseline_id = move || {
        comparison.with(|c| match c {
            Some(Ok(c)) => c.baseline_id.clone(),
            _ => query.with(|q| q.baseline.clone().unwrap_or_default()),
        })
    };
    let arm_id = move || {
        comparison.with(|c| match c {
            Some(Ok(c)) => c.arm_id.clone(),
            _ => query.with(|q| q.arm.clone().unwrap_or_default()),
        })
    };
    let shows = move |change: Change| query.with(|q| q.show.contains(&change));
    let toggle = move |change: Change, on: bool| {
        set_query.with_value(|set| {
            set(&|q: &mut ViewQuery| {
                q.show.retain(|c| *c != change);
                if on {
                    q.show.push(change);
                    q.show.sort();
                }
            })
        })
    };

    let open_puzzle = Callback::new(move |id: String| {
        set_query.with_value(|set| set(&|q: &mut ViewQuery| q.puzzle = Some(id.clone())))
    });

    view! {
        <section aria-labelledby="compare-title" class="compare">
            <h2 id="compare-title">"Compare arms puzzle by puzzle"</h2>
            <form class="controls inline" on:submit=|ev| ev.prevent_default()>
                <label>"Experiment "
                    <select id="compare-experiment" on:change=move |ev| {
                        let id = event_target_value(&ev);
                        set_query.with_value(|set| set(&|q: &mut ViewQuery| {
                            *q = ViewQuery { experiment: Some(id.clone()), ..ViewQuery::default() };
                        }))
                    }>
                        {move || {
                            let current = record.with(|r| r.as_ref().map(|r| r.id.clone()));
                            experiments.get().into_iter().map(|r| {
                                let chosen = Some(&r.id) == current.as_ref();
                                view! { <option value=r.id.clone() selected=chosen>{r.name.clone()}</option> }
                            }).collect_view()
                        }}
                    </select>
                </label>
                <label>"Baseline "
                    <select id="compare-baseline" on:change=move |ev| {
                        let id = event_target_value(&ev);
                        set_query.with_value(|set| set(&|q: &mut ViewQuery| {
                            q.baseline = Some(id.clone());
                            if q.arm.as_deref() == Some(id.as_str()) { q.arm = None; }
                        }))
                    }>{move || arm_options(baseline_id())}</select>
                </label>
                <label>"Arm "
                    <select id="compare-arm" on:change=move |ev| {
                        let id = event_target_value(&ev);
                        set_query.with_value(|set| set(&|q: &mut ViewQuery| q.arm = Some(id.clone())))
                    }>{move || arm_options(arm_id())}</select>
                </label>
                <fieldset class="inline">
                    <legend>"Show"</legend>
                    {[Change::Worse, Change::Same, Change::Better].into_iter().map(|c| view! {
                        <label class=format!("change-{}", c.name())>
                            <input type="checkbox" id=format!("compare-show-{}", c.name())
                                prop:checked=move || shows(c)
                                on:change=move |ev| toggle(c, event_target_checked(&ev))/>
                            {c.name()}
                        </label>
                    }).collect_view()}
                    <span class="muted small">" (none ticked: all)"</span>
                </fieldset>
                <label>"Sort "
                    <select id="compare-sort" on:change=move |ev| {
                        let value = event_target_value(&ev);
                        set_query.with_value(|set| set(&|q: &mut ViewQuery| {
                            q.sort = SortBy::ALL.into_iter().find(|s| s.name() == value).unwrap_or_default();
                        }))
                    }>
                        {SortBy::ALL.into_iter().map(|s| view! {
                            <option value=s.name() selected=move || query.with(|q| q.sort == s)>{s.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
            </form>
            <p id="compare-status" role="status">{move || message.get()}</p>
            {move || comparison.get().map(|c| match c {
                Err(e) => view! { <p id="compare-error" class="error" role="alert">{e}</p> }.into_any(),
                Ok(c) => {
                    let q = query.get();
                    let (better, worse, same) = c.counts();
                    let rows: Vec<PuzzleRow> = c.view(&q).into_iter().cloned().collect();
                    let open = q.puzzle.clone();
                    let opened = open.as_ref().and_then(|id| c.rows.iter().find(|r| &r.puzzle_id == id).cloned());
                    view! {
                        <p id="compare-summary" data-better=better data-worse=worse data-same=same>
                            {format!("{} puzzles: {better} better, {worse} worse, {same} the same", c.rows.len())}
                        </p>
                        <PuzzleTable rows open on_open=open_puzzle/>
                        {opened.map(|row| view! { <SideBySide row/> })}
                    }.into_any()
                }
            })}
        </section>
    }
}

fn side_text(side: &learning_lab::experiment::PuzzleSide) -> String {
    let accuracy = side
        .accuracy()
        .map_or("—".to_string(), |a| format!("{:.0}%", a * 100.0));
    format!(
        "solved {}/{} · {} correct of {} · accuracy {accuracy}",
        side.solved,
        side.runs(),
        side.correct,
        side.attempts
    )
}

/// One row per puzzle shown; a row's button opens it side by side.
#[component]
fn PuzzleTable(
    rows: Vec<PuzzleRow>,
    open: Option<String>,
    on_open: Callback<String>,
) -> impl IntoView {
    view! {
        <table id="compare-table">
            <caption>"Each puzzle: the arm against the baseline (solve share first, then move accuracy)"</caption>
            <thead><tr>
                <th scope="col">"puzzle"</th><th scope="col">"baseline"</th>
                <th scope="col">"arm"</th><th scope="col">"change"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let id = r.puzzle_id.clone();
                    let clicked = id.clone();
                    let is_open = open.as_deref() == Some(id.as_str());
                    let change = r.change.name();
                    view! {
                        <tr data-puzzle-id=id.clone() data-change=change class=format!("change-{change}") class:open=is_open>
                            <th scope="row">
                                <button type="button" class="link" aria-expanded=is_open.to_string()
                                    on:click=move |_| on_open.run(clicked.clone())>{r.puzzle_id.clone()}</button>
                            </th>
                            <td>{side_text(&r.baseline)}</td>
                            <td>{side_text(&r.arm)}</td>
                            <td class="change"><span class=format!("badge change-{change}")>{change}</span></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A session's attempts with the unit items each was shown (by experience id).
#[derive(Clone, Debug, Default)]
struct Played {
    model: String,
    attempts: Vec<Attempt>,
    items: Vec<Vec<String>>,
}

async fn load_played(session_id: String) -> Result<Played, String> {
    let db = db::open().await.map_err(|e| e.to_string())?;
    let record: SessionRecord = db
        .session(&session_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("session {session_id} is not in this browser's memory"))?;
    let attempts = record.session.attempts().to_vec();
    let ids: Vec<String> = attempts
        .iter()
        .map(|a| ExperienceRecord::id_for(&session_id, a.number))
        .collect();
    let experiences = db
        .experiences_by_id(&ids)
        .await
        .map_err(|e| e.to_string())?;
    let items = ids
        .iter()
        .map(|id| {
            experiences
                .iter()
                .find(|e| &e.id == id)
                .map(|e| e.experience.injected_items.clone())
                .unwrap_or_default()
        })
        .collect();
    Ok(Played {
        model: record.model.clone(),
        attempts,
        items,
    })
}

/// Both arms' moves on one puzzle, repeat by repeat.
#[component]
fn SideBySide(row: PuzzleRow) -> impl IntoView {
    let repeats = row.baseline.runs().min(row.arm.runs()).max(1);
    let several = repeats > 1;
    let repeat = RwSignal::new(0usize);
    let sides = RwSignal::new(None::<Result<(Played, Played), String>>);
    let (base_ids, arm_ids) = (
        row.baseline.session_ids.clone(),
        row.arm.session_ids.clone(),
    );
    Effect::new(move |_| {
        let i = repeat.get();
        let (Some(b), Some(a)) = (base_ids.get(i).cloned(), arm_ids.get(i).cloned()) else {
            return;
        };
        spawn_local(async move {
            let loaded = match (load_played(b).await, load_played(a).await) {
                (Ok(b), Ok(a)) => Ok((b, a)),
                (Err(e), _) | (_, Err(e)) => Err(e),
            };
            sides.set(Some(loaded));
        });
    });
    let move_cell = |a: Option<&Attempt>, items: Option<&Vec<String>>| match a {
        None => view! { <td class="muted">"—"</td> }.into_any(),
        Some(a) => {
            let outcome = a.judgement.label();
            let what = a
                .mv()
                .map_or_else(|| "no move".to_string(), |m| m.to_string());
            let items = items.filter(|i| !i.is_empty()).map(|i| i.join(", "));
            view! {
                <td data-outcome=outcome>
                    <span class="move-what">{what}</span>" "
                    <span class=format!("outcome {}", outcome.to_lowercase())>{outcome}</span>
                    {items.map(|i| view! { <div class="items muted small">"items: "{i}</div> })}
                </td>
            }
            .into_any()
        }
    };
    view! {
        <section id="compare-detail" aria-labelledby="compare-detail-title" data-puzzle-id=row.puzzle_id.clone()>
            <h3 id="compare-detail-title">{format!("{} side by side", row.puzzle_id)}</h3>
            <Show when=move || several>
                <label>"Repeat "
                    <select id="compare-repeat" on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<usize>() { repeat.set(i) }
                    }>
                        {(0..repeats).map(|i| view! { <option value=i.to_string()>{(i + 1).to_string()}</option> }).collect_view()}
                    </select>
                </label>
            </Show>
            {move || sides.get().map(|s| match s {
                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Ok((base, arm)) => {
                    let rows = side_by_side(&base.attempts, &arm.attempts)
                        .into_iter()
                        .enumerate()
                        .map(|(i, (b, a))| view! {
                            <tr>
                                <th scope="row">{(i + 1).to_string()}</th>
                                {move_cell(b, base.items.get(i))}
                                {move_cell(a, arm.items.get(i))}
                            </tr>
                        })
                        .collect_view();
                    view! {
                        <table id="compare-moves">
                            <caption>"Move by move: the verdict and the unit items in that move's prompt"</caption>
                            <thead><tr>
                                <th scope="col">"move"</th>
                                <th scope="col">{format!("baseline ({})", base.model)}</th>
                                <th scope="col">{format!("arm ({})", arm.model)}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    }.into_any()
                }
            })}
        </section>
    }
}
