//! Errors that decide the exit code.
//!
//! Everything fallible returns `anyhow::Result`. An error caused by what the
//! user gave us (a file, a flag, a field) is wrapped in [`BadInput`] so that
//! `main` can map it to exit code 2; anything else exits with 1.

/// An error caused by the user's input: a file, a line, a field or a flag.
///
/// Its message is one line that names what is wrong and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// Builds an [`anyhow::Error`] carrying a [`BadInput`] with the given message.
pub fn bad_input(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(BadInput(msg.into()))
}

/// Returns early with a [`BadInput`] error formatted like `format!`.
#[macro_export]
macro_rules! bail_input {
    ($($arg:tt)*) => {
        return Err($crate::error::bad_input(format!($($arg)*)))
    };
}

/// Exit code for success.
pub const EXIT_OK: i32 = 0;
/// Exit code for anything that is not the user's input.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for bad input (a file, line, field or flag).
pub const EXIT_BAD_INPUT: i32 = 2;

/// The exit code an error maps to: 2 when any cause in its chain is [`BadInput`].
pub fn exit_code(err: &anyhow::Error) -> i32 {
    if err.chain().any(|c| c.is::<BadInput>()) {
        EXIT_BAD_INPUT
    } else {
        EXIT_FAILURE
    }
}

/// Renders an error chain on one line: `outer: inner: root`.
///
/// Repeated messages (a context that restates its cause) are printed once.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let s = cause.to_string().replace('\n', " ");
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn bad_input_anywhere_in_chain_maps_to_2() {
        let e: anyhow::Result<()> = Err(bad_input("trace.csv line 3: t_s is not a number"));
        let e = e.context("reading the trace").unwrap_err();
        assert_eq!(exit_code(&e), EXIT_BAD_INPUT);
        assert_eq!(
            one_line(&e),
            "reading the trace: trace.csv line 3: t_s is not a number"
        );
    }

    #[test]
    fn other_errors_map_to_1() {
        let e = anyhow::anyhow!("disk on fire");
        assert_eq!(exit_code(&e), EXIT_FAILURE);
    }
}
