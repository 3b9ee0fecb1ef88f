//! A unit's lineage (the Units screen): its version, the operations that made it from its
//! parent, and the versions it descends from, each of which can be made active again.

use learning_lab::unit::{store, LearningUnit, UnitOp};
use leptos::prelude::*;

/// One operation, in words.
pub fn operation_line(op: &UnitOp) -> String {
    match op {
        UnitOp::Add { item, text, .. } => format!("add {item}: {text}"),
        UnitOp::Merge {
            from, into, text, ..
        } => format!("merge {from} into {into}: {text}"),
        UnitOp::Retire {
            item, text, reason, ..
        } => format!("retire {item} ({reason}): {text}"),
        UnitOp::Keep { item, text, .. } => format!("keep {item}: {text}"),
    }
}

/// The lineage of `unit` among `units`; `make_active` is called with the version chosen.
#[component]
pub fn UnitVersions(
    unit: LearningUnit,
    units: Vec<LearningUnit>,
    #[prop(into)] active_id: Signal<Option<String>>,
    make_active: Callback<LearningUnit>,
) -> impl IntoView {
    let chain: Vec<LearningUnit> = store::versions(&units, &unit.id)
        .into_iter()
        .cloned()
        .collect();
    let lineage = unit.lineage.clone();
    view! {
        <section id="unit-versions" aria-labelledby="unit-versions-title">
            <h4 id="unit-versions-title">{format!("Version {}", lineage.version)}</h4>
            <p class="muted">{match &lineage.parent_id {
                Some(p) => format!("made from {p}: {}", UnitOp::summary(&lineage.operations)),
                None => format!("a first version: {}", UnitOp::summary(&lineage.operations)),
            }}</p>
            <ul class="unit-operations">{lineage.operations.iter().map(|op| view! {
                <li data-op=op.name() data-item=op.item().to_string()>{operation_line(op)}</li>
            }).collect_view()}</ul>
            <ol class="unit-lineage">{chain.into_iter().map(|v| {
                let id = v.id.clone();
                let is_active = Signal::derive(move || active_id.get().as_deref() == Some(id.as_str()));
                let label = format!("v{} · {} · {} items", v.lineage.version, v.name, v.item_count());
                let unit_id = v.id.clone();
                view! {
                    <li data-unit-id=unit_id data-active=move || is_active.get().to_string()>{label}" "
                        <button type="button" class="unit-make-active" disabled=is_active
                            on:click=move |_| make_active.run(v.clone())>"Make active"</button>
                    </li>
                }
            }).collect_view()}</ol>
        </section>
    }
}
