//! The app's log: `tracing` events from the player, dreamer, experiment runner and storage,
//! written to the browser console and kept (the last [`KEPT`]) so the System screen can show,
//! filter and download them. A log a person can read: one line per event, its level, where
//! it came from, and what happened.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt::Write;

use serde::Serialize;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Entries kept in memory; older ones are dropped (the console has them all).
pub const KEPT: usize = 1000;

/// One logged event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    /// When (ms since the epoch).
    pub at: f64,
    /// `ERROR`, `WARN`, `INFO` or `DEBUG`.
    pub level: &'static str,
    /// The module it came from, e.g. `web::drivers::player`.
    pub target: String,
    /// The message, then its fields as `name=value`.
    pub message: String,
}

impl LogEntry {
    /// Whether this entry is at `level` or more severe.
    pub fn at_least(&self, level: &str) -> bool {
        rank(self.level) <= rank(level)
    }
}

fn rank(level: &str) -> u8 {
    match level {
        "ERROR" => 0,
        "WARN" => 1,
        "INFO" => 2,
        _ => 3,
    }
}

thread_local! {
    static ENTRIES: RefCell<VecDeque<LogEntry>> = const { RefCell::new(VecDeque::new()) };
}

/// The kept entries, oldest first.
pub fn entries() -> Vec<LogEntry> {
    ENTRIES.with(|e| e.borrow().iter().cloned().collect())
}

/// The kept entries as JSON lines (the download).
pub fn to_json_lines(entries: &[LogEntry]) -> String {
    entries
        .iter()
        .filter_map(|e| serde_json::to_string(e).ok())
        .map(|line| line + "\n")
        .collect()
}

/// Install the app's log as the global `tracing` subscriber (once; later calls do nothing).
pub fn init() {
    let _ = tracing::subscriber::set_global_default(AppLog);
}

/// Collects an event's message and fields into one line.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

/// Events only: the app's code logs what happened, not spans of time.
struct AppLog;

impl Subscriber for AppLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= Level::DEBUG
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut line = Line::default();
        event.record(&mut line);
        let metadata = event.metadata();
        let entry = LogEntry {
            at: js_sys::Date::now(),
            level: metadata.level().as_str(),
            target: metadata.target().to_string(),
            message: line.message + &line.fields,
        };
        let text = format!("[{}] {}: {}", entry.level, entry.target, entry.message);
        let text = wasm_bindgen::JsValue::from_str(&text);
        match *metadata.level() {
            Level::ERROR => web_sys::console::error_1(&text),
            Level::WARN => web_sys::console::warn_1(&text),
            Level::INFO => web_sys::console::info_1(&text),
            _ => web_sys::console::debug_1(&text),
        }
        ENTRIES.with(|e| {
            let mut e = e.borrow_mut();
            if e.len() == KEPT {
                e.pop_front();
            }
            e.push_back(entry);
        });
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_filter_by_severity() {
        let entry = |level| LogEntry {
            at: 0.0,
            level,
            target: "t".into(),
            message: "m".into(),
        };
        assert!(entry("ERROR").at_least("WARN"));
        assert!(entry("WARN").at_least("WARN"));
        assert!(!entry("INFO").at_least("WARN"));
        assert!(entry("DEBUG").at_least("DEBUG"));
        let lines = to_json_lines(&[entry("INFO")]);
        assert_eq!(
            lines,
            "{\"at\":0.0,\"level\":\"INFO\",\"target\":\"t\",\"message\":\"m\"}\n"
        );
    }
}
