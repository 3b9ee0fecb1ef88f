//! The arms of an A/B/X design as the form edits them.

use learning_lab::experiment::{Arm, UnitChoice};
use learning_lab::profile::Profile;
use learning_lab::unit::LearningUnit;
use leptos::prelude::*;

/// One arm as the form edits it.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmForm {
    pub label: String,
    pub profile_id: String,
    /// [`UnitChoice::key`]: `none`, `after-dream`, or a unit id.
    pub unit: String,
    pub memory: bool,
}

impl ArmForm {
    /// An arm of `profile_id` without a unit.
    pub fn new(label: &str, profile_id: &str, memory: bool) -> ArmForm {
        ArmForm {
            label: label.into(),
            profile_id: profile_id.into(),
            unit: UnitChoice::None.key().into(),
            memory,
        }
    }

    /// The design's arm number `index` (0-based).
    pub fn arm(&self, index: usize) -> Arm {
        let unit = UnitChoice::from_key(&self.unit);
        Arm::numbered(index, &self.label, &self.profile_id, unit, self.memory)
    }
}

/// The arms, one fieldset each, and the button that adds one (a copy of the last).
#[component]
pub fn ArmRows(
    arms: RwSignal<Vec<ArmForm>>,
    profiles: RwSignal<Vec<Profile>>,
    units: RwSignal<Vec<LearningUnit>>,
) -> impl IntoView {
    let rows = move || {
        arms.get()
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                let set = move |f: &dyn Fn(&mut ArmForm)| arms.update(|v| f(&mut v[i]));
                let label_id = format!("experiment-arm-{}-label", i + 1);
                view! {
                    <fieldset class="arm" data-arm=i + 1>
                        <legend>{format!("Arm {}", i + 1)}</legend>
                        <label for=label_id.clone()>"Label "</label>
                        <input id=label_id class="arm-label" prop:value=a.label.clone()
                            on:change=move |ev| { let v = event_target_value(&ev); set(&|a| a.label = v.clone()) }/>
                        <label>" Profile "
                            <select class="arm-profile" prop:value=a.profile_id.clone()
                                on:change=move |ev| { let v = event_target_value(&ev); set(&|a| a.profile_id = v.clone()) }>
                                {profiles.get().into_iter().map(|p| view! { <option value=p.id.clone()>{p.name.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>" Unit "
                            <select class="arm-unit" prop:value=a.unit.clone()
                                on:change=move |ev| { let v = event_target_value(&ev); set(&|a| a.unit = v.clone()) }>
                                <option value=UnitChoice::None.key()>"none"</option>
                                <option value=UnitChoice::NewestAfterDream.key()>"newest after dream"</option>
                                {units.get().into_iter().map(|u| view! { <option value=u.id.clone()>{u.name.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>" "<input type="checkbox" class="arm-memory" prop:checked=a.memory
                            on:change=move |ev| { let v = event_target_checked(&ev); set(&|a| a.memory = v) }/>" memory (the active unit when no unit is named)"</label>
                        " "<button type="button" class="arm-remove" on:click=move |_| arms.update(|v| { if v.len() > 1 { v.remove(i); } })>"Remove"</button>
                    </fieldset>
                }
            })
            .collect_view()
    };
    let add = move |_| {
        arms.update(|v| {
            let base = v.last().cloned().unwrap_or(ArmForm::new("", "", false));
            v.push(ArmForm {
                label: format!("arm {}", v.len() + 1),
                ..base
            });
        })
    };
    view! {
        <div id="experiment-arms">{rows}</div>
        <button id="experiment-add-arm" type="button" on:click=add>"Add arm"</button>
    }
}
