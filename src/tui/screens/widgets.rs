//! Small drawing helpers the screens share: section blocks, waiting
//! messages, chart axes, and series thinned to what a chart can show.

use crate::outcome::Series;
use crate::tui::theme::Theme;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

/// Frames of the spinner shown while a job runs.
const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

/// The spinner frame for a tick.
pub fn spinner(tick: u64) -> &'static str {
    SPINNER[(tick % SPINNER.len() as u64) as usize]
}

/// A section: a rule on top carrying the title.
pub fn section<'a>(title: impl Into<String>, theme: &Theme) -> Block<'a> {
    Block::new()
        .borders(Borders::TOP)
        .border_style(theme.dim)
        .title(Span::styled(format!(" {} ", title.into()), theme.title))
}

/// A centred message in an area, e.g. "computing the advice".
pub fn message(frame: &mut Frame, area: Rect, lines: Vec<Line<'_>>) {
    let rows: u16 = lines
        .iter()
        .map(|l| wrapped_height(&l.to_string(), area.width))
        .sum();
    let h = rows.min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    let inner = Rect::new(area.x, y, area.width, h);
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        inner,
    );
}

/// The message shown while the advice is being computed, or why it is not there.
pub fn advice_pending(
    frame: &mut Frame,
    area: Rect,
    state: &crate::tui::state::State,
    theme: &Theme,
) {
    let a = &state.advice;
    let lines = if let Some(e) = &a.error {
        vec![
            Line::styled("The advice could not be computed:", theme.bad),
            Line::raw(e.clone()),
        ]
    } else if a.running {
        let secs = state.tick.saturating_sub(a.started_tick) / super::TICKS_PER_S;
        vec![
            Line::raw(format!(
                "{} Computing the advice: every offer, memory size and batch setting, simulated",
                spinner(state.tick)
            )),
            Line::styled(format!("{secs} s so far"), theme.dim),
        ]
    } else {
        vec![Line::styled(
            "The advice follows once the model and the workload are known.",
            theme.dim,
        )]
    };
    message(frame, area, lines);
}

/// An axis with `n` evenly spaced labels over `bounds`, formatted by `fmt`.
pub fn axis<'a>(
    title: &'a str,
    bounds: [f64; 2],
    n: usize,
    fmt: impl Fn(f64) -> String,
    theme: &Theme,
) -> Axis<'a> {
    let n = n.max(2);
    // The unit rides on the last label: ratatui draws an axis title inside
    // the plot, where it runs into the lines and the labels (`MB16.1 ms`).
    let labels: Vec<Span> = (0..n)
        .map(|i| {
            let x = bounds[0] + (bounds[1] - bounds[0]) * i as f64 / (n - 1) as f64;
            match (i + 1 == n, title.is_empty()) {
                (true, false) => Span::raw(format!("{} {title}", fmt(x))),
                _ => Span::raw(fmt(x)),
            }
        })
        .collect();
    Axis::default()
        .bounds(bounds)
        .labels(labels)
        .style(theme.dim)
}

/// A y axis ([`axis`]) with its labels right-aligned against the plot, so
/// that short labels sit by the axis and not by the text to their left.
pub fn y_axis<'a>(
    title: &'a str,
    bounds: [f64; 2],
    n: usize,
    fmt: impl Fn(f64) -> String,
    theme: &Theme,
) -> Axis<'a> {
    axis(title, bounds, n, fmt, theme).labels_alignment(Alignment::Right)
}

/// Seconds for an axis label: `0` at the origin rather than `0 us`.
pub fn secs0(s: f64) -> String {
    if s == 0.0 {
        "0".to_string()
    } else {
        crate::text::secs(s)
    }
}

/// Upper bound for an axis: the largest value with a little headroom, never 0.
pub fn upper(values: impl IntoIterator<Item = f64>) -> f64 {
    let max = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    if max > 0.0 {
        max * 1.1
    } else {
        1.0
    }
}

/// Bounds for an axis that need not start at zero: the values' range with
/// a margin, so that small differences (costs within 20%) stay visible.
pub fn span(values: impl IntoIterator<Item = f64>) -> [f64; 2] {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return [0.0, 1.0];
    }
    let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.02).max(1e-9);
    [(lo - pad).max(0.0), hi + pad]
}

/// Lines `text` takes wrapped at `width`.
pub fn wrapped_height(text: &str, width: u16) -> u16 {
    crate::report::words::wrap(text, width.max(1) as usize).len() as u16
}

