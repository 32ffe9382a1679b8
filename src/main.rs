//! The portalctl binary: parse, run, print the error once, exit with its code.

use std::process::ExitCode;

fn main() -> ExitCode {
    // A shell asking for completions (the script of `portalctl
    // completions`) is answered here, and the process ends.
    portalctl::complete_from_env();
    // Known before parsing, so that even a refused argument is reported
    // as JSON to a script that asked for it.
    let json = std::env::args_os().skip(1).any(|a| a == "--json");
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // An argument holding a backquote is echoed written out.
    portalctl::write_out(args.iter().map(|a| a.to_string_lossy().into_owned()));
    // `help TOPIC` is clap's `help` until the topic is found no command.
    let parsed = portalctl::parse(&args).or_else(|e| match portalctl::help_topic_line(&args, &e) {
        Some(line) => portalctl::parse(&line),
        None => Err(e),
    });
    let cli = match parsed {
        Ok(cli) => cli,
        // A value refused by a model type's parser reads as the domain's
        // own refusal (message and help line, exit 2); clap reports the
        // rest (unknown flags, missing arguments, --help) itself, with any
        // value it echoes escaped.
        Err(e) => {
            if let Some(error) = portalctl::help_topic_typo(&args, &e) {
                portalctl::print_error(&error, json);
                return ExitCode::from(error.exit_code());
            }
            match portalctl::value_error(&e) {
                Some(error) => {
                    portalctl::print_error(error, json);
                    return ExitCode::from(error.exit_code());
                }
                None => match portalctl::usage_error(&e).filter(|_| json) {
                    Some(error) => {
                        portalctl::print_error(&error, json);
                        return ExitCode::from(error.exit_code());
                    }
                    None => portalctl::clap_error(e).exit(),
                },
            }
        }
    };
    match portalctl::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(e) if portalctl::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            portalctl::print_error(&e, json);
            ExitCode::from(e.exit_code())
        }
    }
}
