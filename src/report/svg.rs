//! Small SVG charts written by hand: lines and points on linear or log
//! axes, highlighted points with labels, guide lines, a legend.
//!
//! Hand-written rather than drawn with a chart crate so that every string
//! that reaches the file passes through [`esc`] and the output stays a few
//! kilobytes of plain, inspectable markup.

use std::fmt::Write;

/// Colours of the series, readable on white and in grey scale by their dash.
const PALETTE: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#7f7f7f",
];

/// Escapes text for HTML and SVG: `& < > " '`.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One axis.
#[derive(Debug, Clone)]
pub struct Axis {
    /// Its title, with the unit.
    pub label: String,
    /// Logarithmic (base 10).
    pub log: bool,
    /// Start a linear axis at zero whatever the data (counts, latencies);
    /// off for costs, where zero would flatten a difference of a few percent.
    pub zero: bool,
    /// Ticks at the data's own values (batch sizes) instead of round steps.
    pub at_data: bool,
    /// Whole numbers only (counts): a tick at 1.5 instances would be
    /// written "2" beside the tick at 2.
    pub whole: bool,
    /// How tick values are written.
    pub fmt: fn(f64) -> String,
}

impl Axis {
    /// A linear axis from zero.
    pub fn linear(label: &str, fmt: fn(f64) -> String) -> Axis {
        Axis {
            label: label.to_string(),
            log: false,
            zero: true,
            at_data: false,
            whole: false,
            fmt,
        }
    }

    /// A linear axis from zero of whole numbers (instances).
    pub fn count(label: &str) -> Axis {
        Axis {
            whole: true,
            ..Axis::linear(label, |v| format!("{v:.0}"))
        }
    }

    /// A linear axis fitted to the data, not from zero.
    pub fn fitted(label: &str, fmt: fn(f64) -> String) -> Axis {
        Axis {
            zero: false,
            ..Axis::linear(label, fmt)
        }
    }

    /// The same axis with ticks at the data's values.
    pub fn ticks_at_data(self) -> Axis {
        Axis {
            at_data: true,
            ..self
        }
    }

    /// A base-10 logarithmic axis.
    pub fn log(label: &str, fmt: fn(f64) -> String) -> Axis {
        Axis {
            label: label.to_string(),
            log: true,
            zero: false,
            at_data: false,
            whole: false,
            fmt,
        }
    }
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Draw {
    /// A polyline.
    Line,
    /// Dots only.
    Points,
    /// A polyline with a dot at each point.
    LinePoints,
}

/// One series.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// (x, y) in data units.
    pub points: Vec<(f64, f64)>,
    /// How it is drawn.
    pub draw: Draw,
    /// Palette index.
    pub color: usize,
    /// Dashed line.
    pub dashed: bool,
}

impl Series {
    /// A solid line in palette colour `color`.
    pub fn line(name: impl Into<String>, points: Vec<(f64, f64)>, color: usize) -> Series {
        Series {
            name: name.into(),
            points,
            draw: Draw::Line,
            color,
            dashed: false,
        }
    }
}

/// A highlighted point with a label (the recommended option).
#[derive(Debug, Clone)]
pub struct Mark {
    /// x in data units.
    pub x: f64,
    /// y in data units.
    pub y: f64,
    /// The label.
    pub label: String,
}

/// A vertical or horizontal guide line with a label.
#[derive(Debug, Clone)]
pub struct Guide {
    /// Position in data units.
    pub at: f64,
    /// The label.
    pub label: String,
}

/// A chart.
#[derive(Debug, Clone)]
pub struct Plot {
    /// Title above the chart.
    pub title: String,
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
    /// The series.
    pub series: Vec<Series>,
    /// Highlighted points.
    pub marks: Vec<Mark>,
    /// Vertical guides.
    pub vguides: Vec<Guide>,
    /// Horizontal guides.
    pub hguides: Vec<Guide>,
}

const W: f64 = 960.0;
/// Height of the plot area and its axes, without the legend below.
const H: f64 = 300.0;
const LEFT: f64 = 74.0;
const RIGHT: f64 = 24.0;
/// Room above the frame for the title, then a row for guide labels.
const TOP: f64 = 44.0;
const BOTTOM: f64 = 46.0;
/// One legend row's height below the chart.
const LEGEND_H: f64 = 18.0;
/// Width of one character of legend text (11 px sans-serif), with room to spare.
const LEGEND_CHAR_W: f64 = 6.4;
/// Width of a legend entry's line or dot and the gap before its name.
const LEGEND_KEY_W: f64 = 40.0;

