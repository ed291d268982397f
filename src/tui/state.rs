//! The app's state and its one update function.
//!
//! [`State::update`] takes an [`Action`] and changes the state; anything
//! slow it needs done (load a trace, simulate, advise, write a report) comes
//! back as an [`Effect`] for the app loop to run on a background thread.
//! Nothing here touches the terminal, the clock or the file system, so the
//! whole navigation is testable as plain data.

use super::action::{Action, LoadedTrace, Move, Overwrite, Screen, Source};
use super::form::{Form, Targets};
use crate::advise::{Advice, Constraints};
use crate::outcome::Outcome;
use crate::pricing::Offer;
use crate::profile::{Profile, ProgressEvent};
use crate::workload::Trace;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Rate scales the workload screen steps through.
pub const SCALES: [f64; 9] = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0];
/// Rows a page move skips.
const PAGE: usize = 10;

/// What the app starts from.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The measured model; `None` while it is being profiled.
    pub profile: Option<Arc<Profile>>,
    /// The model being profiled live, if any: its file and where the profile will be saved.
    pub profiling: Option<(String, String)>,
    /// Trace sources to offer.
    pub sources: Vec<Source>,
    /// The source loaded at start (an index into `sources`).
    pub first_source: usize,
    /// Price snapshot name.
    pub snapshot: String,
    /// The offers to compare.
    pub offers: Arc<Vec<Offer>>,
    /// The targets.
    pub constraints: Constraints,
    /// Seed of generated traces, rate scaling and simulations.
    pub seed: u64,
    /// The screen to open on.
    pub screen: Screen,
}

/// Something drawn over the screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// Nothing.
    None,
    /// The key help.
    Help,
    /// The constraint form.
    Form(Form),
    /// "Overwrite these files?"
    Confirm(Overwrite),
}

/// Work for the app loop to run off the UI thread.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Load or generate a trace and scale its rate; answer with [`Action::TraceLoaded`].
    LoadTrace {
        /// Tag of the answer.
        generation: u64,
        /// Where the trace comes from.
        source: Source,
        /// Rate factor.
        scale: f64,
        /// Seed for generation and scaling.
        seed: u64,
    },
    /// Simulate every offer; answer with [`Action::SimProgress`] and [`Action::Simulated`].
    Simulate {
        /// Tag of the answer.
        generation: u64,
        /// The model.
        profile: Arc<Profile>,
        /// The load.
        trace: Arc<Trace>,
        /// The offers.
        offers: Arc<Vec<Offer>>,
        /// Seed of the simulations.
        seed: u64,
    },
    /// Compute the advice; answer with [`Action::Advised`].
    Advise {
        /// Tag of the answer.
        generation: u64,
        /// What to advise on.
        request: Box<crate::advise::Request>,
    },
    /// Write the report; `overwrite` once the user said yes.
    Export {
        /// Files to write, when already chosen (after "overwrite?").
        paths: Option<Vec<PathBuf>>,
        /// Whether existing files may be replaced.
        overwrite: bool,
    },
}

/// A line of news for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The text.
    pub text: String,
    /// Whether it reports a failure.
    pub error: bool,
}

/// Live profiling, as the profile screen shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveProfile {
    /// The model file being measured.
    pub model: String,
    /// Where the profile is saved when done.
    pub out: String,
    /// The step now running.
    pub phase: String,
    /// Steps done.
    pub done: u32,
    /// Steps in all.
    pub total: u32,
    /// Estimated time left, s.
    pub eta_s: Option<f64>,
    /// Things the profiler told the user (fallbacks, assumptions).
    pub notices: Vec<String>,
    /// Set when profiling ended, well or not.
    pub finished: bool,
    /// Why profiling failed.
    pub error: Option<String>,
}

/// The profile screen's data.
#[derive(Debug, Clone, Default)]
pub struct ProfileView {
    /// The measured model, once known.
    pub profile: Option<Arc<Profile>>,
    /// Live profiling, when the app measures the model itself.
    pub live: Option<LiveProfile>,
}

/// The workload screen's data.
#[derive(Debug, Clone)]
pub struct WorkloadView {
    /// Sources to choose from.
    pub sources: Vec<Source>,
    /// The source loaded (or loading).
    pub active: usize,
    /// The source under the cursor.
    pub cursor: usize,
    /// Index into [`SCALES`].
    pub scale: usize,
    /// The loaded trace.
    pub loaded: Option<LoadedTrace>,
    /// Whether a load is running.
    pub loading: bool,
    /// Why the last load failed.
    pub error: Option<String>,
}

