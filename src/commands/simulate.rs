//! `advisor simulate` and `advisor reproduce`.

use super::Ctx;
use crate::cli::simulate::{ReproduceCommand, SimulateArgs};

/// Runs `advisor simulate`.
pub fn run(_ctx: &Ctx, _args: SimulateArgs) -> anyhow::Result<()> {
    anyhow::bail!("simulate: not built yet")
}

/// Runs `advisor reproduce ...`.
pub fn reproduce(_ctx: &Ctx, _cmd: ReproduceCommand) -> anyhow::Result<()> {
    anyhow::bail!("reproduce: not built yet")
}
