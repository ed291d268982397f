//! Making user-supplied text safe to print on a terminal.
//!
//! Error messages quote file contents, flags and paths. Printed raw, an escape
//! sequence in them (`ESC[2J`) would clear or recolour the user's terminal, so
//! every echo of such text goes through [`escape_controls`].

use std::borrow::Cow;

/// `s` with every control character (C0, DEL, C1 — newline and tab included)
/// and every bidirectional override written as a Rust-style escape, `\u{1b}`.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Control characters, and the bidi controls that reorder what follows them.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            escape_controls("trace.csv line 3"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escape_sequences_are_shown_not_sent() {
        assert_eq!(
            escape_controls("x\u{1b}[2J\u{1b}[31m\n\t\u{7f}\u{9b}é"),
            "x\\u{1b}[2J\\u{1b}[31m\\u{a}\\u{9}\\u{7f}\\u{9b}é"
        );
        assert!(!escape_controls("\u{202e}abc").contains('\u{202e}'));
    }
}
