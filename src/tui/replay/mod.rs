//! The live replay view: a replay against an endpoint, followed as it runs
//! from the progress snapshots it publishes (sent, rate, latency, errors).
//!
//! Same shape as the main app: [`ReplayState::update`] is pure, the loop in
//! [`run`] feeds it keys and snapshots and draws
//! [`crate::tui::screens::replay::draw`]. `q` or Ctrl-C asks the replay to
//! stop (it finishes the requests in flight); once it has finished, `q`
//! closes the view.

pub mod state;

pub use state::{key_action, ReplayAction, ReplayState, MAX_HISTORY};

use super::state::TICKS_PER_S;
use super::terminal::Guard;
use super::theme::Theme;
use crate::live::progress::ReplayProgress;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Shows the replay whose snapshots arrive on `rx` until the user closes
/// the view; `stop` is raised when the user asks the replay to stop.
pub fn run(
    mut rx: watch::Receiver<ReplayProgress>,
    stop: Arc<AtomicBool>,
    url: &str,
    trace: &str,
) -> anyhow::Result<ReplayState> {
    let theme = Theme::from_env();
    let mut state = ReplayState::new(url, trace);
    let mut guard = Guard::enter()?;
    let tick = Duration::from_millis(1000 / TICKS_PER_S);
    let mut dirty = true;
    let mut sender_gone = false;
    loop {
        // A closed channel after the last snapshot is the normal end.
        match rx.has_changed() {
            Ok(true) => {
                let p = *rx.borrow_and_update();
                state.update(ReplayAction::Snapshot(p));
                dirty = true;
            }
            Ok(false) => {}
            // Gone before a single snapshot: the replay failed to start;
            // its error is the caller's to report, not a screen to dismiss.
            Err(_) if state.history.is_empty() => break,
            Err(_) if !sender_gone => {
                sender_gone = true;
                let mut p = *rx.borrow();
                p.finished = true;
                state.update(ReplayAction::Snapshot(p));
                dirty = true;
            }
            Err(_) => {}
        }
        if state.quit {
            break;
        }
        if dirty {
            guard
                .terminal
                .draw(|f| super::screens::replay::draw(f, &state, &theme))?;
            dirty = false;
        }
        if event::poll(tick)? {
            match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => {
                    if let Some(a) = key_action(k.code, k.modifiers) {
                        if state.update(a) {
                            stop.store(true, Ordering::Relaxed);
                        }
                        dirty = true;
                    }
                }
                Event::Resize(_, _) => dirty = true,
                _ => {}
            }
        }
    }
    drop(guard);
    Ok(state)
}
