//! Help ends with examples, and they work; `man` writes the manual.

use crate::support::{error_line, says, Portal, DENIED, OWNER, SUCCESS, USAGE};

/// The leaf commands of `cmd` (built), with their paths.
fn leaves(cmd: &clap::Command, path: &mut Vec<String>, out: &mut Vec<(String, clap::Command)>) {
    let subs: Vec<_> = cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help" && !s.is_hide_set())
        .collect();
    if subs.is_empty() {
        out.push((path.join(" "), cmd.clone()));
    }
    for sub in subs {
        path.push(sub.get_name().to_string());
        leaves(sub, path, out);
        path.pop();
    }
}

#[test]
fn every_command_help_ends_with_examples() {
    let mut cmd = portalctl::command();
    cmd.build();
    let mut all = Vec::new();
    leaves(&cmd, &mut Vec::new(), &mut all);
    assert!(all.len() > 80, "{} leaf commands", all.len());
    for (path, mut leaf) in all {
        let help = leaf.render_long_help().to_string();
        let examples = help
            .split("\nExamples:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("`portalctl {path} --help` has no Examples:\n{help}"));
        assert!(
            examples
                .lines()
                .any(|l| l.contains(&format!("portalctl {path}"))
                    || l.contains(&format!(" {path} "))),
            "`{path}`: {examples}"
        );
    }
    // And the binary shows them.
    let run = Portal::empty().run(&["user", "invite", "--help"]);
    assert_eq!(run.code, SUCCESS);
    says(
        &run.stdout,
        "Examples:\n  portalctl user invite ann@acme.test",
    );
}

/// Each command's help opens with what that command does. Subcommands are
/// built only when reached, after the command's own description is set,
/// so a doc comment on an argument struct it flattens would replace that
/// description on every command sharing the struct, as `--account`'s once
/// did: no description may be shared by more than two commands.
#[test]
fn every_command_is_described_by_its_own_words() {
    let mut all = Vec::new();
    leaves(&portalctl::command(), &mut Vec::new(), &mut all);
    let mut by_about: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (path, leaf) in &all {
        let about = leaf.get_about().map(|a| a.to_string()).unwrap_or_default();
        assert!(!about.is_empty(), "`{path}` has no description");
        by_about.entry(about).or_default().push(path.clone());
    }
    for (about, paths) in by_about {
        assert!(paths.len() <= 2, "{paths:?} all say: {about}");
    }
    // And the binary's help says it, in full.
    let help = Portal::empty().ok(&["user", "resend-invite", "--help"]);
    says(&help, "Send a new invitation token");
    says(&help, "junk mail or spam");
}

/// The example lines of `portalctl ARGS --help`, split into arguments as
/// a shell would (double quotes only), without the leading `portalctl`;
/// lines a plain split cannot run (pipes, redirections) are left out.
fn examples_of(p: &Portal, args: &[&str]) -> Vec<Vec<String>> {
    let mut help = args.to_vec();
    help.push("--help");
    let out = p.ok(&help);
    let section = out.split("\nExamples:\n").nth(1).unwrap_or_default();
    // A long example goes on after ` \` on the next line.
    section
        .replace("\\\n", "")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("portalctl "))
        .filter(|l| !l.contains(['|', '>', '$']))
        .map(shell_words)
        .collect()
}

fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '"' => (quoted, any) = (!quoted, true),
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => (word.push(c), any = true).0,
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// Runs every example of each command, in order, on one database the
/// first (`init`) creates: the README's story, told by the help texts.
#[test]
fn the_examples_of_the_help_texts_run() {
    tell_the_story(false);
}

/// `--quiet` prints nothing on success, whatever the command: the story
/// of the help texts again, each example run with `--quiet`, and a
/// command of every group the story leaves out.
#[test]
fn quiet_prints_nothing_on_success_for_every_command() {
    let p = tell_the_story(true);
    let customer_area = crate::support::scratch_dir();
    let fixture = format!("{}/examples/demo.json", env!("CARGO_MANIFEST_DIR"));
    let applied = customer_area.path().join("applied.db");
    let applied = applied.to_str().unwrap();
    let rest: &[&[&str]] = &[
        &["preset", "list"],
        &["preset", "show", "portal"],
        &["role", "list"],
        &["course", "list"],
        &["license", "list"],
        &["external-admin", "list", "--customer", "Fabrikam"],
        &["outbox", "list"],
        &["audit", "head"],
        &["export"],
        &["schema"],
        &["completions", "bash"],
        &["man"],
        &["help", "exit-codes"],
        &["help", "capabilities"],
        &["--db", applied, "apply", &fixture],
        &["--json", "user", "list"],
    ];
    let mut loud = Vec::new();
    for args in rest {
        let mut all = vec!["--quiet"];
        all.extend_from_slice(args);
        let run = p.run(&all);
        assert_eq!(
            run.code,
            SUCCESS,
            "`portalctl {}`: {}",
            all.join(" "),
            run.stderr
        );
        if !run.stdout.is_empty() {
            loud.push(format!("`portalctl {}`: {}", all.join(" "), run.stdout));
        }
    }
    assert!(loud.is_empty(), "{}", loud.join("\n"));
}

