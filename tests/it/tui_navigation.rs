//! The interactive screens' state machine, driven by keys and job answers
//! as plain data: no terminal, no threads.

use advisor::advise::Constraints;
use advisor::outcome::{Facts, Outcome, Provenance, Recorder};
use advisor::profile::ProgressEvent;
use advisor::tui::action::{Action, Overwrite, Screen, Source};
use advisor::tui::keys::key_action;
use advisor::tui::state::{Effect, Overlay, Setup, SortKey, State};
use advisor::workload::generate::Preset;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::PathBuf;
use std::sync::Arc;

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
        offers: Arc::new(snap.offers.into_iter().take(3).collect()),
        constraints: Constraints::default(),
        seed: 1,
        screen: Screen::Recommend,
    }
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Presses a key: maps it as the app does, then updates.
fn press(state: &mut State, code: KeyCode) -> Vec<Effect> {
    match key_action(state, &key(code)) {
        Some(a) => state.update(a),
        None => Vec::new(),
    }
}

fn outcome(offer: &str, cost: f64, latency: f64, success: f64) -> Outcome {
    let mut r = Recorder::new();
    for i in 0..100 {
        let t = i as f64 * 0.1;
        r.arrival(t);
        if (i as f64) < success * 100.0 {
            r.success(t, latency);
        } else {
            r.failure(t, t + 1.0, advisor::outcome::FailureReason::Timeout);
        }
    }
    let mut facts = Facts::default();
    facts.cost.compute_usd = cost;
    r.finish(offer, "server", Provenance::Modelled, facts)
}

/// A state whose trace is loaded and whose outcomes are `outcomes`.
fn loaded(outcomes: Vec<Outcome>) -> State {
    let (mut s, effects) = State::new(setup());
    let Effect::LoadTrace { generation, .. } = &effects[0] else {
        panic!("expected a trace load first");
    };
    let trace =
        advisor::tui::jobs::load_trace(&Source::Preset(Preset::Workload40), 1.0, 1).unwrap();
    let started = s.update(Action::TraceLoaded {
        generation: *generation,
        result: Ok(trace),
    });
    assert!(matches!(started[0], Effect::Simulate { .. }));
    s.update(Action::Simulated {
        generation: s.sim_generation,
        result: Ok(outcomes),
    });
    s
}

