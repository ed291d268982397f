//! Importers: arrival traces from count series and from public FaaS traces.
//!
//! Counts become arrivals by a seeded [`Spread`] rule inside each interval.

pub mod azure;
pub mod counts;
pub mod limits;
mod spread;

pub use spread::{Interval, Spread, Spreader};
