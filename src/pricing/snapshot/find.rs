//! Where snapshots come from: shipped in the binary, a folder, or a file the
//! user names.

use super::Snapshot;
use crate::error::bad_input;
use crate::pricing::load::parse_snapshot;
use std::path::{Path, PathBuf};

/// The snapshots shipped in the binary, so the tool works from any directory.
const BUILTIN: &[(&str, &str)] = &[
    (
        "study-2020",
        include_str!("../../../pricing/study-2020.toml"),
    ),
    ("current", include_str!("../../../pricing/current.toml")),
    ("local", include_str!("../../../pricing/local.toml")),
];

/// Folder searched for snapshots that are not built in.
pub const DEFAULT_DIR: &str = "pricing";

/// Names of the snapshots shipped in the binary.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

/// A snapshot shipped in the binary. The shipped files are checked by the
/// tests, so a parse failure here is a build defect, reported as `None`.
pub fn builtin(name: &str) -> Option<Snapshot> {
    let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
    parse_snapshot(text, &format!("builtin:{name}")).ok()
}

/// The text of a shipped snapshot (for tests and for writing it out).
pub fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Reads and checks one snapshot file.
pub fn load_snapshot(path: &Path) -> anyhow::Result<Snapshot> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        bad_input(format!(
            "{}: cannot read the price file: {e}",
            path.display()
        ))
    })?;
    parse_snapshot(&text, &path.display().to_string())
}

