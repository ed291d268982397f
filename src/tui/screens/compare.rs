//! The comparison screen: every offer's modelled outcome in a sortable
//! table, and for the selected offer its latency, success ratio and
//! instances over the run (the study's Figure 6).

use super::widgets::{axis, fit, message, secs0, section, spinner, thin, upper, verdict_style};
use crate::advise::Constraints;
use crate::outcome::Outcome;
use crate::text::{pct, secs, usd};
use crate::tui::state::{SortKey, State};
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Chart, Dataset, GraphType, Paragraph, Row, Table, TableState};
use ratatui::Frame;

/// Draws the comparison screen.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let c = &state.compare;
    if c.outcomes.is_empty() {
        let line = match (&c.error, c.progress) {
            (Some(e), _) => Line::styled(format!("simulation failed: {e}"), theme.bad),
            (None, Some((done, total))) => Line::raw(format!(
                "{} simulating {done} of {total} offers",
                spinner(state.tick)
            )),
            _ => Line::styled("waiting for the model and the trace", theme.dim),
        };
        message(frame, area, vec![line]);
        return;
    }
    if c.detail {
        if let Some(o) = c.selected() {
            draw_detail(frame, area, o, state, theme);
            return;
        }
    }
    draw_table(frame, area, state, theme);
}

/// Whether an outcome meets the targets (latency and success; the budget
/// is per month and only the advice extrapolates to a month).
pub fn meets(o: &Outcome, c: &Constraints) -> bool {
    o.success_ratio >= c.min_success_ratio
        && c.slo_p95_s.is_none_or(|s| o.p95_latency_s <= s)
        && c.slo_avg_s.is_none_or(|s| o.avg_latency_s <= s)
}

/// The recommended offer's id, once advised.
fn best_offer(state: &State) -> Option<&str> {
    state
        .advice
        .advice
        .as_deref()
        .and_then(|a| a.best.as_ref())
        .map(|b| b.offer.as_str())
}

fn draw_table(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let c = &state.compare;
    let wide = area.width >= 100;
    let block = section(table_title(state, wide), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let cols = columns(wide);
    let fixed: u16 = cols.iter().map(|c| c.2 + 1).sum::<u16>() + 2 + if wide { 12 } else { 0 };
    let layout = Columns {
        cols,
        wide,
        offer_w: inner.width.saturating_sub(fixed).clamp(12, 40),
    };
    let (head, widths) = layout.header(c.sort);
    let best = best_offer(state);
    let rows: Vec<Row> = c
        .rows()
        .map(|o| layout.row(o, state, best, theme))
        .collect();
    let [table_area, legend] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    let mut ts = TableState::default().with_selected(Some(c.cursor));
    frame.render_stateful_widget(
        Table::new(rows, widths)
            .header(head.style(theme.dim))
            .row_highlight_style(theme.selected)
            .column_spacing(1),
        table_area,
        &mut ts,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(
            fit(
                "★ recommended  ✓ meets the targets  ✗ misses them  · Enter: detail over time",
                legend.width as usize,
            ),
            theme.dim,
        )),
        legend,
    );
}

/// The table's title; a narrow terminal drops the snapshot to keep the sort in view.
fn table_title(state: &State, wide: bool) -> String {
    let c = &state.compare;
    let arrow = if c.reversed { "↓" } else { "↑" };
    if wide {
        format!(
            "{} offers · {} · snapshot {} · sorted by {} {arrow} (o, r) · modelled",
            c.outcomes.len(),
            state.workload.name(),
            state.snapshot,
            c.sort.title()
        )
    } else {
        format!(
            "{} offers · {} · by {} {arrow} · modelled",
            c.outcomes.len(),
            state.workload.name(),
            c.sort.title()
        )
    }
}

/// The figure columns (sort key, heading, width) that fit the terminal.
fn columns(wide: bool) -> Vec<(SortKey, &'static str, u16)> {
    let mut cols: Vec<(SortKey, &'static str, u16)> = vec![
        (SortKey::Month, "per month", 10),
        (SortKey::Cost, "run cost", 9),
    ];
    if wide {
        cols.push((SortKey::Avg, "avg", 9));
    }
    cols.push((SortKey::P95, "p95", 9));
    if wide {
        cols.push((SortKey::P99, "p99", 9));
    }
    cols.extend([
        (SortKey::Success, "success", 8),
        (SortKey::ColdStarts, "cold", 5),
        (SortKey::Instances, "inst", 4),
    ]);
    cols
}

/// The table's shape, shared by its header and every row so they line up.
struct Columns {
    cols: Vec<(SortKey, &'static str, u16)>,
    wide: bool,
    offer_w: u16,
}

impl Columns {
    fn header(&self, sort: SortKey) -> (Row<'static>, Vec<Constraint>) {
        let mut head = vec![
            Cell::from(""),
            Cell::from(mark_sorted("offer", SortKey::Offer, sort)),
        ];
        let mut widths = vec![Constraint::Length(1), Constraint::Length(self.offer_w)];
        if self.wide {
            head.push(Cell::from("kind"));
            widths.push(Constraint::Length(11));
        }
        for (key, name, w) in &self.cols {
            head.push(Cell::from(format!(
                "{:>width$}",
                mark_sorted(name, *key, sort),
                width = *w as usize
            )));
            widths.push(Constraint::Length(*w));
        }
        (Row::new(head), widths)
    }

