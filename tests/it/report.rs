//! The decision report: the Markdown against its golden file, the HTML
//! well formed with every chart, JSON back into the advice, the CSV table,
//! escaping of names a user controls, and `advisor report` itself.

use advisor::advise::{self, Advice, Constraints, Request};
use advisor::pricing::Offer;
use advisor::profile::Profile;
use advisor::report::{self, Format, Report};
use advisor::workload::generate::Preset;
use advisor::workload::Trace;
use std::sync::{Arc, LazyLock};

const WHEN: &str = "2026-01-01T00:00:00Z";

/// A report on the demo's inputs with `profile` and `offers` changed by `edit`.
fn build(edit: impl FnOnce(&mut Profile, &mut Vec<Offer>)) -> Report {
    let mut profile = advisor::profile::bundled::get("mobilenetv2").unwrap();
    let mut offers = advisor::pricing::builtin("current").unwrap().offers;
    edit(&mut profile, &mut offers);
    let profile = Arc::new(profile);
    let trace = Trace::from_times(Preset::Workload120.generate(1));
    let req = Request {
        profile: profile.clone(),
        trace: trace.clone(),
        trace_name: "workload-120".into(),
        snapshot: "current".into(),
        offers: offers.clone(),
        constraints: Constraints::default(),
        seed: 1,
        free_tier: false,
    };
    let advice = advise::advise(&req).unwrap();
    report::assemble(report::Inputs {
        profile: &profile,
        trace: &trace,
        offers: &offers,
        advice,
        generated_at: WHEN.into(),
        seed: 1,
    })
    .unwrap()
}

static DEMO: LazyLock<Report> = LazyLock::new(|| build(|_, _| {}));

/// Checks that tags nest and close; returns the tag names opened, in order.
fn well_formed(html: &str) -> Result<Vec<String>, String> {
    const VOID: [&str; 6] = ["meta", "br", "hr", "img", "input", "link"];
    let mut stack: Vec<String> = Vec::new();
    let mut opened = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').ok_or("a tag is not closed by >")?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let (closing, body) = match tag.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, tag),
        };
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            return Err(format!("not a tag: <{tag}>"));
        }
        if closing {
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
        } else {
            opened.push(name.clone());
            if !(tag.ends_with('/') || VOID.contains(&name.as_str())) {
                stack.push(name);
            }
        }
    }
    if stack.is_empty() {
        Ok(opened)
    } else {
        Err(format!("left open: {stack:?}"))
    }
}

#[test]
fn the_checker_finds_bad_nesting() {
    assert!(well_formed("<p><b>x</b></p>").is_ok());
    assert!(well_formed("<p><b>x</p></b>").is_err());
    assert!(well_formed("<p>").is_err());
    assert!(well_formed("<p>a < b</p>").is_err());
    assert!(well_formed("<meta charset=\"utf-8\"><svg><line/></svg>").is_ok());
}

#[test]
fn markdown_matches_its_golden_file() {
    let md = report::render(&DEMO, Format::Md).unwrap();
    insta::assert_snapshot!("report_markdown", md);
}

#[test]
fn html_is_one_well_formed_file_with_every_chart() {
    let html = report::render(&DEMO, Format::Html).unwrap();
    let tags = well_formed(&html).unwrap();
    let svgs = tags.iter().filter(|t| *t == "svg").count();
    let a = &DEMO.advice;
    // Over time (3), cost/p95, break-even, batching (2 per sweep), memory (2 per sweep).
    assert_eq!(
        svgs,
        5 + 2 * a.batching.len() + 2 * a.memory.len(),
        "charts"
    );
    for title in [
        "Mean latency over time",
        "Success ratio over time",
        "Instances alive over time",
        "Cost per month against p95 latency",
        "Cost per month at a steady request rate",
        "Cost per month by batch size",
        "Mean latency by batch size",
        "Cost per month by memory size",
        "p95 latency by memory size",
    ] {
        assert!(
            html.contains(&format!("<title>{title}")),
            "missing chart: {title}"
        );
    }
    for external in ["<script", "<link", "<img", "@import", "url(", "src="] {
        assert!(!html.contains(external), "fetches something: {external}");
    }
    assert!(html.contains("<style>"), "inline CSS");
    let best = a.best.as_ref().unwrap();
    // The headline names the option in words, never the catalogue's default size.
    let name = advisor::present::readable(best);
    assert!(html.contains(&format!("Serve on {name}")), "{name}");
    assert!(!name.contains("by default"), "{name}");
    if let Some(mb) = best.variant.memory_mb {
        assert!(name.contains(&format!("with {mb:.0} MB")), "{name}");
    }
    // Each reason is one sentence with its figures, not followed by them again.
    assert!(
        !html.contains("next cost per month"),
        "raw figures repeated"
    );
    for section in [
        "What was measured",
        "The workload",
        "Decision",
        "Comparison",
        "Batching",
        "Memory size",
        "Break-even",
        "Runtime and deployment",
        "Measured and modelled",
    ] {
        assert!(
            html.contains(&format!("<h2>{section}")),
            "missing {section}"
        );
    }
}

