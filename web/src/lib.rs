//! The Machine Dream web app (Leptos CSR): it renders, stores and fetches; every decision is
//! learning-lab's or solver-core's. See ARCHITECTURE.md.
//!
//! - [`app`] — the router; [`pages`] — one module per screen; [`components`] — the parts
//!   screens are built from;
//! - [`drivers`] — the drivers of the lab's state machines (play, dream, experiment);
//! - [`storage`] — IndexedDB: every record type the app stores, typed per store; [`db`] — the
//!   page's one open database and the app-wide lookups over it;
//! - [`llm`] — the LLM client (fetch, streams, cancel); [`edge`] — where the edge API is;
//! - [`game`] — a person's game; [`download`] — files in and out; [`pwa`] — the service
//!   worker.

pub mod app;
pub mod base_path;
pub mod components;
pub mod db;
pub mod download;
pub mod drivers;
pub mod edge;
pub mod engine;
pub mod game;
pub mod llm;
pub mod log;
pub mod pages;
pub mod pwa;
pub mod storage;
