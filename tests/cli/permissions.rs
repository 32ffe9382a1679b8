//! The permission matrix: the real command lines, parsed and run in this
//! process (a thousand-odd process starts would cost more than the
//! commands); the refusals table and every other file here run the binary
//! itself, so its error lines and exit codes are checked end to end.
//!
//! For every shipped preset, every role of it and every guarded command, the
//! expected outcome is what `portalctl can` answers for the capabilities the
//! command needs (all of them, or for a few reads any one of several): `can`
//! and enforcement must agree, `can` yes exactly when the command is allowed.
//! The same answer is also derived from the preset's own data (`preset show
//! --json`: an `all_capabilities` role holds everything, the blocking role
//! holds nothing), so `can` is checked against the catalog too. An allowed
//! command exits 0; a denied one exits 5 and leaves the database unchanged.
//!
//! The commands a customer's own members may run on it (seed 002: its
//! console login, or an external admin, adds external admins) are swept a
//! second time with the actor a member of the customer, asking `can` there.
//!
//! Each command runs on a fresh copy of a database prepared once per
//! (preset, role), so a change made by one command cannot affect the next.
//! Failures are collected over the whole preset and reported together, each
//! naming the preset, the role and the command.

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde_json::Value;

use crate::support::{
    Portal, ACCOUNT, ADD_DEPOT, CONFLICT, DENIED, OWNER, OWNER_LOCATION, SUCCESS,
};

/// The member whose permissions are checked.
const ACTOR: &str = "m@acme.test";
/// An active member with the blocking role: the target of member changes.
const TARGET: &str = "t@acme.test";
/// Invited with the blocking role, never accepted.
const INVITED: &str = "i@acme.test";
/// Active with the blocking role, then deactivated.
const DEACTIVATED: &str = "d@acme.test";
/// A service of Acme, unassigned, in every base database.
const SERVICE: &str = "S";
/// An order the operator placed in every base database; it matches a
/// policy with default approvers, so any holder of `orders.approve` may
/// approve it.
const ORDER: &str = "1";
/// An active member of Acme with a limited role (neither blocking nor
/// all-capabilities): whom `external-admin add` names. `t` cannot be the
/// one, since with the blocking role they have no access in the partner
/// and adding them is a conflict (exit 4) whoever asks.
const EXTERNAL: &str = "x@acme.test";
/// A customer of Acme in every base database, holding no seats.
const CUSTOMER: &str = "Beta Corp";
/// Another customer of Acme, holding 2 of the 10 seats of `PRODUCT`.
const OTHER_CUSTOMER: &str = "Gamma Ltd";
/// The product the operator bought for Acme in every base database.
const PRODUCT: &str = "MDR Complete";
/// The label of Acme's shipping address in every base database.
const ADDRESS: &str = "HQ";

/// The presets a test below covers, in `preset list` order.
const COVERED: [&str; 5] = ["portal", "lmp", "msp", "moodle", "customer-area"];

/// One role as `preset show --json` prints it.
struct RoleData {
    name: String,
    capabilities: Vec<String>,
    all_capabilities: bool,
    blocking: bool,
}

impl RoleData {
    /// Whether a member with this role holds `cap`, from the preset data.
    fn holds(&self, cap: &str) -> bool {
        if self.blocking {
            return false;
        }
        self.all_capabilities
            || cap == "portal.access"
            || self.capabilities.iter().any(|c| c == cap)
    }
}

/// One preset as `preset show --json` prints it.
struct PresetData {
    name: String,
    owner_role: String,
    /// What a former owner becomes, where the owner role is the owner's
    /// alone.
    former_owner_role: Option<String>,
    roles: Vec<RoleData>,
    /// An area `user grant` may give, when the catalog grants any.
    area: Option<String>,
}

