//! A free-running k-state Markov-modulated Poisson process (MMPP).
//!
//! State i emits a Poisson process at `rates[i]` and is left at `switch[i]`
//! per second (its holding time is exponential with that rate). With two
//! states the next state is the other one; with k > 2 states it is drawn
//! uniformly among the k - 1 others. A switch rate of 0 makes a state last
//! for good.
//!
//! Under that rule the embedded jump chain is uniform over the states, so the
//! long-run share of time in state i is proportional to its mean holding time
//! 1 / switch[i]: pi_i = (1 / q_i) / sum_j (1 / q_j). The process starts in a
//! state drawn from that distribution (so its rate is stationary from t = 0);
//! when a switch rate is 0 the distribution is undefined and it starts in state 0.

use crate::error::bad_input;
use anyhow::Result;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp1};

/// Arrivals of a k-state MMPP over `[0, duration)`.
#[derive(Debug, Clone)]
pub struct Mmpp {
    rng: StdRng,
    rates: Vec<f64>,
    switch: Vec<f64>,
    state: usize,
    state_end: f64,
    t: f64,
    end: f64,
}

impl Mmpp {
    /// An MMPP with per-state `rates_rps` and `switch_per_s` (rates out of each state).
    ///
    /// Errors (bad input, naming `--mmpp`/`--switch`) when the lists differ in
    /// length, are empty, or hold negative or non-finite values.
    pub fn new(
        rates_rps: &[f64],
        switch_per_s: &[f64],
        duration_s: f64,
        seed: u64,
    ) -> Result<Self> {
        validate(rates_rps, switch_per_s)?;
        let mut rng = StdRng::seed_from_u64(seed);
        let state = match stationary(switch_per_s) {
            Some(pi) => pick(&pi, rng.random::<f64>()),
            None => 0,
        };
        let mut m = Mmpp {
            rng,
            rates: rates_rps.to_vec(),
            switch: switch_per_s.to_vec(),
            state,
            state_end: 0.0,
            t: 0.0,
            end: duration_s,
        };
        m.state_end = m.holding_time();
        Ok(m)
    }

    fn holding_time(&mut self) -> f64 {
        let q = self.switch[self.state];
        if q > 0.0 {
            let e: f64 = Exp1.sample(&mut self.rng);
            self.t + e / q
        } else {
            f64::INFINITY
        }
    }

    fn next_state(&mut self) -> usize {
        let k = self.rates.len();
        if k < 2 {
            return self.state;
        }
        let j = self.rng.random_range(0..k - 1);
        if j >= self.state {
            j + 1
        } else {
            j
        }
    }

    /// The state the process is in now (after the last arrival handed out).
    pub fn state(&self) -> usize {
        self.state
    }
}

impl Iterator for Mmpp {
    type Item = f64;

    fn next(&mut self) -> Option<f64> {
        loop {
            if self.t >= self.end {
                return None;
            }
            let rate = self.rates[self.state];
            let candidate = if rate > 0.0 {
                let e: f64 = Exp1.sample(&mut self.rng);
                self.t + e / rate
            } else {
                f64::INFINITY
            };
            let horizon = self.state_end.min(self.end);
            if candidate < horizon {
                self.t = candidate;
                return Some(candidate);
            }
            if self.state_end >= self.end {
                self.t = self.end;
                return None;
            }
            // The exponential gap is memoryless, so the candidate that ran past
            // the switch is discarded and drawn afresh in the new state.
            self.t = self.state_end;
            self.state = self.next_state();
            self.state_end = self.holding_time();
        }
    }
}

fn validate(rates: &[f64], switch: &[f64]) -> Result<()> {
    if rates.is_empty() {
        return Err(bad_input("--mmpp: expected at least one rate (requests/s)"));
    }
    if rates.len() != switch.len() {
        return Err(bad_input(format!(
            "--switch: expected one switch rate per state ({} for --mmpp's {} rates), found {}",
            rates.len(),
            rates.len(),
            switch.len()
        )));
    }
    for (flag, list) in [("--mmpp", rates), ("--switch", switch)] {
        if let Some(v) = list.iter().find(|v| !v.is_finite() || **v < 0.0) {
            return Err(bad_input(format!(
                "{flag}: expected finite rates >= 0 per second, found {v}"
            )));
        }
    }
    Ok(())
}

