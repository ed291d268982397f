//! A tiny deterministic generator for weights.
//!
//! SplitMix64 (Steele, Lea and Flood, 2014) is a few lines and its output is
//! fixed by its definition, so the bytes of a built model never change with a
//! dependency's version (`rand`'s `StdRng` makes no such promise).

/// SplitMix64 state.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator for one tensor: the model seed mixed with the tensor's name,
    /// so each tensor's values do not depend on the order tensors are built in.
    pub fn for_tensor(seed: u64, name: &str) -> Self {
        SplitMix64(seed ^ fnv1a(name.as_bytes()))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A float uniform in `[-bound, bound)`, from the top 24 bits.
    pub fn uniform(&mut self, bound: f32) -> f32 {
        let unit = (self.next_u64() >> 40) as f32 / (1u32 << 24) as f32;
        (2.0 * unit - 1.0) * bound
    }
}

/// FNV-1a, 64 bits: a stable hash of a name.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // First outputs of SplitMix64 seeded with 0 (reference C implementation).
        let mut r = SplitMix64(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn fnv1a_matches_the_reference() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn uniform_stays_in_bounds() {
        let mut r = SplitMix64::for_tensor(1, "w");
        for _ in 0..10_000 {
            let v = r.uniform(0.5);
            assert!((-0.5..0.5).contains(&v));
        }
    }
}