/// A series merged into at most `max` points: mean latency weighted by
/// completions, success ratio over the merged requests, most instances.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thinned {
    /// (time s, mean latency s) where requests completed.
    pub latency: Vec<(f64, f64)>,
    /// (time s, success ratio) where requests arrived.
    pub success: Vec<(f64, f64)>,
    /// (time s, instances alive).
    pub instances: Vec<(f64, f64)>,
    /// (time s, requests per second arriving).
    pub arrivals: Vec<(f64, f64)>,
}

/// Thins a series to at most `max` points per line; a group shows the most
/// instances any of its buckets held.
pub fn thin(series: &Series, max: usize) -> Thinned {
    let n = series.buckets.len();
    let group = n.div_ceil(max.max(1)).max(1);
    let mut out = Thinned::default();
    for (g, chunk) in series.buckets.chunks(group).enumerate() {
        let t = (g * group) as f64 * series.bucket_s + chunk.len() as f64 * series.bucket_s / 2.0;
        let completions: u64 = chunk.iter().map(|b| b.completions).sum();
        let failures: u64 = chunk.iter().map(|b| b.failures).sum();
        let arrivals: u64 = chunk.iter().map(|b| b.arrivals).sum();
        let latency: f64 = chunk.iter().map(|b| b.latency_sum_s).sum();
        if completions > 0 {
            out.latency.push((t, latency / completions as f64));
        }
        if completions + failures > 0 {
            out.success
                .push((t, completions as f64 / (completions + failures) as f64));
        }
        let inst = chunk.iter().map(|b| b.instances).max().unwrap_or(0);
        out.instances.push((t, inst as f64));
        let width = chunk.len() as f64 * series.bucket_s;
        if width > 0.0 {
            out.arrivals.push((t, arrivals as f64 / width));
        }
    }
    out
}

/// A key hint: the key in the key style, then what it does.
pub fn hint<'a>(key: &'a str, what: &'a str, theme: &Theme) -> Vec<Span<'a>> {
    vec![
        Span::styled(key, theme.key),
        Span::raw(":"),
        Span::raw(what),
        Span::raw("  "),
    ]
}

/// A label and a value on one line, the label dimmed.
pub fn field<'a>(label: &'a str, value: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![Span::styled(label, theme.dim), Span::raw(value)])
}

/// `s` cut to `width` characters, with an ellipsis when cut.
pub fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else if width == 0 {
        String::new()
    } else {
        let mut out: String = s.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}

/// A style that marks what meets the targets and what does not.
pub fn verdict_style(meets: bool, theme: &Theme) -> Style {
    if meets {
        theme.good
    } else {
        theme.bad
    }
}

/// Rows a chart needs to be read: its title, six rows of plot, the x axis
/// and its labels. Screens give their text what is left above this.
pub const CHARTS_MIN_H: u16 = 9;

/// Two charts in `area`: side by side where the screen is wide enough for
/// both to stay readable, or too short for two chart heights; else one
/// above the other.
pub fn two_charts(area: Rect) -> [Rect; 2] {
    let halves = [Constraint::Percentage(50), Constraint::Percentage(50)];
    if area.width >= 110 || area.height < 2 * (CHARTS_MIN_H + 1) {
        // A gap, so the right chart's y labels do not touch the left plot.
        Layout::horizontal(halves).spacing(2).areas(area)
    } else {
        Layout::vertical(halves).areas(area)
    }
}

