//! What a partner and its customers read of each other: a partner's
//! `customers.manage` holder reads a customer's profile and addresses and
//! nothing inside it; a customer reads the partner's people only where
//! they act on it.

use crate::support::{Portal, DENIED, NOT_FOUND, SUCCESS};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json");
const LMP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-lmp.json");

/// A customer `Contoso` of a partner, applied from `file`, whose admin
/// `admin` has given it a policy naming `person`, a cost centre, an
/// address, an order, a service and a custom role: something inside it
/// for every read to find.
fn furnished(key: &str, file: &'static str, admin: &str, person: &str) -> Portal {
    let (admin, person) = (admin.to_string(), person.to_string());
    Portal::cached(key, move || {
        let p = Portal::empty();
        p.ok(&["apply", file]);
        let as_admin = |args: &[&str]| {
            let run = p.run_as(Some(&admin), args);
            assert_eq!(run.code, SUCCESS, "{args:?}: {}", run.stderr);
        };
        as_admin(&[
            "policy", "create", "--name", "Board", "--threshold", "10", "--approvers", &person,
        ]);
        as_admin(&["cost-centre", "create", "SECRET", "--name", "Falcon"]);
        as_admin(&[
            "account", "address", "add", "--label", "HQ", "--line1", "1 High St", "--city",
            "London", "--postcode", "SW1A 1AA", "--country", "GB",
        ]);
        as_admin(&[
            "order", "place", "--amount", "20", "--description", "Falcon kit",
        ]);
        as_admin(&[
            "role", "create", "falcon-crew", "--capabilities", "account.view",
        ]);
        p.ok(&[
            "service", "add", "--name", "Falcon line", "--kind", "broadband", "--account",
            "Contoso",
        ]);
        p
    })
}

/// Commands taking `--account` or `--customer` that change something:
/// not walked here (a partner's writes on a customer are checked each by
/// the capability it needs).
const WRITES: &[&str] = &[
    "init", "role create", "role delete", "account set", "account address add",
    "account address remove", "account payment set", "account ip add", "account ip remove",
    "account smarthost set", "user invite", "user resend-invite", "user revoke-invite",
    "user edit", "user set-role", "user grant", "user revoke", "user deactivate", "user activate",
    "user left-company", "user flag-duplicate", "user transfer-ownership", "service add",
    "service assign", "service unassign", "cost-centre create", "cost-centre rename",
    "cost-centre archive", "policy create", "policy edit", "policy disable", "policy enable",
    "order place", "order approve", "order reject", "order cancel", "course progress",
    "external-admin add", "external-admin remove", "license purchase", "license allocate",
    "license move", "license price set", "license price remove",
];

/// Reads made in the partner about a customer (`--customer`): the
/// partner's own records, its RFI, licences and external admins.
const PARTNER_SIDE: &[&str] = &[
    "account rfi", "external-admin list", "license list --customer",
];

/// Every read of a customer with `--account Contoso`, with what it needs
/// after its path; `true` where a partner's member may read it (the
/// profile and the addresses, [`MANAGED_BY_PARTNER`]).
fn reads<'a>(person: &'a str, order: &'a str) -> Vec<(&'static str, Vec<&'a str>, bool)> {
    vec![
        ("account show", vec![], true),
        ("account address list", vec![], true),
        ("account payment show", vec![], false),
        ("account ip list", vec![], false),
        ("role show", vec!["falcon-crew"], false),
        ("can", vec![person, "account.view"], false),
        ("user list", vec![], false),
        ("user show", vec![person], false),
        ("user history", vec![person], false),
        ("user courses", vec![person], false),
        ("service list", vec![], false),
        ("service show", vec!["Falcon line"], false),
        ("cost-centre list", vec![], false),
        ("policy list", vec![], false),
        ("policy show", vec!["Board"], false),
        ("order list", vec![], false),
        ("order show", vec![order], false),
        ("order inbox", vec![], false),
        ("order delegate", vec!["--list"], false),
        ("license list", vec![], false),
        ("license price list", vec![], false),
        ("audit list", vec![], false),
        ("export", vec![], false),
    ]
}

/// The leaf commands of `cmd` taking `--account` or `--customer`.
fn leaves_naming_an_account(cmd: &clap::Command, path: &mut Vec<String>, out: &mut Vec<String>) {
    let subs: Vec<_> = cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .collect();
    if subs.is_empty() {
        let names = cmd
            .get_arguments()
            .any(|a| matches!(a.get_long(), Some("account" | "customer")));
        if names {
            out.push(path.join(" "));
        }
    }
    for sub in subs {
        path.push(sub.get_name().to_string());
        leaves_naming_an_account(sub, path, out);
        path.pop();
    }
}

