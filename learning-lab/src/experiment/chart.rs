//! Charts of results as SVG text: accuracy per arm with interval whiskers, the learning curve,
//! and the outcome mix. Pure and deterministic (numbers printed with fixed decimals), and
//! accessible: every chart has a `<title>` and a `<desc>` and labels its values in text, so a
//! screen reader or a colour-blind reader loses nothing.

use std::fmt::Write as _;

use super::results::ExperimentResults;
use super::run::OutcomeCounts;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 64.0;

/// Arm colours (Okabe–Ito, distinguishable with colour-vision deficiencies).
const ARM_COLOURS: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

/// Outcome colours in the order of [`OutcomeCounts::LABELS`].
const OUTCOME_COLOURS: [&str; 5] = ["#009E73", "#D55E00", "#CC79A7", "#E69F00", "#999999"];

/// Escapes text for XML content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn plot_w() -> f64 {
    WIDTH - LEFT - RIGHT
}

fn plot_h() -> f64 {
    HEIGHT - TOP - BOTTOM
}

/// y pixel of a share 0..=1.
fn y_of(share: f64) -> f64 {
    TOP + plot_h() * (1.0 - share.clamp(0.0, 1.0))
}

/// `label` cut to what fits in `width` px at the charts' 12 px font (about 6.8 px a
/// character), with an ellipsis when cut: many arms with long labels must not overprint each
/// other. The full label stays in the chart's description.
fn fit_label(label: &str, width: f64) -> String {
    let room = ((width - 6.0) / 6.8).floor().max(4.0) as usize;
    if label.chars().count() <= room {
        return label.to_string();
    }
    let mut cut: String = label.chars().take(room - 1).collect();
    cut.push('…');
    cut
}

fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

/// The frame: svg element, title, desc, y axis 0–100 % with grid lines.
fn open(id: &str, title: &str, desc: &str) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" font-family=\"sans-serif\" font-size=\"12\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <text x=\"{}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">{}</text>",
        xml_escape(title),
        xml_escape(desc),
        WIDTH / 2.0,
        xml_escape(title)
    );
    for tick in 0..=4 {
        let share = f64::from(tick) / 4.0;
        let y = y_of(share);
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" \
             stroke=\"#ddd\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            pct(share)
        );
    }
    s
}

fn empty_note(s: &mut String) {
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">No finished runs yet</text>",
        WIDTH / 2.0,
        HEIGHT / 2.0
    );
}

