//! The report's sections, built once from a [`Report`] into a [`Document`].

use super::charts;
use super::document::{BarPart, Block, Document, Inline, Item, Section, Tag};
use super::tables;
use super::Report;
use crate::advise::Advice;
use crate::present::variant::offer_name;
use crate::present::{achieved, against_best, figure, meets, named, readable, secs, targets, usd};

/// The report as a document.
pub fn document(r: &Report) -> Document {
    let a = &r.advice;
    let m = &r.report;
    Document {
        title: format!("Where to serve {}", m.measured.name),
        lead: vec![
            Inline::text(format!(
                "Written {} by {}. Every figure about an offer is ",
                m.generated_at, m.generated_by
            )),
            Inline::Tag(Tag::Modelled),
            Inline::text(
                " by the simulator from the measured profile, the workload and the offer's \
                 prices; figures marked ",
            ),
            Inline::Tag(Tag::Measured),
            Inline::text(" were timed on the profiling machine."),
        ],
        sections: [
            Some(decision(a)),
            over_time(r),
            Some(measured(r)),
            Some(workload(r)),
            Some(comparison(a)),
            runners_up(a),
            batching(a),
            memory(a),
            break_even(a),
            sensitivity(a),
            runtime(a),
            cold_start(r),
            Some(provenance(r)),
        ]
        .into_iter()
        .flatten()
        .collect(),
    }
}

fn decision(a: &Advice) -> Section {
    let mut s = Section::new("Decision", None);
    s.push(match &a.best {
        Some(b) => Block::Verdict {
            found: true,
            text: vec![
                Inline::strong(format!("Serve on {}", crate::present::variant::headline(b))),
                Inline::text(format!(
                    ": {} per month, {} per million requests; it {} (modelled). Option ",
                    usd(b.cost_per_month_usd),
                    usd(b.cost_per_million_usd),
                    achieved(b, &a.constraints)
                )),
                Inline::code(&b.id),
                Inline::text(", as --offer takes it."),
            ],
        },
        None => Block::Verdict {
            found: false,
            text: vec![Inline::strong("No option meets the targets.")],
        },
    });
    ranges(a, &mut s);
    s.push(Block::List(vec![
        vec![Inline::text(format!(
            "Targets: {}",
            targets(&a.constraints)
        ))]
        .into(),
        vec![Inline::text(format!("Month: {}", a.month.statement))].into(),
        vec![
            Inline::text("Prices: snapshot "),
            Inline::code(&a.snapshot),
            Inline::text("; profile "),
            Inline::code(&a.profile),
        ]
        .into(),
    ]));
    if !a.reasons.is_empty() {
        s.push(Block::Heading("Why".into()));
        s.push(Block::List(
            a.reasons
                .iter()
                .map(|r| vec![Inline::text(&r.text)].into())
                .collect(),
        ));
    }
    s
}

/// The best option's range from the CPU sources, whether the ranking
/// changes within it, and the leading options' ranges.
fn ranges(a: &Advice, s: &mut Section) {
    let words: Vec<String> = crate::present::range::best(a)
        .map(|r| format!("{}{}.", r[..1].to_uppercase(), &r[1..]))
        .into_iter()
        .chain(crate::present::range::ranking(a))
        .collect();
    if words.is_empty() {
        return;
    }
    s.push(Block::Paragraph(vec![Inline::text(words.join(" "))]));
    if a.uncertainty.len() > 1 {
        s.push(Block::Table(tables::ranges(a)));
    }
}

fn over_time(r: &Report) -> Option<Section> {
    let o = r.report.best_outcome.as_ref()?;
    let name = r
        .advice
        .best
        .as_ref()
        .map_or_else(|| o.offer.clone(), readable);
    let mut s = Section::new("The best option over the run", Some(Tag::Modelled));
    s.visual = true;
    s.push(Block::Paragraph(vec![Inline::text(format!(
        "{name} on the workload, as the study's Figure 6 plots it: latency and success ratio by \
         the time requests were sent, and the instances alive."
    ))]));
    // The paragraph names the option; a title that named it too would run
    // past the chart's width.
    for p in charts::over_time(o, "the best option", &r.advice.constraints) {
        s.push(Block::Chart(Box::new(p)));
    }
    Some(s)
}

