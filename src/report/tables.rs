//! The report's tables, independent of the format they are written in.
//!
//! Markdown and HTML show the same figures; building each table once here
//! keeps the two reports from drifting apart. A [`Cell`] says what kind of
//! text it holds, and each format escapes and marks it up its own way.

use super::{cost_at, ColdStartView, OfferSources, Report};
use crate::advise::{Advice, BatchSweep, MemorySweep, Method};
use crate::present::{named, pct, readable, secs, usd};
use crate::profile::Profile;

/// Most rows of the comparison table (the CSV report has them all).
pub const MAX_ROWS: usize = 40;

/// Steady rates at which the break-even table gives each option's monthly cost.
const BREAK_EVEN_RATES: [f64; 5] = [0.1, 1.0, 10.0, 100.0, 1000.0];

/// One cell, as plain (unescaped) text of a kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Ordinary text.
    Text(String),
    /// An identifier (an option, an offer, a figure's name).
    Code(String),
    /// A yes/no verdict where yes is good.
    Yes(bool),
    /// A yes/no observation where yes calls for attention (a choice that
    /// changes), no is reassuring.
    Warn(bool),
    /// An option: its readable name, then its id.
    Named {
        /// In words.
        name: String,
        /// The id `--offer` takes.
        id: String,
    },
    /// A source: a link when it is a URL.
    Source(String),
}

/// "yes" or "no".
pub fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn or_dash<T>(v: Option<T>, f: impl Fn(T) -> String) -> Cell {
    text(v.map(f).unwrap_or_else(|| "-".into()))
}

/// One row; `best` rows are highlighted where the format can.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The recommended option's row.
    pub best: bool,
    /// The cells, one per column.
    pub cells: Vec<Cell>,
}

impl From<Vec<Cell>> for Row {
    fn from(cells: Vec<Cell>) -> Self {
        Row { best: false, cells }
    }
}

/// A table: a head, then rows. A column whose head starts with a space holds
/// numbers (right-aligned).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column names; a leading space marks a number column.
    pub head: Vec<String>,
    /// The rows.
    pub rows: Vec<Row>,
}

impl Table {
    fn new(head: &[&str], rows: Vec<Row>) -> Self {
        Table {
            head: head.iter().map(|h| h.to_string()).collect(),
            rows,
        }
    }

    /// Whether column `i` holds numbers.
    pub fn numeric(&self, i: usize) -> bool {
        self.head.get(i).is_some_and(|h| h.starts_with(' '))
    }
}

/// The ranked options, best first, at most [`MAX_ROWS`].
pub fn comparison(a: &Advice) -> Table {
    let best = a.best.as_ref().map(|b| b.id.as_str());
    let rows = a
        .ranked
        .iter()
        .take(MAX_ROWS)
        .map(|r| Row {
            best: best == Some(r.id.as_str()),
            cells: vec![
                or_dash(r.rank, |x| x.to_string()),
                Cell::Named {
                    name: readable(r),
                    id: r.id.clone(),
                },
                text(r.group.label()),
                text(usd(r.cost_per_month_usd)),
                text(usd(r.cost_per_million_usd)),
                text(secs(r.avg_latency_s)),
                text(secs(r.p95_latency_s)),
                text(secs(r.p99_latency_s)),
                text(pct(r.success_ratio)),
                text(r.cold_starts.to_string()),
                text(r.instances_created.to_string()),
                Cell::Yes(r.meets_slo),
            ],
        })
        .collect();
    Table::new(
        &[
            " rank",
            "option",
            "kind",
            " per month",
            " per million",
            " mean",
            " p95",
            " p99",
            " success",
            " cold starts",
            " instances",
            "meets targets",
        ],
        rows,
    )
}

/// The leading options with their ranges from the CPU sources.
pub fn ranges(a: &Advice) -> Table {
    let best = a.best.as_ref().map(|b| b.id.as_str());
    let rows = crate::present::range::rows(a)
        .into_iter()
        .map(|r| Row {
            best: best == Some(r.id.as_str()),
            cells: vec![
                Cell::Named {
                    name: r.name,
                    id: r.id,
                },
                text(r.cost),
                text(r.p95),
                Cell::Yes(r.meets_slowest),
            ],
        })
        .collect();
    Table::new(
        &[
            "option",
            " per month (range)",
            " p95 (range)",
            "meets targets with the slowest CPU",
        ],
        rows,
    )
}

/// How many ranked options [`comparison`] leaves out.
pub fn comparison_left_out(a: &Advice) -> usize {
    a.ranked.len().saturating_sub(MAX_ROWS)
}