/// Runs the examples of the story's commands (see
/// [`the_examples_of_the_help_texts_run`]), with `--quiet` when `quiet`,
/// and then asserts that none printed anything on stdout. Returns the
/// database it told the story on.
fn tell_the_story(quiet: bool) -> Portal {
    let p = Portal::empty();
    let story: &[&[&str]] = &[
        &["init"],
        // A partner and its customer: from here on, commands in one account
        // need --account, which the examples give.
        &["account", "create"],
        &["status"],
        &["role", "show"],
        &["role", "create"],
        &["role", "delete"],
        &["user", "invite"],
        &["user", "list"],
        &["user", "show"],
        &["user", "resend-invite"],
        &["user", "set-role"],
        &["can"],
        &["account", "set"],
        &["account", "address", "add"],
        &["account", "payment", "set"],
        &["service", "add"],
        &["service", "show"],
        &["cost-centre", "create"],
        &["cost-centre", "rename"],
        &["policy", "create"],
        &["policy", "edit"],
        &["policy", "disable"],
        &["policy", "enable"],
        &["order", "place"],
        &["order", "list"],
        &["order", "show"],
        &["service", "assign"],
        &["service", "list"],
        &["user", "edit"],
        &["settings", "set"],
        &["settings", "show"],
        &["audit", "list"],
        &["audit", "verify"],
        &["account", "ip", "add"],
        &["account", "ip", "remove"],
        &["account", "ip", "list"],
        &["account", "smarthost", "set"],
        &["account", "rfi"],
    ];
    // What needs a file of its own; a line with a comment is for another
    // preset (`# customer-area preset`).
    let elsewhere = ["--preset-file", "#"];
    let mut failed = Vec::new();
    for command in story {
        for example in examples_of(&p, command) {
            let args: Vec<&str> = example.iter().map(String::as_str).collect();
            if args.iter().any(|a| elsewhere.contains(a)) {
                continue;
            }
            let args = if quiet {
                [&["--quiet"][..], &args].concat()
            } else {
                args
            };
            let run = p.run(&args);
            if run.code != SUCCESS && !(command == &["can"] && run.code == DENIED) {
                failed.push(format!("`portalctl {}`: {}", args.join(" "), run.stderr));
            }
            if quiet && !run.stdout.is_empty() {
                failed.push(format!(
                    "`portalctl {}` printed: {}",
                    args.join(" "),
                    run.stdout
                ));
            }
        }
        // Ann accepts, with a token of her own, once her invitation's
        // examples have run.
        if command == &["user", "resend-invite"] {
            let again = p.json(&["user", "resend-invite", "ann@acme.test"]);
            p.ok(&["user", "accept", again["token"].as_str().unwrap()]);
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    p
}

#[test]
fn man_prints_the_page_and_writes_one_per_command() {
    let p = Portal::empty();
    let page = p.ok(&["man"]);
    says(&page, ".TH portalctl 1");
    says(&page, "user");
    let dir = crate::support::scratch_dir();
    let out = dir.path().join("man1");
    p.ok(&["man", "--dir", out.to_str().unwrap()]);
    for name in [
        "portalctl.1",
        "portalctl-user.1",
        "portalctl-account-address-add.1",
    ] {
        assert!(out.join(name).is_file(), "no {name}");
    }
    let invite = std::fs::read_to_string(out.join("portalctl-user-invite.1")).unwrap();
    says(&invite, "grant");
    says(&invite, "Examples:");
    assert!(!out.join("portalctl-help.1").exists());
    assert!(!out.join("portalctl-help-topic.1").exists());
}

/// A mistyped value is answered like a mistyped command: the value meant
/// first, then the valid ones; nothing close, only the valid ones.
#[test]
fn typos_in_values_get_suggestions() {
    let p = Portal::new();
    let help_of = |stderr: &str| {
        stderr
            .lines()
            .find(|l| l.starts_with("help:"))
            .unwrap_or_default()
            .to_string()
    };
    let cases: &[(&[&str], &str)] = &[
        (
            &["user", "invite", "ann@acme.test", "--role", "admn"],
            "help: did you mean `admin`? roles are: admin, manager, no-access, user",
        ),
        (
            &["user", "list", "--status", "actve"],
            "help: did you mean `active`? use one of: invited, active, deactivated, revoked, left",
        ),
        (
            &["order", "list", "--status", "pendng"],
            "help: did you mean `pending`? use one of: pending, approved, rejected, cancelled",
        ),
        (
            &["can", OWNER, "users.mange"],
            "help: did you mean `users.manage`? `portalctl role show ROLE`",
        ),
        (
            &[
                "init", "--preset", "portl", "--account", "A", "--owner-email", OWNER,
            ],
            "help: did you mean `portal`? presets are: portal, lmp",
        ),
        (
            &["user", "invite", "ann@acme.test", "--role", "qqqq"],
            "help: roles are: admin, manager, no-access, user",
        ),
    ];
    for (args, help) in cases {
        let stderr = p.refused(args, USAGE);
        says(&help_of(&stderr), help);
    }
    let areas = Portal::with_preset("customer-area");
    let stderr = areas.refused(
        &["user", "invite", "ann@acme.test", "--grant", "biling"],
        USAGE,
    );
    assert_eq!(
        help_of(&stderr),
        "help: did you mean `billing`? grant an area: account-admin, billing, domains, services, support"
    );
}

/// `portalctl help TOPIC`: the capability catalog, the exit codes and the
/// environment, the last two the very text of the top-level help.
#[test]
fn help_topics_print_capabilities_exit_codes_and_environment() {
    let p = Portal::new();
    let top = p.ok(&["--help"]);
    says(
        &top,
        "Help topics: portalctl help capabilities|exit-codes|environment",
    );

    let codes = p.ok(&["help", "exit-codes"]);
    for code in 0..=6 {
        says(&codes, &format!("\n  {code}  "));
    }
    says(&codes, "(--json kind `permission_denied`)");
    // The same lines as the top-level help, which has them without kinds.
    let strip = |l: &str| l.split(" (--json kind").next().unwrap().to_string();
    let code_lines: Vec<String> = codes.lines().skip(1).map(strip).collect();
    let top_codes = top.split("Exit codes:\n").nth(1).unwrap();
    for line in &code_lines {
        says(top_codes, line);
    }

    let env = p.ok(&["help", "environment"]);
    says(&top, env.trim_end());
    says(&env, "~/.local/share/portalctl/portal.db");
    // Every PORTALCTL_* variable the source reads is listed.
    for var in variables_in_source() {
        says(&env, &format!("  {var} "));
    }

    // The database's preset only.
    let caps = p.json(&["help", "capabilities"]);
    let rows = caps.as_array().unwrap();
    assert!(rows.iter().all(|r| r["preset"] == "portal"), "{caps}");
    let manage = rows
        .iter()
        .find(|r| r["capability"] == "users.manage")
        .unwrap();
    assert_eq!(manage["roles"], serde_json::json!(["admin"]));
    let table = p.ok(&["help", "capabilities"]);
    assert!(
        table.lines().next().unwrap().contains("CAPABILITY"),
        "{table}"
    );
    // Areas give capabilities too.
    let areas = Portal::with_preset("customer-area");
    let caps = areas.json(&["help", "capabilities"]);
    let payment = caps
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["capability"] == "billing.payment")
        .unwrap()
        .clone();
    assert_eq!(payment["areas"], serde_json::json!(["billing"]));
    // No database: every preset, and no database made.
    let none = Portal::empty();
    let caps = none.json(&["help", "capabilities"]);
    let mut presets: Vec<&str> = caps
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["preset"].as_str().unwrap())
        .collect();
    presets.dedup();
    assert_eq!(presets, ["portal", "lmp", "msp", "moodle", "customer-area"]);
    assert!(!none.db.exists());
}

