//! The study's workloads (PAPER.md, "Workloads"): every seed must meet the
//! request count (2%), duration (1%), 1-second peak (15% of the name) and the
//! two-peak shape.

use advisor::workload::generate::Preset;
use advisor::workload::stats;

/// Checks one draw against the study; returns a description of what failed.
fn check(p: Preset, seed: u64) -> Result<(), String> {
    let times = p.generate(seed);
    let s = stats(times.iter().copied(), 1.0);
    let name = p.name();
    let requests = s.requests as f64;
    if (requests / p.requests() as f64 - 1.0).abs() > 0.02 {
        return Err(format!("{name} seed {seed}: {requests} requests"));
    }
    if (s.duration_s / p.duration_s() - 1.0).abs() > 0.01 {
        return Err(format!("{name} seed {seed}: duration {} s", s.duration_s));
    }
    if (s.peak_rps / p.peak_rps() - 1.0).abs() > 0.15 {
        return Err(format!("{name} seed {seed}: peak {} req/s", s.peak_rps));
    }
    // The busiest second lies in one of the two peaks.
    let in_peak = |t: f64| p.peaks().iter().any(|&(a, b)| t >= a && t < b);
    if !in_peak(s.peak_at_s) {
        return Err(format!("{name} seed {seed}: peak at {} s", s.peak_at_s));
    }
    // Each peak runs at more than 1.5 times the rate outside the peaks.
    let outside = times.iter().filter(|&&t| !in_peak(t)).count() as f64;
    let outside_s = p.duration_s() - p.peaks().iter().map(|(a, b)| b - a).sum::<f64>();
    for (a, b) in p.peaks() {
        let inside = times.iter().filter(|&&t| t >= a && t < b).count() as f64;
        if inside / (b - a) < 1.5 * outside / outside_s {
            return Err(format!("{name} seed {seed}: peak {a}-{b} s too flat"));
        }
    }
    Ok(())
}

#[test]
fn presets_meet_the_study_for_seeds_1_to_5() {
    for p in Preset::ALL {
        for seed in 1..=5 {
            check(p, seed).unwrap();
        }
    }
}

#[test]
fn same_seed_same_trace() {
    for p in Preset::ALL {
        assert_eq!(p.generate(3), p.generate(3));
        assert_ne!(p.generate(3), p.generate(4));
    }
}

/// A wider sweep, run by hand: `cargo test --test workload_presets -- --ignored`.
#[test]
#[ignore = "sweeps 1000 seeds; run by hand"]
fn presets_meet_the_study_for_seeds_1_to_1000() {
    let failures: Vec<String> = Preset::ALL
        .into_iter()
        .flat_map(|p| (1..=1000).filter_map(move |seed| check(p, seed).err()))
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
}
