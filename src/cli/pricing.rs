//! `advisor pricing`.

use clap::Subcommand;

/// `advisor pricing ...`
#[derive(Debug, Subcommand)]
pub enum PricingCommand {
    /// List the offers with their prices and sources.
    Show,
}
