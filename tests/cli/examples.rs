//! The scripts in `examples/` run as documented: one per seed portal,
//! walking its article's flows on a temporary database.

use std::process::Command;

/// Runs `examples/NAME.sh` against the built binary on a fresh database;
/// asserts it succeeds and returns what it printed, stderr after stdout
/// (the refusals it shows go there).
fn run_example(name: &str) -> String {
    let dir = crate::support::scratch_dir();
    let script = format!("{}/examples/{name}.sh", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("bash")
        .arg(&script)
        .env("PORTALCTL", env!("CARGO_BIN_EXE_portalctl"))
        .env("PORTALCTL_DB", dir.path().join(format!("{name}.db")))
        .env_remove("PORTALCTL_AS")
        .env_remove("PORTALCTL_NOW")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{stderr}");
    assert!(!stderr.contains("UNEXPECTED"), "{stderr}");
    format!("{stdout}\n{stderr}")
}

/// The part of `output` after the line `heading`.
fn after<'a>(output: &'a str, heading: &str) -> &'a str {
    output
        .split(heading)
        .nth(1)
        .unwrap_or_else(|| panic!("no {heading:?} in:\n{output}"))
}

/// The table row of `output` that holds `key`.
fn row<'a>(output: &'a str, key: &str) -> &'a str {
    output
        .lines()
        .find(|l| l.contains(key))
        .unwrap_or_else(|| panic!("no row with {key:?} in:\n{output}"))
}

#[test]
fn the_approval_example_runs_and_shows_the_flow() {
    let out = run_example("approvals");
    let after_fiona = after(&out, "After Fiona's approval:");
    assert!(after_fiona
        .lines()
        .any(|l| l.contains("Router") && l.contains("approved") && l.contains("fiona@acme.test")));
    assert!(after(&out, "What Una sees:").contains("Broadband London"));
}

/// Seed 000: permission levels, duplicates reported and merged, and
/// "Left Company ... permission level to No LMP access".
#[test]
fn the_licence_portal_example_walks_manage_access() {
    let out = run_example("lmp");
    let allocator = after(&out, "What the allocator may do:");
    assert!(row(allocator, "MDR Complete").contains("Contoso 3 (ship to HQ), Fabrikam 1"));
    assert!(allocator.contains("may not add shipping addresses"));
    assert!(after(&out, "What the view-only contact may do:").contains("may not buy licences"));
    assert!(after(&out, "What the bank-details contact may do:").contains("direct-debit"));
    assert!(row(after(&out, "Mail for support:"), "support@lmp.test").contains("duplicate-notice"));
    let left = after(&out, "After Bo left the company:");
    assert!(left.contains("no-lmp-access") && left.contains("status        left"));
    let end = after(&out, "Contacts at the end:");
    assert!(row(end, "vi@northwind.test").contains("Vi Vance"));
    assert!(row(end, "vi@northwind.test").contains("partner-allocator"));
}

/// Seed 003: "each user is assigned only 1 role", courses by role, and a
/// timezone from the city and country.
#[test]
fn the_moodle_example_walks_roles_courses_and_timezones() {
    let out = run_example("moodle");
    let zones = after(&out, "Users and their timezones:");
    for (who, zone) in [
        ("pia@", "Europe/Berlin"),
        ("fin@", "America/Los_Angeles"),
        ("mia@", "Pacific/Auckland"),
        ("sam@", "Europe/Kyiv"),
    ] {
        assert!(row(zones, who).ends_with(zone), "{who}: {zones}");
    }
    let staff = after(&out, "Sam's courses (staff):");
    let staff = staff.split("Fin's courses").next().unwrap();
    assert!(staff.contains("Partner Community") && !staff.contains("Clients and Invoices"));
    assert!(out.contains("one role per user"));
    let marketing = after(&out, "Sam's courses after moving to marketing:");
    assert!(row(marketing, "Clients and Invoices").contains("clicks.view"));
    // Progress recorded before the move stays with the course.
    assert!(row(marketing, "Moodle Products").contains("40%"));
    let history = after(&out, "Fin's course history after leaving:");
    assert_eq!(history.matches("Z  20").count(), 7, "{history}");
}

/// Seed 004: invite with an email and permissions, areas, and the owner's
/// full access moving with the ownership.
#[test]
fn the_customer_area_example_walks_user_management() {
    let out = run_example("customer-area");
    let users = after(&out, "Users:");
    assert!(row(users, "ada@fjord.test").contains("Ada Admin"));
    assert!(row(users, "bill@fjord.test").contains("billing, support"));
    assert!(out.contains("existing login reused"));
    assert!(out.contains("bill@fjord.test billing.payment: granted by area `billing`"));
    assert!(out.contains("cannot give `bill@fjord.test` `domains`"));
    assert!(row(after(&out, "Invitations waiting"), "dan@fjord.test").contains("pending"));
    let handed = after(&out, "After Owen handed the account to Ada:");
    let ada = row(handed, "ada@fjord.test");
    assert!(ada.contains(" owner ") && !ada.contains("(owner)"), "{ada}");
    assert!(row(handed, "owen@fjord.test").contains("member"));
    assert!(row(handed, "owen@fjord.test").contains("account-admin"));
}

