//! [`ReadyPuzzle`]: a puzzle ready to play — its id, givens and solution.

use solver_core::generate::{generate, GenerateError, GenerateOptions};
use solver_core::grid::Grid;

use super::session::{Limits, PlaySession, SessionError};

/// A puzzle ready to play: its id, givens and solution (and the generator seed, if it was
/// generated). Made by [`ReadyPuzzle::generate`] for a free play, or by
/// `PlannedPuzzle::materialise` for an experiment's run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadyPuzzle {
    /// The puzzle's id, the key it is stored under.
    pub id: String,
    /// The generator seed, when it was generated.
    pub seed: Option<u64>,
    /// The givens.
    pub givens: Grid,
    /// The unique solution.
    pub solution: Grid,
}

impl ReadyPuzzle {
    /// The id of the puzzle generated with default options for `size` and `seed`:
    /// `{size}x{size}-seed-{seed}`.
    pub fn generated_id(size: usize, seed: u64) -> String {
        format!("{size}x{size}-seed-{seed}")
    }

    /// The puzzle of `size` and `seed` with default options (no symmetry, any difficulty),
    /// named by [`ReadyPuzzle::generated_id`].
    ///
    /// # Errors
    /// An unsupported size.
    pub fn generate(size: usize, seed: u64) -> Result<ReadyPuzzle, GenerateError> {
        let puzzle = generate(&GenerateOptions::new(size, seed))?;
        Ok(ReadyPuzzle {
            id: ReadyPuzzle::generated_id(size, seed),
            seed: Some(seed),
            givens: puzzle.givens,
            solution: puzzle.solution,
        })
    }

    /// Grid side length.
    pub fn size(&self) -> usize {
        self.givens.size()
    }

    /// A new play of this puzzle.
    ///
    /// # Errors
    /// See [`PlaySession::new`].
    pub fn session(&self, limits: Limits) -> Result<PlaySession, SessionError> {
        PlaySession::new(self.givens.clone(), self.solution.clone(), limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_puzzle_is_named_by_size_and_seed_and_is_solved() {
        let p = ReadyPuzzle::generate(4, 7).unwrap();
        assert_eq!(p.id, "4x4-seed-7");
        assert_eq!(p.seed, Some(7));
        assert!(p.givens.agrees_with(&p.solution));
        assert_eq!(p.size(), 4);
        let session = p.session(Limits::default()).unwrap();
        assert_eq!(session.givens(), &p.givens);
        assert_eq!(
            ReadyPuzzle::generate(4, 7).unwrap(),
            p,
            "one seed, one puzzle"
        );
        assert!(ReadyPuzzle::generate(5, 7).is_err());
    }
}
