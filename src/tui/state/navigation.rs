//! Moving between screens and within them.

use super::super::action::{Action, Move, Screen};
use super::{Effect, Overlay, State, PAGE};

impl State {
    /// Leaving, ticks, resizes and moving between and within screens.
    pub(super) fn navigation_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => {
                self.quit = true;
                Vec::new()
            }
            Action::Fatal(msg) => {
                self.fatal = Some(msg);
                self.quit = true;
                Vec::new()
            }
            Action::Tick => {
                self.tick = self.tick.wrapping_add(1);
                Vec::new()
            }
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.recommend_scroll = self.recommend_scroll.min(self.recommend_max_scroll());
                self.breakeven_scroll = self.breakeven_scroll.min(self.breakeven_max_scroll());
                Vec::new()
            }
            Action::Back => {
                if self.overlay != Overlay::None {
                    self.overlay = Overlay::None;
                } else if self.screen == Screen::Compare && self.compare.detail {
                    self.compare.detail = false;
                }
                Vec::new()
            }
            Action::Tab(step) => {
                self.overlay = Overlay::None;
                self.screen = self.screen.step(step);
                Vec::new()
            }
            Action::Go(screen) => {
                self.overlay = Overlay::None;
                self.screen = screen;
                Vec::new()
            }
            Action::Move(m) => {
                self.move_selection(m);
                Vec::new()
            }
            Action::Enter => self.enter(),
            _ => Vec::new(),
        }
    }

    pub(super) fn move_selection(&mut self, m: Move) {
        let advice = self.advice.advice.as_deref();
        let (cursor, len) = match self.screen {
            Screen::Compare if !self.compare.detail => {
                (&mut self.compare.cursor, self.compare.table.len())
            }
            Screen::Workload => (&mut self.workload.cursor, self.workload.sources.len()),
            Screen::Batching => (
                &mut self.batching_cursor,
                advice.map_or(0, |a| a.batching.len()),
            ),
            Screen::Memory => (
                &mut self.memory_cursor,
                advice.map_or(0, |a| a.memory.len()),
            ),
            Screen::Recommend => {
                let len = self.recommend_max_scroll() + 1;
                (&mut self.recommend_scroll, len)
            }
            Screen::BreakEven => {
                let len = self.breakeven_max_scroll() + 1;
                (&mut self.breakeven_scroll, len)
            }
            _ => return,
        };
        if len == 0 {
            return;
        }
        let last = len - 1;
        *cursor = match m {
            Move::Up => cursor.saturating_sub(1),
            Move::Down => (*cursor + 1).min(last),
            Move::PageUp => cursor.saturating_sub(PAGE),
            Move::PageDown => (*cursor + PAGE).min(last),
            Move::First => 0,
            Move::Last => last,
        };
    }

    pub(super) fn enter(&mut self) -> Vec<Effect> {
        match self.screen {
            Screen::Compare => {
                if self.compare.selected().is_some() {
                    self.compare.detail = !self.compare.detail;
                } else if self.compare.show_options {
                    // Only the offers as configured keep their run over time.
                    self.say(
                        "the detail over time is for the offers: v shows them",
                        false,
                    );
                } else if !self.compare.table.is_empty() {
                    self.say(
                        "the detail over time is for the offers as configured; \
                         the Recommendation screen explains this option",
                        false,
                    );
                }
                Vec::new()
            }
            Screen::Workload => {
                if self.workload.cursor == self.workload.active && self.workload.loaded.is_some() {
                    return Vec::new();
                }
                self.workload.active = self.workload.cursor;
                self.load_trace()
            }
            _ => Vec::new(),
        }
    }
}
