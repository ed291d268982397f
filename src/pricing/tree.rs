//! An owned TOML tree that remembers the line every value came from.
//!
//! The offer files are checked field by field (unit, sign, source), and an
//! error must name the line; serde's derive would lose the lines of inner
//! values, so the file is parsed with toml's spanned parser and copied into
//! this small tree first.

use std::collections::BTreeMap;
use toml::de::{DeTable, DeValue};

/// One TOML value and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Line of the value's first character, 1-based.
    pub line: usize,
    /// The value.
    pub val: Val,
}

/// A TOML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// A string.
    Str(String),
    /// An integer or a float (figures are all read as `f64`).
    Num(f64),
    /// A boolean.
    Bool(bool),
    /// A date or time, kept as written.
    Datetime(String),
    /// An array.
    Array(Vec<Node>),
    /// A table (inline or not).
    Table(BTreeMap<String, Node>),
}

impl Val {
    /// The TOML type name, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Str(_) => "a string",
            Val::Num(_) => "a number",
            Val::Bool(_) => "a boolean",
            Val::Datetime(_) => "a date",
            Val::Array(_) => "an array",
            Val::Table(_) => "a table",
        }
    }
}

/// A document that is not TOML, or holds a number no figure can be.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct SyntaxError {
    /// The 1-based line it is on.
    pub line: usize,
    /// What is wrong there, on one line.
    pub message: String,
}

/// Parses a TOML document. The error is toml's message with its line, on one line.
pub fn parse(src: &str) -> Result<Node, SyntaxError> {
    let doc = DeTable::parse(src).map_err(|e| SyntaxError {
        line: e.span().map(|s| line_of(src, s.start)).unwrap_or(1),
        message: e.message().trim().replace('\n', " "),
    })?;
    let lines = LineIndex::new(src);
    Ok(Node {
        line: 1,
        val: table(doc.get_ref(), &lines)?,
    })
}

fn table(t: &DeTable<'_>, lines: &LineIndex) -> Result<Val, SyntaxError> {
    let mut out = BTreeMap::new();
    for (k, v) in t.iter() {
        out.insert(
            k.get_ref().to_string(),
            node(v.get_ref(), v.span().start, lines)?,
        );
    }
    Ok(Val::Table(out))
}

fn node(v: &DeValue<'_>, start: usize, lines: &LineIndex) -> Result<Node, SyntaxError> {
    let line = lines.line(start);
    let val = match v {
        DeValue::String(s) => Val::Str(s.to_string()),
        DeValue::Integer(i) => Val::Num(i64::from_str_radix(i.as_str(), i.radix()).map_err(
            |_| SyntaxError {
                line,
                message: format!("integer {i} is out of range"),
            },
        )? as f64),
        DeValue::Float(f) => Val::Num(f.as_str().parse::<f64>().map_err(|_| SyntaxError {
            line,
            message: format!("{f} is not a number"),
        })?),
        DeValue::Boolean(b) => Val::Bool(*b),
        DeValue::Datetime(d) => Val::Datetime(d.to_string()),
        DeValue::Array(a) => Val::Array(
            a.iter()
                .map(|e| node(e.get_ref(), e.span().start, lines))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(t) => table(t, lines)?,
    };
    Ok(Node { line, val })
}

/// The 1-based line of a byte offset.
fn line_of(src: &str, offset: usize) -> usize {
    LineIndex::new(src).line(offset)
}

/// Byte offsets of line starts, for offset -> line lookups.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex(starts)
    }

    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&s| s <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(n: &'a Node, k: &str) -> &'a Node {
        match &n.val {
            Val::Table(t) => &t[k],
            other => panic!("not a table: {other:?}"),
        }
    }

    #[test]
    fn lines_of_nested_values() {
        let src = "a = 1\n\n[t]\nb = { value = 2.5, unit = \"s\" }\n[[o]]\nc = \"x\"\n";
        let doc = parse(src).unwrap();
        assert_eq!(get(&doc, "a").line, 1);
        assert_eq!(get(&doc, "a").val, Val::Num(1.0));
        let b = get(get(&doc, "t"), "b");
        assert_eq!(b.line, 4);
        assert_eq!(get(b, "value").val, Val::Num(2.5));
        let Val::Array(o) = &get(&doc, "o").val else {
            panic!("o is not an array")
        };
        assert_eq!(get(&o[0], "c").line, 6);
    }

    #[test]
    fn integers_in_other_radixes_and_underscores() {
        let doc = parse("a = 0x10\nb = 1_000\nc = 1e-3\n").unwrap();
        assert_eq!(get(&doc, "a").val, Val::Num(16.0));
        assert_eq!(get(&doc, "b").val, Val::Num(1000.0));
        assert_eq!(get(&doc, "c").val, Val::Num(0.001));
    }

    #[test]
    fn syntax_error_names_line_on_one_line() {
        let e = parse("a = 1\nb = = 2\n").unwrap_err();
        assert_eq!(e.line, 2);
        let err = e.to_string();
        assert!(err.starts_with("line 2:"), "{err}");
        assert!(!err.contains('\n'));
    }
}
