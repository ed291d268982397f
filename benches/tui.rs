//! Cost of a redraw: every screen rendered into an in-memory terminal at
//! 80x24 and 120x40, with the demo's data (bundled MobileNetV2 profile,
//! workload-120, the built-in prices, the advice computed once).

use advisor::advise::Constraints;
use advisor::tui::action::{Action, Screen, Source};
use advisor::tui::jobs::settle;
use advisor::tui::screens::draw;
use advisor::tui::state::{Setup, State};
use advisor::tui::theme::Theme;
use advisor::workload::generate::Preset;
use criterion::{criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::sync::Arc;

fn demo_state() -> State {
    let snap = advisor::pricing::builtin("current").expect("built-in prices");
    let setup = Setup {
        profile: Some(Arc::new(
            advisor::profile::bundled::get("mobilenetv2").expect("bundled profile"),
        )),
        profiling: None,
        sources: Preset::ALL.into_iter().map(Source::Preset).collect(),
        first_source: 1,
        snapshot: snap.name,
        offers: Arc::new(snap.offers),
        constraints: Constraints::default(),
        seed: 1,
        screen: Screen::Recommend,
    };
    let (mut state, effects) = State::new(setup);
    settle(&mut state, effects);
    state
}

fn redraw(c: &mut Criterion) {
    let base = demo_state();
    let theme = Theme::colored();
    let mut g = c.benchmark_group("redraw");
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        for screen in Screen::ALL {
            let mut state = base.clone();
            state.update(Action::Go(screen));
            state.update(Action::Resize(w, h));
            let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
            let name = format!("{}_{w}x{h}", screen.title().to_lowercase());
            g.bench_function(name, |b| {
                b.iter(|| {
                    term.draw(|f| draw(f, &state, &theme)).expect("draw");
                })
            });
        }
        let mut state = base.clone();
        state.update(Action::Go(Screen::Compare));
        state.update(Action::Enter);
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
        g.bench_function(format!("compare_detail_{w}x{h}"), |b| {
            b.iter(|| {
                term.draw(|f| draw(f, &state, &theme)).expect("draw");
            })
        });
    }
    g.finish();
}

criterion_group!(benches, redraw);
criterion_main!(benches);
