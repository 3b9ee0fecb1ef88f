//! Realistic experiences for dream tests and benches: real play sessions on generated puzzles,
//! answered by a scripted player (seeded) that makes the mistakes small models make — row,
//! column and box conflicts, filled cells, legal-but-wrong guesses, unreadable answers and
//! banned repeats — between correct moves. Every attempt is judged by the real engine.

#![allow(dead_code)]

use learning_lab::play::{Experience, ExperienceContext, Limits, Move, PlaySession, Status};
use solver_core::format::value_char;
use solver_core::generate::{generate, GenerateOptions};
use solver_core::rng::Xoshiro256StarStar;
use solver_core::{Grid, Puzzle};

/// A generated puzzle of `size` from `seed`.
pub fn puzzle(size: usize, seed: u64) -> Puzzle {
    generate(&GenerateOptions::new(size, seed)).expect("generate")
}

fn answer(mv: Move, reasoning: &str) -> String {
    format!(
        "{reasoning}\nROW: {} COL: {} VALUE: {}",
        mv.row + 1,
        mv.col + 1,
        value_char(mv.value)
    )
}

fn empties(board: &Grid) -> Vec<(usize, usize)> {
    let n = board.size();
    (0..n * n)
        .map(|i| (i / n, i % n))
        .filter(|&(r, c)| board.get(r, c).is_none())
        .collect()
}

/// The next scripted answer on the session's board.
fn next_answer(s: &PlaySession, solution: &Grid, rng: &mut Xoshiro256StarStar) -> String {
    let board = s.board();
    let n = board.size();
    let empty = empties(board);
    let pick =
        |rng: &mut Xoshiro256StarStar, v: &[(usize, usize)]| v[rng.below(v.len() as u64) as usize];
    let correct = |rng: &mut Xoshiro256StarStar| {
        // Half the time the most constrained cell (often a single), else any empty cell.
        let (r, c) = if rng.below(2) == 0 {
            *empty
                .iter()
                .min_by_key(|&&(r, c)| board.candidates(r, c).len())
                .expect("an empty cell")
        } else {
            pick(rng, &empty)
        };
        let v = solution.get(r, c).expect("solved");
        answer(
            Move::new(r, c, v),
            &format!(
                "Row {} and column {} are missing {}, and it fits the box.",
                r + 1,
                c + 1,
                value_char(v)
            ),
        )
    };
    let roll = rng.below(100);
    if roll < 45 {
        return correct(rng);
    }
    if roll < 60 {
        // Conflict: a value a peer already holds.
        let (r, c) = pick(rng, &empty);
        let peers: Vec<u8> = board
            .shape()
            .peers(r, c)
            .into_iter()
            .filter_map(|(pr, pc)| board.get(pr, pc))
            .collect();
        if let Some(&v) = peers.get(rng.below(peers.len().max(1) as u64) as usize) {
            return answer(
                Move::new(r, c, v),
                &format!(
                    "I think {} belongs at row {} column {}.",
                    value_char(v),
                    r + 1,
                    c + 1
                ),
            );
        }
        return correct(rng);
    }
    if roll < 68 {
        let filled: Vec<(usize, usize)> = (0..n * n)
            .map(|i| (i / n, i % n))
            .filter(|&(r, c)| board.get(r, c).is_some())
            .collect();
        let (r, c) = pick(rng, &filled);
        let v = 1 + rng.below(n as u64) as u8;
        return answer(Move::new(r, c, v), "This cell looks open to me.");
    }
    if roll < 82 {
        // Legal guess that is not the solution's value.
        for _ in 0..8 {
            let (r, c) = pick(rng, &empty);
            let truth = solution.get(r, c);
            let wrong: Vec<u8> = board
                .candidates(r, c)
                .iter()
                .filter(|&v| Some(v) != truth)
                .collect();
            if !wrong.is_empty() {
                let v = wrong[rng.below(wrong.len() as u64) as usize];
                return answer(
                    Move::new(r, c, v),
                    &format!(
                        "{} is not in row {} or column {}, so it must go here.",
                        value_char(v),
                        r + 1,
                        c + 1
                    ),
                );
            }
        }
        return correct(rng);
    }
    if roll < 90 {
        return [
            "I need to look at the whole board carefully before I decide.",
            "<think>rows and columns</think>",
            "The answer is 5.",
        ][rng.below(3) as usize]
            .to_string();
    }
    match s.banned().iter().next() {
        Some(&mv) => answer(mv, "Trying this again."),
        None => correct(rng),
    }
}

/// Experiences with their ids, and (puzzle id, solution line) pairs.
pub type Played = (Vec<(String, Experience)>, Vec<(String, String)>);

/// Plays sessions on puzzles of `size` (seeds from `seed`) until `count` experiences exist.
/// Ids are `e{n}`; puzzle ids `p{seed}`. Returns the experiences and (puzzle id, solution line).
pub fn experiences(size: usize, seed: u64, count: usize) -> Played {
    let mut out = Vec::new();
    let mut solutions = Vec::new();
    let mut rng = Xoshiro256StarStar::seed_from_u64(seed);
    let mut k = 0u64;
    while out.len() < count {
        let p = puzzle(size, seed.wrapping_add(k));
        let pid = format!("p{}", seed.wrapping_add(k));
        k += 1;
        solutions.push((pid.clone(), p.solution.to_line()));
        let mut s = PlaySession::new(p.givens.clone(), p.solution.clone(), Limits::default())
            .expect("session");
        while s.status() == &Status::Running && out.len() < count {
            let text = next_answer(&s, &p.solution, &mut rng);
            s.handle_answer(&text, None).expect("running");
        }
        for i in 0..s.attempts().len() {
            let context = ExperienceContext {
                session_id: format!("s{k}"),
                puzzle_id: pid.clone(),
                model: "scripted".into(),
                profile_id: "local".into(),
                ..ExperienceContext::default()
            };
            out.push((
                format!("e{:06}", out.len()),
                Experience::from_attempt(&s, i, context),
            ));
        }
    }
    out.truncate(count);
    (out, solutions)
}
