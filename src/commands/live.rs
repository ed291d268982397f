//! `advisor replay`, `serve`, `validate` and `export`.

use super::Ctx;
use crate::cli::live::{ExportArgs, ReplayArgs, ServeArgs, ValidateArgs};

/// Runs `advisor replay`.
pub fn replay(_ctx: &Ctx, _args: ReplayArgs) -> anyhow::Result<()> {
    anyhow::bail!("replay: not built yet")
}

/// Runs `advisor serve`.
pub fn serve(_ctx: &Ctx, _args: ServeArgs) -> anyhow::Result<()> {
    anyhow::bail!("serve: not built yet")
}

/// Runs `advisor validate`.
pub fn validate(_ctx: &Ctx, _args: ValidateArgs) -> anyhow::Result<()> {
    anyhow::bail!("validate: not built yet")
}

/// Runs `advisor export`.
pub fn export(_ctx: &Ctx, _args: ExportArgs) -> anyhow::Result<()> {
    anyhow::bail!("export: not built yet")
}
