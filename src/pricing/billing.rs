//! Billing rules (placeholder until the full rules land).

use super::Billing;

impl Billing {
    /// USD per request.
    pub fn per_request_usd(&self) -> f64 {
        match self {
            Billing::Invocation { per_request_usd, .. }
            | Billing::ActiveInstance { per_request_usd, .. } => *per_request_usd,
            Billing::Hourly { .. } => 0.0,
        }
    }

    /// Compute cost of one invocation.
    pub fn invocation_usd(&self, run_s: f64, memory_mb: f64, _vcpu: f64) -> f64 {
        match self {
            Billing::Invocation {
                per_gb_s_usd,
                per_ghz_s_usd,
                cpu_ghz,
                granularity_s,
                ..
            } => {
                let g = granularity_s.max(1e-9);
                let billed = (run_s / g).ceil() * g;
                billed * (memory_mb / 1024.0 * per_gb_s_usd + cpu_ghz * per_ghz_s_usd)
            }
            _ => 0.0,
        }
    }

    /// Cost of an active period.
    pub fn active_usd(&self, active_s: f64, memory_mb: f64, vcpu: f64) -> f64 {
        match self {
            Billing::ActiveInstance {
                per_vcpu_s_usd,
                per_gib_s_usd,
                granularity_s,
                ..
            } => {
                let g = granularity_s.max(1e-9);
                let billed = (active_s / g).ceil() * g;
                billed * (vcpu * per_vcpu_s_usd + memory_mb / 1024.0 * per_gib_s_usd)
            }
            _ => 0.0,
        }
    }

    /// Cost of holding one instance.
    pub fn instance_usd(&self, held_s: f64) -> f64 {
        match self {
            Billing::Hourly {
                per_hour_usd,
                granularity_s,
                minimum_s,
            } => {
                let g = granularity_s.max(1e-9);
                let billed = ((held_s / g).ceil() * g).max(*minimum_s);
                billed / 3600.0 * per_hour_usd
            }
            _ => 0.0,
        }
    }
}
