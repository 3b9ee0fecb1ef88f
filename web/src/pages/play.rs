//! The "Play" screen: a person plays a puzzle of any size — pencil marks, undo/redo kept
//! across reloads, hints that teach, checks, reveal, restart, the puzzle's rating and a timer.
//! The game itself is `solver_core::game::Game`; this screen renders it and stores it.

use std::collections::BTreeSet;
use std::rc::Rc;

use learning_lab::memory::PuzzleRecord;
use leptos::prelude::*;
use leptos::task::spawn_local;
use solver_core::game::{Game, HintView};
use solver_core::generate::{generate, GenerateOptions};
use solver_core::human::{rate, Band, Rating};
use solver_core::library::generated_key;
use solver_core::symmetry::Symmetry;
use solver_core::Grid;
use solver_core::Shape;

use crate::components::game_board::{BoardCommand, GameBoard};
use crate::db;
use crate::engine;
use crate::game::describe_conflicts;
use crate::storage::{EntryRecord, GameRecord, Storage, StorageError};

const CURRENT_PUZZLE: &str = "current_puzzle";
const FIRST_SEED: u64 = 1;
/// The id of a generated puzzle: size, band when one was asked for, seed.
fn puzzle_id(size: usize, band: Option<Band>, seed: u64) -> String {
    generated_key(size, band, Symmetry::None, seed)
}

/// Whether a puzzle takes long enough to make or rate that it must not run on the page's
/// thread (it would freeze the page): it is made in the engine worker.
fn in_worker(size: usize, band: Option<Band>) -> bool {
    size >= 16 || (size >= 12 && band.is_some())
}

/// Generate the puzzle for (`size`, `band`, `seed`) and describe it as a record (the worker
/// moves on to the next seed if `seed` gives none; the record names the seed used).
async fn new_puzzle(size: usize, band: Option<Band>, seed: u64) -> Result<PuzzleRecord, String> {
    let fail = |e: String| format!("could not generate puzzle {seed}: {e}");
    let (seed, givens, solution) = if in_worker(size, band) {
        let made = engine::generate_one(size, band, Symmetry::None, seed)
            .await
            .map_err(fail)?;
        (made.seed, made.givens, made.solution)
    } else {
        let mut options = GenerateOptions::new(size, seed);
        options.band = band;
        let puzzle = generate(&options).map_err(|e| fail(e.to_string()))?;
        (seed, puzzle.givens.to_line(), puzzle.solution.to_line())
    };
    Ok(PuzzleRecord {
        id: puzzle_id(size, band, seed),
        size: size as u8,
        seed: Some(seed as f64),
        givens,
        solution,
        created_at: db::now(),
        name: None,
        source: Some(PuzzleRecord::GENERATED.into()),
    })
}

fn parse_grid(line: &str, what: &str) -> Result<Grid, String> {
    Grid::from_line(line).map_err(|e| format!("stored {what} is damaged ({e})"))
}

/// Everything the screen keeps about the current puzzle besides the game.
#[derive(Clone)]
struct Loaded {
    puzzle: PuzzleRecord,
    record: GameRecord,
    /// Why opening could not store the puzzle or remember it as current (a full disk): the
    /// game is played all the same, and the screen says its moves may not be kept.
    unsaved: Option<String>,
}

/// What to open: the current puzzle, a stored one, or a new one.
#[derive(Clone)]
enum Open {
    Current,
    Stored(String),
    New {
        size: usize,
        band: Option<Band>,
        seed: u64,
    },
}

