//! Commands portalctl prints for pasting (in `help:` lines, warnings,
//! notes, `order show`) carry member-chosen names and addresses quoted for
//! the shell, so that pasting one runs that command with those values and
//! nothing else (A#18), in sh/bash/zsh and in fish alike (#11), and one
//! whose names start with `-` is read with them as values, not flags
//! (#1). Each command is read back by a real `sh` (and `fish`), in which
//! `portalctl` is a function that only reports its arguments, and
//! `pwned` a program that leaves a mark when it runs.

use std::path::Path;
use std::process::Command;

use super::support::*;

/// Names a member may choose that a shell would run, split or unquote
/// if they were pasted bare or between double quotes; each runs `pwned`
/// if any of it runs. (Addresses are kept in lower case, and may hold no
/// `(`, so theirs run it after a pipe. Names hold no backquote: text
/// refuses it, A5.)
struct Hostile {
    account: String,
    customer: String,
    policy: String,
    /// An address holding pipes and a single quote (RFC 5322 atext).
    email: String,
    /// One holding `$`, pipes, globs and `&`.
    other: String,
}

impl Hostile {
    fn new() -> Hostile {
        Hostile {
            account: "Evil $(pwned) \"Co\" 'x' \\' ; pwned ; : \\'".to_string(),
            customer: "Sub \"$(pwned)\" \\ Co".to_string(),
            policy: "Big $(pwned) \\\" '' \\\\' ; pwned ; \\'".to_string(),
            email: "o'neil|pwned|@x.test".to_string(),
            other: "b$home|pwned|*?#~!&@x.test".to_string(),
        }
    }

    /// #1's names: each starts with `-`, the policy's is `--` itself.
    fn dashed() -> Hostile {
        Hostile {
            account: "-z Co".to_string(),
            customer: "-Sub".to_string(),
            policy: "--".to_string(),
            email: "-a@x.test".to_string(),
            other: "-b@x.test".to_string(),
        }
    }

    /// A2/N4's names, which sh reads as they are but zsh (a leading `=`
    /// is a command's path) or fish (`%self` is its process id) would
    /// read as others, with a tilde beside them.
    fn expanded() -> Hostile {
        Hostile {
            account: "=ls".to_string(),
            customer: "%self".to_string(),
            policy: "~root".to_string(),
            email: "=u@x.test".to_string(),
            other: "%self@x.test".to_string(),
        }
    }

    fn all(&self) -> [&str; 5] {
        [
            &self.account, &self.customer, &self.policy, &self.email, &self.other,
        ]
    }
}

/// Every backquoted `portalctl ...` command in `text`, read as far as a
/// shell would take it: up to the backquote that closes it outside single
/// quotes and not escaped by a backslash.
fn pasted(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("`portalctl ") {
        let command = &rest[at + 1..];
        let (mut quoted, mut escaped) = (false, false);
        let end = command
            .char_indices()
            .find(|&(_, c)| {
                let ends = c == '`' && !quoted && !escaped;
                match c {
                    _ if escaped => escaped = false,
                    '\\' if !quoted => escaped = true,
                    '\'' => quoted = !quoted,
                    _ => {}
                }
                ends
            })
            .map_or(command.len(), |(i, _)| i);
        found.push(command[..end].to_string());
        rest = &command[end..];
    }
    found
}

/// A directory holding `pwned`, a program that leaves `ran` beside it.
fn pwned_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = scratch_dir();
    let program = dir.path().join("pwned");
    std::fs::write(&program, "#!/bin/sh\ntouch \"$(dirname \"$0\")/ran\"\n").unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// A shell a printed command may be pasted into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shell {
    /// POSIX `sh`, which reads quotes as bash and zsh do.
    Sh,
    /// fish, which reads `\'` and `\\` as escapes inside single quotes.
    Fish,
    /// zsh, which reads a word starting with `=` as a command's path.
    Zsh,
}

