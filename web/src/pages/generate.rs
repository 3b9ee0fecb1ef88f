//! The "Generate" screen: batches of puzzles of any size, band and symmetry, made in the engine
//! worker (`crate::engine`) with a progress bar and Cancel, so the page stays responsive even
//! for 25x25 grids. Each puzzle is listed with its rating; one can be played, the batch saved
//! to the library in one transaction, or exported as a one-line file or upstream JSON.
//! Seeds, what is kept and the progress fraction are decided by
//! `solver_core::generate::BatchPlan` in the worker.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use solver_core::generate::{random_seed, BatchState, MAX_BATCH, MAX_SEED};
use solver_core::human::{Band, Rating};
use solver_core::library::{export_json, export_lines, generated_key};
use solver_core::symmetry::Symmetry;
use solver_core::Grid;
use solver_core::Shape;

use crate::db;
use crate::download::download_text;
use crate::engine::protocol::FromEngine;
use crate::engine::{self, BatchHandle, BatchRequest, EngineEvent};
use learning_lab::memory::PuzzleRecord;

/// One puzzle of the batch on screen.
#[derive(Clone, Debug, PartialEq)]
struct Made {
    index: usize,
    size: usize,
    band: Option<Band>,
    symmetry: Symmetry,
    seed: u64,
    givens: String,
    solution: String,
    rating: Rating,
}

impl Made {
    fn id(&self) -> String {
        generated_key(self.size, self.band, self.symmetry, self.seed)
    }

    fn record(&self, now: f64) -> PuzzleRecord {
        PuzzleRecord {
            id: self.id(),
            size: self.size as u8,
            seed: Some(self.seed as f64),
            givens: self.givens.clone(),
            solution: self.solution.clone(),
            created_at: now,
            name: None,
            source: Some("generated".into()),
        }
    }

    fn clues(&self) -> usize {
        self.givens
            .chars()
            .filter(|&c| c != '.' && c != '0')
            .count()
    }

