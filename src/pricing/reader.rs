//! Reads checked fields out of a [`Node`] table, naming file, line, offer
//! and field in every error, and refusing keys nobody reads (typos).
//!
//! A *figure* is an inline table
//! `{ value = 0.0000166667, unit = "USD/GB-s", src = "lambda-pricing" }`:
//! the unit must be one of the field's [`Dim`] units and the source is either
//! a `src` naming an entry of the file's `[sources]` table or an inline
//! `source` + `date`. `assumption = true` marks a figure no source documents.

use super::offer::Source;
use super::tree::{Node, Val};
use super::units::Dim;
use crate::error::bad_input;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// What every error message of one file (and one offer) starts with.
pub struct Ctx<'a> {
    /// The file as the user named it.
    pub file: String,
    /// The offer being read, if any.
    pub offer: Option<String>,
    /// The file's named sources (`[sources]`).
    pub sources: &'a BTreeMap<String, Source>,
    /// Sources of the figures read so far, by figure path.
    pub seen: RefCell<BTreeMap<String, Source>>,
}

impl<'a> Ctx<'a> {
    /// A context for `file`, outside any offer.
    pub fn new(file: impl Into<String>, sources: &'a BTreeMap<String, Source>) -> Self {
        Ctx {
            file: file.into(),
            offer: None,
            sources,
            seen: RefCell::new(BTreeMap::new()),
        }
    }

    /// A bad-input error at `line` about `field`.
    pub fn err(&self, line: usize, field: &str, msg: impl std::fmt::Display) -> anyhow::Error {
        let offer = match &self.offer {
            Some(id) => format!("offer {id}: "),
            None => String::new(),
        };
        let field = if field.is_empty() {
            String::new()
        } else {
            format!("{field}: ")
        };
        bad_input(format!("{} line {line}: {offer}{field}{msg}", self.file))
    }
}

/// A table being read; keys read are remembered so [`Table::finish`] can refuse the rest.
pub struct Table<'a> {
    ctx: &'a Ctx<'a>,
    line: usize,
    path: String,
    map: &'a BTreeMap<String, Node>,
    used: RefCell<BTreeSet<String>>,
}

type R<T> = anyhow::Result<T>;

impl<'a> Table<'a> {
    /// Reads `node` as a table at `path` (empty for the document root).
    pub fn new(ctx: &'a Ctx<'a>, node: &'a Node, path: &str) -> R<Self> {
        match &node.val {
            Val::Table(map) => Ok(Table {
                ctx,
                line: node.line,
                path: path.to_string(),
                map,
                used: RefCell::new(BTreeSet::new()),
            }),
            other => Err(ctx.err(
                node.line,
                path,
                format!("expected a table, found {}", other.type_name()),
            )),
        }
    }