impl PresetData {
    fn load(name: &str) -> PresetData {
        let v = Portal::empty().json(&["preset", "show", name]);
        let text = |v: &Value, field: &str| -> String {
            v[field]
                .as_str()
                .unwrap_or_else(|| panic!("preset `{name}`: `{field}` is not a string: {v}"))
                .to_string()
        };
        let flag = |v: &Value, field: &str| -> bool {
            v[field]
                .as_bool()
                .unwrap_or_else(|| panic!("preset `{name}`: `{field}` is not a bool: {v}"))
        };
        let roles = v["roles"]
            .as_array()
            .unwrap_or_else(|| panic!("preset `{name}`: `roles` is not an array: {v}"))
            .iter()
            .map(|r| RoleData {
                name: text(r, "name"),
                capabilities: r["capabilities"]
                    .as_array()
                    .unwrap_or_else(|| panic!("preset `{name}`: no capability list: {r}"))
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
                    .collect(),
                all_capabilities: flag(r, "all_capabilities"),
                blocking: flag(r, "blocking"),
            })
            .collect();
        let area = match text(&v, "grants").as_str() {
            "none" => None,
            _ => v["grant_bundles"][0]["name"].as_str().map(str::to_string),
        };
        let preset = PresetData {
            name: text(&v, "name"),
            owner_role: text(&v, "owner_role"),
            former_owner_role: v["former_owner"]["role"].as_str().map(str::to_string),
            roles,
            area,
        };
        assert_eq!(preset.name, name);
        assert!(
            preset.roles.iter().any(|r| r.name == preset.owner_role),
            "preset `{name}`: owner role `{}` is not one of its roles",
            preset.owner_role
        );
        preset
    }

    /// Whether `role` is the owner role that only the owner may hold.
    fn reserved(&self, role: &RoleData) -> bool {
        self.former_owner_role.is_some() && role.name == self.owner_role
    }

    /// The strongest role someone other than the owner may hold.
    fn stand_in(&self) -> &str {
        self.former_owner_role
            .as_deref()
            .unwrap_or(&self.owner_role)
    }

    /// The name of the one blocking role.
    fn blocking(&self) -> &str {
        let blocking: Vec<&RoleData> = self.roles.iter().filter(|r| r.blocking).collect();
        assert_eq!(
            blocking.len(),
            1,
            "preset `{}` should have exactly one blocking role",
            self.name
        );
        &blocking[0].name
    }

    /// The first role that is neither blocking nor all-capabilities.
    fn limited(&self) -> &str {
        self.roles
            .iter()
            .find(|r| !r.blocking && !r.all_capabilities)
            .map(|r| r.name.as_str())
            .unwrap_or_else(|| panic!("preset `{}` has no limited role", self.name))
    }
}

/// Who may run a guarded command.
#[derive(Clone, Copy)]
enum Needs {
    /// Every one of these capabilities.
    Caps(&'static [&'static str]),
    /// At least one of these capabilities.
    Any(&'static [&'static str]),
    /// At least one of these, or `account.view` with sight of the whole
    /// account: 001's users, who see only the services assigned to them
    /// (`services.view_assigned` without `services.view_all`), see "basic
    /// account info", not its sites, policies or config.
    WholeAccount(&'static [&'static str]),
    /// The account's owner (or the operator).
    Owner,
    /// Only the operator.
    Operator,
}

impl Needs {
    /// Whether a (non-owner) member with `role` may run the command.
    fn member_allowed(self, role: &RoleData) -> bool {
        match self {
            Needs::Caps(caps) => caps.iter().all(|c| role.holds(c)),
            Needs::Any(caps) => caps.iter().any(|c| role.holds(c)),
            Needs::WholeAccount(caps) => {
                caps.iter().any(|c| role.holds(c))
                    || (role.holds("account.view")
                        && (role.holds("services.view_all")
                            || !role.holds("services.view_assigned")))
            }
            Needs::Owner | Needs::Operator => false,
        }
    }

    /// Whether the account's owner may run the command.
    fn owner_allowed(self) -> bool {
        !matches!(self, Needs::Operator)
    }

    fn describe(self) -> String {
        match self {
            Needs::Caps(caps) => caps.join(" + "),
            Needs::Any(caps) => caps.join(" or "),
            Needs::WholeAccount(caps) => caps
                .iter()
                .copied()
                .chain(["account.view (whole account)"])
                .collect::<Vec<_>>()
                .join(" or "),
            Needs::Owner => "the owner".into(),
            Needs::Operator => "the operator".into(),
        }
    }
}

