//! The profile picker of the screens that talk to a model.

use learning_lab::profile::Profile;
use leptos::prelude::*;

/// A labelled `<select>` of `profiles` (name and model), bound to `profile_id`.
#[component]
pub fn ProfileSelect(
    #[prop(into)] id: String,
    profiles: RwSignal<Vec<Profile>>,
    profile_id: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label>"Profile "
            <select id=id prop:value=move || profile_id.get()
                on:change=move |ev| profile_id.set(event_target_value(&ev))>
                <For each=move || profiles.get() key=|p| p.id.clone()
                    children=|p| view! { <option value=p.id.clone()>{format!("{} ({})", p.name, p.model)}</option> }/>
            </select>
        </label>
    }
}