/// A styled line word-wrapped to `width` columns, each word keeping its style.
pub fn wrap_line(line: &Line<'_>, width: usize) -> Vec<Line<'static>> {
    // (word, style, whether a space comes before it)
    let mut words: Vec<(String, Style, bool)> = Vec::new();
    let mut gap = false;
    for span in &line.spans {
        let style = line.style.patch(span.style);
        let (mut word, mut word_gap) = (String::new(), false);
        for ch in span.content.chars() {
            if ch == ' ' {
                if !word.is_empty() {
                    words.push((std::mem::take(&mut word), style, word_gap));
                }
                gap = true;
            } else {
                if word.is_empty() {
                    word_gap = gap;
                    gap = false;
                }
                word.push(ch);
            }
        }
        if !word.is_empty() {
            words.push((word, style, word_gap));
        }
    }
    let width = width.max(1);
    let mut out = Vec::new();
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for (word, style, gap) in words {
        let len = word.chars().count();
        if used > 0 && used + usize::from(gap) + len > width {
            out.push(Line::from(std::mem::take(&mut spans)));
            used = 0;
        }
        if used > 0 && gap {
            spans.push(Span::raw(" "));
            used += 1;
        }
        spans.push(Span::styled(word, style));
        used += len;
    }
    if !spans.is_empty() || out.is_empty() {
        out.push(Line::from(spans));
    }
    out
}

/// `lines` wrapped to `width` in at most `rows` rows: what does not fit is
/// left out, the last row shown ending in `…`, so a short screen keeps room
/// for its charts (the full text is on the Recommendation screen).
pub fn collapse(lines: Vec<Line<'_>>, width: u16, rows: u16) -> Vec<Line<'static>> {
    let width = width.max(2) as usize;
    let mut all: Vec<Line<'static>> = lines.iter().flat_map(|l| wrap_line(l, width)).collect();
    let rows = rows.max(1) as usize;
    if all.len() > rows {
        all.truncate(rows);
        if let Some(last) = all.last_mut() {
            let text = last.to_string();
            let mut keep: String = text.chars().take(width - 1).collect();
            keep = keep.trim_end().to_string();
            *last = Line::from(vec![Span::raw(keep), Span::raw("…")]);
        }
    }
    all
}

/// How a marker looks in a legend: two of its points (`••`, `⣀⣀`, `++`),
/// or one block for a single marked point.
pub fn marker_glyphs(m: Marker) -> String {
    match m {
        Marker::Dot => "••".to_string(),
        Marker::Block => "█".to_string(),
        Marker::Bar => "▄▄".to_string(),
        Marker::Custom(c) => format!("{c}{c}"),
        _ => "⣀⣀".to_string(),
    }
}

/// A legend in one or more lines under a chart: each line's mark in its
/// style, then its name; wrapped to `width`. ratatui's own legend hides
/// itself when it outgrows a quarter of the chart, or covers the plot.
pub fn legend_lines(items: &[(String, Style, Marker)], width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for (name, style, marker) in items {
        let mark = marker_glyphs(*marker);
        let len = mark.chars().count() + 1 + name.chars().count() + 2;
        if used > 0 && used + len > width {
            lines.push(Line::from(std::mem::take(&mut spans)));
            used = 0;
        }
        spans.push(Span::styled(mark, *style));
        spans.push(Span::raw(format!(" {name}  ")));
        used += len;
    }
    if !spans.is_empty() {
        lines.push(Line::from(spans));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Bucket;

    #[test]
    fn thinning_keeps_totals_and_weights_latency_by_completions() {
        let b = |completions, failures, lat, inst| Bucket {
            arrivals: completions + failures,
            completions,
            failures,
            latency_sum_s: lat,
            instances: inst,
            started: 0,
        };
        let s = Series {
            bucket_s: 1.0,
            buckets: vec![b(1, 0, 1.0, 1), b(3, 1, 9.0, 4), b(0, 0, 0.0, 2)],
        };
        let t = thin(&s, 2);
        // Two groups: buckets 0-1 and bucket 2.
        assert_eq!(t.latency, vec![(1.0, 2.5)]);
        assert_eq!(t.success, vec![(1.0, 0.8)]);
        assert_eq!(t.instances, vec![(1.0, 4.0), (2.5, 2.0)]);
        assert_eq!(t.arrivals, vec![(1.0, 2.5), (2.5, 0.0)]);
        assert_eq!(thin(&s, 10).latency.len(), 2);
        assert_eq!(thin(&s, 10).instances[2].1, 2.0);
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(upper([0.0]), 1.0);
        let [lo, hi] = span([80.0, 100.0]);
        assert!(lo > 70.0 && lo < 80.0 && hi > 100.0, "{lo} {hi}");
        assert_eq!(span([f64::NAN]), [0.0, 1.0]);
        assert_eq!(wrapped_height("aa bb cc", 5), 2);
        assert!((upper([2.0, f64::NAN]) - 2.2).abs() < 1e-12);
    }

    #[test]
    fn wrapping_keeps_styles_and_collapsing_ends_in_an_ellipsis() {
        let bold = Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        let line = Line::from(vec![
            Span::styled("◆ chosen: ", bold),
            Span::raw("aa bb cc dd"),
        ]);
        let rows = wrap_line(&line, 12);
        let text: Vec<String> = rows.iter().map(|l| l.to_string()).collect();
        assert_eq!(text, ["◆ chosen: aa", "bb cc dd"]);
        assert_eq!(rows[0].spans[0].style, bold);
        assert_eq!(rows[1].spans[0].style, Style::new());
        let short = collapse(vec![line.clone(), Line::raw("ee ff")], 12, 2);
        assert_eq!(short.len(), 2);
        assert!(short[1].to_string().ends_with('…'), "{}", short[1]);
        assert_eq!(collapse(vec![line], 40, 3).len(), 1);
    }
}
