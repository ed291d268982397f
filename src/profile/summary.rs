//! A profile as a readable plain-text summary (the output without `--json`).

use super::{ColdStart, LatencyPoint, Profile};
use std::fmt::Write;

/// The summary: model, machine, cold start, optimisation effect, latency table, notes.
pub fn render(p: &Profile) -> String {
    let mut s = String::new();
    write_setup(&mut s, p);
    write_cold_start(&mut s, &p.cold_start);
    if let Some(o) = &p.optimization {
        let _ = writeln!(
            s,
            "\ngraph optimisation (1 thread): session {:.1} ms disabled vs {:.1} ms all; p50 {:.2} ms disabled vs {:.2} ms all",
            o.disabled_session_ms, o.all_session_ms, o.disabled_p50_ms, o.all_p50_ms
        );
    }
    write_latency(&mut s, &p.latency);
    let _ = writeln!(s, "\npeak memory of one process: {:.1} MB", p.peak_rss_mb);
    if let Some(r) = &p.probe {
        let _ = writeln!(
            s,
            "reference probe (1 thread, batch 1, median): {}",
            r.summary()
        );
    }
    let warnings = p.warnings();
    if !warnings.is_empty() {
        let _ = writeln!(s, "\nwarnings:");
        for w in &warnings {
            let _ = writeln!(s, "  ! {w}");
        }
    }
    if !p.notes.is_empty() {
        let _ = writeln!(s, "\nnotes:");
        for n in &p.notes {
            let _ = writeln!(s, "  - {n}");
        }
    }
    s
}

/// Model, machine and runtime: what the numbers below were measured on.
fn write_setup(s: &mut String, p: &Profile) {
    let m = &p.model;
    let _ = writeln!(
        s,
        "{} ({}): {:.1} MB, {} parameters, opset {}",
        p.name,
        m.file,
        m.size_bytes as f64 / (1024.0 * 1024.0),
        m.params,
        m.opset
    );
    if let Some(f) = m.flops_per_item {
        let _ = writeln!(
            s,
            "  {:.4} GFLOPs per item (estimated from shapes)",
            f / 1e9
        );
    }
    for i in &m.inputs {
        let _ = writeln!(s, "  input {i}");
    }
    let _ = writeln!(
        s,
        "machine: {}, {} cores{}",
        p.machine.cpu_model,
        p.machine.cores,
        p.machine
            .gpu
            .as_ref()
            .map(|g| format!(", GPU {g}"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        s,
        "runtime: ONNX Runtime {} ({:.1} MB library), {}",
        p.runtime.ort_version,
        p.runtime.library_mb,
        p.runtime.providers.join(", ")
    );
}

/// The cold-start phases with their spread; nothing when no trials ran.
fn write_cold_start(s: &mut String, c: &ColdStart) {
    if c.trials > 0 {
        let _ = writeln!(
            s,
            "\ncold start (median [min, max] of {} fresh processes, {} thread{}, batch {}):",
            c.trials,
            c.threads,
            if c.threads == 1 { "" } else { "s" },
            c.batch
        );
        for (label, key, value) in [
            ("read model file", "model_read_ms", c.model_read_ms),
            ("load runtime", "runtime_load_ms", c.runtime_load_ms),
            ("create session", "session_create_ms", c.session_create_ms),
            (
                "first inference",
                "first_inference_ms",
                c.first_inference_ms,
            ),
        ] {
            let spread = c
                .spread_ms
                .get(key)
                .map(|[lo, hi]| format!("  [{lo:.1}, {hi:.1}]"))
                .unwrap_or_default();
            let _ = writeln!(s, "  {label:<16} {value:>9.1} ms{spread}");
        }
        let total =
            c.model_read_ms + c.runtime_load_ms + c.session_create_ms + c.first_inference_ms;
        let _ = writeln!(s, "  {:<16} {total:>9.1} ms", "total");
        let _ = writeln!(s, "  probe process peak memory {:.1} MB", c.process_rss_mb);
    }
}

/// One row per measured point of the threads x batch grid.
fn write_latency(s: &mut String, latency: &[LatencyPoint]) {
    let _ = writeln!(
        s,
        "\n{:<6} {:>7} {:>5} {:>10} {:>10} {:>10} {:>10} {:>7} {:>10}",
        "device", "threads", "batch", "mean ms", "p50 ms", "p95 ms", "p99 ms", "runs", "items/s"
    );
    for l in latency {
        let _ = writeln!(
            s,
            "{:<6} {:>7} {:>5} {:>10.2} {:>10.2} {:>10.2} {:>10.2} {:>7} {:>10.1}",
            l.device,
            l.threads,
            l.batch,
            l.mean_ms,
            l.p50_ms,
            l.p95_ms,
            l.p99_ms,
            l.samples,
            l.items_per_s
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_shows_every_section() {
        let p = super::super::file::tests::sample();
        let text = render(&p);
        assert!(text.contains("tiny (tiny.onnx)"), "{text}");
        assert!(text.contains("load runtime"), "{text}");
        assert!(text.contains("[20.1, 25.8]"), "{text}");
        assert!(text.contains("graph optimisation"), "{text}");
        assert!(
            text.lines()
                .any(|l| l.starts_with("cpu") && l.contains("0.29")),
            "{text}"
        );
        assert!(text.contains("notes:"), "{text}");
        assert!(
            text.contains(
                "reference probe (1 thread, batch 1, median): conv 8.50 ms, matmul 12.25 ms"
            ),
            "{text}"
        );
        assert!(!text.contains("warnings:"), "{text}");
    }

    #[test]
    fn summary_shows_noise_and_a_missing_probe() {
        let mut p = super::super::file::tests::sample();
        p.probe = None;
        p.latency[0].p95_ms = 2.0;
        let text = render(&p);
        assert!(text.contains("warnings:"), "{text}");
        assert!(
            text.contains("! noisy measurement: cpu 1 thread, batch 1"),
            "{text}"
        );
        assert!(text.contains("--runs 200"), "{text}");
        assert!(text.contains("no reference probe"), "{text}");
    }
}
