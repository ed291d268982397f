//! Turning counts per interval into arrival times.

use crate::workload::generate::SortedUniform;
use anyhow::Result;
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, Poisson};

/// How requests counted in an interval are placed inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Spread {
    /// Exactly the count, at independent uniform times (seeded): a Poisson
    /// process conditioned on the count.
    #[default]
    Uniform,
    /// Exactly the count, evenly spaced (deterministic).
    Even,
    /// A Poisson process at count / interval: the count varies (seeded).
    Poisson,
}

impl Spread {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Spread::Uniform => "uniform",
            Spread::Even => "even",
            Spread::Poisson => "poisson",
        }
    }
}

/// Requests counted in one interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Start, seconds from the start of the trace.
    pub start_s: f64,
    /// Length, seconds.
    pub len_s: f64,
    /// Requests counted.
    pub count: u64,
}

/// Arrival times from a stream of counted intervals, ascending, on the microsecond grid.
///
/// Times are computed in whole microseconds and stay strictly inside their
/// interval, so counting the written trace per interval gives back the counts
/// exactly (with [`Spread::Uniform`] and [`Spread::Even`]).
pub struct Spreader<I> {
    intervals: I,
    spread: Spread,
    rng: StdRng,
    current: Option<Fill>,
}

struct Fill {
    start_us: u64,
    len_us: u64,
    n: u64,
    i: u64,
    uniform: SortedUniform,
}

impl<I: Iterator<Item = Result<Interval>>> Spreader<I> {
    /// Spreads `intervals` (ascending, not overlapping) with `spread`, seeded.
    pub fn new(intervals: I, spread: Spread, seed: u64) -> Self {
        Spreader {
            intervals,
            spread,
            rng: StdRng::seed_from_u64(seed),
            current: None,
        }
    }

    fn start(&mut self, iv: Interval) -> Fill {
        let n = match self.spread {
            Spread::Poisson if iv.count > 0 => {
                let d = Poisson::new(iv.count as f64).expect("a positive count is a valid mean");
                let n: f64 = d.sample(&mut self.rng);
                n as u64
            }
            _ => iv.count,
        };
        Fill {
            start_us: (iv.start_s * 1e6).round() as u64,
            len_us: ((iv.len_s * 1e6).round() as u64).max(1),
            n,
            i: 0,
            uniform: SortedUniform::new(0.0, 1.0, n),
        }
    }
}

impl<I: Iterator<Item = Result<Interval>>> Iterator for Spreader<I> {
    type Item = Result<f64>;

    fn next(&mut self) -> Option<Result<f64>> {
        loop {
            if let Some(f) = self.current.as_mut() {
                if f.i < f.n {
                    let offset = match self.spread {
                        Spread::Even => (f.i as f64 + 0.5) * f.len_us as f64 / f.n as f64,
                        Spread::Uniform | Spread::Poisson => {
                            let u = f.uniform.next_with(&mut self.rng).unwrap_or(0.0);
                            u * f.len_us as f64
                        }
                    };
                    f.i += 1;
                    let us = f.start_us + (offset as u64).min(f.len_us - 1);
                    return Some(Ok(us as f64 / 1e6));
                }
                self.current = None;
            }
            match self.intervals.next()? {
                Ok(iv) => self.current = Some(self.start(iv)),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intervals(counts: &[u64], len_s: f64) -> Vec<Result<Interval>> {
        counts
            .iter()
            .enumerate()
            .map(|(i, &count)| {
                Ok(Interval {
                    start_s: i as f64 * len_s,
                    len_s,
                    count,
                })
            })
            .collect()
    }

    fn per_interval(times: &[f64], len_s: f64, n: usize) -> Vec<u64> {
        let mut c = vec![0; n];
        for t in times {
            c[(t / len_s) as usize] += 1;
        }
        c
    }

    #[test]
    fn uniform_and_even_keep_every_count() {
        let counts = [3, 0, 1, 250, 7];
        for spread in [Spread::Uniform, Spread::Even] {
            let times: Vec<f64> = Spreader::new(intervals(&counts, 1.0).into_iter(), spread, 4)
                .collect::<Result<_>>()
                .unwrap();
            assert_eq!(per_interval(&times, 1.0, 5), counts, "{spread:?}");
            assert!(times.windows(2).all(|w| w[0] <= w[1]), "{spread:?}");
        }
    }

    #[test]
    fn even_spacing_is_centred() {
        let times: Vec<f64> = Spreader::new(intervals(&[2], 60.0).into_iter(), Spread::Even, 1)
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(times, vec![15.0, 45.0]);
    }

    #[test]
    fn poisson_keeps_counts_on_average() {
        let counts = vec![100; 200];
        let times: Vec<f64> =
            Spreader::new(intervals(&counts, 1.0).into_iter(), Spread::Poisson, 2)
                .collect::<Result<_>>()
                .unwrap();
        // Total is Poisson(20000): sd 141.
        assert!(
            (times.len() as f64 - 20_000.0).abs() < 700.0,
            "{}",
            times.len()
        );
        assert_ne!(per_interval(&times, 1.0, 200), counts);
    }

    #[test]
    fn names_match_the_command_line() {
        use clap::ValueEnum;
        for s in Spread::value_variants() {
            assert_eq!(s.to_possible_value().unwrap().get_name(), s.name());
        }
    }

    #[test]
    fn errors_pass_through() {
        let items = vec![Err(anyhow::anyhow!("bad row"))];
        let mut s = Spreader::new(items.into_iter(), Spread::Uniform, 1);
        assert!(s.next().unwrap().is_err());
    }
}
