//! Accuracy per block of 20 moves as a small bar chart (SVG), with the numbers as text too.

use leptos::prelude::*;

/// Bars for `trend` (each in 0..=1), labelled for screen readers.
#[component]
pub fn Trend(trend: Signal<Vec<f64>>) -> impl IntoView {
    move || {
        let values = trend.get();
        if values.is_empty() {
            return view! { <p class="muted">"No moves yet."</p> }.into_any();
        }
        let width = 24 * values.len();
        let summary = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("moves {}–{}: {:.0}%", i * 20 + 1, i * 20 + 20, v * 100.0))
            .collect::<Vec<_>>()
            .join(", ");
        let bars = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let h = (v * 60.0).round().max(1.0);
                view! {
                    <rect x=i * 24 + 2 y=64.0 - h width="20" height=h class="bar">
                        <title>{format!("moves {}–{}: {:.0}%", i * 20 + 1, i * 20 + 20, v * 100.0)}</title>
                    </rect>
                }
            })
            .collect_view();
        view! {
            <figure class="trend">
                <svg role="img" aria-label=format!("Accuracy per 20 moves: {summary}")
                    viewBox=format!("0 0 {width} 64") width=width height="64">
                    {bars}
                </svg>
                <figcaption class="muted">{format!("Accuracy per 20 moves: {summary}")}</figcaption>
            </figure>
        }
        .into_any()
    }
}