/// The PORTALCTL_* names in the source, besides the tests' own.
fn variables_in_source() -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (at, _) in text.match_indices("PORTALCTL_") {
                    let name: String = text[at..]
                        .chars()
                        .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                        .collect();
                    if name.len() > "PORTALCTL_".len() && !out.contains(&name) {
                        out.push(name);
                    }
                }
            }
        }
    }
    let mut vars = Vec::new();
    walk(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &mut vars,
    );
    assert!(vars.len() >= 5, "{vars:?}");
    vars
}

/// `help COMMAND...` is the command's `--help`, as clap's own help
/// command was; a name that is neither a command nor a topic is refused
/// with the one meant.
#[test]
fn help_of_a_command_is_its_help() {
    let p = Portal::empty();
    assert_eq!(
        p.ok(&["help", "user", "invite"]),
        p.ok(&["user", "invite", "--help"])
    );
    assert_eq!(p.ok(&["help", "user"]), p.ok(&["user", "--help"]));
    assert_eq!(p.ok(&["help"]), p.ok(&["--help"]));
    let stderr = p.refused(&["help", "exit-code"], USAGE);
    says(&stderr, "did you mean `exit-codes`?");
    // A word like neither lists the topics.
    let stderr = p.refused(&["help", "bogus"], USAGE);
    assert_eq!(
        error_line(&stderr),
        "error: no command or help topic `bogus`"
    );
    says(
        &stderr,
        "help topics are: capabilities, exit-codes, environment",
    );
    // As clap's own `help` does, in groups too.
    let stderr = p.refused(&["help", "user", "invit"], USAGE);
    says(&stderr, "invit");
    assert_eq!(
        p.ok(&["user", "help", "invite"]),
        p.ok(&["user", "invite", "--help"])
    );
    // The topics take the global options.
    assert!(p.ok(&["-q", "help", "environment"]).is_empty());
}

