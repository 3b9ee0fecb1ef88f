//! The design form of the Experiments screen: name, preset, arms or learning-curve settings
//! (held out or not), puzzles (generated seeds, or puzzles picked from the library), runs,
//! early stopping, and what the run settings are; [`Design::experiment`] is the design it
//! describes, validated by learning-lab. The ablation preset plays a unit against itself
//! without each of its items.

use std::collections::BTreeSet;

use learning_lab::experiment::{
    ablation_design, AblationOptions, AlphaSpending, EarlyStopping, Experiment, LearningCurve,
    PuzzleSet, Schedule,
};
use learning_lab::memory::PuzzleRecord;
use learning_lab::profile::Profile;
use learning_lab::unit::LearningUnit;
use leptos::prelude::*;
use solver_core::Band;

use super::arms::{ArmForm, ArmRows};
use super::options::{EarlyStoppingFields, HeldOutFields};
use crate::components::number_field::NumberField;
use crate::components::size_select::SizeSelect;
use crate::db;

/// The form's state: one signal per field.
#[derive(Clone, Copy)]
pub struct Design {
    pub name: RwSignal<String>,
    /// `ab`, `learning-curve` or `ablation`.
    pub preset: RwSignal<String>,
    /// Ablation: the id of the unit whose items are left out one at a time.
    pub ablation_unit: RwSignal<String>,
    pub arms: RwSignal<Vec<ArmForm>>,
    pub size: RwSignal<usize>,
    /// A band name, or empty for any.
    pub band: RwSignal<String>,
    pub seed_from: RwSignal<u64>,
    pub seed_to: RwSignal<u64>,
    pub runs_per_arm: RwSignal<usize>,
    pub concurrency: RwSignal<usize>,
    pub max_attempts: RwSignal<usize>,
    pub per_phase: RwSignal<usize>,
    pub dreams: RwSignal<usize>,
    /// Learning curve: evaluate every phase on the same held-out test puzzles.
    pub held_out: RwSignal<bool>,
    /// Learning curve, held out: how many test puzzles.
    pub test_puzzles: RwSignal<usize>,
    /// A/B/X: look at declared checkpoints and stop when the answer is clear.
    pub early_stop: RwSignal<bool>,
    /// A/B/X with early stopping: a checkpoint every this many rounds.
    pub checkpoint_every: RwSignal<usize>,
    /// A/B/X with early stopping: how α is shared among the looks.
    pub spending: RwSignal<AlphaSpending>,
    pub dream_with_model: RwSignal<bool>,
    /// Whether the puzzles are picked from the library (else generated from seeds).
    pub from_library: RwSignal<bool>,
    /// The library, newest first.
    pub library: RwSignal<Vec<PuzzleRecord>>,
    /// Ids of the library puzzles picked.
    pub picked: RwSignal<BTreeSet<String>>,
}

impl Design {
    /// The form as a new screen shows it.
    pub fn new() -> Design {
        Design {
            name: RwSignal::new(String::from("memory off vs on")),
            preset: RwSignal::new(String::from("ab")),
            ablation_unit: RwSignal::new(String::new()),
            arms: RwSignal::new(Vec::new()),
            size: RwSignal::new(4),
            band: RwSignal::new(String::new()),
            seed_from: RwSignal::new(1),
            seed_to: RwSignal::new(2),
            runs_per_arm: RwSignal::new(1),
            concurrency: RwSignal::new(1),
            max_attempts: RwSignal::new(30),
            per_phase: RwSignal::new(3),
            dreams: RwSignal::new(1),
            held_out: RwSignal::new(true),
            test_puzzles: RwSignal::new(3),
            early_stop: RwSignal::new(false),
            checkpoint_every: RwSignal::new(10),
            spending: RwSignal::new(AlphaSpending::OBrienFleming),
            dream_with_model: RwSignal::new(false),
            from_library: RwSignal::new(false),
            library: RwSignal::new(Vec::new()),
            picked: RwSignal::new(BTreeSet::new()),
        }
    }

    /// The picked library puzzles' givens, in the library's order.
    fn picked_lines(&self) -> Vec<String> {
        let picked = self.picked.get_untracked();
        self.library.with_untracked(|all| {
            all.iter()
                .filter(|p| picked.contains(&p.id))
                .map(|p| p.givens.clone())
                .collect()
        })
    }