/// One option's batching sweep, the chosen point marked.
pub fn batching(b: &BatchSweep) -> Table {
    let rows = b
        .points
        .iter()
        .map(|p| {
            let chosen = b
                .cheapest_meeting
                .as_ref()
                .is_some_and(|c| c.batch_size == p.batch_size && c.max_wait_s == p.max_wait_s);
            Row {
                best: chosen,
                cells: vec![
                    text(format!(
                        "{}{}",
                        p.batch_size,
                        if chosen { " (chosen)" } else { "" }
                    )),
                    // No batching waits for nobody: "none" reads better than "0 us".
                    text(if p.max_wait_s > 0.0 {
                        secs(p.max_wait_s)
                    } else {
                        "none".into()
                    }),
                    text(usd(p.cost_per_month_usd)),
                    text(secs(p.avg_latency_s)),
                    text(secs(p.p95_latency_s)),
                    text(pct(p.success_ratio)),
                    Cell::Yes(p.meets_slo),
                ],
            }
        })
        .collect();
    Table::new(
        &[
            " batch",
            " wait",
            " per month",
            " mean",
            " p95",
            " success",
            "meets targets",
        ],
        rows,
    )
}

/// One offer's memory-size sweep, the cheapest (marked), balanced and fastest sizes named.
pub fn memory(m: &MemorySweep) -> Table {
    let rows = m
        .points
        .iter()
        .map(|p| {
            let tags: Vec<&str> = [
                (m.cheapest_mb, "cheapest"),
                (m.balanced_mb, "p95 within 10% of the fastest"),
                (m.fastest_mb, "fastest"),
            ]
            .iter()
            .filter(|(mb, _)| *mb == Some(p.memory_mb))
            .map(|(_, t)| *t)
            .collect();
            let tag = if tags.is_empty() {
                String::new()
            } else {
                format!(" ({})", tags.join(", "))
            };
            Row {
                best: m.cheapest_mb == Some(p.memory_mb),
                cells: vec![
                    text(format!("{:.0}{tag}", p.memory_mb)),
                    text(format!("{:.2}", p.vcpu)),
                    Cell::Yes(p.fits),
                    or_dash(p.cold_start_s, secs),
                    or_dash(p.cost_per_month_usd, usd),
                    or_dash(p.p95_latency_s, secs),
                    or_dash(p.success_ratio, pct),
                ],
            }
        })
        .collect();
    Table::new(
        &[
            " MB",
            " vCPU",
            "fits",
            " cold start",
            " per month",
            " p95",
            " success",
        ],
        rows,
    )
}

/// Each option's monthly cost at a few steady rates.
pub fn break_even(a: &Advice) -> Table {
    let mut head = vec!["option".to_string(), "method".to_string()];
    head.extend(BREAK_EVEN_RATES.iter().map(|r| format!(" {r} req/s")));
    let rows = a
        .break_even
        .iter()
        .map(|c| {
            let mut cells = vec![
                text(c.label.clone()),
                text(match c.method {
                    Method::Analytic => "analytic",
                    Method::Simulated => "simulated",
                }),
            ];
            cells.extend(
                BREAK_EVEN_RATES
                    .iter()
                    .map(|r| or_dash(cost_at(c, *r), usd)),
            );
            Row::from(cells)
        })
        .collect();
    Table { head, rows }
}

/// How the best option changes with the CPU and the rate.
pub fn sensitivity(a: &Advice) -> Table {
    let rows = a
        .sensitivity
        .cases
        .iter()
        .map(|c| {
            Row::from(vec![
                text(c.description.clone()),
                c.best
                    .as_ref()
                    .map(|id| Cell::Named {
                        name: c.best_name.clone().unwrap_or_else(|| named(a, id)),
                        id: id.clone(),
                    })
                    .unwrap_or_else(|| text("none meets the targets")),
                or_dash(c.best_cost_per_month_usd, usd),
                or_dash(c.best_p95_latency_s, secs),
                Cell::Warn(c.changed),
            ])
        })
        .collect();
    Table::new(&["case", "best", " per month", " p95", "changed"], rows)
}

/// What the profile says about the model, the machine and the runtime.
pub fn facts(p: &Profile) -> Table {
    let m = &p.model;
    let rows = [
        (
            "Model",
            format!(
                "{}: {:.1} MB, {:.2} M parameters, opset {}{}",
                m.file,
                m.size_bytes as f64 / (1024.0 * 1024.0),
                m.params as f64 / 1e6,
                m.opset,
                m.flops_per_item
                    .map(|f| format!(", {:.2} GFLOPs per item (estimated)", f / 1e9))
                    .unwrap_or_default()
            ),
        ),
        ("Inputs", m.inputs.join("; ")),
        ("Machine", p.machine.summary()),
        (
            "Runtime",
            format!(
                "ONNX Runtime {} ({:.1} MB library), {}",
                p.runtime.ort_version,
                p.runtime.library_mb,
                p.runtime.providers.join(", ")
            ),
        ),
        ("Measured", format!("{}, {}", p.measured_at, p.source)),
        (
            "Peak memory",
            format!(
                "{:.0} MB (profiler); {:.0} MB per serving process",
                p.peak_rss_mb, p.cold_start.process_rss_mb
            ),
        ),
    ]
    .into_iter()
    .map(|(k, v)| Row::from(vec![text(k), text(v)]))
    .collect();
    Table::new(&["What", "Measured"], rows)
}