/// One guarded command.
struct Case {
    args: Vec<String>,
    needs: Needs,
    /// Run as the operator on the fresh copy before the command.
    prep: Option<Vec<String>>,
    /// Whoever may run it is still refused by a rule of the catalog (exit
    /// 4, nothing changed); whoever may not is denied (exit 5) first.
    forbidden: bool,
    /// What a member of `CUSTOMER` needs there to run it, for the commands
    /// the customer's own members may run too; `None` for the others.
    in_customer: Option<Needs>,
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

/// The guarded commands. `block` is the preset's blocking role, `own_role`
/// the actor's role, `limited` the role `EXTERNAL` holds in the partner,
/// `new_owner` whom `transfer-ownership` names, `area` what `user grant`
/// gives (none: the catalog grants nothing on top of a role, and `user
/// grant` is a conflict for whoever may manage users).
fn cases(
    block: &str,
    own_role: &str,
    limited: &str,
    new_owner: &str,
    area: Option<&str>,
) -> Vec<Case> {
    const VIEW: Needs = Needs::Caps(&["users.view"]);
    const MANAGE: Needs = Needs::Caps(&["users.manage"]);
    let case = |args: &[&str], needs: Needs| Case {
        args: strings(args),
        needs,
        prep: None,
        forbidden: false,
        in_customer: None,
    };
    let grant = area.unwrap_or("portal.access");
    vec![
        case(&["user", "list"], VIEW),
        case(&["user", "list", "--can", "orders.approve"], VIEW),
        case(&["user", "list", "--expired"], VIEW),
        case(&["user", "show", TARGET], VIEW),
        // About the owner, who holds everything: a "no" (exit 5) can then
        // only be a refusal to answer.
        case(&["can", OWNER, "account.view"], VIEW),
        case(
            &["account", "show", ACCOUNT],
            Needs::Caps(&["account.view"]),
        ),
        case(
            &["account", "set", ACCOUNT, "--phone", "0123"],
            Needs::Caps(&["account.edit"]),
        ),
        case(
            &[
                "account", "create", "Cust Ltd", "--kind", "customer", "--parent", ACCOUNT,
            ],
            Needs::Caps(&["customers.manage"]),
        ),
        case(
            &[
                "user", "invite", "--email", "new@acme.test", "--name", "New", "--role", block,
                "--city", "London", "--country", "GB", "--timezone", "Europe/London",
            ],
            MANAGE,
        ),
        case(&["user", "set-role", TARGET, own_role], MANAGE),
        Case {
            forbidden: area.is_none(),
            ..case(&["user", "grant", TARGET, grant], MANAGE)
        },
        // Revoking what is not held changes nothing, and is still guarded.
        Case {
            prep: area.map(|a| strings(&["user", "grant", TARGET, a])),
            ..case(&["user", "revoke", TARGET, grant], MANAGE)
        },
        case(&["user", "deactivate", "--yes", TARGET], MANAGE),
        // Activating restores d's own (blocking) role: nothing is escalated.
        case(&["user", "activate", DEACTIVATED], MANAGE),
        case(&["user", "left-company", "--yes", TARGET], MANAGE),
        case(&["user", "resend-invite", INVITED], MANAGE),
        case(&["user", "revoke-invite", "--yes", INVITED], MANAGE),
        case(&["user", "flag-duplicate", TARGET, "--of", INVITED], MANAGE),
        // A member may only put capabilities they hold into a role.
        case(
            &[
                "role", "create", "custom-x", "--capabilities", "account.view",
            ],
            Needs::Caps(&["users.manage", "account.view"]),
        ),
        Case {
            args: strings(&["role", "delete", "--yes", "custom-y"]),
            needs: MANAGE,
            prep: Some(strings(&[
                "role", "create", "custom-y", "--capabilities", "account.view", "--account",
                ACCOUNT,
            ])),
            forbidden: false,
            in_customer: None,
        },
        case(&["user", "courses", TARGET], VIEW),
        case(&["audit", "list"], MANAGE),
        case(
            &["user", "transfer-ownership", "--to", new_owner, "--yes"],
            Needs::Owner,
        ),
        case(&["outbox", "list"], Needs::Operator),
        case(&["outbox", "send", "--to-dir", "mail"], Needs::Operator),
        case(&["outbox", "retry", "1"], Needs::Operator),
        case(&["outbox", "cancel", "1"], Needs::Operator),
        case(&["settings", "show"], Needs::Operator),
        case(
            &["settings", "set", "mail-from", "portal@acme.test"],
            Needs::Operator,
        ),
        // Services, cost centres, policies and orders (issue 3).
        case(
            &["service", "add", "--name", "X"],
            Needs::Caps(&["services.assign"]),
        ),
        // 004: "a member always sees the services assigned to them": any
        // member with portal access lists (at least) their own.
        case(&["service", "list"], Needs::Caps(&["portal.access"])),
        // To a member with access: services go to no blocked member
        // (findings N10), whoever assigns them.
        case(
            &["service", "assign", SERVICE, "--to", EXTERNAL],
            Needs::Caps(&["services.assign"]),
        ),
        case(
            &["cost-centre", "create", "CC", "--name", "N"],
            Needs::Caps(&["cost_centres.manage"]),
        ),
        case(&["cost-centre", "list"], Needs::Caps(&["account.view"])),
        case(
            &["policy", "create", "--name", "P", "--threshold", "50"],
            Needs::Caps(&["policies.manage"]),
        ),
        case(&["policy", "list"], Needs::WholeAccount(&[])),
        // Issue 10: editing re-evaluates the orders the policy holds.
        case(
            &["policy", "edit", "Base policy", "--threshold", "10"],
            Needs::Caps(&["policies.manage"]),
        ),
        case(
            &["order", "place", "--description", "D", "--amount", "10"],
            Needs::Caps(&["orders.place"]),
        ),
        case(
            &["order", "approve", ORDER],
            Needs::Caps(&["orders.approve"]),
        ),
        case(
            &["order", "list"],
            Needs::Any(&["orders.approve", "billing.view", "orders.place"]),
        ),
        // The operator placed it: only those who may decide it cancel it.
        case(
            &["order", "cancel", ORDER, "--reason", "not needed"],
            Needs::Caps(&["orders.approve"]),
        ),
        // Licences, shipping addresses, payment details, partner config and
        // external admins.
        case(
            &[
                "license", "purchase", "--product", PRODUCT, "--seats", "5", "--account", ACCOUNT,
            ],
            Needs::Caps(&["licenses.purchase"]),
        ),
        case(
            &[
                "license", "allocate", "--product", PRODUCT, "--customer", CUSTOMER, "--seats", "1",
            ],
            Needs::Caps(&["licenses.allocate"]),
        ),
        // 000: an allocator "can use shipping addresses" (the partner's).
        case(
            &[
                "license", "allocate", "--product", PRODUCT, "--customer", CUSTOMER, "--seats",
                "1", "--ship-to", ADDRESS,
            ],
            Needs::Caps(&["licenses.allocate", "addresses.use"]),
        ),
        case(
            &[
                "license", "move", "--product", PRODUCT, "--from", OTHER_CUSTOMER, "--to",
                CUSTOMER, "--seats", "1",
            ],
            Needs::Caps(&["licenses.allocate"]),
        ),
        case(
            &["license", "list"],
            Needs::WholeAccount(&["licenses.allocate"]),
        ),
        case(ADD_DEPOT, Needs::Caps(&["addresses.edit"])),
        case(
            &["account", "address", "list", ACCOUNT],
            Needs::WholeAccount(&["addresses.use"]),
        ),
        case(
            &["account", "address", "remove", ACCOUNT, ADDRESS],
            Needs::Caps(&["addresses.edit"]),
        ),
        case(
            &["account", "payment", "set", ACCOUNT, "--method", "invoice"],
            Needs::Caps(&["billing.payment"]),
        ),
        case(
            &["account", "payment", "show", ACCOUNT],
            Needs::Any(&["billing.view", "billing.payment"]),
        ),
        case(
            &["account", "ip", "add", ACCOUNT, "--inbound", "192.0.2.1"],
            Needs::Caps(&["account.config"]),
        ),
        // Reading the config too (findings A12 / N4).
        case(
            &["account", "ip", "list", ACCOUNT],
            Needs::Caps(&["account.config"]),
        ),
        case(
            &["account", "smarthost", "set", ACCOUNT, "mail.acme.test:25"],
            Needs::Caps(&["account.config"]),
        ),
        // 002: "The information you provide here will pre-populate into
        // all customer RFIs." / "only available to MSP Administrators".
        case(
            &["account", "rfi", "--customer", CUSTOMER],
            Needs::Caps(&["account.config"]),
        ),
        // 002: "Products and Prices: Displays your agreed contracted pricing."
        case(
            &["license", "price", "list", "--account", ACCOUNT],
            Needs::WholeAccount(&[]),
        ),
        // Whom invoices go to is a detail of the profile and a financial
        // element (003; findings A11, A3), the name the account's own
        // setting.
        case(
            &[
                "account", "set", ACCOUNT, "--billing-contact", "billing@acme.test",
            ],
            Needs::Caps(&["account.edit", "billing.payment"]),
        ),
        // The partner status is the vendor's classification: the
        // operator's alone, as contracted prices are (findings C10).
        case(
            &["account", "set", ACCOUNT, "--status", "Technical"],
            Needs::Operator,
        ),
        case(
            &["account", "set", ACCOUNT, "--name", "Acme Renamed"],
            Needs::Caps(&["account.config"]),
        ),
        // The role `EXTERNAL` holds in the partner: an external admin holds
        // no more on a customer than there. 002: whoever holds
        // `external_admins.manage` in the partner or in the customer ("Log
        // in to the customer's Administration Console").
        Case {
            in_customer: Some(Needs::Caps(&["external_admins.manage"])),
            ..case(
                &[
                    "external-admin", "add", "--customer", CUSTOMER, "--email", EXTERNAL, "--role",
                    limited,
                ],
                Needs::Caps(&["external_admins.manage"]),
            )
        },
        // A member of the partner is no member of the customer, so its
        // `users.view` there, the other way to see them, cannot apply.
        Case {
            in_customer: Some(Needs::Any(&["external_admins.manage", "users.view"])),
            ..case(
                &["external-admin", "list", "--customer", CUSTOMER],
                Needs::Caps(&["external_admins.manage"]),
            )
        },
        // 000: "Can add and manage customers": the partner's
        // `customers.manage` covers the customer's profile and addresses.
        Case {
            in_customer: Some(Needs::Caps(&["account.edit"])),
            ..case(
                &["account", "set", CUSTOMER, "--phone", "0123"],
                Needs::Caps(&["customers.manage"]),
            )
        },
        Case {
            in_customer: Some(Needs::Caps(&["addresses.edit"])),
            ..case(
                &[
                    "account", "address", "add", CUSTOMER, "--label", "Site", "--line1",
                    "3 Mill Lane", "--city", "York", "--postcode", "YO1 7HH", "--country", "GB",
                ],
                Needs::Caps(&["customers.manage"]),
            )
        },
        // 000's levels that "view pages within the LMP" see its
        // customers (`customers.view`), which managing them covers: their
        // profile and sites (findings B9).
        Case {
            in_customer: Some(Needs::WholeAccount(&["addresses.use"])),
            ..case(
                &["account", "address", "list", CUSTOMER],
                Needs::Any(&["customers.manage", "customers.view"]),
            )
        },
        Case {
            in_customer: Some(Needs::Caps(&["account.view"])),
            ..case(
                &["account", "show", CUSTOMER],
                Needs::Any(&["customers.manage", "customers.view"]),
            )
        },
    ]
}

/// Invites `email` into `Acme Ltd` as the operator; returns the token.
fn invite(p: &Portal, email: &str, role: &str) -> String {
    invite_to(p, email, role, ACCOUNT)
}

/// Invites `email` into `account` as the operator; returns the token.
fn invite_to(p: &Portal, email: &str, role: &str, account: &str) -> String {
    let name = email.split('@').next().unwrap();
    let v = p.json(&[
        "user", "invite", "--email", email, "--name", name, "--role", role, "--account", account,
        "--city", "London", "--country", "GB", "--timezone", "Europe/London",
    ]);
    v["token"]
        .as_str()
        .unwrap_or_else(|| panic!("`user invite {email}` printed no token: {v}"))
        .to_string()
}

/// Invites and accepts: an active member.
fn active(p: &Portal, email: &str, role: &str) {
    let token = invite(p, email, role);
    p.ok(&["user", "accept", &token]);
}

/// The database every command of one (preset, actor role) starts from: the
/// preset's base with the actor added. Made once per test process; each
/// call is a fresh copy, so a change made by one command cannot affect the
/// next.
fn base(preset: &PresetData, actor_role: &str) -> Portal {
    let key = format!("permissions: {}, {ACTOR} as {actor_role}", preset.name);
    Portal::cached(&key, || {
        let p = preset_base(preset);
        active(&p, ACTOR, actor_role);
        p
    })
}

/// The preset's base with the actor a member of the customer `CUSTOMER`
/// only (its console login, in seed 002's words), with `actor_role`.
fn customer_base(preset: &PresetData, actor_role: &str) -> Portal {
    let key = format!(
        "permissions: {}, {ACTOR} as {actor_role} in {CUSTOMER}",
        preset.name
    );
    Portal::cached(&key, || {
        let p = preset_base(preset);
        let token = invite_to(&p, ACTOR, actor_role, CUSTOMER);
        p.ok(&["user", "accept", &token]);
        p
    })
}

/// What `portalctl can` answers for the actor in one account, asked once
/// per capability.
struct Can<'p> {
    portal: &'p Portal,
    account: &'static str,
    answers: std::collections::BTreeMap<&'static str, bool>,
}

