//! The index as bytes, so a browser can keep it on disk and load it instead of rebuilding it.
//!
//! Layout (every number an unsigned LEB128 varint):
//! `MAGIC`, slot count, per slot (id byte length, id bytes, document length — 0 for a removed
//! slot), term count, per term (term byte length, term bytes, posting count, per posting
//! (slot, term frequency)). Slots keep their numbers, so postings need no id lookup.
//!
//! [`SnapshotEncoder`] and [`SnapshotDecoder`] write and read a bounded number of items per
//! `step`, so a caller on a UI thread can yield between steps (a 100,000-experience index is
//! about 14 MB); the decoder everything it reads is checked (slot in range,
//! unique ids, lengths equal to the sum of their term frequencies), so damaged bytes give a
//! [`SnapshotError`], never a wrong index.

use std::collections::btree_map;
use std::collections::BTreeMap;

use super::{Bm25Index, Doc};

/// First bytes of every snapshot; the last byte is the layout version.
pub const MAGIC: &[u8; 8] = b"MDBM25\x00\x01";

/// Bytes that are not a snapshot of this layout, or are damaged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotError(pub String);

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the saved search index is damaged ({})", self.0)
    }
}

impl std::error::Error for SnapshotError {}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    put_varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

impl Bm25Index {
    /// The index as snapshot bytes (see the module docs); [`SnapshotDecoder`] reads them back.
    pub fn to_snapshot(&self) -> Vec<u8> {
        let mut encoder = SnapshotEncoder::new(self);
        while !encoder.step(usize::MAX) {}
        encoder.finish()
    }

    /// Decodes a whole snapshot at once (see [`SnapshotDecoder`] for the stepwise form).
    ///
    /// # Errors
    /// The bytes are not a snapshot or are damaged.
    pub fn from_snapshot(bytes: Vec<u8>) -> Result<Bm25Index, SnapshotError> {
        let mut decoder = SnapshotDecoder::new(bytes)?;
        while !decoder.step(usize::MAX)? {}
        decoder.finish()
    }
}

/// Encodes an index a bounded number of items (documents or postings) at a time; the bytes
/// equal [`Bm25Index::to_snapshot`]'s. It borrows the index, so the index cannot change
/// between steps.
pub struct SnapshotEncoder<'a> {
    index: &'a Bm25Index,
    out: Vec<u8>,
    /// Next document slot to write, until all are written.
    doc: usize,
    terms: btree_map::Iter<'a, String, Vec<(u32, u32)>>,
    /// The term being written and how many of its postings are out.
    current: Option<(&'a [(u32, u32)], usize)>,
    terms_started: bool,
}

impl<'a> SnapshotEncoder<'a> {
    /// Starts encoding `index`.
    pub fn new(index: &'a Bm25Index) -> SnapshotEncoder<'a> {
        let postings: usize = index.postings.values().map(Vec::len).sum();
        let mut out = Vec::with_capacity(16 + index.docs.len() * 24 + postings * 4);
        out.extend_from_slice(MAGIC);
        put_varint(&mut out, index.docs.len() as u64);
        SnapshotEncoder {
            index,
            out,
            doc: 0,
            terms: index.postings.iter(),
            current: None,
            terms_started: false,
        }
    }

    /// Encodes up to `budget` items; `true` once everything is encoded.
    pub fn step(&mut self, budget: usize) -> bool {
        let mut done = 0usize;
        while done < budget {
            if let Some(doc) = self.index.docs.get(self.doc) {
                put_text(&mut self.out, &doc.id);
                put_varint(&mut self.out, u64::from(doc.len));
                self.doc += 1;
                done += 1;
                continue;
            }
            if !self.terms_started {
                put_varint(&mut self.out, self.index.postings.len() as u64);
                self.terms_started = true;
            }
            match &mut self.current {
                Some((list, at)) if *at < list.len() => {
                    let (slot, tf) = list[*at];
                    put_varint(&mut self.out, u64::from(slot));
                    put_varint(&mut self.out, u64::from(tf));
                    *at += 1;
                    done += 1;
                }
                _ => match self.terms.next() {
                    Some((term, list)) => {
                        put_text(&mut self.out, term);
                        put_varint(&mut self.out, list.len() as u64);
                        self.current = Some((list, 0));
                    }
                    None => {
                        self.current = None;
                        return true;
                    }
                },
            }
        }
        false
    }

    /// Bytes written so far (for progress).
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// Whether nothing but the header is written yet.
    pub fn is_empty(&self) -> bool {
        self.out.len() <= MAGIC.len()
    }

    /// The snapshot bytes; call once [`SnapshotEncoder::step`] returned `true`.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Docs { left: u64 },
    TermCount,
    Term { left: u64 },
    Postings { left: u64, terms_left: u64 },
    Done,
}

/// Decodes snapshot bytes a bounded number of items (documents or postings) at a time.
pub struct SnapshotDecoder {
    bytes: Vec<u8>,
    pos: usize,
    stage: Stage,
    docs: Vec<Doc>,
    /// Sum of term frequencies seen per slot, checked against each document's length.
    seen: Vec<u32>,
    postings: BTreeMap<String, Vec<(u32, u32)>>,
    current: Option<(String, Vec<(u32, u32)>)>,
}

impl SnapshotDecoder {
    /// Starts decoding `bytes`.
    ///
    /// # Errors
    /// The bytes do not start with [`MAGIC`].
    pub fn new(bytes: Vec<u8>) -> Result<SnapshotDecoder, SnapshotError> {
        if !bytes.starts_with(MAGIC) {
            return Err(SnapshotError("not a search index snapshot".into()));
        }
        let mut decoder = SnapshotDecoder {
            bytes,
            pos: MAGIC.len(),
            stage: Stage::Done,
            docs: Vec::new(),
            seen: Vec::new(),
            postings: BTreeMap::new(),
            current: None,
        };
        let slots = decoder.varint()?;
        // Each slot takes at least two bytes, so a count beyond that is damage, not a reason
        // to reserve memory.
        if slots > (decoder.bytes.len() as u64) / 2 {
            return Err(SnapshotError(format!(
                "{slots} slots in {} bytes",
                decoder.bytes.len()
            )));
        }
        decoder.docs.reserve(slots as usize);
        decoder.stage = Stage::Docs { left: slots };
        Ok(decoder)
    }

