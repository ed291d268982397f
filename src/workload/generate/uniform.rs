//! Sorted uniform points, drawn one at a time in constant memory.

use rand::Rng;
use rand_distr::{Distribution, Exp1};

/// `n` independent uniform points in `[start, start + len)`, yielded in ascending order.
///
/// Given their number, the arrivals of a Poisson process in an interval are
/// exactly such points, so this is how a segment with a fixed count is filled.
/// Each point follows from the last: if `m` points remain, the gap to the
/// next, as a fraction of what is left, is the minimum of `m` uniforms, whose
/// survival is `(1 - u)^m`. Working with `ln(1 - u)` keeps it exact enough
/// for millions of points.
#[derive(Debug, Clone)]
pub struct SortedUniform {
    start: f64,
    len: f64,
    remaining: u64,
    log_left: f64,
}

impl SortedUniform {
    /// `n` points in `[start, start + len)`.
    pub fn new(start: f64, len: f64, n: u64) -> Self {
        SortedUniform {
            start,
            len,
            remaining: n,
            log_left: 0.0,
        }
    }

    /// Points not yet drawn.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// The next point, drawing from `rng`; `None` once all `n` are out.
    #[inline]
    pub fn next_with<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Option<f64> {
        if self.remaining == 0 {
            return None;
        }
        let e: f64 = Exp1.sample(rng);
        self.log_left -= e / self.remaining as f64;
        self.remaining -= 1;
        let u = -self.log_left.exp_m1();
        Some(self.start + u * self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn points_are_sorted_inside_the_interval_and_uniform() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let mut s = SortedUniform::new(10.0, 2.0, 200_000);
        let mut prev = 10.0;
        let mut below_mid = 0;
        let mut n = 0;
        while let Some(t) = s.next_with(&mut rng) {
            assert!(t >= prev && t < 12.0, "{t}");
            prev = t;
            below_mid += u64::from(t < 11.0);
            n += 1;
        }
        assert_eq!(n, 200_000);
        // Half fall below the midpoint, within 4 standard deviations (sd = 224).
        assert!((below_mid as i64 - 100_000).abs() < 900, "{below_mid}");
    }

    #[test]
    fn zero_points_yield_nothing() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        assert_eq!(SortedUniform::new(0.0, 1.0, 0).next_with(&mut rng), None);
    }
}
