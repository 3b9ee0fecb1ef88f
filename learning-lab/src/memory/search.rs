//! Full-text search over remembered attempts: a BM25 ranking over an incremental inverted index.
//!
//! The index keeps term statistics only (postings of document slot and term frequency, and each
//! document's length), never the texts, so memory stays bounded by the vocabulary actually used
//! rather than by how long the reasoning was. Maps are ordered (`BTreeMap`) so results never
//! depend on a hash seed, and ties in score are broken by id so equal inputs give equal output
//! on every platform.
//!
//! Scoring is Okapi BM25 with `k1 = 1.2`, `b = 0.75` and the non-negative idf
//! `ln(1 + (N - df + 0.5) / (df + 0.5))`. Each distinct query term counts once.

use std::collections::BTreeMap;

mod snapshot;

pub use snapshot::{SnapshotDecoder, SnapshotEncoder, SnapshotError, MAGIC};

/// BM25 term-frequency saturation.
pub const K1: f64 = 1.2;
/// BM25 document-length normalisation.
pub const B: f64 = 0.75;

/// Splits text into search terms: lowercase runs of letters and digits. Anything else
/// separates terms, so a move `r3c5=7` yields `r3c5` and `7`, and `ROW: 3` yields `row`, `3`.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut current = String::new();
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            current.extend(ch.to_lowercase());
        } else if !current.is_empty() {
            terms.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        terms.push(current);
    }
    terms
}

#[derive(Clone, Debug)]
struct Doc {
    id: String,
    /// Number of terms; 0 marks a removed slot (an empty text is never stored).
    len: u32,
}

/// An incremental BM25 index from document ids to term statistics.
#[derive(Clone, Debug, Default)]
pub struct Bm25Index {
    /// Slots; removed documents leave a hole with `len == 0` that `add` reuses.
    docs: Vec<Doc>,
    free: Vec<u32>,
    slot_of: BTreeMap<String, u32>,
    /// term → (slot, term frequency), in insertion order.
    postings: BTreeMap<String, Vec<(u32, u32)>>,
    total_len: u64,
}

/// Two indexes are equal when they hold the same documents with the same term statistics,
/// however their slots are laid out (an index updated record by record equals one rebuilt
/// from the same records).
/// A document as [`Bm25Index`] equality sees it: its length and its `(term, frequency)` pairs.
type DocContents<'a> = (u32, Vec<(&'a str, u32)>);

impl PartialEq for Bm25Index {
    fn eq(&self, other: &Bm25Index) -> bool {
        self.contents() == other.contents()
    }
}