impl WorkloadView {
    /// The rate factor in use.
    pub fn scale_factor(&self) -> f64 {
        SCALES[self.scale]
    }

    /// The name of the active source, with its scale when not 1.
    pub fn name(&self) -> String {
        let base = self
            .sources
            .get(self.active)
            .map(Source::label)
            .unwrap_or_default();
        if self.scale_factor() == 1.0 {
            base
        } else {
            format!("{base} x{}", self.scale_factor())
        }
    }
}

/// Columns the comparison can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Cost per month (from the advice; offers without one last).
    Month,
    /// Cost of the run.
    Cost,
    /// Mean latency.
    Avg,
    /// 95th percentile latency.
    P95,
    /// 99th percentile latency.
    P99,
    /// Success ratio.
    Success,
    /// Requests that waited for a cold start.
    ColdStarts,
    /// Instances started.
    Instances,
    /// Offer id.
    Offer,
}

impl SortKey {
    /// Every key, in the order `o` cycles through.
    pub const ALL: [SortKey; 9] = [
        SortKey::Month,
        SortKey::Cost,
        SortKey::Avg,
        SortKey::P95,
        SortKey::P99,
        SortKey::Success,
        SortKey::ColdStarts,
        SortKey::Instances,
        SortKey::Offer,
    ];

    /// The column's title.
    pub fn title(self) -> &'static str {
        match self {
            SortKey::Month => "per month",
            SortKey::Cost => "run cost",
            SortKey::Avg => "avg",
            SortKey::P95 => "p95",
            SortKey::P99 => "p99",
            SortKey::Success => "success",
            SortKey::ColdStarts => "cold",
            SortKey::Instances => "inst",
            SortKey::Offer => "offer",
        }
    }

    fn next(self) -> SortKey {
        let i = SortKey::ALL.iter().position(|k| *k == self).unwrap_or(0);
        SortKey::ALL[(i + 1) % SortKey::ALL.len()]
    }

    /// Orders two outcomes by this key, ascending (better first for
    /// success: higher ratios come first, as with every other key's "best").
    fn cmp(self, a: &Outcome, b: &Outcome, month: &BTreeMap<String, f64>) -> std::cmp::Ordering {
        let f = |x: f64, y: f64| x.total_cmp(&y);
        match self {
            SortKey::Month => {
                let m = |o: &Outcome| month.get(&o.offer).copied().unwrap_or(f64::INFINITY);
                f(m(a), m(b))
            }
            SortKey::Cost => f(a.cost_usd, b.cost_usd),
            SortKey::Avg => f(a.avg_latency_s, b.avg_latency_s),
            SortKey::P95 => f(a.p95_latency_s, b.p95_latency_s),
            SortKey::P99 => f(a.p99_latency_s, b.p99_latency_s),
            SortKey::Success => f(b.success_ratio, a.success_ratio),
            SortKey::ColdStarts => a.cold_starts.cmp(&b.cold_starts),
            SortKey::Instances => a.instances_created.cmp(&b.instances_created),
            SortKey::Offer => a.offer.cmp(&b.offer),
        }
    }
}

/// The comparison screen's data.
#[derive(Debug, Clone)]
pub struct CompareView {
    /// Outcomes in offer order.
    pub outcomes: Vec<Outcome>,
    /// Cost per month of each offer as configured (its default option in
    /// the advice), by offer id.
    pub month: BTreeMap<String, f64>,
    /// Indices into `outcomes` in display order.
    pub order: Vec<usize>,
    /// The sort column.
    pub sort: SortKey,
    /// Whether the sort is reversed.
    pub reversed: bool,
    /// Position of the selected row in `order`.
    pub cursor: usize,
    /// Whether the selected offer's detail is shown.
    pub detail: bool,
    /// Offers simulated / in all, while a simulation runs.
    pub progress: Option<(usize, usize)>,
    /// Why the last simulation failed.
    pub error: Option<String>,
}