/// Data -> pixels on one axis.
struct Scale {
    lo: f64,
    hi: f64,
    log: bool,
    from: f64,
    to: f64,
}

impl Scale {
    fn t(&self, v: f64) -> f64 {
        if self.log {
            v.max(f64::MIN_POSITIVE).log10()
        } else {
            v
        }
    }

    fn px(&self, v: f64) -> f64 {
        let (lo, hi) = (self.t(self.lo), self.t(self.hi));
        let f = if hi > lo {
            (self.t(v) - lo) / (hi - lo)
        } else {
            0.5
        };
        self.from + f * (self.to - self.from)
    }
}

/// Range of an axis over values: fitted to the data, with `pad` (a share
/// of the span) of room at both ends; a `zero` axis starts at zero.
fn range(values: &[f64], axis: &Axis, pad: f64) -> (f64, f64) {
    let vals: Vec<f64> = values
        .iter()
        .copied()
        .filter(|v| v.is_finite() && (!axis.log || *v > 0.0))
        .collect();
    if vals.is_empty() {
        return if axis.log { (1.0, 10.0) } else { (0.0, 1.0) };
    }
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if axis.log {
        let (a, b) = (lo.log10(), hi.log10());
        let span = (b - a).max(0.3);
        let mid = (a + b) / 2.0;
        let (a, b) = (mid - span * (0.5 + pad), mid + span * (0.5 + pad));
        (10f64.powf(a), 10f64.powf(b))
    } else {
        let lo = if axis.zero { lo.min(0.0) } else { lo };
        let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
        let lo = if axis.zero && lo == 0.0 {
            0.0
        } else {
            lo - span * pad
        };
        (lo, hi + span * pad)
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let k = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    k * p
}

/// Tick values between `lo` and `hi`: powers of ten (and 2 and 5 times
/// them over a short range) on a log axis, round steps on a linear one.
fn ticks(lo: f64, hi: f64, log: bool) -> Vec<f64> {
    let inside = |v: &f64| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9);
    if log {
        let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
        let decades: Vec<f64> = (a..=b).map(|e| 10f64.powi(e)).filter(inside).collect();
        if decades.len() >= 3 {
            return decades;
        }
        let mut out: Vec<f64> = (a..=b)
            .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
            .filter(inside)
            .collect();
        out.sort_by(f64::total_cmp);
        out
    } else {
        let step = nice_step((hi - lo) / 5.0);
        let mut out = Vec::new();
        let mut v = (lo / step).ceil() * step;
        while v <= hi + step * 1e-9 {
            out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
            v += step;
        }
        out
    }
}

/// The ticks of an axis: its own values when it asks for them and they are
/// few, else round ones.
fn axis_ticks(axis: &Axis, sc: &Scale, data: &[f64]) -> Vec<f64> {
    if axis.at_data {
        let mut v: Vec<f64> = data.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        if !v.is_empty() && v.len() <= 12 {
            return v;
        }
    }
    let t = ticks(sc.lo, sc.hi, axis.log);
    if !axis.whole {
        return t;
    }
    let whole: Vec<f64> = t.iter().copied().filter(|v| v.fract() == 0.0).collect();
    if whole.len() >= 2 {
        return whole;
    }
    let (a, b) = (sc.lo.ceil() as i64, sc.hi.floor() as i64);
    (a..=b).map(|v| v as f64).collect()
}

fn fmt_px(v: f64) -> String {
    format!("{v:.1}")
}

impl Plot {
    /// A plot with a title and axes and nothing in it yet.
    pub fn new(title: impl Into<String>, x: Axis, y: Axis) -> Plot {
        Plot {
            title: title.into(),
            x,
            y,
            series: Vec::new(),
            marks: Vec::new(),
            vguides: Vec::new(),
            hguides: Vec::new(),
        }
    }

    /// The chart as an `<svg>` element.
    pub fn svg(&self) -> String {
        let f = self.frame();
        let mut s = String::new();
        self.header(&mut s);
        self.grid(&mut s, &f);
        self.axes(&mut s);
        self.guides(&mut s, &f);
        self.series_lines(&mut s, &f);
        self.marks_svg(&mut s, &f);
        self.legend(&mut s);
        s.push_str("</svg>");
        s
    }

