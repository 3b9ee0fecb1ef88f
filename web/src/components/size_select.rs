//! The grid-size picker of the LLM screens (sizes a small model can be asked to play).

use leptos::prelude::*;

/// Sizes offered: larger grids exist, but their prompts outgrow small models' contexts.
const SIZES: [usize; 3] = [4, 6, 9];

/// A labelled `<select>` bound to `size`.
#[component]
pub fn SizeSelect(#[prop(into)] id: String, size: RwSignal<usize>) -> impl IntoView {
    view! {
        <label>"Size "
            <select id=id prop:value=move || size.get().to_string()
                on:change=move |ev| size.set(event_target_value(&ev).parse().unwrap_or(4))>
                {SIZES.map(|n| view! { <option value=n.to_string()>{format!("{n}x{n}")}</option> })}
            </select>
        </label>
    }
}