/// Findings C7: a partner's `customers.manage` holder who is no member of
/// its customer reads the customer's profile and addresses, and every
/// other read of it is refused, printing nothing of it; its own admin
/// reads them all. Every command naming an account is walked here or
/// listed as a write or a partner's own read, so that a new one is
/// judged too.
#[test]
fn a_partner_reads_nothing_inside_its_customer_but_profile_and_addresses() {
    let mut cmd = portalctl::command();
    cmd.build();
    let mut all = Vec::new();
    leaves_naming_an_account(&cmd, &mut Vec::new(), &mut all);
    let walked: Vec<&str> = reads("x", "1").iter().map(|(path, _, _)| *path).collect();
    for leaf in &all {
        let known = walked.contains(&leaf.as_str())
            || WRITES.contains(&leaf.as_str())
            || PARTNER_SIDE.iter().any(|s| s.starts_with(leaf.as_str()));
        assert!(
            known,
            "`{leaf}` names an account: walk it in `reads` (may a partner read it?) or list it"
        );
    }
    for (key, file, partner, admin, person) in [
        (
            "partner sight: demo", DEMO, "olive@acme.test", "carl@contoso.test",
            "cleo@contoso.test",
        ),
        (
            "partner sight: lmp", LMP, "al@northwind.test", "cy@contoso.test", "cy@contoso.test",
        ),
    ] {
        let p = furnished(key, file, admin, person);
        // Contoso's order, by its number in Contoso.
        let order = p.text(
            "SELECT MAX(o.number) FROM orders o JOIN accounts a ON a.id = o.account_id
              WHERE a.name = 'Contoso'",
        );
        for (path, extra, partner_reads) in reads(person, &order) {
            let mut args: Vec<&str> = path.split(' ').collect();
            args.extend(extra.iter().copied());
            args.extend(["--account", "Contoso"]);
            let run = p.run_as(Some(partner), &args);
            if partner_reads {
                assert_eq!(run.code, SUCCESS, "{key}: {path}: {}", run.stderr);
            } else {
                assert_ne!(
                    run.code, SUCCESS,
                    "{key}: {path} read by {partner}: {}",
                    run.stdout
                );
                assert_eq!(run.stdout, "", "{key}: {path}");
                for secret in ["Board", "Falcon", "SECRET", "falcon-crew"] {
                    if !extra.contains(&secret) {
                        assert!(
                            !run.stderr.contains(secret),
                            "{key}: {path}: {}",
                            run.stderr
                        );
                    }
                }
            }
            let own = p.run_as(Some(admin), &args);
            let own_fails = ["account ip list", "license list", "license price list"];
            if !own_fails.contains(&path) {
                assert_eq!(
                    own.code, SUCCESS,
                    "{key}: {path} as {admin}: {}",
                    own.stderr
                );
            }
        }
        // Policies and cost centres, which let it through before, refuse
        // it as `order list` does.
        for args in [
            &["policy", "list", "--account", "Contoso"][..],
            &["policy", "show", "Board", "--account", "Contoso"],
            &["cost-centre", "list", "--account", "Contoso"],
            &["order", "list", "--account", "Contoso"],
        ] {
            let said = p.refused_as(Some(partner), args, DENIED);
            assert!(
                said.starts_with(&format!("error: `{partner}` is not a member of `Contoso`")),
                "{key}: {args:?}: {said}"
            );
        }
    }
}

/// Findings C12: `order inbox` in a customer one is no member of answers
/// as every other command does, "not a member" with its help (exit 5),
/// whether the partner manages that customer or no such account exists.
#[test]
fn an_inbox_in_an_account_one_is_no_member_of_is_refused_as_every_read_is() {
    let p = furnished(
        "partner sight: demo", DEMO, "carl@contoso.test", "cleo@contoso.test",
    );
    let olive = Some("olive@acme.test");
    for account in ["Contoso", "Nowhere"] {
        let inbox = p.refused_as(olive, &["order", "inbox", "--account", account], DENIED);
        let list = p.refused_as(olive, &["order", "list", "--account", account], DENIED);
        assert_eq!(inbox, list, "{account}");
        assert!(inbox.contains("help: "), "{inbox}");
    }
    assert_ne!(p.run_as(olive, &["order", "inbox"]).code, NOT_FOUND);
}