async fn load_or_create(storage: &Storage, open: Open) -> Result<(Loaded, Game), String> {
    let s = |e: StorageError| e.to_string();
    let current = match &open {
        Open::Current => match storage.setting(CURRENT_PUZZLE).await.map_err(s)? {
            Some(id) => storage.puzzle(&id).await.map_err(s)?,
            None => None,
        },
        Open::Stored(id) => Some(
            storage
                .puzzle(id)
                .await
                .map_err(s)?
                .ok_or_else(|| format!("puzzle {id} is not in the library"))?,
        ),
        Open::New { .. } => None,
    };
    let puzzle = match (current, open) {
        (Some(p), _) => p,
        (None, Open::Current | Open::Stored(_)) => new_puzzle(9, None, FIRST_SEED).await?,
        (None, Open::New { size, band, seed }) => {
            let id = puzzle_id(size, band, seed);
            match storage.puzzle(&id).await.map_err(s)? {
                Some(p) => p,
                None => new_puzzle(size, band, seed).await?,
            }
        }
    };
    // Storage that refuses writes (full) must not keep a person from playing what is stored.
    let saved = match storage.save_puzzle(&puzzle).await {
        Ok(()) => storage.set_setting(CURRENT_PUZZLE, &puzzle.id).await,
        Err(e) => Err(e),
    };
    let unsaved = saved.err().map(|e| format!("not saved: {e}"));
    let givens = parse_grid(&puzzle.givens, "puzzle")?;
    let solution = parse_grid(&puzzle.solution, "solution")?;
    let record = match storage.game(&puzzle.id).await.map_err(s)? {
        Some(game) => game,
        None => GameRecord {
            puzzle_id: puzzle.id.clone(),
            board: puzzle.givens.clone(),
            entries: Vec::new(),
            updated_at: db::now(),
            state: None,
            solved_at: None,
        },
    };
    let game = match &record.state {
        Some(state) => state.clone(),
        None => {
            let board = parse_grid(&record.board, "game")?;
            Game::resume(givens, solution, &board).map_err(|e| e.to_string())?
        }
    };
    Ok((
        Loaded {
            puzzle,
            record,
            unsaved,
        },
        game,
    ))
}