impl<'p> Can<'p> {
    fn new(portal: &'p Portal, account: &'static str) -> Self {
        Can {
            portal,
            account,
            answers: Default::default(),
        }
    }

    fn says(&mut self, cap: &'static str) -> bool {
        let (portal, account) = (self.portal, self.account);
        *self.answers.entry(cap).or_insert_with(|| {
            let v = portal.can(&[ACTOR, cap, "--account", account]);
            v["allowed"]
                .as_bool()
                .unwrap_or_else(|| panic!("`can {ACTOR} {cap}` printed no answer: {v}"))
        })
    }

    /// Whether `can` says the actor, a member who is not the owner, holds
    /// what `needs` asks for.
    fn allows(&mut self, needs: Needs) -> bool {
        match needs {
            Needs::Caps(caps) => caps.iter().all(|c| self.says(c)),
            Needs::Any(caps) => caps.iter().any(|c| self.says(c)),
            Needs::WholeAccount(caps) => {
                caps.iter().any(|c| self.says(c))
                    || (self.says("account.view")
                        && (self.says("services.view_all") || !self.says("services.view_assigned")))
            }
            Needs::Owner | Needs::Operator => false,
        }
    }
}

/// Everything of a base database but the actor.
fn preset_base(preset: &PresetData) -> Portal {
    Portal::cached(&format!("permissions: {}", preset.name), || {
        build_preset_base(preset)
    })
}

