//! The portalctl binary: parse, run, print the error once, exit with its code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = portalctl::Cli::parse();
    match portalctl::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if portalctl::output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            portalctl::output::print_error(&e);
            ExitCode::from(e.exit_code())
        }
    }
}