#[test]
fn start_loads_the_chosen_source_at_scale_one() {
    let (s, effects) = State::new(setup());
    assert_eq!(s.screen, Screen::Recommend);
    assert_eq!(effects.len(), 1);
    match &effects[0] {
        Effect::LoadTrace {
            generation,
            source,
            scale,
            seed,
        } => {
            assert_eq!(*generation, 1);
            assert_eq!(source, &Source::Preset(Preset::Workload120));
            assert_eq!(*scale, 1.0);
            assert_eq!(*seed, 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(s.busy());
}

#[test]
fn tab_and_arrows_visit_every_screen_and_wrap() {
    let (mut s, _) = State::new(setup());
    let mut seen = vec![s.screen];
    for _ in 0..Screen::ALL.len() {
        press(&mut s, KeyCode::Tab);
        seen.push(s.screen);
    }
    assert_eq!(seen.first(), seen.last(), "seven tabs come back");
    for screen in Screen::ALL {
        assert!(seen.contains(&screen), "{screen:?} reachable by Tab");
    }
    press(&mut s, KeyCode::BackTab);
    assert_eq!(s.screen, Screen::BreakEven);
    press(&mut s, KeyCode::Right);
    assert_eq!(s.screen, Screen::Recommend);
    press(&mut s, KeyCode::Right);
    assert_eq!(s.screen, Screen::Profile);
    press(&mut s, KeyCode::Left);
    assert_eq!(s.screen, Screen::Recommend);
    for (i, screen) in Screen::ALL.iter().enumerate() {
        press(&mut s, KeyCode::Char(char::from(b'1' + i as u8)));
        assert_eq!(s.screen, *screen);
    }
    assert!(key_action(&s, &key(KeyCode::Char('9'))).is_none());
}

#[test]
fn quit_keys_and_help() {
    let (mut s, _) = State::new(setup());
    press(&mut s, KeyCode::Char('?'));
    assert_eq!(s.overlay, Overlay::Help);
    // q closes the help rather than quitting.
    press(&mut s, KeyCode::Char('q'));
    assert_eq!(s.overlay, Overlay::None);
    assert!(!s.quit);
    press(&mut s, KeyCode::Char('?'));
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.overlay, Overlay::None);
    press(&mut s, KeyCode::Char('q'));
    assert!(s.quit);

    let (mut s, _) = State::new(setup());
    press(&mut s, KeyCode::Char('s'));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    let a = key_action(&s, &ctrl_c).unwrap();
    s.update(a);
    assert!(s.quit, "Ctrl-C quits even from the form");
}

#[test]
fn stale_answers_are_dropped_and_a_trace_starts_simulation_and_advice() {
    let (mut s, effects) = State::new(setup());
    let trace =
        advisor::tui::jobs::load_trace(&Source::Preset(Preset::Workload40), 1.0, 1).unwrap();
    // A scale change supersedes the first load.
    s.update(Action::Go(Screen::Workload));
    let again = s.update(Action::Scale(1));
    assert!(matches!(again[0], Effect::LoadTrace { generation: 2, .. }));
    let Effect::LoadTrace { generation, .. } = &effects[0] else {
        panic!()
    };
    assert!(s
        .update(Action::TraceLoaded {
            generation: *generation,
            result: Ok(trace.clone())
        })
        .is_empty());
    assert!(s.workload.loaded.is_none(), "the stale trace is ignored");
    let started = s.update(Action::TraceLoaded {
        generation: 2,
        result: Ok(trace),
    });
    assert_eq!(started.len(), 2);
    assert!(matches!(started[0], Effect::Simulate { generation: 1, .. }));
    match &started[1] {
        Effect::Advise {
            generation,
            request,
        } => {
            assert_eq!(*generation, 1);
            assert_eq!(request.trace_name, "workload-120 x1.25");
            assert_eq!(request.offers.len(), 3);
        }
        other => panic!("{other:?}"),
    }
    assert!(s.advice.running);
    assert_eq!(s.compare.progress, Some((0, 3)));
    s.update(Action::SimProgress {
        generation: 1,
        done: 2,
        total: 3,
    });
    assert_eq!(s.compare.progress, Some((2, 3)));
    s.update(Action::Advised {
        generation: 0,
        result: Err("old".into()),
    });
    assert!(
        s.advice.running,
        "an answer to an old request changes nothing"
    );
    s.update(Action::Advised {
        generation: 1,
        result: Err("no offers".into()),
    });
    assert!(!s.advice.running);
    assert_eq!(s.advice.error.as_deref(), Some("no offers"));
}

#[test]
fn the_comparison_sorts_and_keeps_the_selected_offer() {
    let mut s = loaded(vec![
        outcome("b", 3.0, 0.01, 1.0),
        outcome("a", 1.0, 0.03, 1.0),
        outcome("c", 2.0, 0.02, 0.9),
    ]);
    press(&mut s, KeyCode::Char('3'));
    assert_eq!(s.screen, Screen::Compare);
    let ids = |s: &State| {
        s.compare
            .rows()
            .map(|o| o.offer.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(s.compare.sort, SortKey::Month);
    assert_eq!(
        ids(&s),
        ["a", "b", "c"],
        "no monthly costs before the advice: by id"
    );
    press(&mut s, KeyCode::Char('o'));
    assert_eq!(ids(&s), ["a", "c", "b"], "by the run's cost");
    press(&mut s, KeyCode::Down);
    assert_eq!(s.compare.selected().unwrap().offer, "c");
    press(&mut s, KeyCode::Char('o'));
    assert_eq!(s.compare.sort, SortKey::Avg);
    assert_eq!(ids(&s), ["b", "c", "a"]);
    assert_eq!(
        s.compare.selected().unwrap().offer,
        "c",
        "selection follows the offer"
    );
    press(&mut s, KeyCode::Char('r'));
    assert_eq!(ids(&s), ["a", "c", "b"]);
    press(&mut s, KeyCode::Char('o'));
    press(&mut s, KeyCode::Char('o'));
    press(&mut s, KeyCode::Char('o'));
    assert_eq!(s.compare.sort, SortKey::Success);
    assert_eq!(ids(&s).last().unwrap(), "c", "lowest success last");
    press(&mut s, KeyCode::End);
    assert_eq!(s.compare.cursor, 2);
    press(&mut s, KeyCode::Down);
    assert_eq!(s.compare.cursor, 2, "stays on the last row");
    press(&mut s, KeyCode::PageUp);
    assert_eq!(s.compare.cursor, 0);
    press(&mut s, KeyCode::Enter);
    assert!(s.compare.detail);
    press(&mut s, KeyCode::Down);
    assert_eq!(s.compare.cursor, 0, "the detail does not move the table");
    press(&mut s, KeyCode::Esc);
    assert!(!s.compare.detail);
}

#[test]
fn workload_sources_and_scale_reload_the_trace() {
    let mut s = loaded(vec![outcome("a", 1.0, 0.01, 1.0)]);
    press(&mut s, KeyCode::Char('2'));
    assert!(
        press(&mut s, KeyCode::Enter).is_empty(),
        "the active source is loaded"
    );
    press(&mut s, KeyCode::Down);
    let e = press(&mut s, KeyCode::Enter);
    match &e[0] {
        Effect::LoadTrace { source, scale, .. } => {
            assert_eq!(source, &Source::Preset(Preset::Workload200));
            assert_eq!(*scale, 1.0);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.workload.active, 2);
    let e = press(&mut s, KeyCode::Char('-'));
    assert!(matches!(e[0], Effect::LoadTrace { scale, .. } if scale == 0.75));
    for _ in 0..10 {
        press(&mut s, KeyCode::Char('+'));
    }
    assert_eq!(s.workload.scale_factor(), 4.0);
    assert!(
        press(&mut s, KeyCode::Char('+')).is_empty(),
        "no scale past the last"
    );
    assert_eq!(s.workload.name(), "workload-200 x4");
}

#[test]
fn the_form_edits_the_targets_and_advises_again() {
    let mut s = loaded(vec![outcome("a", 1.0, 0.01, 1.0)]);
    press(&mut s, KeyCode::Char('/'));
    assert!(
        press(&mut s, KeyCode::Enter).is_empty(),
        "the default targets, untouched, are no change"
    );
    assert_eq!(s.constraints, Constraints::default());
    press(&mut s, KeyCode::Char('/'));
    let Overlay::Form(f) = &s.overlay else {
        panic!("the form is open")
    };
    assert_eq!(f.fields[1].value, "99.9");
    for c in "25x0".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Backspace);
    press(&mut s, KeyCode::Backspace);
    press(&mut s, KeyCode::Backspace);
    press(&mut s, KeyCode::Backspace);
    for c in "150".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    let Overlay::Form(f) = &s.overlay else {
        panic!("a bad value keeps the form open")
    };
    assert!(f.error.as_deref().unwrap().starts_with("Minimum success"));
    for _ in 0..3 {
        press(&mut s, KeyCode::Backspace);
    }
    for c in "99".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let e = press(&mut s, KeyCode::Enter);
    assert_eq!(s.overlay, Overlay::None);
    assert_eq!(s.constraints.slo_p95_s, Some(0.25));
    assert_eq!(s.constraints.min_success_ratio, 0.99);
    match &e[0] {
        Effect::Advise { request, .. } => {
            assert_eq!(request.constraints, s.constraints);
        }
        other => panic!("{other:?}"),
    }
    // Esc leaves the targets as they were; an unchanged form asks for nothing.
    press(&mut s, KeyCode::Char('s'));
    press(&mut s, KeyCode::Char('1'));
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.constraints.slo_p95_s, Some(0.25));
    press(&mut s, KeyCode::Char('s'));
    assert!(press(&mut s, KeyCode::Enter).is_empty());
}

#[test]
fn export_asks_before_overwriting() {
    let (mut s, _) = State::new(setup());
    let e = press(&mut s, KeyCode::Char('e'));
    assert!(matches!(
        e[0],
        Effect::Export {
            paths: None,
            overwrite: false
        }
    ));
    let paths = vec![PathBuf::from("r.html"), PathBuf::from("r.md")];
    let files = Overwrite {
        paths: paths.clone(),
        existing: vec![paths[0].clone()],
    };
    s.update(Action::AskOverwrite(files.clone()));
    assert_eq!(s.overlay, Overlay::Confirm(files.clone()));
    assert!(key_action(&s, &key(KeyCode::Tab)).is_none(), "only y or n");
    press(&mut s, KeyCode::Char('n'));
    assert_eq!(s.overlay, Overlay::None);
    assert!(s
        .status
        .as_ref()
        .unwrap()
        .text
        .contains("nothing was written"));
    s.update(Action::AskOverwrite(files));
    match &press(&mut s, KeyCode::Char('y'))[0] {
        Effect::Export {
            paths: p,
            overwrite,
        } => {
            assert_eq!(p.as_ref(), Some(&paths));
            assert!(*overwrite);
        }
        other => panic!("{other:?}"),
    }
    s.update(Action::Exported(Ok(paths)));
    assert!(s.status.as_ref().unwrap().text.contains("r.html"));
    s.update(Action::Exported(Err("disk full".into())));
    assert!(s.status.as_ref().unwrap().error);
    press(&mut s, KeyCode::Tab);
    assert_eq!(s.status, None, "news goes when the user moves on");
}

#[test]
fn live_profiling_feeds_the_profile_screen_then_simulates() {
    let mut setup = setup();
    setup.profile = None;
    setup.profiling = Some(("m.onnx".into(), "profiles/m.toml".into()));
    let (mut s, effects) = State::new(setup);
    let Effect::LoadTrace { generation, .. } = &effects[0] else {
        panic!()
    };
    let trace =
        advisor::tui::jobs::load_trace(&Source::Preset(Preset::Workload40), 1.0, 1).unwrap();
    assert!(
        s.update(Action::TraceLoaded {
            generation: *generation,
            result: Ok(trace)
        })
        .is_empty(),
        "no simulation before the model is measured"
    );
    s.update(Action::ProfileProgress(ProgressEvent {
        phase: "latency: 1 thread, batch 4".into(),
        done: 7,
        total: 17,
        eta: Some(std::time::Duration::from_secs(12)),
        notice: None,
    }));
    s.update(Action::ProfileProgress(ProgressEvent {
        phase: String::new(),
        done: 7,
        total: 17,
        eta: None,
        notice: Some("CUDA is not available; profiling the CPU".into()),
    }));
    let live = s.profile.live.as_ref().unwrap();
    assert_eq!((live.done, live.total), (7, 17));
    assert_eq!(live.eta_s, Some(12.0));
    assert_eq!(live.phase, "latency: 1 thread, batch 4");
    assert_eq!(live.notices.len(), 1);
    assert!(s.busy());
    let p = Arc::new(advisor::profile::bundled::get("mobilenetv2").unwrap());
    let e = s.update(Action::Profiled(Ok(p)));
    assert!(matches!(e[0], Effect::Simulate { .. }));
    assert!(s.profile.live.as_ref().unwrap().finished);
    assert!(s.status.as_ref().unwrap().text.contains("profiles/m.toml"));

    let (mut s, _) = State::new(Setup {
        profile: None,
        profiling: Some(("m.onnx".into(), "x".into())),
        ..self::setup()
    });
    s.update(Action::Profiled(Err((
        "model.onnx: no such file".into(),
        2,
    ))));
    let live = s.profile.live.as_ref().unwrap();
    assert!(live.error.is_some());
    assert_eq!(live.exit_code, 2);
    assert!(s.status.as_ref().unwrap().error);
}

#[test]
fn a_panicked_job_closes_the_app_with_its_message() {
    let (mut s, _) = State::new(setup());
    s.update(Action::Fatal("index out of bounds".into()));
    assert!(s.quit);
    assert_eq!(s.fatal.as_deref(), Some("index out of bounds"));
}

#[test]
fn resizing_is_remembered_for_scroll_limits() {
    let (mut s, _) = State::new(setup());
    s.update(Action::Resize(120, 40));
    assert_eq!(s.size, (120, 40));
    press(&mut s, KeyCode::Char('7'));
    press(&mut s, KeyCode::Down);
    assert_eq!(s.recommend_scroll, 0, "nothing to scroll before the advice");
}
