//! The batching screen: cost and latency by batch size and longest wait
//! (the study's Figure 8), with the recommended setting marked.

use super::widgets::{
    advice_pending, axis, collapse, legend_lines, secs0, section, span, two_charts, y_axis,
    CHARTS_MIN_H,
};
use crate::advise::{BatchPoint, BatchSweep};
use crate::present::variant::batching;
use crate::present::{named, wait, wrap};
use crate::report::words::money;
use crate::text::{secs, usd};
use crate::tui::state::State;
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Chart, Dataset, GraphType, Paragraph};
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
    // Each option's name wraps rather than being cut: its role and its
    // purchase terms are what tells two options apart.
    let names: Vec<Vec<String>> = advice
        .batching
        .iter()
        .map(|s| {
            let role = s.role.replace('_', " ");
            wrap(
                &format!("{role}: {}", named(advice, &s.id)),
                area.width.max(1) as usize,
            )
        })
        .collect();
    let n = names.iter().map(Vec::len).sum::<usize>() as u16;
    // Both charts draw the same lines: one legend under the pair.
    let items = legend_items(sweep, theme);
    let legend = legend_lines(&items, area.width as usize);
    let pick_h = (n + 1).min(area.height / 4).max(2);
    let room = area
        .height
        .saturating_sub(pick_h + legend.len() as u16 + CHARTS_MIN_H);
    let text = collapse(verdict_lines(sweep, theme), area.width, room.max(1));
    let [pick, verdict, charts, legend_area] = Layout::vertical([
        Constraint::Length(pick_h),
        Constraint::Length(text.len() as u16),
        Constraint::Min(0),
        Constraint::Length(legend.len() as u16),
    ])
    .areas(area);
    let block = section("Batching sweep (↑↓ picks the option) · modelled", theme);
    let inner = block.inner(pick);
    frame.render_widget(block, pick);
    let lines: Vec<Line> = names
        .iter()
        .enumerate()
        .flat_map(|(j, rows)| {
            let style = if j == i {
                theme.selected
            } else {
                Default::default()
            };
            rows.iter().map(move |r| Line::styled(r.clone(), style))
        })
        .collect();
    // With more lines than rows, the list follows the selection.
    let end: usize = names[..=i].iter().map(Vec::len).sum();
    let skip = end.saturating_sub(inner.height as usize);
    frame.render_widget(Paragraph::new(lines).scroll((skip as u16, 0)), inner);
    frame.render_widget(Paragraph::new(text), verdict);
    let [cost_area, lat_area] = two_charts(charts);
    draw_chart(frame, cost_area, sweep, Metric::Cost, theme);
    draw_chart(frame, lat_area, sweep, Metric::Latency, theme);
    frame.render_widget(Paragraph::new(legend), legend_area);
}

/// The legend of both charts: one line per longest wait, and the chosen point.
fn legend_items(sweep: &BatchSweep, theme: &Theme) -> Vec<(String, Style, Marker)> {
    let mut items: Vec<(String, Style, Marker)> = waits(sweep)
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            let name = if w == 0.0 {
                "no wait".to_string()
            } else {
                format!("wait ≤ {}", wait(w))
            };
            (name, theme.series(i), theme.marker(i))
        })
        .collect();
    items.push(("chosen".to_string(), theme.accent, Marker::Block));
    items
}

/// The verdict, then the chosen setting's figures (the first to go when
/// the screen is short: the verdict names the setting too).
fn verdict_lines(sweep: &BatchSweep, theme: &Theme) -> Vec<Line<'static>> {
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
    vec![Line::raw(sweep.verdict.text.clone()), chosen]
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
    let lines: Vec<Vec<(f64, f64)>> = waits(sweep)
        .into_iter()
        .map(|w| {
            // Every line starts from no batching, where nobody waits.
            let mut pts: Vec<(f64, f64)> = std::iter::once(&sweep.baseline)
                .chain(sweep.points.iter().filter(|p| p.max_wait_s == w))
                .map(|p| (x(p.batch_size), metric.value(p)))
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            pts.dedup_by(|a, b| a.0 == b.0);
            pts
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
        .map(|(i, pts)| {
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
    let fmt: fn(f64) -> String = match metric {
        Metric::Cost => money,
        Metric::Latency => secs0,
    };
    // A label on every power of two that fits; the title names the unit.
    let x_labels = x_max.round() as usize + 1;
    let x_labels = if x_labels <= (inner.width as usize / 5).max(2) {
        x_labels
    } else {
        2
    };
    frame.render_widget(
        Chart::new(sets)
            .x_axis(axis(
                "",
                [0.0, x_max],
                x_labels,
                |v| format!("{:.0}", v.exp2()),
                theme,
            ))
            .y_axis(y_axis("", y, 3, fmt, theme)),
        inner,
    );
}
