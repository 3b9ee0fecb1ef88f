//! The Machine Dream web app (Leptos CSR). Thin over solver-core: screens, IndexedDB storage,
//! the edge API client and the PWA shell. See ARCHITECTURE.md.

pub mod app;
pub mod base_path;
pub mod components;
pub mod db;
pub mod download;
pub mod dreamer;
pub mod edge;
pub mod engine;
pub mod experiment_runner;
pub mod game;
pub mod llm;
pub mod pages;
pub mod player;
pub mod pwa;
pub mod storage;
pub mod units;