fn build_preset_base(preset: &PresetData) -> Portal {
    let block = preset.blocking();
    let p = Portal::empty();
    let mut init = vec![
        "init", "--preset", &preset.name, "--kind", "partner", "--account", ACCOUNT,
        "--owner-email", OWNER,
    ];
    init.extend(OWNER_LOCATION);
    p.ok(&init);
    active(&p, TARGET, block);
    invite(&p, INVITED, block);
    active(&p, DEACTIVATED, block);
    p.ok(&["user", "deactivate", "--yes", DEACTIVATED]);
    active(&p, EXTERNAL, preset.limited());
    p.ok(&["service", "add", "--name", SERVICE]);
    p.ok(&[
        "policy", "create", "--name", "Base policy", "--threshold", "5",
    ]);
    let order = p.json(&[
        "order", "place", "--description", "Base order", "--amount", "100",
    ]);
    assert_eq!(
        (order["id"].to_string().as_str(), &order["status"]),
        (ORDER, &Value::from("pending")),
        "preset `{}`: the base order should be order {ORDER}, pending: {order}",
        preset.name
    );
    // Last, as the operator names no account above: with more than one
    // account that would be ambiguous.
    for customer in [CUSTOMER, OTHER_CUSTOMER] {
        p.customer(customer);
    }
    p.ok(&[
        "license", "purchase", "--product", PRODUCT, "--seats", "10", "--account", ACCOUNT,
    ]);
    p.ok(&[
        "license", "allocate", "--product", PRODUCT, "--customer", OTHER_CUSTOMER, "--seats", "2",
    ]);
    p.ok(&[
        "account", "address", "add", ACCOUNT, "--label", ADDRESS, "--line1", "1 High Street",
        "--city", "London", "--postcode", "EC1A 1BB", "--country", "GB",
    ]);
    p
}

