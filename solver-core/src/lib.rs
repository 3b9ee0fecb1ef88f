//! The Machine Dream puzzle engine: Sudoku grids of sizes 4, 6, 9, 12, 16 and 25, their file
//! formats, an exact solver and a seeded generator.
//!
//! Pure Rust with no I/O, clock or platform randomness, so the same code (and the same seed →
//! puzzle mapping) runs natively and in wasm32 for the browser and the edge worker.
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

pub mod dream;
pub mod experiment;
pub mod format;
pub mod generate;
pub mod grid;
pub mod human;
pub mod llm;
pub mod memory;
pub mod play;
pub mod profile;
mod puzzle;
pub mod rng;
pub mod solve;
pub mod symmetry;
pub mod unit;

pub use grid::{Grid, Shape};
pub use human::{next_step, rate, solve_steps, Band, Rating, Step, Technique};
pub use puzzle::{Puzzle, PuzzleError};
