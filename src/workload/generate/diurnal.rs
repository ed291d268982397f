//! A day-shaped (sinusoidal) rate: quiet at t = 0, busiest half a period later.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp1};
use std::f64::consts::TAU;

/// Arrivals of a Poisson process with rate
/// `mean x (1 - amplitude x cos(2 pi t / period))` over `[0, duration)`.
///
/// The trough is at t = 0 (night) and the crest at `period / 2`. Drawn by
/// thinning (Lewis and Shedler): candidates at the crest rate `mean x (1 +
/// amplitude)`, each kept with probability rate(t) / crest rate.
#[derive(Debug, Clone)]
pub struct Diurnal {
    rng: StdRng,
    mean: f64,
    amplitude: f64,
    period: f64,
    t: f64,
    end: f64,
}

impl Diurnal {
    /// A day of `mean_rps`, relative `amplitude` in [0, 1], `period_s`, over `duration_s`.
    pub fn new(mean_rps: f64, amplitude: f64, period_s: f64, duration_s: f64, seed: u64) -> Self {
        Diurnal {
            rng: StdRng::seed_from_u64(seed),
            mean: mean_rps,
            amplitude,
            period: period_s,
            t: 0.0,
            end: duration_s,
        }
    }

    /// The rate at `t_s`, requests per second.
    pub fn rate_at(&self, t_s: f64) -> f64 {
        self.mean * (1.0 - self.amplitude * (TAU * t_s / self.period).cos())
    }
}

impl Iterator for Diurnal {
    type Item = f64;

    fn next(&mut self) -> Option<f64> {
        let crest = self.mean * (1.0 + self.amplitude);
        if crest <= 0.0 {
            return None;
        }
        loop {
            let e: f64 = Exp1.sample(&mut self.rng);
            self.t += e / crest;
            if self.t >= self.end {
                return None;
            }
            if self.rng.random::<f64>() * crest < self.rate_at(self.t) {
                return Some(self.t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_half_has_the_expected_share() {
        // Over one period, [P/4, 3P/4) holds (1/2 + A/pi) of the arrivals.
        let (period, a) = (1000.0, 0.8);
        let times: Vec<f64> = Diurnal::new(100.0, a, period, period, 2).collect();
        let n = times.len() as f64;
        assert!((n / 100_000.0 - 1.0).abs() < 0.02, "{n}");
        let busy = times
            .iter()
            .filter(|&&t| (250.0..750.0).contains(&t))
            .count() as f64;
        let share = busy / n;
        let expected = 0.5 + a / std::f64::consts::PI;
        assert!((share - expected).abs() < 0.01, "{share} vs {expected}");
    }

    #[test]
    fn trough_and_crest() {
        let d = Diurnal::new(10.0, 0.5, 100.0, 100.0, 1);
        assert!((d.rate_at(0.0) - 5.0).abs() < 1e-9);
        assert!((d.rate_at(50.0) - 15.0).abs() < 1e-9);
    }
}
