//! The comparison screen: every offer's modelled outcome in a sortable
//! table, and for the selected offer its latency, success ratio and
//! instances over the run (the study's Figure 6).

use super::widgets::{
    axis, fit, legend_lines, message, secs0, section, spinner, thin, upper, verdict_style, y_axis,
};
use crate::advise::Constraints;
use crate::outcome::Outcome;
use crate::present::wrap;
use crate::text::{pct, secs, usd};
use crate::tui::state::{Row, SortKey, State};
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Cell, Chart, Dataset, GraphType, Paragraph, Row as TableRow, Table, TableState,
};
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

/// Whether a row meets the targets (latency and success; the budget
/// is per month and only the advice extrapolates to a month).
pub fn meets(r: &Row, c: &Constraints) -> bool {
    r.success >= c.min_success_ratio
        && c.slo_p95_s.is_none_or(|s| r.p95_s <= s)
        && c.slo_avg_s.is_none_or(|s| r.avg_s <= s)
}

/// The recommended option's id, once advised.
fn best_option(state: &State) -> Option<&str> {
    state
        .advice
        .advice
        .as_deref()
        .and_then(|a| a.best.as_ref())
        .map(|b| b.id.as_str())
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
        reversed: c.reversed,
    };
    let (head, widths) = layout.header(c.sort);
    let targets = state.targets();
    let best = best_option(state);
    let rows: Vec<TableRow> = c
        .rows()
        .map(|r| layout.row(r, &targets, best, theme))
        .collect();
    let notes = legend(state, best, inner.width as usize);
    let [table_area, legend_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(notes.len() as u16)]).areas(inner);
    let mut ts = TableState::default().with_selected(Some(c.cursor));
    frame.render_stateful_widget(
        Table::new(rows, widths)
            .header(head.style(theme.dim))
            .row_highlight_style(theme.selected)
            .column_spacing(1),
        table_area,
        &mut ts,
    );
    let lines: Vec<Line> = notes
        .into_iter()
        .map(|n| Line::styled(n, theme.dim))
        .collect();
    frame.render_widget(Paragraph::new(lines), legend_area);
}

/// The legend under the table: the marks, the keys, and why a mean can sit
/// above the p95 when rows show that.
fn legend(state: &State, best: Option<&str>, width: usize) -> Vec<String> {
    let c = &state.compare;
    let mut lines = Vec::new();
    let star = if best.is_some() {
        "★ recommended  "
    } else {
        ""
    };
    let keys = if c.show_options {
        "v: the offers as configured · o/r: sort"
    } else {
        "Enter: detail over time · v: every option advised · o/r: sort"
    };
    lines.extend(wrap(
        &format!("{star}✓ meets the targets  ✗ misses them · {keys}"),
        width,
    ));
    if let Some(r) = c.table.get(c.cursor) {
        lines.extend(wrap(&format!("▸ {}", full_name(state, r)), width));
    }
    // The mean is a column only on a wide screen.
    if width >= 100 && c.rows().any(|r| r.avg_s > r.p95_s) {
        lines.extend(wrap(
            "avg above p95: fewer than 5% of requests wait seconds for a cold start, which raises \
             the mean but not the p95",
            width,
        ));
    }
    lines
}

/// A row's option in words: an offer as configured by its catalogue name.
fn full_name(state: &State, r: &Row) -> String {
    if r.outcome.is_some() {
        if let Some(o) = state.offers.iter().find(|o| o.id == r.id) {
            return format!("{} (as configured)", o.name);
        }
    }
    r.name.clone()
}

/// The table's title; a narrow terminal drops the snapshot to keep the sort in view.
fn table_title(state: &State, wide: bool) -> String {
    let c = &state.compare;
    let arrow = if c.reversed { "↓" } else { "↑" };
    let what = if c.show_options {
        format!("{} options advised", c.table.len())
    } else if c.table.iter().any(|r| r.outcome.is_none()) {
        let n = c.table.len() - 1;
        if wide {
            format!("{n} offers as configured and the recommended option")
        } else {
            format!("{n} offers + the recommended option")
        }
    } else {
        format!("{} offers as configured", c.table.len())
    };
    if wide {
        format!(
            "{what} · {} · snapshot {} · sorted by {} {arrow} · modelled",
            state.workload.name(),
            state.snapshot,
            c.sort.title()
        )
    } else {
        format!(
            "{what} · {} · by {} {arrow} · modelled",
            state.workload.name(),
            c.sort.title()
        )
    }
}