/// A command line as a user would type it.
fn shown(args: &[String]) -> String {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| {
            if a.contains(' ') {
                format!("\"{a}\"")
            } else {
                a.clone()
            }
        })
        .collect();
    format!("portalctl {}", quoted.join(" "))
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".into())
}

/// Runs one case as `who` on `fresh`, a fresh copy of a base database; a
/// failure is returned as a readable line naming `context` and the command.
fn check(fresh: Portal, who: &str, case: &Case, allowed: bool, context: &str) -> Option<String> {
    let command = shown(&case.args);
    if let Some(prep) = &case.prep {
        let prep: Vec<&str> = prep.iter().map(String::as_str).collect();
        let code = fresh.exit_code_in_process(None, &prep);
        if code != SUCCESS {
            return Some(format!("{context}: preparing `{command}` exited {code}"));
        }
    }
    let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
    let needs = case.needs.describe();
    if allowed && case.forbidden {
        catch_unwind(AssertUnwindSafe(|| {
            fresh.refused_in_process(Some(who), &args, CONFLICT)
        }))
        .err()
        .map(|payload| {
            format!(
                "{context}: `{command}` (needs {needs}) should be refused by the catalog (exit 4, no change): {}",
                panic_text(payload.as_ref())
            )
        })
    } else if allowed {
        let code = fresh.exit_code_in_process(Some(who), &args);
        (code != SUCCESS).then(|| {
            format!("{context}: `{command}` (needs {needs}) should be allowed (exit 0) but exited {code}")
        })
    } else {
        catch_unwind(AssertUnwindSafe(|| {
            fresh.refused_in_process(Some(who), &args, DENIED)
        }))
        .err()
        .map(|payload| {
            format!(
                "{context}: `{command}` (needs {needs}) should be denied (exit 5, no change): {}",
                panic_text(payload.as_ref())
            )
        })
    }
}

