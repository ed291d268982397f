//! The comparison table as CSV: one row per option simulated.

use crate::advise::Advice;

/// Column titles, with units in the names.
pub const HEADER: [&str; 27] = [
    "rank",
    "id",
    "offer",
    "name",
    "kind",
    "group",
    "cloud",
    "memory_mb",
    "batch_size",
    "batch_wait_s",
    "provisioned",
    "instances",
    "cost_per_trace_usd",
    "cost_per_million_usd",
    "cost_per_month_usd",
    "avg_latency_s",
    "p50_latency_s",
    "p95_latency_s",
    "p99_latency_s",
    "success_ratio",
    "cold_starts",
    "instances_created",
    "peak_instances",
    "utilisation",
    "meets_slo",
    "pareto",
    "provenance",
];

/// The ranked options as CSV text.
pub fn render(a: &Advice) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    let opt = |v: Option<String>| v.unwrap_or_default();
    for r in &a.ranked {
        let v = &r.variant;
        w.write_record([
            opt(r.rank.map(|x| x.to_string())),
            r.id.clone(),
            r.offer.clone(),
            r.name.clone(),
            r.kind.clone(),
            r.group.label().to_string(),
            r.cloud.clone(),
            opt(v.memory_mb.map(|x| x.to_string())),
            v.batch_size.to_string(),
            v.batch_wait_s.to_string(),
            v.provisioned.to_string(),
            opt(v.instances.map(|x| x.to_string())),
            r.cost_per_trace_usd.to_string(),
            r.cost_per_million_usd.to_string(),
            r.cost_per_month_usd.to_string(),
            r.avg_latency_s.to_string(),
            r.p50_latency_s.to_string(),
            r.p95_latency_s.to_string(),
            r.p99_latency_s.to_string(),
            r.success_ratio.to_string(),
            r.cold_starts.to_string(),
            r.instances_created.to_string(),
            r.peak_instances.to_string(),
            r.utilisation.to_string(),
            r.meets_slo.to_string(),
            r.pareto.to_string(),
            a.provenance.clone(),
        ])?;
    }
    Ok(String::from_utf8(
        w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?,
    )?)
}
