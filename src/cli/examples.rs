//! The examples that end every command's `--help`: one table, so that each
//! leaf command has some (a test walks the tree) and they read alike. They
//! use the README's names: the `portal` preset, `Acme Ltd`, its owner
//! `olive@acme.test`; partner commands a partner `Contoso` and its customer
//! `Fabrikam`.

/// Each leaf command's path and 1–3 command lines that work on such a
/// database.
const EXAMPLES: &[(&str, &[&str])] = &[
    ("init", &[
        "portalctl init --preset portal --account \"Acme Ltd\" --owner-email olive@acme.test",
        "portalctl init --preset-file catalog.json --account Acme --owner-email olive@acme.test",
    ]),
    ("status", &["portalctl status", "portalctl status --json"]),
    ("preset list", &["portalctl preset list"]),
    ("preset show", &["portalctl preset show customer-area", "portalctl preset show portal --json"]),
    ("role list", &["portalctl role list"]),
    ("role show", &["portalctl role show manager"]),
    ("role create", &[
        "portalctl role create billing-clerk --capabilities portal.access,billing.view",
    ]),
    ("role delete", &["portalctl role delete billing-clerk --yes"]),
    ("can", &[
        "portalctl can olive@acme.test orders.place",
        "if portalctl --quiet can olive@acme.test users.manage; then echo admin; fi",
        "portalctl can olive@acme.test orders.approve --at 2026-12-17T14:00:00Z",
    ]),
    ("account create", &[
        "portalctl account create Contoso --kind partner",
        "portalctl account create Fabrikam --kind customer --parent Contoso",
        "portalctl account create Northwind --kind customer --parent Contoso",
    ]),
    ("account list", &["portalctl account list", "portalctl account list --limit 10 --json"]),
    ("account show", &["portalctl account show \"Acme Ltd\""]),
    ("account set", &[
        "portalctl account set \"Acme Ltd\" --phone \"+44 20 7946 0000\" --website https://acme.test",
        "portalctl account set \"Acme Ltd\" --billing-contact billing@acme.test",
    ]),
    ("account address add", &[
        "portalctl account address add --account Contoso --label HQ --line1 Quayside \\\n      --city Leeds --postcode LS1 --country GB",
        "portalctl account address add --account \"Acme Ltd\" --label HQ --line1 \"1 Main St\" \\\n      --city Leeds --postcode LS1 --country GB",
    ]),
    ("account address list", &["portalctl account address list --account \"Acme Ltd\""]),
    ("account address remove", &["portalctl account address remove --account \"Acme Ltd\" HQ"]),
    ("account payment set", &[
        "portalctl account payment set \"Acme Ltd\" --method invoice",
        "portalctl account payment set Contoso --method direct-debit --iban GB82WEST12345698765432",
    ]),
    ("account payment show", &["portalctl account payment show --account \"Acme Ltd\""]),
    ("account ip add", &[
        "portalctl account ip add --account Contoso --inbound 203.0.113.0/24",
        "portalctl account ip add --account Contoso --outbound 2001:db8::1",
    ]),
    ("account ip remove", &["portalctl account ip remove --account Contoso --inbound 203.0.113.0/24"]),
    ("account ip list", &["portalctl account ip list --account Contoso"]),
    ("account smarthost set", &["portalctl account smarthost set --account Contoso mail.contoso.test:587"]),
    ("account rfi", &["portalctl account rfi --account Contoso --customer Fabrikam"]),
    ("user invite", &[
        "portalctl user invite ann@acme.test --name \"Ann Lee\" --role manager --account \"Acme Ltd\"",
        "portalctl user invite max@acme.test --role manager --account Contoso --no-send",
        "portalctl user invite a.lee@acme.test --role user --account \"Acme Ltd\" --until 30d --expires-in 7d",
    ]),
    ("user accept", &[
        "portalctl user accept pinv_... --name \"Ann Lee\"",
        "portalctl user accept pinv_... --name Max",
    ]),
    ("user resend-invite", &["portalctl user resend-invite a.lee@acme.test --expires-in 3d"]),
    ("user revoke-invite", &["portalctl user revoke-invite a.lee@acme.test --yes"]),
    ("user list", &[
        "portalctl user list --account \"Acme Ltd\" --can orders.approve    # who approves orders",
        "portalctl user list --expired    # invitations to resend",
        "portalctl user list --expiring 7d --json",
    ]),
    ("user show", &[
        "portalctl user show ann@acme.test",
        "portalctl user show ann@acme.test --at 2026-11-25T10:00:00Z",
    ]),
    ("user history", &[
        "portalctl user history ann@acme.test",
        "portalctl user history ann@acme.test --account \"Acme Ltd\" --json",
    ]),
    ("user courses", &["portalctl user courses ann@acme.test --history"]),
    ("user edit", &[
        "portalctl user edit ann@acme.test --name \"Ann Lee-Smith\"",
        "portalctl user edit ann@acme.test --city Berlin --country DE",
    ]),
    ("user set-role", &[
        "portalctl user set-role ann@acme.test no-access --reassign-to olive@acme.test",
        "portalctl user set-role ann@acme.test admin --until 2026-12-01T09:00:00Z",
        "portalctl user set-role ann@acme.test admin",
    ]),
    ("user grant", &[
        "portalctl user grant ann@acme.test billing,support    # customer-area preset",
        "portalctl user grant ann@acme.test billing --until 7d    # customer-area preset",
    ]),
    ("user revoke", &["portalctl user revoke ann@acme.test support    # customer-area preset"]),
    ("user deactivate", &[
        "portalctl user deactivate ann@acme.test --reassign-to olive@acme.test --yes",
    ]),
    ("user activate", &["portalctl user activate ann@acme.test"]),
    ("user left-company", &["portalctl user left-company a.lee@acme.test --reassign-to olive@acme.test --yes"]),
    ("user flag-duplicate", &["portalctl user flag-duplicate a.lee@acme.test --of ann@acme.test"]),
    ("user merge", &["portalctl user merge a.lee@acme.test --into ann@acme.test --yes"]),
    ("user transfer-ownership", &[
        "portalctl user transfer-ownership --to ann@acme.test --yes",
        "portalctl user transfer-ownership --to olive@acme.test --former-owner-role manager --yes",
    ]),
    ("service add", &[
        "portalctl service add --name \"Broadband London\" --kind broadband --account \"Acme Ltd\"",
    ]),
    ("service list", &["portalctl service list", "portalctl --as ann@acme.test service list"]),
    ("service show", &["portalctl service show \"Broadband London\""]),
    ("service assign", &[
        "portalctl service assign \"Broadband London\" --to ann@acme.test",
        "portalctl service assign \"Broadband London\" --to ann@acme.test --until 2026-12-24",
    ]),
    ("service unassign", &["portalctl service unassign \"Broadband London\""]),
    ("cost-centre create", &[
        "portalctl cost-centre create FIN --name Finance --account \"Acme Ltd\"",
        "portalctl cost-centre create OPS --name Operations --account \"Acme Ltd\"",
    ]),
    ("cost-centre list", &["portalctl cost-centre list --account \"Acme Ltd\""]),
    ("cost-centre rename", &["portalctl cost-centre rename FIN --name \"Finance and Legal\""]),
    ("cost-centre archive", &["portalctl cost-centre archive OPS"]),
    ("policy create", &[
        "portalctl policy create --name \"Finance over 50\" --threshold 50 --account \"Acme Ltd\"",
        "portalctl policy create --name Laptops --threshold 500 --approvers olive@acme.test \\\n      --account \"Acme Ltd\"",
    ]),
    ("policy edit", &[
        "portalctl policy edit \"Finance over 50\" --threshold 100",
        "portalctl policy edit \"Finance over 50\" --default-approvers --any-order-type",
    ]),
    ("policy list", &["portalctl policy list"]),
    ("policy show", &["portalctl policy show \"Finance over 50\""]),
    ("policy disable", &["portalctl policy disable \"Finance over 50\""]),
    ("policy enable", &["portalctl policy enable \"Finance over 50\""]),
    ("order place", &[
        "portalctl --as ann@acme.test order place --description Router --amount 160.00",
        "portalctl --as ann@acme.test order place --description Laptop --amount 900 --ref PO-1042",
        "portalctl --as ann@acme.test order place --description Desk --amount 180 --cost-centre FIN",
    ]),
    ("order list", &[
        "portalctl order list --status pending",
        "portalctl order list --created-by ann@acme.test --limit 20 --json",
    ]),
    ("order show", &[
        "portalctl order show 1",
        "portalctl order show PO-1042 --account \"Acme Ltd\"",
    ]),
    ("order approve", &[
        "portalctl --as olive@acme.test order approve PO-1042",
    ]),
    ("order reject", &["portalctl --as olive@acme.test order reject 1 --reason \"over budget this quarter\""]),
    ("order cancel", &["portalctl --as ann@acme.test order cancel 3 --reason \"ordered twice\""]),
    ("order delegate", &[
        "portalctl --as olive@acme.test order delegate --to ann@acme.test --until 2027-01-05T00:00:00Z",
        "portalctl order delegate --list",
        "portalctl --as olive@acme.test order delegate --end --to ann@acme.test",
    ]),
    ("order inbox", &[
        "portalctl --as ann@acme.test order inbox",
        "portalctl order inbox --for ann@acme.test --json",
    ]),
    ("course list", &["portalctl course list"]),
    ("course progress", &[
        "portalctl course progress ann@acme.test \"Moodle Workplace\" --percent 40    # moodle preset",
        "portalctl course progress ann@acme.test \"Moodle Workplace\" --completed    # moodle preset",
    ]),
    ("external-admin add", &[
        "portalctl external-admin add max@acme.test --customer Fabrikam --role user",
        "portalctl external-admin add max@acme.test --customer Fabrikam --role manager --until 7d",
    ]),
    ("external-admin remove", &["portalctl external-admin remove max@acme.test --customer Fabrikam --yes"]),
    ("external-admin list", &["portalctl external-admin list", "portalctl external-admin list --customer Fabrikam"]),
    ("license purchase", &["portalctl license purchase --account Contoso --product \"MDR Complete\" --seats 10"]),
    ("license allocate", &[
        "portalctl license allocate --product \"MDR Complete\" --customer Fabrikam --seats 3",
        "portalctl license allocate --product \"MDR Complete\" --customer Fabrikam --seats 3 --ship-to HQ",
    ]),
    ("license move", &["portalctl license move --product \"MDR Complete\" --from Fabrikam --to Northwind --seats 1"]),
    ("license list", &["portalctl license list --account Contoso", "portalctl license list --account Contoso --customer Fabrikam"]),
    ("license price set", &["portalctl license price set --account Contoso --product \"Email Security\" --price 12.50"]),
    ("license price remove", &["portalctl license price remove --account Contoso --product \"Email Security\""]),
    ("license price list", &["portalctl license price list --account Contoso"]),
    ("audit list", &[
        "portalctl audit list",
        "portalctl audit list --action user.invite --since 2026-11-01 --until 2026-11-30 --all",
        "portalctl audit list --since 7d --all --format ndjson",
    ]),
    ("audit head", &["portalctl audit head", "portalctl audit head --anchor > audit-anchor.txt"]),
    ("audit verify", &["portalctl audit verify", "portalctl audit verify --anchor \"$(cat audit-anchor.txt)\""]),
    ("outbox list", &["portalctl outbox list --pending", "portalctl outbox list --failed"]),
    ("outbox send", &[
        "portalctl outbox send --smtp smtp://mailer:PASSWORD@mail.acme.test:587",
        "portalctl outbox send --to-dir ./outgoing",
    ]),
    ("outbox retry", &["portalctl outbox retry 1"]),
    ("outbox cancel", &["portalctl outbox cancel 1"]),
    ("settings set", &[
        "portalctl settings set mail-from \"Acme Portal <portal@acme.test>\"",
        "portalctl settings set mail-max-attempts 5",
    ]),
    ("settings unset", &[
        "portalctl settings unset support-email",
        "portalctl settings unset mail-retry-after",
    ]),
    ("settings show", &["portalctl settings show", "portalctl settings show mail-from"]),
    ("apply", &[
        "portalctl export > seed.json && portalctl apply seed.json --dry-run",
        "portalctl apply seed.json",
        "portalctl export | portalctl --db copy.db apply -",
    ]),
    ("export", &["portalctl export > portal.json", "portalctl export --account \"Acme Ltd\""]),
    ("schema", &["portalctl schema > fixture.schema.json"]),
    ("completions", &[
        "echo 'source <(portalctl completions bash)' >> ~/.bashrc",
        "echo 'source <(portalctl completions zsh)' >> ~/.zshrc",
        "portalctl completions fish > ~/.config/fish/completions/portalctl.fish",
    ]),
    ("man", &["portalctl man | man -l -", "portalctl man --dir ~/.local/share/man/man1"]),
];

