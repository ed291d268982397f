//! Piecewise-constant rates: steps, bursts, and the scheduled MMPP of the presets.

use super::uniform::SortedUniform;
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, Exp1};

/// One stretch of constant rate, `[start_s, end_s)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// Start, seconds from the start of the trace.
    pub start_s: f64,
    /// End (exclusive), seconds.
    pub end_s: f64,
    /// Requests per second in the segment.
    pub rate_rps: f64,
}

impl Segment {
    /// Expected arrivals in the segment: rate x length.
    pub fn expected(&self) -> f64 {
        self.rate_rps * (self.end_s - self.start_s)
    }
}

/// How many arrivals a segment gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counts {
    /// A Poisson process: the count varies from seed to seed.
    Poisson,
    /// Exactly `round(rate x length)` arrivals placed as sorted uniforms,
    /// which is a Poisson process conditioned on that count.
    Exact,
}

/// Arrivals of a Poisson process whose rate is constant on each segment.
#[derive(Debug, Clone)]
pub struct Piecewise {
    rng: StdRng,
    segments: Vec<Segment>,
    counts: Counts,
    index: usize,
    t: f64,
    fill: Option<SortedUniform>,
}

impl Piecewise {
    /// Arrivals over `segments` (ascending, not overlapping), seeded.
    pub fn new(segments: Vec<Segment>, counts: Counts, seed: u64) -> Self {
        Self::with_rng(segments, counts, StdRng::seed_from_u64(seed))
    }

    /// Like [`Piecewise::new`] but continuing an existing random stream.
    pub fn with_rng(segments: Vec<Segment>, counts: Counts, rng: StdRng) -> Self {
        let t = segments.first().map_or(0.0, |s| s.start_s);
        Piecewise {
            rng,
            segments,
            counts,
            index: 0,
            t,
            fill: None,
        }
    }

    /// Hands the random stream back, so a caller can draw again from where this left off.
    pub fn into_rng(self) -> StdRng {
        self.rng
    }

    fn next_poisson(&mut self, seg: Segment) -> Option<f64> {
        if seg.rate_rps > 0.0 {
            let e: f64 = Exp1.sample(&mut self.rng);
            let t = self.t.max(seg.start_s) + e / seg.rate_rps;
            if t < seg.end_s {
                self.t = t;
                return Some(t);
            }
        }
        // Memoryless: the draw past the end is dropped and the next segment starts afresh.
        self.t = seg.end_s;
        None
    }

    fn next_exact(&mut self, seg: Segment) -> Option<f64> {
        let fill = self.fill.get_or_insert_with(|| {
            let n = seg.expected().round().max(0.0) as u64;
            SortedUniform::new(seg.start_s, seg.end_s - seg.start_s, n)
        });
        let t = fill.next_with(&mut self.rng);
        if t.is_none() {
            self.fill = None;
        }
        t
    }
}

impl Iterator for Piecewise {
    type Item = f64;

    fn next(&mut self) -> Option<f64> {
        while let Some(&seg) = self.segments.get(self.index) {
            let t = match self.counts {
                Counts::Poisson => self.next_poisson(seg),
                Counts::Exact => self.next_exact(seg),
            };
            if t.is_some() {
                return t;
            }
            self.index += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(start_s: f64, end_s: f64, rate_rps: f64) -> Segment {
        Segment {
            start_s,
            end_s,
            rate_rps,
        }
    }

    #[test]
    fn exact_counts_land_in_their_segments() {
        let segs = vec![
            seg(0.0, 10.0, 5.0),
            seg(10.0, 12.0, 0.0),
            seg(12.0, 20.0, 12.5),
        ];
        let times: Vec<f64> = Piecewise::new(segs, Counts::Exact, 3).collect();
        assert_eq!(times.len(), 150);
        assert_eq!(times.iter().filter(|&&t| t < 10.0).count(), 50);
        assert_eq!(
            times.iter().filter(|&&t| (10.0..12.0).contains(&t)).count(),
            0
        );
        assert_eq!(
            times.iter().filter(|&&t| (12.0..20.0).contains(&t)).count(),
            100
        );
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn poisson_counts_follow_the_rates() {
        let segs = vec![seg(0.0, 1000.0, 10.0), seg(1000.0, 2000.0, 100.0)];
        let times: Vec<f64> = Piecewise::new(segs, Counts::Poisson, 8).collect();
        let low = times.iter().filter(|&&t| t < 1000.0).count() as f64;
        let high = times.len() as f64 - low;
        // sd 100 and 316: stay within 5 sd.
        assert!((low - 10_000.0).abs() < 500.0, "{low}");
        assert!((high - 100_000.0).abs() < 1600.0, "{high}");
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn continuing_the_stream_gives_a_different_draw() {
        let segs = vec![seg(0.0, 10.0, 3.0)];
        let mut first = Piecewise::new(segs.clone(), Counts::Exact, 1);
        let a: Vec<f64> = first.by_ref().collect();
        let b: Vec<f64> = Piecewise::with_rng(segs, Counts::Exact, first.into_rng()).collect();
        assert_eq!(a.len(), b.len());
        assert_ne!(a, b);
    }
}