/// Long-run share of time in each state, `None` when a state never switches
/// (or there is a single state, which holds all the time: `Some([1.0])`).
pub fn stationary(switch_per_s: &[f64]) -> Option<Vec<f64>> {
    if switch_per_s.len() == 1 {
        return Some(vec![1.0]);
    }
    if switch_per_s.iter().any(|&q| q <= 0.0) {
        return None;
    }
    let inv: Vec<f64> = switch_per_s.iter().map(|q| 1.0 / q).collect();
    let total: f64 = inv.iter().sum();
    Some(inv.into_iter().map(|x| x / total).collect())
}

/// The long-run mean rate, sum of pi_i x rate_i; `None` when [`stationary`] is.
pub fn mean_rate(rates_rps: &[f64], switch_per_s: &[f64]) -> Option<f64> {
    let pi = stationary(switch_per_s)?;
    Some(pi.iter().zip(rates_rps).map(|(p, r)| p * r).sum())
}

fn pick(weights: &[f64], u: f64) -> usize {
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if u < acc {
            return i;
        }
    }
    weights.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stationary_share_is_proportional_to_holding_time() {
        let pi = stationary(&[0.02, 0.05]).unwrap();
        assert!((pi[0] - 5.0 / 7.0).abs() < 1e-12 && (pi[1] - 2.0 / 7.0).abs() < 1e-12);
        assert_eq!(stationary(&[0.0, 1.0]), None);
        assert_eq!(stationary(&[3.0]).unwrap(), vec![1.0]);
        let r = mean_rate(&[5.0, 40.0], &[0.02, 0.05]).unwrap();
        assert!((r - 15.0).abs() < 1e-12);
    }

    #[test]
    fn two_state_long_run_rate_matches_the_stationary_mean() {
        // The count's index of dispersion is about 480 here, so over 500 000 s
        // the rate's sd is about 0.8%: 4% is 5 sd.
        let duration = 500_000.0;
        for seed in [1, 2] {
            let n = Mmpp::new(&[5.0, 40.0], &[0.02, 0.05], duration, seed)
                .unwrap()
                .count();
            let rate = n as f64 / duration;
            assert!((rate / 15.0 - 1.0).abs() < 0.04, "seed {seed}: {rate}");
        }
    }

    #[test]
    fn three_state_long_run_rate_matches_the_stationary_mean() {
        let (rates, switch) = ([2.0, 20.0, 80.0], [0.05, 0.1, 0.5]);
        let expected = mean_rate(&rates, &switch).unwrap();
        let n = Mmpp::new(&rates, &switch, 300_000.0, 3).unwrap().count();
        let rate = n as f64 / 300_000.0;
        assert!((rate / expected - 1.0).abs() < 0.04, "{rate} vs {expected}");
    }

    #[test]
    fn arrivals_are_sorted_and_reproducible() {
        let a: Vec<f64> = Mmpp::new(&[1.0, 30.0], &[0.1, 0.2], 300.0, 4)
            .unwrap()
            .collect();
        assert!(a.windows(2).all(|w| w[0] <= w[1]));
        assert!(a.iter().all(|&t| (0.0..300.0).contains(&t)));
        let b: Vec<f64> = Mmpp::new(&[1.0, 30.0], &[0.1, 0.2], 300.0, 4)
            .unwrap()
            .collect();
        assert_eq!(a, b);
    }

    #[test]
    fn states_that_never_switch_hold_for_good() {
        // Starts in state 0 (distribution undefined), never leaves it: no arrivals.
        assert_eq!(
            Mmpp::new(&[0.0, 100.0], &[0.0, 1.0], 100.0, 1)
                .unwrap()
                .count(),
            0
        );
    }

    #[test]
    fn bad_parameters_name_the_flag() {
        let e = Mmpp::new(&[1.0, 2.0], &[1.0], 10.0, 1).unwrap_err();
        assert!(e.to_string().starts_with("--switch"), "{e}");
        let e = Mmpp::new(&[1.0, -2.0], &[1.0, 1.0], 10.0, 1).unwrap_err();
        assert!(e.to_string().starts_with("--mmpp"), "{e}");
        assert!(Mmpp::new(&[], &[], 10.0, 1).is_err());
        assert!(Mmpp::new(&[1.0], &[f64::NAN], 10.0, 1).is_err());
    }
}
