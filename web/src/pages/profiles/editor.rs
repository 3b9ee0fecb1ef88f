//! The form that edits one profile.

use learning_lab::profile::{Profile, Route};
use leptos::prelude::*;

/// The form for one profile; every change updates `editing`.
#[component]
pub(super) fn ProfileEditor(
    profile: Profile,
    editing: RwSignal<Option<Profile>>,
    test_result: RwSignal<String>,
    on_save: impl Fn(leptos::ev::MouseEvent) + 'static,
    on_test: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    let edit = move |f: &dyn Fn(&mut Profile)| {
        editing.update(|e| {
            if let Some(p) = e {
                f(p)
            }
        })
    };
    let is_direct = move || {
        editing.with(|e| matches!(e.as_ref().map(|p| &p.route), Some(Route::Direct { .. })))
    };
    let base_url = move || {
        editing.with(|e| match e.as_ref().map(|p| &p.route) {
            Some(Route::Direct { base_url }) => base_url.clone(),
            _ => String::new(),
        })
    };
    let template = profile.template;
    view! {
        <form id="profile-editor" class="editor" on:submit=|ev| ev.prevent_default()>
            <h3>{format!("{} profile", template.label())}</h3>
            <label>"Name " <input id="profile-name" prop:value=profile.name.clone()
                on:input=move |ev| { let v = event_target_value(&ev); edit(&|p| p.name = v.clone()) }/></label>
            <label>"Route "
                <select id="profile-route" prop:value=move || if is_direct() { "direct" } else { "edge" }
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        edit(&|p| p.route = if v == "direct" {
                            Route::Direct { base_url: template.proposed_base_url(crate::edge::app_port()).unwrap_or_else(|| "http://localhost:8080/v1".into()) }
                        } else { Route::Edge })
                    }>
                    <option value="edge">"Through the edge API"</option>
                    <option value="direct" disabled=template.is_cloud()>"Direct to a local server"</option>
                </select>
            </label>
            <Show when=is_direct>
                <label>"Base URL " <input id="profile-base-url" prop:value=base_url
                    on:input=move |ev| { let v = event_target_value(&ev); edit(&|p| p.route = Route::Direct { base_url: v.clone() }) }/></label>
            </Show>
            <label>"Model " <input id="profile-model" prop:value=profile.model.clone()
                on:input=move |ev| { let v = event_target_value(&ev); edit(&|p| p.model = v.clone()) }/></label>
            <label>"Temperature " <input id="profile-temperature" type="number" step="0.1" min="0" max="2"
                prop:value=profile.sampling.temperature.to_string()
                on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { edit(&|p| p.sampling.temperature = v) } }/></label>
            <label>"Max tokens per answer " <input id="profile-max-tokens" type="number" min="16"
                prop:value=profile.sampling.max_tokens.to_string()
                on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { edit(&|p| p.sampling.max_tokens = v) } }/></label>
            <label>"Timeout (s) " <input id="profile-timeout" type="number" min="1"
                prop:value=(profile.timeout_ms / 1000).to_string()
                on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u32>() { edit(&|p| p.timeout_ms = v.saturating_mul(1000)) } }/></label>
            <label>"Retries " <input id="profile-retries" type="number" min="0" max="10"
                prop:value=profile.retries.to_string()
                on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { edit(&|p| p.retries = v) } }/></label>
            <label>"Learning-unit items per move " <input id="profile-unit-items" type="number" min="1" max="20"
                prop:value=profile.max_unit_items.to_string()
                on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { edit(&|p| p.max_unit_items = v) } }/></label>
            <label><input id="profile-json" type="checkbox" prop:checked=profile.json_output
                on:change=move |ev| { let v = event_target_checked(&ev); edit(&|p| p.json_output = v) }/>
                " Ask for JSON output (format only)"</label>
            <label>"System prompt addition " <textarea id="profile-system-addition" prop:value=profile.system_prompt_addition.clone()
                on:input=move |ev| { let v = event_target_value(&ev); edit(&|p| p.system_prompt_addition = v.clone()) }/></label>
            <label>"Edge API token (optional; kept encrypted in this browser, never exported) "
                <input id="profile-token" type="password" autocomplete="off"
                    placeholder=profile.masked_token().unwrap_or_default()
                    on:input=move |ev| { let v = event_target_value(&ev); edit(&|p| p.edge_token = (!v.trim().is_empty()).then(|| v.trim().to_string())) }/></label>
            <label><input id="profile-default" type="checkbox" prop:checked=profile.is_default
                on:change=move |ev| { let v = event_target_checked(&ev); edit(&|p| p.is_default = v) }/>
                " Default profile"</label>
            <div class="row">
                <button id="profile-save" type="button" on:click=on_save>"Save"</button>
                <button id="profile-test" type="button" on:click=on_test>"Test connection"</button>
                <button type="button" on:click=move |_| editing.set(None)>"Cancel"</button>
            </div>
            <p id="profile-test-result" role="status" aria-live="polite">{move || test_result.get()}</p>
        </form>
    }
}
