//! Facts about this machine and process: CPU model, cores, GPU, peak memory.

/// The CPU model name from /proc/cpuinfo, or "unknown".
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name") || l.starts_with("Model"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// The vector and matrix extensions that decide ONNX Runtime's kernels, as
/// /proc/cpuinfo names them (x86 `flags`, Arm `Features`), in a fixed order;
/// Arm's `asimd` is reported as `neon`.
pub fn vector_features() -> Vec<String> {
    let text = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    features_of(&text)
}

/// The extensions of interest named in one /proc/cpuinfo text.
pub fn features_of(cpuinfo: &str) -> Vec<String> {
    const KNOWN: &[(&str, &str)] = &[
        ("avx2", "avx2"),
        ("fma", "fma"),
        ("avx_vnni", "avx_vnni"),
        ("avx512f", "avx512f"),
        ("avx512_vnni", "avx512_vnni"),
        ("avx512_bf16", "avx512_bf16"),
        ("avx512_fp16", "avx512_fp16"),
        ("amx_tile", "amx_tile"),
        ("amx_bf16", "amx_bf16"),
        ("amx_int8", "amx_int8"),
        ("asimd", "neon"),
        ("asimddp", "dotprod"),
        ("sve", "sve"),
        ("sve2", "sve2"),
        ("bf16", "bf16"),
        ("i8mm", "i8mm"),
    ];
    let flags: std::collections::BTreeSet<&str> = cpuinfo
        .lines()
        .find(|l| l.starts_with("flags") || l.starts_with("Features"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.split_whitespace().collect())
        .unwrap_or_default();
    KNOWN
        .iter()
        .filter(|(flag, _)| flags.contains(flag))
        .map(|(_, name)| name.to_string())
        .collect()
}

/// Logical cores available to this process.
pub fn cores() -> u32 {
    std::thread::available_parallelism()
        .map(|n| n.get() as u32)
        .unwrap_or(1)
}

/// The first NVIDIA GPU's model name, from the driver's /proc files.
pub fn gpu_name() -> Option<String> {
    let dir = std::fs::read_dir("/proc/driver/nvidia/gpus").ok()?;
    for entry in dir.flatten() {
        let info = std::fs::read_to_string(entry.path().join("information")).ok()?;
        if let Some(line) = info.lines().find(|l| l.starts_with("Model:")) {
            return Some(line["Model:".len()..].trim().to_string());
        }
    }
    None
}

/// Peak resident memory of this process so far, MB (2^20 bytes).
pub fn peak_rss_mb() -> f64 {
    // SAFETY: getrusage only writes the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    if rc != 0 {
        return 0.0;
    }
    // Linux reports ru_maxrss in KiB.
    usage.ru_maxrss as f64 / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_plausible() {
        assert!(cores() >= 1);
        assert!(!cpu_model().is_empty());
        // The peak is at least what is resident now: 256 MB written in full.
        let block = std::hint::black_box(vec![1u8; 256 << 20]);
        let peak = peak_rss_mb();
        assert!(peak >= 200.0, "{peak}");
        drop(block);
    }

    #[test]
    fn features_come_from_the_flags_line() {
        let x86 = "model name : X\nflags : fpu avx2 fma avx512f amx_tile sse4_2\n";
        assert_eq!(features_of(x86), ["avx2", "fma", "avx512f", "amx_tile"]);
        let arm = "processor : 0\nFeatures : fp asimd asimddp sve i8mm bf16\n";
        assert_eq!(features_of(arm), ["neon", "dotprod", "sve", "bf16", "i8mm"]);
        assert!(features_of("").is_empty());
    }
}
