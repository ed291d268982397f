//! The batching screen: cost and latency by batch size and longest wait
//! (the study's Figure 8), with the recommended setting marked.

use super::widgets::{
    advice_pending, axis, fit, legend_lines, secs0, section, span, two_charts, wrapped_height,
};
use crate::advise::{BatchPoint, BatchSweep};
use crate::present::variant::batching;
use crate::present::{named, wait};
use crate::report::words::money;
use crate::text::{secs, usd};
use crate::tui::state::State;
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Chart, Dataset, GraphType, Paragraph, Wrap};
use ratatui::Frame;

/// Draws the batching screen.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(advice) = state.advice.advice.as_deref() else {
        advice_pending(frame, area, state, theme);
        return;
    };
    if advice.batching.is_empty() {
        super::widgets::message(
            frame,
            area,
            vec![Line::styled("No batching sweep in this advice.", theme.dim)],
        );
        return;
    }
    let i = state.batching_cursor.min(advice.batching.len() - 1);
    let sweep = &advice.batching[i];
    let n = advice.batching.len() as u16;
    // The chosen setting's line, then the verdict, wrapped.
    let text_h = 2 + wrapped_height(&sweep.verdict.text, area.width);
    let [pick, verdict, charts] = Layout::vertical([
        Constraint::Length(n + 1),
        Constraint::Length(text_h.min(area.height / 3)),
        Constraint::Min(0),
    ])
    .areas(area);
    let block = section("Batching sweep (↑↓ picks the option) · modelled", theme);
    let inner = block.inner(pick);
    frame.render_widget(block, pick);
    let lines: Vec<Line> = advice
        .batching
        .iter()
        .enumerate()
        .map(|(j, s)| {
            let role = s.role.replace('_', " ");
            let text = fit(
                &format!("{} ({role})", named(advice, &s.id)),
                inner.width as usize,
            );
            Line::styled(
                text,
                if j == i {
                    theme.selected
                } else {
                    Default::default()
                },
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
    frame.render_widget(
        Paragraph::new(verdict_lines(sweep, theme)).wrap(Wrap { trim: false }),
        verdict,
    );
    let [cost_area, lat_area] = two_charts(charts);
    draw_chart(frame, cost_area, sweep, Metric::Cost, theme);
    draw_chart(frame, lat_area, sweep, Metric::Latency, theme);
}

fn verdict_lines<'a>(sweep: &'a BatchSweep, theme: &Theme) -> Vec<Line<'a>> {
    let chosen = match &sweep.cheapest_meeting {
        Some(p) => Line::from(vec![
            Span::styled("◆ chosen: ", theme.accent),
            Span::raw(format!(
                "{} · {}/month · mean {} · p95 {}",
                batching(p.batch_size, p.max_wait_s),
                usd(p.cost_per_month_usd),
                secs(p.avg_latency_s),
                secs(p.p95_latency_s)
            )),
        ]),
        None => Line::styled("no batch setting meets the targets", theme.bad),
    };
    vec![chosen, Line::raw(sweep.verdict.text.as_str())]
}

#[derive(Clone, Copy)]
enum Metric {
    Cost,
    Latency,
}

impl Metric {
    fn value(self, p: &BatchPoint) -> f64 {
        match self {
            Metric::Cost => p.cost_per_month_usd,
            Metric::Latency => p.avg_latency_s,
        }
    }
}

/// Distinct waits of a sweep, ascending.
fn waits(sweep: &BatchSweep) -> Vec<f64> {
    let mut w: Vec<f64> = sweep.points.iter().map(|p| p.max_wait_s).collect();
    w.sort_by(f64::total_cmp);
    w.dedup();
    w
}

fn draw_chart(frame: &mut Frame, area: Rect, sweep: &BatchSweep, metric: Metric, theme: &Theme) {
    let title = match metric {
        Metric::Cost => "Cost per month by batch size",
        Metric::Latency => "Mean latency by batch size",
    };
    let block = section(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let x = |b: u32| (b.max(1) as f64).log2();

    let max_batch = sweep.points.iter().map(|p| p.batch_size).max().unwrap_or(1);
    let x_max = x(max_batch).max(1.0);
    let lines: Vec<(String, Vec<(f64, f64)>)> = waits(sweep)
        .into_iter()
        .map(|w| {
            // Every line starts from no batching, where nobody waits.
            let mut pts: Vec<(f64, f64)> = std::iter::once(&sweep.baseline)
                .chain(sweep.points.iter().filter(|p| p.max_wait_s == w))
                .map(|p| (x(p.batch_size), metric.value(p)))
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            pts.dedup_by(|a, b| a.0 == b.0);
            let name = if w == 0.0 {
                "no wait".to_string()
            } else {
                format!("wait ≤ {}", wait(w))
            };
            (name, pts)
        })
        .collect();
    let chosen: Vec<(f64, f64)> = sweep
        .cheapest_meeting
        .iter()
        .map(|p| (x(p.batch_size), metric.value(p)))
        .collect();
    let y = span(
        sweep
            .points
            .iter()
            .chain(std::iter::once(&sweep.baseline))
            .map(|p| metric.value(p)),
    );
    let mut sets: Vec<Dataset> = lines
        .iter()
        .enumerate()
        .map(|(i, (_, pts))| {
            Dataset::default()
                .data(pts)
                .graph_type(GraphType::Line)
                .marker(theme.marker(i))
                .style(theme.series(i))
        })
        .collect();
    sets.push(
        Dataset::default()
            .data(&chosen)
            .graph_type(GraphType::Scatter)
            .marker(Marker::Block)
            .style(theme.accent),
    );
    let mut items: Vec<(String, ratatui::style::Style, Marker)> = lines
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (name.clone(), theme.series(i), theme.marker(i)))
        .collect();
    items.push(("chosen".to_string(), theme.accent, Marker::Block));
    let legend = legend_lines(&items, inner.width as usize);
    let [plot, legend_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(legend.len() as u16)])
            .areas(inner);
    frame.render_widget(Paragraph::new(legend), legend_area);
    let fmt: fn(f64) -> String = match metric {
        Metric::Cost => money,
        Metric::Latency => secs0,
    };
    let x_labels = x_max.round() as usize + 1;
    frame.render_widget(
        Chart::new(sets)
            .x_axis(axis(
                "batch",
                [0.0, x_max],
                x_labels.min(6),
                |v| format!("{:.0}", v.exp2()),
                theme,
            ))
            .y_axis(axis("", y, 3, fmt, theme)),
        plot,
    );
}
