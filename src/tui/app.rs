//! The app loop: terminal events and job results become actions, actions
//! update the state, effects start jobs, and the frame is drawn again when
//! something changed.
//!
//! The loop waits for input at most one tick (100 ms), then drains what the
//! jobs sent; while a job runs each idle tick advances the spinners. The UI
//! thread never runs a simulation, so it never freezes.

use super::action::Action;
use super::export;
use super::jobs;
use super::keys::action_for;
use super::screens;
use super::state::TICKS_PER_S;
use super::state::{Effect, Setup, State};
use super::terminal::{Guard, Term};
use super::theme::Theme;
use crate::error::one_line;
use crate::profile::{self, ProfileOptions};
use ratatui::crossterm::event;
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A model to profile live while the app shows its progress.
#[derive(Debug, Clone)]
pub struct ProfileJob {
    /// What to measure.
    pub options: ProfileOptions,
    /// Where to save the profile when done.
    pub out: PathBuf,
}

/// Redraw timings, written to the file named by `ADVISOR_TUI_TIMING`.
struct Timing {
    file: Option<PathBuf>,
    start: Instant,
    first_frame: Option<Duration>,
    /// Wall-clock time of the first frame, for timing from outside the process.
    first_frame_unix_s: f64,
    /// From the start to the first frame that shows the advice.
    first_advice: Option<Duration>,
    draws: Vec<Duration>,
}

impl Timing {
    fn from_env(start: Instant) -> Timing {
        Timing {
            file: std::env::var_os("ADVISOR_TUI_TIMING").map(PathBuf::from),
            start,
            first_frame: None,
            first_frame_unix_s: 0.0,
            first_advice: None,
            draws: Vec::new(),
        }
    }

    fn record(&mut self, took: Duration, advised: bool) {
        if advised && self.first_advice.is_none() {
            self.first_advice = Some(self.start.elapsed());
        }
        if self.first_frame.is_none() {
            self.first_frame = Some(self.start.elapsed());
            self.first_frame_unix_s = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0);
        }
        self.draws.push(took);
    }

    /// Writes the figures; a failure to write them must not fail the app.
    fn write(&self) {
        let Some(file) = &self.file else { return };
        let mut ms: Vec<f64> = self.draws.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        ms.sort_by(f64::total_cmp);
        let q = |p: f64| {
            ms.get(((ms.len() as f64 - 1.0) * p).round() as usize)
                .copied()
                .unwrap_or(0.0)
        };
        let mean = if ms.is_empty() {
            0.0
        } else {
            ms.iter().sum::<f64>() / ms.len() as f64
        };
        let text = format!(
            "first_frame_ms {:.3}\nfirst_frame_unix_s {:.6}\nfirst_advice_ms {:.1}\ndraws {}\ndraw_mean_ms {mean:.3}\ndraw_p50_ms {:.3}\ndraw_p95_ms {:.3}\ndraw_max_ms {:.3}\n",
            self.first_frame.unwrap_or_default().as_secs_f64() * 1e3,
            self.first_frame_unix_s,
            self.first_advice.map_or(f64::NAN, |d| d.as_secs_f64() * 1e3),
            ms.len(),
            q(0.5),
            q(0.95),
            q(1.0),
        );
        let _ = std::fs::write(file, text);
    }
}

/// Runs the app until the user quits; returns the final state.
///
/// `profiling` measures a model while the profile screen shows progress;
/// the profile is saved where the job says once measured.
pub fn run(setup: Setup, profiling: Option<ProfileJob>) -> anyhow::Result<State> {
    let start = Instant::now();
    let theme = Theme::from_env();
    let mut timing = Timing::from_env(start);
    let (tx, rx) = channel();
    let (mut state, effects) = State::new(setup);
    let mut guard = Guard::enter()?;
    let size = guard.terminal.size()?;
    state.update(Action::Resize(size.width, size.height));
    if let Some(job) = profiling {
        start_profile(tx.clone(), job);
    }
    run_effects(effects, &state, &tx);
    let result = event_loop(
        &mut guard.terminal,
        &mut state,
        &rx,
        &tx,
        &theme,
        &mut timing,
    );
    drop(guard);
    timing.write();
    result?;
    if let Some(msg) = &state.fatal {
        anyhow::bail!("internal error in a background job: {msg}");
    }
    Ok(state)
}

fn event_loop(
    terminal: &mut Term,
    state: &mut State,
    rx: &Receiver<Action>,
    tx: &Sender<Action>,
    theme: &Theme,
    timing: &mut Timing,
) -> anyhow::Result<()> {
    let tick = Duration::from_millis(1000 / TICKS_PER_S);
    let mut dirty = true;
    loop {
        while let Ok(action) = rx.try_recv() {
            let effects = state.update(action);
            run_effects(effects, state, tx);
            dirty = true;
        }
        if state.quit {
            return Ok(());
        }
        if dirty {
            let t = Instant::now();
            terminal.draw(|f| screens::draw(f, state, theme))?;
            timing.record(t.elapsed(), state.advice.advice.is_some());
            dirty = false;
        }
        if event::poll(tick)? {
            let ev = event::read()?;
            if let Some(action) = action_for(state, &ev) {
                let effects = state.update(action);
                run_effects(effects, state, tx);
                dirty = true;
            }
        } else if state.busy() {
            state.update(Action::Tick);
            dirty = true;
        }
    }
}

/// Starts the work the update asked for.
fn run_effects(effects: Vec<Effect>, state: &State, tx: &Sender<Action>) {
    for effect in effects {
        match effect {
            Effect::LoadTrace {
                generation,
                source,
                scale,
                seed,
            } => jobs::start_load(tx.clone(), generation, source, scale, seed),
            Effect::Simulate {
                generation,
                profile,
                trace,
                offers,
                seed,
            } => jobs::start_simulation(tx.clone(), generation, profile, trace, offers, seed),
            Effect::Advise {
                generation,
                request,
            } => jobs::start_advice(tx.clone(), generation, request),
            Effect::Export { paths, overwrite } => {
                if let Some(now) = export::start(state, paths, overwrite, tx.clone()) {
                    // Answered at once (nothing to export yet, or "overwrite?").
                    let _ = tx.send(now);
                }
            }
        }
    }
}

/// Profiles the model on a job thread, saving the profile when done.
fn start_profile(tx: Sender<Action>, job: ProfileJob) {
    jobs::spawn(tx, move |tx| {
        let mut progress = |e: profile::ProgressEvent| {
            let _ = tx.send(Action::ProfileProgress(e));
        };
        let result = profile::profile(&job.options, &mut progress)
            .and_then(|p| {
                p.save(&job.out)?;
                Ok(p)
            })
            .map(Arc::new)
            .map_err(|e| (one_line(&e), crate::error::exit_code(&e)));
        Action::Profiled(result)
    });
}
