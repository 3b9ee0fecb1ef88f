//! A labelled number input bound to a signal, clamped to its range.

use leptos::prelude::*;

/// `<label>{label}<input type=number …/></label>` bound to `value`; typed values outside
/// `min..=max` are clamped, text that is not a number is ignored.
#[component]
pub fn NumberField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<usize>,
    min: usize,
    max: usize,
) -> impl IntoView {
    view! {
        <label>{label}<input id=id type="number" min=min.to_string() max=max.to_string()
            prop:value=move || value.get().to_string()
            on:input=move |ev| {
                if let Ok(v) = event_target_value(&ev).parse::<usize>() {
                    value.set(v.clamp(min, max));
                }
            }/></label>
    }
}
