//! CRC-32 (ISO-HDLC: gzip, zip, PNG) with crc32fast's API, so that flate2 and zip can use it
//! through the workspace's `[patch.crates-io]`. The difference is where the lookup tables
//! live: crc32fast stores sixteen 1 KiB tables in the binary (16 KB that do not compress,
//! downloaded with every copy of the report worker); here eight are computed once, at first
//! use, in about 10 µs.

// Every index is a byte (`& 0xff`) into a 256-entry table, a table number below 8, or a
// position inside an 8-byte chunk.
#![allow(clippy::indexing_slicing)]

use std::sync::OnceLock;

/// The reflected CRC-32 polynomial.
const POLY: u32 = 0xEDB8_8320;

type Tables = [[u32; 256]; 8];

/// Slice-by-8 tables: `t[0]` is the byte-wise table, `t[k]` advances a byte by `k` more
/// zero bytes.
fn tables() -> &'static Tables {
    static TABLES: OnceLock<Box<Tables>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut t: Box<Tables> = Box::new([[0; 256]; 8]);
        for (i, slot) in (0u32..).zip(t[0].iter_mut()) {
            *slot = (0..8).fold(i, |c, _| if c & 1 == 1 { POLY ^ (c >> 1) } else { c >> 1 });
        }
        for k in 1..8 {
            for i in 0..256 {
                let prev = t[k - 1][i];
                t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            }
        }
        t
    })
}

/// The register after `buf`, from register `crc` (pre- and post-inversion left to callers).
fn update(mut crc: u32, buf: &[u8]) -> u32 {
    let t = tables();
    let byte = |x: u32, shift: u32| ((x >> shift) & 0xff) as usize;
    let mut chunks = buf.chunks_exact(8);
    for c in &mut chunks {
        let lo = crc ^ u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        let hi = u32::from_le_bytes([c[4], c[5], c[6], c[7]]);
        crc = t[7][byte(lo, 0)]
            ^ t[6][byte(lo, 8)]
            ^ t[5][byte(lo, 16)]
            ^ t[4][byte(lo, 24)]
            ^ t[3][byte(hi, 0)]
            ^ t[2][byte(hi, 8)]
            ^ t[1][byte(hi, 16)]
            ^ t[0][byte(hi, 24)];
    }
    for &b in chunks.remainder() {
        crc = (crc >> 8) ^ t[0][byte(crc ^ u32::from(b), 0)];
    }
    crc
}

/// The CRC-32 of `buf`.
pub fn hash(buf: &[u8]) -> u32 {
    let mut h = Hasher::new();
    h.update(buf);
    h.finalize()
}

/// A running CRC-32.
#[derive(Clone)]
pub struct Hasher {
    amount: u64,
    state: u32,
}

impl Hasher {
    /// A hasher over no bytes.
    pub fn new() -> Self {
        Self::new_with_initial(0)
    }

    /// A hasher that goes on from a finished CRC `init`.
    pub fn new_with_initial(init: u32) -> Self {
        Self::new_with_initial_len(init, 0)
    }

    /// A hasher that goes on from a finished CRC `init` over `amount` bytes.
    pub fn new_with_initial_len(init: u32, amount: u64) -> Self {
        Hasher { amount, state: init }
    }

    /// crc32fast's internal constructor, kept for its API.
    #[doc(hidden)]
    pub fn internal_new_baseline(init: u32, amount: u64) -> Self {
        Self::new_with_initial_len(init, amount)
    }

    /// crc32fast's internal constructor, kept for its API; there is no specialised
    /// implementation here.
    #[doc(hidden)]
    pub fn internal_new_specialized(_init: u32, _amount: u64) -> Option<Self> {
        None
    }

    /// Adds `buf`.
    pub fn update(&mut self, buf: &[u8]) {
        self.amount = self.amount.wrapping_add(buf.len() as u64);
        self.state = !update(!self.state, buf);
    }

    /// How many bytes were added.
    pub fn total_len(&self) -> u64 {
        self.amount
    }

    /// The CRC of the bytes added.
    pub fn finalize(self) -> u32 {
        self.state
    }

    /// Back to no bytes.
    pub fn reset(&mut self) {
        self.state = 0;
        self.amount = 0;
    }

    /// Adds the bytes `other` was given, as if they followed these (zlib's
    /// `crc32_combine`: the CRC is shifted by `other`'s length in GF(2)).
    pub fn combine(&mut self, other: &Self) {
        self.amount = self.amount.wrapping_add(other.amount);
        self.state = combine(self.state, other.state, other.amount);
    }
}

fn gf2_times(mat: &[u32; 32], mut vec: u32) -> u32 {
    let mut sum = 0;
    for row in mat {
        if vec == 0 {
            break;
        }
        if vec & 1 == 1 {
            sum ^= row;
        }
        vec >>= 1;
    }
    sum
}

fn gf2_square(mat: &[u32; 32]) -> [u32; 32] {
    let mut out = [0; 32];
    for (o, &row) in out.iter_mut().zip(mat) {
        *o = gf2_times(mat, row);
    }
    out
}

fn combine(mut crc1: u32, crc2: u32, mut len2: u64) -> u32 {
    if len2 == 0 {
        return crc1;
    }
    // The operator for one zero bit, then two, then four.
    let mut odd = [0u32; 32];
    odd[0] = POLY;
    for (n, row) in odd.iter_mut().enumerate().skip(1) {
        *row = 1 << (n - 1);
    }
    let mut even = gf2_square(&odd);
    odd = gf2_square(&even);
    loop {
        even = gf2_square(&odd);
        if len2 & 1 == 1 {
            crc1 = gf2_times(&even, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
        odd = gf2_square(&even);
        if len2 & 1 == 1 {
            crc1 = gf2_times(&odd, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
    }
    crc1 ^ crc2
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("crc32fast::Hasher").finish()
    }
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new()
    }
}

impl std::hash::Hasher for Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }

    fn finish(&self) -> u64 {
        u64::from(self.clone().finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bit-at-a-time CRC straight from the definition, to compare against.
    fn slow(buf: &[u8]) -> u32 {
        !buf.iter().fold(!0u32, |c, &b| {
            (0..8).fold(c ^ u32::from(b), |c, _| if c & 1 == 1 { POLY ^ (c >> 1) } else { c >> 1 })
        })
    }

    #[test]
    fn check_values() {
        // The catalogue's check value of CRC-32/ISO-HDLC, and RFC 3720 B.4-style vectors.
        assert_eq!(hash(b"123456789"), 0xCBF4_3926);
        assert_eq!(hash(b""), 0);
        assert_eq!(hash(&[0u8; 32]), 0x190A_55AD);
        assert_eq!(hash(&[0xffu8; 32]), 0xFF6C_AB0B);
    }

    #[test]
    fn every_length_and_split_agrees_with_the_definition() {
        let data: Vec<u8> = (0u32..300).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in 0..data.len() {
            let part = &data[..len];
            assert_eq!(hash(part), slow(part), "length {len}");
            let cut = len / 3;
            let mut h = Hasher::new();
            h.update(&part[..cut]);
            h.update(&part[cut..]);
            assert_eq!(h.clone().finalize(), slow(part));
            assert_eq!(h.total_len(), len as u64);
            let mut a = Hasher::new();
            a.update(&part[..cut]);
            let mut b = Hasher::new();
            b.update(&part[cut..]);
            a.combine(&b);
            assert_eq!(a.finalize(), slow(part), "combine at {cut} of {len}");
            let mut c = Hasher::new_with_initial(hash(&part[..cut]));
            c.update(&part[cut..]);
            assert_eq!(c.finalize(), slow(part));
        }
    }
}
