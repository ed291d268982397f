//! The units a figure of the offer files may be written in.
//!
//! Every figure names its unit, and each field accepts only the units of its
//! dimension: `USD/GB-h` where `USD/GB-s` is expected is an error, not a
//! silent factor of 3600. The few conversions offered are the ones providers
//! quote in (per million requests, milliseconds, GiB), and each is exact.

/// What a figure measures; decides the accepted units and the factor to the
/// canonical unit (the first one listed, factor 1) used in [`crate::pricing::Offer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    /// Price per request.
    UsdPerRequest,
    /// Price per GB-second of configured memory.
    UsdPerGbS,
    /// Price per GHz-second of CPU.
    UsdPerGhzS,
    /// Price per vCPU-second.
    UsdPerVcpuS,
    /// Price per GiB-second.
    UsdPerGibS,
    /// Price per instance-hour.
    UsdPerHour,
    /// Price per GPU-second.
    UsdPerGpuS,
    /// Price per GB: of memory restored once (a SnapStart restore), or transferred.
    UsdPerGb,
    /// A duration.
    Seconds,
    /// Memory of an instance or a package.
    Megabytes,
    /// GPU memory.
    Gigabytes,
    /// Download bandwidth.
    MbPerS,
    /// Initialisation time per MB of package.
    SPerMb,
    /// vCPUs.
    Vcpu,
    /// CPU clock.
    Ghz,
    /// A count of something, in the named unit (whole numbers only).
    Count(&'static str),
    /// Instances started per second.
    InstancesPerS,
    /// Requests per instance per minute.
    RequestsPerMin,
    /// A dimensionless factor, in the named unit (`x`, `x T4`).
    Factor(&'static str),
    /// A yes/no fact (no unit).
    Flag,
    /// Events per instance-hour (spot interruptions), canonical `1/instance-h`;
    /// also read as a share of instances per month (730 h) or per day.
    PerInstanceHour,
    /// A share of a price (a discount), canonical as a fraction.
    Share,
}

impl Dim {
    /// Accepted units and how a value in each becomes canonical: `value * (mul / div)`.
    pub fn units(self) -> &'static [(&'static str, f64, f64)] {
        match self {
            Dim::UsdPerRequest => &[("USD/request", 1.0, 1.0), ("USD/1M requests", 1.0, 1e6)],
            Dim::UsdPerGbS => &[("USD/GB-s", 1.0, 1.0)],
            Dim::UsdPerGhzS => &[("USD/GHz-s", 1.0, 1.0)],
            Dim::UsdPerVcpuS => &[("USD/vCPU-s", 1.0, 1.0)],
            Dim::UsdPerGibS => &[("USD/GiB-s", 1.0, 1.0)],
            Dim::UsdPerHour => &[("USD/h", 1.0, 1.0)],
            Dim::UsdPerGpuS => &[("USD/GPU-s", 1.0, 1.0), ("USD/GPU-h", 1.0, 3600.0)],
            Dim::UsdPerGb => &[("USD/GB", 1.0, 1.0)],
            Dim::Seconds => &[
                ("s", 1.0, 1.0),
                ("ms", 1.0, 1e3),
                ("min", 60.0, 1.0),
                ("h", 3600.0, 1.0),
            ],
            Dim::Megabytes => &[("MB", 1.0, 1.0), ("GiB", 1024.0, 1.0)],
            Dim::Gigabytes => &[("GB", 1.0, 1.0)],
            Dim::MbPerS => &[("MB/s", 1.0, 1.0)],
            Dim::SPerMb => &[("s/MB", 1.0, 1.0)],
            Dim::Vcpu => &[("vCPU", 1.0, 1.0)],
            Dim::Ghz => &[("GHz", 1.0, 1.0)],
            Dim::Count(u) => match u {
                "instances" => &[("instances", 1.0, 1.0)],
                "requests" => &[("requests", 1.0, 1.0)],
                "GPUs" => &[("GPUs", 1.0, 1.0)],
                "periods" => &[("periods", 1.0, 1.0)],
                "threads" => &[("threads", 1.0, 1.0)],
                "months" => &[("months", 1.0, 1.0)],
                _ => &[],
            },
            Dim::InstancesPerS => &[("instances/s", 1.0, 1.0), ("instances/min", 1.0, 60.0)],
            Dim::RequestsPerMin => &[("requests/min", 1.0, 1.0)],
            Dim::Factor(u) => match u {
                "x" => &[("x", 1.0, 1.0)],
                "x T4" => &[("x T4", 1.0, 1.0)],
                _ => &[],
            },
            Dim::Flag => &[],
            Dim::PerInstanceHour => &[
                ("1/instance-h", 1.0, 1.0),
                ("%/month", 1.0, 100.0 * 730.0),
                ("%/day", 1.0, 100.0 * 24.0),
            ],
            Dim::Share => &[("fraction", 1.0, 1.0), ("%", 1.0, 100.0)],
        }
    }

    /// The canonical unit, written by the snapshot writer.
    pub fn canonical(self) -> &'static str {
        self.units().first().map(|u| u.0).unwrap_or("")
    }

    /// `value` in `unit` converted to the canonical unit; `None` when the unit is not accepted.
    pub fn convert(self, value: f64, unit: &str) -> Option<f64> {
        let (_, mul, div) = self.units().iter().find(|u| u.0 == unit)?;
        Some(value * (mul / div))
    }

    /// Whether the figure is a price (for the "negative price" message).
    pub fn is_price(self) -> bool {
        matches!(
            self,
            Dim::UsdPerRequest
                | Dim::UsdPerGbS
                | Dim::UsdPerGhzS
                | Dim::UsdPerVcpuS
                | Dim::UsdPerGibS
                | Dim::UsdPerHour
                | Dim::UsdPerGpuS
                | Dim::UsdPerGb
        )
    }

    /// Whether the value must be a whole number.
    pub fn is_count(self) -> bool {
        matches!(self, Dim::Count(_))
    }

    /// The accepted units, quoted and joined, for error messages.
    pub fn expected(self) -> String {
        self.units()
            .iter()
            .map(|u| format!("\"{}\"", u.0))
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_are_exact_and_strict() {
        assert_eq!(
            Dim::UsdPerRequest.convert(0.2, "USD/1M requests"),
            Some(2e-7)
        );
        assert_eq!(
            Dim::UsdPerRequest.convert(0.4, "USD/1M requests"),
            Some(4e-7)
        );
        assert_eq!(Dim::Seconds.convert(100.0, "ms"), Some(0.1));
        assert_eq!(Dim::Seconds.convert(5.0, "min"), Some(300.0));
        assert_eq!(Dim::Seconds.convert(3.0, "h"), Some(10800.0));
        assert_eq!(Dim::UsdPerGb.convert(0.5, "USD/GB"), Some(0.5));
        assert_eq!(Dim::Megabytes.convert(30.0, "GiB"), Some(30720.0));
        assert_eq!(
            Dim::InstancesPerS.convert(500.0, "instances/min"),
            Some(500.0 / 60.0)
        );
        assert_eq!(Dim::UsdPerGbS.convert(1.0, "USD/GB-h"), None);
        assert_eq!(Dim::UsdPerGbS.canonical(), "USD/GB-s");
    }

    #[test]
    fn every_numeric_dimension_has_a_unit() {
        for d in [
            Dim::Count("instances"),
            Dim::Count("requests"),
            Dim::Count("GPUs"),
            Dim::Count("periods"),
            Dim::Count("threads"),
            Dim::Factor("x"),
            Dim::Factor("x T4"),
        ] {
            assert!(!d.units().is_empty(), "{d:?}");
        }
        assert_eq!(
            Dim::Seconds.expected(),
            "\"s\" or \"ms\" or \"min\" or \"h\""
        );
    }
}
