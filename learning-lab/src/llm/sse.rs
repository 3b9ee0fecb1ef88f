//! An incremental Server-Sent Events decoder (the WHATWG `text/event-stream` rules).
//!
//! Network reads cut a stream anywhere: inside a line, between the `\r` and `\n` of a CRLF,
//! inside a multi-byte UTF-8 character. The decoder keeps whatever is incomplete and emits an
//! event only when its terminating blank line has arrived, so any chunking of the same bytes
//! gives the same events (property-tested): an event whose line the network cut in two is
//! never lost (`tests::events_split_across_chunks_are_kept`).
//!
//! Lines end in CRLF, LF or a lone CR. Lines starting with `:` are comments (keep-alives) and
//! are skipped. `data:` lines of one event are joined with `\n`. `[DONE]` is an ordinary data
//! payload here; [`SseEvent::is_done`] names it for the chat layer.

/// One dispatched event.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The `event:` field, if the server named the event type.
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
    /// The last `id:` field seen, if any.
    pub id: Option<String>,
}

impl SseEvent {
    /// Whether this is the OpenAI end-of-stream marker `data: [DONE]`.
    pub fn is_done(&self) -> bool {
        self.data.trim() == "[DONE]"
    }
}

/// Turns a byte stream into [`SseEvent`]s, chunk by chunk.
#[derive(Clone, Debug, Default)]
pub struct SseDecoder {
    /// Bytes of the current, not yet terminated line.
    line: Vec<u8>,
    /// The previous chunk ended in `\r`: a `\n` starting the next chunk belongs to it.
    after_cr: bool,
    /// Whether the first line was seen (a UTF-8 byte-order mark is dropped from it).
    started: bool,
    event: Option<String>,
    data: String,
    has_data: bool,
    id: Option<String>,
}

