//! The study this product is calibrated on, reproduced: its grid of systems,
//! models and workloads, its published figures, and checks of its findings.
//!
//! [`reproduce`] simulates every cell from the `study-2020` snapshot, the
//! three preset workloads and two reference profiles; [`checks`] tests the
//! study's findings (PAPER.md "Findings to calibrate on") on the result.

pub mod checks;
pub mod figures;
pub mod grid;

pub use checks::{checks, Check};
pub use grid::{reproduce, Cell, Row, StudyReport};
