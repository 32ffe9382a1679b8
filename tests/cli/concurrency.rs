//! Several processes writing one database at once: every write waits for
//! the lock, none is lost, a race is refused only as the design says, and
//! the audit chain stays whole and agrees with the data.

use std::process::Stdio;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use crate::support::{Portal, CONFLICT, SUCCESS};

/// Runs every command line at once against `p` and expects all to succeed.
#[track_caller]
fn all_at_once(p: &Portal, commands: &[Vec<String>]) {
    let children: Vec<_> = commands
        .iter()
        .map(|args| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            p.command(&args, &[])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn line(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

#[test]
fn parallel_writers_all_land_and_keep_the_audit_chain() {
    let p = Portal::new();
    let invites: Vec<Vec<String>> = (0..12)
        .map(|i| {
            line(&[
                "user",
                "invite",
                "--email",
                &format!("u{i}@acme.test"),
                "--name",
                "U",
                "--role",
                "user",
            ])
        })
        .collect();
    all_at_once(&p, &invites);
    assert_eq!(
        p.text("SELECT COUNT(*) FROM memberships WHERE status = 'invited'"),
        "12"
    );
    let events = p.json(&["audit", "list", "--all"]);
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 13, "init and twelve invitations");
    for (n, pair) in events.windows(2).enumerate() {
        assert_eq!(
            pair[1]["prev_hash"],
            pair[0]["hash"],
            "the chain breaks after event {}",
            n + 1
        );
        assert_eq!(
            pair[1]["seq"].as_i64(),
            pair[0]["seq"].as_i64().map(|s| s + 1)
        );
    }
}

#[test]
fn parallel_inits_of_a_new_file_agree() {
    let p = Portal::empty();
    let init = line(&[
        "init", "--account", "Acme Ltd", "--owner-email", "owner@acme.test",
    ]);
    all_at_once(&p, &vec![init; 6]);
    assert_eq!(p.text("SELECT COUNT(*) FROM accounts"), "1");
    assert_eq!(
        p.text("SELECT COUNT(*) FROM audit_events"),
        "1",
        "one init, the rest found it done"
    );
}

/// A seeded random source for a test that runs a random plan: the seed is
/// `TEST_SEED` when set, else the clock's, and is printed, so that a
/// failing plan can be run again.
pub fn seeded_rng(test: &str) -> StdRng {
    let seed = std::env::var("TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
    eprintln!("{test}: TEST_SEED={seed}");
    StdRng::seed_from_u64(seed)
}

/// Members every writer changes at once.
const SHARED: [&str; 3] = ["s0@acme.test", "s1@acme.test", "s2@acme.test"];
/// Approvers of the pending orders.
const APPROVERS: [&str; 2] = ["fin@acme.test", "fay@acme.test"];
/// Places orders.
const BUYER: &str = "max@acme.test";
/// Orders over £50 wait for one approval.
const PENDING: usize = 6;

/// One write of the mixed load.
#[derive(Debug, Clone)]
enum Op {
    Invite(String),
    SetRole(usize, &'static str),
    Deactivate(usize),
    Activate(usize),
    Place(&'static str),
    Approve(usize, usize),
}

/// An op as it ran: who it was audited as, and how it ended.
#[derive(Debug)]
struct Ran {
    op: Op,
    actor: String,
    code: i32,
    stdout: String,
    stderr: String,
}

/// Acme with two approvers, a buyer, the shared members and `PENDING`
/// orders waiting for approval (ids 1 to `PENDING`).
fn mixed_load_portal() -> Portal {
    Portal::cached("concurrency: mixed load", || {
        let p = Portal::new();
        for who in APPROVERS {
            p.member(who, "admin");
        }
        p.member(BUYER, "manager");
        for who in SHARED {
            p.member(who, "user");
        }
        p.ok(&["policy", "create", "--name", "Over 50", "--threshold", "50"]);
        for _ in 0..PENDING {
            p.json_as(
                Some(BUYER),
                &["order", "place", "--description", "Kit", "--amount", "100"],
            );
        }
        p
    })
}

fn plan(rng: &mut StdRng, writer: usize, steps: usize) -> Vec<Op> {
    (0..steps)
        .map(|step| match rng.random_range(0..6) {
            0 => Op::Invite(format!("w{writer}.{step}@acme.test")),
            1 => {
                let role = ["admin", "manager", "user", "no-access"][rng.random_range(0..4)];
                Op::SetRole(rng.random_range(0..SHARED.len()), role)
            }
            2 => Op::Deactivate(rng.random_range(0..SHARED.len())),
            3 => Op::Activate(rng.random_range(0..SHARED.len())),
            4 => Op::Place(["20", "100"][rng.random_range(0..2)]),
            _ => Op::Approve(
                rng.random_range(0..APPROVERS.len()),
                rng.random_range(1..=PENDING),
            ),
        })
        .collect()
}

/// Runs `op` as write `step` of `writer`. Operator writes run as the OS
/// user `w<writer>s<step>`, so the audit log tells which command wrote
/// which event.
fn run(p: &Portal, writer: usize, step: usize, op: Op) -> Ran {
    let user = format!("w{writer}s{step}");
    let id;
    let (args, member): (Vec<&str>, Option<&str>) = match &op {
        Op::Invite(email) => (
            vec![
                "--json", "user", "invite", "--email", email, "--name", "W", "--role", "user",
            ],
            None,
        ),
        Op::SetRole(k, role) => (vec!["user", "set-role", SHARED[*k], role], None),
        Op::Deactivate(k) => (vec!["user", "deactivate", "--yes", SHARED[*k]], None),
        Op::Activate(k) => (vec!["user", "activate", SHARED[*k]], None),
        Op::Place(amount) => (
            vec![
                "--json", "order", "place", "--description", "Load", "--amount", amount,
            ],
            Some(BUYER),
        ),
        Op::Approve(who, order) => {
            id = order.to_string();
            (vec!["order", "approve", &id], Some(APPROVERS[*who]))
        }
    };
    let mut env = vec![("USER", user.as_str())];
    env.extend(member.map(|m| ("PORTALCTL_AS", m)));
    let out = p.command(&args, &env).output().unwrap();
    Ran {
        actor: member.map_or(format!("operator:{user}"), str::to_string),
        op,
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn mixed_writers_on_shared_rows_lose_nothing_and_the_log_agrees_with_the_data() {
    const WRITERS: usize = 6;
    const STEPS: usize = 15;
    let p = mixed_load_portal();
    let first_new = p.events() + 1;
    let mut rng = seeded_rng("mixed writers");
    let plans: Vec<Vec<Op>> = (0..WRITERS).map(|w| plan(&mut rng, w, STEPS)).collect();
    let ran: Vec<Ran> = std::thread::scope(|s| {
        let writers: Vec<_> = plans
            .into_iter()
            .enumerate()
            .map(|(w, ops)| {
                let p = &p;
                s.spawn(move || {
                    ops.into_iter()
                        .enumerate()
                        .map(|(step, op)| run(p, w, step, op))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });

    // A race may refuse a write, as a conflict of the design (exit 4):
    // deciding a decided order, (de)activating twice. Nothing else fails.
    for r in &ran {
        let may_conflict = !matches!(r.op, Op::Invite(_) | Op::Place(_));
        assert!(
            r.code == SUCCESS || (may_conflict && r.code == CONFLICT),
            "{:?} as {} exited {}: {}",
            r.op,
            r.actor,
            r.code,
            r.stderr
        );
    }
    assert_eq!(p.text("PRAGMA integrity_check"), "ok");
    p.ok(&["audit", "verify"]);

    let events = p.json(&["audit", "list", "--all"]);
    let events: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["seq"].as_i64().unwrap() >= first_new)
        .collect();
    let about = |action: &str, target: &str| -> Vec<&Value> {
        events
            .iter()
            .copied()
            .filter(|e| e["action"] == action && e["target"] == target)
            .collect()
    };

    // Each successful write left its change and exactly one event; each
    // refused one left nothing. Operator writes are told apart by actor,
    // orders by id.
    let mut accounted = 0;
    for r in &ran {
        let (action, target) = match &r.op {
            Op::Invite(email) => ("user.invite", email.clone()),
            Op::SetRole(k, _) => ("user.set_role", SHARED[*k].to_string()),
            Op::Deactivate(k) => ("user.deactivate", SHARED[*k].to_string()),
            Op::Activate(k) => ("user.activate", SHARED[*k].to_string()),
            Op::Place(_) => {
                let order: Value = serde_json::from_str(&r.stdout).unwrap();
                let id = order["id"].as_i64().unwrap();
                assert_eq!(
                    p.text(&format!("SELECT description FROM orders WHERE id = {id}")),
                    "Load"
                );
                ("order.place", format!("order {id}"))
            }
            // Several approvers decide the same orders: counted per order
            // below.
            Op::Approve(..) => continue,
        };
        let mine: Vec<&Value> = match r.op {
            Op::Place(_) => about(action, &target),
            _ => events
                .iter()
                .copied()
                .filter(|e| e["actor"] == r.actor.as_str())
                .collect(),
        };
        let expected = match (&r.op, r.code) {
            (_, CONFLICT) => 0,
            // Giving a member the role they hold already changes nothing.
            (Op::SetRole(..), _) if mine.is_empty() => 0,
            _ => 1,
        };
        assert_eq!(mine.len(), expected, "{:?} as {}: {mine:?}", r.op, r.actor);
        for e in &mine {
            assert_eq!(
                (&e["action"], &e["target"]),
                (&json!(action), &json!(target))
            );
        }
        if let (Op::Invite(email), SUCCESS) = (&r.op, r.code) {
            assert_eq!(
                p.text(&format!(
                    "SELECT m.status FROM memberships m JOIN people p ON p.id = m.person_id
                     WHERE p.email = '{email}'"
                )),
                "invited"
            );
        }
        accounted += mine.len();
    }
    // A pending order is approved by one approval at most: by exactly the
    // approvals that succeeded, as many as the log records.
    for order in 1..=PENDING {
        let target = format!("order {order}");
        let logged = about("order.approve", &target).len();
        let succeeded = ran
            .iter()
            .filter(|r| matches!(r.op, Op::Approve(_, o) if o == order) && r.code == SUCCESS)
            .count();
        assert_eq!(logged, succeeded, "{target}");
        assert!(succeeded <= 1, "{target} was approved {succeeded} times");
        let status = p.text(&format!("SELECT status FROM orders WHERE id = {order}"));
        assert_eq!(status == "approved", succeeded == 1, "{target} is {status}");
        accounted += logged;
    }
    assert_eq!(accounted, events.len(), "events that no write accounts for");
    // Each shared member is as the last event about them says.
    for who in SHARED {
        let now = p.json(&["user", "show", who]);
        if let Some(last) = events.iter().rev().find(|e| e["target"] == who) {
            assert_eq!(
                (&last["after"]["role"], &last["after"]["status"]),
                (&now["role"], &now["status"]),
                "{who}"
            );
        }
    }
}
