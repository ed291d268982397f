//! The constraint form: three text fields, edited in place, checked on submit.
//!
//! Pure data and parsing; the form is drawn by `screens::form`. A value
//! that does not parse keeps the form open with a message naming the field,
//! so a typo never reaches the advice.

use crate::advise::{BudgetPer, Constraints};

/// The targets as the form edits them, in the units a person types.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Targets {
    /// Highest acceptable p95 latency, ms (`None`: no target).
    pub slo_p95_ms: Option<f64>,
    /// Lowest acceptable success ratio, 0..1.
    pub min_success_ratio: f64,
    /// Most one may spend per month, USD (`None`: no budget).
    pub budget_usd_per_month: Option<f64>,
}

impl Targets {
    /// The targets of a set of constraints (per-month budgets; a per-trace
    /// budget is shown as none, since the form edits monthly ones).
    pub fn of(c: &Constraints) -> Targets {
        Targets {
            slo_p95_ms: c.slo_p95_s.map(|s| s * 1e3),
            min_success_ratio: c.min_success_ratio,
            budget_usd_per_month: match c.budget_per {
                BudgetPer::Month => c.budget_usd,
                BudgetPer::Trace => None,
            },
        }
    }

    /// `c` with these targets; the fields the form does not edit stay as
    /// they were. An unchanged budget keeps its basis.
    pub fn apply(&self, c: &Constraints) -> Constraints {
        let mut out = c.clone();
        out.slo_p95_s = self.slo_p95_ms.map(|ms| ms / 1e3);
        out.min_success_ratio = self.min_success_ratio;
        if Targets::of(c).budget_usd_per_month != self.budget_usd_per_month {
            out.budget_usd = self.budget_usd_per_month;
            out.budget_per = BudgetPer::Month;
        }
        out
    }
}

/// One field of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// What it is, with its unit.
    pub label: &'static str,
    /// The text typed so far.
    pub value: String,
    /// What an empty field means.
    pub empty_means: &'static str,
}

/// The open form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// SLO p95 (ms), minimum success (%), budget (USD per month).
    pub fields: [Field; 3],
    /// The field being edited.
    pub focus: usize,
    /// Why the last submit was refused.
    pub error: Option<String>,
}

/// Longest text a field takes (the form is small).
const MAX_LEN: usize = 12;

