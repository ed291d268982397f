//! Profiles shipped with advisor and built into the binary: MobileNetV2 and
//! ALBERT-base as built by `advisor models build`, measured with `advisor
//! profile` on the machine each file names. The demo and `reproduce paper`
//! use them, so both work from any folder.

use super::Profile;
use anyhow::{Context, Result};

const MOBILENETV2: &str = include_str!("../../profiles/mobilenetv2.toml");
const ALBERT_BASE: &str = include_str!("../../profiles/albert-base.toml");

/// Names of the bundled profiles.
pub const NAMES: [&str; 2] = ["mobilenetv2", "albert-base"];

/// A bundled profile by name.
pub fn get(name: &str) -> Result<Profile> {
    let text = match name {
        "mobilenetv2" => MOBILENETV2,
        "albert-base" => ALBERT_BASE,
        _ => anyhow::bail!("no bundled profile named {name}"),
    };
    Profile::from_toml(text)
        .map_err(|e| anyhow::anyhow!(e))
        .with_context(|| format!("bundled profile {name}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn bundled_profiles_parse() {
        for n in super::NAMES {
            let p = super::get(n).unwrap();
            assert!(!p.latency.is_empty(), "{n}");
        }
    }
}