/// `cmd` with every leaf's examples after its help.
pub(crate) fn attach(mut cmd: clap::Command) -> clap::Command {
    for (path, lines) in EXAMPLES {
        let words: Vec<&str> = path.split(' ').collect();
        cmd = with_examples(cmd, &words, lines);
    }
    cmd
}

/// `cmd` with `lines` under `Examples:` at the subcommand `path` of it.
fn with_examples(cmd: clap::Command, path: &[&str], lines: &[&str]) -> clap::Command {
    match path.split_first() {
        None => {
            let mut text = String::from("Examples:");
            for line in lines {
                text.push_str("\n  ");
                text.push_str(line);
            }
            cmd.after_help(text)
        }
        Some((first, rest)) => cmd.mut_subcommand(*first, |sub| with_examples(sub, rest, lines)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every leaf command has examples, and every entry names a command.
    #[test]
    fn every_leaf_has_examples_and_every_example_a_command() {
        fn leaves(cmd: &clap::Command, path: &mut Vec<String>, out: &mut Vec<String>) {
            let subs: Vec<_> = cmd
                .get_subcommands()
                .filter(|s| s.get_name() != "help" && !s.is_hide_set())
                .collect();
            if subs.is_empty() {
                out.push(path.join(" "));
            }
            for sub in subs {
                path.push(sub.get_name().to_string());
                leaves(sub, path, out);
                path.pop();
            }
        }
        let mut all = Vec::new();
        leaves(&super::super::command(), &mut Vec::new(), &mut all);
        let listed: Vec<&str> = EXAMPLES.iter().map(|(p, _)| *p).collect();
        for leaf in &all {
            assert!(listed.contains(&leaf.as_str()), "no examples for `{leaf}`");
        }
        for (path, lines) in EXAMPLES {
            assert!(all.iter().any(|l| l == path), "`{path}` is not a command");
            assert!((1..=3).contains(&lines.len()), "`{path}`: 1 to 3 examples");
            // Indented by two, longer lines would wrap in a 100-column help.
            // A long example goes on after ` \` on the next line.
            assert!(
                lines.iter().flat_map(|l| l.lines()).all(|l| l.len() <= 98),
                "`{path}`: a line over 98 columns"
            );
            for line in *lines {
                assert!(
                    line.contains(&format!("portalctl {path}"))
                        || line.contains(&format!(" {path}")),
                    "`{path}`: {line}"
                );
            }
        }
    }
}