/// Per-move accuracy per arm: a bar for the estimate, a whisker for its 95 % interval, and
/// the numbers as text under each bar.
pub fn accuracy_chart(results: &ExperimentResults) -> String {
    let desc = results
        .arms
        .iter()
        .map(|a| match a.accuracy {
            Some(e) => format!(
                "{}: {} (95 % CI {} to {}, {} runs)",
                a.label,
                pct(e.value),
                pct(e.ci.low),
                pct(e.ci.high),
                a.runs
            ),
            None => format!("{}: no moves yet", a.label),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut s = open("accuracy", "Per-move accuracy per arm", &desc);
    let n = results.arms.len().max(1) as f64;
    let slot = plot_w() / n;
    let bar = (slot * 0.5).min(80.0);
    if results.arms.iter().all(|a| a.accuracy.is_none()) {
        empty_note(&mut s);
    }
    for (i, arm) in results.arms.iter().enumerate() {
        let cx = LEFT + slot * (i as f64 + 0.5);
        let colour = ARM_COLOURS[i % ARM_COLOURS.len()];
        if let Some(e) = arm.accuracy {
            let y = y_of(e.value);
            let _ = write!(
                s,
                "<rect class=\"bar\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" \
                 height=\"{:.1}\" fill=\"{colour}\"><title>{}: {}</title></rect>",
                cx - bar / 2.0,
                TOP + plot_h() - y,
                xml_escape(&arm.label),
                pct(e.value)
            );
            let (lo, hi) = (y_of(e.ci.low), y_of(e.ci.high));
            let _ = write!(
                s,
                "<path class=\"whisker\" d=\"M{cx:.1} {lo:.1}V{hi:.1}M{:.1} {lo:.1}H{:.1}M{:.1} \
                 {hi:.1}H{:.1}\" stroke=\"#333\" stroke-width=\"1.5\" fill=\"none\"/>",
                cx - 8.0,
                cx + 8.0,
                cx - 8.0,
                cx + 8.0
            );
            let _ = write!(
                s,
                "<text class=\"value\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{} \
                 [{}–{}]</text>",
                HEIGHT - BOTTOM + 34.0,
                pct(e.value),
                pct(e.ci.low),
                pct(e.ci.high)
            );
        }
        let _ = write!(
            s,
            "<text class=\"label\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            HEIGHT - BOTTOM + 18.0,
            xml_escape(&fit_label(&arm.label, slot))
        );
    }
    s.push_str("</svg>");
    s
}

/// Accuracy of each session in order (the learning curve), one colour per arm (phase),
/// solved sessions drawn as filled dots.
pub fn learning_curve_chart(results: &ExperimentResults) -> String {
    let points = &results.curve;
    let desc = if points.is_empty() {
        "No finished sessions yet".to_string()
    } else {
        let first = points[0].accuracy;
        let last = points[points.len() - 1].accuracy;
        format!(
            "{} sessions; accuracy went from {} in the first to {} in the last",
            points.len(),
            pct(first),
            pct(last)
        )
    };
    let mut s = open("curve", "Learning curve: accuracy per session", &desc);
    if points.is_empty() {
        empty_note(&mut s);
        s.push_str("</svg>");
        return s;
    }
    // Points stay clear of the y-axis labels and the right edge.
    const INSET: f64 = 12.0;
    let step = if points.len() > 1 {
        (plot_w() - 2.0 * INSET) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| {
        if points.len() > 1 {
            LEFT + INSET + step * i as f64
        } else {
            LEFT + plot_w() / 2.0
        }
    };
    let mut path = String::new();
    for (i, p) in points.iter().enumerate() {
        let _ = write!(
            path,
            "{}{:.1} {:.1}",
            if i == 0 { "M" } else { "L" },
            x_of(i),
            y_of(p.accuracy)
        );
    }
    let _ = write!(
        s,
        "<path class=\"curve\" d=\"{path}\" stroke=\"#555\" stroke-width=\"1.5\" fill=\"none\"/>"
    );
    for (i, p) in points.iter().enumerate() {
        let arm = results
            .arms
            .iter()
            .position(|a| a.arm_id == p.arm_id)
            .unwrap_or(0);
        let colour = ARM_COLOURS[arm % ARM_COLOURS.len()];
        let label = results
            .arms
            .get(arm)
            .map_or(p.arm_id.as_str(), |a| a.label.as_str());
        let _ = write!(
            s,
            "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" stroke=\"{colour}\" \
             fill=\"{}\"><title>Session {}, {}: {}{}</title></circle>",
            x_of(i),
            y_of(p.accuracy),
            if p.solved { colour } else { "#fff" },
            i + 1,
            xml_escape(label),
            pct(p.accuracy),
            if p.solved { ", solved" } else { "" }
        );
    }
    legend(&mut s, results);
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">Session (in order)</text></svg>",
        LEFT + plot_w() / 2.0,
        HEIGHT - 8.0
    );
    s
}

fn legend(s: &mut String, results: &ExperimentResults) {
    // Entries share the width (at most 160 px each), so many arms still fit in one row.
    let spacing = (plot_w() / results.arms.len().max(1) as f64).min(160.0);
    for (i, arm) in results.arms.iter().enumerate() {
        let x = LEFT + spacing * i as f64;
        let y = HEIGHT - BOTTOM + 26.0;
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{}\"/>\
             <text class=\"legend\" x=\"{:.1}\" y=\"{y:.1}\">{}</text>",
            y - 9.0,
            ARM_COLOURS[i % ARM_COLOURS.len()],
            x + 14.0,
            xml_escape(&fit_label(&arm.label, spacing - 14.0))
        );
    }
}

/// The outcome mix per arm: one 100 % stacked bar per arm, a legend, and the shares as text
/// in the description.
pub fn outcome_mix_chart(results: &ExperimentResults) -> String {
    let desc = results
        .arms
        .iter()
        .map(|a| {
            let total = a.outcomes.total();
            if total == 0 {
                return format!("{}: no moves yet", a.label);
            }
            let parts = OutcomeCounts::LABELS
                .iter()
                .zip(a.outcomes.as_array())
                .map(|(l, c)| format!("{l} {}", pct(c as f64 / total as f64)))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{}: {parts}", a.label)
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut s = open("outcomes", "Outcome mix per arm", &desc);
    let n = results.arms.len().max(1) as f64;
    let slot = plot_w() / n;
    let bar = (slot * 0.5).min(80.0);
    if results.arms.iter().all(|a| a.outcomes.total() == 0) {
        empty_note(&mut s);
    }
    for (i, arm) in results.arms.iter().enumerate() {
        let cx = LEFT + slot * (i as f64 + 0.5);
        let total = arm.outcomes.total();
        if total > 0 {
            let mut below = 0.0;
            for (k, count) in arm.outcomes.as_array().into_iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let share = count as f64 / total as f64;
                let (y_top, y_bottom) = (y_of(below + share), y_of(below));
                let _ = write!(
                    s,
                    "<rect class=\"segment\" x=\"{:.1}\" y=\"{y_top:.1}\" width=\"{bar:.1}\" \
                     height=\"{:.1}\" fill=\"{}\"><title>{}: {} {} ({count})</title></rect>",
                    cx - bar / 2.0,
                    y_bottom - y_top,
                    OUTCOME_COLOURS[k],
                    xml_escape(&arm.label),
                    OutcomeCounts::LABELS[k],
                    pct(share)
                );
                below += share;
            }
        }
        let _ = write!(
            s,
            "<text class=\"label\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            HEIGHT - BOTTOM + 18.0,
            xml_escape(&fit_label(&arm.label, slot))
        );
    }
    for (k, label) in OutcomeCounts::LABELS.iter().enumerate() {
        let x = LEFT + 118.0 * k as f64;
        let y = HEIGHT - 12.0;
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{}\"/>\
             <text class=\"legend\" x=\"{:.1}\" y=\"{y:.1}\">{label}</text>",
            y - 9.0,
            OUTCOME_COLOURS[k],
            x + 14.0
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::design::tests::ab;
    use crate::experiment::plan::tests::result_for;
    use crate::experiment::plan::ExperimentState;

    fn results() -> ExperimentResults {
        let mut st = ExperimentState::new(ab(1, vec![1, 2, 3])).unwrap();
        st.experiment.arms[1].label = "Unit <new> & memory".to_string();
        loop {
            let orders = st.poll_runs(2);
            if orders.is_empty() {
                break;
            }
            for o in orders {
                let solved = o.arm.id == "b";
                st.handle_result(result_for(&o, 5 + o.run as u64, 20, solved))
                    .unwrap();
            }
        }
        ExperimentResults::from_state(&st)
    }

    fn count(hay: &str, needle: &str) -> usize {
        hay.matches(needle).count()
    }

    #[test]
    fn accuracy_chart_has_bars_whiskers_and_text() {
        let r = results();
        let svg = accuracy_chart(&r);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"accuracy-title\">Per-move accuracy per arm</title>"));
        assert!(svg.contains("role=\"img\""));
        assert_eq!(count(&svg, "class=\"bar\""), 2);
        assert_eq!(count(&svg, "class=\"whisker\""), 2);
        // Labels are escaped, never raw markup.
        assert!(svg.contains("Unit &lt;new&gt; &amp; memory"));
        assert!(!svg.contains("<new>"));
        let a = r.arms[0].accuracy.unwrap();
        assert!(svg.contains(&format!("{} [", pct(a.value))));
        // Deterministic.
        assert_eq!(svg, accuracy_chart(&results()));
    }

    #[test]
    fn learning_curve_has_one_point_per_session() {
        let r = results();
        let svg = learning_curve_chart(&r);
        assert_eq!(count(&svg, "class=\"point\""), 6);
        assert_eq!(count(&svg, "class=\"curve\""), 1);
        assert!(
            svg.contains("6 sessions; accuracy went from 25 % in the first to 50 % in the last")
        );
        assert_eq!(count(&svg, "class=\"legend\""), 2);
    }

    #[test]
    fn outcome_mix_stacks_to_the_full_height() {
        let r = results();
        let svg = outcome_mix_chart(&r);
        // Two outcomes (correct, valid-but-wrong) per arm.
        assert_eq!(count(&svg, "class=\"segment\""), 4);
        assert_eq!(count(&svg, "class=\"legend\""), 5);
        assert!(svg.contains("valid_but_wrong"));
    }

    #[test]
    fn empty_results_say_so() {
        let st = ExperimentState::new(ab(1, vec![1])).unwrap();
        let r = ExperimentResults::from_state(&st);
        for svg in [
            accuracy_chart(&r),
            learning_curve_chart(&r),
            outcome_mix_chart(&r),
        ] {
            assert!(svg.contains("No finished"), "{svg}");
            assert!(svg.ends_with("</svg>"));
        }
    }

    #[test]
    fn long_arm_labels_are_cut_to_their_slot_so_they_do_not_overprint() {
        assert_eq!(fit_label("memory on", 113.0), "memory on");
        let cut = fit_label("without ap-7d4a93754700 and more", 113.0);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(cut.chars().count() as f64 * 6.8 <= 113.0, "{cut}");
        assert!(cut.starts_with("without ap-"));
        assert_eq!(
            fit_label("abcdefghij", 1.0),
            "abc…",
            "always a few characters"
        );
    }
}