/// The cold start phases timed on the profiling machine.
pub fn local_cold_start(p: &Profile) -> Table {
    let c = &p.cold_start;
    let rows = [
        ("read the model file", c.model_read_ms),
        ("load the runtime", c.runtime_load_ms),
        ("create the session", c.session_create_ms),
        ("first inference", c.first_inference_ms),
    ]
    .into_iter()
    .map(|(k, ms)| Row::from(vec![text(k), text(format!("{ms:.1} ms"))]))
    .collect();
    Table::new(&["phase", " time"], rows)
}

/// Warm latency per device, threads and batch.
pub fn latency(p: &Profile) -> Table {
    let rows = p
        .latency
        .iter()
        .map(|l| {
            Row::from(vec![
                text(l.device.clone()),
                text(l.threads.to_string()),
                text(l.batch.to_string()),
                text(format!("{:.2}", l.p50_ms)),
                text(format!("{:.2}", l.p95_ms)),
                text(format!("{:.2}", l.p99_ms)),
                text(format!("{:.0}", l.items_per_s)),
                text(l.samples.to_string()),
            ])
        })
        .collect();
    Table::new(
        &[
            "device", " threads", " batch", " p50 ms", " p95 ms", " p99 ms", " items/s", " runs",
        ],
        rows,
    )
}

/// The trace's statistics, one row.
pub fn workload(r: &Report) -> Table {
    let w = &r.advice.workload;
    let t = &r.report.trace_stats;
    let row = Row::from(vec![
        text(w.trace.clone()),
        text(w.requests.to_string()),
        text(secs(w.duration_s)),
        text(format!("{:.1}/s", w.mean_rps)),
        text(format!("{:.0}/s at {:.0} s", t.peak_rps, t.peak_at_s)),
        or_dash(w.burstiness, |x| format!("{x:.2}")),
        text(format!("{:.1} ms", t.interarrival_p50_ms)),
        text(format!("{:.1} ms", t.interarrival_p99_ms)),
    ]);
    Table::new(
        &[
            "trace",
            " requests",
            " duration",
            " mean",
            " peak (1 s)",
            " burstiness",
            " gap p50",
            " gap p99",
        ],
        vec![row],
    )
}

/// One step of a modelled cold start: its name, time in seconds, how it was obtained.
pub struct Step {
    /// The study's name for it.
    pub name: &'static str,
    /// Seconds.
    pub s: f64,
    /// Measured or modelled, and from what.
    pub how: &'static str,
}

/// The study's five cold-start steps on the option shown; with SnapStart,
/// the restore and the first inference.
pub fn cold_start_steps(c: &ColdStartView) -> Vec<Step> {
    let p = &c.phases;
    let first = Step {
        name: "first inference",
        s: p.first_inference_s,
        how: "measured, scaled to the offer's CPU",
    };
    if let Some(r) = p.restore_s {
        return vec![
            Step {
                name: "SnapStart restore",
                s: r,
                how: "published restore time; replaces the four steps before the first inference",
            },
            first,
        ];
    }
    vec![
        Step {
            name: "container initialisation",
            s: p.container_init_s,
            how: "modelled from the offer (platform and package size)",
        },
        Step {
            name: "library import",
            s: p.import_s,
            how: "modelled from the offer's runtime",
        },
        Step {
            name: "model download",
            s: p.download_s,
            how: "modelled: model size / storage bandwidth",
        },
        Step {
            name: "model load",
            s: p.model_load_s,
            how: "measured (session creation), scaled to the offer's CPU",
        },
        first,
    ]
}

/// The cold-start steps as a table, with their total.
pub fn cold_start(c: &ColdStartView) -> Table {
    let mut rows: Vec<Row> = cold_start_steps(c)
        .iter()
        .map(|st| Row::from(vec![text(st.name), text(secs(st.s)), text(st.how)]))
        .collect();
    rows.push(Row {
        best: true,
        cells: vec![text("total"), text(secs(c.phases.total_s())), text("")],
    });
    Table::new(
        &["step (the study's five)", " time", "how it was obtained"],
        rows,
    )
}

/// Where each figure of one offer comes from.
pub fn sources(o: &OfferSources) -> Table {
    let rows = o
        .figures
        .iter()
        .map(|f| {
            Row::from(vec![
                Cell::Code(f.figure.clone()),
                Cell::Source(f.source.clone()),
                text(f.date.clone()),
                text(if f.assumption { "assumption" } else { "" }),
            ])
        })
        .collect();
    Table::new(&["figure", "source", "date", ""], rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_columns_are_marked_by_a_leading_space() {
        let t = Table::new(&["name", " n"], vec![]);
        assert!(!t.numeric(0));
        assert!(t.numeric(1));
        assert!(!t.numeric(2));
    }

    #[test]
    fn missing_figures_show_a_dash() {
        assert_eq!(or_dash(None::<f64>, secs), text("-"));
        assert_eq!(or_dash(Some(2.0), secs), text(secs(2.0)));
        assert_eq!(yes_no(true), "yes");
    }
}
