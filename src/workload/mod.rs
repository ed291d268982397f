//! Workloads: request traces, generators, importers and statistics.
//!
//! A trace is a CSV file with a header naming a `t_s` column (arrival times in
//! seconds from the start, written with 6 decimals) and optionally a `class`
//! column; other columns are ignored. Reading streams in constant memory
//! ([`ArrivalReader`], [`sorted_arrivals`], [`stats_file`]); a [`Trace`] vector
//! is built only when asked.

pub mod generate;
pub mod import;
pub mod limits;
mod order;
pub mod parse;
mod reader;
mod records;
mod sorted;
pub mod stats;
mod trace;
pub mod transform;
mod writer;

pub use order::OrderCheck;
pub use reader::{ArrivalReader, CLASS_COLUMN, TIME_COLUMN};
pub use sorted::{open_sorted, scan, sorted_arrivals, Arrivals, Scan, SortedArrivals};
pub use stats::{stats, stats_file, StatsBuilder, TraceStats};
pub use trace::Trace;
pub use writer::TraceWriter;
