//! Token usage from a passed-through OpenAI SSE stream, so daily budgets are exact for streams
//! too. The edge API asks the upstream for a final usage chunk (`stream_options.include_usage`)
//! even when the client did not; [`UsageTap`] reads that chunk as the events go by and, if the
//! client did not ask for it, drops it so the client sees the stream it asked for.
//!
//! Events are forwarded byte for byte as soon as they are complete (an upstream chunk normally
//! ends on an event boundary, so nothing waits); only a trailing partial event is held until
//! its end arrives.

use serde_json::Value;

use crate::anthropic::{find_event_end, TokenCounts};

/// Passes SSE events through and remembers the last `usage` it saw.
#[derive(Debug, Clone, Default)]
pub struct UsageTap {
    buf: Vec<u8>,
    strip_usage_chunk: bool,
    /// Prompt and completion tokens from the last event that carried a `usage` object.
    pub usage: Option<TokenCounts>,
}

impl UsageTap {
    /// `strip_usage_chunk`: drop the usage-only event (`"choices": []`), because the edge API
    /// asked for it and the client did not.
    pub fn new(strip_usage_chunk: bool) -> Self {
        UsageTap {
            strip_usage_chunk,
            ..UsageTap::default()
        }
    }

    /// Feed upstream bytes; returns the bytes to send to the client now.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        if self.buf.is_empty() {
            // The common case: whole events, no copy into the buffer first.
            let (out, rest) = self.events(bytes);
            self.buf.extend_from_slice(rest);
            return out;
        }
        self.buf.extend_from_slice(bytes);
        let buf = std::mem::take(&mut self.buf);
        let (out, rest) = self.events(&buf);
        self.buf = rest.to_vec();
        out
    }

    /// The upstream ended: whatever is left (an unterminated last event) goes out unchanged.
    pub fn finish(&mut self) -> Vec<u8> {
        let rest = std::mem::take(&mut self.buf);
        self.inspect(&rest);
        rest
    }

    /// Split `bytes` into complete events (kept or dropped) and the incomplete tail.
    fn events<'a>(&mut self, bytes: &'a [u8]) -> (Vec<u8>, &'a [u8]) {
        let mut out = Vec::with_capacity(bytes.len());
        let mut rest = bytes;
        while let Some((end, sep)) = find_event_end(rest) {
            let (event, tail) = rest.split_at(end + sep);
            if self.inspect(&event[..end]) {
                out.extend_from_slice(event);
            }
            rest = tail;
        }
        (out, rest)
    }

    /// Record usage from one event; false if the event is to be dropped.
    fn inspect(&mut self, event: &[u8]) -> bool {
        // Cheap pre-check: only events that mention usage are parsed.
        if !contains(event, b"\"usage\"") {
            return true;
        }
        let text = String::from_utf8_lossy(event);
        let data: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(|d| d.strip_prefix(' ').unwrap_or(d))
            .collect();
        let Ok(v) = serde_json::from_str::<Value>(&data.join("\n")) else {
            return true;
        };
        let Some(u) = v.get("usage").filter(|u| u.is_object()) else {
            return true;
        };
        self.usage = Some((
            u["prompt_tokens"].as_u64().unwrap_or(0),
            u["completion_tokens"].as_u64().unwrap_or(0),
        ));
        let usage_only = v
            .get("choices")
            .and_then(Value::as_array)
            .is_some_and(|c| c.is_empty());
        !(self.strip_usage_chunk && usage_only)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTENT: &str = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n";
    const STOP: &str =
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
    const USAGE: &str = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18}}\n\n";
    const DONE: &str = "data: [DONE]\n\n";

    fn stream() -> String {
        [CONTENT, STOP, USAGE, DONE].concat()
    }

    #[test]
    fn the_usage_chunk_is_read_and_dropped_when_the_client_did_not_ask() {
        let mut tap = UsageTap::new(true);
        let mut out = tap.feed(stream().as_bytes());
        out.extend(tap.finish());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            [CONTENT, STOP, DONE].concat()
        );
        assert_eq!(tap.usage, Some((11, 7)));
    }

    #[test]
    fn the_usage_chunk_is_kept_when_the_client_asked() {
        let mut tap = UsageTap::new(false);
        let mut out = tap.feed(stream().as_bytes());
        out.extend(tap.finish());
        assert_eq!(String::from_utf8(out).unwrap(), stream());
        assert_eq!(tap.usage, Some((11, 7)));
    }

    #[test]
    fn events_split_across_chunks_at_every_byte_come_out_whole() {
        let s = stream();
        for cut in 1..s.len() {
            let mut tap = UsageTap::new(true);
            let mut out = tap.feed(&s.as_bytes()[..cut]);
            out.extend(tap.feed(&s.as_bytes()[cut..]));
            out.extend(tap.finish());
            assert_eq!(
                String::from_utf8(out).unwrap(),
                [CONTENT, STOP, DONE].concat(),
                "cut at {cut}"
            );
            assert_eq!(tap.usage, Some((11, 7)), "cut at {cut}");
        }
    }

    #[test]
    fn complete_events_are_not_held_back() {
        let mut tap = UsageTap::new(true);
        assert_eq!(tap.feed(CONTENT.as_bytes()), CONTENT.as_bytes());
        // Half an event waits for its end, then goes out.
        let (a, b) = STOP.split_at(10);
        assert!(tap.feed(a.as_bytes()).is_empty());
        assert_eq!(tap.feed(b.as_bytes()), STOP.as_bytes());
    }

    #[test]
    fn usage_on_a_chunk_with_choices_is_read_and_never_dropped() {
        // llama.cpp puts usage (and timings) on the last content chunk.
        let last = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\r\n\r\n";
        let mut tap = UsageTap::new(true);
        assert_eq!(tap.feed(last.as_bytes()), last.as_bytes());
        assert_eq!(tap.usage, Some((3, 4)));
    }

    #[test]
    fn no_usage_and_odd_events_pass_unchanged() {
        let odd =
            ": keep-alive\n\nevent: x\ndata: {\"usage\": null}\n\ndata: not json \"usage\"\n\n";
        let mut tap = UsageTap::new(true);
        let mut out = tap.feed(odd.as_bytes());
        out.extend(tap.feed(b"data: {\"unterminated\""));
        out.extend(tap.finish());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("{odd}data: {{\"unterminated\"")
        );
        assert_eq!(tap.usage, None);
    }
}