    fn band_text(&self) -> String {
        match (self.rating.band, self.rating.needs_guessing) {
            (_, true) => "needs guessing".into(),
            (Some(band), false) => band.name().into(),
            (None, false) => "unrated".into(),
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[component]
pub fn GeneratePage() -> impl IntoView {
    let size = RwSignal::new(9usize);
    let band = RwSignal::new(String::from("any"));
    let symmetry = RwSignal::new(String::from("none"));
    let seed = RwSignal::new(String::new());
    let count = RwSignal::new(String::from("10"));
    let running = RwSignal::new(None::<BatchHandle>);
    // idle, running, cancelling, then the batch's end state (or "failed").
    let phase = RwSignal::new(String::from("idle"));
    let fraction = RwSignal::new(0.0f64);
    let status = RwSignal::new(String::new());
    let made = RwSignal::new(Vec::<Made>::new());
    let skipped = RwSignal::new(Vec::<String>::new());
    let message = RwSignal::new(String::new());

    // Leaving the screen stops its batch (the worker would otherwise go on for nobody).
    on_cleanup(move || {
        if let Some(handle) = running.try_get_untracked().flatten() {
            handle.abandon();
        }
    });

    let finish = move |state: &str, text: String| {
        running.set(None);
        phase.set(state.to_string());
        status.set(text);
    };

    let start = move |_| {
        if running.get_untracked().is_some() {
            return;
        }
        message.set(String::new());
        let seed_text = seed.get_untracked();
        let first_seed = match seed_text.trim() {
            "" => random_seed(js_sys::Math::random()),
            text => match text.parse::<u64>() {
                Ok(s) if s <= MAX_SEED => s,
                _ => {
                    finish(
                        "failed",
                        format!("the seed is a whole number from 0 to {MAX_SEED}, or empty for a random one"),
                    );
                    return;
                }
            },
        };
        let Ok(n) = count.get_untracked().trim().parse::<usize>() else {
            finish(
                "failed",
                format!("the count is a whole number from 1 to {MAX_BATCH}"),
            );
            return;
        };
        let request = BatchRequest {
            size: size.get_untracked(),
            band: Band::ALL
                .into_iter()
                .find(|b| b.name() == band.get_untracked()),
            symmetry: Symmetry::ALL
                .into_iter()
                .find(|s| s.name() == symmetry.get_untracked())
                .unwrap_or_default(),
            first_seed,
            count: n,
        };
        made.set(Vec::new());
        skipped.set(Vec::new());
        fraction.set(0.0);
        phase.set("running".into());
        status.set(format!(
            "starting: {} from seed {first_seed}…",
            plural(n, "puzzle", "puzzles")
        ));
        let handle = engine::generate_batch(request, move |event| match event {
            EngineEvent::Answer(FromEngine::Generated {
                index,
                seed,
                givens,
                solution,
                rating,
                ..
            }) => made.update(|m| {
                m.push(Made {
                    index,
                    size: request.size,
                    band: request.band,
                    symmetry: request.symmetry,
                    seed,
                    givens,
                    solution,
                    rating,
                });
            }),
            EngineEvent::Answer(FromEngine::Failed { seed, error, .. }) => {
                skipped.update(|s| s.push(format!("seed {seed}: {error}")));
            }
            EngineEvent::Answer(FromEngine::Progress {
                kept,
                tried,
                count,
                fraction: f,
                ..
            }) => {
                fraction.set(f);
                if phase.try_get_untracked().as_deref() == Some("running") {
                    status.set(format!("made {kept} of {count} ({tried} seeds tried)…"));
                }
            }
            EngineEvent::Answer(FromEngine::Done { state, kept, .. }) => {
                let text = match state {
                    BatchState::Complete => {
                        format!("done: {}", plural(kept, "puzzle", "puzzles"))
                    }
                    BatchState::Cancelled => {
                        format!("cancelled: {kept} of {} made", request.count)
                    }
                    BatchState::GaveUp => format!(
                        "gave up: {kept} of {} made; too many seeds in a row gave no {} puzzle",
                        request.count,
                        request.band.map_or("", Band::name)
                    ),
                    BatchState::Running => format!("stopped: {kept} made"),
                };
                finish(state.name(), text);
            }
            EngineEvent::Answer(FromEngine::Refused { error, .. }) => {
                finish("failed", format!("not started: {error}"));
            }
            EngineEvent::Lost(reason) => finish("failed", format!("stopped: {reason}")),
            EngineEvent::Answer(_) => {}
        });
        running.set(Some(handle));
    };

    let cancel = move |_| {
        if let Some(handle) = running.get_untracked() {
            handle.cancel();
            phase.set("cancelling".into());
            status.set("cancelling after the current puzzle…".into());
        }
    };

    let save_all = move |_| {
        let records: Vec<PuzzleRecord> = made.with_untracked(|m| {
            let now = db::now();
            m.iter().map(|p| p.record(now)).collect()
        });
        if records.is_empty() {
            return;
        }
        spawn_local(async move {
            let saved = match db::open().await {
                Ok(db) => db.save_puzzles(&records).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            message.set(match saved {
                Ok(()) => format!(
                    "saved {} to the library",
                    plural(records.len(), "puzzle", "puzzles")
                ),
                Err(e) => format!("nothing saved: {e}"),
            });
        });
    };

    let export = move |json: bool| {
        let pairs: Vec<(Grid, Grid)> = made.with_untracked(|m| {
            m.iter()
                .filter_map(|p| {
                    Some((
                        Grid::from_line(&p.givens).ok()?,
                        Grid::from_line(&p.solution).ok()?,
                    ))
                })
                .collect()
        });
        if pairs.is_empty() {
            return;
        }
        let n = pairs.len();
        let result = if json {
            download_text("machine-dream-generated.json", &export_json(&pairs))
        } else {
            let givens: Vec<Grid> = pairs.into_iter().map(|(g, _)| g).collect();
            download_text("machine-dream-generated.txt", &export_lines(&givens))
        };
        message.set(match result {
            Ok(()) => format!("exported {}", plural(n, "puzzle", "puzzles")),
            Err(e) => e,
        });
    };

    let navigate = use_navigate();
    let play = move |puzzle: Made| {
        let navigate = navigate.clone();
        spawn_local(async move {
            let record = puzzle.record(db::now());
            let saved = match db::open().await {
                Ok(db) => db
                    .save_puzzles(std::slice::from_ref(&record))
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match saved {
                Ok(()) => navigate(
                    &crate::base_path::url(&format!("/play?puzzle={}", record.id)),
                    Default::default(),
                ),
                Err(e) => message.set(format!("could not store the puzzle: {e}")),
            }
        });
    };

    let band_options = std::iter::once("any")
        .chain(Band::ALL.iter().map(|b| b.name()))
        .map(|b| view! { <option value=b>{b}</option> })
        .collect_view();
    let symmetry_options = Symmetry::ALL
        .map(|s| view! { <option value=s.name()>{s.name()}</option> })
        .collect_view();
    let idle = move || running.get().is_none();
    let nothing_made = move || !idle() || made.with(Vec::is_empty);

    view! {
        <section aria-labelledby="generate-title">
            <h2 id="generate-title">"Generate puzzles"</h2>
            <p class="muted">"Batches of puzzles of any size and difficulty, made in the background: the page stays usable while big grids are made."</p>
            <form class="controls inline" on:submit=|ev| ev.prevent_default()>
                <label>"Size "
                    <select id="gen-size" prop:value=move || size.get().to_string()
                        on:change=move |ev| size.set(event_target_value(&ev).parse().unwrap_or(9))>
                        {Shape::ALL.map(|s| s.size()).map(|n| view! { <option value=n.to_string()>{format!("{n}x{n}")}</option> })}
                    </select>
                </label>
                <label>"Difficulty "
                    <select id="gen-band" prop:value=move || band.get()
                        on:change=move |ev| band.set(event_target_value(&ev))>
                        {band_options}
                    </select>
                </label>
                <label>"Symmetry "
                    <select id="gen-symmetry" prop:value=move || symmetry.get()
                        on:change=move |ev| symmetry.set(event_target_value(&ev))>
                        {symmetry_options}
                    </select>
                </label>
                <label>"First seed "
                    <input id="gen-seed" type="text" inputmode="numeric" size="12" placeholder="random"
                        prop:value=move || seed.get() on:input=move |ev| seed.set(event_target_value(&ev))/>
                </label>
                <label>"Count "
                    <input id="gen-count" type="number" min="1" max=MAX_BATCH.to_string() size="5"
                        prop:value=move || count.get() on:input=move |ev| count.set(event_target_value(&ev))/>
                </label>
                <button id="gen-start" type="button" disabled=move || !idle() on:click=start>"Generate"</button>
                <button id="gen-cancel" type="button" class="danger" disabled=idle on:click=cancel>"Cancel"</button>
            </form>
            <div class="row">
                <progress id="gen-progress" max="1" prop:value=move || fraction.get()
                    aria-label="Puzzles made of those asked for"></progress>
                <span id="gen-status" role="status" aria-live="polite" data-state=move || phase.get()>{move || status.get()}</span>
            </div>
            <Show when=move || !skipped.with(Vec::is_empty)>
                <details id="gen-skipped">
                    <summary>{move || format!("{} gave no puzzle", plural(skipped.with(Vec::len), "seed", "seeds"))}</summary>
                    <ul class="small">
                        <For each=move || skipped.get() key=|s| s.clone() children=|s| view! { <li>{s}</li> }/>
                    </ul>
                </details>
            </Show>
            <div class="row">
                <h3>{move || plural(made.with(Vec::len), "puzzle", "puzzles")}</h3>
                <button id="gen-save" type="button" disabled=nothing_made on:click=save_all>"Save all to the library"</button>
                <button id="gen-export-lines" type="button" class="secondary" disabled=nothing_made on:click=move |_| export(false)>"Export as lines"</button>
                <button id="gen-export-json" type="button" class="secondary" disabled=nothing_made on:click=move |_| export(true)>"Export as JSON"</button>
            </div>
            <p id="gen-message" role="status" aria-live="polite">{move || message.get()}</p>
            <table id="gen-list" class="list">
                <thead><tr>
                    <th scope="col">"#"</th><th scope="col">"Seed"</th><th scope="col">"Clues"</th>
                    <th scope="col">"Band"</th><th scope="col">"Score"</th>
                    <th scope="col"><span class="visually-hidden">"Play"</span></th>
                </tr></thead>
                <tbody>
                    <For each=move || made.get() key=|p| (p.index, p.id()) children=move |p| {
                        let play = play.clone();
                        let puzzle = p.clone();
                        view! {
                            <tr data-seed=p.seed.to_string() data-puzzle-id=p.id()>
                                <td>{p.index + 1}</td>
                                <td>{p.seed.to_string()}</td>
                                <td>{p.clues()}</td>
                                <td class="gen-band">{p.band_text()}</td>
                                <td class="gen-score">{format!("{:.1}", p.rating.score)}</td>
                                <td><button type="button" class="small gen-play" on:click=move |_| play(puzzle.clone())>"Play"</button></td>
                            </tr>
                        }
                    }/>
                </tbody>
            </table>
        </section>
    }
}
