//! The live replay view: progress, sending rate, latency and errors as
//! they are measured.

use super::widgets::{axis, field, section, upper, y_axis};
use crate::text::pct;
use crate::tui::replay::state::ReplayState;
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Chart, Dataset, Gauge, GraphType, Paragraph};
use ratatui::Frame;

/// Draws the whole replay view.
pub fn draw(frame: &mut Frame, s: &ReplayState, theme: &Theme) {
    let area = frame.area();
    if super::too_small(frame, area) {
        return;
    }
    let [head, gauge, figures, charts, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(5),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let p = &s.last;
    let state = if p.finished {
        Span::styled("finished", theme.good)
    } else if s.stopping {
        Span::styled("stopping: finishing the requests in flight", theme.accent)
    } else {
        Span::styled("running", theme.accent)
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(" Replay ", theme.title),
                Span::raw(format!("{} against {} · ", s.trace, s.url)),
                state,
            ]),
            Line::styled(
                " measured: open loop, latency from each request's scheduled send",
                theme.dim,
            ),
        ]),
        head,
    );
    let ratio = if p.total == 0 {
        0.0
    } else {
        (p.sent as f64 / p.total as f64).clamp(0.0, 1.0)
    };
    let eta = s
        .eta_s()
        .map(|e| format!(" · about {:.0} s left", e.ceil()))
        .unwrap_or_default();
    frame.render_widget(
        Gauge::default()
            .ratio(ratio)
            .label(format!(
                "{}/{} sent · {:.1} s{eta}",
                p.sent, p.total, p.elapsed_s
            ))
            .gauge_style(theme.title)
            .use_unicode(true),
        gauge,
    );
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(figures);
    let errors = if p.failed > 0 { theme.bad } else { theme.good };
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(""),
            field(" rate now      ", format!("{:.1} req/s", p.rate_rps), theme),
            field(
                " finished      ",
                format!("{} ({} in flight)", p.done, p.sent.saturating_sub(p.done)),
                theme,
            ),
            Line::from(vec![
                Span::styled(" errors        ", theme.dim),
                Span::styled(format!("{} ({})", p.failed, pct(s.error_ratio())), errors),
            ]),
        ]),
        left,
    );
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(""),
            field("latency p50   ", format!("{:.1} ms", p.p50_ms), theme),
            field("latency p99   ", format!("{:.1} ms", p.p99_ms), theme),
            field(
                "send lag p99  ",
                format!("{:.2} ms", p.send_lag_p99_ms),
                theme,
            ),
        ]),
        right,
    );
    draw_charts(frame, charts, s, theme);
    let hint = if p.finished {
        " q: close (the report follows)"
    } else if s.stopping {
        " stopping…"
    } else {
        " q / Ctrl-C: stop the replay"
    };
    frame.render_widget(Paragraph::new(Line::styled(hint, theme.dim)), foot);
}

fn draw_charts(frame: &mut Frame, area: Rect, s: &ReplayState, theme: &Theme) {
    let [rate_area, lat_area, err_area] = if area.width >= 110 {
        Layout::horizontal([Constraint::Ratio(1, 3); 3]).areas(area)
    } else {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
        let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(bottom);
        [top, l, r]
    };
    let t_max = s.last.elapsed_s.max(1.0);
    let xs = |f: fn(&crate::live::progress::ReplayProgress) -> f64| -> Vec<(f64, f64)> {
        s.history.iter().map(|p| (p.elapsed_s, f(p))).collect()
    };
    let rate = xs(|p| p.rate_rps);
    let p50 = xs(|p| p.p50_ms);
    let p99 = xs(|p| p.p99_ms);
    let failed = xs(|p| p.failed as f64);
    let x_axis = || axis("s", [0.0, t_max], 3, |v| format!("{v:.0}"), theme);

    let block = section("Sending rate (req/s)", theme);
    let inner = block.inner(rate_area);
    frame.render_widget(block, rate_area);
    frame.render_widget(
        Chart::new(vec![Dataset::default()
            .data(&rate)
            .graph_type(GraphType::Line)
            .marker(theme.marker(0))
            .style(theme.series(0))])
        .x_axis(x_axis())
        .y_axis(y_axis(
            "",
            [0.0, upper(rate.iter().map(|p| p.1))],
            3,
            |v| format!("{v:.0}"),
            theme,
        )),
        inner,
    );

    let block = section("Latency (ms)", theme);
    let inner = block.inner(lat_area);
    frame.render_widget(block, lat_area);
    frame.render_widget(
        Chart::new(vec![
            Dataset::default()
                .name("p50")
                .data(&p50)
                .graph_type(GraphType::Line)
                .marker(theme.marker(0))
                .style(theme.series(0)),
            Dataset::default()
                .name("p99")
                .data(&p99)
                .graph_type(GraphType::Line)
                .marker(theme.marker(1))
                .style(theme.series(1)),
        ])
        .x_axis(x_axis())
        .y_axis(y_axis(
            "",
            [0.0, upper(p99.iter().chain(&p50).map(|p| p.1))],
            3,
            |v| format!("{v:.0}"),
            theme,
        )),
        inner,
    );

    let block = section("Errors (total)", theme);
    let inner = block.inner(err_area);
    frame.render_widget(block, err_area);
    frame.render_widget(
        Chart::new(vec![Dataset::default()
            .data(&failed)
            .graph_type(GraphType::Line)
            .marker(theme.marker(0))
            .style(theme.bad)])
        .x_axis(x_axis())
        .y_axis(y_axis(
            "",
            [0.0, upper(failed.iter().map(|p| p.1))],
            3,
            |v| format!("{v:.0}"),
            theme,
        )),
        inner,
    );
}
