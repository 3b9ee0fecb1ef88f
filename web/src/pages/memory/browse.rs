//! The Memory screen's list: the filter, the search form, the rows and "More".

use leptos::prelude::*;

use super::Memory;

/// Filter, search and the list of experiences (`#memory-list`).
#[component]
pub(super) fn Browse(memory: Memory) -> impl IntoView {
    let Memory {
        items,
        next,
        filter,
        query,
        selected,
        ..
    } = memory;
    view! {
        <div class="row">
            <label>"Show "
                <select id="memory-filter" on:change=move |ev| { filter.set(event_target_value(&ev)); query.set(String::new()); memory.load(false) }>
                    <option value="">"all"</option>
                    <option value="correct">"correct"</option>
                    <option value="invalid">"invalid"</option>
                    <option value="valid_but_wrong">"valid but wrong"</option>
                    <option value="unparseable">"unparseable"</option>
                    <option value="unconsolidated">"not yet dreamed"</option>
                    <option value="consolidated">"dreamed"</option>
                </select>
            </label>
            <form role="search" on:submit=move |ev| { ev.prevent_default(); memory.search() }>
                <label>"Search "
                    <input id="memory-search" type="search" placeholder="reasoning, feedback, r3c5…"
                        prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
                </label>
                <button id="memory-search-go" type="submit">"Search"</button>
            </form>
        </div>
        <ul id="memory-list">
            <For each=move || items.get() key=|(r, s)| (r.id.clone(), s.map(f64::to_bits)) children=move |(r, score)| {
                let shown = r.clone();
                let what = r.experience.attempt.mv().map_or_else(|| "no move".to_string(), |m| m.to_string());
                view! {
                    <li data-experience-id=r.id.clone() data-outcome=r.outcome()>
                        <button class="small" on:click=move |_| selected.set(Some(shown.clone()))>"Show"</button>
                        {format!(" {} · {what} · {} · importance {:.2}", r.id, r.outcome(), r.experience.importance)}
                        {score.map(|s| format!(" · score {s:.2}"))}
                    </li>
                }
            }/>
        </ul>
        <Show when=move || next.with(Option::is_some)>
            <button id="memory-more" on:click=move |_| memory.load(true)>"More"</button>
        </Show>
    }
}
