//! `advisor pricing`.

use super::Ctx;
use crate::cli::pricing::PricingCommand;

/// Runs `advisor pricing ...`.
pub fn run(_ctx: &Ctx, _cmd: PricingCommand) -> anyhow::Result<()> {
    anyhow::bail!("pricing: not built yet")
}
