//! Small view components shared by screens.

pub mod board;
