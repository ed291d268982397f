//! A homogeneous Poisson process.

use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, Exp1};

/// Arrivals of a Poisson process at `rate` per second over `[0, duration)`.
#[derive(Debug, Clone)]
pub struct Poisson {
    rng: StdRng,
    rate: f64,
    t: f64,
    end: f64,
}

impl Poisson {
    /// A process at `rate_rps` (>= 0) for `duration_s`, seeded.
    pub fn new(rate_rps: f64, duration_s: f64, seed: u64) -> Self {
        Poisson {
            rng: StdRng::seed_from_u64(seed),
            rate: rate_rps,
            t: 0.0,
            end: duration_s,
        }
    }
}

impl Iterator for Poisson {
    type Item = f64;

    #[inline]
    fn next(&mut self) -> Option<f64> {
        if self.rate <= 0.0 || self.t >= self.end {
            return None;
        }
        let gap: f64 = Exp1.sample(&mut self.rng);
        self.t += gap / self.rate;
        (self.t < self.end).then_some(self.t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_trace_mean_rate_is_within_1_percent() {
        // 2 million expected arrivals: the count's sd is 0.07%, so 1% is 14 sd.
        let n = Poisson::new(200.0, 10_000.0, 1).count();
        assert!((n as f64 / 10_000.0 - 200.0).abs() < 2.0, "{n}");
    }

    #[test]
    fn sorted_inside_the_duration_and_reproducible() {
        let a: Vec<f64> = Poisson::new(50.0, 20.0, 9).collect();
        assert!(a.windows(2).all(|w| w[0] <= w[1]));
        assert!(a.iter().all(|&t| (0.0..20.0).contains(&t)));
        assert_eq!(a, Poisson::new(50.0, 20.0, 9).collect::<Vec<_>>());
        assert_ne!(a, Poisson::new(50.0, 20.0, 10).collect::<Vec<_>>());
    }

    #[test]
    fn zero_rate_gives_nothing() {
        assert_eq!(Poisson::new(0.0, 10.0, 1).count(), 0);
    }
}
