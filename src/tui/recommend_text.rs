//! The recommendation screen's text, line by line at a width: the screen
//! draws it and the state needs its length to bound scrolling, so it lives
//! apart from both.

use crate::advise::Advice;
use crate::present::{named, pct, range, secs, usd, wrap};
use crate::tui::theme::Theme;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// How far the screen scrolls at a terminal size (columns, rows).
pub fn max_scroll(advice: &Advice, size: (u16, u16)) -> usize {
    // Tabs, the targets, the status line and the section rule take four rows.
    let visible = size.1.saturating_sub(4) as usize;
    lines(advice, size.0 as usize, &Theme::plain())
        .len()
        .saturating_sub(visible)
}

/// Builds lines, each logical item wrapped to the width with a hanging indent.
struct Text<'t> {
    width: usize,
    theme: &'t Theme,
    out: Vec<Line<'static>>,
}

impl Text<'_> {
    fn heading(&mut self, title: &str) {
        if !self.out.is_empty() {
            self.out.push(Line::raw(""));
        }
        self.out
            .push(Line::styled(title.to_string(), self.theme.title));
    }

    /// `prefix` then `text`, continuation lines indented by the prefix's width.
    fn item(&mut self, prefix: &str, prefix_style: Style, text: &str, style: Style) {
        let indent = prefix.chars().count();
        for (i, l) in wrap(text, self.width.saturating_sub(indent).max(10))
            .into_iter()
            .enumerate()
        {
            let head = if i == 0 {
                Span::styled(prefix.to_string(), prefix_style)
            } else {
                Span::raw(" ".repeat(indent))
            };
            self.out
                .push(Line::from(vec![head, Span::styled(l, style)]));
        }
    }
}

/// Every line of the screen at a width.
pub fn lines(advice: &Advice, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut t = Text {
        width,
        theme,
        out: Vec::new(),
    };
    t.best(advice);
    t.why(advice);
    t.ranges(advice);
    t.runners_up(advice);
    t.sensitivity(advice);
    t.runtime(advice);
    t.notes(advice);
    t.out
}

impl Text<'_> {
    fn best(&mut self, advice: &Advice) {
        let theme = self.theme;
        let plain = Style::new();
        match &advice.best {
            Some(b) => {
                self.item(
                    "",
                    plain,
                    &format!("Serve on {}", crate::present::variant::headline(b)),
                    theme.accent,
                );
                self.item(
                    "  ",
                    plain,
                    &format!(
                        "{} per month · {} per million requests · mean {} · p95 {} · success {}",
                        usd(b.cost_per_month_usd),
                        usd(b.cost_per_million_usd),
                        secs(b.avg_latency_s),
                        secs(b.p95_latency_s),
                        pct(b.success_ratio)
                    ),
                    plain,
                );
            }
            None => self.item("", plain, "No option meets the targets.", theme.bad),
        }
        if let Some(r) = range::best(advice) {
            self.item("  ", plain, &r, plain);
        }
        if let Some(v) = range::ranking(advice) {
            self.item("  ", plain, &v, theme.accent);
        }
        // The advice's own targets: with no p95 given, they hold the default it used.
        self.item(
            "  targets: ",
            theme.dim,
            &crate::present::targets(&advice.constraints),
            theme.dim,
        );
        self.item("  month: ", theme.dim, &advice.month.statement, theme.dim);
    }

    fn why(&mut self, advice: &Advice) {
        let theme = self.theme;
        let plain = Style::new();
        self.heading("Why");
        // Each reason's sentence carries its figures; the raw figures stay in the JSON.
        for r in &advice.reasons {
            self.item("• ", theme.accent, &r.text, plain);
        }
    }

    /// The leading options with their ranges: where the ranking could change.
    fn ranges(&mut self, advice: &Advice) {
        let rows = range::rows(advice);
        if rows.len() < 2 {
            return;
        }
        let theme = self.theme;
        self.heading("Ranges from the CPU sources (slowest to fastest CPU)");
        for r in rows {
            let slowest = if r.meets_slowest {
                "meets the targets with the slowest CPU"
            } else {
                "misses the targets with the slowest CPU"
            };
            let mark = if advice.best.as_ref().is_some_and(|b| b.id == r.id) {
                "★ "
            } else {
                "• "
            };
            self.item(
                mark,
                theme.accent,
                &format!(
                    "{}: {} per month · p95 {} · {slowest}",
                    r.name, r.cost, r.p95
                ),
                Style::new(),
            );
        }
    }

    fn runners_up(&mut self, advice: &Advice) {
        if advice.runners_up.is_empty() {
            return;
        }
        let theme = self.theme;
        let plain = Style::new();
        self.heading("Runners-up by kind");
        for r in &advice.runners_up {
            let extra = r
                .extra_per_month_usd
                .map(|x| {
                    format!(
                        " ({}{} per month)",
                        if x >= 0.0 { "+" } else { "-" },
                        usd(x.abs())
                    )
                })
                .unwrap_or_default();
            let verdict = if r.meets_slo {
                "meets the targets"
            } else {
                "misses the targets"
            };
            self.item(
                &format!("{:<11}", r.group.label()),
                theme.accent,
                &format!(
                    "{}: {}{extra} · p95 {} · {verdict}",
                    named(advice, &r.id),
                    usd(r.cost_per_month_usd),
                    secs(r.p95_latency_s)
                ),
                plain,
            );
            for why in r.reasons.iter().take(2) {
                self.item("             ", plain, &why.text, theme.dim);
            }
        }
    }

    fn sensitivity(&mut self, advice: &Advice) {
        let s = &advice.sensitivity;
        if s.cases.is_empty() {
            return;
        }
        let theme = self.theme;
        let plain = Style::new();
        self.heading(if s.fragile {
            "Sensitivity: the choice changes"
        } else {
            "Sensitivity: the choice holds"
        });
        if let Some(v) = &s.verdict {
            self.item("", plain, &v.text, plain);
        }
        for case in &s.cases {
            let name = |id: &String| case.best_name.clone().unwrap_or_else(|| named(advice, id));
            let best = match (&case.best, case.best_cost_per_month_usd) {
                (Some(id), Some(cost)) => format!("{} {}", name(id), usd(cost)),
                (Some(id), None) => name(id),
                _ => "nothing meets the targets".to_string(),
            };
            let mark = if case.changed { "≠ " } else { "= " };
            self.item(
                mark,
                if case.changed { theme.bad } else { theme.good },
                &format!("{}: {best}", case.description),
                plain,
            );
        }
    }

    fn runtime(&mut self, advice: &Advice) {
        if advice.runtime.is_empty() {
            return;
        }
        let theme = self.theme;
        self.heading("Runtime and deployment");
        for sug in &advice.runtime {
            let (mark, style) = if sug.advised {
                ("→ ", theme.accent)
            } else {
                ("✓ ", theme.good)
            };
            self.item(mark, style, &sug.text, Style::new());
        }
    }

    fn notes(&mut self, advice: &Advice) {
        if advice.notes.is_empty() {
            return;
        }
        self.heading("Notes");
        for n in &advice.notes {
            self.item("  ", Style::new(), n, self.theme.dim);
        }
    }
}
