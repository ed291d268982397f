//! Every screen drawn into a test terminal at 80x24 and 120x40 and checked
//! against its snapshot. The data are deterministic: the bundled
//! MobileNetV2 profile, the study's presets generated with seed 1, the
//! built-in `current` prices, simulations seeded with 1.

use advisor::advise::Constraints;
use advisor::present::{brief, readable};
use advisor::profile::ProgressEvent;
use advisor::tui::action::{Action, Move, Overwrite, Screen, Source};
use advisor::tui::jobs::settle;
use advisor::tui::screens::draw;
use advisor::tui::state::{Overlay, Setup, State};
use advisor::tui::theme::Theme;
use advisor::workload::generate::Preset;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn setup() -> Setup {
    let snap = advisor::pricing::builtin("current").unwrap();
    Setup {
        profile: Some(Arc::new(
            advisor::profile::bundled::get("mobilenetv2").unwrap(),
        )),
        profiling: None,
        sources: Preset::ALL.into_iter().map(Source::Preset).collect(),
        first_source: 1,
        snapshot: snap.name,
        offers: Arc::new(snap.offers),
        constraints: Constraints::default(),
        seed: 1,
        screen: Screen::Recommend,
    }
}

/// The demo's state with every job done, computed once for all tests.
static SETTLED: LazyLock<State> = LazyLock::new(|| {
    let (mut s, effects) = State::new(setup());
    settle(&mut s, effects);
    assert!(s.advice.advice.is_some(), "{:?}", s.advice.error);
    assert!(!s.busy());
    s
});

fn render(state: &State, w: u16, h: u16, theme: &Theme) -> Terminal<TestBackend> {
    let mut state = state.clone();
    state.update(Action::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(f, &state, theme)).unwrap();
    t
}

