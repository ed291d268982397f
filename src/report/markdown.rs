//! The report as Markdown.
//!
//! Every string that comes from the user (model and file names, offer names
//! from a price file) passes through [`md`], which escapes both Markdown
//! and the raw HTML that Markdown renderers pass through.

use super::document::{Block, Inline, Section};
use super::sections;
use super::tables::{self, Cell, Table};
use super::Report;
use std::fmt::Write;

/// Escapes text for Markdown: HTML specials as entities, Markdown
/// punctuation with a backslash, line breaks as spaces.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text for inside a code span: HTML specials as entities (a renderer
/// shows them literally there, harmlessly), backticks replaced so the span
/// cannot be closed early; no backslashes, which a code span would show.
pub fn code(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
}

/// A Markdown table; every cell escaped for its kind.
fn table(out: &mut String, t: &Table) {
    let _ = writeln!(out, "| {} |", t.head.join(" | "));
    let rule: Vec<&str> = (0..t.head.len())
        .map(|i| if t.numeric(i) { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for r in &t.rows {
        let cells: Vec<String> = r.cells.iter().map(cell).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(s) | Cell::Source(s) => md(s),
        Cell::Code(s) => format!("`{}`", code(s)),
        Cell::Yes(b) | Cell::Warn(b) => tables::yes_no(*b).to_string(),
        Cell::Named { name, id } => format!("{} (`{}`)", md(name), code(id)),
    }
}

/// The whole report.
pub fn render(r: &Report) -> String {
    let d = sections::document(r);
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", md(&d.title));
    let _ = writeln!(s, "{}\n", inlines(&d.lead));
    for sec in d.sections.iter().filter(|sec| !sec.visual) {
        section(&mut s, sec);
    }
    s
}

fn section(s: &mut String, sec: &Section) {
    let tag = sec
        .tag
        .map(|t| format!(" ({})", t.word()))
        .unwrap_or_default();
    let _ = writeln!(s, "## {}{tag}\n", inlines(&sec.title));
    for b in &sec.blocks {
        match b {
            Block::Verdict { text, .. } | Block::Paragraph(text) => {
                let _ = writeln!(s, "{}\n", inlines(text));
            }
            Block::Heading(h) => {
                let _ = writeln!(s, "### {}\n", md(h));
            }
            Block::List(items) => {
                for it in items {
                    let _ = writeln!(s, "- {}", inlines(&it.text));
                    for c in &it.children {
                        let _ = writeln!(s, "  - {}", inlines(c));
                    }
                }
                s.push('\n');
            }
            Block::Table(t) => table(s, t),
            // Markdown draws no charts: the tables beside them hold the figures.
            Block::Chart(_) | Block::Bar(_) => {}
        }
    }
}

fn inlines(text: &[Inline]) -> String {
    text.iter()
        .map(|i| match i {
            Inline::Text(t) => md(t),
            Inline::Code(t) => format!("`{}`", code(t)),
            Inline::Strong(t) => format!("**{}**", md(t)),
            Inline::Tag(t) => format!("**{}**", t.word()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_and_html_specials_are_escaped() {
        assert_eq!(
            md("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(md("a|b *c* [d](e)"), "a\\|b \\*c\\* \\[d\\](e)");
        assert_eq!(md("x\ny"), "x y");
        assert_eq!(code("a_b`<i>"), "a_b'&lt;i&gt;");
    }
}
