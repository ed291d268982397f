//! Helpers every test module shares.

use assert_cmd::cargo::cargo_bin_cmd;

/// The advisor binary built for these tests.
pub fn advisor() -> assert_cmd::Command {
    cargo_bin_cmd!("advisor")
}

/// The advisor binary without `ORT_DYLIB_PATH`, so runtime discovery is the
/// one a user gets (advisor's cache, then the active Python).
pub fn advisor_own_runtime() -> assert_cmd::Command {
    let mut cmd = advisor();
    cmd.env_remove("ORT_DYLIB_PATH");
    cmd
}