/// Findings C5: the partner admin whose change of a member in the partner
/// ends that member's external access to a customer reads in the
/// customer's `audit list` and `user history` as a person it cannot see,
/// and `--actor` that address finds none of it; their edit of the
/// customer's profile, made on the customer, names them.
#[test]
fn a_change_in_the_partner_reads_in_the_customer_without_its_actor() {
    let p = furnished(
        "partner sight: demo", DEMO, "carl@contoso.test", "cleo@contoso.test",
    );
    let carl = Some("carl@contoso.test");
    let token = p.invite("adm2@acme.test", "admin", "Acme Ltd");
    p.ok(&["user", "accept", &token]);
    let adm2 = Some("adm2@acme.test");
    p.json_as(
        carl,
        &[
            "external-admin", "add", "fiona@acme.test", "--customer", "Contoso", "--role", "user",
        ],
    );
    let ended = p.run_as(
        adm2,
        &[
            "user", "set-role", "fiona@acme.test", "auditor", "--account", "Acme Ltd", "--yes",
        ],
    );
    assert_eq!(ended.code, SUCCESS, "{}", ended.stderr);
    p.json_as(adm2, &["account", "set", "Contoso", "--phone", "555"]);
    let log = p.json_as(carl, &["audit", "list", "--account", "Contoso"]);
    let read: Vec<(String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().into(),
                e["actor"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        read.contains(&(
            "external_admin.remove".into(),
            "another person you cannot see".into()
        )),
        "{read:?}"
    );
    assert!(
        read.contains(&("account.set".into(), "adm2@acme.test".into())),
        "{read:?}"
    );
    let theirs = p.json_as(
        carl,
        &[
            "audit", "list", "--account", "Contoso", "--actor", "adm2@acme.test",
        ],
    );
    let actions: Vec<&str> = theirs
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["account.set"]);
    let history = p.run_as(
        carl,
        &["user", "history", "fiona@acme.test", "--account", "Contoso"],
    );
    assert_eq!(history.code, SUCCESS, "{}", history.stderr);
    let history = history.stdout;
    assert!(!history.contains("adm2@acme.test"), "{history}");
    assert!(
        history.contains("another person you cannot see"),
        "{history}"
    );
    // The operator reads who it was.
    let all = p.ok(&[
        "audit", "list", "--account", "Contoso", "--actor", "adm2@acme.test",
    ]);
    assert!(all.contains("external_admin.remove"), "{all}");
}

/// Findings C4: a customer's own admin reads a partner member holding
/// less than a role as "not an active member" (exit 3) alike before and
/// once they are an external admin at a lesser role, by `external-admin
/// add` and `user set-role`: nothing of what they hold in the partner.
/// The operator is told why.
#[test]
fn a_customers_admin_reads_an_external_admin_holding_less_as_anyone_they_cannot_add() {
    let p = Portal::cached("partner sight: msp", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-msp.json"),
        ]);
        p
    });
    let console = Some("msp_clientco@client.test");
    let said = "error: `una@harbour.test` is not an active member of `Harbour MSP`; only an active member of the partner can be an external admin";
    let raise = [
        "external-admin", "add", "una@harbour.test", "--customer", "Client Co", "--role",
        "msp-administrator",
    ];
    assert_eq!(p.refused_as(console, &raise, NOT_FOUND).trim_end(), said);
    p.json_as(
        console,
        &[
            "external-admin", "add", "una@harbour.test", "--customer", "Client Co", "--role",
            "msp-user",
        ],
    );
    let before = p.dump();
    assert_eq!(p.refused_as(console, &raise, NOT_FOUND).trim_end(), said);
    let set_role = [
        "user", "set-role", "una@harbour.test", "msp-administrator", "--account", "Client Co",
        "--yes",
    ];
    assert_eq!(p.refused_as(console, &set_role, NOT_FOUND).trim_end(), said);
    assert_eq!(p.dump(), before, "refusals change nothing");
    let told = p.refused(&set_role, crate::support::CONFLICT);
    assert!(
        told.contains("would give capabilities they do not hold in `Harbour MSP`"),
        "{told}"
    );
}

/// att14: a partner member naming a customer's `owner` in a file is
/// refused as no member of the customer whoever the file names: told
/// "has not joined" for some addresses and "not a member" for others,
/// they would learn who the customer's members are.
#[test]
fn a_customers_owner_in_a_file_tells_a_partner_member_nothing_of_its_members() {
    let p = Portal::empty();
    p.ok(&["apply", DEMO]);
    let file = p.db.with_file_name("owner.json");
    let mut said = Vec::new();
    for named in [
        "carl@contoso.test", "cleo@contoso.test", "nobody@x.test", "max@acme.test",
    ] {
        std::fs::write(
            &file,
            format!(r#"{{"accounts": [{{"name": "Contoso", "owner": "{named}"}}]}}"#),
        )
        .unwrap();
        let run = p.run_as(
            Some("max@acme.test"),
            &["apply", file.to_str().unwrap(), "--dry-run"],
        );
        assert_eq!(run.code, DENIED, "{named}: {}", run.stderr);
        said.push(run.stderr);
    }
    assert!(said.iter().all(|s| s == &said[0]), "{said:#?}");
    assert!(
        said[0].contains("is not a member of `Contoso`"),
        "{}",
        said[0]
    );
}
