//! The memory-size screen: cost and p95 latency of a serverless offer at
//! each memory size it allows, the model's footprint, and the sizes the
//! advice picks (cheapest, balanced, fastest).

use super::widgets::{
    advice_pending, axis, collapse, fit, legend_lines, message, secs0, section, span, two_charts,
    y_axis, CHARTS_MIN_H,
};
use crate::advise::{Advice, MemorySweep};
use crate::present::mb;
use crate::present::variant::offer_name;
use crate::report::words::money;
use crate::tui::state::State;
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Chart, Dataset, GraphType, Paragraph};
use ratatui::Frame;

/// How sizes that miss the targets are marked: a shape of their own, so
/// that they read without colours too.
const MISSES: Marker = Marker::Custom('x');

/// Draws the memory-size screen.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(advice) = state.advice.advice.as_deref() else {
        advice_pending(frame, area, state, theme);
        return;
    };
    if advice.memory.is_empty() {
        message(
            frame,
            area,
            vec![Line::styled(
                "No serverless offer here lets the memory size be chosen.",
                theme.dim,
            )],
        );
        return;
    }
    let i = state.memory_cursor.min(advice.memory.len() - 1);
    let sweep = &advice.memory[i];
    // Both charts mark the same points: one legend under the pair.
    let legend = legend_lines(&legend_items(sweep, theme), area.width as usize);
    let room = area
        .height
        .saturating_sub(2 + legend.len() as u16 + CHARTS_MIN_H);
    let text = collapse(verdict_lines(sweep, theme), area.width, room.max(1));
    let [pick, verdict, charts, legend_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(text.len() as u16),
        Constraint::Min(0),
        Constraint::Length(legend.len() as u16),
    ])
    .areas(area);
    let block = section("Memory size (↑↓ picks the offer) · modelled", theme);
    let inner = block.inner(pick);
    frame.render_widget(block, pick);
    frame.render_widget(Paragraph::new(picker(advice, i, inner.width, theme)), inner);
    frame.render_widget(Paragraph::new(text), verdict);
    let [cost_area, lat_area] = two_charts(charts);
    draw_chart(frame, cost_area, sweep, true, theme);
    draw_chart(frame, lat_area, sweep, false, theme);
    frame.render_widget(Paragraph::new(legend), legend_area);
}

/// The offers side by side when they fit, else the chosen one with its place.
fn picker(advice: &Advice, i: usize, width: u16, theme: &Theme) -> Line<'static> {
    let names: Vec<String> = advice
        .memory
        .iter()
        .map(|s| offer_name(advice, &s.offer))
        .collect();
    let all: usize = names.iter().map(|n| n.chars().count() + 2).sum();
    if all <= width as usize {
        let spans = names.into_iter().enumerate().map(|(j, n)| {
            let style = if j == i { theme.selected } else { theme.dim };
            Span::styled(format!(" {n} "), style)
        });
        return Line::from(spans.collect::<Vec<_>>());
    }
    let place = format!("  {} of {} (↑↓)", i + 1, names.len());
    let name = fit(
        &format!(" {} ", names[i]),
        (width as usize).saturating_sub(place.chars().count()),
    );
    Line::from(vec![
        Span::styled(name, theme.selected),
        Span::styled(place, theme.dim),
    ])
}

/// The verdict (the sizes the advice picks, with their figures), then what
/// the model needs; without a verdict, the sizes in short.
fn verdict_lines(s: &MemorySweep, theme: &Theme) -> Vec<Line<'static>> {
    let f = &s.footprint;
    let needs = Span::styled(
        format!(
            "the model needs ≥ {} (process {:.0} + model {:.0} + runtime {:.0} MB, +{:.0}%)",
            mb(f.min_memory_mb),
            f.process_rss_mb,
            f.model_mb,
            f.runtime_mb,
            f.margin_ratio * 100.0
        ),
        theme.dim,
    );
    if let Some(v) = &s.verdict {
        return vec![Line::raw(v.text.clone()), Line::from(needs)];
    }
    let mut spans = Vec::new();
    match s.cheapest_mb {
        Some(m) => {
            spans.push(Span::styled(
                "◆ cheapest meeting the targets ",
                theme.accent,
            ));
            spans.push(Span::raw(mb(m)));
        }
        None => spans.push(Span::styled("no size meets the targets", theme.bad)),
    }
    if let Some(m) = s.fastest_mb.filter(|m| Some(*m) != s.cheapest_mb) {
        spans.push(Span::styled(" · fastest ", theme.dim));
        spans.push(Span::raw(mb(m)));
    }
    spans.push(Span::raw(" · "));
    spans.push(needs);
    vec![Line::from(spans)]
}

