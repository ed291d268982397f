//! Seeded, reproducible trace generators: Poisson, MMPP, diurnal, steps and the study's presets.
//!
//! Every generator yields ascending arrival times in seconds and draws from
//! `StdRng::seed_from_u64(seed)` (ChaCha12, the same stream on every
//! platform), so a seed always gives the same trace with this build.

mod diurnal;
mod mmpp;
mod piecewise;
mod poisson;
mod preset;
pub mod spec;
mod uniform;

pub use diurnal::Diurnal;
pub use mmpp::{mean_rate, stationary, Mmpp};
pub use piecewise::{Counts, Piecewise, Segment};
pub use poisson::Poisson;
pub use preset::Preset;
pub use uniform::SortedUniform;

use anyhow::Result;

/// What to generate, as chosen on the command line.
#[derive(Debug, Clone, PartialEq)]
pub enum Generator {
    /// One of the study's workloads.
    Preset(Preset),
    /// A Poisson process.
    Poisson {
        /// Requests per second.
        rate_rps: f64,
        /// Length of the trace, seconds.
        duration_s: f64,
    },
    /// A free-running k-state MMPP.
    Mmpp {
        /// Rate in each state, requests per second.
        rates_rps: Vec<f64>,
        /// Rate of leaving each state, per second.
        switch_per_s: Vec<f64>,
        /// Length of the trace, seconds.
        duration_s: f64,
    },
    /// A sinusoidal day.
    Diurnal {
        /// Mean rate, requests per second.
        mean_rps: f64,
        /// Relative amplitude in [0, 1].
        amplitude: f64,
        /// Length of one cycle, seconds.
        period_s: f64,
        /// Length of the trace, seconds.
        duration_s: f64,
    },
    /// Piecewise-constant rates (steps and bursts), Poisson within each.
    Steps {
        /// The segments.
        segments: Vec<Segment>,
    },
}

impl Generator {
    /// An upper bound of the expected number of requests (for sanity checks before writing).
    pub fn expected_requests(&self) -> f64 {
        match self {
            Generator::Preset(p) => p.requests() as f64,
            Generator::Poisson {
                rate_rps,
                duration_s,
            } => rate_rps * duration_s,
            Generator::Mmpp {
                rates_rps,
                duration_s,
                ..
            } => rates_rps.iter().copied().fold(0.0, f64::max) * duration_s,
            Generator::Diurnal {
                mean_rps,
                amplitude,
                duration_s,
                ..
            } => mean_rps * (1.0 + amplitude) * duration_s,
            Generator::Steps { segments } => segments.iter().map(Segment::expected).sum(),
        }
    }

    /// The arrival times for `seed`, ascending.
    pub fn arrivals(&self, seed: u64) -> Result<Box<dyn Iterator<Item = f64> + Send>> {
        Ok(match self {
            Generator::Preset(p) => Box::new(p.generate(seed).into_iter()),
            Generator::Poisson {
                rate_rps,
                duration_s,
            } => Box::new(Poisson::new(*rate_rps, *duration_s, seed)),
            Generator::Mmpp {
                rates_rps,
                switch_per_s,
                duration_s,
            } => Box::new(Mmpp::new(rates_rps, switch_per_s, *duration_s, seed)?),
            Generator::Diurnal {
                mean_rps,
                amplitude,
                period_s,
                duration_s,
            } => Box::new(Diurnal::new(
                *mean_rps,
                *amplitude,
                *period_s,
                *duration_s,
                seed,
            )),
            Generator::Steps { segments } => {
                Box::new(Piecewise::new(segments.clone(), Counts::Poisson, seed))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generator_is_reproducible() {
        let gens = [
            Generator::Preset(Preset::Workload200),
            Generator::Poisson {
                rate_rps: 10.0,
                duration_s: 30.0,
            },
            Generator::Mmpp {
                rates_rps: vec![1.0, 20.0, 5.0],
                switch_per_s: vec![0.5, 0.5, 0.5],
                duration_s: 30.0,
            },
            Generator::Diurnal {
                mean_rps: 10.0,
                amplitude: 0.5,
                period_s: 30.0,
                duration_s: 30.0,
            },
            Generator::Steps {
                segments: spec::parse_steps("0:1,10:30", 30.0).unwrap(),
            },
        ];
        for g in gens {
            assert!(g.expected_requests() > 0.0, "{g:?}");
            let a: Vec<f64> = g.arrivals(11).unwrap().collect();
            let b: Vec<f64> = g.arrivals(11).unwrap().collect();
            let c: Vec<f64> = g.arrivals(12).unwrap().collect();
            assert!(!a.is_empty(), "{g:?}");
            assert_eq!(a, b, "{g:?}");
            assert_ne!(a, c, "{g:?}");
            assert!(a.windows(2).all(|w| w[0] <= w[1]), "{g:?}");
        }
    }
}