/// Reads every `*.toml` in `dir`, sorted by file name.
pub fn load_dir(dir: &Path) -> anyhow::Result<Vec<Snapshot>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| bad_input(format!("{}: cannot list the folder: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    paths.sort();
    paths.iter().map(|p| load_snapshot(p)).collect()
}

/// Finds a snapshot by name: built in first, else `dir/NAME.toml`; or, when
/// `path` is a file, that file whatever its name.
pub fn find(name: &str, path: Option<&Path>) -> anyhow::Result<Snapshot> {
    if let Some(p) = path {
        if p.is_file() {
            return load_snapshot(p);
        }
        if !p.is_dir() {
            return Err(bad_input(format!(
                "--pricing {}: no such file or folder",
                p.display()
            )));
        }
    }
    if path.is_none() {
        if let Some(s) = builtin(name) {
            return Ok(s);
        }
    }
    let dir = path.unwrap_or(Path::new(DEFAULT_DIR));
    let file = dir.join(format!("{name}.toml"));
    if file.is_file() {
        let s = load_snapshot(&file)?;
        if s.name != name {
            return Err(bad_input(format!(
                "{}: snapshot.name is \"{}\", expected \"{name}\" (the file name)",
                file.display(),
                s.name
            )));
        }
        return Ok(s);
    }
    if path.is_some() {
        if let Some(s) = builtin(name) {
            return Ok(s);
        }
    }
    let mut known: Vec<String> = builtin_names().iter().map(|s| s.to_string()).collect();
    if let Ok(snaps) = load_dir(dir) {
        known.extend(snaps.into_iter().map(|s| s.name));
    }
    known.sort();
    known.dedup();
    Err(bad_input(format!(
        "--snapshot {name}: no such snapshot (built in or {}), known: {}",
        file.display(),
        known.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::offer::{Billing, Kind, QueuePolicy};

    fn shipped(name: &str) -> Snapshot {
        let text = builtin_text(name).unwrap();
        parse_snapshot(text, name).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn study_2020_has_the_eight_systems_and_tf_variants() {
        let s = shipped("study-2020");
        assert_eq!(s.name, "study-2020");
        let ids: Vec<&str> = s.offers.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "aws-lambda-ort-2048",
                "aws-lambda-tf-2048",
                "aws-sagemaker-ml.m4.2xlarge",
                "aws-ec2-t2.2xlarge",
                "aws-ec2-g4dn.2xlarge",
                "gcp-functions-ort-2048",
                "gcp-functions-tf-2048",
                "gcp-aiplatform-n1-standard-8",
                "gcp-gce-n1-standard-8",
                "gcp-gce-n1-standard-8-t4",
            ]
        );
        let l = s.offer("aws-lambda-ort-2048").unwrap();
        assert_eq!(l.kind, Kind::Serverless);
        assert!((l.spec.vcpu - 2048.0 / 1769.0).abs() < 1e-12);
        match &l.billing {
            Billing::Invocation {
                per_request_usd,
                per_gb_s_usd,
                granularity_s,
                init_billed,
                ..
            } => {
                assert!((per_request_usd - 2e-7).abs() < 1e-18);
                assert_eq!(*per_gb_s_usd, 0.0000166667);
                assert_eq!(*granularity_s, 0.001);
                assert!(!init_billed);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(l.behaviour.keep_alive_s, Some(600.0));
        assert_eq!(l.behaviour.queue.policy, QueuePolicy::Drop);
        assert!((l.behaviour.scaling.unwrap().new_per_s - 500.0 / 60.0).abs() < 1e-12);
        let gce = s.offer("gcp-gce-n1-standard-8").unwrap();
        assert_eq!(gce.spec.memory_mb, 30.0 * 1024.0);
        assert_eq!(gce.behaviour.instances, 1);
        assert_eq!(gce.billing.hourly_usd(), Some(0.38));
        let sm = s.offer("aws-sagemaker-ml.m4.2xlarge").unwrap();
        assert_eq!(sm.behaviour.instances, 1);
        assert_eq!(
            sm.behaviour.autoscaling.unwrap().provisioning_delay_s,
            300.0
        );
    }

    #[test]
    fn current_covers_every_platform_with_refresh_queries() {
        let s = shipped("current");
        assert!(s.offers.len() >= 25, "{} offers", s.offers.len());
        for kind in [Kind::Serverless, Kind::Managed, Kind::Server] {
            for cloud in [crate::pricing::Cloud::Aws, crate::pricing::Cloud::Gcp] {
                assert!(
                    s.offers.iter().any(|o| o.kind == kind && o.cloud == cloud),
                    "{kind:?} on {cloud:?}"
                );
            }
        }
        let l = s.offer("aws-lambda-x86").unwrap();
        assert!(l.billing.init_billed());
        assert_eq!(l.behaviour.timeout_s, 900.0);
        assert_eq!(l.behaviour.scaling.unwrap().new_per_s, 100.0);
        assert_eq!(l.spec.memory_range.unwrap().max_mb, 10240.0);
        assert!(l.billing.provisioned_usd(300.0, 1024.0).is_some());
        let run = s.offer("gcp-cloud-run-1vcpu-2gib").unwrap();
        assert_eq!(run.behaviour.concurrency_per_instance, 80);
        assert_eq!(run.behaviour.scaling.unwrap().max_instances, 100);
        let g2 = s.offer("gcp-gce-g2-standard-4").unwrap();
        assert_eq!(g2.spec.gpu.as_ref().unwrap().model, "NVIDIA L4");
        // Every price of every EC2, SageMaker real-time and GCE offer can be refreshed.
        for o in &s.offers {
            if o.id.starts_with("aws-ec2-") || o.id.starts_with("gcp-gce-") {
                assert!(s.queries[&o.id].contains_key("per_hour_usd"), "{}", o.id);
            }
        }
        assert_eq!(s.queries["aws-lambda-arm64"].len(), 4);
    }

    #[test]
    fn every_number_of_every_shipped_offer_has_a_source() {
        for name in builtin_names() {
            let s = shipped(name);
            assert!(builtin(name).is_some());
            for o in &s.offers {
                let v = serde_json::to_value(o).unwrap();
                let mut paths = Vec::new();
                numeric_paths(&v, "", &mut paths);
                for p in paths {
                    if p.starts_with("sources.") {
                        continue;
                    }
                    assert!(
                        o.sources.contains_key(&p),
                        "{name}/{}: {p} has no source",
                        o.id
                    );
                }
                for (p, src) in &o.sources {
                    assert!(!src.source.is_empty() && !src.date.is_empty(), "{p}");
                }
            }
        }
    }

    /// Paths of the numbers of a JSON value, as the loader names figures
    /// (the billing model's tag and zero-valued defaults excepted).
    fn numeric_paths(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    numeric_paths(x, &p, out);
                }
            }
            serde_json::Value::Number(n) => {
                let zero_default = n.as_f64() == Some(0.0)
                    && (prefix.ends_with("per_ghz_s_usd")
                        || prefix.ends_with("cpu_ghz")
                        || prefix == "behaviour.instances");
                if !zero_default {
                    out.push(prefix.to_string());
                }
            }
            serde_json::Value::Bool(_) if prefix.starts_with("billing.") => {
                out.push(prefix.to_string())
            }
            _ => {}
        }
    }

    #[test]
    fn find_prefers_builtin_then_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let text = builtin_text("study-2020")
            .unwrap()
            .replace("name = \"study-2020\"", "name = \"mine\"");
        std::fs::write(dir.path().join("mine.toml"), &text).unwrap();
        let s = find("mine", Some(dir.path())).unwrap();
        assert_eq!(s.name, "mine");
        assert_eq!(s.offers[0].snapshot, "mine");
        assert_eq!(
            find("study-2020", None).unwrap().origin,
            "builtin:study-2020"
        );
        let all = load_dir(dir.path()).unwrap();
        assert_eq!(all.len(), 1);
        let e = find("nope", Some(dir.path())).unwrap_err();
        assert!(e.to_string().contains("no such snapshot"), "{e}");
        assert!(e.to_string().contains("mine"), "{e}");
        assert_eq!(crate::error::exit_code(&e), 2);
        std::fs::write(dir.path().join("other.toml"), &text).unwrap();
        let e = find("other", Some(dir.path())).unwrap_err();
        assert!(e.to_string().contains("snapshot.name is \"mine\""), "{e}");
    }
}
