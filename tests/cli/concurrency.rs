//! Several processes writing one database at once: every write waits for
//! the lock, none is lost, and the audit chain stays whole.

use std::process::{Command, Stdio};

use crate::support::Portal;

#[test]
fn parallel_writers_all_land_and_keep_the_audit_chain() {
    let p = Portal::new();
    let children: Vec<_> = (0..12)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_portalctl"))
                .args([
                    "user",
                    "invite",
                    "--email",
                    &format!("u{i}@acme.test"),
                    "--name",
                    "U",
                    "--role",
                    "user",
                ])
                .env("PORTALCTL_DB", &p.db)
                .env("PORTALCTL_NOW", &p.now)
                .env_remove("PORTALCTL_AS")
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
    assert_eq!(
        p.text("SELECT COUNT(*) FROM memberships WHERE status = 'invited'"),
        "12"
    );
    let events = p.json(&["audit", "list"]);
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
    let children: Vec<_> = (0..6)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_portalctl"))
                .args([
                    "init",
                    "--account",
                    "Acme Ltd",
                    "--owner-email",
                    "owner@acme.test",
                ])
                .env("PORTALCTL_DB", &p.db)
                .env("PORTALCTL_NOW", &p.now)
                .env_remove("PORTALCTL_AS")
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
    assert_eq!(p.text("SELECT COUNT(*) FROM accounts"), "1");
    assert_eq!(
        p.text("SELECT COUNT(*) FROM audit_events"),
        "1",
        "one init, the rest found it done"
    );
}
