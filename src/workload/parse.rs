//! Parsing and formatting of arrival times, the hot path of every trace read.
//!
//! Reading a trace must stay well above the simulator's 5 million requests per
//! second, so the common case (a plain decimal such as `12.345678`) is parsed
//! by hand; anything else falls back to `str::parse::<f64>`, which gives the
//! same value for the plain case anyway (see [`parse_plain_decimal`]).

use std::fmt;

/// Why a field is not a valid arrival time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeError {
    /// The field is empty.
    Empty,
    /// The field is not a number.
    NotANumber,
    /// The field is NaN or infinite.
    NotFinite,
    /// The field is a negative number.
    Negative,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeError::Empty => "empty field",
            TimeError::NotANumber => "not a number",
            TimeError::NotFinite => "not a finite number",
            TimeError::Negative => "a negative time",
        })
    }
}

/// Powers of ten that an `f64` holds exactly (10^0 ..= 10^15).
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The same powers as integers.
const POW10_U64: [u64; 16] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
];

/// Parses an unsigned plain decimal (`123`, `12.5`, `.5`, `5.`) of at most 15
/// digits; `None` for anything else, so that the caller can fall back.
///
/// With at most 15 digits the digits form an integer below 2^53 and the divisor
/// is an exact power of ten, so the single IEEE division is correctly rounded:
/// the result is bit-for-bit what `str::parse::<f64>` returns.
#[inline]
pub fn parse_plain_decimal(b: &[u8]) -> Option<f64> {
    // 15 digits and a dot at most; the check also keeps the accumulator from overflowing.
    if b.is_empty() || b.len() > 16 {
        return None;
    }
    // Integer and fraction digits accumulate separately: two short dependency
    // chains instead of one long one.
    let mut int: u64 = 0;
    let mut i = 0;
    while i < b.len() {
        let d = b[i].wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        int = int * 10 + u64::from(d);
        i += 1;
    }
    let int_digits = i;
    let mut frac: u64 = 0;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() {
            let d = b[i].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            frac = frac * 10 + u64::from(d);
            i += 1;
        }
        frac_digits = i - start;
    }
    let digits = int_digits + frac_digits;
    if i != b.len() || digits == 0 || digits > 15 {
        return None;
    }
    let mantissa = int * POW10_U64[frac_digits] + frac;
    Some(mantissa as f64 / POW10[frac_digits])
}

/// Parses an arrival time in seconds: a finite number >= 0.
///
/// Surrounding spaces are allowed; `-0` reads as `0`.
#[inline]
pub fn parse_time(b: &[u8]) -> Result<f64, TimeError> {
    match parse_plain_decimal(b) {
        Some(t) => Ok(t),
        None => parse_time_slow(b),
    }
}

#[cold]
fn parse_time_slow(b: &[u8]) -> Result<f64, TimeError> {
    let s = std::str::from_utf8(b)
        .map_err(|_| TimeError::NotANumber)?
        .trim();
    if s.is_empty() {
        return Err(TimeError::Empty);
    }
    let t: f64 = s.parse().map_err(|_| TimeError::NotANumber)?;
    if !t.is_finite() {
        Err(TimeError::NotFinite)
    } else if t < 0.0 {
        Err(TimeError::Negative)
    } else {
        Ok(t + 0.0) // turns -0.0 into 0.0
    }
}

/// Parses a non-negative integer count (digits only, surrounding spaces allowed).
pub fn parse_count(b: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(b).ok()?.trim();
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A field for an error message: lossy UTF-8, at most 40 characters.
pub fn show_field(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push_str("...");
    }
    out
}

/// The largest time a trace file holds, in seconds (about 285,000 years):
/// beyond it the microseconds no longer fit the integer the writer uses.
pub const MAX_TIME_S: f64 = 9.0e12;

