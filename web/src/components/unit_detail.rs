//! One learning unit in full, for reading (the Units and Dream screens).

use learning_lab::unit::{
    anti_pattern_line, correction_line, few_shot_line, strategy_line, LearningUnit,
};
use leptos::prelude::*;

/// Everything in one unit, for reading.
#[component]
pub fn UnitDetail(unit: LearningUnit) -> impl IntoView {
    let u = unit;
    view! {
        <article id="unit-detail" data-unit-id=u.id.clone() aria-labelledby="unit-detail-title">
            <h3 id="unit-detail-title">{u.name.clone()}</h3>
            <p class="muted">{format!(
                "id {} · profile {} · algorithm {} v{} · {} source experiences · sizes {:?}{}",
                u.id, u.profile_id, u.algorithm.name, u.algorithm.version,
                u.source_experience_ids.len(), u.sizes,
                if u.merged_from.is_empty() { String::new() } else { format!(" · merged from {}", u.merged_from.join(", ")) }
            )}</p>
            <h4>{format!("Strategies ({})", u.strategies.len())}</h4>
            <ul class="unit-strategies">{u.strategies.iter().map(|s| view! {
                <li data-origin=format!("{:?}", s.origin).to_lowercase() data-line=strategy_line(s)>{strategy_line(s)}
                    <span class="muted">{format!(" — {} · level {} · support {} · {:?}", s.pattern.name(), s.level, s.support, s.origin)}</span></li>
            }).collect_view()}</ul>
            <h4>{format!("Anti-patterns ({})", u.anti_patterns.len())}</h4>
            <ul class="unit-anti-patterns">{u.anti_patterns.iter().map(|a| view! {
                <li data-line=anti_pattern_line(a)>{anti_pattern_line(a)}<span class="muted">{format!(" — {:?} · seen {} times · {:?}", a.kind, a.frequency, a.origin)}</span></li>
            }).collect_view()}</ul>
            <h4>{format!("Corrections ({})", u.corrections.len())}</h4>
            <ul class="unit-corrections">{u.corrections.iter().map(|c| view! {
                <li data-line=correction_line(c)>{correction_line(c)}<span class="muted">{format!(" — {:?}", c.origin)}</span></li>
            }).collect_view()}</ul>
            <h4>{format!("Few-shot examples ({})", u.few_shots.len())}</h4>
            <ul class="unit-few-shots">{u.few_shots.iter().map(|f| view! { <li data-line=few_shot_line(f)>{few_shot_line(f)}</li> }).collect_view()}</ul>
            <h4>"Abstraction levels"</h4>
            <ol class="unit-levels">{u.abstraction_levels.iter().map(|l| view! {
                <li>{format!("level {} — {}: {}", l.level, l.name, l.items.join(" | "))}</li>
            }).collect_view()}</ol>
            <h4>"Verification"</h4>
            <p class="unit-verification">{format!("{} of {} checks passed; {} items dropped", u.verification.passed, u.verification.checked, u.verification.dropped.len())}</p>
            <ul>{u.verification.dropped.iter().map(|d| view! { <li>{format!("{:?}: {} — {}", d.item, d.text, d.reason)}</li> }).collect_view()}</ul>
        </article>
    }
}
