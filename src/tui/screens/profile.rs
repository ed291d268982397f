//! The profile screen: live progress while the model is measured, then
//! what was measured: the model, the cold start as the study's five steps,
//! and warm latency by batch size and threads.

use super::widgets::{field, fit, message, section, spinner};
use crate::platform::cold_start::ColdStartPhases;
use crate::pricing::{Kind, Offer};
use crate::profile::Profile;
use crate::text::secs;
use crate::tui::state::{LiveProfile, State};
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Gauge, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

/// Draws the profile screen.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let live_h = match &state.profile.live {
        Some(l) => match &l.error {
            // The whole error, its fix included, wrapped to the width.
            Some(e) => 4 + failure_lines(e, area.width).len() as u16,
            None if !l.finished => 5 + l.notices.len().min(2) as u16,
            None => 0,
        },
        _ => 0,
    };
    let [live_area, rest] =
        Layout::vertical([Constraint::Length(live_h), Constraint::Min(0)]).areas(area);
    if let Some(live) = &state.profile.live {
        if live_h > 0 {
            draw_live(frame, live_area, live, state.tick, theme);
        }
    }
    let Some(profile) = &state.profile.profile else {
        let failed = state
            .profile
            .live
            .as_ref()
            .is_some_and(|l| l.error.is_some());
        let text = if failed {
            "No profile: fix what the error above says, then run `advisor profile` again."
        } else if state.profile.live.is_some() {
            "Cold starts are timed in fresh processes first, then warm latency over threads \
             and batch sizes. The summary appears here when they are done; the comparison \
             and the advice follow on the other screens."
        } else {
            "No profile loaded."
        };
        message(frame, rest, vec![Line::styled(text, theme.dim)]);
        return;
    };
    draw_profile(frame, rest, profile, state, theme);
}

/// The failure's lines at the width of the panel (inside its border).
fn failure_lines(e: &str, width: u16) -> Vec<String> {
    crate::report::words::wrap(&format!("failed: {e}"), width.saturating_sub(2) as usize)
}