/// The legend of both charts.
fn legend_items(s: &MemorySweep, theme: &Theme) -> Vec<(String, Style, Marker)> {
    let mut items = vec![
        ("meets the targets".to_string(), theme.good, Marker::Dot),
        ("misses them".to_string(), theme.bad, MISSES),
        (
            "cheapest meeting them".to_string(),
            theme.accent,
            Marker::Block,
        ),
    ];
    if footprint_shown(s) {
        items.push((
            format!("model needs {}", mb(s.footprint.min_memory_mb)),
            theme.dim,
            Marker::Braille,
        ));
    }
    items
}

/// Whether the footprint line is drawn: only when it stands clear of the y
/// axis and inside the sizes swept.
fn footprint_shown(s: &MemorySweep) -> bool {
    let (x_min, x_max) = x_bounds(s);
    let m = s.footprint.min_memory_mb;
    (m - x_min) > (x_max - x_min) * 0.02 && m <= x_max
}

fn x_bounds(s: &MemorySweep) -> (f64, f64) {
    let x_min = s.points.first().map(|p| p.memory_mb).unwrap_or(0.0);
    let x_max = s
        .points
        .last()
        .map(|p| p.memory_mb)
        .unwrap_or(1.0)
        .max(x_min + 1.0);
    (x_min, x_max)
}

/// The sweep's (memory, figure) points: all of them, those meeting the
/// targets and those missing them; the figure is cost or p95 latency.
type Points = Vec<(f64, f64)>;
fn points(s: &MemorySweep, cost: bool) -> (Points, Points, Points) {
    let value = |p: &crate::advise::MemoryPoint| {
        if cost {
            p.cost_per_month_usd
        } else {
            p.p95_latency_s
        }
    };
    let (mut all, mut meets, mut misses) = (Vec::new(), Vec::new(), Vec::new());
    for p in &s.points {
        if let Some(v) = value(p) {
            all.push((p.memory_mb, v));
            if p.meets_slo {
                meets.push((p.memory_mb, v));
            } else {
                misses.push((p.memory_mb, v));
            }
        }
    }
    (all, meets, misses)
}

fn draw_chart(frame: &mut Frame, area: Rect, s: &MemorySweep, cost: bool, theme: &Theme) {
    let title = if cost {
        "Cost per month by memory size"
    } else {
        "p95 latency by memory size"
    };
    let block = section(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (all, meets, misses) = points(s, cost);
    let (x_min, x_max) = x_bounds(s);
    let y = span(all.iter().map(|p| p.1));
    let min_line = [
        (s.footprint.min_memory_mb, y[0]),
        (s.footprint.min_memory_mb, y[1]),
    ];
    let chosen: Vec<(f64, f64)> = s
        .cheapest_mb
        .and_then(|m| all.iter().find(|p| p.0 == m).copied())
        .into_iter()
        .collect();
    // The line first, so the points that say meets / misses sit on top.
    let mut sets = vec![
        Dataset::default()
            .data(&all)
            .graph_type(GraphType::Line)
            .marker(Marker::Braille)
            .style(theme.series(0)),
        Dataset::default()
            .data(&meets)
            .graph_type(GraphType::Scatter)
            .marker(Marker::Dot)
            .style(theme.good),
        Dataset::default()
            .data(&misses)
            .graph_type(GraphType::Scatter)
            .marker(MISSES)
            .style(theme.bad),
        Dataset::default()
            .data(&chosen)
            .graph_type(GraphType::Scatter)
            .marker(Marker::Block)
            .style(theme.accent),
    ];
    if footprint_shown(s) {
        sets.push(
            Dataset::default()
                .data(&min_line)
                .graph_type(GraphType::Line)
                .marker(Marker::Braille)
                .style(theme.dim),
        );
    }
    let fmt: fn(f64) -> String = if cost { money } else { secs0 };
    // As many size labels as stand apart at this width.
    let labels = (inner.width as usize / 12).clamp(2, 5);
    frame.render_widget(
        Chart::new(sets)
            .x_axis(axis(
                "MB",
                [x_min, x_max],
                labels,
                |v| format!("{v:.0}"),
                theme,
            ))
            .y_axis(y_axis("", y, 3, fmt, theme)),
        inner,
    );
}
