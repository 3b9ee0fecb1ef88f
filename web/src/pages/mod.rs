//! One module per screen. Screens are thin: they read and write storage, call the LLM client
//! and render; every decision comes from learning-lab and solver-core.

pub mod compare;
pub mod dream;
pub mod experiments;
pub mod generate;
pub mod help;
pub mod home;
pub mod library;
pub mod llm_play;
pub mod memory;
pub mod play;
pub mod profiles;
pub mod sessions;
pub mod system;
pub mod units;
