//! Keys to actions, and the key help drawn from the same table.
//!
//! Which action a key means depends on what is open: the form takes digits
//! and editing keys, the "overwrite?" question takes y/n, the help closes on
//! any key; otherwise the global keys apply. Ctrl-C always quits (in raw
//! mode it arrives as a key, not a signal).

use super::action::{Action, Move, Screen};
use super::state::{Overlay, State};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// The keys and what they do, for the help overlay.
pub const HELP: &[(&str, &str)] = &[
    ("Tab / →", "next screen"),
    ("S-Tab / ←", "previous screen"),
    ("1 … 7", "go to screen"),
    ("↑ ↓ / j k", "move the selection, scroll the text"),
    ("PgUp PgDn", "move a page"),
    ("Home End", "first / last"),
    ("Enter", "open: offer detail, trace source"),
    ("Esc", "close the detail or the overlay"),
    ("o / r", "compare: sort by next column / reverse"),
    ("v", "compare: the offers / every option advised"),
    ("+ / -", "workload: scale the request rate"),
    ("/ or s", "edit the targets (SLO p95, success, budget)"),
    ("e", "export the report (HTML + Markdown)"),
    ("?", "this help"),
    ("q / Ctrl-C", "quit"),
];

/// The action a terminal event means now, if any.
pub fn action_for(state: &State, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => key_action(state, key),
        Event::Resize(w, h) => Some(Action::Resize(*w, *h)),
        _ => None,
    }
}

/// The action a key press means now, if any.
pub fn key_action(state: &State, key: &KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('C')) {
        return Some(Action::Quit);
    }
    match &state.overlay {
        Overlay::Help => Some(match key.code {
            KeyCode::Char('?') | KeyCode::Esc | KeyCode::Char('q') | KeyCode::Enter => {
                Action::ToggleHelp
            }
            _ => return None,
        }),
        Overlay::Form(_) => match key.code {
            KeyCode::Esc => Some(Action::Back),
            KeyCode::Enter => Some(Action::FormSubmit),
            KeyCode::Tab | KeyCode::Down => Some(Action::FormField(1)),
            KeyCode::BackTab | KeyCode::Up => Some(Action::FormField(-1)),
            KeyCode::Backspace | KeyCode::Delete => Some(Action::FormBackspace),
            KeyCode::Char(c) if !ctrl => Some(Action::FormChar(c)),
            _ => None,
        },
        Overlay::Confirm(_) => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Some(Action::Confirm(true)),
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                Some(Action::Confirm(false))
            }
            _ => None,
        },
        Overlay::None => global(key),
    }
}

fn global(key: &KeyEvent) -> Option<Action> {
    Some(match key.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Tab | KeyCode::Right | KeyCode::Char('l') => Action::Tab(1),
        KeyCode::BackTab | KeyCode::Left | KeyCode::Char('h') => Action::Tab(-1),
        KeyCode::Char(c @ '1'..='9') => {
            let i = c as usize - '1' as usize;
            Action::Go(*Screen::ALL.get(i)?)
        }
        KeyCode::Up | KeyCode::Char('k') => Action::Move(Move::Up),
        KeyCode::Down | KeyCode::Char('j') => Action::Move(Move::Down),
        KeyCode::PageUp => Action::Move(Move::PageUp),
        KeyCode::PageDown => Action::Move(Move::PageDown),
        KeyCode::Home | KeyCode::Char('g') => Action::Move(Move::First),
        KeyCode::End | KeyCode::Char('G') => Action::Move(Move::Last),
        KeyCode::Enter => Action::Enter,
        KeyCode::Esc => Action::Back,
        KeyCode::Char('o') => Action::NextSort,
        KeyCode::Char('r') => Action::ReverseSort,
        KeyCode::Char('v') => Action::ToggleOptions,
        KeyCode::Char('+') | KeyCode::Char('=') => Action::Scale(1),
        KeyCode::Char('-') | KeyCode::Char('_') => Action::Scale(-1),
        KeyCode::Char('/') | KeyCode::Char('s') => Action::EditConstraints,
        KeyCode::Char('e') => Action::Export,
        _ => return None,
    })
}