/// The figure columns (sort key, heading, width) that fit the terminal.
fn columns(wide: bool) -> Vec<(SortKey, &'static str, u16)> {
    // A narrow screen keeps the month's cost and gives the trace's cost's
    // room to the option's name (the title still names a sort by it).
    let mut cols: Vec<(SortKey, &'static str, u16)> = vec![(SortKey::Month, "per month", 10)];
    if wide {
        cols.push((SortKey::Cost, "run cost", 9));
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
    reversed: bool,
}

impl Columns {
    fn header(&self, sort: SortKey) -> (TableRow<'static>, Vec<Constraint>) {
        let name = if self.wide { "option" } else { "offer" };
        let mut head = vec![
            Cell::from(""),
            Cell::from(self.mark_sorted(name, SortKey::Offer, sort)),
        ];
        let mut widths = vec![Constraint::Length(1), Constraint::Length(self.offer_w)];
        if self.wide {
            head.push(Cell::from("kind"));
            widths.push(Constraint::Length(11));
        }
        for (key, name, w) in &self.cols {
            head.push(Cell::from(format!(
                "{:>width$}",
                self.mark_sorted(name, *key, sort),
                width = *w as usize
            )));
            widths.push(Constraint::Length(*w));
        }
        (TableRow::new(head), widths)
    }

    fn row(
        &self,
        r: &Row,
        targets: &Constraints,
        best: Option<&str>,
        theme: &Theme,
    ) -> TableRow<'static> {
        let ok = r.meets.unwrap_or_else(|| meets(r, targets));
        let mark = match best {
            Some(id) if id == r.id => "★",
            _ if ok => "✓",
            _ => "✗",
        };
        let mut cells = vec![
            Cell::from(Span::styled(mark, verdict_style(ok, theme))),
            Cell::from(fit(&r.brief, self.offer_w as usize)),
        ];
        if self.wide {
            cells.push(Cell::from(r.kind.clone()));
        }
        for (key, _, w) in &self.cols {
            let w = *w as usize;
            let v = figure(*key, r);
            cells.push(Cell::from(format!("{v:>w$}")));
        }
        TableRow::new(cells)
    }

    /// The sorted column's heading carries the sort's direction.
    fn mark_sorted(&self, name: &str, key: SortKey, sort: SortKey) -> String {
        match (key == sort, self.reversed) {
            (true, false) => format!("{name}↑"),
            (true, true) => format!("{name}↓"),
            _ => name.to_string(),
        }
    }
}

/// A row's figure in the column for `key`.
fn figure(key: SortKey, r: &Row) -> String {
    match key {
        SortKey::Month => r.month.map(usd).unwrap_or_else(|| "-".into()),
        SortKey::Cost => usd(r.cost_usd),
        SortKey::Avg => secs(r.avg_s),
        SortKey::P95 => secs(r.p95_s),
        SortKey::P99 => secs(r.p99_s),
        SortKey::Success => pct(r.success),
        SortKey::ColdStarts => r.cold_starts.to_string(),
        SortKey::Instances => r.instances.to_string(),
        SortKey::Offer => String::new(),
    }
}

fn draw_detail(frame: &mut Frame, area: Rect, o: &Outcome, state: &State, theme: &Theme) {
    let name = state
        .offers
        .iter()
        .find(|x| x.id == o.offer)
        .map_or(o.offer.as_str(), |x| {
            crate::present::variant::service(&x.name)
        });
    let title = format!("{name} as configured ({}, modelled)", o.kind);
    let back = " · Esc: back to the table";
    let fits = title.chars().count() + back.chars().count() + 4 <= area.width as usize;
    let block = section(
        if fits {
            format!("{title}{back}")
        } else {
            fit(&title, (area.width as usize).saturating_sub(4))
        },
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
    draw_latency(frame, lat, &t.latency, x_max, state, theme);
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
        .y_axis(y_axis("success", [y_min, 1.0], 2, pct, theme)),
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
        .x_axis(axis("s", [0.0, x_max], 5, |x| format!("{x:.0}"), theme))
        .y_axis(y_axis(
            "inst",
            [0.0, inst_max],
            2,
            |y| format!("{y:.0}"),
            theme,
        )),
        inst,
    );
}

/// The latency over the run, cold-start spikes clipped, with its legend.
fn draw_latency(
    frame: &mut Frame,
    lat: Rect,
    points: &[(f64, f64)],
    x_max: f64,
    state: &State,
    theme: &Theme,
) {
    let slo = state.targets().slo_p95_s;
    let (latency, cap) = clipped(points, slo);
    let lat_max = upper(latency.iter().map(|p| p.1).chain(slo));
    let slo_line: Vec<(f64, f64)> = slo.map(|s| vec![(0.0, s), (x_max, s)]).unwrap_or_default();
    let lat_name = match cap {
        Some((cap, peak)) => format!(
            "mean latency, clipped at {} (cold-start peak {})",
            secs(cap),
            secs(peak)
        ),
        None => "mean latency".to_string(),
    };
    let mut sets = vec![Dataset::default()
        .data(&latency)
        .graph_type(GraphType::Line)
        .marker(theme.marker(0))
        .style(theme.series(0))];
    let mut items = vec![(lat_name, theme.series(0), theme.marker(0))];
    if !slo_line.is_empty() {
        sets.push(
            Dataset::default()
                .data(&slo_line)
                .graph_type(GraphType::Line)
                .marker(theme.marker(1))
                .style(theme.series(4)),
        );
        items.push(("p95 target".to_string(), theme.series(4), theme.marker(1)));
    }
    let legend = legend_lines(&items, lat.width as usize);
    let [lat_plot, lat_legend] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(legend.len() as u16)]).areas(lat);
    frame.render_widget(Paragraph::new(legend), lat_legend);
    frame.render_widget(
        Chart::new(sets)
            .x_axis(axis("", [0.0, x_max], 5, |x| format!("{x:.0}"), theme))
            .y_axis(y_axis("", [0.0, lat_max], 2, secs0, theme)),
        lat_plot,
    );
}

/// Chart points, (x, y).
type Points = Vec<(f64, f64)>;

/// The latency series with cold-start spikes clipped, so the scale shows
/// the steady state: values above four times the median (and above the
/// target) are drawn at that cap. Returns the cap and the true peak when
/// anything was clipped.
fn clipped(points: &[(f64, f64)], slo: Option<f64>) -> (Points, Option<(f64, f64)>) {
    let mut ys: Vec<f64> = points.iter().map(|p| p.1).filter(|y| *y > 0.0).collect();
    ys.sort_by(f64::total_cmp);
    let Some(&median) = ys.get(ys.len() / 2) else {
        return (points.to_vec(), None);
    };
    let peak = ys.last().copied().unwrap_or(median);
    let cap = (median * 4.0).max(slo.unwrap_or(0.0) * 1.25);
    if peak <= cap {
        return (points.to_vec(), None);
    }
    let out = points.iter().map(|&(x, y)| (x, y.min(cap))).collect();
    (out, Some((cap, peak)))
}
