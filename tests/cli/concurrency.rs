//! Several processes writing one database at once: every write waits for
//! the lock, none is lost, and the audit chain stays whole.

use std::process::Stdio;

use crate::support::Portal;

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
