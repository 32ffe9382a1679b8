//! A writer killed (SIGKILL) at a random moment of its run: the file stays
//! whole, the audit chain verifies, and each write is all or nothing: its
//! rows and its audit event are all there, or none of them is.

use std::process::Stdio;
use std::time::Instant;

use rand::Rng;

use crate::concurrency::seeded_rng;
use crate::support::Portal;

/// How many writers are killed; each round costs a few milliseconds.
const ROUNDS: usize = 40;
/// How many writes run to their end first, to time one.
const WARMUPS: usize = 3;

/// The command line of write `round`: an invitation or an order.
fn write(round: usize, order: bool) -> Vec<String> {
    let line = if order {
        format!("order place --description Crash-{round} --amount 20")
    } else {
        format!("user invite --email crash{round}@acme.test --name C --role user")
    };
    line.split(' ').map(str::to_string).collect()
}

/// How many of the crash writes are in the database: the rows an
/// invitation writes (person, membership, invitation, email) and its
/// events, then the orders and their events. Every count of a kind must
/// agree.
fn landed(conn: &rusqlite::Connection) -> (Vec<i64>, Vec<i64>) {
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let invites = vec![
        count("SELECT COUNT(*) FROM people WHERE email LIKE 'crash%'"),
        count(
            "SELECT COUNT(*) FROM memberships m JOIN people p ON p.id = m.person_id
             WHERE p.email LIKE 'crash%'",
        ),
        count(
            "SELECT COUNT(*) FROM invitations i JOIN memberships m ON m.id = i.membership_id
             JOIN people p ON p.id = m.person_id WHERE p.email LIKE 'crash%'",
        ),
        count("SELECT COUNT(*) FROM outbox WHERE recipient LIKE 'crash%'"),
        count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'user.invite' AND target LIKE 'crash%'",
        ),
    ];
    let orders = vec![
        count("SELECT COUNT(*) FROM orders WHERE description LIKE 'Crash-%'"),
        count("SELECT COUNT(*) FROM audit_events WHERE action = 'order.place'"),
    ];
    (invites, orders)
}

#[test]
fn a_writer_killed_at_any_moment_leaves_all_or_nothing() {
    let p = Portal::new();
    let mut rng = seeded_rng("killed writers");
    // Writes run to their end: the kills below fall across as long a run,
    // from the process's start to a little past its commit. The quickest
    // of three, as a busy machine only ever makes a run longer.
    let span = (0..WARMUPS)
        .map(|n| {
            let started = Instant::now();
            let warmup = write(ROUNDS + n, false);
            p.ok(&warmup.iter().map(String::as_str).collect::<Vec<_>>());
            started.elapsed()
        })
        .min()
        .unwrap();

    let (mut invites, mut orders) = (WARMUPS as i64, 0);
    let mut killed = 0;
    for round in 0..ROUNDS {
        let order = rng.random_bool(0.5);
        let args = write(round, order);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = p
            .command(&args, &[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(span.mul_f64(rng.random_range(0.0..1.2)));
        // Not waited for yet, so the process is there to kill even if it
        // has exited.
        child.kill().unwrap();
        let status = child.wait().unwrap();
        let finished = status.code() == Some(0);
        assert!(
            finished || status.code().is_none(),
            "round {round}: {status}"
        );
        killed += usize::from(!finished);

        let context = format!("round {round} ({}, {status})", args[..2].join(" "));
        // portalctl is the first to open the file after the kill, and
        // recovers it as it would in use.
        let verify = p.run(&["audit", "verify"]);
        assert_eq!(verify.code, 0, "{context}: {}", verify.stderr);
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "{context}");
        let (now_invites, now_orders) = landed(&conn);
        drop(conn);
        for counts in [&now_invites, &now_orders] {
            assert!(
                counts.iter().all(|n| *n == counts[0]),
                "{context}: not all or nothing: {now_invites:?} {now_orders:?}"
            );
        }
        let (before, now, untouched) = if order {
            (orders, now_orders[0], invites == now_invites[0])
        } else {
            (invites, now_invites[0], orders == now_orders[0])
        };
        let expected = if finished {
            before + 1..=before + 1
        } else {
            before..=before + 1
        };
        assert!(expected.contains(&now), "{context}: {before} then {now}");
        assert!(untouched, "{context}: the other kind changed");
        invites = now_invites[0];
        orders = now_orders[0];
    }
    eprintln!(
        "{killed} of {ROUNDS} writers killed; {} invitations and {orders} orders landed",
        invites - WARMUPS as i64
    );
    assert!(killed > 0, "no writer was killed before it exited");
}
