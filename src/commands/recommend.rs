//! `advisor recommend`, `advisor report` and the demo.

use super::Ctx;
use crate::cli::recommend::{RecommendArgs, ReportArgs};

/// Runs `advisor` with no command: the demo.
pub fn demo(_ctx: &Ctx) -> anyhow::Result<()> {
    anyhow::bail!("demo: not built yet")
}

/// Runs `advisor recommend`.
pub fn run(_ctx: &Ctx, _args: RecommendArgs) -> anyhow::Result<()> {
    anyhow::bail!("recommend: not built yet")
}

/// Runs `advisor report`.
pub fn report(_ctx: &Ctx, _args: ReportArgs) -> anyhow::Result<()> {
    anyhow::bail!("report: not built yet")
}
