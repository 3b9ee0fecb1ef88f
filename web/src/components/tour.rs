//! The quick-start tour: a few dismissible steps over the real screens. Each step opens its
//! screen and outlines the control it talks about; Close ends the tour wherever it is.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// One step: the screen it opens, the element it outlines (by id), what it says.
struct TourStep {
    path: &'static str,
    target: &'static str,
    title: &'static str,
    text: &'static str,
}

const STEPS: &[TourStep] = &[
    TourStep {
        path: "/play",
        target: "board",
        title: "Play",
        text: "Type values into the board; Space switches to pencil marks. Hint shows where to look, then why, then applies the step.",
    },
    TourStep {
        path: "/library",
        target: "import-text",
        title: "Library",
        text: "Paste or load puzzles; every problem is shown with its line, row and column, and nothing is stored unless all of it is valid.",
    },
    TourStep {
        path: "/llm",
        target: "llm-start",
        title: "LLM Play",
        text: "Pick a profile and press Start: the model plays move by move, and the engine judges every attempt.",
    },
    TourStep {
        path: "/memory",
        target: "memory-title",
        title: "Memory",
        text: "Every attempt is an experience, stored before the next request. Search, filter, export and import them here.",
    },
    TourStep {
        path: "/dream",
        target: "dream-title",
        title: "Dream",
        text: "A dream consolidates experiences into a learning unit that later plays inject into the prompt.",
    },
    TourStep {
        path: "/experiments",
        target: "experiments-title",
        title: "Experiments",
        text: "Compare arms (memory off and on, two models) on the same puzzles, with confidence intervals.",
    },
];

/// The tour's state, shared through context so Help and Home can start it.
#[derive(Clone, Copy)]
pub struct TourState {
    /// The step shown, or `None` when the tour is closed.
    pub step: RwSignal<Option<usize>>,
}

impl TourState {
    /// Provide the state to the app (call once, inside the router).
    pub fn provide() -> TourState {
        let state = TourState {
            step: RwSignal::new(None),
        };
        provide_context(state);
        state
    }

    /// The app's tour state.
    pub fn get() -> TourState {
        expect_context::<TourState>()
    }

    /// Open the tour at its first step.
    pub fn start(self) {
        self.step.set(Some(0));
    }
}

fn outline(target: Option<&str>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    // One element is outlined at a time.
    while let Ok(Some(previous)) = document.query_selector(".tour-target") {
        let _ = previous.class_list().remove_1("tour-target");
    }
    if let Some(element) = target.and_then(|id| document.get_element_by_id(id)) {
        let _ = element.class_list().add_1("tour-target");
    }
}

/// The tour card, shown while a step is open.
#[component]
pub fn Tour() -> impl IntoView {
    let state = TourState::get();
    let navigate = use_navigate();
    // Open the step's screen, then outline its control once the screen has rendered.
    Effect::new(move |_| {
        let step = state.step.get();
        if let Some(i) = step {
            navigate(&crate::base_path::url(STEPS[i].path), Default::default());
        }
        let target = step.map(|i| STEPS[i].target);
        gloo_timers::callback::Timeout::new(300, move || outline(target)).forget();
    });
    let go = move |delta: isize| {
        state.step.update(|s| {
            *s = s.and_then(|i| {
                let next = i as isize + delta;
                (0..STEPS.len() as isize)
                    .contains(&next)
                    .then_some(next as usize)
            });
        });
    };
    view! {
        <Show when=move || state.step.get().is_some()>
            <aside id="tour" class="tour" role="dialog" aria-labelledby="tour-title" aria-live="polite">
                {move || state.step.get().map(|i| {
                    let step = &STEPS[i];
                    view! {
                        <p class="muted small">{format!("Tour, step {} of {}", i + 1, STEPS.len())}</p>
                        <h3 id="tour-title">{step.title}</h3>
                        <p>{step.text}</p>
                    }
                })}
                <div class="row">
                    <button id="tour-back" type="button" class="secondary"
                        disabled=move || state.step.get() == Some(0) on:click=move |_| go(-1)>"Back"</button>
                    <button id="tour-next" type="button" on:click=move |_| go(1)>
                        {move || if state.step.get() == Some(STEPS.len() - 1) { "Finish" } else { "Next" }}
                    </button>
                    <button id="tour-close" type="button" class="secondary" on:click=move |_| state.step.set(None)>"Close"</button>
                </div>
            </aside>
        </Show>
    }
}
