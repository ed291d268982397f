//! Plain-text tables for the commands' readable output.

/// A table of left- or right-aligned columns.
#[derive(Debug, Clone, Default)]
pub struct Table {
    head: Vec<String>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles; titles starting with `>` are right-aligned
    /// (the `>` is not printed).
    pub fn new(head: &[&str]) -> Self {
        Table {
            head: head
                .iter()
                .map(|h| h.trim_start_matches('>').to_string())
                .collect(),
            right: head.iter().map(|h| h.starts_with('>')).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are blank).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as text, one line per row, columns two spaces apart.
    pub fn render(&self) -> String {
        let n = self.head.len();
        let mut width: Vec<usize> = self.head.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                width[i] = width[i].max(c.chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |cells: &[String]| {
            let mut s = String::new();
            for (i, w) in width.iter().enumerate() {
                let c = cells.get(i).map(String::as_str).unwrap_or("");
                let pad = w.saturating_sub(c.chars().count());
                if i > 0 {
                    s.push_str("  ");
                }
                if self.right[i] {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    if i + 1 < n {
                        s.push_str(&" ".repeat(pad));
                    }
                }
            }
            out.push_str(s.trim_end());
            out.push('\n');
        };
        line(&self.head);
        for r in &self.rows {
            line(r);
        }
        out
    }
}

/// Seconds as a short human figure: `850 us`, `12.3 ms`, `1.25 s`, `3.1 min`.
pub fn secs(s: f64) -> String {
    if !s.is_finite() {
        return "-".to_string();
    }
    if s < 1e-3 {
        format!("{:.0} us", s * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else if s < 120.0 {
        format!("{s:.2} s")
    } else {
        format!("{:.1} min", s / 60.0)
    }
}

/// Dollars with enough digits to tell small amounts apart.
pub fn usd(x: f64) -> String {
    if x == 0.0 {
        "$0".to_string()
    } else if x.abs() < 0.01 {
        format!("${x:.5}")
    } else if x.abs() < 100.0 {
        format!("${x:.3}")
    } else {
        format!("${x:.0}")
    }
}

/// A ratio as a percentage with one decimal.
pub fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns() {
        let mut t = Table::new(&["offer", ">cost"]);
        t.row(vec!["a".into(), "$1".into()]);
        t.row(vec!["long-name".into(), "$10.5".into()]);
        assert_eq!(
            t.render(),
            "offer       cost\na             $1\nlong-name  $10.5\n"
        );
    }

    #[test]
    fn figures() {
        assert_eq!(secs(0.0123), "12.3 ms");
        assert_eq!(secs(2.5), "2.50 s");
        assert_eq!(secs(0.0005), "500 us");
        assert_eq!(usd(0.009), "$0.00900");
        assert_eq!(pct(0.9995), "100.0%");
    }
}