fn report(what: &str, failures: &[String], checked: usize) {
    assert!(
        failures.is_empty(),
        "{what}: {} of {checked} permission checks failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

/// Every role of `name` against every guarded command, acting as `m`.
fn check_preset(name: &str) {
    let preset = PresetData::load(name);
    let block = preset.blocking().to_string();
    let mut failures = Vec::new();
    let mut checked = 0;
    // The owner holds a reserved owner role: `check_owner` covers them.
    for role in preset.roles.iter().filter(|r| !preset.reserved(r)) {
        let context = format!(
            "preset `{}`, role `{}` (as {ACTOR})",
            preset.name, role.name
        );
        let asked = base(&preset, &role.name);
        let mut can = Can::new(&asked, ACCOUNT);
        for case in cases(
            &block,
            &role.name,
            preset.limited(),
            TARGET,
            preset.area.as_deref(),
        ) {
            let allowed = can.allows(case.needs);
            let derived = case.needs.member_allowed(role);
            if allowed != derived {
                failures.push(format!(
                    "{context}: `can` says {allowed} for `{}` (needs {}) but the preset says {derived}",
                    shown(&case.args),
                    case.needs.describe()
                ));
            }
            checked += 1;
            let fresh = base(&preset, &role.name);
            failures.extend(check(fresh, ACTOR, &case, allowed, &context));
        }
        // The same role held in the customer instead of the partner.
        let context = format!(
            "preset `{}`, role `{}` in `{CUSTOMER}` (as {ACTOR})",
            preset.name, role.name
        );
        let asked = customer_base(&preset, &role.name);
        let mut can = Can::new(&asked, CUSTOMER);
        for case in cases(
            &block,
            &role.name,
            preset.limited(),
            TARGET,
            preset.area.as_deref(),
        ) {
            let Some(needs) = case.in_customer else {
                continue;
            };
            let allowed = can.allows(needs);
            checked += 1;
            let fresh = customer_base(&preset, &role.name);
            failures.extend(check(fresh, ACTOR, &case, allowed, &context));
        }
    }
    report(&format!("preset `{name}`"), &failures, checked);
}

/// The owner of `Acme Ltd` against every guarded command: all allowed, but
/// the outbox, which only the operator reads.
fn check_owner(name: &str) -> (Vec<String>, usize) {
    let preset = PresetData::load(name);
    let block = preset.blocking().to_string();
    // m holds the owner's role, so it is someone ownership can move to: a
    // member with the blocking role cannot own the account (it would hold
    // nothing, while the owner holds every capability).
    let context = format!("preset `{}`, account owner ({OWNER})", preset.name);
    let mut failures = Vec::new();
    let all = cases(
        &block,
        preset.stand_in(),
        preset.limited(),
        ACTOR,
        preset.area.as_deref(),
    );
    for case in &all {
        failures.extend(check(
            base(&preset, preset.stand_in()),
            OWNER,
            case,
            case.needs.owner_allowed(),
            &context,
        ));
    }
    (failures, all.len())
}

#[test]
fn every_shipped_preset_has_a_permission_matrix() {
    let list = Portal::empty().json(&["preset", "list"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names, COVERED,
        "a preset was added or removed: give it a matrix test below"
    );
}

#[test]
fn derived_expectations_are_not_vacuous() {
    // Guards the derivation itself: in every preset the owner role may manage
    // users and the blocking role may do nothing.
    for name in COVERED {
        let preset = PresetData::load(name);
        let block = preset.blocking().to_string();
        let owner_role = preset
            .roles
            .iter()
            .find(|r| r.name == preset.owner_role)
            .unwrap();
        let blocking = preset.roles.iter().find(|r| r.blocking).unwrap();
        for case in cases(
            &block,
            &preset.owner_role,
            preset.limited(),
            TARGET,
            preset.area.as_deref(),
        ) {
            let expected = matches!(
                case.needs,
                Needs::Caps(_) | Needs::Any(_) | Needs::WholeAccount(_)
            );
            assert_eq!(
                case.needs.member_allowed(owner_role),
                expected,
                "preset `{name}`, role `{}`: {}",
                owner_role.name,
                shown(&case.args)
            );
            assert!(
                !case.needs.member_allowed(blocking),
                "preset `{name}`, role `{}`: {}",
                blocking.name,
                shown(&case.args)
            );
        }
    }
}

#[test]
fn permission_matrix_portal() {
    check_preset("portal");
}

#[test]
fn permission_matrix_lmp() {
    check_preset("lmp");
}

#[test]
fn permission_matrix_msp() {
    check_preset("msp");
}

#[test]
fn permission_matrix_moodle() {
    check_preset("moodle");
}

#[test]
fn permission_matrix_customer_area() {
    check_preset("customer-area");
}

#[test]
fn owner_may_run_every_guarded_command_but_the_outbox() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for name in COVERED {
        let (failed, count) = check_owner(name);
        failures.extend(failed);
        checked += count;
    }
    report("every preset (owner)", &failures, checked);
}
