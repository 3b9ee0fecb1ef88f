//! A unit's items with their credit (the Units screen): per item its uses, the four outcome
//! counts and its lift with the 95 % interval, from learning-lab's `unit::ledger` over the
//! profile's newest experiences.

use learning_lab::unit::{ledger, ItemLedger, LearningUnit};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::db;

/// `+12.5 pp [−3.0, +28.1]`, or `—` without a lift.
fn lift_text(l: &ItemLedger) -> String {
    match l.lift {
        Some(e) => format!(
            "{:+.1} pp [{:+.1}, {:+.1}]",
            e.value * 100.0,
            e.ci.low * 100.0,
            e.ci.high * 100.0
        ),
        None => "—".into(),
    }
}

/// The ledger of `unit`'s items.
#[component]
pub fn UnitLedger(unit: LearningUnit) -> impl IntoView {
    let rows = RwSignal::new(None::<Vec<ItemLedger>>);
    let note = RwSignal::new(String::from("reading the profile's experiences…"));
    {
        let unit = unit.clone();
        spawn_local(async move {
            let result = match db::open().await {
                Ok(db) => {
                    db::profile_experiences(&db, &unit.profile_id, db::LEDGER_MAX_EXPERIENCES).await
                }
                Err(e) => Err(e.to_string()),
            };
            match result {
                Ok((experiences, capped)) => {
                    note.set(format!(
                        "from the profile's {}{} experiences",
                        if capped { "newest " } else { "" },
                        experiences.len()
                    ));
                    rows.set(Some(ledger(&unit, &experiences)));
                }
                Err(e) => note.set(format!("no ledger: {e}")),
            }
        });
    }
    view! {
        <section id="unit-ledger" aria-labelledby="unit-ledger-title">
            <h4 id="unit-ledger-title">"Credit per item"</h4>
            <p class="muted" role="status">{move || note.get()}</p>
            {move || rows.get().map(|rows| view! {
                <table class="unit-ledger">
                    <thead><tr>
                        <th scope="col">"item"</th><th scope="col">"uses"</th>
                        <th scope="col">"correct"</th><th scope="col">"invalid"</th>
                        <th scope="col">"valid but wrong"</th><th scope="col">"unparseable"</th>
                        <th scope="col">"lift (95 % CI)"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|l| {
                            let lift = lift_text(&l);
                            view! {
                                <tr data-item=l.item_id.clone() data-never-helped=l.never_helped().to_string()>
                                    <th scope="row"><code>{l.item_id.clone()}</code>" "{l.text.clone()}</th>
                                    <td class="uses">{l.uses()}</td>
                                    <td class="correct">{l.with.correct}</td>
                                    <td class="invalid">{l.with.invalid}</td>
                                    <td class="vbw">{l.with.valid_but_wrong}</td>
                                    <td class="unparseable">{l.with.unparseable}</td>
                                    <td class="lift">{lift}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}
