//! The slow work, off the UI thread: each job runs on its own thread and
//! answers through the app's channel with an [`Action`].
//!
//! The computations themselves ([`load_trace`], [`simulate`]) are plain
//! functions, so tests and the report build the same data the screens show.

use super::action::{Action, LoadedTrace, Source};
use super::state::{Effect, State};
use crate::error::one_line;
use crate::outcome::Outcome;
use crate::pricing::Offer;
use crate::profile::Profile;
use crate::sim::{self, Scenario};
use crate::workload::stats::DEFAULT_WINDOW_S;
use crate::workload::{stats, transform, Trace};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;

/// Loads or generates the trace and scales its rate.
pub fn load_trace(source: &Source, scale: f64, seed: u64) -> anyhow::Result<LoadedTrace> {
    let (trace, warnings) = match source {
        Source::Preset(p) => (Trace::from_times(p.generate(seed)), Vec::new()),
        Source::File(path) => Trace::load(path)?,
    };
    let trace = if scale == 1.0 {
        trace
    } else {
        transform::scale_rate(trace, scale, seed)
    };
    // The rate chart wants 1-second buckets; the burstiness is defined over
    // the same window as `trace stats` and the report, so all three agree.
    let mut stats = stats(trace.times.iter().copied(), 1.0);
    stats.burstiness =
        crate::workload::stats(trace.times.iter().copied(), DEFAULT_WINDOW_S).burstiness;
    Ok(LoadedTrace {
        trace: Arc::new(trace),
        stats,
        warnings,
    })
}

/// Simulates every offer over the trace in parallel; `done` is called with
/// (finished, total) as each offer finishes. Outcomes come back in offer order.
pub fn simulate(
    profile: &Arc<Profile>,
    trace: &Trace,
    offers: &[Offer],
    seed: u64,
    done: &(dyn Fn(usize, usize) + Sync),
) -> anyhow::Result<Vec<Outcome>> {
    use rayon::prelude::*;
    let total = offers.len();
    let finished = AtomicUsize::new(0);
    offers
        .par_iter()
        .map(|offer| {
            let mut sc = Scenario::new(offer.clone(), profile.clone());
            sc.seed = seed;
            let outcome = sim::simulate_times(&sc, &trace.times);
            done(finished.fetch_add(1, Ordering::SeqCst) + 1, total);
            outcome
        })
        .collect()
}

/// Runs `work` on a new thread and sends what it returns; a panic becomes
/// [`Action::Fatal`] so the app can close cleanly instead of drawing on.
pub fn spawn<F>(tx: Sender<Action>, work: F)
where
    F: FnOnce(&Sender<Action>) -> Action + Send + 'static,
{
    std::thread::spawn(move || {
        let action = catch_unwind(AssertUnwindSafe(|| work(&tx))).unwrap_or_else(|panic| {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a background job panicked".to_string());
            Action::Fatal(msg)
        });
        // The receiver is gone only when the app has ended; nothing to tell then.
        let _ = tx.send(action);
    });
}

/// Starts loading a trace.
pub fn start_load(tx: Sender<Action>, generation: u64, source: Source, scale: f64, seed: u64) {
    spawn(tx, move |_| Action::TraceLoaded {
        generation,
        result: load_trace(&source, scale, seed).map_err(|e| one_line(&e)),
    });
}

/// Starts simulating every offer.
pub fn start_simulation(
    tx: Sender<Action>,
    generation: u64,
    profile: Arc<Profile>,
    trace: Arc<Trace>,
    offers: Arc<Vec<Offer>>,
    seed: u64,
) {
    spawn(tx, move |tx| {
        let report = |done: usize, total: usize| {
            let _ = tx.send(Action::SimProgress {
                generation,
                done,
                total,
            });
        };
        Action::Simulated {
            generation,
            result: simulate(&profile, &trace, &offers, seed, &report).map_err(|e| one_line(&e)),
        }
    });
}

/// Starts computing the advice.
pub fn start_advice(tx: Sender<Action>, generation: u64, request: Box<crate::advise::Request>) {
    spawn(tx, move |_| Action::Advised {
        generation,
        result: crate::advise::advise(&request)
            .map(Arc::new)
            .map_err(|e| one_line(&e)),
    });
}

/// Runs effects on this thread, feeding their answers back, until the
/// state asks for nothing more: the screens' data without the app loop
/// (tests, benchmarks). Exports are skipped: they need the clock and the
/// current folder.
pub fn settle(state: &mut State, effects: Vec<Effect>) {
    let mut queue: std::collections::VecDeque<Effect> = effects.into();
    while let Some(effect) = queue.pop_front() {
        let action = match effect {
            Effect::LoadTrace {
                generation,
                source,
                scale,
                seed,
            } => Action::TraceLoaded {
                generation,
                result: load_trace(&source, scale, seed).map_err(|e| one_line(&e)),
            },
            Effect::Simulate {
                generation,
                profile,
                trace,
                offers,
                seed,
            } => Action::Simulated {
                generation,
                result: simulate(&profile, &trace, &offers, seed, &|_, _| {})
                    .map_err(|e| one_line(&e)),
            },
            Effect::Advise {
                generation,
                request,
            } => Action::Advised {
                generation,
                result: crate::advise::advise(&request)
                    .map(Arc::new)
                    .map_err(|e| one_line(&e)),
            },
            Effect::Export { .. } => continue,
        };
        queue.extend(state.update(action));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::generate::Preset;

    #[test]
    fn scaling_a_preset_scales_its_request_count() {
        let one = load_trace(&Source::Preset(Preset::Workload120), 1.0, 1).unwrap();
        let half = load_trace(&Source::Preset(Preset::Workload120), 0.5, 1).unwrap();
        assert_eq!(one.stats.requests, 15_000);
        let ratio = half.stats.requests as f64 / one.stats.requests as f64;
        assert!((ratio - 0.5).abs() < 0.02, "{ratio}");
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let err = load_trace(&Source::File("no/such/trace.csv".into()), 1.0, 1).unwrap_err();
        assert!(one_line(&err).contains("no/such/trace.csv"), "{err}");
    }
}