    /// The data ranges and their pixel scales, fitted to everything drawn so
    /// that guides and marks stay on the chart too.
    fn frame(&self) -> Frame {
        let xs: Vec<f64> = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .chain(self.marks.iter().map(|m| m.x))
            .chain(self.vguides.iter().map(|g| g.at))
            .collect();
        let ys: Vec<f64> = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .chain(self.marks.iter().map(|m| m.y))
            .chain(self.hguides.iter().map(|g| g.at))
            .collect();
        // The x axis ends where the data end; the y axis leaves a little
        // room so the highest and lowest points do not sit on the frame.
        let (x0, x1) = range(&xs, &self.x, 0.0);
        let (y0, y1) = range(&ys, &self.y, 0.06);
        Frame {
            sx: Scale {
                lo: x0,
                hi: x1,
                log: self.x.log,
                from: LEFT,
                to: W - RIGHT,
            },
            sy: Scale {
                lo: y0,
                hi: y1,
                log: self.y.log,
                from: H - BOTTOM,
                to: TOP,
            },
        }
    }

    /// Whether a point can be placed: log axes have no room for zero or less.
    fn inside(&self, x: f64, y: f64) -> bool {
        x.is_finite() && y.is_finite() && (!self.x.log || x > 0.0) && (!self.y.log || y > 0.0)
    }

    /// Legend entries: every named series.
    fn named(&self) -> impl Iterator<Item = &Series> {
        self.series.iter().filter(|s| !s.name.is_empty())
    }

    /// The legend's column width and columns per row: as wide as its
    /// longest name, so no name is cut.
    fn legend_columns(&self) -> (f64, usize) {
        let longest = self
            .named()
            .map(|s| s.name.chars().count())
            .max()
            .unwrap_or(0);
        let w = (longest as f64 * LEGEND_CHAR_W + LEGEND_KEY_W).min(W - LEFT);
        (w, ((W - LEFT) / w).floor().max(1.0) as usize)
    }

    /// The whole height: the plot, then the legend's rows below it.
    fn height(&self) -> f64 {
        let (_, per_row) = self.legend_columns();
        let rows = self.named().count().div_ceil(per_row);
        H + rows as f64 * LEGEND_H + if rows > 0 { 8.0 } else { 0.0 }
    }

