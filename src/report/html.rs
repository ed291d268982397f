//! The report as one self-contained HTML file: inline CSS, inline SVG
//! charts, no scripts and nothing fetched from elsewhere.
//!
//! Every string from the user (model and file names, offer names from a
//! price file) is escaped with [`esc`] before it is written.

use super::document::{BarPart, Block, Inline, Item, Section, Tag};
use super::sections;
use super::svg::esc;
use super::tables::{Cell, Table};
use super::Report;
use crate::present::secs;
use std::fmt::Write;

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.lead{color:#555}.verdict{font-size:1.2em;background:#eef6ee;border-left:4px solid #2ca02c;padding:.6em 1em}
.none{background:#fbeeee;border-left-color:#d62728}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em;display:block;max-width:100%;overflow-x:auto}th,td{padding:.25em .6em;border-bottom:1px solid #e5e5e5;text-align:left}
th{background:#f6f6f6}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}tr.best td{background:#fff8dc;font-weight:600}
.miss{color:#b00}.ok{color:#070}.warn{color:#a64b00;font-weight:600}code.id{font-size:.8em;color:#555}.tag{font-size:.8em;padding:0 .4em;border-radius:3px;background:#eee;color:#555}
.modelled{background:#e8f0fb;color:#1f4f8f}.measured{background:#eaf6ea;color:#1d6b1d}
code{background:#f3f3f3;padding:0 .2em;border-radius:3px}
svg.chart{display:block;max-width:100%;height:auto;margin:.6em 0 1.2em;font-family:system-ui,sans-serif}
svg .title{font-size:14px;font-weight:600}svg .tick{font-size:11px;fill:#555}svg .axis{font-size:12px;fill:#333}
svg .legend{font-size:11px;fill:#333}svg .note{font-size:11px;fill:#555}svg .grid{stroke:#eee}
svg .frame{fill:none;stroke:#999}svg .guide{stroke:#555;stroke-dasharray:3 3}svg .series{stroke-width:1.8}
svg .mark circle{fill:none;stroke:#000;stroke-width:2}svg .mark text{font-size:12px;font-weight:600}
.bar{display:flex;height:28px;margin:.4em 0}.bar div{height:100%}
";

/// A table; every cell escaped for its kind, number columns right-aligned.
fn table(out: &mut String, t: &Table) {
    out.push_str("<table><thead><tr>");
    for (i, h) in t.head.iter().enumerate() {
        let _ = write!(out, "<th{}>{}</th>", num_class(t, i), esc(h.trim()));
    }
    out.push_str("</tr></thead><tbody>");
    for r in &t.rows {
        out.push_str(if r.best {
            "<tr class=\"best\">"
        } else {
            "<tr>"
        });
        for (i, c) in r.cells.iter().enumerate() {
            let _ = write!(out, "<td{}>{}</td>", num_class(t, i), cell(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

fn num_class(t: &Table, i: usize) -> &'static str {
    if t.numeric(i) {
        " class=\"n\""
    } else {
        ""
    }
}

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(s) => esc(s),
        Cell::Code(s) => format!("<code>{}</code>", esc(s)),
        Cell::Yes(true) => "<span class=\"ok\">yes</span>".to_string(),
        Cell::Yes(false) => "<span class=\"miss\">no</span>".to_string(),
        Cell::Warn(true) => "<span class=\"warn\">yes</span>".to_string(),
        Cell::Warn(false) => "no".to_string(),
        Cell::Named { name, id } => {
            format!("{}<br/><code class=\"id\">{}</code>", esc(name), esc(id))
        }
        Cell::Source(s) if s.starts_with("https://") || s.starts_with("http://") => {
            format!("<a href=\"{0}\">{0}</a>", esc(s))
        }
        Cell::Source(s) => esc(s),
    }
}

/// Colours of the parts of a bar.
const BAR_COLORS: [&str; 5] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#d62728"];

/// The whole page.
pub fn render(r: &Report) -> String {
    let d = sections::document(r);
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <title>{}</title><style>{STYLE}</style></head><body>\n",
        esc(&d.title)
    );
    let _ = writeln!(s, "<h1>{}</h1>", esc(&d.title));
    let _ = writeln!(s, "<p class=\"lead\">{}</p>", inlines(&d.lead));
    for sec in &d.sections {
        section(&mut s, sec);
    }
    s.push_str("</body></html>\n");
    s
}

fn section(s: &mut String, sec: &Section) {
    let tag = sec.tag.map(|t| format!(" {}", tag(t))).unwrap_or_default();
    let _ = writeln!(s, "<h2>{}{tag}</h2>", inlines(&sec.title));
    for b in &sec.blocks {
        match b {
            Block::Verdict { found, text } => {
                let class = if *found { "verdict" } else { "verdict none" };
                let _ = writeln!(s, "<p class=\"{class}\">{}</p>", inlines(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(s, "<p>{}</p>", inlines(text));
            }
            Block::Heading(h) => {
                let _ = writeln!(s, "<h3>{}</h3>", esc(h));
            }
            Block::List(items) => list(s, items),
            Block::Table(t) => table(s, t),
            Block::Chart(p) => {
                s.push_str(&p.svg());
                s.push('\n');
            }
            Block::Bar(parts) => bar(s, parts),
        }
    }
}

fn list(s: &mut String, items: &[Item]) {
    s.push_str("<ul>");
    for it in items {
        let _ = write!(s, "<li>{}", inlines(&it.text));
        if !it.children.is_empty() {
            s.push_str("<ul>");
            for c in &it.children {
                let _ = write!(s, "<li>{}</li>", inlines(c));
            }
            s.push_str("</ul>");
        }
        s.push_str("</li>");
    }
    s.push_str("</ul>\n");
}

/// Parts of a whole as one coloured bar, with their names below.
fn bar(s: &mut String, parts: &[BarPart]) {
    let total = parts.iter().map(|p| p.s).sum::<f64>().max(1e-9);
    s.push_str("<div class=\"bar\">");
    for (p, color) in parts.iter().zip(BAR_COLORS.iter().cycle()) {
        let _ = write!(
            s,
            "<div style=\"width:{:.2}%;background:{color}\" title=\"{} {}\"></div>",
            p.s / total * 100.0,
            esc(&p.name),
            secs(p.s)
        );
    }
    s.push_str("</div>\n<p>");
    for (p, color) in parts.iter().zip(BAR_COLORS.iter().cycle()) {
        let _ = write!(
            s,
            "<span style=\"color:{color}\">&#9632;</span> {} {} &nbsp; ",
            esc(&p.name),
            secs(p.s)
        );
    }
    s.push_str("</p>\n");
}

fn tag(t: Tag) -> String {
    format!("<span class=\"tag {0}\">{0}</span>", t.word())
}

fn inlines(text: &[Inline]) -> String {
    text.iter()
        .map(|i| match i {
            Inline::Text(t) => esc(t),
            Inline::Code(t) => format!("<code>{}</code>", esc(t)),
            Inline::Strong(t) => format!("<strong>{}</strong>", esc(t)),
            Inline::Tag(t) => tag(*t),
        })
        .collect()
}
