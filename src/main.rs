//! The `advisor` binary: parse the command line, run it, map errors to exit codes.

use advisor::error::{exit_code, one_line, EXIT_BAD_INPUT};
use advisor::escape::escape_controls;
use clap::error::ErrorKind;
use clap::Parser;

fn main() {
    let cli = match advisor::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            std::process::exit(0);
        }
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            std::process::exit(EXIT_BAD_INPUT);
        }
        Err(e) => {
            eprintln!("error: {}", escape_controls(&clap_one_line(&e)));
            std::process::exit(EXIT_BAD_INPUT);
        }
    };
    if let Err(err) = advisor::cli::run(cli) {
        // A closed pipe (`advisor ... | head`) is the reader's choice, not a
        // failure. Commands write stdout through `out!`/`outln!`, which return
        // the write error instead of panicking, so it arrives here. (SIGPIPE
        // stays ignored, as Rust sets it, so a server writing to a closed
        // socket lives on.)
        if err
            .chain()
            .filter_map(|c| c.downcast_ref::<std::io::Error>())
            .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
        {
            std::process::exit(0);
        }
        eprintln!("error: {}", escape_controls(&one_line(&err)));
        std::process::exit(exit_code(&err));
    }
}

/// clap's message on one line: the lines before its usage, joined, plus
/// where to read more.
fn clap_one_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let mut parts: Vec<&str> = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with("Usage:") || l.starts_with("For more information") {
            break;
        }
        if !l.is_empty() {
            parts.push(l.trim_start_matches("error: "));
        }
    }
    let msg = if parts.is_empty() {
        "bad command line".to_string()
    } else {
        parts.join(" ")
    };
    format!("{msg} (see --help)")
}
