//! `e`: the report written from what the screens show, as HTML and
//! Markdown into the folder the user chose (`$ADVISOR_REPORTS_DIR`) or the
//! per-user data folder, never into the current folder unasked and never
//! over an existing file unless the user said yes.

use super::action::{Action, Overwrite};
use super::jobs;
use super::state::State;
use crate::error::one_line;
use crate::report::{self, Format};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

/// The report's files for a moment in `dir`: `advisor-report-YYYYMMDD-HHMMSS.html` and `.md`.
pub fn report_paths<Tz: chrono::TimeZone>(dir: &Path, now: &chrono::DateTime<Tz>) -> Vec<PathBuf>
where
    Tz::Offset: std::fmt::Display,
{
    let stem = now.format("advisor-report-%Y%m%d-%H%M%S").to_string();
    vec![
        dir.join(format!("{stem}.html")),
        dir.join(format!("{stem}.md")),
    ]
}

/// Starts writing the report; returns an answer to send at once when there
/// is nothing to write yet or a file exists (the "overwrite?" question).
pub fn start(
    state: &State,
    paths: Option<Vec<PathBuf>>,
    overwrite: bool,
    tx: Sender<Action>,
) -> Option<Action> {
    let (Some(profile), Some(loaded), Some(advice)) = (
        state.profile.profile.clone(),
        state.workload.loaded.clone(),
        state.advice.advice.clone(),
    ) else {
        return Some(Action::Exported(Err(
            "nothing to report yet: wait for the advice to be computed".to_string(),
        )));
    };
    let paths = paths.unwrap_or_else(|| report_paths(&state.reports_dir, &chrono::Local::now()));
    let existing: Vec<PathBuf> = paths.iter().filter(|p| p.exists()).cloned().collect();
    if !overwrite && !existing.is_empty() {
        return Some(Action::AskOverwrite(Overwrite { paths, existing }));
    }
    let offers = state.offers.clone();
    let seed = state.seed;
    let generated_at = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    jobs::spawn(tx, move |_| {
        let result = (|| {
            let r = report::assemble(report::Inputs {
                profile: &profile,
                trace: &loaded.trace,
                offers: &offers,
                advice: (*advice).clone(),
                generated_at,
                seed,
            })?;
            if let Some(dir) = paths.first().and_then(|p| p.parent()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    anyhow::anyhow!("{}: cannot create the reports folder: {e}", dir.display())
                })?;
            }
            for p in &paths {
                let format = if p.extension().is_some_and(|e| e == "md") {
                    Format::Md
                } else {
                    Format::Html
                };
                report::write(p, &report::render(&r, format)?, overwrite)?;
            }
            Ok::<_, anyhow::Error>(paths.iter().map(|p| absolute(p)).collect())
        })();
        Action::Exported(result.map_err(|e| one_line(&e)))
    });
    None
}

/// The path as the user will find it (absolute when it can be resolved).
fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn report_files_are_named_by_the_second() {
        let t = chrono::Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
        assert_eq!(
            report_paths(Path::new("r"), &t),
            vec![
                PathBuf::from("r/advisor-report-20260304-050607.html"),
                PathBuf::from("r/advisor-report-20260304-050607.md")
            ]
        );
    }
}