/// The words `sh` reads `command` as, `portalctl` first, with `dir`'s
/// `pwned` on its PATH; fails the test if the shell cannot read it or
/// `pwned` ran.
#[track_caller]
fn words(command: &str, dir: &Path) -> Vec<String> {
    words_in(Shell::Sh, command, dir)
}

/// [`words`], as `shell` reads them.
#[track_caller]
fn words_in(shell: Shell, command: &str, dir: &Path) -> Vec<String> {
    let mut cmd = match shell {
        Shell::Sh => {
            let mut sh = Command::new("sh");
            sh.arg("-c").arg(format!(
                "portalctl() {{ printf 'portalctl\\0'; printf '%s\\0' \"$@\"; }}\n{command}\n"
            ));
            sh
        }
        Shell::Fish => {
            let mut fish = Command::new("fish");
            fish.arg("--no-config").arg("-c").arg(format!(
                "function portalctl; printf 'portalctl\\0'; for a in $argv; printf '%s\\0' $a; end; end\n{command}\n"
            ));
            fish
        }
        Shell::Zsh => {
            let mut zsh = Command::new("zsh");
            zsh.arg("-f").arg("-c").arg(format!(
                "portalctl() {{ printf 'portalctl\\0'; printf '%s\\0' \"$@\"; }}\n{command}\n"
            ));
            zsh
        }
    };
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = cmd.env("PATH", path).current_dir(dir).output().unwrap();
    assert!(
        out.status.success(),
        "{shell:?} could not run `{command}`: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !dir.join("ran").exists(),
        "pasting `{command}` in {shell:?} ran code"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut words: Vec<String> = stdout.split('\0').map(str::to_string).collect();
    assert_eq!(words.pop().as_deref(), Some(""), "{stdout:?}");
    words
}

/// The words of every command pasted in `text`.
#[track_caller]
fn pasted_words(text: &str, dir: &Path) -> Vec<Vec<String>> {
    pasted(text).iter().map(|c| words(c, dir)).collect()
}

/// A portal whose account, a customer of it, a policy and two members'
/// addresses are hostile names; a member of `user` role who places
/// orders; `fiona`, an admin, the policy's second approver.
fn hostile_portal(h: &Hostile) -> Portal {
    let p = Portal::empty();
    p.ok(&[
        "init",
        "--preset",
        "portal",
        &format!("--account={}", h.account),
        "--owner-email",
        OWNER,
        "--owner-name",
        "Olive Owner",
    ]);
    for (email, role) in [
        ("fiona@acme.test", "admin"),
        ("max@acme.test", "manager"),
        (h.other.as_str(), "user"),
    ] {
        let invited = p.json(&[
            "user",
            "invite",
            &format!("--email={email}"),
            "--name",
            "M",
            "--role",
            role,
            &format!("--account={}", h.account),
            "--city",
            "London",
            "--country",
            "GB",
        ]);
        p.ok(&["user", "accept", invited["token"].as_str().unwrap()]);
    }
    p
}

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

/// A#18's repro: a policy left short of approvers, whose stuck order
/// `order show` offers to release with `policy edit NAME --account NAME`.
#[test]
fn a_stuck_orders_edit_names_a_hostile_policy_and_account_as_they_are() {
    let dir = pwned_dir();
    let pwned = dir.path();
    let h = Hostile::new();
    let p = hostile_portal(&h);
    p.ok(&[
        "policy", "create", "--name", &h.policy, "--threshold", "1000", "--required-approvals",
        "2", "--account", &h.account,
    ]);
    let placed = p.run_as(
        Some("max@acme.test"),
        &[
            "order", "place", "--description", "server", "--amount", "5000.00",
        ],
    );
    assert_eq!(placed.code, SUCCESS, "{}", placed.stderr);
    let demoted = p.run(&[
        "user", "set-role", "fiona@acme.test", "manager", "--account", &h.account,
    ]);
    assert_eq!(demoted.code, SUCCESS, "{}", demoted.stderr);

    let show = p.ok(&["order", "show", "1", "--account", &h.account]);
    let can_decide = show
        .lines()
        .skip_while(|l| !l.contains("can decide"))
        .collect::<Vec<_>>()
        .join("\n");
    let commands = pasted_words(&can_decide, pwned);
    assert_eq!(
        commands,
        [
            argv(&["portalctl", "order", "cancel", "1", "--account", &h.account]),
            argv(&[
                "portalctl", "policy", "edit", &h.policy, "--account", &h.account,
                "--required-approvals", "1",
            ]),
        ],
        "{show}"
    );
    // The warning of the demotion and the refusal of an approval give
    // the same commands.
    for text in [
        demoted.stderr,
        p.refused_as(Some(OWNER), &["order", "approve", "1"], CONFLICT),
    ] {
        let commands = pasted_words(&text, pwned);
        assert!(
            commands.contains(&argv(&[
                "portalctl", "order", "cancel", "1", "--account", &h.account
            ])),
            "{text}"
        );
        assert!(
            commands
                .iter()
                .all(|c| !c.contains(&h.policy) || c[3] == h.policy),
            "{text}"
        );
    }
}

/// A#18's second repro: an address holding a backquote, told to an
/// operator as the argument of `user resend-invite`.
#[test]
fn an_invitation_to_resend_names_a_hostile_address_as_it_is() {
    let dir = pwned_dir();
    let pwned = dir.path();
    let h = Hostile::new();
    let p = hostile_portal(&h);
    p.ok(&[
        "user", "invite", "--email", &h.email, "--name", "O", "--role", "user", "--no-send",
        "--account", &h.account, "--city", "London", "--country", "GB",
    ]);
    p.ok(&[
        "user", "revoke-invite", &h.email, "--yes", "--account", &h.account,
    ]);
    let err = p.refused(
        &["user", "activate", &h.email, "--account", &h.account],
        CONFLICT,
    );
    assert_eq!(
        pasted_words(&err, pwned),
        [argv(&["portalctl", "user", "resend-invite", &h.email])],
        "{err}"
    );
}

/// A new account's note on how to invite its first admin names it as it
/// is.
#[test]
fn a_new_accounts_invite_hint_names_a_hostile_account_as_it_is() {
    let dir = pwned_dir();
    let pwned = dir.path();
    let h = Hostile::new();
    let p = hostile_portal(&h);
    let created = p.run(&["account", "create", &h.customer, "--kind", "customer"]);
    assert_eq!(created.code, SUCCESS, "{}", created.stderr);
    let all = format!("{}{}", created.stdout, created.stderr);
    assert_eq!(
        pasted_words(&all, pwned),
        [argv(&[
            "portalctl", "user", "invite", "EMAIL", "--account", &h.customer, "--role", "admin",
        ])],
        "{all}"
    );
}

/// Runs many commands that give a command to paste, on `h`'s names
/// (each written where the parser takes it as a value, whatever it
/// starts with); returns the portal and all they said.
fn sweep(h: &Hostile) -> (Portal, String) {
    let p = hostile_portal(h);
    let mut said = String::new();
    let acc = format!("--account={}", h.account);
    let acc: &str = &acc;
    let mut run = |who: Option<&str>, args: &[&str]| {
        let r = p.run_as(who, args);
        said.push_str(&r.stdout);
        said.push_str(&r.stderr);
    };
    run(
        None,
        &[
            "policy",
            "create",
            &format!("--name={}", h.policy),
            "--threshold",
            "1000",
            "--required-approvals",
            "2",
            acc,
        ],
    );
    run(
        Some("max@acme.test"),
        &["order", "place", "--description", "x", "--amount", "5000"],
    );
    run(
        None,
        &["user", "set-role", acc, "--", "fiona@acme.test", "manager"],
    );
    run(None, &["order", "show", "1", acc]);
    run(Some(OWNER), &["order", "approve", "1"]);
    run(Some("max@acme.test"), &["order", "approve", "1"]);
    run(
        None,
        &["account", "create", "--kind", "customer", "--", &h.customer],
    );
    run(
        None,
        &[
            "user",
            "invite",
            &format!("--email={}", h.email),
            "--name",
            "O",
            "--role",
            "user",
            "--no-send",
            acc,
            "--city",
            "London",
            "--country",
            "GB",
        ],
    );
    run(
        None,
        &["user", "revoke-invite", "--yes", acc, "--", &h.email],
    );
    run(None, &["user", "activate", acc, "--", &h.email]);
    run(
        None,
        &[
            "user",
            "invite",
            &format!("--email={}", h.other),
            "--name",
            "B",
            "--role",
            "user",
            acc,
            "--city",
            "London",
            "--country",
            "GB",
        ],
    );
    run(None, &["user", "resend-invite", acc, "--", &h.other]);
    run(
        Some(h.other.as_str()),
        &[
            "user",
            "transfer-ownership",
            &format!("--to={}", h.other),
            "--yes",
        ],
    );
    run(
        Some(h.other.as_str()),
        &[
            "user",
            "merge",
            &format!("--into={}", h.other),
            "--yes",
            "--",
            &h.email,
        ],
    );
    run(None, &["account", "address", "remove", acc, "HQ"]);
    run(None, &["account", "ip", "list", acc]);
    run(None, &["user", "deactivate", acc, "--yes", "--", &h.other]);
    run(None, &["user", "set-role", acc, "--", &h.other, "admin"]);
    run(
        None,
        &[
            "user", "set-role", "--until", "7d", acc, "--", "fiona@acme.test", "manager",
        ],
    );
    run(None, &["user", "activate", acc, "--", &h.other]);
    run(None, &["user", "resend-invite", acc, "--", &h.other]);
    run(
        None,
        &["user", "set-role", acc, "--", "max@acme.test", "admin"],
    );
    run(
        Some("max@acme.test"),
        &["user", "edit", OWNER, "--new-email", "o2@acme.test"],
    );
    (p, said)
}

/// Checks that every word of `commands` that holds a quote, `$`, a
/// backquote, a backslash, a pipe or a glob is one of `h`'s names whole,
/// that every name is in some command, and that there are more than a
/// few commands.
#[track_caller]
fn names_whole(h: &Hostile, commands: &[Vec<String>], said: &str) {
    let names = h.all();
    let mut seen: Vec<&str> = Vec::new();
    for words in commands {
        for word in words {
            if word.contains(['$', '`', '"', '\'', '\\', '|', '*']) {
                let name = names.iter().find(|n| **n == word.as_str());
                assert!(
                    name.is_some(),
                    "`{word}` is not a name whole, in {words:?}:\n{said}"
                );
                seen.extend(name);
            }
        }
    }
    // The sweep reaches every kind of name, in more than a few commands.
    for name in names {
        assert!(seen.contains(&name), "no command named `{name}`:\n{said}");
    }
    assert!(commands.len() >= 10, "{commands:?}\n{said}");
}

/// The next command that prints a command to paste: many commands that
/// give one, run on hostile names; every command they print reads back
/// in `sh` without running anything, and every word of it that holds a
/// quote, `$` or a backquote is one of the names whole.
#[test]
fn every_command_printed_to_paste_reads_back_with_hostile_names_whole() {
    let dir = pwned_dir();
    let h = Hostile::new();
    let (_, said) = sweep(&h);
    names_whole(&h, &pasted_words(&said, dir.path()), &said);
}

/// #11: the same commands pasted into fish, for which portalctl ships
/// completions, and which reads `\'` and `\\` inside single quotes as
/// escapes (the names hold both): fish runs nothing and reads each as
/// the same words as `sh`. Needs `fish` on the PATH (Debian's `fish`
/// package); without it this test fails rather than pass unchecked.
#[test]
fn every_command_printed_to_paste_reads_back_the_same_in_fish() {
    let has_fish = Command::new("fish")
        .args(["--no-config", "-c", "true"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        has_fish,
        "this test pastes commands into fish: install it (apt-get install fish)"
    );
    let dir = pwned_dir();
    let pwned = dir.path();
    let h = Hostile::new();
    let (_, said) = sweep(&h);
    let commands = pasted(&said);
    let mut in_fish = Vec::new();
    for command in &commands {
        let fish = words_in(Shell::Fish, command, pwned);
        assert_eq!(fish, words(command, pwned), "`{command}`");
        in_fish.push(fish);
    }
    names_whole(&h, &in_fish, &said);
}

/// #1: with names that start with `-` (a policy named `--` itself),
/// every command printed to paste runs as printed: the parser reads the
/// names as values, not as flags, and the command is no usage error.
/// Placeholders (`EMAIL`, `ROLE`, ...) are filled in as a person would.
/// (Run against a portal whose state the commands change as they go:
/// what is checked is that each is read as printed, not that it
/// succeeds.)
#[test]
fn every_command_printed_to_paste_with_names_starting_with_a_dash_runs_as_printed() {
    let dir = pwned_dir();
    let h = Hostile::dashed();
    let (p, said) = sweep(&h);
    let commands = pasted_words(&said, dir.path());
    let names = h.all();
    let mut seen: Vec<&str> = Vec::new();
    for words in &commands {
        // A command named in passing (`portalctl policy edit`) carries no
        // value to be misread.
        let named: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| {
                words
                    .iter()
                    .any(|w| w == n || w.split_once('=').is_some_and(|(_, v)| v == *n))
            })
            .collect();
        if named.is_empty() {
            continue;
        }
        seen.extend(named);
        let filled: Vec<String> = words
            .iter()
            .map(|w| match w.as_str() {
                "EMAIL" | "NEW" => "new@acme.test".to_string(),
                "ROLE" => "user".to_string(),
                "T" => "7d".to_string(),
                _ => w.clone(),
            })
            .collect();
        let parsed = portalctl::parse(&filled.iter().map(Into::into).collect::<Vec<_>>());
        assert!(parsed.is_ok(), "{words:?}: {}\n{said}", parsed.unwrap_err());
        let args: Vec<&str> = filled[1..].iter().map(String::as_str).collect();
        let ran = p.run(&args);
        assert!(
            !(ran.code == USAGE && ran.stderr.contains("Usage:")),
            "{words:?}: {}",
            ran.stderr
        );
    }
    for name in names {
        assert!(seen.contains(&name), "no command named `{name}`:\n{said}");
    }
}

/// A2/N4: names that sh reads as they are but zsh or fish would expand
/// (`=ls` is `/usr/bin/ls` in zsh, `%self` fish's process id): every
/// command printed to paste reads as the same words in sh, fish and zsh,
/// each name among them whole. zsh is checked when it is installed
/// (CI's test dependencies install fish, not zsh).
#[test]
fn every_command_printed_to_paste_with_names_zsh_or_fish_expand_reads_back_the_same() {
    let has = |shell: &str, flag: &str| {
        Command::new(shell)
            .args([flag, "-c", "true"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    assert!(
        has("fish", "--no-config"),
        "this test pastes commands into fish: install it (apt-get install fish)"
    );
    let zsh = has("zsh", "-f");
    if !zsh {
        eprintln!("zsh is not installed: pasting into zsh is not checked");
    }
    let dir = pwned_dir();
    let pwned = dir.path();
    for h in [Hostile::expanded(), Hostile::new()] {
        let (_, said) = sweep(&h);
        let commands = pasted(&said);
        let mut seen: Vec<&str> = Vec::new();
        for command in &commands {
            let in_sh = words(command, pwned);
            assert_eq!(
                words_in(Shell::Fish, command, pwned),
                in_sh,
                "fish: `{command}`"
            );
            if zsh {
                assert_eq!(
                    words_in(Shell::Zsh, command, pwned),
                    in_sh,
                    "zsh: `{command}`"
                );
            }
            seen.extend(h.all().into_iter().filter(|n| {
                in_sh
                    .iter()
                    .any(|w| w == n || w.split_once('=').is_some_and(|(_, v)| v == *n))
            }));
        }
        for name in h.all() {
            assert!(seen.contains(&name), "no command named `{name}`:\n{said}");
        }
        assert!(commands.len() >= 10, "{commands:?}\n{said}");
    }
}
