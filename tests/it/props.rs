//! Property tests over every reader: arbitrary bytes and mutations of the
//! shipped files never panic and either parse or give a bad-input error; every
//! writer's output parses back equal.
//!
//! `PROPTEST_CASES` sets the cases per property (64 by default, so CI stays quick).

use advisor::error::{exit_code, EXIT_BAD_INPUT};
use advisor::model::inspect_bytes;
use advisor::pricing::load::parse_snapshot;
use advisor::pricing::write::to_toml;
use advisor::profile::Profile;
use advisor::workload::import::counts::CountSeries;
use advisor::workload::{stats_file, ArrivalReader, TraceWriter};
use proptest::prelude::*;
use prost::Message;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64)
}

fn shipped(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(ROOT).join(rel)).unwrap()
}

/// The first `n` lines of a shipped file (whole traces make each case slow).
fn head_lines(rel: &str, n: usize) -> Vec<u8> {
    let text = String::from_utf8(shipped(rel)).unwrap();
    let mut s: String = text.lines().take(n).collect::<Vec<_>>().join("\n");
    s.push('\n');
    s.into_bytes()
}

/// One edit of a byte string: flip, insert, delete or overwrite with a
/// character common in these formats.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Put(usize, &'static str),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let piece = prop::sample::select(vec![
        ",",
        "\n",
        "\"",
        "-",
        "nan",
        "inf",
        "1e308",
        "1e300",
        "0",
        "=",
        "[",
        "]",
        "{",
        "}",
        "\u{1b}[2J",
        "\r\n",
        "-0",
        "99999999999999999999",
        "\u{0}",
    ]);
    prop::collection::vec(
        prop_oneof![
            (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
            (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
            any::<usize>().prop_map(Edit::Delete),
            (any::<usize>(), piece).prop_map(|(i, p)| Edit::Put(i, p)),
        ],
        1..8,
    )
}

fn apply(mut b: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = b.len().max(1);
        match *e {
            Edit::Flip(i, x) if !b.is_empty() => b[i % n] ^= x | 1,
            Edit::Insert(i, x) => b.insert(i % (b.len() + 1), x),
            Edit::Delete(i) if !b.is_empty() => {
                b.remove(i % n);
            }
            Edit::Put(i, p) => {
                let at = i % (b.len() + 1);
                b.splice(at..at, p.bytes());
            }
            _ => {}
        }
    }
    b
}

/// Ok, or an error whose exit code is the bad-input one.
fn bad_input_or_ok<T>(r: anyhow::Result<T>) -> Result<(), TestCaseError> {
    if let Err(e) = r {
        prop_assert_eq!(exit_code(&e), EXIT_BAD_INPUT, "{:#}", e);
    }
    Ok(())
}

fn check_trace(bytes: &[u8]) -> Result<(), TestCaseError> {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("t.csv");
    std::fs::write(&p, bytes).unwrap();
    bad_input_or_ok(stats_file(&p, 10.0))
}

fn check_counts(bytes: &[u8]) -> Result<(), TestCaseError> {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("c.csv");
    std::fs::write(&p, bytes).unwrap();
    bad_input_or_ok(CountSeries::open(&p, None).and_then(|s| {
        // Counts are summed, not expanded, so a huge count stays cheap here.
        s.take(10_000)
            .try_fold(0u64, |acc, iv| Ok(acc.saturating_add(iv?.count)))
    }))
}

fn check_prices(bytes: &[u8]) -> Result<(), TestCaseError> {
    let text = String::from_utf8_lossy(bytes);
    bad_input_or_ok(parse_snapshot(&text, "p.toml"))
}

fn check_profile(bytes: &[u8]) -> Result<(), TestCaseError> {
    // Every error of `from_toml` is bad input by construction (`load` wraps it).
    let _ = Profile::from_toml(&String::from_utf8_lossy(bytes));
    Ok(())
}

