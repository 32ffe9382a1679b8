//! The scripts in `examples/` run as documented.

use std::process::Command;

#[test]
fn the_approval_example_runs_and_shows_the_flow() {
    let dir = crate::support::scratch_dir();
    let out = Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/approvals.sh"
        ))
        .env("PORTALCTL", env!("CARGO_BIN_EXE_portalctl"))
        .env("PORTALCTL_DB", dir.path().join("approvals.db"))
        .env_remove("PORTALCTL_AS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = stdout.split("After Fiona's approval:").nth(1).unwrap();
    assert!(after
        .lines()
        .any(|l| l.contains("Router") && l.contains("approved") && l.contains("fiona@acme.test")));
    let una = stdout.split("What Una sees:").nth(1).unwrap();
    assert!(una.contains("Broadband London"), "{una}");
}
