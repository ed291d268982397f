//! Drawing: one module per screen, plus the frame around them (tabs on
//! top, a status line at the bottom) and the overlays (help, the
//! constraint form, "overwrite?").
//!
//! Every function here reads the [`State`] and draws; none changes it.

pub mod batching;
pub mod breakeven;
pub mod compare;
pub mod memory;
pub mod overlays;
pub mod profile;
pub mod recommend;
pub mod replay;
pub mod widgets;
pub mod workload;

use super::action::Screen;
use super::state::{Overlay, State};
use super::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};
use ratatui::Frame;

pub use super::state::TICKS_PER_S;
/// Smallest terminal the screens are laid out for.
pub const MIN_SIZE: (u16, u16) = (60, 16);

/// Draws the whole frame for the state.
pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    let area = frame.area();
    if too_small(frame, area) {
        return;
    }
    let [top, targets, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(frame, top, state, theme);
    draw_targets(frame, targets, state, theme);
    match state.screen {
        Screen::Profile => profile::draw(frame, body, state, theme),
        Screen::Workload => workload::draw(frame, body, state, theme),
        Screen::Compare => compare::draw(frame, body, state, theme),
        Screen::Batching => batching::draw(frame, body, state, theme),
        Screen::Memory => memory::draw(frame, body, state, theme),
        Screen::BreakEven => breakeven::draw(frame, body, state, theme),
        Screen::Recommend => recommend::draw(frame, body, state, theme),
    }
    draw_status(frame, bottom, state, theme);
    match &state.overlay {
        Overlay::None => {}
        Overlay::Help => overlays::help(frame, body, theme),
        Overlay::Form(form) => overlays::form(frame, body, form, theme),
        Overlay::Confirm(files) => overlays::confirm(frame, body, &files.existing, theme),
    }
}

/// Draws a message instead of a screen when the terminal is smaller than
/// [`MIN_SIZE`]; returns whether it did.
pub fn too_small(frame: &mut Frame, area: Rect) -> bool {
    if area.width >= MIN_SIZE.0 && area.height >= MIN_SIZE.1 {
        return false;
    }
    widgets::message(
        frame,
        area,
        vec![
            Line::raw(format!(
                "advisor needs a terminal of at least {}x{};",
                MIN_SIZE.0, MIN_SIZE.1
            )),
            Line::raw(format!(
                "this one is {}x{}. Enlarge it, or q to quit.",
                area.width, area.height
            )),
        ],
    );
    true
}

fn draw_tabs(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let numbered = area.width >= 100;
    let titles: Vec<Line> = Screen::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if numbered {
                Line::raw(format!("{} {}", i + 1, s.title()))
            } else {
                Line::raw(s.title())
            }
        })
        .collect();
    let [name, tabs] = if numbered {
        Layout::horizontal([Constraint::Length(9), Constraint::Min(0)]).areas(area)
    } else {
        [Rect::default(), area]
    };
    if numbered {
        frame.render_widget(Paragraph::new(Span::styled(" advisor", theme.title)), name);
    }
    frame.render_widget(
        Tabs::new(titles)
            .select(state.screen.index())
            .style(theme.dim)
            .highlight_style(theme.selected)
            .divider("|")
            .padding(" ", " "),
        tabs,
    );
}

/// The targets every screen is judged against, and how to change them.
fn draw_targets(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let t = state.targets();
    let text = match (t.slo_p95_s, &t.slo_p95_default) {
        (Some(p), Some(_)) => {
            let rest = crate::advise::Constraints {
                slo_p95_s: None,
                ..t.clone()
            };
            format!(
                " targets: p95 ≤ {} (default) · {}",
                crate::text::secs(p),
                crate::report::words::constraints(&rest)
            )
        }
        _ => format!(" targets: {}", crate::report::words::constraints(&t)),
    };
    let keys = "  s: edit";
    let width = area.width as usize;
    let line = Line::from(vec![
        Span::styled(
            widgets::fit(&text, width.saturating_sub(keys.len())),
            theme.accent,
        ),
        Span::styled(keys, theme.dim),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// The jobs running now, in words, with a spinner.
fn activity(state: &State) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(live) = &state.profile.live {
        if !live.finished {
            parts.push(format!("profiling {}/{}", live.done, live.total));
        }
    }
    if state.workload.loading {
        parts.push("loading trace".to_string());
    }
    if let Some((done, total)) = state.compare.progress {
        parts.push(format!("simulating {done}/{total}"));
    }
    if state.advice.running {
        let secs = state.tick.saturating_sub(state.advice.started_tick) / TICKS_PER_S;
        parts.push(format!("advising {secs} s"));
    }
    (!parts.is_empty()).then(|| format!("{} {}", widgets::spinner(state.tick), parts.join(" · ")))
}

fn draw_status(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let right = activity(state).unwrap_or_default();
    let right_w = right.chars().count() as u16;
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(right_w + 1)]).areas(area);
    let left = match &state.status {
        Some(s) => Line::styled(
            widgets::fit(&s.text, left_area.width as usize),
            if s.error { theme.bad } else { theme.accent },
        ),
        None => {
            // As many hints as fit beside the activity; the most useful first.
            let mut spans = Vec::new();
            let mut used = 0;
            for (k, w) in [
                ("?", "help"),
                ("q", "quit"),
                ("Tab", "screens"),
                ("s", "targets"),
                ("e", "export"),
            ] {
                let len = k.chars().count() + w.chars().count() + 3;
                if used + len > left_area.width as usize {
                    break;
                }
                used += len;
                spans.extend(widgets::hint(k, w, theme));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(left), left_area);
    frame.render_widget(Paragraph::new(Span::styled(right, theme.dim)), right_area);
}
