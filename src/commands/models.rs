//! `advisor models`.

use super::Ctx;
use crate::cli::models::ModelsCommand;

/// Runs `advisor models ...`.
pub fn run(_ctx: &Ctx, _cmd: ModelsCommand) -> anyhow::Result<()> {
    anyhow::bail!("models: not built yet")
}
