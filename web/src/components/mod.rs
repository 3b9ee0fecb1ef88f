//! The parts screens are built from.

pub mod board_view;
pub mod game_board;
pub mod move_list;
pub mod number_field;
pub mod profile_select;
pub mod size_select;
pub mod tour;
pub mod trend;
pub mod unit_detail;
pub mod unit_ledger;
pub mod unit_versions;
