//! `profiles/NAME.toml`: reading and writing a [`Profile`].

use super::check::CheckError;
use super::reference::PROBE_VERSION;
use super::Profile;
use crate::error::bad_input;
use anyhow::Context;
use std::path::Path;

/// Why a profile's text was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProfileError {
    /// Not TOML, or not a profile's fields; the message has the line.
    #[error("{0}; expected a profile written by `advisor profile`")]
    Syntax(String),
    /// A figure out of its bounds.
    #[error(transparent)]
    Check(#[from] CheckError),
}

/// First lines of every saved profile, so a reader of the file knows what it is.
const HEADER: &str =
    "# advisor profile: measured on the machine named below by `advisor profile`.\n\
# Times in ms, memory and library size in MB (2^20 bytes); latency is one run of a batch.\n\n";

impl Profile {
    /// Reads a profile; a missing or malformed file is bad input naming the
    /// file, the line and the field.
    pub fn load(path: &Path) -> anyhow::Result<Profile> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| bad_input(format!("{}: cannot read the profile ({e})", path.display())))?;
        Profile::from_toml(&text).map_err(|msg| bad_input(format!("{}: {msg}", path.display())))
    }

    /// Parses profile TOML; the error is one line with the line number and field.
    pub fn from_toml(text: &str) -> Result<Profile, ProfileError> {
        let mut p: Profile = toml::from_str(text).map_err(|e| {
            let message = e.message().replace('\n', " ");
            match e.span() {
                Some(span) => {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    let content = text.lines().nth(line - 1).unwrap_or("").trim();
                    let near = if content.is_empty() || content.len() > 60 {
                        String::new()
                    } else {
                        format!(" (at `{content}`)")
                    };
                    ProfileError::Syntax(format!("line {line}: {message}{near}"))
                }
                None => ProfileError::Syntax(message),
            }
        })?;
        super::check::validate(&p)?;
        // Another version's probe timed other workloads: as good as none.
        if p.probe.as_ref().is_some_and(|r| r.version != PROBE_VERSION) {
            p.probe = None;
        }
        Ok(p)
    }

    /// The profile as TOML, with a short header comment.
    pub fn to_toml(&self) -> anyhow::Result<String> {
        let body = toml::to_string_pretty(self).context("writing the profile as TOML")?;
        Ok(format!("{HEADER}{body}"))
    }

    /// Writes the profile (overwriting; callers decide whether that is allowed),
    /// creating the folder if needed.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        // Atomic, so an interrupted save never leaves half a profile behind.
        crate::fsio::write_new(path, self.to_toml()?.as_bytes(), true)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::*;
    use std::collections::BTreeMap;

    pub(crate) fn sample() -> Profile {
        Profile {
            name: "tiny".into(),
            source: "measured by advisor 0.1.0 with ONNX Runtime 1.31.1".into(),
            measured_at: "2026-01-02T03:04:05Z".into(),
            model: ModelSummary {
                file: "tiny.onnx".into(),
                size_bytes: 123_456,
                params: 30_000,
                opset: 17,
                flops_per_item: Some(1.234_567_8e7),
                conv_flops_share: Some(0.75),
                ops: BTreeMap::from([("Conv".into(), 3), ("Relu".into(), 3)]),
                inputs: vec!["x: float32[batch,3,32,32]".into()],
            },
            machine: Machine {
                cpu_model: "Some CPU @ 2.00GHz".into(),
                cores: 2,
                gpu: None,
            },
            runtime: RuntimeInfo {
                ort_version: "1.31.1".into(),
                providers: vec!["CPUExecutionProvider".into()],
                library_mb: 27.983,
            },
            cold_start: ColdStart {
                trials: 5,
                model_read_ms: 0.051,
                runtime_load_ms: 21.337,
                session_create_ms: 8.1,
                first_inference_ms: 0.3333333333333333,
                spread_ms: BTreeMap::from([("runtime_load_ms".into(), [20.1, 25.75])]),
                threads: 2,
                batch: 1,
                process_rss_mb: 40.5,
                import: Some(crate::profile::import::RuntimeImport {
                    what: "python3 import onnxruntime 1.31.1, numpy 2.4.6".into(),
                    import_ms: 181.25,
                    spread_ms: [170.5, 240.0],
                    trials: 5,
                    runtime_mb: 68.125,
                    numpy_mb: 72.5,
                    model_mb: 0.118,
                }),
            },
            latency: vec![LatencyPoint {
                device: "cpu".into(),
                threads: 1,
                batch: 1,
                mean_ms: 0.1 + 0.2,
                p50_ms: 0.29,
                p95_ms: 0.4,
                p99_ms: 1e-3,
                samples: 30,
                items_per_s: 3333.333,
            }],
            optimization: Some(OptimizationEffect {
                disabled_session_ms: 5.0,
                all_session_ms: 8.0,
                disabled_p50_ms: 0.5,
                all_p50_ms: 0.29,
            }),
            peak_rss_mb: 61.25,
            notes: vec!["input x: float32[batch,3,32,32]: standard normal".into()],
            warnings: vec![],
            probe: Some(ReferenceProbe {
                version: super::super::reference::PROBE_VERSION,
                conv_ms: 8.5,
                conv_p95_ms: 8.75,
                matmul_ms: 12.25,
                matmul_p95_ms: 12.5,
                runs: [117, 81],
                features: vec!["avx2".into(), "avx512f".into()],
                cpu_model: "Some CPU @ 2.00GHz".into(),
                cores: 2,
            }),
        }
    }

    #[test]
    fn toml_round_trips_exactly() {
        let p = sample();
        let text = p.to_toml().unwrap();
        assert_eq!(Profile::from_toml(&text).unwrap(), p);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("tiny.toml");
        p.save(&path).unwrap();
        assert_eq!(Profile::load(&path).unwrap(), p);
    }

    #[test]
    fn malformed_profile_names_file_line_and_field() {
        let text = sample()
            .to_toml()
            .unwrap()
            .replace("p50_ms = 0.29", "p50_ms = \"fast\"");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, &text).unwrap();
        let err = Profile::load(&path).unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 2);
        let msg = err.to_string();
        assert!(msg.contains("bad.toml: line "), "{msg}");
        assert!(msg.contains("p50_ms"), "{msg}");
        assert!(!msg.contains('\n'), "{msg}");
    }

    #[test]
    fn missing_field_is_named() {
        let text = sample()
            .to_toml()
            .unwrap()
            .replace("peak_rss_mb = 61.25\n", "");
        let msg = Profile::from_toml(&text).unwrap_err().to_string();
        assert!(msg.contains("peak_rss_mb"), "{msg}");
    }

    #[test]
    fn missing_file_is_bad_input() {
        let err = Profile::load(std::path::Path::new("/nonexistent/p.toml")).unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 2);
        assert!(err.to_string().contains("p.toml"));
    }
}
