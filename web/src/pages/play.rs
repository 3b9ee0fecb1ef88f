//! The "Play" screen: a person plays a seeded puzzle from solver-core; typed entries are
//! checked for conflicts, and the game is kept in IndexedDB across reloads.

use std::rc::Rc;

use learning_lab::memory::PuzzleRecord;
use learning_lab::play::ReadyPuzzle;
use leptos::prelude::*;
use leptos::task::spawn_local;
use solver_core::Grid;

use crate::components::board::Board;
use crate::db;
use crate::game::{conflict_cells, describe_conflicts, parse_entry};
use crate::storage::{EntryRecord, GameRecord, Storage, StorageError};

const CURRENT_PUZZLE: &str = "current_puzzle";
const FIRST_SEED: u64 = 1;

fn now() -> f64 {
    js_sys::Date::now()
}

/// Generate the 9x9 puzzle for `seed` and describe it as a record.
fn new_puzzle(seed: u64) -> Result<PuzzleRecord, String> {
    let puzzle = ReadyPuzzle::generate(9, seed)
        .map_err(|e| format!("could not generate puzzle {seed}: {e}"))?;
    Ok(PuzzleRecord::new(&puzzle, now()))
}

/// Everything the screen shows about the current game.
#[derive(Clone)]
struct Loaded {
    puzzle: PuzzleRecord,
    givens: Grid,
    game: GameRecord,
}

fn parse_grid(line: &str, what: &str) -> Result<Grid, String> {
    Grid::from_line(line).map_err(|e| format!("stored {what} is damaged ({e})"))
}

async fn load_or_create(storage: &Storage, seed: Option<u64>) -> Result<Loaded, String> {
    let s = |e: StorageError| e.to_string();
    let puzzle = match (seed, storage.setting(CURRENT_PUZZLE).await.map_err(s)?) {
        (None, Some(id)) => storage.puzzle(&id).await.map_err(s)?,
        _ => None,
    };
    let puzzle = match puzzle {
        Some(p) => p,
        None => {
            let p = new_puzzle(seed.unwrap_or(FIRST_SEED))?;
            storage.save_puzzle(&p).await.map_err(s)?;
            p
        }
    };
    storage
        .set_setting(CURRENT_PUZZLE, &puzzle.id)
        .await
        .map_err(s)?;
    let givens = parse_grid(&puzzle.givens, "puzzle")?;
    let game = match storage.game(&puzzle.id).await.map_err(s)? {
        Some(game) => game,
        None => GameRecord {
            puzzle_id: puzzle.id.clone(),
            board: puzzle.givens.clone(),
            entries: Vec::new(),
            updated_at: now(),
        },
    };
    Ok(Loaded {
        puzzle,
        givens,
        game,
    })
}

#[component]
pub fn PlayPage() -> impl IntoView {
    // The open database, shared by the handlers (not Send: it wraps JS objects).
    let storage = StoredValue::new_local(None::<Rc<Storage>>);
    let loaded = RwSignal::new(None::<Loaded>);
    let givens = RwSignal::new(Grid::empty(
        solver_core::Shape::new(9).expect("9 is a valid size"),
    ));
    let board = RwSignal::new(givens.get_untracked());
    let message = RwSignal::new(String::from("loading…"));
    let save_status = RwSignal::new(String::new());
    let conflicts = Memo::new(move |_| board.with(conflict_cells));

    let show = move |l: Loaded| match parse_grid(&l.game.board, "game") {
        Ok(b) => {
            givens.set(l.givens.clone());
            board.set(b);
            message.set(format!(
                "puzzle {} — type a digit into an empty cell",
                l.puzzle.id
            ));
            loaded.set(Some(l));
        }
        Err(e) => message.set(e),
    };

    let open = move |seed: Option<u64>| {
        spawn_local(async move {
            let db = match storage.get_value() {
                Some(db) => db,
                None => match db::open().await {
                    Ok(db) => {
                        storage.set_value(Some(Rc::clone(&db)));
                        db
                    }
                    Err(e) => {
                        message.set(e.to_string());
                        return;
                    }
                },
            };
            match load_or_create(&db, seed).await {
                Ok(l) => show(l),
                Err(e) => message.set(e),
            }
        });
    };
    open(None);

    let on_entry = Callback::new(move |(row, col, text): (usize, usize, String)| {
        let size = board.with_untracked(|b| b.size());
        let value = match parse_entry(&text, size) {
            Ok(v) => v,
            Err(e) => {
                message.set(e);
                // Put the previous value back into the input.
                board.update(|_| {});
                return;
            }
        };
        board.update(|b| b.set(row, col, value));
        let here = board.with_untracked(|b| b.conflicts_at(row, col));
        message.set(if board.with_untracked(|b| b.is_solved()) {
            "solved — well done!".into()
        } else if here.is_empty() {
            format!("r{}c{} ok", row + 1, col + 1)
        } else {
            format!("r{}c{}: {}", row + 1, col + 1, describe_conflicts(&here))
        });
        let Some(mut l) = loaded.get_untracked() else {
            return;
        };
        l.game.board = board.with_untracked(|b| b.to_line());
        l.game.entries.push(EntryRecord {
            row: row as u8,
            col: col as u8,
            value,
            at: now(),
        });
        l.game.updated_at = now();
        let record = l.game.clone();
        loaded.set(Some(l));
        let db = storage.get_value();
        save_status.set("saving…".into());
        spawn_local(async move {
            let Some(db) = db else {
                save_status.set("not saved: storage is not open".into());
                return;
            };
            save_status.set(match db.save_game(&record).await {
                Ok(()) => format!("saved ({} entries)", record.entries.len()),
                Err(e) => format!("not saved: {e}"),
            });
        });
    });

    let next_puzzle = move |_| {
        let seed = loaded
            .get_untracked()
            .and_then(|l| l.puzzle.seed)
            .map(|s| s as u64 + 1)
            .unwrap_or(FIRST_SEED);
        save_status.set(String::new());
        open(Some(seed));
    };

    view! {
        <section class="play" aria-labelledby="play-title">
            <h2 id="play-title">"Play"</h2>
            <p id="puzzle-id" class="muted">
                {move || loaded.with(|l| l.as_ref().map(|l| l.puzzle.id.clone()).unwrap_or_default())}
            </p>
            <Board
                givens=givens.into()
                board=board.into()
                conflicts=Signal::derive(move || conflicts.get())
                on_entry=on_entry
            />
            <p id="status" role="status" aria-live="polite">{move || message.get()}</p>
            <p id="save-status" class="muted">{move || save_status.get()}</p>
            <button id="next-puzzle" on:click=next_puzzle>"Next puzzle"</button>
        </section>
    }
}