    fn header(&self, s: &mut String) {
        let h = self.height();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {W} {h}" width="{W}" height="{h}" role="img" aria-label="{t}"><title>{t}</title>"#,
            t = esc(&self.title)
        );
        let _ = write!(
            s,
            r#"<text x="{}" y="18" class="title">{}</text>"#,
            LEFT,
            esc(&self.title)
        );
    }

    fn grid(&self, s: &mut String, f: &Frame) {
        let label = |axis: &Axis, v: f64| {
            if v == 0.0 {
                "0".to_string()
            } else {
                (axis.fmt)(v)
            }
        };
        let xs: Vec<f64> = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .collect();
        let mut xt = axis_ticks(&self.x, &f.sx, &xs);
        // A linear x axis ends where the data end: label that end too
        // unless a round tick is close to it.
        if let (false, Some(&last), Some(&prev)) = (self.x.log, xt.last(), xt.iter().rev().nth(1)) {
            if f.sx.hi - last > (last - prev) * 0.35 {
                xt.push(f.sx.hi);
            }
        }
        for v in xt {
            let x = fmt_px(f.sx.px(v));
            let _ = write!(
                s,
                r#"<line class="grid" x1="{x}" y1="{}" x2="{x}" y2="{}"/><text class="tick" x="{x}" y="{}" text-anchor="middle">{}</text>"#,
                TOP,
                H - BOTTOM,
                H - BOTTOM + 16.0,
                esc(&label(&self.x, v))
            );
        }
        for v in axis_ticks(&self.y, &f.sy, &[]) {
            let y = fmt_px(f.sy.px(v));
            let _ = write!(
                s,
                r#"<line class="grid" x1="{}" y1="{y}" x2="{}" y2="{y}"/><text class="tick" x="{}" y="{y}" dy="4" text-anchor="end">{}</text>"#,
                LEFT,
                W - RIGHT,
                LEFT - 6.0,
                esc(&label(&self.y, v))
            );
        }
    }

    fn axes(&self, s: &mut String) {
        let _ = write!(
            s,
            r#"<rect class="frame" x="{LEFT}" y="{TOP}" width="{}" height="{}"/>"#,
            W - RIGHT - LEFT,
            H - BOTTOM - TOP
        );
        let _ = write!(
            s,
            r#"<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            fmt_px((LEFT + W - RIGHT) / 2.0),
            H - 8.0,
            esc(&self.x.label)
        );
        let _ = write!(
            s,
            r#"<text class="axis" transform="translate(14 {}) rotate(-90)" text-anchor="middle">{}</text>"#,
            fmt_px((TOP + H - BOTTOM) / 2.0),
            esc(&self.y.label)
        );
    }

    fn guides(&self, s: &mut String, f: &Frame) {
        for g in &self.vguides {
            if !self.inside(g.at, f.sy.hi) {
                continue;
            }
            let px = f.sx.px(g.at);
            let x = fmt_px(px);
            // Above the frame, in a row of its own, so a guide's label never
            // lies over the data or a highlighted point's label.
            let anchor = label_anchor(px, 0.0);
            let _ = write!(
                s,
                r#"<line class="guide" x1="{x}" y1="{}" x2="{x}" y2="{}"/><text class="note" x="{x}" y="{}" {anchor}>{}</text>"#,
                TOP - 4.0,
                H - BOTTOM,
                TOP - 7.0,
                esc(&g.label)
            );
        }
        for g in &self.hguides {
            if !self.inside(f.sx.hi, g.at) {
                continue;
            }
            let y = fmt_px(f.sy.px(g.at));
            let _ = write!(
                s,
                r#"<line class="guide" x1="{LEFT}" y1="{y}" x2="{}" y2="{y}"/><text class="note" x="{}" y="{y}" dy="-3" text-anchor="end">{}</text>"#,
                W - RIGHT,
                W - RIGHT - 3.0,
                esc(&g.label)
            );
        }
    }

    fn series_lines(&self, s: &mut String, f: &Frame) {
        for ser in &self.series {
            let color = PALETTE[ser.color % PALETTE.len()];
            let pts: Vec<(f64, f64)> = ser
                .points
                .iter()
                .copied()
                .filter(|&(x, y)| self.inside(x, y))
                .map(|(x, y)| (f.sx.px(x), f.sy.px(y)))
                .collect();
            if matches!(ser.draw, Draw::Line | Draw::LinePoints) && pts.len() > 1 {
                let path: Vec<String> = pts
                    .iter()
                    .map(|(x, y)| format!("{},{}", fmt_px(*x), fmt_px(*y)))
                    .collect();
                let _ = write!(
                    s,
                    r#"<polyline class="series" fill="none" stroke="{color}"{} points="{}"><title>{}</title></polyline>"#,
                    dash(ser),
                    path.join(" "),
                    esc(&ser.name)
                );
            }
            // A lone point has no line to show it, so it gets a dot whatever
            // the series asked for.
            if matches!(ser.draw, Draw::Points | Draw::LinePoints) || pts.len() == 1 {
                for (x, y) in &pts {
                    let _ = write!(
                        s,
                        r#"<circle cx="{}" cy="{}" r="3" fill="{color}"/>"#,
                        fmt_px(*x),
                        fmt_px(*y)
                    );
                }
            }
        }
    }

    fn marks_svg(&self, s: &mut String, f: &Frame) {
        for m in &self.marks {
            if !self.inside(m.x, m.y) {
                continue;
            }
            let (px, py) = (f.sx.px(m.x), f.sy.px(m.y));
            let (x, y) = (fmt_px(px), fmt_px(py));
            let _ = write!(s, r#"<g class="mark"><circle cx="{x}" cy="{y}" r="6"/>"#);
            if !m.label.is_empty() {
                let anchor = label_anchor(px, 9.0);
                // Near the top of the frame the label goes below the point.
                let dy = if py < TOP + 20.0 { 18 } else { -8 };
                let _ = write!(
                    s,
                    r#"<text x="{x}" y="{y}" {anchor} dy="{dy}">{}</text>"#,
                    esc(&m.label)
                );
            }
            s.push_str("</g>");
        }
    }

    /// The legend below the plot, in columns, every named series with its
    /// colour and dash.
    fn legend(&self, s: &mut String) {
        let (col_w, per_row) = self.legend_columns();
        for (i, ser) in self.named().enumerate() {
            let color = PALETTE[ser.color % PALETTE.len()];
            let x = LEFT + (i % per_row) as f64 * col_w;
            let ly = H + 4.0 + (i / per_row) as f64 * LEGEND_H;
            let mark = if ser.draw == Draw::Points {
                format!(
                    r#"<circle cx="{}" cy="{ly}" r="3" fill="{color}"/>"#,
                    x + 10.0
                )
            } else {
                format!(
                    r#"<line x1="{x}" y1="{ly}" x2="{}" y2="{ly}" stroke="{color}" stroke-width="2"{}/>"#,
                    x + 20.0,
                    dash(ser)
                )
            };
            let _ = write!(
                s,
                r#"{mark}<text class="legend" x="{}" y="{ly}" dy="4">{}</text>"#,
                x + 26.0,
                esc(&ser.name)
            );
        }
    }
}

