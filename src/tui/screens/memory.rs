//! The memory-size screen: cost and p95 latency of a serverless offer at
//! each memory size it allows, the model's footprint, and the sizes the
//! advice picks (cheapest, balanced, fastest).

use super::widgets::{
    advice_pending, axis, message, secs0, section, span, two_charts, wrapped_height,
};
use crate::advise::MemorySweep;
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
        spans.push(Span::styled(format!(" {} ", s.offer), style));
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
    let mb = |m: Option<f64>| {
        m.map(|m| format!("{m:.0} MB"))
            .unwrap_or_else(|| "-".into())
    };
    let f = &s.footprint;
    let mut lines = vec![Line::from(vec![
        Span::styled("◆ cheapest ", theme.accent),
        Span::raw(mb(s.cheapest_mb)),
        Span::styled(" · balanced ", theme.dim),
        Span::raw(mb(s.balanced_mb)),
        Span::styled(" · fastest ", theme.dim),
        Span::raw(mb(s.fastest_mb)),
        Span::styled(
            format!(
                " · needs ≥ {:.0} MB (RSS {:.0} + model {:.0} + runtime {:.0}, +{:.0}%)",
                f.min_memory_mb,
                f.process_rss_mb,
                f.model_mb,
                f.runtime_mb,
                f.margin_ratio * 100.0
            ),
            theme.dim,
        ),
    ])];
    if let Some(v) = &s.verdict {
        lines.push(Line::raw(v.text.as_str()));
    }
    lines
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
    let value = |p: &crate::advise::MemoryPoint| {
        if cost {
            p.cost_per_month_usd
        } else {
            p.p95_latency_s
        }
    };
    let mut meets = Vec::new();
    let mut misses = Vec::new();
    for p in &s.points {
        if let Some(v) = value(p) {
            if p.meets_slo {
                meets.push((p.memory_mb, v));
            } else {
                misses.push((p.memory_mb, v));
            }
        }
    }
    let all: Vec<(f64, f64)> = s
        .points
        .iter()
        .filter_map(|p| value(p).map(|v| (p.memory_mb, v)))
        .collect();
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
    let mut sets = vec![
        Dataset::default()
            .name("meets targets")
            .data(&meets)
            .graph_type(GraphType::Scatter)
            .marker(theme.marker(0))
            .style(theme.good),
        Dataset::default()
            .name("misses")
            .data(&misses)
            .graph_type(GraphType::Scatter)
            .marker(Marker::Dot)
            .style(theme.bad),
        Dataset::default()
            .data(&all)
            .graph_type(GraphType::Line)
            .marker(theme.marker(0))
            .style(theme.series(0)),
        Dataset::default()
            .name("◆ cheapest")
            .data(&chosen)
            .graph_type(GraphType::Scatter)
            .marker(Marker::Block)
            .style(theme.accent),
    ];
    if s.footprint.min_memory_mb >= x_min && s.footprint.min_memory_mb <= x_max {
        sets.push(
            Dataset::default()
                .name("footprint")
                .data(&min_line)
                .graph_type(GraphType::Line)
                .marker(Marker::Dot)
                .style(theme.dim),
        );
    }
    let fmt: fn(f64) -> String = if cost { money } else { secs0 };
    frame.render_widget(
        Chart::new(sets)
            .x_axis(axis("MB", [x_min, x_max], 5, |v| format!("{v:.0}"), theme))
            .y_axis(axis("", y, 3, fmt, theme)),
        inner,
    );
}
