//! Stable sorting through one shared instantiation of the standard library's sort.
//!
//! `slice::sort_by` is generic over the element and the comparison: each call site with
//! its own closure compiles its own copy of the sort (driftsort: about ten functions, 4–5 KB
//! of WebAssembly each time). The report page had 107 such functions (52 KB before
//! wasm-opt). Here every call sorts a list of positions with a `dyn` comparison, so the
//! standard sort is compiled once, and only the small permutation below is per type.
//! Same result as `sort_by` (stable); slower by one indirection per comparison, which
//! matters nowhere these are used (lists of findings, rows of a summary).

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`, like `v.sort_by(cmp)`.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let mut order: Vec<usize> = (0..v.len()).collect();
    {
        let items: &[T] = v;
        let mut by_position = |a: &usize, b: &usize| match (items.get(*a), items.get(*b)) {
            (Some(x), Some(y)) => cmp(x, y),
            _ => Ordering::Equal,
        };
        let shared: &mut dyn FnMut(&usize, &usize) -> Ordering = &mut by_position;
        order.sort_by(shared);
    }
    // `order[i]` is the old position of what belongs at `i`: follow each cycle once,
    // swapping, and mark its places done.
    for start in 0..order.len() {
        let mut at = start;
        while let Some(&from) = order.get(at) {
            if let Some(done) = order.get_mut(at) {
                *done = at;
            }
            if from == start || from == at {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

/// Sorts `v` stably by the key `key` gives, like `v.sort_by_key(key)`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v`, like `v.sort()`.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_as_the_standard_stable_sort() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for len in 0..200 {
            let v: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    ((seed % 7) as u8, i)
                })
                .collect();
            let (mut ours, mut std) = (v.clone(), v);
            sort_by_key(&mut ours, |p| p.0);
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std, "stable, len {len}");
        }
        let mut words = vec!["b", "a", "c", "a"];
        sort(&mut words);
        assert_eq!(words, ["a", "a", "b", "c"]);
    }
}