impl CompareView {
    fn new() -> Self {
        CompareView {
            outcomes: Vec::new(),
            month: BTreeMap::new(),
            order: Vec::new(),
            sort: SortKey::Month,
            reversed: false,
            cursor: 0,
            detail: false,
            progress: None,
            error: None,
        }
    }

    /// The outcome under the cursor.
    pub fn selected(&self) -> Option<&Outcome> {
        self.order
            .get(self.cursor)
            .and_then(|&i| self.outcomes.get(i))
    }

    /// The outcomes in display order.
    pub fn rows(&self) -> impl Iterator<Item = &Outcome> {
        self.order.iter().map(|&i| &self.outcomes[i])
    }

    /// Sorts again, keeping the same offer under the cursor (a cursor on
    /// the first row stays there: the top is where a new order is read).
    fn resort(&mut self) {
        let keep = self
            .selected()
            .filter(|_| self.cursor > 0)
            .map(|o| o.offer.clone());
        let mut order: Vec<usize> = (0..self.outcomes.len()).collect();
        let (outcomes, key, month) = (&self.outcomes, self.sort, &self.month);
        order.sort_by(|&a, &b| {
            let o = key.cmp(&outcomes[a], &outcomes[b], month);
            let o = o.then_with(|| outcomes[a].offer.cmp(&outcomes[b].offer));
            if self.reversed {
                o.reverse()
            } else {
                o
            }
        });
        self.order = order;
        self.cursor = keep
            .and_then(|id| self.rows().position(|o| o.offer == id))
            .unwrap_or(0);
    }
}

/// The advice, as the batching, memory, break-even and recommendation screens show it.
#[derive(Debug, Clone, Default)]
pub struct AdviceView {
    /// The latest advice.
    pub advice: Option<Arc<Advice>>,
    /// Whether it is being computed.
    pub running: bool,
    /// Why the last computation failed.
    pub error: Option<String>,
    /// Ticks since the computation started (for the elapsed time).
    pub started_tick: u64,
}

/// Everything the screens draw.
#[derive(Debug, Clone)]
pub struct State {
    /// The screen shown.
    pub screen: Screen,
    /// What is drawn over it.
    pub overlay: Overlay,
    /// Set when the user asked to leave.
    pub quit: bool,
    /// Set when a background job panicked: the app closes with this message.
    pub fatal: Option<String>,
    /// Ticks seen (spinner frames).
    pub tick: u64,
    /// The terminal's size (columns, rows), for scroll limits.
    pub size: (u16, u16),
    /// The last piece of news.
    pub status: Option<Status>,
    /// The model.
    pub profile: ProfileView,
    /// The load.
    pub workload: WorkloadView,
    /// The outcomes.
    pub compare: CompareView,
    /// The decision.
    pub advice: AdviceView,
    /// Selection of the batching screen (which sweep).
    pub batching_cursor: usize,
    /// Selection of the memory screen (which offer's sweep).
    pub memory_cursor: usize,
    /// First line shown of the recommendation screen.
    pub recommend_scroll: usize,
    /// The targets.
    pub constraints: Constraints,
    /// Price snapshot name.
    pub snapshot: String,
    /// The offers.
    pub offers: Arc<Vec<Offer>>,
    /// Seed of generated traces, scaling and simulations.
    pub seed: u64,
    /// Tag of the latest trace request; older answers are dropped.
    pub trace_generation: u64,
    /// Tag of the latest simulation request; older answers are dropped.
    pub sim_generation: u64,
    /// Tag of the latest advice request; older answers are dropped.
    pub advice_generation: u64,
}

impl State {
    /// The state at start; the effects load the first trace.
    pub fn new(setup: Setup) -> (State, Vec<Effect>) {
        let live = setup.profiling.map(|(model, out)| LiveProfile {
            model,
            out,
            phase: "starting".into(),
            ..LiveProfile::default()
        });
        let scale = SCALES.iter().position(|s| *s == 1.0).unwrap_or(0);
        let mut state = State {
            screen: setup.screen,
            overlay: Overlay::None,
            quit: false,
            fatal: None,
            tick: 0,
            size: (80, 24),
            status: None,
            profile: ProfileView {
                profile: setup.profile,
                live,
            },
            workload: WorkloadView {
                active: setup
                    .first_source
                    .min(setup.sources.len().saturating_sub(1)),
                cursor: setup
                    .first_source
                    .min(setup.sources.len().saturating_sub(1)),
                sources: setup.sources,
                scale,
                loaded: None,
                loading: false,
                error: None,
            },
            compare: CompareView::new(),
            advice: AdviceView::default(),
            batching_cursor: 0,
            memory_cursor: 0,
            recommend_scroll: 0,
            constraints: setup.constraints,
            snapshot: setup.snapshot,
            offers: setup.offers,
            seed: setup.seed,
            trace_generation: 0,
            sim_generation: 0,
            advice_generation: 0,
        };
        let effects = state.load_trace();
        (state, effects)
    }