impl Form {
    /// A form showing the current targets.
    pub fn new(t: &Targets) -> Form {
        let num = |x: f64| {
            let s = format!("{x:.4}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            s.to_string()
        };
        Form {
            fields: [
                Field {
                    label: "SLO p95 latency (ms)",
                    value: t.slo_p95_ms.map(num).unwrap_or_default(),
                    empty_means: "the default p95 for interactive serving",
                },
                Field {
                    label: "Minimum success (%)",
                    value: num(t.min_success_ratio * 100.0),
                    empty_means: "99.9%",
                },
                Field {
                    label: "Budget (USD / month)",
                    value: t.budget_usd_per_month.map(num).unwrap_or_default(),
                    empty_means: "no budget",
                },
            ],
            focus: 0,
            error: None,
        }
    }

    /// Types a character into the focused field; only characters of a
    /// number are taken.
    pub fn type_char(&mut self, c: char) {
        let f = &mut self.fields[self.focus];
        if (c.is_ascii_digit() || c == '.') && f.value.len() < MAX_LEN {
            f.value.push(c);
            self.error = None;
        }
    }

    /// Deletes the last character of the focused field.
    pub fn backspace(&mut self) {
        self.fields[self.focus].value.pop();
        self.error = None;
    }

    /// Moves the focus `step` fields, wrapping around.
    pub fn move_focus(&mut self, step: isize) {
        let n = self.fields.len() as isize;
        self.focus = (self.focus as isize + step).rem_euclid(n) as usize;
    }

    /// The targets the fields say, or a message naming the field that is wrong.
    pub fn parse(&self) -> Result<Targets, String> {
        let number = |i: usize| -> Result<Option<f64>, String> {
            let f = &self.fields[i];
            let v = f.value.trim();
            if v.is_empty() {
                return Ok(None);
            }
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Some)
                .ok_or_else(|| format!("{}: `{v}` is not a number", f.label))
        };
        let slo = number(0)?;
        if let Some(ms) = slo {
            if ms <= 0.0 {
                return Err(format!("{}: expected more than 0 ms", self.fields[0].label));
            }
        }
        let success = number(1)?.unwrap_or(99.9);
        if !(0.0..=100.0).contains(&success) {
            return Err(format!("{}: expected 0 to 100", self.fields[1].label));
        }
        let budget = number(2)?;
        if let Some(b) = budget {
            if b <= 0.0 {
                return Err(format!("{}: expected more than $0", self.fields[2].label));
            }
        }
        Ok(Targets {
            slo_p95_ms: slo,
            // Rounded so that 99.9 reads back as exactly the 0.999 it came
            // from: an untouched form must not count as a change.
            min_success_ratio: (success / 100.0 * 1e9).round() / 1e9,
            budget_usd_per_month: budget,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Targets {
        Targets {
            slo_p95_ms: Some(250.0),
            min_success_ratio: 0.999,
            budget_usd_per_month: None,
        }
    }

    #[test]
    fn shows_the_current_targets_and_parses_them_back() {
        let f = Form::new(&targets());
        assert_eq!(f.fields[0].value, "250");
        assert_eq!(f.fields[1].value, "99.9");
        assert_eq!(f.fields[2].value, "");
        assert_eq!(f.parse().unwrap(), targets());
    }

    #[test]
    fn typing_takes_only_number_characters() {
        let mut f = Form::new(&targets());
        f.move_focus(2);
        for c in "12x.5q".chars() {
            f.type_char(c);
        }
        assert_eq!(f.fields[2].value, "12.5");
        f.backspace();
        assert_eq!(f.fields[2].value, "12.");
        assert_eq!(f.parse().unwrap().budget_usd_per_month, Some(12.0));
        f.move_focus(1);
        assert_eq!(f.focus, 0);
        f.move_focus(-1);
        assert_eq!(f.focus, 2);
    }

    #[test]
    fn targets_map_onto_constraints_and_back() {
        let c = Constraints {
            slo_avg_s: Some(0.1),
            budget_usd: Some(5.0),
            budget_per: BudgetPer::Trace,
            ..Constraints::default()
        };
        let t = Targets::of(&c);
        assert_eq!(t.budget_usd_per_month, None);
        assert_eq!(t.apply(&c), c, "unchanged targets keep every field");
        let t = Targets {
            slo_p95_ms: Some(200.0),
            min_success_ratio: 0.99,
            budget_usd_per_month: Some(30.0),
        };
        let out = t.apply(&c);
        assert_eq!(out.slo_p95_s, Some(0.2));
        assert_eq!(out.slo_avg_s, Some(0.1));
        assert_eq!(out.budget_usd, Some(30.0));
        assert_eq!(out.budget_per, BudgetPer::Month);
        assert_eq!(Targets::of(&out), t);
    }

    #[test]
    fn bad_values_name_the_field() {
        let mut f = Form::new(&targets());
        f.fields[0].value = "1..2".into();
        assert!(f.parse().unwrap_err().starts_with("SLO p95 latency (ms)"));
        f.fields[0].value = "0".into();
        assert!(f.parse().unwrap_err().contains("more than 0"));
        f.fields[0].value.clear();
        f.fields[1].value = "101".into();
        assert!(f.parse().unwrap_err().starts_with("Minimum success"));
        f.fields[1].value.clear();
        let t = f.parse().unwrap();
        assert_eq!(t.slo_p95_ms, None);
        assert!((t.min_success_ratio - 0.999).abs() < 1e-12);
    }
}
