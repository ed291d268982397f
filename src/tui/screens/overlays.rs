//! What is drawn over a screen: the key help, the constraint form, and the
//! question before a file is overwritten.

use super::widgets::fit;
use crate::tui::form::Form;
use crate::tui::keys::HELP;
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;
use std::path::PathBuf;

/// A box of `w` x `h` centred in `area` (shrunk to fit), cleared, with a border and title.
fn boxed(frame: &mut Frame, area: Rect, w: u16, h: u16, title: &str, theme: &Theme) -> Rect {
    let rect = area.centered(
        Constraint::Length(w.min(area.width)),
        Constraint::Length(h.min(area.height)),
    );
    frame.render_widget(Clear, rect);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.title)
        .title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}

/// The key help.
pub fn help(frame: &mut Frame, area: Rect, theme: &Theme) {
    let key_w = HELP
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = HELP
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<key_w$}  "), theme.key),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " Figures are modelled by the simulator unless marked measured.",
        theme.dim,
    ));
    let inner = boxed(
        frame,
        area,
        64,
        lines.len() as u16 + 2,
        "Keys (? or Esc closes)",
        theme,
    );
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The constraint form.
pub fn form(frame: &mut Frame, area: Rect, form: &Form, theme: &Theme) {
    let mut lines = Vec::new();
    for (i, f) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let value = if focused {
            format!("{}_", f.value)
        } else if f.value.is_empty() {
            format!("({})", f.empty_means)
        } else {
            f.value.clone()
        };
        let style = if focused {
            theme.selected
        } else {
            Default::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<22}", f.label), theme.dim),
            Span::styled(format!(" {:<18}", fit(&value, 18)), style),
        ]));
    }
    lines.push(Line::raw(""));
    match &form.error {
        Some(e) => lines.push(Line::styled(format!(" {e}"), theme.bad)),
        None => lines.push(Line::styled(
            " Empty: the default shown. Enter applies and advises again.",
            theme.dim,
        )),
    }
    lines.push(Line::styled(
        " Tab/↑↓ field · Backspace delete · Esc cancel",
        theme.dim,
    ));
    let inner = boxed(frame, area, 56, lines.len() as u16 + 2, "Targets", theme);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// "Overwrite these files?"
pub fn confirm(frame: &mut Frame, area: Rect, paths: &[PathBuf], theme: &Theme) {
    let mut lines = vec![Line::raw(" These files exist already:")];
    for p in paths {
        lines.push(Line::styled(format!("   {}", p.display()), theme.accent));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::raw(" Overwrite them? "),
        Span::styled("y", theme.key),
        Span::raw(" yes · "),
        Span::styled("n", theme.key),
        Span::raw(" no"),
    ]));
    let inner = boxed(frame, area, 64, lines.len() as u16 + 2, "Export", theme);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