/// `help capabilities` on a database names the roles `role show` names:
/// every role but the blocking one holds `portal.access`.
#[test]
fn help_capabilities_names_the_roles_role_show_names() {
    let p = Portal::new();
    let caps = p.json(&["help", "capabilities"]);
    let access = caps
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["capability"] == "portal.access")
        .unwrap()
        .clone();
    assert_eq!(
        access["roles"],
        serde_json::json!(["admin", "manager", "user"])
    );
    says(&p.ok(&["role", "show", "user"]), "portal.access");
}

/// The external-admin examples work on the Quick start's database, the
/// demo fixture, as the README says every example does.
#[test]
fn the_external_admin_examples_run_on_the_quick_start_database() {
    let p = Portal::empty();
    let demo = format!("{}/examples/demo.json", env!("CARGO_MANIFEST_DIR"));
    p.ok(&["apply", &demo]);
    for command in [
        &["external-admin", "add"][..],
        &["external-admin", "remove"],
        &["external-admin", "list"],
    ] {
        let examples = examples_of(&p, command);
        assert!(!examples.is_empty(), "{command:?}");
        for example in examples {
            let args: Vec<&str> = example.iter().map(String::as_str).collect();
            p.ok(&args);
        }
    }
    let help = p.ok(&["external-admin", "--help"]);
    assert!(!help.contains("The member a command is about"), "{help}");
}

/// The README's exit-code table and `help exit-codes` say the same of
/// every code: the README says the binary prints "the same list".
#[test]
fn the_readme_s_exit_codes_are_the_binary_s() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = readme
        .split("## Exit codes")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    let rows: Vec<(String, String)> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.strip_suffix(" |"))
        .filter_map(|l| l.split_once(" | "))
        .filter(|(code, _)| code.parse::<u8>().is_ok())
        .map(|(code, meaning)| (code.to_string(), meaning.to_string()))
        .collect();
    assert_eq!(rows.len(), 7, "{table}");
    let printed = Portal::empty().ok(&["help", "exit-codes"]);
    for (code, meaning) in rows {
        let line = printed
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{code} ")))
            .unwrap_or_else(|| panic!("no code {code} in: {printed}"));
        let said = line.trim_start()[code.len()..].trim_start();
        let said = said.split(" (--json kind").next().unwrap();
        assert_eq!(said, meaning, "code {code}");
    }
}