fn check_model(bytes: &[u8]) -> Result<(), TestCaseError> {
    bad_input_or_ok(inspect_bytes(bytes))
}

fn tiny_model() -> Vec<u8> {
    advisor::model::build::tiny_cnn().encode_to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn trace_reader_takes_any_bytes(b in prop::collection::vec(any::<u8>(), 0..512)) {
        check_trace(&b)?;
    }

    #[test]
    fn trace_reader_takes_mutated_traces(e in edits()) {
        check_trace(&apply(head_lines("traces/workload-40.csv", 200), &e))?;
    }

    #[test]
    fn count_reader_takes_any_bytes(b in prop::collection::vec(any::<u8>(), 0..512)) {
        check_counts(&b)?;
    }

    #[test]
    fn count_reader_takes_mutated_series(e in edits()) {
        check_counts(&apply(head_lines("traces/samples/counts-per-second.csv", 200), &e))?;
    }

    #[test]
    fn price_reader_takes_any_bytes(b in prop::collection::vec(any::<u8>(), 0..512)) {
        check_prices(&b)?;
    }

    #[test]
    fn price_reader_takes_mutated_snapshots(e in edits(), which in 0..2usize) {
        let f = ["pricing/current.toml", "pricing/study-2020.toml"][which];
        check_prices(&apply(shipped(f), &e))?;
    }

    #[test]
    fn profile_reader_takes_any_bytes(b in prop::collection::vec(any::<u8>(), 0..512)) {
        check_profile(&b)?;
    }

    #[test]
    fn profile_reader_takes_mutated_profiles(e in edits(), which in 0..2usize) {
        let f = ["profiles/mobilenetv2.toml", "profiles/albert-base.toml"][which];
        check_profile(&apply(shipped(f), &e))?;
    }

    #[test]
    fn model_reader_takes_any_bytes(b in prop::collection::vec(any::<u8>(), 0..512)) {
        check_model(&b)?;
    }

    #[test]
    fn model_reader_takes_mutated_models(e in edits()) {
        check_model(&apply(tiny_model(), &e))?;
    }

    #[test]
    fn trace_writer_round_trips(mut ts in prop::collection::vec(0.0..3.0e7f64, 0..200)) {
        ts.sort_by(f64::total_cmp);
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.csv");
        let mut w = TraceWriter::create(&p, false).unwrap();
        for t in &ts {
            w.push(*t, None).unwrap();
        }
        prop_assert_eq!(w.finish().unwrap(), ts.len() as u64);
        let back: Vec<f64> = ArrivalReader::open(&p).unwrap().collect::<anyhow::Result<_>>().unwrap();
        let micros = |v: &[f64]| v.iter().map(|t| (t * 1e6).round() as u64).collect::<Vec<_>>();
        prop_assert_eq!(micros(&back), micros(&ts));
    }

    #[test]
    fn profile_writer_round_trips(scale in 0.01..100.0f64, which in 0..2usize) {
        let f = ["profiles/mobilenetv2.toml", "profiles/albert-base.toml"][which];
        let mut p = Profile::from_toml(&String::from_utf8(shipped(f)).unwrap()).unwrap();
        for l in &mut p.latency {
            l.mean_ms *= scale;
            l.p50_ms *= scale;
            l.p95_ms *= scale;
            l.p99_ms *= scale;
        }
        let back = Profile::from_toml(&p.to_toml().unwrap()).unwrap();
        prop_assert_eq!(back, p);
    }
}

#[test]
fn price_writer_round_trips() {
    for f in ["pricing/current.toml", "pricing/study-2020.toml"] {
        let s = parse_snapshot(&String::from_utf8(shipped(f)).unwrap(), f).unwrap();
        let text = to_toml(&s, &["round trip".to_string()]).unwrap();
        let back = parse_snapshot(&text, f).unwrap();
        assert_eq!(back, s, "{f}");
    }
}