fn draw_failure(frame: &mut Frame, area: Rect, live: &LiveProfile, e: &str, theme: &Theme) {
    let block = section(format!("Profiling {}", live.model), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines: Vec<Line> = failure_lines(e, area.width)
        .into_iter()
        .map(|l| Line::styled(l, theme.bad))
        .collect();
    lines.push(Line::styled(
        format!("nothing was saved to {}; q quits", live.out),
        theme.dim,
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_live(frame: &mut Frame, area: Rect, live: &LiveProfile, tick: u64, theme: &Theme) {
    if let Some(e) = &live.error {
        return draw_failure(frame, area, live, e, theme);
    }
    let block = section(format!("Profiling {}", live.model), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [phase, gauge, notes] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    let head = Line::from(vec![
        Span::raw(format!("{} ", spinner(tick))),
        Span::styled(live.phase.clone(), theme.accent),
    ]);
    frame.render_widget(
        Paragraph::new(vec![
            head,
            Line::styled(format!("will save to {} when done", live.out), theme.dim),
        ]),
        phase,
    );
    let ratio = if live.total == 0 {
        0.0
    } else {
        (live.done as f64 / live.total as f64).clamp(0.0, 1.0)
    };
    let eta = live
        .eta_s
        .map(|s| format!(" · about {:.0} s left", s.ceil()))
        .unwrap_or_default();
    frame.render_widget(
        Gauge::default()
            .ratio(ratio)
            .label(format!("step {}/{}{eta}", live.done, live.total))
            .gauge_style(theme.title)
            .use_unicode(true),
        gauge,
    );
    let lines: Vec<Line> = live
        .notices
        .iter()
        .rev()
        .take(2)
        .map(|n| Line::styled(format!("note: {n}"), theme.dim))
        .collect();
    frame.render_widget(Paragraph::new(lines), notes);
}

fn draw_profile(frame: &mut Frame, area: Rect, p: &Profile, state: &State, theme: &Theme) {
    let latency_rows = batches(p).len() as u16 + 2;
    let [summary, cold, latency, local] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Length(8),
        Constraint::Length(latency_rows + 1),
        Constraint::Min(0),
    ])
    .areas(area);
    draw_summary(frame, summary, p, theme);
    draw_cold(frame, cold, p, state, theme);
    draw_latency(frame, latency, p, theme);
    draw_local_cold(frame, local, p, theme);
}

fn draw_summary(frame: &mut Frame, area: Rect, p: &Profile, theme: &Theme) {
    let block = section(format!("Model: {}", p.name), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let m = &p.model;
    let mut first = format!(
        "{} · {:.1} MB · {:.2} M params · opset {}",
        m.file,
        m.size_bytes as f64 / (1024.0 * 1024.0),
        m.params as f64 / 1e6,
        m.opset
    );
    if let Some(f) = m.flops_per_item {
        first.push_str(&format!(" · {:.2} GFLOPs/item", f / 1e9));
    }
    let machine = format!(
        "{} · ONNX Runtime {} ({:.0} MB)",
        p.machine.summary(),
        p.runtime.ort_version,
        p.runtime.library_mb
    );
    let lines = vec![
        Line::raw(first),
        field("inputs   ", m.inputs.join("; "), theme),
        field("machine  ", machine, theme),
        field(
            "measured ",
            format!("{} · peak RSS {:.0} MB", p.measured_at, p.peak_rss_mb),
            theme,
        ),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

/// The serverless option whose cold start is shown and why it was chosen:
/// the advice's best when it is serverless, else its best serverless
/// option, else the cheapest serverless outcome, else the first serverless offer.
pub fn cold_start_offer(state: &State) -> Option<(Offer, f64, &'static str)> {
    let find = |id: &str| state.offers.iter().find(|o| o.id == id);
    if let Some(a) = state.advice.advice.as_deref() {
        let pick = a
            .best
            .iter()
            .chain(a.ranked.iter())
            .find(|r| r.kind == "serverless");
        if let Some(r) = pick {
            if let Some(o) = find(&r.offer) {
                let why = if a.best.as_ref().is_some_and(|b| b.id == r.id) {
                    "recommended"
                } else {
                    "best serverless"
                };
                return Some((
                    o.clone(),
                    r.variant.memory_mb.unwrap_or(o.spec.memory_mb),
                    why,
                ));
            }
        }
    }
    let cheapest = state
        .compare
        .outcomes
        .iter()
        .filter(|o| o.kind == "serverless")
        .min_by(|a, b| a.cost_usd.total_cmp(&b.cost_usd))
        .and_then(|o| find(&o.offer));
    if let Some(o) = cheapest {
        return Some((o.clone(), o.spec.memory_mb, "cheapest serverless"));
    }
    state
        .offers
        .iter()
        .find(|o| o.kind == Kind::Serverless)
        .map(|o| (o.clone(), o.spec.memory_mb, "first serverless"))
}

/// vCPUs an offer gives at a memory size.
fn vcpu_at(offer: &Offer, memory_mb: f64) -> f64 {
    match offer.spec.mb_per_vcpu {
        Some(per) if per > 0.0 => memory_mb / per,
        _ => offer.spec.vcpu,
    }
}

/// The five steps: name, seconds, how the figure was obtained.
pub fn phases(p: &Profile, offer: &Offer, memory_mb: f64) -> [(&'static str, f64, String); 5] {
    let ph = ColdStartPhases::new(p, offer, vcpu_at(offer, memory_mb));
    [
        (
            "container init",
            ph.container_init_s,
            format!(
                "modelled: platform + {:.0} MB package",
                offer.runtime.package_mb
            ),
        ),
        (
            "library import",
            ph.import_s,
            "modelled: the offer's runtime".to_string(),
        ),
        (
            "model download",
            ph.download_s,
            "modelled: size / storage bandwidth".to_string(),
        ),
        (
            "model load",
            ph.model_load_s,
            format!(
                "measured ({} here), scaled to the CPU",
                secs(p.cold_start.session_create_ms / 1e3)
            ),
        ),
        (
            "first inference",
            ph.first_inference_s,
            format!(
                "measured ({} here), scaled to the CPU",
                secs(p.cold_start.first_inference_ms / 1e3)
            ),
        ),
    ]
}

/// Fill characters of the five steps: distinct, so the bar reads without colour.
const FILLS: [&str; 5] = ["█", "▓", "▒", "░", "▚"];

/// Widths of the bar's parts: proportional, at least one cell for a step
/// that takes any time, summing to `width`.
pub fn bar_widths(values: &[f64], width: usize) -> Vec<usize> {
    let total: f64 = values.iter().sum();
    if total <= 0.0 || width == 0 {
        return vec![0; values.len()];
    }
    let mut w: Vec<usize> = values
        .iter()
        .map(|v| {
            if *v > 0.0 {
                ((v / total) * width as f64).round().max(1.0) as usize
            } else {
                0
            }
        })
        .collect();
    // Rounding may over- or undershoot: adjust the largest part.
    let sum: usize = w.iter().sum();
    if let Some((i, _)) = w.iter().enumerate().max_by_key(|(_, x)| **x) {
        if sum > width {
            w[i] = w[i].saturating_sub(sum - width);
        } else {
            w[i] += width - sum;
        }
    }
    w
}

fn draw_cold(frame: &mut Frame, area: Rect, p: &Profile, state: &State, theme: &Theme) {
    let Some((offer, memory_mb, why)) = cold_start_offer(state) else {
        let block = section("Cold start", theme);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(
            Paragraph::new(Line::styled(
                "no serverless offer to model it on",
                theme.dim,
            )),
            inner,
        );
        return;
    };
    let steps = phases(p, &offer, memory_mb);
    let total: f64 = steps.iter().map(|s| s.1).sum();
    let block = section(
        format!(
            "Cold start: {} at {:.0} MB, {} ({why})",
            crate::present::variant::service(&offer.name),
            memory_mb,
            secs(total)
        ),
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let widths = bar_widths(
        &steps.iter().map(|s| s.1).collect::<Vec<_>>(),
        inner.width as usize,
    );
    let bar: Vec<Span> = widths
        .iter()
        .enumerate()
        .map(|(i, w)| Span::styled(FILLS[i].repeat(*w), theme.series(i)))
        .collect();
    let mut lines = vec![Line::from(bar)];
    let label_w = inner.width.saturating_sub(32) as usize;
    for (i, (name, s, how)) in steps.iter().enumerate() {
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", FILLS[i]), theme.series(i)),
            Span::raw(format!("{name:<16}")),
            Span::raw(format!("{:>9}  ", secs(*s))),
            Span::styled(fit(how, label_w), theme.dim),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn batches(p: &Profile) -> Vec<u32> {
    let mut b: Vec<u32> = p.latency.iter().map(|l| l.batch).collect();
    b.sort_unstable();
    b.dedup();
    b
}

/// (device, threads) pairs measured, in order.
fn settings(p: &Profile) -> Vec<(String, u32)> {
    let mut s: Vec<(String, u32)> = p
        .latency
        .iter()
        .map(|l| (l.device.clone(), l.threads))
        .collect();
    s.sort();
    s.dedup();
    s
}

fn draw_latency(frame: &mut Frame, area: Rect, p: &Profile, theme: &Theme) {
    let block = section("Warm latency per batch (measured here; ms per run)", theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let sets = settings(p);
    if sets.is_empty() {
        frame.render_widget(Paragraph::new("no latency measured"), inner);
        return;
    }
    // Columns per setting as the width allows: p50, p95, items/s.
    let per = ((inner.width.saturating_sub(7)) / sets.len().max(1) as u16).max(1);
    let cols: &[&str] = if per >= 27 {
        &["p50", "p95", "items/s"]
    } else if per >= 18 {
        &["p50", "items/s"]
    } else {
        &["p50"]
    };
    let mut head = vec![Cell::from("batch")];
    let mut widths = vec![Constraint::Length(6)];
    for (device, threads) in &sets {
        for (j, c) in cols.iter().enumerate() {
            let title = if j == 0 {
                format!("{device} {threads}t {c}")
            } else {
                c.to_string()
            };
            head.push(Cell::from(title));
            widths.push(Constraint::Length(if j == 0 { 12 } else { 8 }));
        }
    }
    let rows: Vec<Row> = batches(p)
        .into_iter()
        .map(|b| {
            let mut cells = vec![Cell::from(b.to_string())];
            for (device, threads) in &sets {
                let pt = p.point(device, *threads, b);
                for c in cols {
                    let v = pt
                        .map(|pt| match *c {
                            "p50" => format!("{:>8.1}", pt.p50_ms),
                            "p95" => format!("{:>7.1}", pt.p95_ms),
                            _ => format!("{:>7.0}", pt.items_per_s),
                        })
                        .unwrap_or_else(|| "-".into());
                    cells.push(Cell::from(v));
                }
            }
            Row::new(cells)
        })
        .collect();
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(head).style(theme.dim))
            .column_spacing(1),
        inner,
    );
}

fn draw_local_cold(frame: &mut Frame, area: Rect, p: &Profile, theme: &Theme) {
    if area.height < 3 {
        return;
    }
    let c = &p.cold_start;
    let block = section(
        format!(
            "Cold start measured here (median of {} fresh processes)",
            c.trials
        ),
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let spread = |key: &str| {
        c.spread_ms
            .get(key)
            .map(|[lo, hi]| format!("  [{lo:.1}, {hi:.1}]"))
            .unwrap_or_default()
    };
    let mut lines = Vec::new();
    for (label, key, v) in [
        ("read model file  ", "model_read_ms", c.model_read_ms),
        ("load runtime     ", "runtime_load_ms", c.runtime_load_ms),
        (
            "create session   ",
            "session_create_ms",
            c.session_create_ms,
        ),
        (
            "first inference  ",
            "first_inference_ms",
            c.first_inference_ms,
        ),
    ] {
        lines.push(Line::from(vec![
            Span::styled(label, theme.dim),
            Span::raw(format!("{v:>8.1} ms")),
            Span::styled(spread(key), theme.dim),
        ]));
    }
    lines.push(field(
        "serving process  ",
        format!("{:>8.1} MB peak RSS", c.process_rss_mb),
        theme,
    ));
    for n in &p.notes {
        lines.push(Line::styled(format!("note: {n}"), theme.dim));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_parts_fill_the_width_and_keep_small_steps_visible() {
        let w = bar_widths(&[1.0, 0.001, 0.0, 2.0, 1.0], 40);
        assert_eq!(w.iter().sum::<usize>(), 40);
        assert_eq!(w[1], 1, "a short step still shows");
        assert_eq!(w[2], 0, "a step of no time takes no cell");
        assert!(w[3] > w[0]);
        assert_eq!(bar_widths(&[0.0, 0.0], 10), vec![0, 0]);
    }

    #[test]
    fn phases_name_measured_and_modelled_figures() {
        let p = crate::profile::bundled::get("mobilenetv2").unwrap();
        let snap = crate::pricing::builtin("current").unwrap();
        let offer = snap
            .offers
            .iter()
            .find(|o| o.kind == Kind::Serverless)
            .unwrap();
        let ph = phases(&p, offer, offer.spec.memory_mb);
        assert!(ph[..3].iter().all(|s| s.2.starts_with("modelled")));
        assert!(ph[3..].iter().all(|s| s.2.starts_with("measured")));
        assert!(ph.iter().all(|s| s.1 >= 0.0));
    }
}