fn clock(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// "1 hint", "3 hints".
fn count(n: u32, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn describe_rating(rating: &Rating) -> String {
    let band = match (rating.band, rating.needs_guessing) {
        (_, true) => "beyond the techniques (needs guessing)".to_string(),
        (Some(band), false) => band.name().to_string(),
        (None, false) => "unrated".to_string(),
    };
    let techniques: Vec<String> = rating
        .techniques
        .iter()
        .map(|(t, n)| format!("{} ×{n}", t.name()))
        .collect();
    format!(
        "{band} · score {:.1} · {}",
        rating.score,
        if techniques.is_empty() {
            "no steps needed".to_string()
        } else {
            techniques.join(", ")
        }
    )
}

#[component]
pub fn PlayPage() -> impl IntoView {
    // The open database, shared by the handlers (not Send: it wraps JS objects).
    let storage = StoredValue::new_local(None::<Rc<Storage>>);
    let loaded = RwSignal::new(None::<Loaded>);
    let game = RwSignal::new(
        Game::new(
            Grid::from_line("1234341221434321").expect("a valid placeholder"),
            Grid::from_line("1234341221434321").expect("a valid placeholder"),
        )
        .expect("a solved placeholder"),
    );
    let ready = RwSignal::new(false);
    let pencil = RwSignal::new(false);
    let wrong = RwSignal::new(BTreeSet::<(usize, usize)>::new());
    let selected = RwSignal::new((0usize, 0usize));
    let message = RwSignal::new(String::from("loading…"));
    let hint_text = RwSignal::new(String::new());
    let save_status = RwSignal::new(String::new());
    let rating = RwSignal::new(String::new());
    let size = RwSignal::new(9usize);
    let band = RwSignal::new(String::from("any"));
    let elapsed = RwSignal::new(0u64);
    let highlight =
        Memo::new(move |_| game.with(|g| g.hint_cells().into_iter().collect::<BTreeSet<_>>()));
    let solved = Memo::new(move |_| ready.get() && game.with(Game::is_solved));

    // The timer runs while the page is visible and the puzzle is not solved.
    let ticker = gloo_timers::callback::Interval::new(1_000, move || {
        let visible = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| !d.hidden());
        if visible && ready.get_untracked() && !solved.get_untracked() {
            elapsed.update(|e| *e += 1_000);
        }
    });
    let ticker = StoredValue::new_local(Some(ticker));
    on_cleanup(move || ticker.update_value(|t| drop(t.take())));

    let save = move || {
        let Some(mut l) = loaded.get_untracked() else {
            return;
        };
        game.update_untracked(|g| {
            let stored = g.stats().elapsed_ms;
            g.add_time(elapsed.get_untracked().saturating_sub(stored));
        });
        let state = game.get_untracked();
        l.record.board = state.board().to_line();
        l.record.updated_at = db::now();
        if state.is_solved() && l.record.solved_at.is_none() {
            l.record.solved_at = Some(db::now());
        }
        l.record.state = Some(state);
        let record = l.record.clone();
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
    };

    let show = move |(l, g): (Loaded, Game)| {
        let n = g.size();
        size.set(n);
        elapsed.set(g.stats().elapsed_ms);
        wrong.set(BTreeSet::new());
        hint_text.set(String::new());
        rating.set("rating…".into());
        let givens = g.givens().clone();
        message.set(format!(
            "puzzle {} — type {} into a cell; Space switches pencil marks",
            l.puzzle.id,
            if n <= 9 {
                format!("1–{n}")
            } else {
                format!("1–9 or A–{}", solver_core::format::value_char(n as u8))
            }
        ));
        save_status.set(l.unsaved.clone().unwrap_or_default());
        game.set(g);
        loaded.set(Some(l));
        ready.set(true);
        // Rating a big grid takes a moment: it runs in the engine worker.
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(0).await;
            rating.set(if n >= 12 {
                match engine::rate(&givens).await {
                    Ok(r) => describe_rating(&r),
                    Err(e) => format!("not rated: {e}"),
                }
            } else {
                describe_rating(&rate(&givens))
            });
        });
    };

    let open = move |what: Open| {
        message.set("generating…".into());
        spawn_local(async move {
            // Let "generating…" paint first (small grids are made on this thread).
            gloo_timers::future::TimeoutFuture::new(0).await;
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
            match load_or_create(&db, what).await {
                Ok(loaded) => show(loaded),
                Err(e) => message.set(e),
            }
        });
    };
    // `?puzzle=ID` opens a stored puzzle, `?size=N&band=B&seed=S` a generated one (the Home
    // screen's examples and the welcome link here); otherwise the current puzzle.
    let query = leptos_router::hooks::use_query_map();
    let first = query.with_untracked(|q| {
        if let Some(id) = q.get("puzzle") {
            return Some(Open::Stored(id));
        }
        let n = q.get("size").and_then(|n| n.parse::<usize>().ok())?;
        let band = q
            .get("band")
            .and_then(|b| Band::ALL.into_iter().find(|x| x.name() == b));
        let seed = q
            .get("seed")
            .and_then(|s| s.parse().ok())
            .unwrap_or(FIRST_SEED);
        Some(Open::New {
            size: n,
            band,
            seed,
        })
    });
    if let Some(Open::New { band: Some(b), .. }) = &first {
        band.set(b.name().to_string());
    }
    open(first.unwrap_or(Open::Current));

    let chosen_band = move || {
        let b = band.get_untracked();
        Band::ALL.into_iter().find(|x| x.name() == b)
    };
    let new_puzzle_clicked = move |_| {
        save_status.set(String::new());
        let seed = (js_sys::Math::random() * 1e9) as u64 + 1;
        open(Open::New {
            size: size.get_untracked(),
            band: chosen_band(),
            seed,
        });
    };
    let next_puzzle = move |_| {
        save_status.set(String::new());
        let seed = loaded
            .get_untracked()
            .and_then(|l| l.puzzle.seed)
            .map(|s| s as u64 + 1)
            .unwrap_or(FIRST_SEED);
        open(Open::New {
            size: size.get_untracked(),
            band: chosen_band(),
            seed,
        });
    };

    let run_hint = move || {
        let view = game.try_update(Game::hint);
        let text = match view {
            Some(HintView::Where { technique, cells }) => format!(
                "Hint: look at the highlighted cell{} — a {technique}. Press Hint again for the reason.",
                if cells.len() == 1 { "" } else { "s" }
            ),
            Some(HintView::Why { technique, reason, .. }) => {
                format!("{technique}: {reason} Press Hint again to apply it.")
            }
            Some(HintView::Applied { reason, .. }) => {
                save();
                format!("Applied: {reason}")
            }
            Some(HintView::FixFirst { cell: (r, c) }) => {
                wrong.set(BTreeSet::from([(r, c)]));
                format!(
                    "r{}c{} does not match the solution: fix it first (no deduction is sound from a wrong board).",
                    r + 1,
                    c + 1
                )
            }
            Some(HintView::Solved) => "Solved — nothing left to hint.".into(),
            Some(HintView::NoStep) | None => {
                "The techniques this app knows do not reach further here; use Check or Reveal cell.".into()
            }
        };
        hint_text.set(text);
    };

    let on_command = Callback::new(move |command: BoardCommand| match command {
        BoardCommand::Edited { row, col } => {
            wrong.update(|w| {
                w.remove(&(row, col));
            });
            let here = game.with_untracked(|g| g.board().conflicts_at(row, col));
            message.set(if game.with_untracked(Game::is_solved) {
                "solved — well done!".into()
            } else if here.is_empty() {
                format!("r{}c{} ok", row + 1, col + 1)
            } else {
                format!("r{}c{}: {}", row + 1, col + 1, describe_conflicts(&here))
            });
            if let Some(mut l) = loaded.get_untracked() {
                l.record.entries.push(EntryRecord {
                    row: row as u8,
                    col: col as u8,
                    value: game.with_untracked(|g| g.value(row, col)),
                    at: db::now(),
                });
                loaded.set(Some(l));
            }
            hint_text.set(String::new());
            save();
        }
        BoardCommand::Changed => {
            hint_text.set(String::new());
            save();
        }
        BoardCommand::TogglePencil => pencil.update(|p| *p = !*p),
        BoardCommand::Hint => run_hint(),
    });

    let edit = move |f: fn(&mut Game) -> bool, done: &'static str| {
        if game.try_update(f).unwrap_or(false) {
            message.set(done.into());
            hint_text.set(String::new());
            save();
        }
    };
    let check = move |_| {
        let found = game.try_update(Game::check).unwrap_or_default();
        message.set(match found.len() {
            0 => "check: every entry matches the solution".into(),
            n => format!(
                "check: {n} entr{} differ from the solution (marked)",
                if n == 1 { "y" } else { "ies" }
            ),
        });
        wrong.set(found.into_iter().collect());
        save();
    };
    let reveal = move |_| {
        let (r, c) = selected.get_untracked();
        if game.try_update(|g| g.reveal(r, c)).unwrap_or(false) {
            message.set(format!("revealed r{}c{}", r + 1, c + 1));
            wrong.update(|w| {
                w.remove(&(r, c));
            });
            save();
        } else {
            message.set("select an empty or wrong cell to reveal".into());
        }
    };

    let band_options = std::iter::once("any")
        .chain(Band::ALL.iter().map(|b| b.name()))
        .map(|b| view! { <option value=b>{b}</option> })
        .collect_view();
    let stats = move || {
        game.with(|g| {
            let s = g.stats();
            format!(
                "hints {} · checks {} · reveals {}",
                s.hints, s.checks, s.reveals
            )
        })
    };

    view! {
        <section class="play" aria-labelledby="play-title">
            <h2 id="play-title">"Play"</h2>
            <form class="controls inline" on:submit=|ev| ev.prevent_default()>
                <label>"Size "
                    <select id="play-size" prop:value=move || size.get().to_string()
                        on:change=move |ev| size.set(event_target_value(&ev).parse().unwrap_or(9))>
                        {Shape::ALL.map(|s| s.size()).map(|n| view! { <option value=n.to_string()>{format!("{n}x{n}")}</option> })}
                    </select>
                </label>
                <label>"Difficulty "
                    <select id="play-band" prop:value=move || band.get()
                        on:change=move |ev| band.set(event_target_value(&ev))>
                        {band_options}
                    </select>
                </label>
                <button id="new-puzzle" type="button" on:click=new_puzzle_clicked>"New puzzle"</button>
                <button id="next-puzzle" type="button" class="secondary" on:click=next_puzzle>"Next seed"</button>
            </form>
            <p id="puzzle-id" class="muted">
                {move || loaded.with(|l| l.as_ref().map(|l| l.puzzle.id.clone()).unwrap_or_default())}
            </p>
            <div class="play-layout">
                <Show when=move || ready.get() fallback=|| view! { <p class="muted">"loading the board…"</p> }>
                    <GameBoard game pencil=pencil.into() wrong=wrong.into()
                        highlight=Signal::derive(move || highlight.get()) selected on_command/>
                </Show>
                <aside class="play-side" aria-label="Game controls">
                    <p id="rating"><strong>"Rating: "</strong>{move || rating.get()}</p>
                    <p><strong>"Time: "</strong><span id="timer">{move || clock(elapsed.get())}</span>
                        " · " <span id="play-counts">{stats}</span></p>
                    <div class="button-grid">
                        <button id="pencil-toggle" type="button" class="secondary"
                            aria-pressed=move || pencil.get().to_string()
                            on:click=move |_| pencil.update(|p| *p = !*p)>
                            {move || if pencil.get() { "Pencil marks: on" } else { "Pencil marks: off" }}
                        </button>
                        <button id="auto-candidates" type="button" class="secondary"
                            on:click=move |_| edit(Game::auto_candidates, "candidates filled in")>"Auto candidates"</button>
                        <button id="undo" type="button" class="secondary" disabled=move || !game.with(Game::can_undo)
                            on:click=move |_| edit(Game::undo, "undone")>"Undo"</button>
                        <button id="redo" type="button" class="secondary" disabled=move || !game.with(Game::can_redo)
                            on:click=move |_| edit(Game::redo, "redone")>"Redo"</button>
                        <button id="hint" type="button" on:click=move |_| run_hint()>"Hint"</button>
                        <button id="check" type="button" class="secondary" on:click=check>"Check"</button>
                        <button id="reveal" type="button" class="secondary" on:click=reveal>"Reveal cell"</button>
                        <button id="restart" type="button" class="danger"
                            on:click=move |_| { wrong.set(BTreeSet::new()); edit(Game::restart, "restarted (Undo brings it back)") }>"Restart"</button>
                    </div>
                    <p id="hint-text" role="status" aria-live="polite">{move || hint_text.get()}</p>
                    <Show when=move || solved.get()>
                        <p id="solved" class="celebrate" role="status">
                            {move || game.with(|g| {
                                let s = g.stats();
                                format!("🎉 Solved in {} — {}, {}, {}.", clock(elapsed.get()),
                                    count(s.hints, "hint"), count(s.checks, "check"), count(s.reveals, "reveal"))
                            })}
                        </p>
                    </Show>
                    <p class="muted small">"Keys: 1–9, A–P values · Shift+value a pencil mark · Space pencil mode · arrows move · Backspace clears · Ctrl+Z / Ctrl+Y undo, redo · ? hint"</p>
                </aside>
            </div>
            <p id="status" role="status" aria-live="polite">{move || message.get()}</p>
            <p id="save-status" class="muted">{move || save_status.get()}</p>
        </section>
    }
}
