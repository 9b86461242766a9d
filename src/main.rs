//! The `govsite` command: parses the command line, runs it, prints the error chain once and
//! exits with 0 (success), 1 (a user error: bad input or arguments) or 2 (an internal error).

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = match govsite::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match govsite::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if govsite::error::is_user_error(&error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
        Err(error) => {
            eprintln!("internal error: {error:#}");
            ExitCode::from(2)
        }
    }
}
