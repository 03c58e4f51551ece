//! Edit-distance-1 spelling correction against the known words, via a deletion index.

use std::collections::HashMap;

/// Words shorter than this are never corrected: too many short words are one edit apart.
pub(crate) const MIN_CORRECTABLE: usize = 5;

/// Maps every known word, and every string one deletion away from one, to the words it came from
/// (the "symmetric delete" scheme: two words are one edit apart only if their deletion sets meet).
#[derive(Debug, Default)]
pub(crate) struct DeletionIndex {
    map: HashMap<String, Vec<u32>>,
}

impl DeletionIndex {
    pub fn insert(&mut self, word: &str, id: u32) {
        if word.chars().count() < MIN_CORRECTABLE - 1 {
            return;
        }
        self.map.entry(word.to_owned()).or_default().push(id);
        let mut buf = String::with_capacity(word.len());
        for (i, c) in word.char_indices() {
            buf.clear();
            buf.push_str(&word[..i]);
            buf.push_str(&word[i + c.len_utf8()..]);
            let ids = self.map.entry(buf.clone()).or_default();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }

    /// The known word one edit (insert, delete, substitute or swap two neighbours) from `word`,
    /// keeping the first letter (people rarely mistype it). `name` maps an id back to its word.
    pub fn correct<'n>(&self, word: &str, name: impl Fn(u32) -> &'n str) -> Option<u32> {
        let len = word.chars().count();
        if !(MIN_CORRECTABLE..=24).contains(&len) {
            return None;
        }
        let mut best: Option<u32> = None;
        let mut consider = |ids: &Vec<u32>| {
            for &id in ids {
                let cand = name(id);
                if best.is_none_or(|b| id < b) && one_edit(word, cand) && same_start(word, cand) {
                    best = Some(id);
                }
            }
        };
        if let Some(ids) = self.map.get(word) {
            consider(ids);
        }
        let mut buf = String::with_capacity(word.len());
        for (i, c) in word.char_indices() {
            buf.clear();
            buf.push_str(&word[..i]);
            buf.push_str(&word[i + c.len_utf8()..]);
            if let Some(ids) = self.map.get(buf.as_str()) {
                consider(ids);
            }
        }
        best
    }
}

fn same_start(a: &str, b: &str) -> bool {
    let mut x = a.chars();
    let mut y = b.chars();
    let (a0, b0) = (x.next(), y.next());
    // A swap of the first two letters keeps the pair, just reordered.
    a0 == b0 || (a0 == y.next() && b0 == x.next())
}

/// True when `a` and `b` differ by exactly one insertion, deletion, substitution or swap of two
/// neighbouring letters (optimal string alignment distance 1). Linear in the word length.
pub(crate) fn one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a == b {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let ra = a.len() - prefix - suffix;
    let rb = b.len() - prefix - suffix;
    match (ra, rb) {
        (1, 1) | (1, 0) | (0, 1) => true,
        (2, 2) => {
            let (x, y) = (&a[prefix..prefix + 2], &b[prefix..prefix + 2]);
            x[0] == y[1] && x[1] == y[0]
        }
        _ => false,
    }
}

/// Levenshtein distance capped at `cap + 1`, for ranking suggestions (bounded work per pair).
pub(crate) fn bounded_distance(a: &str, b: &str, cap: usize) -> usize {
    let a: Vec<char> = a.chars().take(32).collect();
    let b: Vec<char> = b.chars().take(32).collect();
    if a.len().abs_diff(b.len()) > cap {
        return cap + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > cap {
            return cap + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(cap + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_cases() {
        assert!(one_edit("groceires", "groceries"));
        assert!(one_edit("resturant", "restaurant"));
        assert!(one_edit("insurence", "insurance"));
        assert!(one_edit("spned", "spend"));
        assert!(!one_edit("spend", "spend"));
        assert!(!one_edit("sister", "sitters"));
        assert!(!one_edit("abc", "bcd"));
    }

    #[test]
    fn corrects_through_the_index() {
        let words = ["groceries", "restaurant", "spend", "budget"];
        let mut idx = DeletionIndex::default();
        for (i, w) in words.iter().enumerate() {
            idx.insert(w, u32::try_from(i).unwrap_or(0));
        }
        let name = |id: u32| words[id as usize];
        assert_eq!(idx.correct("groceires", name), Some(0));
        assert_eq!(idx.correct("resturant", name), Some(1));
        assert_eq!(idx.correct("spned", name), Some(2));
        assert_eq!(idx.correct("budjet", name), Some(3));
        assert_eq!(idx.correct("boston", name), None);
    }

    #[test]
    fn bounded_distance_caps() {
        assert_eq!(bounded_distance("kitten", "sitting", 3), 3);
        assert_eq!(bounded_distance("a", "abcdefgh", 2), 3);
    }
}
