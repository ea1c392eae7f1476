//! The `spikepipe` command: parses the command line, runs it, and turns the
//! outcome into an exit status (0 success, 1 no schedule or a violation, 2
//! bad input or usage).

use std::process::ExitCode;

fn main() -> ExitCode {
    match spikepipe::cli::main() {
        Ok(code) => ExitCode::from(code as u8),
        Err(error) => {
            eprintln!("error: {}", spikepipe::error::one_line(&format!("{error:#}")));
            ExitCode::from(error.exit_status() as u8)
        }
    }
}
