//! Reshaping a trace: cut a window, change its speed, scale its rate, join two.
//!
//! The transforms work on a [`Trace`] in memory (8 bytes a request, plus the
//! classes when there are any): they are one-off edits, and sorting an
//! unsorted input needs the whole trace anyway. Classes follow their requests.

use super::generate::SortedUniform;
use super::Trace;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Keeps the arrivals in `[start_s, end_s)` (to the end when `end_s` is `None`).
///
/// With `rebase` the window's start becomes t = 0, so the result is again a
/// trace "from the start"; without it the original times are kept.
pub fn cut(trace: Trace, start_s: f64, end_s: Option<f64>, rebase: bool) -> Trace {
    let end_s = end_s.unwrap_or(f64::INFINITY);
    let keep = |t: f64| t >= start_s && t < end_s;
    let shift = if rebase { start_s } else { 0.0 };
    let Trace { times, classes } = trace;
    match classes {
        None => Trace {
            times: times
                .into_iter()
                .filter(|&t| keep(t))
                .map(|t| t - shift)
                .collect(),
            classes: None,
        },
        Some(classes) => {
            let (times, classes) = times
                .into_iter()
                .zip(classes)
                .filter(|(t, _)| keep(*t))
                .map(|(t, c)| (t - shift, c))
                .unzip();
            Trace {
                times,
                classes: Some(classes),
            }
        }
    }
}

/// Plays the trace `factor` times faster (every time divided by `factor`):
/// 2 halves the duration and doubles every rate.
pub fn speed(mut trace: Trace, factor: f64) -> Trace {
    for t in &mut trace.times {
        *t /= factor;
    }
    trace
}

/// Multiplies the request rate by `factor` while keeping the trace's shape and duration.
///
/// Each arrival is kept `floor(factor)` times, plus once more with probability
/// `factor - floor(factor)`: below 1 this thins the trace, above 1 it
/// replicates it. The first copy keeps the original time; the extra copies
/// fall uniformly in the gap up to the next arrival (the previous gap for the
/// last one), so bursts stay bursts and no two copies coincide. Seeded.
pub fn scale_rate(trace: Trace, factor: f64, seed: u64) -> Trace {
    let mut rng = StdRng::seed_from_u64(seed);
    let whole = factor.floor() as u64;
    let frac = factor - factor.floor();
    let n = trace.times.len();
    let mut times = Vec::with_capacity((n as f64 * factor * 1.01) as usize + 16);
    let mut classes = trace.classes.as_ref().map(|_| Vec::new());
    for i in 0..n {
        let t = trace.times[i];
        let copies = whole + u64::from(rng.random::<f64>() < frac);
        if copies == 0 {
            continue;
        }
        let gap = if i + 1 < n {
            trace.times[i + 1] - t
        } else if i > 0 {
            t - trace.times[i - 1]
        } else {
            0.0
        };
        times.push(t);
        let mut extra = SortedUniform::new(t, gap, copies - 1);
        while let Some(x) = extra.next_with(&mut rng) {
            times.push(x);
        }
        if let (Some(out), Some(src)) = (classes.as_mut(), trace.classes.as_ref()) {
            out.extend(std::iter::repeat_n(src[i].clone(), copies as usize));
        }
    }
    Trace { times, classes }
}

