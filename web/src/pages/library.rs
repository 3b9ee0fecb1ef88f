//! The puzzle library: import pasted text or a file (checked whole by
//! `solver_core::library::parse_import`: every problem listed with line, row, column and
//! value, nothing stored unless all of it is valid), the stored puzzles with a link to play
//! each, and export as a one-line file or upstream JSON.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use solver_core::library::{export_json, export_lines, parse_import, puzzle_key, LibraryPuzzle};
use solver_core::Grid;

use crate::db;
use crate::download::{download_text, read_file_text};
use learning_lab::memory::PuzzleRecord;

fn record(puzzle: &LibraryPuzzle, now: f64) -> PuzzleRecord {
    PuzzleRecord {
        id: puzzle_key(&puzzle.givens),
        size: puzzle.givens.size() as u8,
        seed: None,
        givens: puzzle.givens.to_line(),
        solution: puzzle.solution.to_line(),
        created_at: now,
        name: puzzle.name.clone(),
        source: Some("imported".into()),
    }
}

async fn load(list: RwSignal<Vec<PuzzleRecord>>, status: RwSignal<String>) {
    match db::open().await {
        Ok(db) => match db.all_puzzles().await {
            Ok(all) => list.set(all),
            Err(e) => status.set(e.to_string()),
        },
        Err(e) => status.set(e.to_string()),
    }
}

/// Check `text` whole; store all of it in one transaction, or show every problem and store
/// nothing.
async fn import(
    text: String,
    list: RwSignal<Vec<PuzzleRecord>>,
    status: RwSignal<String>,
    problems: RwSignal<Vec<String>>,
) {
    match parse_import(&text) {
        Err(found) => {
            status.set(format!(
                "nothing imported: {} problem{} to fix first",
                found.len(),
                if found.len() == 1 { "" } else { "s" }
            ));
            problems.set(found.iter().map(ToString::to_string).collect());
        }
        Ok(puzzles) => {
            problems.set(Vec::new());
            let now = db::now();
            let records: Vec<PuzzleRecord> = puzzles.iter().map(|p| record(p, now)).collect();
            let saved = match db::open().await {
                Ok(db) => db.save_puzzles(&records).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match saved {
                Ok(()) => {
                    status.set(format!(
                        "imported {} puzzle{} into the library",
                        records.len(),
                        if records.len() == 1 { "" } else { "s" }
                    ));
                    load(list, status).await;
                }
                Err(e) => status.set(format!("nothing imported: {e}")),
            }
        }
    }
}

fn grids(record: &PuzzleRecord) -> Option<(Grid, Grid)> {
    Some((
        Grid::from_line(&record.givens).ok()?,
        Grid::from_line(&record.solution).ok()?,
    ))
}

#[component]
pub fn LibraryPage() -> impl IntoView {
    let list = RwSignal::new(Vec::<PuzzleRecord>::new());
    let status = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::<String>::new());
    let text = RwSignal::new(String::new());
    spawn_local(load(list, status));

    let import_paste = move |_| spawn_local(import(text.get_untracked(), list, status, problems));
    let import_file = move |ev: leptos::ev::Event| {
        spawn_local(async move {
            match read_file_text(&ev).await {
                Ok(Some(file)) => import(file, list, status, problems).await,
                Ok(None) => {}
                Err(e) => status.set(e),
            }
        });
    };
    let export = move |json: bool| {
        let all = list.get_untracked();
        let pairs: Vec<(Grid, Grid)> = all.iter().filter_map(grids).collect();
        let result = if json {
            download_text("machine-dream-puzzles.json", &export_json(&pairs))
        } else {
            let givens: Vec<Grid> = pairs.into_iter().map(|(g, _)| g).collect();
            download_text("machine-dream-puzzles.txt", &export_lines(&givens))
        };
        status.set(match result {
            Ok(()) => format!("exported {} puzzles", all.len()),
            Err(e) => e,
        });
    };

    view! {
        <section aria-labelledby="library-title">
            <h2 id="library-title">"Puzzle library"</h2>
            <p class="muted">"Generated and imported puzzles. Play, LLM Play and Experiments can draw from them."</p>
            <form class="controls" on:submit=|ev| ev.prevent_default() aria-labelledby="import-title">
                <h3 id="import-title">"Import puzzles"</h3>
                <label for="import-text">"Paste puzzles: one per line (" <code>"."</code> " or " <code>"0"</code> " for empty, A–P above 9), or upstream JSON"</label>
                <textarea id="import-text" rows="5" spellcheck="false"
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <div class="row">
                    <button id="import-paste" type="button" on:click=import_paste>"Import pasted text"</button>
                    <label>"or a file " <input id="import-file" type="file" accept=".txt,.json,.jsonl,text/plain,application/json" on:change=import_file/></label>
                </div>
            </form>
            <p id="import-status" role="status" aria-live="polite">{move || status.get()}</p>
            <Show when=move || !problems.with(Vec::is_empty)>
                <ul id="import-errors" class="problems" aria-label="Problems found">
                    <For each=move || problems.get() key=|p| p.clone() children=|p| view! { <li>{p}</li> }/>
                </ul>
            </Show>
            <div class="row">
                <h3>{move || format!("{} puzzles", list.with(Vec::len))}</h3>
                <button id="library-export-lines" type="button" class="secondary" on:click=move |_| export(false)>"Export as lines"</button>
                <button id="library-export-json" type="button" class="secondary" on:click=move |_| export(true)>"Export as JSON"</button>
            </div>
            <table id="library-list" class="list">
                <thead><tr><th scope="col">"Puzzle"</th><th scope="col">"Size"</th><th scope="col">"From"</th><th scope="col"><span class="visually-hidden">"Play it"</span></th></tr></thead>
                <tbody>
                    <For each=move || list.get() key=|p| p.id.clone() children=|p| {
                        let href = crate::base_path::url(&format!("/play?puzzle={}", p.id));
                        let llm_href = crate::base_path::url(&format!("/llm?puzzle={}", p.id));
                        view! {
                            <tr data-puzzle-id=p.id.clone()>
                                <td>{p.title().to_string()}</td>
                                <td>{format!("{0}x{0}", p.size)}</td>
                                <td>{p.source.clone().unwrap_or_else(|| "generated".into())}</td>
                                <td><A href=href>"Play"</A>" · "<A href=llm_href attr:class="llm-play">"LLM Play"</A></td>
                            </tr>
                        }
                    }/>
                </tbody>
            </table>
        </section>
    }
}
