//! The memory-size screen: cost and p95 latency of a serverless offer at
//! each memory size it allows, the model's footprint, and the sizes the
//! advice picks (cheapest, balanced, fastest).

use super::widgets::{
    advice_pending, axis, legend_lines, message, secs0, section, span, two_charts, wrapped_height,
};
use crate::advise::MemorySweep;
use crate::present::mb;
use crate::present::variant::offer_name;
use crate::report::words::money;
use crate::tui::state::State;
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Chart, Dataset, GraphType, Paragraph, Wrap};
use ratatui::Frame;

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
    // Offers side by side on one line when they fit, else the chosen one only.
    let verdict_h = 2 + sweep
        .verdict
        .as_ref()
        .map_or(0, |v| wrapped_height(&v.text, area.width));
    let [pick, verdict, charts] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(verdict_h.min(area.height / 3)),
        Constraint::Min(0),
    ])
    .areas(area);
    let block = section("Memory size (↑↓ picks the offer) · modelled", theme);
    let inner = block.inner(pick);
    frame.render_widget(block, pick);
    let mut spans = Vec::new();
    for (j, s) in advice.memory.iter().enumerate() {
        let style = if j == i { theme.selected } else { theme.dim };
        spans.push(Span::styled(
            format!(" {} ", offer_name(advice, &s.offer)),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), inner);
    frame.render_widget(
        Paragraph::new(verdict_lines(sweep, theme)).wrap(Wrap { trim: false }),
        verdict,
    );
    let [cost_area, lat_area] = two_charts(charts);
    draw_chart(frame, cost_area, sweep, true, theme);
    draw_chart(frame, lat_area, sweep, false, theme);
}

fn verdict_lines<'a>(s: &'a MemorySweep, theme: &Theme) -> Vec<Line<'a>> {
    let f = &s.footprint;
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
    // The balanced size only when it says something the other two do not.
    if let Some(b) = s
        .balanced_mb
        .filter(|b| Some(*b) != s.cheapest_mb && Some(*b) != s.fastest_mb)
    {
        spans.push(Span::styled(" · within 10% of the fastest p95 ", theme.dim));
        spans.push(Span::raw(mb(b)));
    }
    if let Some(m) = s.fastest_mb.filter(|m| Some(*m) != s.cheapest_mb) {
        spans.push(Span::styled(" · fastest ", theme.dim));
        spans.push(Span::raw(mb(m)));
    }
    spans.push(Span::styled(
        format!(
            " · the model needs ≥ {} (process {:.0} + model {:.0} + runtime {:.0} MB, +{:.0}%)",
            mb(f.min_memory_mb),
            f.process_rss_mb,
            f.model_mb,
            f.runtime_mb,
            f.margin_ratio * 100.0
        ),
        theme.dim,
    ));
    let mut lines = vec![Line::from(spans)];
    if let Some(v) = &s.verdict {
        lines.push(Line::raw(v.text.as_str()));
    }
    lines
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
    let x_min = s.points.first().map(|p| p.memory_mb).unwrap_or(0.0);
    let x_max = s
        .points
        .last()
        .map(|p| p.memory_mb)
        .unwrap_or(1.0)
        .max(x_min + 1.0);
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
            .marker(Marker::Dot)
            .style(theme.bad),
        Dataset::default()
            .data(&chosen)
            .graph_type(GraphType::Scatter)
            .marker(Marker::Block)
            .style(theme.accent),
    ];
    let mut items = vec![
        ("meets the targets".to_string(), theme.good, Marker::Dot),
        ("misses them".to_string(), theme.bad, Marker::Dot),
        (
            "cheapest meeting them".to_string(),
            theme.accent,
            Marker::Block,
        ),
    ];
    // The footprint line only when it stands clear of the y axis.
    let clear = (s.footprint.min_memory_mb - x_min) > (x_max - x_min) * 0.02;
    if clear && s.footprint.min_memory_mb <= x_max {
        sets.push(
            Dataset::default()
                .data(&min_line)
                .graph_type(GraphType::Line)
                .marker(Marker::Braille)
                .style(theme.dim),
        );
        items.push((
            format!("model needs {}", mb(s.footprint.min_memory_mb)),
            theme.dim,
            Marker::Braille,
        ));
    }
    let legend = legend_lines(&items, inner.width as usize);
    let [plot, legend_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(legend.len() as u16)])
            .areas(inner);
    frame.render_widget(Paragraph::new(legend), legend_area);
    let fmt: fn(f64) -> String = if cost { money } else { secs0 };
    frame.render_widget(
        Chart::new(sets)
            .x_axis(axis("MB", [x_min, x_max], 5, |v| format!("{v:.0}"), theme))
            .y_axis(axis("", y, 3, fmt, theme)),
        plot,
    );
}
