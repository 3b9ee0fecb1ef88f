//! Lines out of a byte stream that arrives in chunks of any size, in bounded memory: a line is
//! kept only up to the import's line limit, so a file without newlines cannot grow the buffer
//! past it.

/// One line from [`LineSplitter`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// A line's bytes, without its `\n`.
    Line(&'a [u8]),
    /// A line longer than the limit, by its length in bytes; its bytes were dropped.
    Overlong(usize),
}

/// Splits chunks of bytes at `\n`, whatever the chunk boundaries (a UTF-8 character split
/// across chunks is joined again, since only whole lines come out).
pub struct LineSplitter {
    pending: Vec<u8>,
    limit: usize,
    /// The length so far of a line already past the limit.
    overlong: Option<usize>,
}

impl LineSplitter {
    /// A splitter that drops lines longer than `limit` bytes.
    pub fn new(limit: usize) -> LineSplitter {
        LineSplitter {
            pending: Vec::new(),
            limit,
            overlong: None,
        }
    }

    fn take(&mut self, segment: &[u8]) {
        match &mut self.overlong {
            Some(len) => *len += segment.len(),
            None if self.pending.len() + segment.len() > self.limit => {
                self.overlong = Some(self.pending.len() + segment.len());
                self.pending = Vec::new();
            }
            None => self.pending.extend_from_slice(segment),
        }
    }

    fn end_line(&mut self, segment: &[u8], each: &mut impl FnMut(Piece<'_>)) {
        if self.overlong.is_none() && self.pending.is_empty() && segment.len() <= self.limit {
            // The whole line is in this chunk: no copy.
            each(Piece::Line(segment));
            return;
        }
        self.take(segment);
        match self.overlong.take() {
            Some(len) => each(Piece::Overlong(len)),
            None => each(Piece::Line(&self.pending)),
        }
        self.pending.clear();
    }

    /// Feeds the next chunk; `each` gets every line it completes, in order.
    pub fn push(&mut self, chunk: &[u8], mut each: impl FnMut(Piece<'_>)) {
        let mut rest = chunk;
        while let Some(at) = rest.iter().position(|&b| b == b'\n') {
            self.end_line(&rest[..at], &mut each);
            rest = &rest[at + 1..];
        }
        self.take(rest);
    }

    /// Ends the stream: the last line, if it had no `\n` after it.
    pub fn finish(mut self, mut each: impl FnMut(Piece<'_>)) {
        if self.overlong.is_some() || !self.pending.is_empty() {
            self.end_line(&[], &mut each);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]], limit: usize) -> Vec<Result<Vec<u8>, usize>> {
        let mut out = Vec::new();
        let mut collect = |piece: Piece<'_>| {
            out.push(match piece {
                Piece::Line(bytes) => Ok(bytes.to_vec()),
                Piece::Overlong(len) => Err(len),
            })
        };
        let mut splitter = LineSplitter::new(limit);
        for chunk in chunks {
            splitter.push(chunk, &mut collect);
        }
        splitter.finish(&mut collect);
        out
    }

    #[test]
    fn lines_cross_chunks_and_overlong_ones_are_measured_not_kept() {
        let lines = split(&[b"ab", b"c\nd", b"\n\nlonger than", b" four\nxy"], 4);
        assert_eq!(
            lines,
            vec![
                Ok(b"abc".to_vec()),
                Ok(b"d".to_vec()),
                Ok(Vec::new()),
                Err(16),
                Ok(b"xy".to_vec())
            ]
        );
        // A split UTF-8 character comes out whole.
        let e = "é".as_bytes();
        assert_eq!(split(&[&e[..1], &e[1..]], 10), vec![Ok(e.to_vec())]);
        assert!(split(&[b""], 4).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn any_chunking_gives_the_lines_of_the_whole(
            text in "[ab\n]{0,40}",
            cuts in proptest::collection::vec(0usize..40, 0..6),
            limit in 0usize..8,
        ) {
            let bytes = text.as_bytes();
            let mut cuts: Vec<usize> = cuts.into_iter().filter(|c| *c <= bytes.len()).collect();
            cuts.sort();
            let mut chunks: Vec<&[u8]> = Vec::new();
            let mut from = 0;
            for cut in cuts {
                chunks.push(&bytes[from..cut]);
                from = cut;
            }
            chunks.push(&bytes[from..]);
            let mut want: Vec<Result<Vec<u8>, usize>> = text
                .split('\n')
                .map(|l| if l.len() > limit { Err(l.len()) } else { Ok(l.as_bytes().to_vec()) })
                .collect();
            // Like `str::lines`, nothing follows a final newline.
            if want.last() == Some(&Ok(Vec::new())) {
                want.pop();
            }
            proptest::prop_assert_eq!(split(&chunks, limit), want);
        }
    }
}
