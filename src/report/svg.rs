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
    /// Start a linear axis at zero whatever the data.
    pub zero: bool,
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
            fmt,
        }
    }

    /// A base-10 logarithmic axis.
    pub fn log(label: &str, fmt: fn(f64) -> String) -> Axis {
        Axis {
            label: label.to_string(),
            log: true,
            zero: false,
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

const W: f64 = 760.0;
const H: f64 = 300.0;
const LEFT: f64 = 74.0;
const RIGHT: f64 = 210.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 46.0;

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

/// Range of an axis over values, widened to whole decades (log) or nice steps.
fn range(values: &[f64], axis: &Axis) -> (f64, f64) {
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
        let (a, b) = (lo.log10().floor(), hi.log10().ceil());
        let b = if b <= a { a + 1.0 } else { b };
        (10f64.powf(a), 10f64.powf(b))
    } else {
        let lo = if axis.zero { lo.min(0.0) } else { lo };
        let hi = if hi <= lo { lo + 1.0 } else { hi };
        let step = nice_step((hi - lo) / 5.0);
        ((lo / step).floor() * step, (hi / step).ceil() * step)
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

/// Tick values between `lo` and `hi`.
fn ticks(lo: f64, hi: f64, log: bool) -> Vec<f64> {
    if log {
        let (a, b) = (lo.log10().round() as i32, hi.log10().round() as i32);
        let mut out: Vec<f64> = (a..=b).map(|e| 10f64.powi(e)).collect();
        if b - a <= 1 {
            for e in a..b {
                for m in [2.0, 5.0] {
                    out.push(m * 10f64.powi(e));
                }
            }
            out.sort_by(f64::total_cmp);
        }
        out
    } else {
        let step = nice_step((hi - lo) / 5.0);
        let mut out = Vec::new();
        let mut v = lo;
        while v <= hi + step * 1e-9 {
            out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
            v += step;
        }
        out
    }
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
        let (x0, x1) = range(&xs, &self.x);
        let (y0, y1) = range(&ys, &self.y);
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

    fn header(&self, s: &mut String) {
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{t}"><title>{t}</title>"#,
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
        for v in ticks(f.sx.lo, f.sx.hi, self.x.log) {
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
        for v in ticks(f.sy.lo, f.sy.hi, self.y.log) {
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
            // A label near the right edge would run into the legend: put it
            // on the guide's left instead.
            let anchor = label_anchor(px, 3.0);
            let _ = write!(
                s,
                r#"<line class="guide" x1="{x}" y1="{TOP}" x2="{x}" y2="{}"/><text class="note" x="{x}" y="{}" {anchor}>{}</text>"#,
                H - BOTTOM,
                TOP + 12.0,
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
            let px = f.sx.px(m.x);
            let (x, y) = (fmt_px(px), fmt_px(f.sy.px(m.y)));
            let _ = write!(s, r#"<g class="mark"><circle cx="{x}" cy="{y}" r="6"/>"#);
            if !m.label.is_empty() {
                let anchor = label_anchor(px, 9.0);
                let _ = write!(
                    s,
                    r#"<text x="{x}" y="{y}" {anchor} dy="-8">{}</text>"#,
                    esc(&m.label)
                );
            }
            s.push_str("</g>");
        }
    }

    fn legend(&self, s: &mut String) {
        let mut ly = TOP + 6.0;
        for ser in self.series.iter().filter(|s| !s.name.is_empty()) {
            let color = PALETTE[ser.color % PALETTE.len()];
            let name: String = ser.name.chars().take(28).collect();
            let _ = write!(
                s,
                r#"<line x1="{}" y1="{ly}" x2="{}" y2="{ly}" stroke="{color}" stroke-width="2"{}/><text class="legend" x="{}" y="{ly}" dy="4">{}</text>"#,
                W - RIGHT + 12.0,
                W - RIGHT + 32.0,
                dash(ser),
                W - RIGHT + 38.0,
                esc(&name)
            );
            ly += 18.0;
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

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }

    #[test]
    fn ranges_and_ticks_are_round() {
        let lin = Axis::linear("x", |v| format!("{v}"));
        assert_eq!(range(&[0.3, 9.2], &lin), (0.0, 10.0));
        assert_eq!(ticks(0.0, 10.0, false), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let log = Axis::log("x", |v| format!("{v}"));
        assert_eq!(range(&[0.05, 30.0, -1.0], &log), (0.01, 100.0));
        assert_eq!(ticks(0.01, 100.0, true).len(), 5);
        assert_eq!(ticks(1.0, 10.0, true), vec![1.0, 2.0, 5.0, 10.0]);
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
