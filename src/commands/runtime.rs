//! `advisor runtime`.

use super::Ctx;
use crate::cli::runtime::RuntimeCommand;

/// Runs `advisor runtime ...`.
pub fn run(_ctx: &Ctx, _cmd: RuntimeCommand) -> anyhow::Result<()> {
    anyhow::bail!("runtime: not built yet")
}