/// Draws `state` at both sizes and checks each against its snapshot.
fn check(name: &str, state: &State) {
    for (w, h) in SIZES {
        let t = render(state, w, h, &Theme::plain());
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

fn on(screen: Screen) -> State {
    let mut s = SETTLED.clone();
    s.update(Action::Go(screen));
    s
}

#[test]
fn profile_screen() {
    check("profile", &on(Screen::Profile));
}

#[test]
fn workload_screen() {
    check("workload", &on(Screen::Workload));
}

#[test]
fn compare_screen() {
    check("compare", &on(Screen::Compare));
}

#[test]
fn compare_detail() {
    let mut s = on(Screen::Compare);
    // The recommended option heads the table and has no run over time; the
    // next row is an offer as configured.
    assert!(s.compare.selected().is_none());
    s.update(Action::Enter);
    assert!(!s.compare.detail);
    s.update(Action::Move(Move::Down));
    s.update(Action::Enter);
    assert!(s.compare.detail);
    check("compare_detail", &s);
}

#[test]
fn batching_screen() {
    check("batching", &on(Screen::Batching));
}

#[test]
fn memory_screen() {
    check("memory", &on(Screen::Memory));
}

#[test]
fn break_even_screen() {
    check("break_even", &on(Screen::BreakEven));
}

#[test]
fn recommend_screen() {
    check("recommend", &on(Screen::Recommend));
}

#[test]
fn recommend_scrolled() {
    let mut s = on(Screen::Recommend);
    s.update(Action::Resize(80, 24));
    s.update(Action::Move(advisor::tui::action::Move::Last));
    assert!(
        s.recommend_scroll > 0,
        "the recommendation is longer than 80x24"
    );
    assert_eq!(s.recommend_scroll, s.recommend_max_scroll());
    let t = render(&s, 80, 24, &Theme::plain());
    insta::assert_snapshot!("recommend_scrolled_80x24", t.backend());
}

#[test]
fn help_overlay() {
    let mut s = on(Screen::Compare);
    s.update(Action::ToggleHelp);
    check("help", &s);
}

#[test]
fn constraint_form() {
    let mut s = on(Screen::Recommend);
    s.update(Action::EditConstraints);
    for c in "2x50".chars() {
        s.update(Action::FormChar(c));
    }
    check("form", &s);
    s.update(Action::FormField(1));
    for _ in 0..4 {
        s.update(Action::FormBackspace);
    }
    for c in "150".chars() {
        s.update(Action::FormChar(c));
    }
    s.update(Action::FormSubmit);
    assert!(matches!(s.overlay, Overlay::Form(_)));
    check("form_error", &s);
}

#[test]
fn overwrite_question() {
    let mut s = on(Screen::Recommend);
    let html = PathBuf::from("advisor-report-20260101-000000.html");
    s.update(Action::AskOverwrite(Overwrite {
        paths: vec![
            html.clone(),
            PathBuf::from("advisor-report-20260101-000000.md"),
        ],
        existing: vec![html],
    }));
    check("confirm", &s);
}

#[test]
fn live_profiling() {
    let mut setup = setup();
    setup.profile = None;
    setup.profiling = Some(("models/m.onnx".into(), "profiles/m.toml".into()));
    setup.screen = Screen::Profile;
    let (mut s, _) = State::new(setup);
    s.update(Action::ProfileProgress(ProgressEvent {
        phase: "latency: 2 threads, batch 8".into(),
        done: 12,
        total: 17,
        eta: Some(std::time::Duration::from_secs(9)),
        notice: None,
    }));
    s.update(Action::ProfileProgress(ProgressEvent {
        phase: String::new(),
        done: 12,
        total: 17,
        eta: None,
        notice: Some("the CUDA execution provider is not available; the CPU is profiled".into()),
    }));
    check("profile_live", &s);
    for screen in [Screen::Compare, Screen::Recommend] {
        s.update(Action::Go(screen));
        let t = render(&s, 80, 24, &Theme::plain());
        insta::assert_snapshot!(format!("waiting_{}", screen.title()), t.backend());
    }
}

#[test]
fn a_failed_profiling_shows_the_whole_error_and_saves_nothing() {
    let mut setup = setup();
    setup.profile = None;
    setup.profiling = Some(("models/m.onnx".into(), "profiles/m.toml".into()));
    setup.screen = Screen::Profile;
    let (mut s, _) = State::new(setup);
    let error = "no ONNX Runtime library found (looked in: --ort-lib, ORT_DYLIB_PATH, \
                 the cache, python3's onnxruntime); run `advisor runtime install` or pass --ort-lib FILE";
    s.update(Action::Profiled(Err((error.to_string(), 2))));
    check("profile_failed", &s);
    for (w, h) in SIZES {
        let text = render(&s, w, h, &Theme::plain()).backend().to_string();
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("advisor runtime install"), "{w}x{h}: {text}");
        assert!(flat.contains("nothing was saved"), "{w}x{h}: {text}");
        assert!(!flat.contains("saving to"), "{w}x{h}: {text}");
    }
}

#[test]
fn compare_marks_the_recommended_option_in_both_views() {
    let mut s = on(Screen::Compare);
    let best = s.advice.advice.as_ref().unwrap().best.clone().unwrap();
    assert_ne!(best.id, best.offer, "the demo recommends a variant");
    let text = render(&s, 120, 40, &Theme::plain()).backend().to_string();
    // The offers' table carries the recommended variant as a row of its own,
    // starred, and no other row is.
    let head: String = brief(&best).chars().take(20).collect();
    assert!(text.contains(&format!("★ {head}")), "{text}");
    assert_eq!(
        text.matches('★').count(),
        2,
        "the row and the legend: {text}"
    );
    assert!(!text.contains('☆'), "{text}");
    assert!(text.contains("the recommended option"), "{text}");
    assert!(text.contains("avg above p95"), "{text}");
    let flat = |t: &str| {
        t.replace('"', "")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    s.update(Action::Move(Move::Last));
    s.update(Action::Move(Move::First));
    let text = render(&s, 120, 40, &Theme::plain()).backend().to_string();
    assert!(
        flat(&text).contains(&format!("▸ {}", readable(&best))),
        "{text}"
    );
    s.update(Action::ToggleOptions);
    check("compare_options", &s);
    let text = render(&s, 120, 40, &Theme::plain()).backend().to_string();
    // The cell may cut the brief name; its start names the offer and size.
    let head: String = brief(&best).chars().take(20).collect();
    assert!(text.contains(&format!("★ {head}")), "{text}");
    assert!(text.contains("options advised"), "{text}");
}

#[test]
fn screens_name_options_in_words_not_by_their_ids() {
    let s = on(Screen::Compare);
    let advice = s.advice.advice.clone().unwrap();
    let best = advice.best.clone().unwrap();
    for screen in [Screen::Compare, Screen::Batching, Screen::Memory] {
        let mut s = on(screen);
        for options in [false, true] {
            if options {
                if screen != Screen::Compare {
                    continue;
                }
                s.update(Action::ToggleOptions);
            }
            for (w, h) in SIZES {
                let text = render(&s, w, h, &Theme::plain()).backend().to_string();
                for r in advice.ranked.iter().filter(|r| r.id != r.offer) {
                    assert!(
                        !text.contains(&r.id),
                        "{screen:?} {w}x{h} shows {}: {text}",
                        r.id
                    );
                }
                assert!(!text.contains(" us"), "{screen:?} {w}x{h}: {text}");
            }
        }
    }
    let text = render(&on(Screen::Batching), 120, 40, &Theme::plain())
        .backend()
        .to_string();
    assert!(text.contains(&service_of(&best)), "{text}");
}

/// The service part of an option's name.
fn service_of(r: &advisor::advise::Ranked) -> String {
    advisor::present::variant::service(&r.name).to_string()
}

#[test]
fn every_screen_states_the_targets_and_the_default() {
    for screen in Screen::ALL {
        let s = on(screen);
        for (w, h) in SIZES {
            let text = render(&s, w, h, &Theme::plain()).backend().to_string();
            let second = text.lines().nth(1).unwrap_or_default();
            assert!(
                second.contains("targets: p95 ≤ 100.0 ms (default)"),
                "{screen:?} {w}x{h}: {second}"
            );
        }
    }
}

#[test]
fn export_writes_into_the_reports_folder_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = on(Screen::Recommend);
    s.reports_dir = dir.path().join("reports");
    let (tx, rx) = std::sync::mpsc::channel();
    assert!(advisor::tui::export::start(&s, None, false, tx).is_none());
    let Ok(Action::Exported(Ok(paths))) = rx.recv() else {
        panic!("the export did not finish");
    };
    assert_eq!(paths.len(), 2);
    for p in &paths {
        assert!(p.starts_with(&s.reports_dir), "{}", p.display());
        assert!(p.is_file(), "{}", p.display());
    }
    s.update(Action::Exported(Ok(paths.clone())));
    let status = &s.status.as_ref().unwrap().text;
    assert!(status.contains(&paths[0].display().to_string()), "{status}");
}

#[test]
fn too_small_a_terminal_says_so() {
    let t = render(&SETTLED, 50, 12, &Theme::plain());
    let text = t.backend().to_string();
    assert!(
        text.contains("needs a terminal of at least 60x16"),
        "{text}"
    );
    assert!(text.contains("this one is 50x12"), "{text}");
}

#[test]
fn no_color_draws_without_colours() {
    for screen in Screen::ALL {
        let s = on(screen);
        let t = render(&s, 120, 40, &Theme::plain());
        let buf = t.backend().buffer();
        let coloured = buf
            .content()
            .iter()
            .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
            .count();
        assert_eq!(coloured, 0, "{screen:?} has coloured cells without colours");
        let t = render(&s, 120, 40, &Theme::colored());
        let coloured = t
            .backend()
            .buffer()
            .content()
            .iter()
            .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
            .count();
        assert!(coloured > 0, "{screen:?} uses colour when allowed");
    }
}

#[test]
fn every_screen_shows_all_tabs_at_both_sizes() {
    for screen in Screen::ALL {
        for (w, h) in SIZES {
            let t = render(&on(screen), w, h, &Theme::plain());
            let text = t.backend().to_string();
            let tabs = text.lines().next().unwrap();
            for s in Screen::ALL {
                assert!(tabs.contains(s.title()), "{screen:?} {w}x{h}: {tabs}");
            }
        }
    }
}

#[test]
fn replay_live_view() {
    use advisor::live::progress::ReplayProgress;
    use advisor::tui::replay::{ReplayAction, ReplayState};
    let mut s = ReplayState::new("http://127.0.0.1:8080/predict", "traces/workload-40.csv");
    for i in 1..=40u64 {
        let sent = i * 150;
        let failed = if i > 30 { (i - 30) * 4 } else { 0 };
        s.update(ReplayAction::Snapshot(ReplayProgress {
            elapsed_s: i as f64 * 0.25,
            total: 15_000,
            sent,
            done: sent - 12,
            succeeded: sent - 12 - failed,
            failed,
            rate_rps: 20.0 + (i % 7) as f64,
            p50_ms: 10.0 + (i % 5) as f64,
            p99_ms: 30.0 + i as f64,
            send_lag_p99_ms: 0.8,
            finished: false,
        }));
    }
    for (w, h) in SIZES {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| advisor::tui::screens::replay::draw(f, &s, &Theme::plain()))
            .unwrap();
        insta::assert_snapshot!(format!("replay_{w}x{h}"), t.backend());
    }
}
