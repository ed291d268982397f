//! The recommendation screen: the verdict, the reasons with their figures,
//! the runners-up of each kind, how sensitive the choice is, and runtime
//! suggestions. Longer than a screen: ↑↓ scroll it.

use super::widgets::{advice_pending, section};
use crate::tui::recommend_text::lines;
use crate::tui::state::State;
use crate::tui::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Draws the recommendation screen.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(advice) = state.advice.advice.as_deref() else {
        advice_pending(frame, area, state, theme);
        return;
    };
    let all = lines(advice, area.width as usize, theme);
    let visible = area.height.saturating_sub(1) as usize;
    let max = all.len().saturating_sub(visible);
    let scroll = state.recommend_scroll.min(max);
    let more = if max > 0 {
        format!(
            " · lines {}-{} of {} (↑↓)",
            scroll + 1,
            (scroll + visible).min(all.len()),
            all.len()
        )
    } else {
        String::new()
    };
    let block = section(format!("Recommendation · modelled{more}"), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let shown: Vec<Line> = all.into_iter().skip(scroll).take(visible).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}
