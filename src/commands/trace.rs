//! `advisor trace`.

use super::Ctx;
use crate::cli::trace::TraceCommand;

/// Runs `advisor trace ...`.
pub fn run(_ctx: &Ctx, _cmd: TraceCommand) -> anyhow::Result<()> {
    anyhow::bail!("trace: not built yet")
}
