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

/// A figure of a profile out of its bounds; the message names the field and
/// what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CheckError {
    /// A time or size that must be above zero.
    #[error("{field} = {value}: expected a number above 0 and at most {max}")]
    NotPositive {
        /// The field's path, e.g. `latency[0].p50_ms`.
        field: String,
        /// The value found.
        value: f64,
        /// The largest accepted.
        max: f64,
    },
    /// A figure that may be zero but not negative.
    #[error("{field} = {value}: expected a number from 0 to {max}")]
    OutOfRange {
        /// The field's path.
        field: String,
        /// The value found.
        value: f64,
        /// The largest accepted.
        max: f64,
    },
    /// A count that must be at least one.
    #[error("{field} = 0: expected at least 1")]
    Zero {
        /// The field's path.
        field: String,
    },
    /// A share that must lie in 0..=1.
    #[error("{field} = {value}: expected a share from 0 to 1")]
    NotAShare {
        /// The field's path.
        field: String,
        /// The value found.
        value: f64,
    },
    /// No CPU latency at all: nothing to simulate a CPU offer from.
    #[error(
        "latency: no point with device = \"cpu\"; expected at least one CPU latency point \
         (profile the model again)"
    )]
    NoCpuPoint,
}

type Checked = Result<(), CheckError>;

fn pos(field: &str, value: f64, max: f64) -> Checked {
    if value.is_finite() && value > 0.0 && value <= max {
        Ok(())
    } else {
        Err(CheckError::NotPositive {
            field: field.to_string(),
            value,
            max,
        })
    }
}

fn non_neg(field: &str, value: f64, max: f64) -> Checked {
    if value.is_finite() && (0.0..=max).contains(&value) {
        Ok(())
    } else {
        Err(CheckError::OutOfRange {
            field: field.to_string(),
            value,
            max,
        })
    }
}

fn at_least_one(field: String, n: u32) -> Checked {
    if n == 0 {
        Err(CheckError::Zero { field })
    } else {
        Ok(())
    }
}

/// Checks every figure; the error names the field and what was expected.
pub fn validate(p: &Profile) -> Checked {
    at_least_one("machine.cores".into(), p.machine.cores)?;
    cold_start(p)?;
    non_neg("peak_rss_mb", p.peak_rss_mb, MAX_MEMORY_MB)?;
    non_neg("runtime.library_mb", p.runtime.library_mb, MAX_MEMORY_MB)?;
    if let Some(f) = p.model.flops_per_item {
        non_neg("model.flops_per_item", f, f64::MAX)?;
    }
    if let Some(share) = p.model.conv_flops_share {
        if !(0.0..=1.0).contains(&share) {
            return Err(CheckError::NotAShare {
                field: "model.conv_flops_share".into(),
                value: share,
            });
        }
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
    if let Some(probe) = &p.probe {
        pos("probe.conv_ms", probe.conv_ms, MAX_LATENCY_MS)?;
        pos("probe.conv_p95_ms", probe.conv_p95_ms, MAX_LATENCY_MS)?;
        pos("probe.matmul_ms", probe.matmul_ms, MAX_LATENCY_MS)?;
        pos("probe.matmul_p95_ms", probe.matmul_p95_ms, MAX_LATENCY_MS)?;
        at_least_one("probe.cores".into(), probe.cores)?;
    }
    latency(p)
}

fn cold_start(p: &Profile) -> Checked {
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
    Ok(())
}

fn latency(p: &Profile) -> Checked {
    for (i, l) in p.latency.iter().enumerate() {
        let f = |name: &str| format!("latency[{i}].{name}");
        at_least_one(f("threads"), l.threads)?;
        at_least_one(f("batch"), l.batch)?;
        at_least_one(f("samples"), l.samples)?;
        pos(&f("mean_ms"), l.mean_ms, MAX_LATENCY_MS)?;
        pos(&f("p50_ms"), l.p50_ms, MAX_LATENCY_MS)?;
        pos(&f("p95_ms"), l.p95_ms, MAX_LATENCY_MS)?;
        pos(&f("p99_ms"), l.p99_ms, MAX_LATENCY_MS)?;
        non_neg(&f("items_per_s"), l.items_per_s, f64::MAX)?;
    }
    if !p.latency.iter().any(|l| l.device == "cpu") {
        return Err(CheckError::NoCpuPoint);
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
            (
                |p| p.probe.as_mut().unwrap().matmul_ms = 0.0,
                "probe.matmul_ms",
            ),
            (|p| p.model.conv_flops_share = Some(1.5), "conv_flops_share"),
        ];
        for (mutate, field) in cases {
            let mut p = super::super::file::tests::sample();
            mutate(&mut p);
            let e = validate(&p).unwrap_err().to_string();
            assert!(e.contains(field), "{e} should name {field}");
        }
    }
}
