//! How advisor's figures read to a person: numbers with their units
//! ([`units`]), targets and comparisons in words ([`words`]), plain-text
//! tables ([`table`]), options by name ([`variant::readable`]), ranges from
//! the CPU sources ([`range`]). The verdict, the report and the screens all write
//! through these, so a figure reads the same wherever it appears.

pub mod range;
pub mod table;
pub mod units;
pub mod variant;
pub mod words;

pub use table::Table;
pub use units::{figure, label, mb, money, pct, pct_fine, secs, usd, wait};
pub use variant::{brief, named, readable};
pub use words::{
    achieved, against_best, constraints, figures, meets, no_latency_target, targets, wrap,
};
