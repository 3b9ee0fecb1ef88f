//! The human-technique solver: step-by-step deductions a person can follow, hints, and the
//! difficulty rating that band-targeted generation uses.
//!
//! Everything works on a [`Pencilmarks`] board (the candidates of each empty cell), for every
//! shape. Techniques, easiest first, with their Sudoku-Explainer-like difficulty and band,
//! are listed on [`Technique`]; bands on [`Band`].
//!
//! ```
//! use solver_core::human::{next_step, rate, Band, Technique};
//! use solver_core::Grid;
//!
//! let grid = Grid::from_line(
//!     "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3..",
//! )
//! .unwrap();
//! let hint = next_step(&grid).unwrap();
//! assert!(hint.technique.is_single());
//! let rating = rate(&grid);
//! assert_eq!(rating.band, Some(Band::Easy));
//! assert!(!rating.needs_guessing);
//! ```
//!
//! Every technique is a sound deduction (no uniqueness assumptions, no guessing), so when the
//! steps fill the grid its solution is also the only one.

mod board;
mod chains;
mod fish;
mod intersections;
mod rating;
mod singles;
mod solver;
mod step;
mod subsets;
mod technique;
mod wings;

pub(crate) use board::forced_by_peers;
pub use board::Pencilmarks;
pub use rating::{rate, Rating};
pub(crate) use solver::solvable_within;
pub use solver::{next_step, solve_steps, HumanSolve};
pub use step::Step;
pub use technique::{Band, Technique, UnknownBand};