/// `first`, then `second` starting `gap_s` after the last arrival of `first`.
///
/// When only one has classes, the other's requests get an empty class.
pub fn concat(first: Trace, second: Trace, gap_s: f64) -> Trace {
    let offset = first.duration_s() + gap_s;
    let classes = if first.classes.is_some() || second.classes.is_some() {
        let blank = |t: &Trace| vec![String::new(); t.len()];
        let mut c = first.classes.clone().unwrap_or_else(|| blank(&first));
        c.extend(second.classes.clone().unwrap_or_else(|| blank(&second)));
        Some(c)
    } else {
        None
    };
    let mut times = first.times;
    times.extend(second.times.iter().map(|t| t + offset));
    Trace { times, classes }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(times: &[f64]) -> Trace {
        Trace::from_times(times.to_vec())
    }

    #[test]
    fn cut_keeps_the_window_rebased_or_not() {
        let t = trace(&[0.5, 1.0, 2.0, 3.0, 4.5]);
        assert_eq!(cut(t.clone(), 1.0, Some(3.0), true).times, vec![0.0, 1.0]);
        assert_eq!(cut(t.clone(), 1.0, Some(3.0), false).times, vec![1.0, 2.0]);
        assert_eq!(cut(t, 2.0, None, true).times, vec![0.0, 1.0, 2.5]);
    }

    #[test]
    fn cut_keeps_classes_with_their_requests() {
        let t = Trace::with_classes(
            vec![1.0, 2.0, 3.0],
            vec!["a".into(), "b".into(), "c".into()],
        )
        .unwrap();
        let c = cut(t, 1.5, None, true);
        assert_eq!(c.times, vec![0.5, 1.5]);
        assert_eq!(c.classes.unwrap(), vec!["b", "c"]);
    }

    #[test]
    fn speed_divides_every_time() {
        assert_eq!(speed(trace(&[1.0, 3.0]), 2.0).times, vec![0.5, 1.5]);
        assert_eq!(speed(trace(&[1.0, 3.0]), 0.5).times, vec![2.0, 6.0]);
    }

    #[test]
    fn scale_rate_by_whole_numbers_is_exact() {
        let t = trace(&(0..1000).map(|i| i as f64).collect::<Vec<_>>());
        let s = scale_rate(t.clone(), 3.0, 1);
        assert_eq!(s.len(), 3000);
        assert!(s.times.windows(2).all(|w| w[0] <= w[1]));
        // Every original time is kept, and each second still holds 3 arrivals.
        assert!(t.times.iter().all(|x| s.times.contains(x)));
        for k in 0..999 {
            let n = s
                .times
                .iter()
                .filter(|&&x| x >= k as f64 && x < k as f64 + 1.0)
                .count();
            assert_eq!(n, 3, "second {k}");
        }
        assert_eq!(scale_rate(t.clone(), 1.0, 1), t);
        assert!(scale_rate(t, 0.0, 1).is_empty());
    }

    #[test]
    fn scale_rate_by_fractions_thins_and_replicates_on_average() {
        let t = trace(&(0..100_000).map(|i| i as f64 * 0.01).collect::<Vec<_>>());
        // Binomial counts: sd 158 and 145; allow 5 sd.
        let thin = scale_rate(t.clone(), 0.5, 2).len() as f64;
        assert!((thin - 50_000.0).abs() < 800.0, "{thin}");
        let more = scale_rate(t.clone(), 1.5, 2).len() as f64;
        assert!((more - 150_000.0).abs() < 800.0, "{more}");
        assert_eq!(scale_rate(t.clone(), 0.5, 2), scale_rate(t, 0.5, 2));
    }

    #[test]
    fn scale_rate_copies_classes() {
        let t = Trace::with_classes(vec![1.0, 2.0], vec!["a".into(), "b".into()]).unwrap();
        let s = scale_rate(t, 2.0, 1);
        assert_eq!(s.classes.unwrap(), vec!["a", "a", "b", "b"]);
        assert_eq!(s.times[2], 2.0);
        assert!(
            s.times[3] > 2.0 && s.times[3] < 3.0,
            "last copy uses the previous gap"
        );
    }

    #[test]
    fn concat_appends_after_the_last_arrival() {
        let c = concat(trace(&[0.0, 2.0]), trace(&[0.5, 1.0]), 1.0);
        assert_eq!(c.times, vec![0.0, 2.0, 3.5, 4.0]);
        assert_eq!(c.classes, None);
        let with = Trace::with_classes(vec![0.0], vec!["x".into()]).unwrap();
        let c = concat(trace(&[1.0]), with, 0.0);
        assert_eq!(c.times, vec![1.0, 1.0]);
        assert_eq!(c.classes.unwrap(), vec!["", "x"]);
    }
}