    /// The line the table starts on.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The full path of a key of this table.
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The raw node of `key`, marking it read.
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        let n = self.map.get(key)?;
        self.used.borrow_mut().insert(key.to_string());
        Some(n)
    }

    fn required(&self, key: &str) -> R<&'a Node> {
        self.get(key).ok_or_else(|| match self.look_alike(key) {
            Some((other, n)) => self.ctx.err(
                n.line,
                &self.path_of(key),
                format!(
                    "missing (required field); found unknown field {} instead: misspelt?",
                    self.path_of(other)
                ),
            ),
            None => self
                .ctx
                .err(self.line, &self.path_of(key), "missing (required field)"),
        })
    }

    /// An unread key that looks like `key` (shares its first 4 characters), for typo hints.
    fn look_alike(&self, key: &str) -> Option<(&'a str, &'a Node)> {
        let stem: String = key.chars().take(4).collect();
        let used = self.used.borrow();
        self.map
            .iter()
            .find(|(k, _)| !used.contains(*k) && k.starts_with(&stem))
            .map(|(k, n)| (k.as_str(), n))
    }

    /// A required string.
    pub fn string(&self, key: &str) -> R<String> {
        let n = self.required(key)?;
        self.as_string(key, n)
    }

    /// An optional string.
    pub fn opt_string(&self, key: &str) -> R<Option<String>> {
        self.get(key).map(|n| self.as_string(key, n)).transpose()
    }

    fn as_string(&self, key: &str, n: &Node) -> R<String> {
        match &n.val {
            Val::Str(s) if !s.trim().is_empty() => Ok(s.clone()),
            Val::Str(_) => Err(self.ctx.err(n.line, &self.path_of(key), "is empty")),
            Val::Datetime(d) => Ok(d.clone()),
            other => Err(self.ctx.err(
                n.line,
                &self.path_of(key),
                format!("expected a string, found {}", other.type_name()),
            )),
        }
    }

    /// A required string that must be one of `allowed`.
    pub fn choice(&self, key: &str, allowed: &[&str]) -> R<String> {
        let n = self.required(key)?;
        let s = self.as_string(key, n)?;
        if allowed.contains(&s.as_str()) {
            Ok(s)
        } else {
            Err(self.ctx.err(
                n.line,
                &self.path_of(key),
                format!(
                    "unknown value \"{s}\", expected one of {}",
                    allowed.join(", ")
                ),
            ))
        }
    }

    /// A required sub-table.
    pub fn table(&self, key: &str) -> R<Table<'a>> {
        let n = self.required(key)?;
        Table::new(self.ctx, n, &self.path_of(key))
    }

    /// An optional sub-table.
    pub fn opt_table(&self, key: &str) -> R<Option<Table<'a>>> {
        self.get(key)
            .map(|n| Table::new(self.ctx, n, &self.path_of(key)))
            .transpose()
    }

    /// A required figure in canonical units, at least 0; its source is recorded.
    pub fn figure(&self, key: &str, dim: Dim) -> R<f64> {
        let n = self.required(key)?;
        self.read_figure(key, n, dim)
    }

    /// A required figure that must be greater than 0.
    pub fn positive(&self, key: &str, dim: Dim) -> R<f64> {
        let n = self.required(key)?;
        let v = self.read_figure(key, n, dim)?;
        if v > 0.0 {
            Ok(v)
        } else {
            Err(self
                .ctx
                .err(n.line, &self.path_of(key), "must be greater than 0"))
        }
    }

    /// An optional figure.
    pub fn opt_figure(&self, key: &str, dim: Dim) -> R<Option<f64>> {
        self.get(key)
            .map(|n| self.read_figure(key, n, dim))
            .transpose()
    }

    /// A required whole-number figure.
    pub fn count(&self, key: &str, unit: &'static str) -> R<u32> {
        Ok(self.figure(key, Dim::Count(unit))? as u32)
    }

    /// An optional whole-number figure.
    pub fn opt_count(&self, key: &str, unit: &'static str) -> R<Option<u32>> {
        Ok(self.opt_figure(key, Dim::Count(unit))?.map(|v| v as u32))
    }

    /// A required yes/no figure (a `value = true|false` with a source, no unit).
    pub fn flag(&self, key: &str) -> R<bool> {
        let n = self.required(key)?;
        let path = self.path_of(key);
        let t = self.figure_table(&path, n)?;
        let v = t.required("value")?;
        let b = match &v.val {
            Val::Bool(b) => *b,
            other => {
                return Err(self.ctx.err(
                    v.line,
                    &t.path_of("value"),
                    format!("expected true or false, found {}", other.type_name()),
                ))
            }
        };
        if let Some(u) = t.get("unit") {
            return Err(self
                .ctx
                .err(u.line, &t.path_of("unit"), "a yes/no figure has no unit"));
        }
        let src = t.source()?;
        t.finish()?;
        self.ctx.seen.borrow_mut().insert(path, src);
        Ok(b)
    }

    fn figure_table(&self, path: &str, n: &'a Node) -> R<Table<'a>> {
        match &n.val {
            Val::Table(_) => Table::new(self.ctx, n, path),
            Val::Num(_) | Val::Bool(_) => Err(self.ctx.err(
                n.line,
                path,
                "a figure needs a unit and a source: write { value = ..., unit = \"...\", src = \"...\" }",
            )),
            other => Err(self.ctx.err(
                n.line,
                path,
                format!(
                    "expected a figure {{ value, unit, src }}, found {}",
                    other.type_name()
                ),
            )),
        }
    }

    fn read_figure(&self, key: &str, n: &'a Node, dim: Dim) -> R<f64> {
        let path = self.path_of(key);
        let t = self.figure_table(&path, n)?;
        let v = t.required("value")?;
        let raw = match &v.val {
            Val::Num(x) if x.is_finite() => *x,
            Val::Num(_) => return Err(self.ctx.err(v.line, &path, "value must be finite")),
            other => {
                return Err(self.ctx.err(
                    v.line,
                    &path,
                    format!("value: expected a number, found {}", other.type_name()),
                ))
            }
        };
        let unit = t.string("unit")?;
        let canonical = dim.convert(raw, &unit).ok_or_else(|| {
            self.ctx.err(
                t.line,
                &path,
                format!(
                    "unit \"{unit}\" is not accepted here, expected {}",
                    dim.expected()
                ),
            )
        })?;
        if let Some(e) = super::bounds::check(raw, dim.is_price()) {
            return Err(self.ctx.err(v.line, &path, e));
        }
        if raw < 0.0 {
            let what = if dim.is_price() {
                "negative price"
            } else {
                "negative value"
            };
            return Err(self
                .ctx
                .err(v.line, &path, format!("{what} {raw}, expected 0 or more")));
        }
        if dim.is_count() && raw.fract() != 0.0 {
            return Err(self.ctx.err(
                v.line,
                &path,
                format!("{raw} is not a whole number of {unit}"),
            ));
        }
        let src = t.source()?;
        t.finish()?;
        self.ctx.seen.borrow_mut().insert(path, src);
        Ok(canonical)
    }

    /// The source of a figure table: `src = "name"` or `source` + `date`, and `assumption`.
    fn source(&self) -> R<Source> {
        let assumption = match self.get("assumption") {
            None => None,
            Some(Node {
                val: Val::Bool(b), ..
            }) => Some(*b),
            Some(n) => {
                return Err(self.ctx.err(
                    n.line,
                    &self.path_of("assumption"),
                    "expected true or false",
                ))
            }
        };
        let mut src = match (self.get("src"), self.get("source")) {
            (Some(_), Some(_)) => {
                return Err(self.ctx.err(
                    self.line,
                    &self.path,
                    "give either src (a name from [sources]) or source + date, not both",
                ))
            }
            (Some(n), None) => {
                let name = self.as_string("src", n)?;
                self.ctx.sources.get(&name).cloned().ok_or_else(|| {
                    self.ctx.err(
                        n.line,
                        &self.path_of("src"),
                        format!("source \"{name}\" is not defined in [sources]"),
                    )
                })?
            }
            (None, Some(n)) => Source {
                source: self.as_string("source", n)?,
                date: self.string("date")?,
                assumption: false,
            },
            (None, None) => {
                return Err(self.ctx.err(
                    self.line,
                    &self.path,
                    "missing source: add src = \"NAME\" (from [sources]) or source = \"URL\", date = \"YYYY-MM-DD\"",
                ))
            }
        };
        if let Some(a) = assumption {
            src.assumption = a;
        }
        Ok(src)
    }

    /// Refuses keys that were never read (usually a typo).
    pub fn finish(&self) -> R<()> {
        let used = self.used.borrow();
        if let Some((k, n)) = self.map.iter().find(|(k, _)| !used.contains(*k)) {
            let mut known: Vec<&str> = used.iter().map(String::as_str).collect();
            known.sort_unstable();
            let hint = if known.is_empty() {
                String::new()
            } else {
                format!(" (read here: {})", known.join(", "))
            };
            return Err(self
                .ctx
                .err(n.line, &self.path_of(k), format!("unknown field{hint}")));
        }
        Ok(())
    }

    /// The keys of the table, for tables of named entries (`[sources]`, `[defaults]`).
    pub fn keys(&self) -> Vec<&'a str> {
        self.map.keys().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;
    use crate::error::exit_code;

    fn sources() -> BTreeMap<String, Source> {
        let mut m = BTreeMap::new();
        m.insert(
            "p".to_string(),
            Source {
                source: "https://example.com/pricing".into(),
                date: "2026-11-01".into(),
                assumption: false,
            },
        );
        m
    }

    fn read(src: &str, key: &str, dim: Dim) -> anyhow::Result<f64> {
        let doc = parse(src).unwrap();
        let s = sources();
        let ctx = Ctx::new("f.toml", &s);
        let t = Table::new(&ctx, &doc, "billing")?;
        t.figure(key, dim)
    }

    #[test]
    fn figure_converts_units_and_records_source() {
        let doc = parse("r = { value = 0.2, unit = \"USD/1M requests\", src = \"p\" }").unwrap();
        let s = sources();
        let ctx = Ctx::new("f.toml", &s);
        let t = Table::new(&ctx, &doc, "billing").unwrap();
        let v = t.figure("r", Dim::UsdPerRequest).unwrap();
        assert!((v - 2e-7).abs() < 1e-20);
        let seen = ctx.seen.borrow();
        assert_eq!(seen["billing.r"].source, "https://example.com/pricing");
        assert!(!seen["billing.r"].assumption);
    }

    #[test]
    fn wrong_unit_is_bad_input_naming_line_and_field() {
        let e = read(
            "\n\nr = { value = 1, unit = \"USD/GB-h\", src = \"p\" }",
            "r",
            Dim::UsdPerGbS,
        )
        .unwrap_err();
        assert_eq!(exit_code(&e), 2);
        assert_eq!(
            e.to_string(),
            "f.toml line 3: billing.r: unit \"USD/GB-h\" is not accepted here, expected \"USD/GB-s\""
        );
    }

    #[test]
    fn negative_price_and_missing_source_and_plain_number() {
        let e = read(
            "r = { value = -1, unit = \"USD/h\", src = \"p\" }",
            "r",
            Dim::UsdPerHour,
        )
        .unwrap_err();
        assert!(e.to_string().contains("negative price -1"), "{e}");
        let e = read("r = { value = 1, unit = \"USD/h\" }", "r", Dim::UsdPerHour).unwrap_err();
        assert!(e.to_string().contains("missing source"), "{e}");
        let e = read("r = 1", "r", Dim::UsdPerHour).unwrap_err();
        assert!(e.to_string().contains("needs a unit and a source"), "{e}");
        let e = read("x = 1", "r", Dim::UsdPerHour).unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.toml line 1: billing.r: missing (required field)"
        );
    }

    #[test]
    fn inline_source_assumption_and_unknown_keys() {
        let doc = parse(
            "a = { value = 2, unit = \"instances\", source = \"the study\", date = \"2021\", assumption = true }\nb = { value = 1.5, unit = \"instances\", src = \"p\" }\ntypo = 1",
        )
        .unwrap();
        let s = sources();
        let ctx = Ctx::new("f.toml", &s);
        let t = Table::new(&ctx, &doc, "").unwrap();
        assert_eq!(t.count("a", "instances").unwrap(), 2);
        assert!(ctx.seen.borrow()["a"].assumption);
        let e = t.count("b", "instances").unwrap_err();
        assert!(e.to_string().contains("not a whole number"), "{e}");
        let e = t.finish().unwrap_err();
        assert!(
            e.to_string()
                .starts_with("f.toml line 3: typo: unknown field"),
            "{e}"
        );
    }

    #[test]
    fn choice_lists_allowed_values() {
        let doc = parse("kind = \"lambda\"").unwrap();
        let s = sources();
        let mut ctx = Ctx::new("f.toml", &s);
        ctx.offer = Some("o1".into());
        let t = Table::new(&ctx, &doc, "").unwrap();
        let e = t
            .choice("kind", &["serverless", "managed", "server"])
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.toml line 1: offer o1: kind: unknown value \"lambda\", expected one of serverless, managed, server"
        );
    }
}
