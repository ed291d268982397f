//! The break-even screen: monthly cost of each kind of option against a
//! steady request rate (log-log), the workload's own rate, and the rates
//! where the cheaper option changes.

use super::widgets::{advice_pending, axis, marker_glyphs, message, section, y_axis};
use crate::advise::{Advice, BreakEvenCurve, Method};
use crate::present::wrap;
use crate::report::cost_at;
use crate::report::words::money;
use crate::tui::state::State;
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Chart, Dataset, GraphType, Paragraph};
use ratatui::Frame;

/// Most curves drawn at once (more would be unreadable in a terminal).
const MAX_CURVES: usize = 6;

/// Draws the break-even screen.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(advice) = state.advice.advice.as_deref() else {
        advice_pending(frame, area, state, theme);
        return;
    };
    if advice.break_even.is_empty() {
        message(
            frame,
            area,
            vec![Line::styled(
                "No break-even curves in this advice.",
                theme.dim,
            )],
        );
        return;
    }
    let curves: Vec<&BreakEvenCurve> = advice.break_even.iter().take(MAX_CURVES).collect();
    let [chart_area, text_area] = layout(area, advice);
    draw_chart(frame, chart_area, advice, &curves, theme);
    draw_text(frame, text_area, advice, state.breakeven_scroll, theme);
}

/// The chart and the text beside it (wide screens) or under it, the text
/// taking what the chart leaves above a readable height.
fn layout(area: Rect, advice: &Advice) -> [Rect; 2] {
    if area.width >= 110 {
        // A gap, so the legend's marks do not read as the chart's lines.
        return Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)])
            .spacing(2)
            .areas(area);
    }
    // The section rule on top of the text takes a row.
    let rows = text_lines(advice, area.width as usize, &Theme::plain()).len() as u16 + 1;
    let text_h = rows.min(area.height.saturating_sub(CHART_MIN_H)).max(3);
    Layout::vertical([Constraint::Min(0), Constraint::Length(text_h)]).areas(area)
}

/// Rows the log-log chart needs to show its decades apart.
const CHART_MIN_H: u16 = 12;

/// How far the text scrolls on a body of `size` (the terminal's columns
/// and rows).
pub fn max_scroll(advice: &Advice, size: (u16, u16)) -> usize {
    // Tabs, the targets and the status line take three rows.
    let area = Rect::new(0, 0, size.0, size.1.saturating_sub(3));
    let [_, text] = layout(area, advice);
    let rows = text_lines(advice, text.width as usize, &Theme::plain()).len();
    rows.saturating_sub(text.height.saturating_sub(1) as usize)
}

/// `log10(v)`, or `None` for values a log axis cannot show.
fn log(v: f64) -> Option<f64> {
    (v > 0.0 && v.is_finite()).then(|| v.log10())
}

fn draw_chart(
    frame: &mut Frame,
    area: Rect,
    advice: &Advice,
    curves: &[&BreakEvenCurve],
    theme: &Theme,
) {
    let block = section(
        "Cost per month at a steady rate (log-log) · modelled",
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines: Vec<Vec<(f64, f64)>> = curves
        .iter()
        .map(|c| {
            c.points
                .iter()
                .filter_map(|p| Some((log(p.rate_rps)?, log(p.cost_per_month_usd)?)))
                .collect()
        })
        .collect();
    let xs = lines.iter().flatten().map(|p| p.0);
    let ys = lines.iter().flatten().map(|p| p.1);
    let (x_lo, x_hi) = bounds(xs);
    let (y_lo, y_hi) = bounds(ys);
    let rate = advice.month.mean_rps;
    let you: Vec<(f64, f64)> = log(rate)
        .filter(|x| *x >= x_lo && *x <= x_hi)
        .map(|x| vec![(x, y_lo), (x, y_hi)])
        .unwrap_or_default();
    let crossings: Vec<(f64, f64)> = advice
        .crossovers
        .iter()
        .filter_map(|c| {
            let curve = curves.iter().find(|k| k.id == c.cheaper_below)?;
            Some((log(c.rate_rps)?, log(cost_at(curve, c.rate_rps)?)?))
        })
        .collect();
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
            .data(&you)
            .graph_type(GraphType::Line)
            .marker(Marker::Dot)
            .style(theme.accent),
    );
    sets.push(
        Dataset::default()
            .data(&crossings)
            .graph_type(GraphType::Scatter)
            .marker(Marker::Block)
            .style(theme.accent),
    );
    frame.render_widget(
        Chart::new(sets)
            .x_axis(axis(
                "req/s",
                [x_lo, x_hi],
                decade_labels(x_hi - x_lo, 7),
                |v| number(10f64.powf(v)),
                theme,
            ))
            .y_axis(y_axis(
                "",
                [y_lo, y_hi],
                decade_labels(y_hi - y_lo, 5),
                |v| money(10f64.powf(v)),
                theme,
            )),
        inner,
    );
}

