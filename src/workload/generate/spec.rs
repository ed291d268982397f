//! Reading generator parameters from command-line values.

use super::piecewise::Segment;
use crate::error::bad_input;
use anyhow::Result;

/// A comma-separated list of numbers >= 0 (`5,40`), for `flag`.
pub fn parse_rates(flag: &str, text: &str) -> Result<Vec<f64>> {
    text.split(',')
        .map(|s| {
            let s = s.trim();
            match s.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
                _ => Err(bad_input(format!(
                    "{flag}: expected comma-separated numbers >= 0 (per second), found \"{s}\""
                ))),
            }
        })
        .collect()
}

/// A positive finite number of seconds (or a factor), for `flag`.
pub fn positive(flag: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(bad_input(format!(
            "{flag}: expected a number > 0, found {v}"
        )))
    }
}

/// A finite number >= 0, for `flag`.
pub fn non_negative(flag: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(bad_input(format!(
            "{flag}: expected a number >= 0, found {v}"
        )))
    }
}

/// `--steps "0:5,60:50,120:5"`: from each time on (seconds), the rate (req/s)
/// until the next time or `duration_s`. Before the first time the rate is 0.
pub fn parse_steps(text: &str, duration_s: f64) -> Result<Vec<Segment>> {
    let mut points: Vec<(f64, f64)> = Vec::new();
    for pair in text.split(',') {
        let pair = pair.trim();
        let bad = || {
            bad_input(format!(
                "--steps: expected TIME_S:RATE pairs like \"0:5,60:50\" with increasing times >= 0 and rates >= 0, found \"{pair}\""
            ))
        };
        let (t, r) = pair.split_once(':').ok_or_else(bad)?;
        let t: f64 = t.trim().parse().map_err(|_| bad())?;
        let r: f64 = r.trim().parse().map_err(|_| bad())?;
        let increasing = points.last().is_none_or(|&(prev, _)| t > prev);
        if !(t.is_finite() && t >= 0.0 && r.is_finite() && r >= 0.0 && increasing) {
            return Err(bad());
        }
        if t >= duration_s {
            return Err(bad_input(format!(
                "--steps: step at {t} s starts at or after --duration {duration_s} s"
            )));
        }
        points.push((t, r));
    }
    Ok(points
        .iter()
        .enumerate()
        .map(|(i, &(t, r))| Segment {
            start_s: t,
            end_s: points.get(i + 1).map_or(duration_s, |p| p.0),
            rate_rps: r,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_lists() {
        assert_eq!(parse_rates("--mmpp", "5, 40").unwrap(), vec![5.0, 40.0]);
        let e = parse_rates("--mmpp", "5,x").unwrap_err().to_string();
        assert!(e.starts_with("--mmpp") && e.contains("\"x\""), "{e}");
        assert!(parse_rates("--mmpp", "5,-1").is_err());
        assert!(parse_rates("--mmpp", "inf").is_err());
    }

    #[test]
    fn steps_become_segments_up_to_the_duration() {
        let s = parse_steps("0:5,60:50,120:5", 180.0).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(
            (s[1].start_s, s[1].end_s, s[1].rate_rps),
            (60.0, 120.0, 50.0)
        );
        assert_eq!(s[2].end_s, 180.0);
    }

    #[test]
    fn bad_steps_are_refused() {
        for bad in ["0:5,0:6", "10:5,5:1", "x:1", "0", "0:-1", "0:5,200:1"] {
            let e = parse_steps(bad, 180.0).unwrap_err().to_string();
            assert!(e.starts_with("--steps"), "{bad}: {e}");
        }
    }

    #[test]
    fn numbers_must_be_in_range() {
        assert!(positive("--duration", 0.0).is_err());
        assert!(positive("--duration", f64::NAN).is_err());
        assert_eq!(positive("--duration", 2.0).unwrap(), 2.0);
        assert!(non_negative("--gap", -1.0).is_err());
        assert_eq!(non_negative("--gap", 0.0).unwrap(), 0.0);
    }
}
