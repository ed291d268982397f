//! Service-time distributions: what one invocation takes.
//!
//! By default a service time is drawn from a lognormal with the profile's
//! mean and 95th percentile (scaled to the offer), so its mean, which decides
//! cost and utilisation, is kept exactly. Synthetic distributions serve
//! validation against queueing theory and what-if runs.

use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal};
use serde::{Deserialize, Serialize};

/// A service-time distribution as the user states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case")]
pub enum Dist {
    /// Always `s` seconds.
    Constant {
        /// Seconds.
        s: f64,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean, seconds.
        mean_s: f64,
    },
    /// Lognormal with the given mean and 95th percentile.
    Lognormal {
        /// Mean, seconds.
        mean_s: f64,
        /// 95th percentile, seconds.
        p95_s: f64,
    },
    /// Drawn uniformly from these observed values.
    Empirical {
        /// Observed service times, seconds.
        values_s: Vec<f64>,
    },
}

/// Why a service-time distribution could not be read; each names the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DistError {
    /// No `KIND:` prefix.
    #[error("`{0}`: expected KIND:VALUES, e.g. exp:0.5")]
    NoKind(String),
    /// A value that is not a number.
    #[error("`{0}`: values must be numbers of seconds")]
    NotANumber(String),
    /// A negative or infinite value.
    #[error("`{0}`: values must be finite and not negative")]
    OutOfRange(String),
    /// An unknown kind or the wrong number of values for it.
    #[error("`{0}`: expected const:S, exp:MEAN or lognormal:MEAN,P95 (seconds)")]
    Shape(String),
}

impl Dist {
    /// Parses `const:0.01`, `exp:0.5`, `lognormal:0.01,0.02` (mean, p95).
    pub fn parse(s: &str) -> Result<Dist, DistError> {
        let (kind, rest) = s
            .split_once(':')
            .ok_or_else(|| DistError::NoKind(s.to_string()))?;
        let nums: Result<Vec<f64>, _> = rest.split(',').map(|v| v.trim().parse::<f64>()).collect();
        let nums = nums.map_err(|_| DistError::NotANumber(s.to_string()))?;
        if nums.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Err(DistError::OutOfRange(s.to_string()));
        }
        match (kind, nums.as_slice()) {
            ("const" | "constant", [v]) => Ok(Dist::Constant { s: *v }),
            ("exp" | "exponential", [m]) => Ok(Dist::Exponential { mean_s: *m }),
            ("lognormal", [m, p]) => Ok(Dist::Lognormal {
                mean_s: *m,
                p95_s: *p,
            }),
            _ => Err(DistError::Shape(s.to_string())),
        }
    }

    /// Mean of the distribution, seconds.
    pub fn mean_s(&self) -> f64 {
        match self {
            Dist::Constant { s } => *s,
            Dist::Exponential { mean_s } | Dist::Lognormal { mean_s, .. } => *mean_s,
            Dist::Empirical { values_s } => {
                values_s.iter().sum::<f64>() / values_s.len().max(1) as f64
            }
        }
    }
}

/// A distribution ready to draw from.
#[derive(Debug, Clone)]
pub enum Sampler {
    /// Always the same value.
    Constant(f64),
    /// Exponential.
    Exponential(Exp<f64>),
    /// Lognormal.
    LogNormal(LogNormal<f64>),
    /// Uniform over observed values.
    Empirical(Vec<f64>),
}

impl Sampler {
    /// A sampler for `dist`.
    pub fn new(dist: &Dist) -> Sampler {
        match dist {
            Dist::Constant { s } => Sampler::Constant(*s),
            Dist::Exponential { mean_s } if *mean_s > 0.0 => {
                Sampler::Exponential(Exp::new(1.0 / mean_s).expect("positive rate"))
            }
            Dist::Exponential { .. } => Sampler::Constant(0.0),
            Dist::Lognormal { mean_s, p95_s } => Self::lognormal(*mean_s, *p95_s),
            Dist::Empirical { values_s } if !values_s.is_empty() => {
                Sampler::Empirical(values_s.clone())
            }
            Dist::Empirical { .. } => Sampler::Constant(0.0),
        }
    }

    /// A lognormal with this mean and 95th percentile.
    ///
    /// With `m = exp(mu + sigma^2/2)` and `p95 = exp(mu + 1.645 sigma)`,
    /// `sigma = 1.645 - sqrt(1.645^2 - 2 ln(p95/m))`; a p95 at or below the
    /// mean gives a constant, and sigma is capped at 1.645 for very heavy tails.
    pub fn lognormal(mean_s: f64, p95_s: f64) -> Sampler {
        const Z95: f64 = 1.644_853_626_951_472_2;
        if mean_s <= 0.0 || p95_s <= mean_s {
            return Sampler::Constant(mean_s.max(0.0));
        }
        let r = (p95_s / mean_s).ln();
        let disc = Z95 * Z95 - 2.0 * r;
        let sigma = if disc <= 0.0 { Z95 } else { Z95 - disc.sqrt() };
        let mu = mean_s.ln() - sigma * sigma / 2.0;
        match LogNormal::new(mu, sigma) {
            Ok(d) => Sampler::LogNormal(d),
            Err(_) => Sampler::Constant(mean_s),
        }
    }

    /// Draws one service time, seconds.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Constant(v) => *v,
            Sampler::Exponential(d) => d.sample(rng),
            Sampler::LogNormal(d) => d.sample(rng),
            Sampler::Empirical(v) => v[rng.random_range(0..v.len())],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn lognormal_keeps_mean_and_p95() {
        let s = Sampler::lognormal(0.010, 0.015);
        let mut rng = rand::rngs::SmallRng::seed_from_u64(7);
        let mut v: Vec<f64> = (0..200_000).map(|_| s.sample(&mut rng)).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        v.sort_by(|a, b| a.total_cmp(b));
        let p95 = v[(v.len() as f64 * 0.95) as usize];
        assert!((mean / 0.010 - 1.0).abs() < 0.01, "mean {mean}");
        assert!((p95 / 0.015 - 1.0).abs() < 0.02, "p95 {p95}");
    }

    #[test]
    fn parse_forms() {
        assert_eq!(
            Dist::parse("exp:0.5").unwrap(),
            Dist::Exponential { mean_s: 0.5 }
        );
        assert_eq!(Dist::parse("const:2").unwrap(), Dist::Constant { s: 2.0 });
        assert_eq!(
            Dist::parse("exp:-1"),
            Err(DistError::OutOfRange("exp:-1".into()))
        );
        assert_eq!(
            Dist::parse("weibull:1"),
            Err(DistError::Shape("weibull:1".into()))
        );
        assert_eq!(Dist::parse("exp"), Err(DistError::NoKind("exp".into())));
        assert_eq!(
            Dist::parse("exp:x"),
            Err(DistError::NotANumber("exp:x".into()))
        );
    }
}
