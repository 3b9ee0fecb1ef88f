//! Verification: every checkable claim of a unit's items is checked against the engine
//! ([`judge()`](crate::play::judge()) with the puzzle's solution); what fails is dropped and reported.
//!
//! - few-shot: the move is `CORRECT` on its board, and the stated pattern (e.g. "only
//!   candidate") really holds there;
//! - correction: the board agrees with the solution, the wrong move is `VALID_BUT_WRONG` there,
//!   and the true value is the solution's;
//! - anti-pattern example: the move is `INVALID` on its board, for the anti-pattern's reason;
//! - cell claims `rRcC=V` inside texts: each must be a move the item is about (its example, its
//!   wrong move or true value) or correct on one of the item's boards.

use std::collections::BTreeSet;

use super::features::features_on;
use crate::play::{judge, InvalidReason, Judgement, Move};
use crate::unit::{Correction, FewShot, MistakeKind, MoveExample};
use solver_core::format::parse_line;
use solver_core::grid::Grid;

fn board(line: &str) -> Result<Grid, String> {
    parse_line(line).map_err(|e| format!("board does not parse: {e}"))
}

fn judged(board: &Grid, solution: &Grid, mv: &Move) -> Judgement {
    judge(board, board, solution, &BTreeSet::new(), &Ok(*mv))
}

/// Checks a few-shot against its puzzle's solution.
pub fn few_shot(f: &FewShot, solution: Option<&Grid>) -> Result<(), String> {
    let b = board(&f.board)?;
    let solution = solution.ok_or("no solution known for its puzzle")?;
    if !b.agrees_with(solution) {
        return Err("its board does not agree with the puzzle's solution".into());
    }
    let j = judged(&b, solution, &f.mv);
    if j != Judgement::Correct {
        return Err(format!(
            "{} is {} on its board, not CORRECT",
            f.mv,
            j.label()
        ));
    }
    let pattern = features_on(&b, &f.mv).map(|x| x.pattern);
    if pattern != Some(f.pattern) {
        return Err(format!(
            "it claims a {} but the board shows {}",
            f.pattern.name(),
            pattern.map_or("nothing", |p| p.name())
        ));
    }
    Ok(())
}

/// Checks a correction against its puzzle's solution.
pub fn correction(c: &Correction, solution: Option<&Grid>) -> Result<(), String> {
    let b = board(&c.board)?;
    let solution = solution.ok_or("no solution known for its puzzle")?;
    if !b.agrees_with(solution) {
        return Err("its board does not agree with the puzzle's solution".into());
    }
    let j = judged(&b, solution, &c.wrong);
    if j != Judgement::ValidButWrong {
        return Err(format!(
            "{} is {} on its board, not VALID_BUT_WRONG",
            c.wrong,
            j.label()
        ));
    }
    let truth = solution.get(c.wrong.row, c.wrong.col);
    if truth != Some(c.true_value) {
        return Err(format!(
            "true value {} but the solution has {:?} at {}",
            c.true_value,
            truth,
            c.wrong.cell()
        ));
    }
    Ok(())
}

/// Checks that an anti-pattern example is invalid on its board for the reason of `kind`.
pub fn example(e: &MoveExample, kind: MistakeKind) -> Result<(), String> {
    let b = board(&e.board)?;
    // An invalid move is rejected before the solution is consulted; the board stands in.
    let j = judged(&b, &b, &e.mv);
    let actual = match &j {
        Judgement::Invalid(InvalidReason::Given { .. } | InvalidReason::Filled { .. }) => {
            Some(MistakeKind::FilledCell)
        }
        Judgement::Invalid(InvalidReason::Conflict { unit, .. }) => {
            // A move can clash in several units; any of them matches.
            let shape = b.shape();
            let clashes: Vec<MistakeKind> = solver_core::grid::Unit::ALL
                .into_iter()
                .filter(|&u| {
                    let i = shape.unit_index(u, e.mv.row, e.mv.col);
                    shape
                        .unit_cells(u, i)
                        .any(|(r, c)| b.get(r, c) == Some(e.mv.value))
                })
                .map(MistakeKind::conflict)
                .collect();
            if clashes.contains(&kind) {
                Some(kind)
            } else {
                Some(MistakeKind::conflict(*unit))
            }
        }
        _ => None,
    };
    match actual {
        Some(k) if k == kind => Ok(()),
        Some(k) => Err(format!("{} is invalid as {k:?}, not {kind:?}", e.mv)),
        None => Err(format!(
            "{} is {} on its board, not INVALID",
            e.mv,
            j.label()
        )),
    }
}

