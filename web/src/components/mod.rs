pub mod board;
pub mod board_view;
pub mod move_list;
pub mod profile_select;
pub mod size_select;
pub mod trend;