    fn row(&self, o: &Outcome, state: &State, best: Option<&str>, theme: &Theme) -> Row<'static> {
        let ok = meets(o, &state.constraints);
        let mark = if best == Some(o.offer.as_str()) {
            "★"
        } else if ok {
            "✓"
        } else {
            "✗"
        };
        let mut cells = vec![
            Cell::from(Span::styled(mark, verdict_style(ok, theme))),
            Cell::from(fit(&o.offer, self.offer_w as usize)),
        ];
        if self.wide {
            cells.push(Cell::from(o.kind.clone()));
        }
        for (key, _, w) in &self.cols {
            let w = *w as usize;
            let v = figure(*key, o, state);
            cells.push(Cell::from(format!("{v:>w$}")));
        }
        Row::new(cells)
    }
}

/// An outcome's figure in the column for `key`.
fn figure(key: SortKey, o: &Outcome, state: &State) -> String {
    match key {
        SortKey::Month => state
            .compare
            .month
            .get(&o.offer)
            .map(|m| usd(*m))
            .unwrap_or_else(|| "-".into()),
        SortKey::Cost => usd(o.cost_usd),
        SortKey::Avg => secs(o.avg_latency_s),
        SortKey::P95 => secs(o.p95_latency_s),
        SortKey::P99 => secs(o.p99_latency_s),
        SortKey::Success => pct(o.success_ratio),
        SortKey::ColdStarts => o.cold_starts.to_string(),
        SortKey::Instances => o.instances_created.to_string(),
        SortKey::Offer => String::new(),
    }
}

fn mark_sorted(name: &str, key: SortKey, sort: SortKey) -> String {
    if key == sort {
        format!("{name}*")
    } else {
        name.to_string()
    }
}

fn draw_detail(frame: &mut Frame, area: Rect, o: &Outcome, state: &State, theme: &Theme) {
    let block = section(
        format!(
            "{} ({}, modelled) · Esc: back to the table",
            o.offer, o.kind
        ),
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [summary, charts] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(inner);
    let lines = vec![
        Line::raw(format!(
            "cost {} · avg {} · p95 {} · p99 {} · success {}",
            usd(o.cost_usd),
            secs(o.avg_latency_s),
            secs(o.p95_latency_s),
            secs(o.p99_latency_s),
            pct(o.success_ratio)
        )),
        Line::styled(
            format!(
                "{} instances started, {} cold starts, peak {} alive, {:.0}% busy",
                o.instances_created,
                o.cold_starts,
                o.peak_instances,
                o.utilisation * 100.0
            ),
            theme.dim,
        ),
    ];
    frame.render_widget(Paragraph::new(lines), summary);

    let t = thin(&o.series, (charts.width as usize * 2).max(40));
    let x_max = (o.series.buckets.len() as f64 * o.series.bucket_s).max(1.0);
    let [lat, succ, inst] = Layout::vertical([
        Constraint::Percentage(40),
        Constraint::Percentage(30),
        Constraint::Percentage(30),
    ])
    .areas(charts);
    let slo = state.constraints.slo_p95_s;
    let lat_max = upper(t.latency.iter().map(|p| p.1).chain(slo));
    let slo_line: Vec<(f64, f64)> = slo.map(|s| vec![(0.0, s), (x_max, s)]).unwrap_or_default();
    let mut sets = vec![Dataset::default()
        .name("mean latency")
        .data(&t.latency)
        .graph_type(GraphType::Line)
        .marker(theme.marker(0))
        .style(theme.series(0))];
    if !slo_line.is_empty() {
        sets.push(
            Dataset::default()
                .name("p95 target")
                .data(&slo_line)
                .graph_type(GraphType::Line)
                .marker(theme.marker(1))
                .style(theme.series(4)),
        );
    }
    frame.render_widget(
        Chart::new(sets)
            .x_axis(axis("", [0.0, x_max], 5, |x| format!("{x:.0}"), theme))
            .y_axis(axis("latency", [0.0, lat_max], 2, secs0, theme)),
        lat,
    );
    let low = t.success.iter().map(|p| p.1).fold(1.0_f64, f64::min);
    let y_min = if low > 0.9 { 0.9 } else { 0.0 };
    frame.render_widget(
        Chart::new(vec![Dataset::default()
            .name("success ratio")
            .data(&t.success)
            .graph_type(GraphType::Line)
            .marker(theme.marker(0))
            .style(theme.series(3))])
        .x_axis(axis("", [0.0, x_max], 5, |x| format!("{x:.0}"), theme))
        .y_axis(axis("success", [y_min, 1.0], 2, pct, theme)),
        succ,
    );
    let inst_max = upper(t.instances.iter().map(|p| p.1));
    frame.render_widget(
        Chart::new(vec![Dataset::default()
            .name("instances alive")
            .data(&t.instances)
            .graph_type(GraphType::Line)
            .marker(theme.marker(0))
            .style(theme.series(2))])
        .x_axis(axis("t (s)", [0.0, x_max], 5, |x| format!("{x:.0}"), theme))
        .y_axis(axis(
            "inst",
            [0.0, inst_max],
            2,
            |y| format!("{y:.0}"),
            theme,
        )),
        inst,
    );
}
