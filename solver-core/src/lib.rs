//! The Machine Dream puzzle engine: Sudoku grids of sizes 4, 6, 9, 12, 16 and 25, their file
//! formats, an exact solver, a human-technique solver that explains and rates, and a seeded
//! generator. The `sudoku` command line tool (`cli` feature) is the engine for scripts.
//!
//! Pure Rust with no I/O, clock or platform randomness, so the same code (and the same seed →
//! puzzle mapping) runs natively and in wasm32 for the browser. The engine knows nothing of
//! language models or learning: that is the `learning-lab` crate, built on top of this one.
//!
//! ```
//! use solver_core::generate::{generate, GenerateOptions};
//! use solver_core::symmetry::Symmetry;
//! use solver_core::solve::count_solutions;
//!
//! let puzzle = generate(&GenerateOptions {
//!     size: 9,
//!     seed: 42,
//!     symmetry: Symmetry::Rotational,
//!     target_clues: None,
//!     band: None,
//!     minimal: false,
//! })
//! .unwrap();
//! assert_eq!(count_solutions(&puzzle.givens, 2), 1);
//! assert!(puzzle.givens.agrees_with(&puzzle.solution));
//! ```

#![warn(missing_docs)]

pub mod format;
pub mod game;
pub mod generate;
pub mod grid;
pub mod human;
pub mod library;
mod puzzle;
pub mod rng;
pub mod solve;
pub mod symmetry;

pub use grid::{Grid, Shape};
pub use human::{next_step, rate, solve_steps, Band, Rating, Step, Technique};
pub use puzzle::{Puzzle, PuzzleError};