impl SseDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> SseDecoder {
        SseDecoder::default()
    }

    /// Feeds the next bytes; returns the events they completed, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        for &byte in bytes {
            if self.after_cr {
                self.after_cr = false;
                if byte == b'\n' {
                    continue;
                }
            }
            match byte {
                b'\r' => {
                    self.after_cr = true;
                    self.end_line(&mut events);
                }
                b'\n' => self.end_line(&mut events),
                _ => self.line.push(byte),
            }
        }
        events
    }

    /// The stream closed: completes a last unterminated line and dispatches a last event that
    /// has data but no blank line after it (servers that close right after the final `data:`
    /// line would otherwise lose it; the spec discards it, we prefer not to lose answers).
    pub fn finish(&mut self) -> Vec<SseEvent> {
        let mut events = Vec::new();
        if !self.line.is_empty() {
            self.end_line(&mut events);
        }
        self.after_cr = false;
        self.end_line(&mut events);
        events
    }

    fn end_line(&mut self, events: &mut Vec<SseEvent>) {
        let mut bytes = std::mem::take(&mut self.line);
        if !self.started {
            self.started = true;
            if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
                bytes.drain(..3);
            }
        }
        // Whole lines only: a UTF-8 character split across chunks is complete by now.
        let line = String::from_utf8_lossy(&bytes);
        if line.is_empty() {
            if self.has_data {
                let mut data = std::mem::take(&mut self.data);
                if data.ends_with('\n') {
                    data.pop();
                }
                events.push(SseEvent {
                    event: self.event.take(),
                    data,
                    id: self.id.clone(),
                });
            }
            self.has_data = false;
            self.event = None;
            self.data.clear();
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.find(':') {
            Some(at) => {
                let value = &line[at + 1..];
                (&line[..at], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (&line[..], ""),
        };
        match field {
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
                self.has_data = true;
            }
            "event" => self.event = Some(value.to_string()),
            "id" if !value.contains('\0') => self.id = Some(value.to_string()),
            // `retry:` and unknown fields are ignored: reconnection is the client's policy.
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode_all(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut decoder = SseDecoder::new();
        let mut events = Vec::new();
        for chunk in chunks {
            events.extend(decoder.push(chunk));
        }
        events.extend(decoder.finish());
        events
    }

    fn data(text: &str) -> SseEvent {
        SseEvent {
            data: text.to_string(),
            ..SseEvent::default()
        }
    }

    #[test]
    fn events_split_across_chunks_are_kept() {
        // Parsing each network chunk on its own would lose the event whose line is cut in two.
        let events = decode_all(&[b"data: {\"a\":", b"1}\n", b"\ndata: [DO", b"NE]\n\n"]);
        assert_eq!(events, vec![data("{\"a\":1}"), data("[DONE]")]);
        assert!(events[1].is_done());
    }

    #[test]
    fn line_endings_comments_fields_and_multiline_data() {
        let stream = b"\xEF\xBB\xBF: keep-alive\r\nevent: delta\rid: 7\r\ndata: one\ndata:two\n\r\ndata\n\n\n\nretry: 10\ndata: x";
        let events = decode_all(&[stream]);
        assert_eq!(
            events,
            vec![
                SseEvent {
                    event: Some("delta".into()),
                    data: "one\ntwo".into(),
                    id: Some("7".into()),
                },
                SseEvent {
                    event: None,
                    data: String::new(),
                    id: Some("7".into()),
                },
                SseEvent {
                    event: None,
                    data: "x".into(),
                    id: Some("7".into()),
                },
            ]
        );
    }

    #[test]
    fn crlf_split_between_chunks_is_one_line_end() {
        let events = decode_all(&[b"data: a\r", b"\n\r", b"\ndata: b\r\n\r\n"]);
        assert_eq!(events, vec![data("a"), data("b")]);
    }

    #[test]
    fn utf8_split_inside_a_character() {
        let text = "data: Zelle r1c1 ist ✓ — 数独\n\n".as_bytes();
        for cut in 0..text.len() {
            let events = decode_all(&[&text[..cut], &text[cut..]]);
            assert_eq!(
                events,
                vec![data("Zelle r1c1 ist ✓ — 数独")],
                "cut at {cut}"
            );
        }
    }

    fn event_strategy() -> impl Strategy<Value = (Option<String>, Vec<String>)> {
        (
            proptest::option::of("[a-z]{1,6}"),
            proptest::collection::vec("[ -9;-~é✓数]{0,12}", 1..4),
        )
    }

    proptest! {
        #[test]
        fn any_chunking_gives_the_same_events(
            events in proptest::collection::vec(event_strategy(), 0..6),
            endings in proptest::collection::vec(0usize..3, 64),
            comment in any::<bool>(),
            cuts in proptest::collection::vec(0usize..400, 0..12),
        ) {
            let eol = |i: usize| ["\n", "\r\n", "\r"][endings[i % endings.len()]];
            let mut stream = String::new();
            let mut expected = Vec::new();
            let mut n = 0;
            for (name, lines) in &events {
                if comment {
                    stream.push_str(": ping");
                    stream.push_str(eol(n));
                    n += 1;
                }
                if let Some(name) = name {
                    stream.push_str(&format!("event: {name}{}", eol(n)));
                    n += 1;
                }
                for line in lines {
                    stream.push_str(&format!("data: {line}{}", eol(n)));
                    n += 1;
                }
                // A blank line right after a lone CR must not start with LF: CR+LF would be
                // one line end, not two.
                let blank = if stream.ends_with('\r') && eol(n) == "\n" { "\r" } else { eol(n) };
                stream.push_str(blank);
                n += 1;
                expected.push(SseEvent { event: name.clone(), data: lines.join("\n"), id: None });
            }
            let bytes = stream.as_bytes();
            let whole = decode_all(&[bytes]);
            prop_assert_eq!(&whole, &expected);
            let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
            points.sort_unstable();
            let mut chunks = Vec::new();
            let mut start = 0;
            for p in points {
                chunks.push(&bytes[start..p]);
                start = p;
            }
            chunks.push(&bytes[start..]);
            prop_assert_eq!(decode_all(&chunks), expected);
        }

        #[test]
        fn byte_by_byte_equals_one_chunk(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let singles: Vec<&[u8]> = bytes.chunks(1).collect();
            prop_assert_eq!(decode_all(&singles), decode_all(&[&bytes]));
        }
    }
}