/// The Quick start's database: the README's Quick start, step by step (the
/// token Ann accepts is the one `user invite` printed).
fn quick_start() -> Portal {
    Portal::cached("the README's Quick start", || {
        let p = Portal::empty();
        p.ok(&[
            "init", "--preset", "portal", "--account", "Acme Ltd", "--owner-email",
            "olive@acme.test", "--owner-name", "Olive",
        ]);
        let ann = p.json(&[
            "user", "invite", "ann@acme.test", "--name", "Ann", "--role", "manager",
        ]);
        p.ok(&[
            "settings", "set", "mail-from", "Acme Portal <portal@acme.test>",
        ]);
        let outbox = p.db.with_file_name("outbox");
        p.ok(&["outbox", "send", "--to-dir", outbox.to_str().unwrap()]);
        p.ok(&["user", "accept", ann["token"].as_str().unwrap()]);
        p.ok(&[
            "user", "set-role", "ann@acme.test", "admin", "--until", "7d",
        ]);
        p.ok(&[
            "user", "invite", "cy@acme.test", "--role", "user", "--until", "30d",
        ]);
        p.ok(&[
            "policy", "create", "--name", "Finance over 50", "--threshold", "50", "--approvers",
            "olive@acme.test",
        ]);
        p.ok(&[
            "--as", "ann@acme.test", "order", "place", "--description", "Router", "--amount",
            "60.00",
        ]);
        p.ok(&[
            "--as", "olive@acme.test", "order", "delegate", "--to", "ann@acme.test", "--until",
            "2027-01-05T00:00:00Z",
        ]);
        p.ok(&["user", "left-company", "--yes", "ann@acme.test"]);
        p
    })
}

/// Every example of every `--help`, run as a shell runs it (pipes,
/// redirections, `~`) on a copy of the Quick start's database, in a
/// scratch folder that is also its home, so none writes outside it (`man
/// --dir ~/...` among them). Each runs or is refused as a refusal is: exit
/// 2 to 6 with one `error:` line; never an internal error, a crash or a
/// shell error. That is what the README promises of them, beside naming
/// the Quick start's people and accounts.
#[test]
fn every_help_example_runs_or_is_refused_cleanly_on_the_quick_start_database() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    says(
        &readme.split_whitespace().collect::<Vec<_>>().join(" "),
        "names of the Quick start",
    );
    let mut cmd = portalctl::command();
    cmd.build();
    let mut all = Vec::new();
    leaves(&cmd, &mut Vec::new(), &mut all);
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_portalctl"))
        .parent()
        .unwrap();
    let mut path = vec![bin.to_path_buf()];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let path = std::env::join_paths(path).unwrap();
    let mut failed = Vec::new();
    let mut ran = 0;
    for (_, mut leaf) in all {
        let help = leaf.render_long_help().to_string();
        let examples = help.split("\nExamples:\n").nth(1).unwrap_or_default();
        // A long example goes on after ` \` on the next line.
        let examples = examples.replace("\\\n", "");
        for line in examples.lines().map(str::trim).filter(|l| !l.is_empty()) {
            // Not out to the network.
            if line.contains("--smtp") {
                continue;
            }
            // A path from the root would be written outside the scratch
            // folder, into the system of whoever pastes or tests it.
            if line.split_whitespace().any(|w| w.starts_with('/')) {
                failed.push(format!(
                    "{line}: writes outside the home and working folders"
                ));
                continue;
            }
            let p = quick_start();
            let home = crate::support::scratch_dir();
            // Where a fish user's completions go already exists.
            std::fs::create_dir_all(home.path().join(".config/fish/completions")).unwrap();
            let out = std::process::Command::new("bash")
                .args(["-c", line])
                .current_dir(home.path())
                .env("HOME", home.path())
                .env("PATH", &path)
                .env("PORTALCTL_DB", &p.db)
                .env("PORTALCTL_NOW", &p.now)
                .env_remove("PORTALCTL_AS")
                .env_remove("MANPATH")
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            ran += 1;
            let code = out.status.code().unwrap_or(-1);
            let stderr = String::from_utf8_lossy(&out.stderr);
            // Under --json the refusal is one JSON document on stderr; `can`
            // answers "no" with exit 5 and its table.
            let said = stderr.lines().filter(|l| l.starts_with("error: ")).count() == 1
                || (line.contains("--json") && stderr.starts_with("{\"error\":"))
                || (line.contains(" can ") && code == 5 && stderr.is_empty());
            let refused = (2..=6).contains(&code) && said;
            // `man -l -` may be missing here: that is the pager's, not ours.
            let no_man = line.contains("| man -l -") && stderr.contains("man: command not found");
            if code != 0 && !refused && !no_man {
                failed.push(format!("[{code}] {line}\n{stderr}"));
            }
        }
    }
    assert!(ran > 100, "{ran} examples");
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
