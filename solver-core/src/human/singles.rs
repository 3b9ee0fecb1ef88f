//! Singles: full house, hidden single, naked single.

use super::board::{cell_name, Pencilmarks};
use super::step::Step;
use super::technique::Technique;

/// The last empty cell of a unit (boxes first, then rows, then columns).
pub(crate) fn full_house(pm: &Pencilmarks, explain: bool) -> Option<Step> {
    let n = pm.n();
    for u in unit_order(n) {
        let mut empty = pm.t.units[u].iter().filter(|&&i| pm.value(i) == 0);
        let (Some(&i), None) = (empty.next(), empty.next()) else {
            continue;
        };
        let v = pm.missing(u).as_single()?;
        if !pm.cand(i).contains(v) {
            continue; // broken board; leave it to the other finders
        }
        let reason = if explain {
            format!(
                "{} is the last empty cell in {}, so it must be {v}.",
                cell_name(n, i),
                pm.t.unit_name(u)
            )
        } else {
            String::new()
        };
        return Some(Step::build(
            Technique::FullHouse,
            n,
            &[i],
            &[(i, v)],
            &[],
            reason,
        ));
    }
    None
}

/// Boxes, then rows, then columns.
fn unit_order(n: usize) -> impl Iterator<Item = usize> {
    (2 * n..3 * n).chain(0..2 * n)
}

/// A value with one place left in a box (`boxes`) or in a row or column.
pub(crate) fn hidden_single(pm: &Pencilmarks, boxes: bool, explain: bool) -> Option<Step> {
    let n = pm.n();
    let units = if boxes { 2 * n..3 * n } else { 0..2 * n };
    for u in units {
        let mut once = 0u32;
        let mut twice = 0u32;
        for &i in &pm.t.units[u] {
            let c = pm.cand(i).bits();
            twice |= once & c;
            once |= c;
        }
        let exact = once & !twice;
        if exact == 0 {
            continue;
        }
        let v = exact.trailing_zeros() as u8 + 1;
        let i = *pm.t.units[u].iter().find(|&&i| pm.cand(i).contains(v))?;
        let reason = if explain {
            format!(
                "In {}, {v} can only go in {}.",
                pm.t.unit_name(u),
                cell_name(n, i)
            )
        } else {
            String::new()
        };
        let technique = if boxes {
            Technique::HiddenSingleBox
        } else {
            Technique::HiddenSingleLine
        };
        return Some(Step::build(technique, n, &[i], &[(i, v)], &[], reason));
    }
    None
}

/// A cell with exactly one candidate.
pub(crate) fn naked_single(pm: &Pencilmarks, explain: bool) -> Option<Step> {
    let n = pm.n();
    let i = (0..pm.cell_count()).find(|&i| pm.value(i) == 0 && pm.cand(i).len() == 1)?;
    let v = pm.cand(i).min()?;
    let reason = if explain {
        format!(
            "{} can only hold {v}: every other value is already ruled out for it.",
            cell_name(n, i)
        )
    } else {
        String::new()
    };
    Some(Step::build(
        Technique::NakedSingle,
        n,
        &[i],
        &[(i, v)],
        &[],
        reason,
    ))
}