/// Seed 002: partner details and config, external administrators added
/// from the customer's console, the customer RFI, and the University.
#[test]
fn the_msp_example_walks_partner_details_external_admins_and_courses() {
    let out = run_example("msp");
    assert!(out.contains("may not change the account's configuration"));
    let admins = after(&out, "External administrators of Client Co:");
    assert!(row(admins, "max@harbour.test").contains("msp-administrator"));
    assert!(row(admins, "hana@harbour.test").contains("msp-administrator"));
    let details = after(&out, "Partner details:");
    assert!(row(details, "billing contact").contains("billing@harbour.test"));
    assert!(row(details, "Email Security").contains("price 2.40 GBP"));
    assert!(after(&out, "may not set their own prices:").contains("agreed with the vendor"));
    let rfi = after(&out, "Client Co's request for information:");
    assert!(row(rfi, "inbound IPs").contains("203.0.113.10"));
    assert!(row(rfi, "smarthost").contains("smtp.harbour.test:25"));
    let max = after(&out, "Max's assigned courses:");
    assert!(row(max, "University Onboarding").contains("60%"));
    assert!(row(max, "MSP Administrator Essentials").contains("completed"));
    let una = after(&out, "Una's assigned courses (an MSP user):");
    assert!(!una.contains("University"), "{una}");
}

/// Seeding a CI job's accounts: a fixture applied, then applied again
/// without change, the users it lists, and checks by exit code, with no
/// email queued.
#[test]
fn the_ci_seed_example_applies_a_fixture_twice() {
    let out = run_example("ci-seed");
    let first = after(&out, "First apply:");
    assert!(row(first, "created").trim_end().ends_with("12"), "{first}");
    let second = after(&out, "Second apply");
    assert!(
        row(second, "created").trim_end().ends_with(" 0"),
        "{second}"
    );
    assert!(
        row(second, "updated").trim_end().ends_with(" 0"),
        "{second}"
    );
    let users = after(&out, "Test users:");
    assert!(row(users, "auditor@ci.test").contains("auditor"));
    assert!(row(users, "invitee@ci.test").contains("invited"));
    assert!(row(users, "owner@ci.test").contains("admin (owner)"));
    assert!(out.contains("an invitation token for the tests: pinv_"));
    // A CI seed emails nobody: neither `apply` nor the resent token
    // queues one.
    let status = after(&out, "Status (no mail pending):");
    assert!(
        row(status, "mail pending").trim_end().ends_with(" 0"),
        "{status}"
    );
}

/// Onboarding a partner: its owner, a customer it manages, and the
/// partner's admin acting on the customer.
#[test]
fn the_onboarding_example_sets_up_a_partner_and_its_customer() {
    let out = run_example("onboard-partner");
    let accounts = after(&out, "Accounts:");
    assert!(row(accounts, "Contoso ").contains("carla@contoso.test"));
    assert!(row(accounts, "Fabrikam").contains("customer  Contoso"));
    let admins = after(&out, "External administrators of Fabrikam:");
    assert!(row(admins, "carla@contoso.test").contains("msp-administrator"));
    assert!(row(after(&out, "Can Carla manage"), "allowed").contains("yes"));
    assert!(row(after(&out, "What Fred sees:"), "Broadband Fabrikam HQ").contains("fred@"));
}

/// Offboarding a leaver: services handed over in the same step, access
/// gone, the audit log saying so.
#[test]
fn the_offboarding_example_hands_over_services_and_removes_access() {
    let out = run_example("offboard-leaver");
    let before = after(&out, "Services before max@acme.test leaves:");
    assert!(row(before, "Mobile 07700 900123").contains("max@acme.test"));
    let after_ = after(&out, "Services after:");
    assert!(row(after_, "Mobile 07700 900123").contains("una@acme.test"));
    let now = after(&out, "max@acme.test now:");
    assert!(row(now, "status").contains("left"));
    assert!(row(now, "role").contains("no-access"));
    assert!(row(after(&out, "still log in?"), "allowed").contains("no"));
    let audit = after(&out, "What the audit log says:");
    assert!(row(audit, "max@acme.test").contains("user.left_company"));
}

