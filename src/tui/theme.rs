//! Colours and emphasis, with a plain variant for `NO_COLOR`.
//!
//! Every screen takes its styles from a [`Theme`] so that `NO_COLOR`
//! (<https://no-color.org>) turns every colour off in one place; emphasis
//! that carries meaning (the selected row, the recommended point) then
//! falls back to bold and reverse video, and chart series to distinct
//! markers.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;

/// The styles the screens draw with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Whether colours are used at all.
    pub color: bool,
    /// Titles and the active tab.
    pub title: Style,
    /// Secondary text: units, hints, labels.
    pub dim: Style,
    /// The selected row or field.
    pub selected: Style,
    /// Something that meets the targets, or went well.
    pub good: Style,
    /// Something that misses the targets, or failed.
    pub bad: Style,
    /// Something to look at: the recommended option, a warning.
    pub accent: Style,
    /// Key names in hints.
    pub key: Style,
}

impl Theme {
    /// The coloured theme.
    pub fn colored() -> Theme {
        Theme {
            color: true,
            title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            dim: Style::new().fg(Color::DarkGray),
            selected: Style::new().bg(Color::Blue).fg(Color::White),
            good: Style::new().fg(Color::Green),
            bad: Style::new().fg(Color::Red),
            accent: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            key: Style::new().fg(Color::Cyan),
        }
    }

    /// The theme without colours, for `NO_COLOR` and for snapshots.
    pub fn plain() -> Theme {
        Theme {
            color: false,
            title: Style::new().add_modifier(Modifier::BOLD),
            dim: Style::new(),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            good: Style::new(),
            bad: Style::new().add_modifier(Modifier::BOLD),
            accent: Style::new().add_modifier(Modifier::BOLD),
            key: Style::new().add_modifier(Modifier::BOLD),
        }
    }

    /// The theme the environment asks for: plain when `NO_COLOR` is set and not empty.
    pub fn from_env() -> Theme {
        Theme::for_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// The theme for a given value of `NO_COLOR`.
    pub fn for_no_color(value: Option<&std::ffi::OsStr>) -> Theme {
        match value {
            Some(v) if !v.is_empty() => Theme::plain(),
            _ => Theme::colored(),
        }
    }

    /// The style of chart series `i`; without colours every series looks the same
    /// and [`Theme::marker`] tells them apart.
    pub fn series(&self, i: usize) -> Style {
        const COLORS: [Color; 6] = [
            Color::Cyan,
            Color::Yellow,
            Color::Magenta,
            Color::Green,
            Color::LightRed,
            Color::LightBlue,
        ];
        if self.color {
            Style::new().fg(COLORS[i % COLORS.len()])
        } else {
            Style::new()
        }
    }

    /// The marker of chart series `i`: braille lines with colours; without,
    /// a different marker per series so that lines stay distinguishable.
    pub fn marker(&self, i: usize) -> Marker {
        if self.color {
            Marker::Braille
        } else {
            [
                Marker::Braille,
                Marker::Dot,
                Marker::Custom('+'),
                Marker::Custom('x'),
                Marker::Custom('o'),
                Marker::Custom('*'),
            ][i % 6]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn no_color_turns_colours_off_only_when_set_and_not_empty() {
        assert!(!Theme::for_no_color(Some(OsStr::new("1"))).color);
        assert!(Theme::for_no_color(Some(OsStr::new(""))).color);
        assert!(Theme::for_no_color(None).color);
        let plain = Theme::plain();
        assert_eq!(plain.series(3), Style::new());
        let markers: Vec<Marker> = (0..6).map(|i| plain.marker(i)).collect();
        assert!(markers
            .iter()
            .enumerate()
            .all(|(i, m)| !markers[..i].contains(m)));
        assert!(plain.selected.add_modifier.contains(Modifier::REVERSED));
    }
}