fn measured(r: &Report) -> Section {
    let p = &r.report.measured;
    let mut s = Section::new("What was measured", None);
    s.push(Block::Table(tables::facts(p)));
    let c = &p.cold_start;
    s.push(Block::Paragraph(vec![Inline::text(format!(
        "Cold start on the profiling machine (measured: median of {} fresh processes, \
         {} threads, batch {}):",
        c.trials, c.threads, c.batch
    ))]));
    s.push(Block::Table(tables::local_cold_start(p)));
    s.push(Block::Paragraph(vec![Inline::text(
        "Warm latency per run of a batch (measured):",
    )]));
    s.push(Block::Table(tables::latency(p)));
    s
}

fn workload(r: &Report) -> Section {
    let mut s = Section::new("The workload", None);
    s.push(Block::Table(tables::workload(r)));
    s
}

fn comparison(a: &Advice) -> Section {
    let mut s = Section::new("Comparison", Some(Tag::Modelled));
    s.push(Block::Chart(Box::new(charts::comparison(a))));
    s.push(Block::Table(tables::comparison(a)));
    let more = tables::comparison_left_out(a);
    if more > 0 {
        s.push(Block::Paragraph(vec![
            Inline::text(format!("{more} more options in the CSV report (")),
            Inline::code("--format csv"),
            Inline::text(")."),
        ]));
    }
    s
}

fn runners_up(a: &Advice) -> Option<Section> {
    if a.runners_up.is_empty() {
        return None;
    }
    let mut s = Section::new("Runners-up by kind", None);
    s.push(Block::List(
        a.runners_up
            .iter()
            .map(|r| Item {
                text: vec![
                    Inline::strong(r.group.label()),
                    Inline::text(format!(": {} (", named(a, &r.id))),
                    Inline::code(&r.id),
                    Inline::text(format!(
                        "), {} per month{}, p95 {}, {}",
                        usd(r.cost_per_month_usd),
                        against_best(r.extra_per_month_usd),
                        secs(r.p95_latency_s),
                        meets(r.meets_slo)
                    )),
                ],
                children: r
                    .reasons
                    .iter()
                    .map(|why| vec![Inline::text(&why.text)])
                    .collect(),
            })
            .collect(),
    ));
    Some(s)
}

fn batching(a: &Advice) -> Option<Section> {
    if a.batching.is_empty() {
        return None;
    }
    let mut s = Section::new("Batching", Some(Tag::Modelled));
    for b in &a.batching {
        s.push(Block::Paragraph(vec![
            Inline::text(format!("{} (", named(a, &b.id))),
            Inline::code(&b.id),
            Inline::text(format!(
                ", {}): {}",
                b.role.replace('_', " "),
                b.verdict.text
            )),
        ]));
        for p in charts::batching(b, &named(a, &b.id)) {
            s.push(Block::Chart(Box::new(p)));
        }
        s.push(Block::Table(tables::batching(b)));
    }
    Some(s)
}

fn memory(a: &Advice) -> Option<Section> {
    if a.memory.is_empty() {
        return None;
    }
    let mut s = Section::new("Memory size", Some(Tag::Modelled));
    for m in &a.memory {
        let f = &m.footprint;
        let lead = m
            .verdict
            .as_ref()
            .map(|v| v.text.clone())
            .unwrap_or_else(|| offer_name(a, &m.offer));
        s.push(Block::Paragraph(vec![Inline::text(format!(
            "{lead}. The model needs at least {:.0} MB (serving process {:.0} MB measured + \
             model {:.0} MB + runtime {:.0} MB, +{:.0}%); the offer's default is {:.0} MB.",
            f.min_memory_mb,
            f.process_rss_mb,
            f.model_mb,
            f.runtime_mb,
            f.margin_ratio * 100.0,
            m.default_mb,
        ))]));
        for p in charts::memory(m, &offer_name(a, &m.offer)) {
            s.push(Block::Chart(Box::new(p)));
        }
        s.push(Block::Table(tables::memory(m)));
    }
    Some(s)
}