/// Writes `t` with exactly 6 decimals (microseconds) into `buf` and returns the
/// length; `None` when `t` is negative, not finite or above [`MAX_TIME_S`].
///
/// The time is rounded to the nearest microsecond. Hand-written because
/// `format!("{:.6}")` costs several times more than the rest of a row.
#[inline]
pub fn format_micros(t: f64, buf: &mut [u8; 32]) -> Option<usize> {
    let us = t * 1e6;
    if !(0.0..=MAX_TIME_S * 1e6).contains(&us) {
        return None;
    }
    // Adding a half and truncating rounds like `f64::round` for these
    // non-negative values, without the libm call `round` costs on baseline x86-64.
    let us = (us + 0.5) as u64;
    let (int, frac) = (us / 1_000_000, us % 1_000_000);
    let mut n = 0;
    // Integer part: digits into a scratch array, then reversed into place.
    let mut tmp = [0u8; 20];
    let mut k = 0;
    let mut v = int;
    loop {
        tmp[k] = b'0' + (v % 10) as u8;
        k += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    while k > 0 {
        k -= 1;
        buf[n] = tmp[k];
        n += 1;
    }
    buf[n] = b'.';
    n += 1;
    let mut f = frac;
    for i in (0..6).rev() {
        buf[n + i] = b'0' + (f % 10) as u8;
        f /= 10;
    }
    Some(n + 6)
}

/// Rounds a time to the microsecond, the resolution traces are written with.
#[inline]
pub fn round_micros(t: f64) -> f64 {
    (t * 1e6).round() / 1e6
}

/// Whole microseconds in `s` seconds (>= 0), rounded to nearest.
#[inline]
pub fn to_micros(s: f64) -> u64 {
    (s * 1e6 + 0.5) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn plain_decimals_match_std_parse_bit_for_bit() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..200_000 {
            let int: u64 = rng.random_range(0..1_000_000_000);
            let decimals = rng.random_range(0..=6);
            let frac: u64 = rng.random_range(0..10u64.pow(decimals));
            let s = if decimals == 0 {
                format!("{int}")
            } else {
                format!("{int}.{frac:0width$}", width = decimals as usize)
            };
            let fast = parse_plain_decimal(s.as_bytes());
            let std: f64 = s.parse().unwrap();
            if let Some(fast) = fast {
                assert_eq!(fast.to_bits(), std.to_bits(), "{s}");
            } else {
                assert!(s.len() > 16, "{s} should take the fast path");
            }
        }
    }

    #[test]
    fn fast_path_declines_what_it_cannot_do_exactly() {
        for s in [
            "",
            ".",
            "-1",
            "+1",
            "1e3",
            "1.2.3",
            " 1",
            "12345678901234567",
            "nan",
        ] {
            assert_eq!(parse_plain_decimal(s.as_bytes()), None, "{s}");
        }
        assert_eq!(parse_plain_decimal(b".5"), Some(0.5));
        assert_eq!(parse_plain_decimal(b"5."), Some(5.0));
    }

    #[test]
    fn times_are_finite_and_not_negative() {
        assert_eq!(parse_time(b"1.5"), Ok(1.5));
        assert_eq!(parse_time(b" 2.25 "), Ok(2.25));
        assert_eq!(parse_time(b"1e2"), Ok(100.0));
        assert_eq!(parse_time(b"-0"), Ok(0.0));
        assert!(parse_time(b"-0").unwrap().is_sign_positive());
        assert_eq!(parse_time(b""), Err(TimeError::Empty));
        assert_eq!(parse_time(b"  "), Err(TimeError::Empty));
        assert_eq!(parse_time(b"abc"), Err(TimeError::NotANumber));
        assert_eq!(parse_time(b"NaN"), Err(TimeError::NotFinite));
        assert_eq!(parse_time(b"inf"), Err(TimeError::NotFinite));
        assert_eq!(parse_time(b"-1"), Err(TimeError::Negative));
        assert_eq!(parse_time(&[0xff, b'1']), Err(TimeError::NotANumber));
    }

    #[test]
    fn counts_are_whole_numbers() {
        assert_eq!(parse_count(b"12"), Some(12));
        assert_eq!(parse_count(b" 0 "), Some(0));
        for s in ["1.5", "-1", "", "1e3", "x"] {
            assert_eq!(parse_count(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn micros_formatting_matches_std_and_round_trips() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let mut buf = [0u8; 32];
        for _ in 0..100_000 {
            // Values already on the microsecond grid format exactly like std.
            let us: u64 = rng.random_range(0..10_000_000_000_000);
            let t = us as f64 / 1e6;
            let n = format_micros(t, &mut buf).unwrap();
            let s = std::str::from_utf8(&buf[..n]).unwrap();
            assert_eq!(s, format!("{t:.6}"));
            assert_eq!(s.parse::<f64>().unwrap(), t);
        }
        let n = format_micros(0.0, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"0.000000");
        let n = format_micros(1.9999996, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"2.000000");
        let n = format_micros(MAX_TIME_S, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"9000000000000.000000");
        assert_eq!(format_micros(1e20, &mut buf), None);
        assert_eq!(format_micros(-1.0, &mut buf), None);
        assert_eq!(format_micros(f64::NAN, &mut buf), None);
    }

    #[test]
    fn long_fields_are_shortened_in_messages() {
        let long = "x".repeat(100);
        assert_eq!(show_field(long.as_bytes()).len(), 43);
        assert_eq!(show_field(b"abc"), "abc");
    }
}
