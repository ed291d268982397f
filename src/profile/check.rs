//! Bounds on a profile's figures, checked when it is read.
//!
//! A profile is human-editable; a NaN, infinite, zero or negative time would
//! otherwise reach the simulator (which then never ends, or prices nothing).

use super::Profile;

/// Largest latency of one batch a profile may state, ms (one hour: no
/// platform modelled here serves a request that long).
pub const MAX_LATENCY_MS: f64 = 3_600_000.0;

/// Largest cold-start phase a profile may state, ms (one hour).
pub const MAX_COLD_START_MS: f64 = 3_600_000.0;

/// Largest memory figure a profile may state, MB (16 TiB).
pub const MAX_MEMORY_MB: f64 = 16.0 * 1024.0 * 1024.0;

/// Checks every figure; the error names the field and what was expected.
pub fn validate(p: &Profile) -> Result<(), String> {
    let pos = |field: &str, v: f64, max: f64| -> Result<(), String> {
        if v.is_finite() && v > 0.0 && v <= max {
            Ok(())
        } else {
            Err(format!(
                "{field} = {v}: expected a number above 0 and at most {max}"
            ))
        }
    };
    let non_neg = |field: &str, v: f64, max: f64| -> Result<(), String> {
        if v.is_finite() && (0.0..=max).contains(&v) {
            Ok(())
        } else {
            Err(format!("{field} = {v}: expected a number from 0 to {max}"))
        }
    };
    if p.machine.cores == 0 {
        return Err("machine.cores = 0: expected at least 1".into());
    }
    let c = &p.cold_start;
    non_neg(
        "cold_start.model_read_ms",
        c.model_read_ms,
        MAX_COLD_START_MS,
    )?;
    // `--cold-trials 0` measures no phase and records zeros.
    let phase = |field: &str, v: f64| {
        if c.trials == 0 {
            non_neg(field, v, MAX_COLD_START_MS)
        } else {
            pos(field, v, MAX_COLD_START_MS)
        }
    };
    phase("cold_start.runtime_load_ms", c.runtime_load_ms)?;
    phase("cold_start.session_create_ms", c.session_create_ms)?;
    phase("cold_start.first_inference_ms", c.first_inference_ms)?;
    non_neg("cold_start.process_rss_mb", c.process_rss_mb, MAX_MEMORY_MB)?;
    for (phase, [lo, hi]) in &c.spread_ms {
        non_neg(
            &format!("cold_start.spread_ms.{phase}[0]"),
            *lo,
            MAX_COLD_START_MS,
        )?;
        non_neg(
            &format!("cold_start.spread_ms.{phase}[1]"),
            *hi,
            MAX_COLD_START_MS,
        )?;
    }
    non_neg("peak_rss_mb", p.peak_rss_mb, MAX_MEMORY_MB)?;
    non_neg("runtime.library_mb", p.runtime.library_mb, MAX_MEMORY_MB)?;
    if let Some(f) = p.model.flops_per_item {
        non_neg("model.flops_per_item", f, f64::MAX)?;
    }
    if let Some(o) = &p.optimization {
        non_neg(
            "optimization.disabled_session_ms",
            o.disabled_session_ms,
            MAX_COLD_START_MS,
        )?;
        non_neg(
            "optimization.all_session_ms",
            o.all_session_ms,
            MAX_COLD_START_MS,
        )?;
        non_neg(
            "optimization.disabled_p50_ms",
            o.disabled_p50_ms,
            MAX_LATENCY_MS,
        )?;
        non_neg("optimization.all_p50_ms", o.all_p50_ms, MAX_LATENCY_MS)?;
    }
    for (i, l) in p.latency.iter().enumerate() {
        let f = |name: &str| format!("latency[{i}].{name}");
        if l.threads == 0 {
            return Err(format!("{} = 0: expected at least 1", f("threads")));
        }
        if l.batch == 0 {
            return Err(format!("{} = 0: expected at least 1", f("batch")));
        }
        if l.samples == 0 {
            return Err(format!("{} = 0: expected at least 1", f("samples")));
        }
        pos(&f("mean_ms"), l.mean_ms, MAX_LATENCY_MS)?;
        pos(&f("p50_ms"), l.p50_ms, MAX_LATENCY_MS)?;
        pos(&f("p95_ms"), l.p95_ms, MAX_LATENCY_MS)?;
        pos(&f("p99_ms"), l.p99_ms, MAX_LATENCY_MS)?;
        non_neg(&f("items_per_s"), l.items_per_s, f64::MAX)?;
    }
    if !p.latency.iter().any(|l| l.device == "cpu") {
        return Err(
            "latency: no point with device = \"cpu\"; expected at least one CPU latency point \
             (profile the model again)"
                .into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_passes() {
        validate(&super::super::file::tests::sample()).unwrap();
    }

    #[test]
    fn bad_figures_name_their_field() {
        type Case = (fn(&mut Profile), &'static str);
        let cases: Vec<Case> = vec![
            (|p| p.latency[0].mean_ms = f64::NAN, "latency[0].mean_ms"),
            (|p| p.latency[0].p95_ms = -1.0, "latency[0].p95_ms"),
            (|p| p.latency[0].p50_ms = 0.0, "latency[0].p50_ms"),
            (|p| p.latency[0].mean_ms = 1e300, "latency[0].mean_ms"),
            (|p| p.latency[0].batch = 0, "latency[0].batch"),
            (|p| p.latency[0].samples = 0, "latency[0].samples"),
            (|p| p.machine.cores = 0, "machine.cores"),
            (|p| p.peak_rss_mb = f64::NAN, "peak_rss_mb"),
            (
                |p| p.cold_start.runtime_load_ms = f64::INFINITY,
                "cold_start.runtime_load_ms",
            ),
            (
                |p| p.latency[0].device = "cuda".into(),
                "no point with device",
            ),
        ];
        for (mutate, field) in cases {
            let mut p = super::super::file::tests::sample();
            mutate(&mut p);
            let e = validate(&p).unwrap_err();
            assert!(e.contains(field), "{e} should name {field}");
        }
    }
}
