//! Which puzzle an LLM play is of: a new generated one (size and seed) or one from the
//! puzzle library (`?puzzle=<id>` preselects it, as the Library screen's "LLM Play" links do).

use learning_lab::memory::PuzzleRecord;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::size_select::SizeSelect;
use crate::db;
use crate::drivers::player::PlayPuzzle;

/// Library puzzles listed in the picker; the Library screen reaches every other one.
const LISTED: usize = 500;

/// The choice's state: one signal per field.
#[derive(Clone, Copy)]
pub struct PuzzleChoice {
    /// Whether the puzzle comes from the library (else it is generated).
    pub from_library: RwSignal<bool>,
    pub size: RwSignal<usize>,
    pub seed: RwSignal<u64>,
    /// The library, newest first (at most [`LISTED`], plus the one the URL asked for).
    pub library: RwSignal<Vec<PuzzleRecord>>,
    /// The chosen library puzzle's id.
    pub chosen: RwSignal<String>,
}

impl PuzzleChoice {
    /// A generated 4x4 of seed 1 until the library is loaded; `wanted` (the URL's puzzle id)
    /// switches to the library with that puzzle chosen.
    pub fn new(wanted: Option<String>, status: RwSignal<String>) -> PuzzleChoice {
        let choice = PuzzleChoice {
            from_library: RwSignal::new(false),
            size: RwSignal::new(4),
            seed: RwSignal::new(1),
            library: RwSignal::new(Vec::new()),
            chosen: RwSignal::new(String::new()),
        };
        spawn_local(async move {
            let db = match db::open().await {
                Ok(db) => db,
                Err(e) => return status.set(e.to_string()),
            };
            let mut all = match db.all_puzzles().await {
                Ok(all) => all,
                Err(e) => return status.set(e.to_string()),
            };
            let wanted_record = wanted.and_then(|id| all.iter().position(|p| p.id == id));
            let wanted_record = wanted_record.map(|i| all.remove(i));
            all.truncate(LISTED);
            if let Some(record) = wanted_record {
                choice.chosen.set(record.id.clone());
                choice.from_library.set(true);
                all.insert(0, record);
            } else if let Some(first) = all.first() {
                choice.chosen.set(first.id.clone());
            }
            choice.library.set(all);
        });
        choice
    }

    /// The puzzle to play.
    ///
    /// # Errors
    /// The library is chosen but holds no puzzle, or the chosen one is gone.
    pub fn puzzle(&self) -> Result<PlayPuzzle, String> {
        if !self.from_library.get_untracked() {
            return Ok(PlayPuzzle::Generated {
                size: self.size.get_untracked(),
                seed: self.seed.get_untracked(),
            });
        }
        let id = self.chosen.get_untracked();
        self.library
            .with_untracked(|all| all.iter().find(|p| p.id == id).cloned())
            .map(PlayPuzzle::Stored)
            .ok_or_else(|| {
                "the puzzle library is empty: import or generate puzzles first (Library, Generate), or play a new generated puzzle".to_string()
            })
    }
}

/// The puzzle fields of the LLM Play form.
#[component]
pub fn PuzzleFields(choice: PuzzleChoice) -> impl IntoView {
    let PuzzleChoice {
        from_library,
        size,
        seed,
        library,
        chosen,
    } = choice;
    view! {
        <label>"Puzzle "
            <select id="llm-puzzle-source" prop:value=move || if from_library.get() { "library" } else { "generated" }
                on:change=move |ev| from_library.set(event_target_value(&ev) == "library")>
                <option value="generated">"a new generated puzzle"</option>
                <option value="library">{move || format!("from the puzzle library ({})", library.with(Vec::len))}</option>
            </select>
        </label>
        <Show when=move || !from_library.get()>
            <SizeSelect id="llm-size" size=size/>
            <label>"Seed "
                <input id="llm-seed" type="number" min="0" prop:value=move || seed.get().to_string()
                    on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { seed.set(v) } }/>
            </label>
        </Show>
        <Show when=move || from_library.get()>
            <label>"Library puzzle "
                <select id="llm-library-puzzle" prop:value=move || chosen.get()
                    on:change=move |ev| chosen.set(event_target_value(&ev))>
                    {move || library.get().into_iter().map(|p| {
                        let label = format!("{} ({}x{})", p.title(), p.size, p.size);
                        view! { <option value=p.id.clone() selected=p.id == chosen.get_untracked()>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
        </Show>
    }
}