    /// The design the form describes (a fresh id, created now), validated by learning-lab,
    /// with the variant units an ablation's arms play (store them before the run; empty for
    /// the other presets). `units` are the units the form offers.
    ///
    /// # Errors
    /// What validation says is wrong with it.
    pub fn experiment(
        &self,
        units: &[LearningUnit],
    ) -> Result<(Experiment, Vec<LearningUnit>), String> {
        let id = db::new_id("experiment");
        let now = db::now() as u64;
        let name = self.name.get_untracked();
        let band = self.band.get_untracked().parse::<Band>().ok();
        let size = self.size.get_untracked();
        let arms = self.arms.get_untracked();
        let generated = PuzzleSet::seed_range(
            size,
            band,
            self.seed_from.get_untracked(),
            self.seed_to.get_untracked(),
        );
        let mut variants = Vec::new();
        let preset = self.preset.get_untracked();
        let mut experiment = if preset == "ablation" {
            let chosen = self.ablation_unit.get_untracked();
            let unit = units
                .iter()
                .find(|u| u.id == chosen)
                .ok_or("pick the unit to ablate (Dream builds one)")?;
            let options = AblationOptions {
                id,
                name: name.trim().to_string(),
                profile_id: unit.profile_id.clone(),
                puzzles: generated,
                runs_per_arm: self.runs_per_arm.get_untracked().max(1),
                concurrency: self.concurrency.get_untracked().max(1),
                created_at_ms: now,
            };
            let (experiment, v) = ablation_design(unit, &options).map_err(|e| e.to_string())?;
            variants = v;
            experiment
        } else if preset == "learning-curve" {
            let profile_id = arms
                .first()
                .map(|a| a.profile_id.clone())
                .unwrap_or_default();
            let mut options = LearningCurve::new(&profile_id, size, self.per_phase.get_untracked());
            options.band = band;
            options.first_seed = self.seed_from.get_untracked();
            options.dreams = self.dreams.get_untracked().max(1);
            options.held_out = self.held_out.get_untracked();
            options.test_puzzles = self.test_puzzles.get_untracked().max(1);
            Experiment::learning_curve(&id, name.trim(), &options, now)
        } else {
            Experiment {
                id,
                name: name.trim().to_string(),
                arms: arms.iter().enumerate().map(|(i, a)| a.arm(i)).collect(),
                puzzles: generated,
                runs_per_arm: self.runs_per_arm.get_untracked().max(1),
                concurrency: self.concurrency.get_untracked().max(1),
                schedule: Schedule::Interleaved,
                early_stopping: None,
                ablation: None,
                created_at_ms: now,
            }
        };
        if self.from_library.get_untracked() {
            experiment.puzzles = PuzzleSet::Lines {
                lines: self.picked_lines(),
            };
        }
        if experiment.schedule == Schedule::Interleaved && self.early_stop.get_untracked() {
            experiment.early_stopping = Some(EarlyStopping::every(
                self.checkpoint_every.get_untracked(),
                experiment.rounds(),
                self.spending.get_untracked(),
            ));
        }
        experiment.validate().map_err(|e| {
            if self.from_library.get_untracked() && self.picked.with_untracked(BTreeSet::is_empty) {
                "pick at least one library puzzle (or use generated seeds)".to_string()
            } else {
                e.to_string()
            }
        })?;
        Ok((experiment, variants))
    }
}

/// The form's fields; `children` (the Run/Stop/Resume row) go at its end.
#[component]
pub fn DesignForm(
    design: Design,
    profiles: RwSignal<Vec<Profile>>,
    units: RwSignal<Vec<LearningUnit>>,
    children: Children,
) -> impl IntoView {
    let Design {
        name,
        preset,
        ablation_unit,
        arms,
        size,
        band,
        seed_from,
        seed_to,
        runs_per_arm,
        concurrency,
        max_attempts,
        per_phase,
        dreams,
        held_out,
        test_puzzles,
        early_stop,
        checkpoint_every,
        spending,
        dream_with_model,
        from_library,
        library,
        picked,
    } = design;
    view! {
        <form class="controls design" on:submit=|ev| ev.prevent_default()>
            <label>"Name "<input id="experiment-name" prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))/></label>
            <label>" Design "
                <select id="experiment-preset" prop:value=move || preset.get()
                    on:change=move |ev| preset.set(event_target_value(&ev))>
                    <option value="ab">"A/B/X: arms below"</option>
                    <option value="learning-curve">"Learning curve: play N → dream → play N new"</option>
                    <option value="ablation">"Ablation: a unit vs the unit without each item"</option>
                </select>
            </label>
            <Show when=move || preset.get() == "ablation">
                <AblationFields ablation_unit units/>
            </Show>
            <Show when=move || preset.get() == "ab">
                <ArmRows arms profiles units/>
                <EarlyStoppingFields early_stop checkpoint_every spending/>
            </Show>
            <Show when=move || preset.get() == "learning-curve">
                <NumberField id="experiment-per-phase" label="Puzzles per phase " value=per_phase min=1 max=500/>
                <NumberField id="experiment-dreams" label=" Dreams " value=dreams min=1 max=10/>
                <span class="muted">" (plays with the first arm's profile)"</span>
                <HeldOutFields held_out test_puzzles/>
            </Show>
            <fieldset>
                <legend>"Puzzles"</legend>
                <label>"From "
                    <select id="experiment-puzzle-source" prop:value=move || if from_library.get() { "library" } else { "generated" }
                        on:change=move |ev| from_library.set(event_target_value(&ev) == "library")>
                        <option value="generated">"generated seeds"</option>
                        <option value="library">{move || format!("the puzzle library ({})", library.with(Vec::len))}</option>
                    </select>
                </label>
                <Show when=move || from_library.get()>
                    <LibraryPicker library picked/>
                </Show>
                <Show when=move || !from_library.get()>
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
                </Show>
            </fieldset>
            <NumberField id="experiment-runs" label="Runs per arm " value=runs_per_arm min=1 max=100/>
            <NumberField id="experiment-concurrency" label=" Concurrency " value=concurrency min=1 max=8/>
            <NumberField id="experiment-max-attempts" label=" Max attempts " value=max_attempts min=1 max=2000/>
            <label>" "<input id="experiment-dream-llm" type="checkbox" prop:checked=move || dream_with_model.get()
                on:change=move |ev| dream_with_model.set(event_target_checked(&ev))/>" dreams use the model"</label>
            {children()}
        </form>
    }
}

