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

#[cfg(test)]
mod tests {
    use crate::platform::cold_start::ColdStartPhases;
    use crate::pricing::snapshot;

    #[test]
    fn cold_starts_match_the_studys_averages() {
        let p = crate::profile::bundled::get("mobilenetv2").unwrap();
        let s = snapshot::builtin("study-2020").unwrap();
        for (id, study) in super::figures::COLD_START_S {
            let o = s.offer(id).unwrap();
            let vcpu = o
                .spec
                .mb_per_vcpu
                .map(|m| o.spec.memory_mb / m)
                .unwrap_or(o.spec.vcpu);
            let got = ColdStartPhases::new(&p, o, vcpu).total_s();
            assert!(
                (got / study - 1.0).abs() < 0.03,
                "{id}: {got:.2} s, study {study} s"
            );
        }
    }
}