impl Bm25Index {
    /// Every document by id: its length and its terms with their frequencies, sorted.
    fn contents(&self) -> BTreeMap<&str, DocContents<'_>> {
        let mut out: BTreeMap<&str, DocContents<'_>> = self
            .slot_of
            .iter()
            .map(|(id, slot)| (id.as_str(), (self.docs[*slot as usize].len, Vec::new())))
            .collect();
        for (term, list) in &self.postings {
            for &(slot, tf) in list {
                if let Some(doc) = out.get_mut(self.docs[slot as usize].id.as_str()) {
                    doc.1.push((term.as_str(), tf));
                }
            }
        }
        out
    }

    /// An empty index.
    pub fn new() -> Bm25Index {
        Bm25Index::default()
    }

    /// Number of documents indexed.
    pub fn len(&self) -> usize {
        self.slot_of.len()
    }

    /// Whether no document is indexed.
    pub fn is_empty(&self) -> bool {
        self.slot_of.is_empty()
    }

    /// Whether `id` is indexed.
    pub fn contains(&self, id: &str) -> bool {
        self.slot_of.contains_key(id)
    }

    /// Number of distinct terms (a size figure for benchmarks).
    pub fn vocabulary(&self) -> usize {
        self.postings.len()
    }

    /// Indexes `text` under `id`, replacing what `id` had. A text without terms is not indexed
    /// (it could never match).
    pub fn add(&mut self, id: &str, text: &str) {
        self.remove(id);
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        let mut len = 0u32;
        for term in tokenize(text) {
            *counts.entry(term).or_insert(0) += 1;
            len += 1;
        }
        if len == 0 {
            return;
        }
        let doc = Doc { id: id.into(), len };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.docs[slot as usize] = doc;
                slot
            }
            None => {
                self.docs.push(doc);
                (self.docs.len() - 1) as u32
            }
        };
        self.slot_of.insert(id.into(), slot);
        self.total_len += u64::from(len);
        for (term, tf) in counts {
            self.postings.entry(term).or_default().push((slot, tf));
        }
    }

    /// Forgets `id`. Removal walks every posting list (O(postings)), so many removals go
    /// through [`Bm25Index::remove_all`] (one walk for all of them).
    pub fn remove(&mut self, id: &str) {
        self.remove_all([id]);
    }

    /// Forgets every id in `ids` with ONE walk of the posting lists: replacing or deleting a
    /// batch of records costs one walk, not one per record (at 100,000 documents a walk is
    /// a few milliseconds, and re-importing 200 known records one by one took 200 of them).
    pub fn remove_all<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        let mut gone = Vec::new();
        for id in ids {
            let Some(slot) = self.slot_of.remove(id) else {
                continue;
            };
            self.total_len -= u64::from(self.docs[slot as usize].len);
            self.docs[slot as usize] = Doc {
                id: String::new(),
                len: 0,
            };
            gone.push(slot);
        }
        if gone.is_empty() {
            return;
        }
        let mut dead = vec![false; self.docs.len()];
        for &slot in &gone {
            dead[slot as usize] = true;
        }
        self.postings.retain(|_, list| {
            list.retain(|&(s, _)| !dead[s as usize]);
            !list.is_empty()
        });
        self.free.extend(gone);
    }

    /// Indexes every `(id, text)`, replacing what each id had, with one walk of the posting
    /// lists for all the replaced ones (see [`Bm25Index::remove_all`]). A later pair wins
    /// over an earlier one with the same id.
    pub fn add_all<I, T>(&mut self, docs: I)
    where
        I: IntoIterator<Item = (T, T)>,
        T: AsRef<str>,
    {
        let docs: Vec<(T, T)> = docs.into_iter().collect();
        self.remove_all(docs.iter().map(|(id, _)| id.as_ref()));
        for (id, text) in &docs {
            self.add(id.as_ref(), text.as_ref());
        }
    }

    /// The `k` best matches for `query`, best first: `(id, score)`. Equal scores are ordered
    /// by id. Documents matching no query term are not returned.
    pub fn search(&self, query: &str, k: usize) -> Vec<(String, f64)> {
        let n = self.len() as f64;
        if n == 0.0 || k == 0 {
            return Vec::new();
        }
        let avg_len = self.total_len as f64 / n;
        let mut terms = tokenize(query);
        terms.sort();
        terms.dedup();
        // Dense accumulators (one f64 per slot) beat a map when a common term touches most
        // documents; `touched` lists the slots to rank.
        let mut scores = vec![0.0f64; self.docs.len()];
        let mut touched: Vec<u32> = Vec::new();
        for term in &terms {
            let Some(list) = self.postings.get(term) else {
                continue;
            };
            let df = list.len() as f64;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            for &(slot, tf) in list {
                let tf = f64::from(tf);
                let len = f64::from(self.docs[slot as usize].len);
                let part = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg_len));
                let score = &mut scores[slot as usize];
                if *score == 0.0 {
                    touched.push(slot);
                }
                *score += part;
            }
        }
        let order = |a: &u32, b: &u32| {
            scores[*b as usize]
                .total_cmp(&scores[*a as usize])
                .then_with(|| self.docs[*a as usize].id.cmp(&self.docs[*b as usize].id))
        };
        // Select the k best before sorting, so a query matching everything costs O(matches).
        if touched.len() > k {
            touched.select_nth_unstable_by(k - 1, order);
            touched.truncate(k);
        }
        touched.sort_by(order);
        touched
            .into_iter()
            .map(|slot| (self.docs[slot as usize].id.clone(), scores[slot as usize]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn tokenizer_lowercases_and_keeps_move_tokens() {
        assert_eq!(
            tokenize("Place r3c5=7; ROW: 3, it's VALID_BUT_WRONG!"),
            vec!["place", "r3c5", "7", "row", "3", "it", "s", "valid", "but", "wrong"]
        );
        assert!(tokenize("  --  ").is_empty());
    }

    #[test]
    fn scores_match_hand_computed_bm25() {
        let mut index = Bm25Index::new();
        index.add("a", "row conflict row");
        index.add("b", "box conflict");
        index.add("c", "correct move");
        // N = 3, avg len = (3 + 2 + 2) / 3 = 7/3.
        let avg = 7.0 / 3.0;
        let idf = |df: f64| (1.0 + (3.0 - df + 0.5) / (df + 0.5)).ln();
        let part = |tf: f64, len: f64, df: f64| {
            idf(df) * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg))
        };
        let hits = index.search("row", 10);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].0, "a");
        assert!(close(hits[0].1, part(2.0, 3.0, 1.0)), "{hits:?}");

        let hits = index.search("conflict box", 10);
        let b_score = part(1.0, 2.0, 2.0) + part(1.0, 2.0, 1.0);
        let a_score = part(1.0, 3.0, 2.0);
        assert_eq!(hits[0].0, "b");
        assert!(close(hits[0].1, b_score));
        assert_eq!(hits[1].0, "a");
        assert!(close(hits[1].1, a_score));
        // Repeating a query term does not count it twice.
        assert_eq!(index.search("conflict box box", 10), hits);
    }

    #[test]
    fn ties_break_by_id_and_k_limits() {
        let mut index = Bm25Index::new();
        for id in ["z", "m", "a"] {
            index.add(id, "same words here");
        }
        let hits = index.search("words", 2);
        assert_eq!(
            hits.iter().map(|h| h.0.as_str()).collect::<Vec<_>>(),
            ["a", "m"]
        );
        assert!(index.search("words", 0).is_empty());
        assert!(index.search("absent", 5).is_empty());
    }

    /// The batch forms exist for speed (re-importing 100,000 known records removed each with
    /// its own walk of every posting list: ~200 ms per written slice of 200); they must give
    /// exactly the index that one-at-a-time calls give.
    #[test]
    fn batch_replace_and_remove_equal_one_at_a_time() {
        let texts = [
            "row conflict row",
            "box conflict",
            "correct move",
            "r3c5 naked single",
        ];
        let mut one_by_one = Bm25Index::new();
        let mut batched = Bm25Index::new();
        for (i, text) in texts.iter().enumerate() {
            one_by_one.add(&format!("d{i}"), text);
        }
        batched.add_all(
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("d{i}"), t.to_string())),
        );
        assert_eq!(batched, one_by_one);
        // Replace two (one of them twice: the later text wins) and add a new one.
        let replacing = [
            ("d1", "pointing pair"),
            ("d3", "xylophone"),
            ("d3", "hidden single"),
            ("d9", "box"),
        ];
        for (id, text) in replacing {
            one_by_one.add(id, text);
        }
        batched.add_all(replacing);
        assert_eq!(batched, one_by_one);
        assert_eq!(
            batched.search("single box", 5),
            one_by_one.search("single box", 5)
        );
        one_by_one.remove("d0");
        one_by_one.remove("d3");
        batched.remove_all(["d0", "missing", "d3"]);
        assert_eq!(batched, one_by_one);
        assert_eq!(batched.len(), 3);
        assert!(batched.search("hidden", 5).is_empty());
        let back = Bm25Index::from_snapshot(batched.to_snapshot()).unwrap();
        assert_eq!(back, batched);
    }

    #[test]
    fn remove_and_replace_update_statistics() {
        let mut index = Bm25Index::new();
        index.add("a", "row conflict row");
        index.add("b", "box conflict");
        index.add("c", "correct move");
        index.remove("a");
        assert_eq!(index.len(), 2);
        assert!(index.search("row", 5).is_empty());
        // Same as an index that never had "a".
        let mut fresh = Bm25Index::new();
        fresh.add("b", "box conflict");
        fresh.add("c", "correct move");
        assert_eq!(
            index.search("conflict move", 5),
            fresh.search("conflict move", 5)
        );
        // Re-adding an id replaces its text; the freed slot is reused.
        index.add("b", "row");
        assert_eq!(index.search("box", 5), vec![]);
        assert_eq!(index.search("row", 5)[0].0, "b");
        index.add("d", "");
        assert!(!index.contains("d"));
        index.remove("missing");
        assert_eq!(index.len(), 2);
    }

    /// BM25 straight from the definition, over the texts themselves.
    fn naive(docs: &[(String, String)], query: &str, k: usize) -> Vec<(String, f64)> {
        let tokenized: Vec<(String, Vec<String>)> = docs
            .iter()
            .map(|(id, t)| (id.clone(), tokenize(t)))
            .filter(|(_, t)| !t.is_empty())
            .collect();
        let n = tokenized.len() as f64;
        let avg = tokenized.iter().map(|(_, t)| t.len()).sum::<usize>() as f64 / n;
        let mut terms = tokenize(query);
        terms.sort();
        terms.dedup();
        let mut out: Vec<(String, f64)> = tokenized
            .iter()
            .filter_map(|(id, doc)| {
                let mut score = 0.0;
                let mut hit = false;
                for term in &terms {
                    let tf = doc.iter().filter(|t| *t == term).count() as f64;
                    if tf == 0.0 {
                        continue;
                    }
                    hit = true;
                    let df = tokenized.iter().filter(|(_, d)| d.contains(term)).count() as f64;
                    let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                    let len = doc.len() as f64;
                    score += idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg));
                }
                hit.then(|| (id.clone(), score))
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.truncate(k);
        out
    }

    proptest::proptest! {
        #[test]
        fn incremental_index_matches_the_definition(
            texts in proptest::collection::vec("[abcd ]{0,12}", 1..12),
            removed in proptest::collection::vec(0usize..12, 0..4),
            query in "[abcd ]{1,6}",
            k in 1usize..6,
        ) {
            let mut index = Bm25Index::new();
            let mut docs: Vec<(String, String)> = Vec::new();
            for (i, text) in texts.iter().enumerate() {
                index.add(&format!("d{i}"), text);
                docs.push((format!("d{i}"), text.clone()));
            }
            for r in removed {
                index.remove(&format!("d{r}"));
                docs.retain(|(id, _)| *id != format!("d{r}"));
            }
            let got = index.search(&query, k);
            let want = naive(&docs, &query, k);
            proptest::prop_assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                proptest::prop_assert_eq!(&g.0, &w.0);
                proptest::prop_assert!((g.1 - w.1).abs() < 1e-9);
            }
        }
    }
}