/// A month of orders: every working day's orders decided the next
/// morning, the month's report adding up.
#[test]
fn the_month_of_orders_example_reports_the_month() {
    let out = run_example("month-of-orders");
    let count = |status: &str| -> usize {
        row(&out, &format!("  {status}: "))
            .split(": ")
            .nth(1)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    // 21 working days from the 2nd to the 30th, two orders each.
    assert!(out.contains("November: 42 orders placed"), "{out}");
    assert_eq!(count("approved") + count("rejected") + count("pending"), 42);
    assert!(count("rejected") > 0 && count("approved") > 0);
    // Only the last day's orders still wait.
    let waiting = after(&out, "Still waiting at the end of the month");
    let waiting = waiting.split("Decisions in the audit log:").next().unwrap();
    assert!(
        waiting
            .lines()
            .skip(2)
            .all(|l| l.trim().is_empty() || l.contains("day 30") || l.contains("rack 30")),
        "{waiting}"
    );
    assert!(row(after(&out, "Why, as the buyer reads it:"), "reason").contains("needs a quote"));
    let decisions = after(&out, "Decisions in the audit log:");
    assert_eq!(decisions.matches("order.reject").count(), count("rejected"));
    assert!(decisions.contains("2026-11-05T08:00:00Z"));
}

/// The examples that end `portalctl PATH --help`, each whole (a long one
/// goes on after ` \` on the next line), and the paths of the leaf
/// commands below PATH, in the order the help lists them.
fn help_of(path: &[String]) -> (Vec<String>, Vec<Vec<String>>) {
    let out = Command::new(env!("CARGO_BIN_EXE_portalctl"))
        .args(path)
        .arg("--help")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut leaves = Vec::new();
    if let Some(commands) = help.split("\nCommands:\n").nth(1) {
        for line in commands.lines().take_while(|l| !l.trim().is_empty()) {
            let name = line.split_whitespace().next().unwrap_or_default();
            if line.starts_with("  ") && !line.starts_with("   ") && name != "help" {
                let mut sub = path.to_vec();
                sub.push(name.to_string());
                leaves.push(sub);
            }
        }
    }
    let mut examples: Vec<String> = Vec::new();
    if let Some(block) = help.split("\nExamples:\n").nth(1) {
        for line in block.lines().take_while(|l| l.starts_with("  ")) {
            match examples.last_mut() {
                Some(last) if last.ends_with('\\') => {
                    last.push('\n');
                    last.push_str(line);
                }
                _ => examples.push(line.trim().to_string()),
            }
        }
    }
    (examples, leaves)
}

/// Every leaf command's examples, in the order of the commands' groups.
fn every_example(path: Vec<String>, out: &mut Vec<String>) {
    let (examples, leaves) = help_of(&path);
    if leaves.is_empty() {
        out.extend(examples);
    }
    for leaf in leaves {
        every_example(leaf, out);
    }
}

/// The examples the story means to be refused, by a part of their line:
/// the exit code and why.
const REFUSED_IN_THE_STORY: &[(&str, i32, &str)] = &[
    (
        "--preset-file catalog.json", 3, "a catalog file of one's own",
    ),
    ("# customer-area preset", 2, "another preset's areas"),
    ("# moodle preset", 3, "another preset's courses"),
    (
        "outbox send",
        4,
        "no sender until `settings set mail-from`, a later group",
    ),
    (
        "outbox retry 1",
        4,
        "its only emails, invitations, ended when accepted or revoked",
    ),
    (
        "outbox cancel 1",
        4,
        "its only emails, invitations, ended when accepted or revoked",
    ),
];

/// Findings B1: the README's promise. Every example line of every
/// command's `--help`, run in the order of the commands' groups from
/// `portalctl init` on a new database, tells one story: each exits 0 but
/// those the story means to be refused, which exit with their documented
/// code. An invitation's token (`pinv_...`) is the one the story's
/// invitations printed, in order.
#[test]
fn the_help_examples_run_in_order_tell_one_story() {
    let mut lines = Vec::new();
    every_example(Vec::new(), &mut lines);
    assert!(lines.len() > 100, "{lines:?}");
    let dir = crate::support::scratch_dir();
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".config/fish/completions")).unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_portalctl"), bin.join("portalctl")).unwrap();
    // `portalctl man | man -l -` needs only a reader of the page.
    std::fs::write(bin.join("man"), "#!/bin/sh\ncat >/dev/null\n").unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(bin.join("man"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut tokens: Vec<String> = Vec::new();
    let mut wrong = Vec::new();
    for line in &lines {
        let mut run = line.clone();
        while run.contains("pinv_...") && !tokens.is_empty() {
            run = run.replacen("pinv_...", &tokens.remove(0), 1);
        }
        let mut cmd = Command::new("bash");
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("PORTALCTL_") {
                cmd.env_remove(key);
            }
        }
        let out = cmd
            .arg("-c")
            .arg(&run)
            .current_dir(&home)
            .env("HOME", &home)
            .env("PATH", &path)
            .env("PORTALCTL_DB", dir.path().join("story.db"))
            .env("PORTALCTL_NOW", crate::support::NOW)
            .env("USER", "tester")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        for word in stdout.split_whitespace() {
            if word.starts_with("pinv_") && word.len() > 20 {
                tokens.push(
                    word.trim_matches(|c: char| !c.is_ascii_alphanumeric())
                        .to_string(),
                );
            }
        }
        let expected = REFUSED_IN_THE_STORY
            .iter()
            .find(|(part, _, _)| line.contains(part))
            .map_or(0, |(_, code, _)| *code);
        let code = out.status.code().unwrap_or(-1);
        if code != expected {
            wrong.push(format!(
                "exit {code}, not {expected}: {line}\n    {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {}:\n{}",
        wrong.len(),
        lines.len(),
        wrong.join("\n")
    );
}
