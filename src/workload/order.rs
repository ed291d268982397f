//! Noticing out-of-order arrival times while streaming.

use std::path::Path;

/// Counts arrivals earlier than one already seen, in one pass.
#[derive(Debug, Clone, Copy)]
pub struct OrderCheck {
    max_s: f64,
    out_of_order: u64,
    first_line: u64,
}

impl Default for OrderCheck {
    fn default() -> Self {
        OrderCheck {
            max_s: f64::NEG_INFINITY,
            out_of_order: 0,
            first_line: 0,
        }
    }
}

impl OrderCheck {
    /// Notes the arrival at `t_s`, read from `line`.
    #[inline]
    pub fn push(&mut self, t_s: f64, line: u64) {
        if t_s < self.max_s {
            if self.out_of_order == 0 {
                self.first_line = line;
            }
            self.out_of_order += 1;
        } else {
            self.max_s = t_s;
        }
    }

    /// True while every arrival came no earlier than all before it.
    pub fn is_sorted(&self) -> bool {
        self.out_of_order == 0
    }

    /// Arrivals earlier than an arrival listed before them.
    pub fn out_of_order(&self) -> u64 {
        self.out_of_order
    }

    /// The latest time seen (negative infinity before any).
    pub fn max_s(&self) -> f64 {
        self.max_s
    }

    /// The warning to print for `path`, when anything was out of order.
    pub fn warning(&self, path: &Path) -> Option<String> {
        (!self.is_sorted()).then(|| {
            format!(
                "{}: {} arrival times out of order (the first at line {}); sorted them in memory",
                path.display(),
                self.out_of_order,
                self.first_line
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_arrivals_earlier_than_the_latest_seen() {
        let mut c = OrderCheck::default();
        for (i, t) in [1.0, 1.0, 5.0, 2.0, 6.0, 3.0].into_iter().enumerate() {
            c.push(t, i as u64 + 2);
        }
        assert_eq!(c.out_of_order(), 2);
        assert_eq!(c.max_s(), 6.0);
        let w = c.warning(Path::new("a.csv")).unwrap();
        assert_eq!(
            w,
            "a.csv: 2 arrival times out of order (the first at line 5); sorted them in memory"
        );
    }

    #[test]
    fn sorted_input_gives_no_warning() {
        let mut c = OrderCheck::default();
        c.push(0.0, 2);
        c.push(0.0, 3);
        assert!(c.is_sorted());
        assert_eq!(c.warning(Path::new("a.csv")), None);
    }
}