    /// Whether background work is running (the loop ticks only then).
    pub fn busy(&self) -> bool {
        self.workload.loading
            || self.compare.progress.is_some()
            || self.advice.running
            || self.profile.live.as_ref().is_some_and(|l| !l.finished)
    }

    /// Applies one action; returns the work it starts.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        // News stays until the user moves on.
        if matches!(
            action,
            Action::Tab(_)
                | Action::Go(_)
                | Action::Move(_)
                | Action::Enter
                | Action::Back
                | Action::NextSort
                | Action::ReverseSort
                | Action::Scale(_)
        ) {
            self.status = None;
        }
        match action {
            Action::Quit => {
                self.quit = true;
                Vec::new()
            }
            Action::Fatal(msg) => {
                self.fatal = Some(msg);
                self.quit = true;
                Vec::new()
            }
            Action::Tick => {
                self.tick = self.tick.wrapping_add(1);
                Vec::new()
            }
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.recommend_scroll = self.recommend_scroll.min(self.recommend_max_scroll());
                Vec::new()
            }
            Action::ToggleHelp => {
                self.overlay = match self.overlay {
                    Overlay::Help => Overlay::None,
                    _ => Overlay::Help,
                };
                Vec::new()
            }
            Action::Back => {
                if self.overlay != Overlay::None {
                    self.overlay = Overlay::None;
                } else if self.screen == Screen::Compare && self.compare.detail {
                    self.compare.detail = false;
                }
                Vec::new()
            }
            Action::Tab(step) => {
                self.overlay = Overlay::None;
                self.screen = self.screen.step(step);
                Vec::new()
            }
            Action::Go(screen) => {
                self.overlay = Overlay::None;
                self.screen = screen;
                Vec::new()
            }
            Action::Move(m) => {
                self.move_selection(m);
                Vec::new()
            }
            Action::Enter => self.enter(),
            Action::NextSort => {
                self.compare.sort = self.compare.sort.next();
                self.compare.reversed = false;
                self.compare.resort();
                Vec::new()
            }
            Action::ReverseSort => {
                self.compare.reversed = !self.compare.reversed;
                self.compare.resort();
                Vec::new()
            }
            Action::Scale(_) if self.screen != Screen::Workload => Vec::new(),
            Action::Scale(step) => {
                let next = (self.workload.scale as isize + step).clamp(0, SCALES.len() as isize - 1)
                    as usize;
                if next == self.workload.scale {
                    return Vec::new();
                }
                self.workload.scale = next;
                self.load_trace()
            }
            Action::EditConstraints => {
                self.overlay = Overlay::Form(Form::new(&Targets::of(&self.constraints)));
                Vec::new()
            }
            Action::FormChar(c) => {
                if let Overlay::Form(f) = &mut self.overlay {
                    f.type_char(c);
                }
                Vec::new()
            }
            Action::FormBackspace => {
                if let Overlay::Form(f) = &mut self.overlay {
                    f.backspace();
                }
                Vec::new()
            }
            Action::FormField(step) => {
                if let Overlay::Form(f) = &mut self.overlay {
                    f.move_focus(step);
                }
                Vec::new()
            }
            Action::FormSubmit => self.submit_form(),
            Action::Export => {
                self.overlay = Overlay::None;
                vec![Effect::Export {
                    paths: None,
                    overwrite: false,
                }]
            }
            Action::AskOverwrite(files) => {
                self.overlay = Overlay::Confirm(files);
                Vec::new()
            }
            Action::Confirm(yes) => {
                let Overlay::Confirm(files) = std::mem::replace(&mut self.overlay, Overlay::None)
                else {
                    return Vec::new();
                };
                if yes {
                    vec![Effect::Export {
                        paths: Some(files.paths),
                        overwrite: true,
                    }]
                } else {
                    self.say("export cancelled; nothing was written", false);
                    Vec::new()
                }
            }
            Action::Exported(result) => {
                match result {
                    Ok(paths) => {
                        let names: Vec<String> = paths
                            .iter()
                            .map(|p| {
                                p.file_name()
                                    .map(|n| n.to_string_lossy().into_owned())
                                    .unwrap_or_default()
                            })
                            .collect();
                        let folder = paths
                            .first()
                            .and_then(|p| p.parent())
                            .filter(|d| !d.as_os_str().is_empty())
                            .map(|d| format!(" in {}", d.display()))
                            .unwrap_or_default();
                        self.say(
                            &format!("report written: {}{folder}", names.join(" and ")),
                            false,
                        );
                    }
                    Err(e) => self.say(&format!("export failed: {e}"), true),
                }
                Vec::new()
            }
            Action::ProfileProgress(event) => {
                self.profile_progress(event);
                Vec::new()
            }
            Action::Profiled(result) => self.profiled(result),
            Action::TraceLoaded { generation, result } => {
                if generation != self.trace_generation {
                    return Vec::new();
                }
                self.workload.loading = false;
                match result {
                    Ok(loaded) => {
                        for w in &loaded.warnings {
                            self.say(w, false);
                        }
                        self.workload.error = None;
                        self.workload.loaded = Some(loaded);
                        self.simulate()
                    }
                    Err(e) => {
                        self.say(&format!("trace: {e}"), true);
                        self.workload.error = Some(e);
                        Vec::new()
                    }
                }
            }
            Action::SimProgress {
                generation,
                done,
                total,
            } => {
                if generation == self.sim_generation {
                    self.compare.progress = Some((done, total));
                }
                Vec::new()
            }
            Action::Simulated { generation, result } => {
                if generation != self.sim_generation {
                    return Vec::new();
                }
                self.compare.progress = None;
                match result {
                    Ok(outcomes) => {
                        self.compare.error = None;
                        self.compare.outcomes = outcomes;
                        self.compare.resort();
                    }
                    Err(e) => {
                        self.say(&format!("simulation: {e}"), true);
                        self.compare.error = Some(e);
                    }
                }
                Vec::new()
            }
            Action::Advised { generation, result } => {
                if generation != self.advice_generation {
                    return Vec::new();
                }
                self.advice.running = false;
                match result {
                    Ok(advice) => {
                        self.advice.error = None;
                        self.compare.month = advice
                            .ranked
                            .iter()
                            .filter(|r| r.variant.origin == "default")
                            .map(|r| (r.offer.clone(), r.cost_per_month_usd))
                            .collect();
                        self.compare.resort();
                        self.batching_cursor = self
                            .batching_cursor
                            .min(advice.batching.len().saturating_sub(1));
                        self.memory_cursor = self
                            .memory_cursor
                            .min(advice.memory.len().saturating_sub(1));
                        self.advice.advice = Some(advice);
                    }
                    Err(e) => {
                        self.say(&format!("advice: {e}"), true);
                        self.advice.error = Some(e);
                    }
                }
                Vec::new()
            }
        }
    }

    fn say(&mut self, text: &str, error: bool) {
        self.status = Some(Status {
            // Status lines quote file names and error text from the user's files.
            text: crate::escape::escape_controls(text).into_owned(),
            error,
        });
    }

    fn move_selection(&mut self, m: Move) {
        let advice = self.advice.advice.as_deref();
        let (cursor, len) = match self.screen {
            Screen::Compare if !self.compare.detail => {
                (&mut self.compare.cursor, self.compare.order.len())
            }
            Screen::Workload => (&mut self.workload.cursor, self.workload.sources.len()),
            Screen::Batching => (
                &mut self.batching_cursor,
                advice.map_or(0, |a| a.batching.len()),
            ),
            Screen::Memory => (
                &mut self.memory_cursor,
                advice.map_or(0, |a| a.memory.len()),
            ),
            Screen::Recommend => {
                let len = self.recommend_max_scroll() + 1;
                (&mut self.recommend_scroll, len)
            }
            _ => return,
        };
        if len == 0 {
            return;
        }
        let last = len - 1;
        *cursor = match m {
            Move::Up => cursor.saturating_sub(1),
            Move::Down => (*cursor + 1).min(last),
            Move::PageUp => cursor.saturating_sub(PAGE),
            Move::PageDown => (*cursor + PAGE).min(last),
            Move::First => 0,
            Move::Last => last,
        };
    }

    /// How far the recommendation can scroll at the current size.
    pub fn recommend_max_scroll(&self) -> usize {
        match self.advice.advice.as_deref() {
            Some(a) => super::screens::recommend::max_scroll(a, &self.constraints, self.size),
            None => 0,
        }
    }

    fn enter(&mut self) -> Vec<Effect> {
        match self.screen {
            Screen::Compare => {
                if self.compare.selected().is_some() {
                    self.compare.detail = !self.compare.detail;
                }
                Vec::new()
            }
            Screen::Workload => {
                if self.workload.cursor == self.workload.active && self.workload.loaded.is_some() {
                    return Vec::new();
                }
                self.workload.active = self.workload.cursor;
                self.load_trace()
            }
            _ => Vec::new(),
        }
    }

    fn submit_form(&mut self) -> Vec<Effect> {
        let Overlay::Form(form) = &mut self.overlay else {
            return Vec::new();
        };
        match form.parse() {
            Ok(t) => {
                self.overlay = Overlay::None;
                let next = t.apply(&self.constraints);
                if next == self.constraints {
                    return Vec::new();
                }
                self.constraints = next;
                self.say("targets changed: advising again", false);
                self.advise()
            }
            Err(e) => {
                form.error = Some(e);
                Vec::new()
            }
        }
    }

    fn profile_progress(&mut self, e: ProgressEvent) {
        let Some(live) = self.profile.live.as_mut() else {
            return;
        };
        if let Some(n) = e.notice {
            live.notices.push(n);
            return;
        }
        live.phase = e.phase;
        live.done = e.done;
        live.total = e.total;
        live.eta_s = e.eta.map(|d| d.as_secs_f64());
    }

    fn profiled(&mut self, result: Result<Arc<Profile>, String>) -> Vec<Effect> {
        let live = self.profile.live.get_or_insert_with(LiveProfile::default);
        live.finished = true;
        match result {
            Ok(p) => {
                live.done = live.total;
                live.eta_s = None;
                live.phase = "done".into();
                let saved = format!("profile saved to {}", live.out);
                self.profile.profile = Some(p);
                self.say(&saved, false);
                self.simulate()
            }
            Err(e) => {
                live.error = Some(e.clone());
                self.say(&format!("profiling failed: {e}"), true);
                Vec::new()
            }
        }
    }

    /// Starts loading the active source at the chosen scale.
    fn load_trace(&mut self) -> Vec<Effect> {
        let Some(source) = self.workload.sources.get(self.workload.active).cloned() else {
            return Vec::new();
        };
        self.trace_generation += 1;
        self.workload.loading = true;
        vec![Effect::LoadTrace {
            generation: self.trace_generation,
            source,
            scale: self.workload.scale_factor(),
            seed: self.seed,
        }]
    }

    /// Starts simulating when both the model and the trace are there.
    fn simulate(&mut self) -> Vec<Effect> {
        let (Some(profile), Some(loaded)) = (&self.profile.profile, &self.workload.loaded) else {
            return Vec::new();
        };
        self.sim_generation += 1;
        self.compare.progress = Some((0, self.offers.len()));
        let mut effects = vec![Effect::Simulate {
            generation: self.sim_generation,
            profile: profile.clone(),
            trace: loaded.trace.clone(),
            offers: self.offers.clone(),
            seed: self.seed,
        }];
        effects.extend(self.advise());
        effects
    }

    /// Starts advising when both the model and the trace are there.
    fn advise(&mut self) -> Vec<Effect> {
        let (Some(profile), Some(loaded)) = (&self.profile.profile, &self.workload.loaded) else {
            return Vec::new();
        };
        self.advice_generation += 1;
        self.advice.running = true;
        self.advice.started_tick = self.tick;
        let request = crate::advise::Request {
            profile: profile.clone(),
            trace: (*loaded.trace).clone(),
            trace_name: self.workload.name(),
            snapshot: self.snapshot.clone(),
            offers: (*self.offers).clone(),
            constraints: self.constraints.clone(),
            seed: self.seed,
        };
        vec![Effect::Advise {
            generation: self.advice_generation,
            request: Box::new(request),
        }]
    }
}
