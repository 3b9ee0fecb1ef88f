//! One module per screen. Screens are thin: they read and write storage, call the LLM client
//! and render; every decision comes from solver-core.

pub mod play;