/// Compares two JSON values; numbers may differ in the last bit, as
/// serde_json's default parser rounds a few decimal strings to the
/// neighbouring double (its `float_roundtrip` feature is not enabled).
fn same(path: &str, a: &serde_json::Value, b: &serde_json::Value) -> Result<(), String> {
    use serde_json::Value as V;
    match (a, b) {
        (V::Object(x), V::Object(y)) => {
            if x.len() != y.len() {
                return Err(format!("{path}: {} vs {} fields", x.len(), y.len()));
            }
            for (k, v) in x {
                let w = y.get(k).ok_or(format!("{path}.{k} missing"))?;
                same(&format!("{path}.{k}"), v, w)?;
            }
            Ok(())
        }
        (V::Array(x), V::Array(y)) => {
            if x.len() != y.len() {
                return Err(format!("{path}: {} vs {} items", x.len(), y.len()));
            }
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                same(&format!("{path}[{i}]"), v, w)?;
            }
            Ok(())
        }
        (V::Number(x), V::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs()) {
                Ok(())
            } else {
                Err(format!("{path}: {x} vs {y}"))
            }
        }
        _ if a == b => Ok(()),
        _ => Err(format!("{path}: {a} vs {b}")),
    }
}

#[test]
fn json_reads_back_as_the_advice_and_as_the_report() {
    let json = report::render(&DEMO, Format::Json).unwrap();
    let advice: Advice = serde_json::from_str(&json).unwrap();
    let v = |a: &Advice| serde_json::to_value(a).unwrap();
    same("", &v(&advice), &v(&DEMO.advice)).unwrap();
    assert_eq!(
        advice.best.as_ref().unwrap().id,
        DEMO.advice.best.as_ref().unwrap().id
    );
    assert_eq!(advice.ranked.len(), DEMO.advice.ranked.len());
    assert!(same(
        "",
        &serde_json::json!({"x": 1.0}),
        &serde_json::json!({"x": 1.1})
    )
    .is_err());
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back.report.generated_at, WHEN);
    same(
        "",
        &serde_json::to_value(&back.report).unwrap(),
        &serde_json::to_value(&DEMO.report).unwrap(),
    )
    .unwrap();
    let o = back.report.best_outcome.as_ref().unwrap();
    assert!(o.series.buckets.len() <= report::MAX_SERIES_BUCKETS);
    assert_eq!(
        o.series.buckets.iter().map(|b| b.arrivals).sum::<u64>(),
        o.requests,
        "the coarser series keeps every request"
    );
}

#[test]
fn csv_holds_the_comparison_table() {
    let text = report::render(&DEMO, Format::Csv).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let head = r.headers().unwrap().clone();
    assert_eq!(&head[1], "id");
    assert!(head.iter().any(|h| h == "cost_per_month_usd"));
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), DEMO.advice.ranked.len());
    for (row, ranked) in rows.iter().zip(&DEMO.advice.ranked) {
        assert_eq!(&row[1], ranked.id);
        let month: f64 = row[14].parse().unwrap();
        assert_eq!(month, ranked.cost_per_month_usd);
    }
}

#[test]
fn names_a_user_controls_stay_escaped() {
    const EVIL: &str = "<script>alert(1)</script>";
    let r = build(|p, offers| {
        p.name = EVIL.into();
        p.model.file = EVIL.into();
        for o in offers.iter_mut() {
            o.name = format!("{} <img src=x onerror=alert(2)>", o.name);
        }
    });
    let html = report::render(&r, Format::Html).unwrap();
    assert!(!html.contains("<script"), "raw script tag in the HTML");
    assert!(!html.contains("<img"), "raw img tag in the HTML");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    well_formed(&html).unwrap();
    let md = report::render(&r, Format::Md).unwrap();
    assert!(!md.contains("<script"), "raw script tag in the Markdown");
    assert!(!md.contains("<img"), "raw img tag in the Markdown");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn the_report_names_its_sources_and_what_is_measured() {
    let r = &*DEMO;
    let best = r.advice.best.as_ref().unwrap();
    let src = r
        .report
        .sources
        .iter()
        .find(|s| s.offer == best.offer)
        .expect("the best offer's sources");
    assert!(!src.figures.is_empty());
    assert!(src.figures.iter().all(|f| !f.source.is_empty()));
    let md = report::render(r, Format::Md).unwrap();
    assert!(md.contains("**Measured** by advisor on AMD EPYC"));
    assert!(md.contains("**Modelled** by the simulator"));
    let cold = r.report.cold_start.as_ref().unwrap();
    assert!(cold.phases.total_s() > 0.0);
    assert!(md.contains("measured (session creation), scaled to the offer's CPU"));
}

use crate::common::advisor;

#[test]
fn advisor_report_writes_each_format_and_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let args = |out: &std::path::Path| {
        vec![
            "report".to_string(),
            "--profile".into(),
            "profiles/mobilenetv2.toml".into(),
            "--trace".into(),
            "traces/workload-120.csv".into(),
            "--slo-p95-ms".into(),
            "250".into(),
            "-o".into(),
            out.display().to_string(),
        ]
    };
    let html = dir.path().join("r.html");
    advisor().args(args(&html)).assert().success();
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(
        text.starts_with("<!DOCTYPE html>"),
        "format from the extension"
    );
    assert!(text.contains("p95 ≤ 250.0 ms"), "the targets are in it");

    let again = advisor().args(args(&html)).assert().code(2);
    let err = String::from_utf8_lossy(&again.get_output().stderr).to_string();
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&html).unwrap(), text, "untouched");

    let mut forced = args(&html);
    forced.extend(["--force".into(), "--format".into(), "md".into()]);
    advisor().args(forced).assert().success();
    assert!(std::fs::read_to_string(&html)
        .unwrap()
        .starts_with("# Where to serve"));

    let json = dir.path().join("r.out");
    let mut a = args(&json);
    a.extend(["--format".into(), "json".into(), "--json".into()]);
    let out = advisor().args(a).assert().success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["format"], "json");
    let advice: Advice = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(doc["best"], advice.best.unwrap().id);

    let bad = advisor()
        .args(args(&dir.path().join("r.txt")))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&bad.get_output().stderr).to_string();
    assert!(err.contains("--format md|html|json|csv"), "{err}");
}