fn break_even(a: &Advice) -> Option<Section> {
    if a.break_even.is_empty() {
        return None;
    }
    let mut s = Section::new("Break-even", Some(Tag::Modelled));
    s.push(Block::Paragraph(vec![Inline::text(format!(
        "Monthly cost at a steady request rate; this workload averages {}.",
        figure("mean_rps", a.month.mean_rps)
    ))]));
    s.push(Block::Chart(Box::new(charts::break_even(a))));
    s.push(Block::Table(tables::break_even(a)));
    if !a.crossovers.is_empty() {
        s.push(Block::List(
            a.crossovers
                .iter()
                .map(|c| vec![Inline::text(&c.text)].into())
                .collect(),
        ));
    }
    Some(s)
}

fn sensitivity(a: &Advice) -> Option<Section> {
    let sens = &a.sensitivity;
    if sens.cases.is_empty() {
        return None;
    }
    let mut s = Section::new("Sensitivity", Some(Tag::Modelled));
    if let Some(v) = &sens.verdict {
        s.push(Block::Paragraph(vec![Inline::text(&v.text)]));
    }
    s.push(Block::Table(tables::sensitivity(a)));
    Some(s)
}

fn runtime(a: &Advice) -> Option<Section> {
    if a.runtime.is_empty() {
        return None;
    }
    let mut s = Section::new("Runtime and deployment", None);
    s.push(Block::List(
        a.runtime
            .iter()
            .map(|r| {
                let mark = if r.advised {
                    Inline::strong("Do:")
                } else {
                    Inline::text("Checked:")
                };
                vec![mark, Inline::text(format!(" {}", r.text))].into()
            })
            .collect(),
    ));
    Some(s)
}

fn cold_start(r: &Report) -> Option<Section> {
    let c = r.report.cold_start.as_ref()?;
    let mut s = Section::new("", None);
    s.title = vec![Inline::text(format!(
        "Cold start on {}",
        named(&r.advice, &c.id)
    ))];
    s.push(Block::Bar(
        tables::cold_start_steps(c)
            .iter()
            .map(|st| BarPart {
                name: st.name.to_string(),
                s: st.s,
            })
            .collect(),
    ));
    s.push(Block::Table(tables::cold_start(c)));
    Some(s)
}

fn provenance(r: &Report) -> Section {
    let p = &r.report.measured;
    let mut s = Section::new("Measured and modelled", None);
    let mut items: Vec<Item> = vec![
        vec![
            Inline::strong("Measured"),
            Inline::text(format!(
                " by advisor on {} ({} cores) with ONNX Runtime {}, {}: the model's size, warm \
                 latency per batch and threads, the cold-start phases on that machine, memory.",
                p.machine.cpu_model, p.machine.cores, p.runtime.ort_version, p.measured_at
            )),
        ]
        .into(),
        vec![
            Inline::strong("Modelled"),
            Inline::text(
                " by the simulator: every cost, latency, success ratio, cold start and instance \
                 count of an offer, from the measured profile, the workload and the offer's \
                 prices and behaviour.",
            ),
        ]
        .into(),
    ];
    let notes = r
        .report
        .best_outcome
        .iter()
        .flat_map(|o| o.notes.iter())
        .chain(r.advice.notes.iter());
    items.extend(notes.map(|n| vec![Inline::text(n)].into()));
    s.push(Block::List(items));
    for o in &r.report.sources {
        s.push(Block::Paragraph(vec![
            Inline::text("Sources of "),
            Inline::code(&o.offer),
            Inline::text(format!(" ({}):", o.name)),
        ]));
        s.push(Block::Table(tables::sources(o)));
    }
    s
}