/// The unit an ablation leaves items out of: units with items, newest first.
#[component]
fn AblationFields(
    ablation_unit: RwSignal<String>,
    units: RwSignal<Vec<LearningUnit>>,
) -> impl IntoView {
    let candidates = move || {
        let mut list: Vec<LearningUnit> = units
            .get()
            .into_iter()
            .filter(|u| u.item_count() > 0)
            .collect();
        list.sort_by(|a, b| b.created_at.total_cmp(&a.created_at));
        list
    };
    // The newest unit is picked until a person picks another.
    Effect::new(move |_| {
        let list = candidates();
        let chosen = ablation_unit.get();
        if !list.iter().any(|u| u.id == chosen) {
            ablation_unit.set(list.first().map(|u| u.id.clone()).unwrap_or_default());
        }
    });
    view! {
        <fieldset class="ablation">
            <legend>"Ablation"</legend>
            <label>"Unit "
                <select id="experiment-ablation-unit" prop:value=move || ablation_unit.get()
                    on:change=move |ev| ablation_unit.set(event_target_value(&ev))>
                    {move || candidates().into_iter().map(|u| {
                        let label = format!("{} (v{}, {} items)", u.name, u.lineage.version, u.item_count());
                        view! { <option value=u.id.clone()>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <span class="muted">" One arm plays the whole unit, one arm per item plays without it, one plays without any unit; every arm plays the same puzzles, with the unit's profile."</span>
            <Show when=move || candidates().is_empty()>
                <p class="muted" id="experiment-ablation-empty">"No unit has items yet: play some puzzles, then dream (Dream)."</p>
            </Show>
        </fieldset>
    }
}

/// Library puzzles listed for picking; a bigger library is picked from its newest ones.
const LISTED: usize = 500;

/// A checklist of the library's puzzles with "all" and "none".
#[component]
fn LibraryPicker(
    library: RwSignal<Vec<PuzzleRecord>>,
    picked: RwSignal<BTreeSet<String>>,
) -> impl IntoView {
    let all = move |_| {
        picked.set(library.with(|l| l.iter().take(LISTED).map(|p| p.id.clone()).collect()))
    };
    let none = move |_| picked.set(BTreeSet::new());
    view! {
        <div class="library-picker">
            <div class="row">
                <span id="experiment-picked" aria-live="polite">{move || format!("{} picked", picked.with(BTreeSet::len))}</span>
                <button id="experiment-pick-all" type="button" class="secondary" on:click=all>"Pick all"</button>
                <button id="experiment-pick-none" type="button" class="secondary" on:click=none>"Pick none"</button>
            </div>
            <Show when=move || library.with(Vec::is_empty)>
                <p class="muted">"The library is empty: import or generate puzzles (Library, Generate)."</p>
            </Show>
            <ul class="picklist" aria-label="Library puzzles">
                <For each=move || library.get().into_iter().take(LISTED) key=|p| p.id.clone() children=move |p| {
                    let id = p.id.clone();
                    let checked_id = id.clone();
                    let label = format!("{} ({}x{})", p.title(), p.size, p.size);
                    view! {
                        <li><label><input type="checkbox" data-puzzle-id=id.clone()
                            prop:checked=move || picked.with(|s| s.contains(&checked_id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                picked.update(|s| { if on { s.insert(id.clone()); } else { s.remove(&id); } });
                            }/>" "{label}</label></li>
                    }
                }/>
            </ul>
        </div>
    }
}