    fn varint(&mut self) -> Result<u64, SnapshotError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let Some(&byte) = self.bytes.get(self.pos) else {
                return Err(SnapshotError("cut short".into()));
            };
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(SnapshotError("a number is too long".into()))
    }

    fn small(&mut self, what: &str) -> Result<u32, SnapshotError> {
        let value = self.varint()?;
        u32::try_from(value).map_err(|_| SnapshotError(format!("{what} {value} is too large")))
    }

    fn text(&mut self) -> Result<String, SnapshotError> {
        let len = self.varint()?;
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| self.pos.checked_add(len))
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| SnapshotError("cut short".into()))?;
        let text = std::str::from_utf8(&self.bytes[self.pos..end])
            .map_err(|_| SnapshotError("a text is not UTF-8".into()))?
            .to_string();
        self.pos = end;
        Ok(text)
    }

    /// Decodes up to `budget` items; `Ok(true)` once everything is decoded.
    ///
    /// # Errors
    /// The bytes are damaged.
    pub fn step(&mut self, budget: usize) -> Result<bool, SnapshotError> {
        let mut done = 0usize;
        while done < budget {
            match self.stage {
                Stage::Docs { left: 0 } => self.stage = Stage::TermCount,
                Stage::Docs { left } => {
                    let id = self.text()?;
                    let len = self.small("a document length")?;
                    if (len == 0) != id.is_empty() {
                        return Err(SnapshotError(format!("slot {:?} has length {len}", id)));
                    }
                    self.docs.push(Doc { id, len });
                    self.seen.push(0);
                    self.stage = Stage::Docs { left: left - 1 };
                    done += 1;
                }
                Stage::TermCount => {
                    let terms = self.varint()?;
                    self.stage = Stage::Term { left: terms };
                }
                Stage::Term { left: 0 } => {
                    if self.pos != self.bytes.len() {
                        return Err(SnapshotError("bytes after the last term".into()));
                    }
                    self.stage = Stage::Done;
                }
                Stage::Term { left } => {
                    let term = self.text()?;
                    if term.is_empty() || self.postings.contains_key(&term) {
                        return Err(SnapshotError(format!("term {term:?} is empty or repeated")));
                    }
                    let count = self.varint()?;
                    if count == 0 || count > self.docs.len() as u64 {
                        return Err(SnapshotError(format!("term {term:?} has {count} postings")));
                    }
                    self.current = Some((term, Vec::with_capacity(count as usize)));
                    self.stage = Stage::Postings {
                        left: count,
                        terms_left: left - 1,
                    };
                }
                Stage::Postings {
                    left: 0,
                    terms_left,
                } => {
                    let (term, list) = self.current.take().expect("a term is open");
                    self.postings.insert(term, list);
                    self.stage = Stage::Term { left: terms_left };
                }
                Stage::Postings { left, terms_left } => {
                    let slot = self.small("a slot")?;
                    let tf = self.small("a term frequency")?;
                    let Some(doc) = self.docs.get(slot as usize) else {
                        return Err(SnapshotError(format!("slot {slot} does not exist")));
                    };
                    if doc.len == 0 || tf == 0 {
                        return Err(SnapshotError(format!("posting ({slot}, {tf}) is empty")));
                    }
                    let seen = &mut self.seen[slot as usize];
                    *seen = seen.saturating_add(tf);
                    if *seen > doc.len {
                        return Err(SnapshotError(format!("slot {slot} has too many terms")));
                    }
                    self.current
                        .as_mut()
                        .expect("a term is open")
                        .1
                        .push((slot, tf));
                    self.stage = Stage::Postings {
                        left: left - 1,
                        terms_left,
                    };
                    done += 1;
                }
                Stage::Done => return Ok(true),
            }
        }
        Ok(self.stage == Stage::Done)
    }

    /// The decoded index.
    ///
    /// # Errors
    /// Decoding is not finished, or the documents do not add up.
    pub fn finish(self) -> Result<Bm25Index, SnapshotError> {
        if self.stage != Stage::Done {
            return Err(SnapshotError("not fully decoded".into()));
        }
        let mut index = Bm25Index::new();
        for (slot, (doc, seen)) in self.docs.iter().zip(&self.seen).enumerate() {
            if doc.len != *seen {
                return Err(SnapshotError(format!(
                    "slot {slot} has length {} but {seen} terms",
                    doc.len
                )));
            }
            if doc.len == 0 {
                index.free.push(slot as u32);
            } else if index.slot_of.insert(doc.id.clone(), slot as u32).is_some() {
                return Err(SnapshotError(format!("id {:?} appears twice", doc.id)));
            } else {
                index.total_len += u64::from(doc.len);
            }
        }
        index.docs = self.docs;
        index.postings = self.postings;
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bm25Index {
        let mut index = Bm25Index::new();
        index.add("a", "row conflict row r3c5");
        index.add("b", "box conflict");
        index.add("c", "correct move naïve");
        index.remove("b");
        index
    }

    #[test]
    fn a_snapshot_gives_the_same_index_with_its_holes() {
        let index = sample();
        let back = Bm25Index::from_snapshot(index.to_snapshot()).unwrap();
        assert_eq!(back, index);
        assert_eq!(
            back.search("conflict naïve", 5),
            index.search("conflict naïve", 5)
        );
        // The hole left by "b" is reused, as in the original.
        let (mut a, mut b) = (index, back);
        a.add("d", "box");
        b.add("d", "box");
        assert_eq!(a.to_snapshot(), b.to_snapshot());
    }

    #[test]
    fn stepwise_decoding_respects_the_budget() {
        let bytes = sample().to_snapshot();
        let mut decoder = SnapshotDecoder::new(bytes).unwrap();
        let mut steps = 0;
        while !decoder.step(1).unwrap() {
            steps += 1;
        }
        // 3 slots and 6 postings, one per step.
        assert!(steps >= 9, "{steps}");
        assert_eq!(decoder.finish().unwrap(), sample());
    }

    #[test]
    fn stepwise_encoding_gives_the_same_bytes_as_encoding_at_once() {
        let index = sample();
        let whole = index.to_snapshot();
        let mut encoder = SnapshotEncoder::new(&index);
        let mut steps = 1;
        while !encoder.step(1) {
            steps += 1;
        }
        // 3 slots and 6 postings, one per step, then the end.
        assert_eq!(steps, 10);
        assert_eq!(encoder.finish(), whole);
        let empty = Bm25Index::new();
        let mut encoder = SnapshotEncoder::new(&empty);
        assert!(encoder.step(1));
        assert_eq!(encoder.finish(), empty.to_snapshot());
    }

    #[test]
    fn damaged_bytes_are_refused() {
        assert!(Bm25Index::from_snapshot(b"not a snapshot".to_vec()).is_err());
        let mut bytes = sample().to_snapshot();
        bytes.push(0);
        assert!(Bm25Index::from_snapshot(bytes).is_err());
        let empty = Bm25Index::new().to_snapshot();
        assert_eq!(Bm25Index::from_snapshot(empty).unwrap(), Bm25Index::new());
        let unfinished = SnapshotDecoder::new(sample().to_snapshot()).unwrap();
        assert!(unfinished.finish().is_err());
    }

    proptest::proptest! {
        #[test]
        fn every_truncation_or_flipped_byte_is_an_error_or_the_same_index(
            texts in proptest::collection::vec("[abc ]{0,8}", 1..6),
            cut in 0usize..200,
            flip in 0usize..200,
            bit in 0u8..8,
        ) {
            let mut index = Bm25Index::new();
            for (i, text) in texts.iter().enumerate() {
                index.add(&format!("d{i}"), text);
            }
            let bytes = index.to_snapshot();
            let mut encoder = SnapshotEncoder::new(&index);
            while !encoder.step(cut % 7 + 1) {}
            proptest::prop_assert_eq!(&encoder.finish(), &bytes);
            let back = Bm25Index::from_snapshot(bytes.clone()).unwrap();
            proptest::prop_assert_eq!(&back, &index);
            if cut < bytes.len() {
                proptest::prop_assert!(Bm25Index::from_snapshot(bytes[..cut].to_vec()).is_err());
            }
            if flip < bytes.len() {
                let mut damaged = bytes.clone();
                damaged[flip] ^= 1 << bit;
                // A flipped bit either fails a check or still describes a consistent index
                // (e.g. another letter in a term); it never panics.
                if let Ok(other) = Bm25Index::from_snapshot(damaged) {
                    proptest::prop_assert_eq!(other.len(), index.len());
                }
            }
        }
    }
}