/// Bounds on a log axis: whole decades around the values.
fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let (lo, hi) = (lo.floor(), hi.ceil());
    if hi > lo {
        (lo, hi)
    } else {
        (lo, lo + 1.0)
    }
}

/// How many labels put every label on a whole decade: at most `max`, the
/// decades split evenly.
fn decade_labels(decades: f64, max: usize) -> usize {
    let d = decades.round().max(1.0) as usize;
    (2..=max.min(d + 1))
        .rev()
        .find(|n| d.is_multiple_of(n - 1))
        .unwrap_or(2)
}

/// A rate as a short number: 0.01, 0.1, 1, 10, 1000.
fn number(v: f64) -> String {
    if v >= 1.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').to_string()
    }
}

fn draw_text(frame: &mut Frame, area: Rect, advice: &Advice, scroll: usize, theme: &Theme) {
    let all = text_lines(advice, area.width as usize, theme);
    let visible = area.height.saturating_sub(1) as usize;
    let max = all.len().saturating_sub(visible);
    let scroll = scroll.min(max);
    let title = if max > 0 {
        format!(
            "Options and crossovers · lines {}-{} of {} (↑↓)",
            scroll + 1,
            (scroll + visible).min(all.len()),
            all.len()
        )
    } else {
        "Options and crossovers".to_string()
    };
    let block = section(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let shown: Vec<Line> = all.into_iter().skip(scroll).take(visible).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

/// The legend (each curve's mark and name), the workload's rate and the
/// crossovers, each wrapped to `width` under its mark.
fn text_lines(advice: &Advice, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut item = |mark: String, style: Style, text: &str| {
        let indent = mark.chars().count() + 1;
        for (i, l) in wrap(text, width.saturating_sub(indent).max(10))
            .into_iter()
            .enumerate()
        {
            let head = if i == 0 {
                Span::styled(format!("{mark} "), style)
            } else {
                Span::raw(" ".repeat(indent))
            };
            lines.push(Line::from(vec![head, Span::raw(l)]));
        }
    };
    for (i, c) in advice.break_even.iter().take(MAX_CURVES).enumerate() {
        let how = match c.method {
            Method::Analytic => "",
            Method::Simulated => " (simulated)",
        };
        item(
            marker_glyphs(theme.marker(i)),
            theme.series(i),
            &format!("{}{how}", c.label),
        );
    }
    item(
        "┆".to_string(),
        theme.accent,
        &format!(
            "this workload: {} req/s on average",
            number(advice.month.mean_rps)
        ),
    );
    for c in &advice.crossovers {
        item("█".to_string(), theme.accent, &c.text);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advise::{Group, RatePoint};

    #[test]
    fn cost_is_interpolated_in_log_space_and_bounds_are_whole_decades() {
        let curve = BreakEvenCurve {
            id: "x".into(),
            offer: "x".into(),
            group: Group::Serverless,
            label: "x".into(),
            method: Method::Analytic,
            points: [(1.0, 10.0), (100.0, 1000.0)]
                .iter()
                .map(|&(r, c)| RatePoint {
                    rate_rps: r,
                    cost_per_month_usd: c,
                    instances: 1.0,
                })
                .collect(),
            checks: Vec::new(),
        };
        assert!((cost_at(&curve, 10.0).unwrap() - 100.0).abs() < 1e-9);
        assert_eq!(cost_at(&curve, 1000.0), None);
        assert_eq!(bounds([0.3, 2.2].into_iter()), (0.0, 3.0));
        assert_eq!(bounds([1.0].into_iter()), (1.0, 2.0));
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(250.0), "250");
        assert_eq!(decade_labels(6.0, 5), 4, "every second decade");
        assert_eq!(decade_labels(5.0, 7), 6);
    }
}