/// Checks the cell claims of a text: each must be in `known` or correct on one of `boards`
/// (board, solution) pairs.
pub fn claims(
    text: &str,
    size: usize,
    known: &[Move],
    boards: &[(Grid, &Grid)],
) -> Result<usize, String> {
    let found = super::llm::cell_claims(text, size);
    for claim in &found {
        if known.contains(claim) {
            continue;
        }
        let ok = boards.iter().any(|(b, s)| {
            claim.row < b.size()
                && claim.col < b.size()
                && b.get(claim.row, claim.col).is_none()
                && s.get(claim.row, claim.col) == Some(claim.value)
        });
        if !ok {
            return Err(format!(
                "it claims {claim}, which no board of the item supports"
            ));
        }
    }
    Ok(found.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::{Origin, Pattern};

    const SOLUTION: &str = "1234341221434321";

    fn sol() -> Grid {
        parse_line(SOLUTION).unwrap()
    }

    #[test]
    fn few_shots_must_be_correct_and_show_their_pattern() {
        let mut f = FewShot {
            id: String::new(),
            board: "123434122143432.".into(),
            mv: Move::new(3, 3, 1),
            reasoning: String::new(),
            pattern: Pattern::NakedSingle,
            source_ids: vec![],
        };
        assert_eq!(few_shot(&f, Some(&sol())), Ok(()));
        assert!(few_shot(&f, None).unwrap_err().contains("no solution"));
        f.mv.value = 2;
        assert!(few_shot(&f, Some(&sol())).unwrap_err().contains("INVALID"));
        f.mv.value = 1;
        f.pattern = Pattern::Other;
        assert!(few_shot(&f, Some(&sol()))
            .unwrap_err()
            .contains("claims a longer deduction"));
    }

    #[test]
    fn corrections_must_be_valid_but_wrong_with_the_true_value() {
        let mut c = Correction {
            id: String::new(),
            text: String::new(),
            board: "1..4.41.2.4..3.1".into(),
            wrong: Move::new(0, 2, 2),
            true_value: 3,
            source_ids: vec![],
            origin: Origin::Derived,
        };
        assert_eq!(correction(&c, Some(&sol())), Ok(()));
        c.true_value = 4;
        assert!(correction(&c, Some(&sol()))
            .unwrap_err()
            .contains("true value 4"));
        c.true_value = 2;
        c.wrong.value = 3;
        assert!(correction(&c, Some(&sol()))
            .unwrap_err()
            .contains("CORRECT"));
    }

    #[test]
    fn examples_must_be_invalid_for_their_kind() {
        let e = MoveExample {
            board: "1..4.41.2.4..3.1".into(),
            mv: Move::new(0, 1, 4),
        };
        // 4 clashes in row 1, column 2 and box 1: any of those kinds matches.
        assert_eq!(example(&e, MistakeKind::RowConflict), Ok(()));
        assert_eq!(example(&e, MistakeKind::ColumnConflict), Ok(()));
        assert_eq!(example(&e, MistakeKind::BoxConflict), Ok(()));
        assert!(example(&e, MistakeKind::FilledCell).is_err());
        let column_only = MoveExample {
            mv: Move::new(0, 1, 3),
            ..e.clone()
        };
        assert!(example(&column_only, MistakeKind::RowConflict)
            .unwrap_err()
            .contains("ColumnConflict"));
        let filled = MoveExample {
            mv: Move::new(0, 0, 2),
            ..e.clone()
        };
        assert_eq!(example(&filled, MistakeKind::FilledCell), Ok(()));
        let legal = MoveExample {
            mv: Move::new(0, 1, 2),
            ..e
        };
        assert!(example(&legal, MistakeKind::RowConflict)
            .unwrap_err()
            .contains("not INVALID"));
    }

    #[test]
    fn claims_must_be_known_or_correct_on_a_board() {
        let b = parse_line("1..4.41.2.4..3.1").unwrap();
        let s = sol();
        assert_eq!(claims("put r1c2=2", 4, &[], &[(b.clone(), &s)]), Ok(1));
        assert!(claims("put r1c2=3", 4, &[], &[(b.clone(), &s)]).is_err());
        assert_eq!(
            claims("r1c2=3 was wrong", 4, &[Move::new(0, 1, 3)], &[]),
            Ok(1)
        );
        assert!(claims("r1c1=1 is a given", 4, &[], &[(b, &s)]).is_err());
    }
}
