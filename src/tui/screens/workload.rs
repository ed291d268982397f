//! The workload screen: where the trace comes from and its rate scale on
//! the left, with its statistics; its request rate over time on the right.

use super::widgets::{axis, field, fit, legend_lines, message, section, spinner, upper, y_axis};
use crate::tui::state::State;
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Chart, Dataset, GraphType, Paragraph};
use ratatui::Frame;

/// Draws the workload screen.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let left_w = if area.width >= 110 { 34 } else { 28 };
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(area);
    let w = &state.workload;
    let list_h = w.sources.len() as u16 + 4;
    let [sources, stats] =
        Layout::vertical([Constraint::Length(list_h), Constraint::Min(0)]).areas(left);
    draw_sources(frame, sources, state, theme);
    draw_stats(frame, stats, state, theme);
    draw_rate(frame, right, state, theme);
}

fn draw_sources(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let w = &state.workload;
    let block = section("Trace (Enter loads)", theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines: Vec<Line> = w
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mark = if i == w.active { "● " } else { "  " };
            let text = fit(
                &format!("{mark}{}", s.label()),
                inner.width.saturating_sub(1) as usize,
            );
            let style = if i == w.cursor {
                theme.selected
            } else {
                Default::default()
            };
            Line::styled(text, style)
        })
        .collect();
    lines.push(Line::raw(""));
    let scale = w.scale_factor();
    lines.push(Line::from(vec![
        Span::styled("rate scale ", theme.dim),
        Span::styled(format!("x{scale}"), theme.accent),
        Span::styled("  (+/-)", theme.dim),
    ]));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_stats(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let block = section("Statistics", theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = &state.workload;
    let Some(loaded) = &w.loaded else {
        let line = match &w.error {
            Some(e) => Line::styled(e.clone(), theme.bad),
            None => Line::raw(format!("{} loading", spinner(state.tick))),
        };
        frame.render_widget(Paragraph::new(line), inner);
        return;
    };
    let s = &loaded.stats;
    let opt = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "-".into());
    let lines = vec![
        field("requests     ", s.requests.to_string(), theme),
        field("duration     ", format!("{:.1} s", s.duration_s), theme),
        field("mean rate    ", format!("{:.1} /s", s.mean_rps), theme),
        field(
            "peak rate    ",
            format!("{:.0} /s at {:.0} s", s.peak_rps, s.peak_at_s),
            theme,
        ),
        field("burstiness   ", opt(s.burstiness), theme),
        field(
            "gap p50/p99  ",
            format!(
                "{:.1} / {:.1} ms",
                s.interarrival_p50_ms, s.interarrival_p99_ms
            ),
            theme,
        ),
        field("gap CV       ", opt(s.interarrival_cv), theme),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_rate(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let w = &state.workload;
    let block = section(format!("Request rate over time: {}", w.name()), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(loaded) = &w.loaded else {
        let text = match &w.error {
            Some(e) => Line::styled(e.clone(), theme.bad),
            None => Line::raw(format!("{} loading the trace", spinner(state.tick))),
        };
        message(frame, inner, vec![text]);
        return;
    };
    let s = &loaded.stats;
    // Averaged to what the chart can show: two braille dots per column.
    let cols = (inner.width as usize).saturating_sub(8).max(10) * 2;
    let group = s.rate_series_rps.len().div_ceil(cols).max(1);
    let step = s.rate_series_step_s * group as f64;
    let points: Vec<(f64, f64)> = s
        .rate_series_rps
        .chunks(group)
        .enumerate()
        .map(|(i, c)| {
            let mean = c.iter().sum::<f64>() / c.len() as f64;
            ((i as f64 + 0.5) * step, mean)
        })
        .collect();
    let mean = [(0.0, s.mean_rps), (s.duration_s, s.mean_rps)];
    let x_max = s.duration_s.max(step);
    let y_max = upper(points.iter().map(|p| p.1));
    let datasets = vec![
        Dataset::default()
            .data(&points)
            .graph_type(GraphType::Line)
            .marker(theme.marker(0))
            .style(theme.series(0)),
        Dataset::default()
            .data(&mean)
            .graph_type(GraphType::Line)
            .marker(theme.marker(1))
            .style(theme.series(1)),
    ];
    let items = [
        (
            format!("requests per second, {step:.0} s means"),
            theme.series(0),
            theme.marker(0),
        ),
        (
            format!("mean {:.1}/s", s.mean_rps),
            theme.series(1),
            theme.marker(1),
        ),
    ];
    let legend = legend_lines(&items, inner.width as usize);
    let [plot, legend_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(legend.len() as u16)])
            .areas(inner);
    frame.render_widget(Paragraph::new(legend), legend_area);
    let chart = Chart::new(datasets)
        .x_axis(axis("s", [0.0, x_max], 5, |x| format!("{x:.0}"), theme))
        .y_axis(y_axis(
            "req/s",
            [0.0, y_max],
            3,
            |y| format!("{y:.0}"),
            theme,
        ));
    frame.render_widget(chart, plot);
}
