//! `advisor profile`.

use super::Ctx;
use crate::cli::profile::ProfileArgs;

/// Runs `advisor profile`.
pub fn run(_ctx: &Ctx, _args: ProfileArgs) -> anyhow::Result<()> {
    anyhow::bail!("profile: not built yet")
}
