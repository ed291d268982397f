//! Upper bounds on the figures of a price file, so that costs computed from
//! them stay finite (a price of 1e308 times any usage is infinite).

/// Largest price figure accepted, in the unit it is written in (USD per
/// hour, per GB-second, per million requests, ...).
pub const MAX_PRICE: f64 = 1e9;

/// Largest non-price figure accepted (memory, timeouts, rates, counts).
pub const MAX_FIGURE: f64 = 1e15;

/// The complaint about `raw`, when it is past its bound.
pub fn check(raw: f64, is_price: bool) -> Option<String> {
    let (max, what) = if is_price {
        (MAX_PRICE, "price")
    } else {
        (MAX_FIGURE, "value")
    };
    (raw > max).then(|| format!("{what} {raw:e} is too large, expected at most {max:e}"))
}