/// The data-to-pixel scales of one chart.
struct Frame {
    sx: Scale,
    sy: Scale,
}

/// The stroke attribute that draws a dashed series, empty for a solid one.
fn dash(ser: &Series) -> &'static str {
    if ser.dashed {
        r#" stroke-dasharray="6 4""#
    } else {
        ""
    }
}

/// Where a label beside the point at `px` goes: to its right in the left
/// half of the plot, to its left (right-aligned) in the right half, so it
/// stays inside the plot whatever its length.
fn label_anchor(px: f64, gap: f64) -> String {
    if px > LEFT + (W - RIGHT - LEFT) / 2.0 {
        format!(r#"dx="-{gap}" text-anchor="end""#)
    } else {
        format!(r#"dx="{gap}""#)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Instances up to 2 tick at 0, 1 and 2, not at halves written "0" and "2".
    #[test]
    fn a_count_axis_ticks_whole_numbers() {
        let sc = Scale {
            lo: 0.0,
            hi: 2.2,
            log: false,
            from: 0.0,
            to: 100.0,
        };
        assert_eq!(
            axis_ticks(&Axis::count("instances"), &sc, &[]),
            vec![0.0, 1.0, 2.0]
        );
        let plain = axis_ticks(&Axis::linear("x", |v| format!("{v}")), &sc, &[]);
        assert!(plain.iter().any(|v| v.fract() != 0.0), "{plain:?}");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }

    #[test]
    fn ranges_and_ticks_are_round() {
        // Axes end where the data end: a 250 s trace is not drawn to 300 s.
        let lin = Axis::linear("x", |v| format!("{v}"));
        assert_eq!(range(&[0.3, 249.5], &lin, 0.0), (0.0, 249.5));
        assert_eq!(ticks(0.0, 10.0, false), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(0.0, 249.5, false).last(), Some(&200.0));
        // A cost axis keeps a 6% difference visible instead of starting at $0.
        let cost = Axis::fitted("y", |v| format!("{v}"));
        let (lo, hi) = range(&[68.8, 72.1], &cost, 0.06);
        assert!(
            lo > 68.0 && lo < 68.8 && hi > 72.1 && hi < 73.0,
            "{lo} {hi}"
        );
        let log = Axis::log("x", |v| format!("{v}"));
        let (lo, hi) = range(&[1.0, 32.0, -1.0], &log, 0.0);
        assert!(
            (lo - 1.0).abs() < 1e-9 && (hi - 32.0).abs() < 1e-9,
            "{lo} {hi}"
        );
        assert_eq!(ticks(0.01, 100.0, true).len(), 5);
        assert_eq!(ticks(1.0, 32.0, true), vec![1.0, 2.0, 5.0, 10.0, 20.0]);
        assert_eq!(nice_step(0.37), 0.5);
    }

    #[test]
    fn the_svg_names_its_series_and_marks_and_escapes_them() {
        let mut p = Plot::new(
            "t <1>",
            Axis::linear("x", |v| format!("{v:.0}")),
            Axis::log("y", |v| format!("{v}")),
        );
        p.series
            .push(Series::line("a&b", vec![(0.0, 1.0), (1.0, 10.0)], 0));
        p.marks.push(Mark {
            x: 1.0,
            y: 10.0,
            label: "<best>".into(),
        });
        let svg = p.svg();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("t &lt;1&gt;"));
        assert!(svg.contains("a&amp;b"));
        assert!(svg.contains("&lt;best&gt;"));
        assert!(!svg.contains("<best>"));
        assert_eq!(svg.matches("<polyline").count(), 1);
    }

    #[test]
    fn labels_on_the_right_turn_inward() {
        let mut p = Plot::new(
            "t",
            Axis::linear("x", |v| format!("{v:.0}")),
            Axis::linear("y", |v| format!("{v:.0}")),
        );
        p.series
            .push(Series::line("s", vec![(0.0, 0.0), (10.0, 10.0)], 0));
        for (x, label) in [(1.0, "left one"), (9.5, "right one")] {
            p.marks.push(Mark {
                x,
                y: 5.0,
                label: label.into(),
            });
        }
        let svg = p.svg();
        let tag = |label: &str| {
            let end = svg.find(&format!(">{label}</text>")).unwrap();
            svg[svg[..end].rfind("<text").unwrap()..end].to_string()
        };
        assert!(!tag("left one").contains("text-anchor"), "{svg}");
        assert!(tag("right one").contains(r#"text-anchor="end""#), "{svg}");
    }
}
