//! Delivering the outbox against a real SMTP server (aiosmtpd, see
//! `smtp_server`), as `.eml` files, and with no live token ever at rest.

use std::os::unix::fs::PermissionsExt as _;

use crate::smtp_server::{closed_port, decode, token_in, SmtpServer};
use crate::support::{
    error_line, says, Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, OWNER, UNAVAILABLE, USAGE,
};

const ANN: &str = "ann@acme.test";

/// Acme with a sender set.
fn ready() -> Portal {
    Portal::cached("outbox: mail-from set", || {
        let p = Portal::new();
        p.ok(&[
            "settings", "set", "mail-from", "Acme Portal <portal@acme.test>",
        ]);
        p
    })
}

/// `outbox send --smtp URL` as JSON.
#[track_caller]
fn send(p: &Portal, url: &str) -> serde_json::Value {
    p.json(&["outbox", "send", "--smtp", url])
}

/// The outbox as JSON, `args` added (`--pending`, `--failed`).
#[track_caller]
fn outbox(p: &Portal, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["outbox", "list"];
    all.extend_from_slice(args);
    p.json(&all).as_array().unwrap().clone()
}

/// A name beyond ASCII made the body quoted-printable, which folds the
/// 95-column accept line inside its token with a soft `=`: the mail is
/// sent so that no line of its text is folded, and the token a real
/// server received accepts the invitation.
#[test]
fn an_invitation_to_a_name_beyond_ascii_keeps_its_token_line_whole() {
    let p = ready();
    p.json(&[
        "user", "invite", "zoe@acme.test", "--name", "Zoë Ångström-Łukasiewicz", "--role",
        "manager",
    ]);
    let server = SmtpServer::start();
    assert_eq!(send(&p, &server.url())["sent"], 1);
    let mail = &server.received()[0];
    let text = mail["text"].as_str().unwrap();
    says(text, "Zoë Ångström-Łukasiewicz");
    let token = token_in(mail);
    assert_eq!(token.len(), "pinv_".len() + 64, "{text}");
    let line = format!("    portalctl user accept {token}");
    assert!(text.lines().any(|l| l.trim_end() == line), "{text}");
    let raw = mail["raw"].as_str().unwrap();
    assert!(!raw.contains("quoted-printable"), "{raw}");
    // No part can carry a soft line break: none is quoted-printable.
    assert!(raw.contains("Content-Transfer-Encoding: base64"), "{raw}");
    assert_eq!(p.json(&["user", "accept", &token])["status"], "active");
}

/// A9: an account name written as an RFC 2047 encoded word reaches the
/// invitee's mail reader as typed: the Subject a real parser decodes is
/// the name the tool holds, not the partner's name (`Acme Ltd`) or a
/// bidirectional override the encoded word spells.
#[test]
fn an_encoded_word_in_an_account_name_reads_literally_in_the_subject() {
    let p = ready();
    p.ok(&["account", "create", "Globex", "--kind", "customer"]);
    for (name, invitee) in [
        ("=?utf-8?q?Globex?=", "v1@acme.test"),
        ("=?utf-8?q?Acme_=E2=80=AEresu?=", "v2@acme.test"),
    ] {
        p.ok(&["account", "set", ACCOUNT, "--name", name]);
        p.json(&[
            "user", "invite", invitee, "--role", "user", "--account", name,
        ]);
        let server = SmtpServer::start();
        assert_eq!(send(&p, &server.url())["sent"], 1);
        let mail = &server.received()[0];
        assert_eq!(
            mail["subject"],
            format!("Invitation to join {name} as user"),
            "{}",
            mail["raw"]
        );
        p.ok(&["account", "set", name, "--name", ACCOUNT]);
    }
}

#[test]
fn an_invitation_arrives_over_smtp_and_its_token_accepts() {
    let p = ready();
    let printed = p.invite(ANN, "manager", ACCOUNT);
    let server = SmtpServer::start();
    let report = send(&p, &server.url());
    assert_eq!(report["sent"], 1, "{report}");
    assert_eq!(report["pending"], 0, "{report}");
    let mail = &server.received()[0];
    assert_eq!(mail["rcpt_tos"], serde_json::json!([ANN]));
    assert_eq!(mail["mail_from"], "portal@acme.test");
    assert_eq!(mail["from"], "Acme Portal <portal@acme.test>");
    assert_eq!(mail["subject"], "Invitation to join Acme Ltd as manager");
    let text = mail["text"].as_str().unwrap();
    for part in [
        "Hello ann,",
        "An administrator of the portal has invited you to join Acme Ltd",
        "with the role manager",
        "expires on 2 December 2026 at 10:00 UTC",
        "portalctl user accept pinv_",
    ] {
        says(text, part);
    }
    says(
        mail["html"].as_str().unwrap(),
        "portalctl user accept pinv_",
    );
    assert_eq!(mail["date"], "Wed, 25 Nov 2026 10:00:00 +0000");
    let mailed = token_in(mail);
    assert_ne!(mailed, printed, "the email carries a token of its own");
    assert_eq!(p.json(&["user", "accept", &mailed])["status"], "active");
    // Either token consumes the one invitation.
    says(
        &p.refused(&["user", "accept", &printed], CONFLICT),
        "already accepted",
    );
    let listed = outbox(&p, &[]);
    assert_eq!(listed[0]["state"], "sent");
    assert_eq!(listed[0]["attempts"], 1);
    assert_eq!(listed[0]["sent_at"], "2026-11-25T10:00:00Z");
    // Nothing is left to send.
    assert_eq!(send(&p, &server.url())["sent"], 0);
    assert_eq!(server.received().len(), 1);
}

#[test]
fn no_token_is_ever_at_rest_in_the_file_its_log_or_a_dump() {
    let p = ready();
    // A reader keeps the write-ahead log from being folded away, so it can
    // be read after the commands.
    let reader = rusqlite::Connection::open(&p.db).unwrap();
    reader
        .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let mut tokens = vec![
        p.invite(ANN, "user", ACCOUNT),
        p.invite("bob@acme.test", "user", ACCOUNT),
    ];
    let resent = p.json(&["user", "resend-invite", "bob@acme.test"]);
    tokens.push(resent["token"].as_str().unwrap().to_string());
    let server = SmtpServer::start();
    assert_eq!(send(&p, &server.url())["sent"], 2);
    let dir = tempfile::tempdir().unwrap();
    let resent = p.json(&["user", "resend-invite", ANN]);
    tokens.push(resent["token"].as_str().unwrap().to_string());
    p.ok(&["outbox", "send", "--to-dir", dir.path().to_str().unwrap()]);
    for mail in server.received() {
        tokens.push(token_in(&mail));
    }
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for mail in decode(&files) {
        tokens.push(token_in(&mail));
    }
    assert_eq!(tokens.len(), 7);
    let mut wal = p.db.as_os_str().to_owned();
    wal.push("-wal");
    let wal = std::fs::read(&wal).expect("the write-ahead log is kept while a reader is open");
    let db = std::fs::read(&p.db).unwrap();
    let dump = p.dump();
    for token in &tokens {
        let secret = token.trim_start_matches("pinv_");
        let found = |bytes: &[u8]| bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found(&db), "{token} is in the database file");
        assert!(!found(&wal), "{token} is in the write-ahead log");
        assert!(!dump.contains(secret), "{token} is in the dump");
    }
    drop(reader);
}

#[test]
fn a_server_refusing_with_5xx_fails_the_email_after_the_attempts() {
    let mut p = ready();
    p.ok(&["settings", "set", "mail-max-attempts", "2"]);
    p.ok(&["settings", "set", "mail-retry-after", "1m"]);
    p.invite(ANN, "user", ACCOUNT);
    let server = SmtpServer::with(&["--reply", "550 5.1.1 no such user here"]);
    let run = p.run(&["--json", "outbox", "send", "--smtp", &server.url()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(&run.stderr, "warning: 1 email(s) refused");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["retry_later"], 1, "{report}");
    let waiting = &outbox(&p, &["--pending"])[0];
    assert_eq!(waiting["attempts"], 1);
    // The server's answer as it gave it: "permanent" beside `pending`
    // would say it is not retried.
    assert_eq!(waiting["last_error"], "550 5.1.1 no such user here");
    assert_eq!(waiting["next_attempt_at"], "2026-11-25T10:01:00Z");
    p.now = "2026-11-25T10:01:00Z".into();
    assert_eq!(send(&p, &server.url())["failed"], 1);
    let failed = outbox(&p, &["--failed"]);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["state"], "failed");
    assert_eq!(failed[0]["attempts"], 2);
    assert!(outbox(&p, &["--pending"]).is_empty());
    let table = p.ok(&["outbox", "list"]);
    assert!(
        table
            .lines()
            .any(|l| l.contains(ANN) && l.contains("failed") && l.contains("550")),
        "{table}"
    );
    // Once the address is fixed, `outbox retry` sends it again.
    let id = failed[0]["id"].to_string();
    let retried = p.json(&["outbox", "retry", &id]);
    assert_eq!(retried[0]["state"], "pending");
    let good = SmtpServer::start();
    assert_eq!(send(&p, &good.url())["sent"], 1);
    says(
        &p.refused(&["outbox", "retry", &id], CONFLICT),
        "already sent",
    );
}

/// F2: on a server without SMTPUTF8, an address whose domain is beyond
/// ASCII goes in its IDNA form (`xn--`), and one whose local part is beyond
/// ASCII is refused for itself alone: the run goes on and delivers the
/// others, exits 0 with the refusal as a warning. No attempt through that
/// server could send it, so it is `failed` at once, not retried up to
/// `mail-max-attempts`, its last error saying why and what sends it once
/// the server offers SMTPUTF8: `outbox retry` then, and a server offering
/// SMTPUTF8 takes it.
#[test]
fn an_address_beyond_ascii_never_blocks_the_queue() {
    let p = ready();
    p.ok(&["settings", "set", "mail-max-attempts", "5"]);
    for (email, name) in [
        ("пётр@почта.рф", "Petr"),
        ("x@bücher.test", "Bea"),
        ("plain@acme.test", "Plain"),
    ] {
        p.json(&["user", "invite", email, "--name", name, "--role", "user"]);
    }
    let server = SmtpServer::start();
    let run = p.run(&["--json", "outbox", "send", "--smtp", &server.url()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(
        &run.stderr,
        "warning: 1 email(s) refused (0 to retry later, 1 failed)",
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (
            report["sent"].clone(),
            report["retry_later"].clone(),
            report["failed"].clone(),
            report["pending"].clone()
        ),
        (2.into(), 0.into(), 1.into(), 0.into()),
        "{report}"
    );
    let delivered: Vec<String> = server
        .received()
        .iter()
        .map(|m| m["rcpt_tos"][0].as_str().unwrap().to_string())
        .collect();
    assert_eq!(delivered, ["x@xn--bcher-kva.test", "plain@acme.test"]);
    says(
        server.received()[0]["to"].as_str().unwrap(),
        "x@xn--bcher-kva.test",
    );
    assert!(outbox(&p, &["--pending"]).is_empty());
    let failed = outbox(&p, &["--failed"]);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["recipient"], "пётр@почта.рф");
    assert_eq!(failed[0]["attempts"], 1);
    let id = failed[0]["id"].to_string();
    let why = failed[0]["last_error"].as_str().unwrap().to_string();
    says(&why, "does not accept addresses with letters beyond ASCII");
    says(&why, "SMTPUTF8");
    says(&why, "failed at once");
    says(&why, &format!("`portalctl outbox retry {id}`"));
    // The same server next run: nothing is due, nothing is tried.
    assert_eq!(send(&p, &server.url())["failed"], 0);
    assert_eq!(server.received().len(), 2);
    // Once the server offers SMTPUTF8, a retry sends it, its domain in
    // ASCII.
    p.json(&["outbox", "retry", &id]);
    let utf8 = SmtpServer::with(&["--smtputf8"]);
    assert_eq!(send(&p, &utf8.url())["sent"], 1);
    assert_eq!(
        utf8.received()[0]["rcpt_tos"][0],
        "пётр@xn--80a1acny.xn--p1ai"
    );
    let sent = outbox(&p, &[]);
    assert!(sent.iter().all(|m| m["state"] == "sent"), "{sent:?}");
}

/// A server offering SMTPUTF8 from the start takes an address beyond
/// ASCII before its `@` at the first attempt: nothing fails.
#[test]
fn a_server_with_smtputf8_takes_an_address_beyond_ascii_at_once() {
    let p = ready();
    p.json(&[
        "user", "invite", "пётр@почта.рф", "--name", "Petr", "--role", "user",
    ]);
    let server = SmtpServer::with(&["--smtputf8"]);
    let report = send(&p, &server.url());
    assert_eq!(
        (report["sent"].clone(), report["failed"].clone()),
        (1.into(), 0.into()),
        "{report}"
    );
    assert_eq!(
        server.received()[0]["rcpt_tos"][0],
        "пётр@xn--80a1acny.xn--p1ai"
    );
    let token = token_in(&server.received()[0]);
    assert_eq!(p.json(&["user", "accept", &token])["status"], "active");
}

/// A connection that breaks after DATA stops the run (exit 6) though the
/// server answers again: what was not sent stays pending, the email in
/// doubt counts no attempt (so never fails for it) and keeps its token,
/// and waits so that the next run sends the others first.
#[test]
fn a_connection_that_breaks_mid_run_stops_it_and_loses_nothing() {
    let mut p = ready();
    p.ok(&["settings", "set", "mail-max-attempts", "1"]);
    p.invite(ANN, "user", ACCOUNT);
    p.invite("bob@acme.test", "user", ACCOUNT);
    let server = SmtpServer::with(&["--drop-first", "1"]);
    let run = p.run(&["outbox", "send", "--smtp", &server.url()]);
    assert_eq!(run.code, UNAVAILABLE, "{}", run.stderr);
    says(error_line(&run.stderr), "error: cannot send through");
    says(&run.stderr, "the rest stay pending and nothing is lost");
    let states = |p: &Portal| -> Vec<(String, String, i64)> {
        outbox(p, &[])
            .iter()
            .map(|m| {
                (
                    m["recipient"].as_str().unwrap().to_string(),
                    m["state"].as_str().unwrap().to_string(),
                    m["attempts"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let row = |who: &str, state: &str, attempts| (who.to_string(), state.to_string(), attempts);
    assert_eq!(
        states(&p),
        [row(ANN, "pending", 0), row("bob@acme.test", "pending", 0)]
    );
    assert!(server.received().is_empty());
    // The next run sends bob's; ann's waits out the back-off, and then goes.
    assert_eq!(send(&p, &server.url())["sent"], 1);
    assert_eq!(server.received()[0]["rcpt_tos"][0], "bob@acme.test");
    p.now = "2026-11-25T10:05:00Z".into();
    assert_eq!(send(&p, &server.url())["sent"], 1);
    assert_eq!(states(&p)[0], row(ANN, "sent", 1));
}

#[test]
fn a_4xx_is_retried_after_its_back_off() {
    let mut p = ready();
    p.invite(ANN, "user", ACCOUNT);
    let busy = SmtpServer::with(&["--reply", "451 4.3.0 try again later"]);
    assert_eq!(send(&p, &busy.url())["retry_later"], 1);
    let waiting = &outbox(&p, &["--pending"])[0];
    says(waiting["last_error"].as_str().unwrap(), "451");
    assert_eq!(waiting["next_attempt_at"], "2026-11-25T10:05:00Z");
    let server = SmtpServer::start();
    // Not due yet: the run leaves it.
    assert_eq!(send(&p, &server.url())["pending"], 1);
    assert!(server.received().is_empty());
    p.now = "2026-11-25T10:05:00Z".into();
    assert_eq!(send(&p, &server.url())["sent"], 1);
    assert_eq!(server.received().len(), 1);
    p.ok(&["user", "accept", &token_in(&server.received()[0])]);
}

#[test]
fn a_server_that_is_not_listening_loses_nothing() {
    let p = ready();
    p.invite(ANN, "user", ACCOUNT);
    let url = format!("smtp://127.0.0.1:{}", closed_port());
    let err = p.refused(&["outbox", "send", "--smtp", &url], UNAVAILABLE);
    says(error_line(&err), "cannot send through");
    says(&err, "nothing is lost");
    // The same through PORTALCTL_SMTP.
    p.refused_with(
        &["outbox", "send"],
        &[("PORTALCTL_SMTP", &url)],
        UNAVAILABLE,
    );
    let server = SmtpServer::start();
    let report = p.json_with(&["outbox", "send"], &[("PORTALCTL_SMTP", &server.url())]);
    assert_eq!(report["sent"], 1, "{report}");
}

#[test]
fn auth_with_a_user_and_password_which_is_never_printed() {
    let p = ready();
    p.invite(ANN, "user", ACCOUNT);
    let server = SmtpServer::with(&["--auth", "mailer:s3cret-pw"]);
    // No login where the server wants one: it would answer every email
    // 530, so the run stops before any (exit 2, nothing changed), saying
    // to give a login. Before, every email used up its attempts, run
    // after run, until the whole queue was `failed`.
    let none = format!("smtp://127.0.0.1:{}", server.port);
    let err = p.refused(&["outbox", "send", "--smtp", &none], USAGE);
    says(error_line(&err), "530");
    says(error_line(&err), "smtp://USER:PASSWORD@HOST");
    let wrong = format!("smtp://mailer:wrong-pw@127.0.0.1:{}", server.port);
    // Running again cannot help a login the server refuses: a usage error
    // that says what to fix, not "again later".
    let err = p.refused(&["outbox", "send", "--smtp", &wrong], USAGE);
    assert!(!err.contains("wrong-pw"), "{err}");
    says(error_line(&err), "535");
    says(&err, "fix the destination");
    assert!(!err.contains("again later"), "{err}");
    let url = format!("smtp://mailer:s3cret-pw@127.0.0.1:{}", server.port);
    let run = p.run(&["outbox", "send", "--smtp", &url]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("s3cret"), "{}", run.stdout);
    says(
        &run.stdout,
        &format!("smtp://mailer:***@127.0.0.1:{}", server.port),
    );
    assert_eq!(server.received().len(), 1);
    // --help shows the variable, never its value.
    let help = p.run_with(&["outbox", "send", "--help"], &[("PORTALCTL_SMTP", &url)]);
    assert!(!help.stdout.contains("s3cret"), "{}", help.stdout);
}

/// D7: the up-front check asks with the sender the emails go from: a
/// server that takes the null sender without a login but wants one for
/// `mail-from` stops the run before any email (exit 2, nothing changed).
#[test]
fn a_server_wanting_a_login_for_the_sender_alone_is_caught_up_front() {
    let p = ready();
    p.invite(ANN, "user", ACCOUNT);
    let server = SmtpServer::with(&["--login-for", "portal@acme.test"]);
    let err = p.refused(&["outbox", "send", "--smtp", &server.url()], USAGE);
    says(error_line(&err), "530");
    says(error_line(&err), "smtp://USER:PASSWORD@HOST");
    assert!(server.received().is_empty());
    assert_eq!(outbox(&p, &["--pending"])[0]["attempts"], 0);
}

/// E5: a sender with letters beyond ASCII before its `@` on a server
/// that offers no SMTPUTF8 gets no email of any run through: the check
/// before the first email stops the run (exit 2, not 6: running again
/// cannot help), saying what to change, and nothing changes. A server
/// offering SMTPUTF8 sends from it.
#[test]
fn a_sender_beyond_ascii_without_smtputf8_is_caught_up_front() {
    let p = ready();
    p.ok(&["settings", "set", "mail-from", "Почта <пост@почта.рф>"]);
    p.invite(ANN, "user", ACCOUNT);
    let server = SmtpServer::start();
    let err = p.refused(&["outbox", "send", "--smtp", &server.url()], USAGE);
    says(error_line(&err), "offers no SMTPUTF8");
    says(error_line(&err), "`пост@почта.рф`");
    // The help names the sender's fix, not the destination's (att14).
    let help = err
        .lines()
        .find(|l| l.starts_with("help:"))
        .unwrap_or_default();
    says(help, "settings set mail-from");
    assert!(!help.contains("fix the destination"), "{help}");
    assert!(server.received().is_empty());
    let utf8 = SmtpServer::with(&["--smtputf8"]);
    assert_eq!(send(&p, &utf8.url())["sent"], 1);
}

/// D7: a server that passes the check and answers an email `530` stops
/// the run there (exit 2), saying so; that email counts no attempt and
/// the rest are untouched, so no email is used up for what the URL is to
/// fix. Its claim has committed by then, so unlike the check's refusal
/// this one leaves the file changed (its last error, an audit event).
#[test]
fn a_login_wanted_at_an_email_stops_the_run_and_counts_no_attempt() {
    let p = ready();
    p.ok(&["settings", "set", "mail-max-attempts", "1"]);
    p.invite(ANN, "user", ACCOUNT);
    p.invite("bob@acme.test", "user", ACCOUNT);
    let server = SmtpServer::with(&["--login-after", "1"]);
    let run = p.run(&["outbox", "send", "--smtp", &server.url()]);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    says(error_line(&run.stderr), "530");
    says(error_line(&run.stderr), "counts no attempt");
    assert!(server.received().is_empty());
    let pending = outbox(&p, &["--pending"]);
    let attempts: Vec<_> = pending.iter().map(|m| m["attempts"].clone()).collect();
    assert_eq!(attempts, [0, 0]);
    says(
        pending[0]["last_error"].as_str().unwrap(),
        "no attempt counted",
    );
    // One attempt is all an email gets here, yet both go once fixed.
    let good = SmtpServer::start();
    assert_eq!(send(&p, &good.url())["sent"], 2);
}

/// A11: what is wrong with the URL, in the tool's words: a login given to
/// a server that offers no way to log in, an empty PORTALCTL_SMTP.
#[test]
fn a_url_the_server_or_the_tool_cannot_use_is_said_plainly() {
    let p = ready();
    p.invite(ANN, "user", ACCOUNT);
    let server = SmtpServer::start();
    let url = format!("smtp://u:p@127.0.0.1:{}", server.port);
    let err = p.refused(&["outbox", "send", "--smtp", &url], USAGE);
    says(error_line(&err), "the server offers no way to log in");
    assert!(!err.contains("internal client error"), "{err}");
    let err = p.refused_with(&["outbox", "send"], &[("PORTALCTL_SMTP", "")], USAGE);
    says(error_line(&err), "PORTALCTL_SMTP is set but empty");
    let err = p.refused(&["outbox", "send", "--smtp", "mail.acme.test"], USAGE);
    says(error_line(&err), "does not start with smtp:// or smtps://");
    assert!(!err.contains("relative URL"), "{err}");
}

/// A `--to-dir` that names a file is the caller's to fix (exit 2),
/// nothing is sent; the `.eml` a CI job greps holds the accept line, token
/// and all, unbroken.
#[test]
fn to_dir_on_a_file_is_a_usage_error_and_the_token_line_greps_whole() {
    let p = ready();
    let printed = p.invite(ANN, "user", ACCOUNT);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notadir");
    std::fs::write(&file, "").unwrap();
    let err = p.refused(
        &["outbox", "send", "--to-dir", file.to_str().unwrap()],
        USAGE,
    );
    says(error_line(&err), "is not a directory");
    assert!(!err.contains("again later"), "{err}");
    let out = dir.path().join("mail");
    assert_eq!(
        p.json(&["outbox", "send", "--to-dir", out.to_str().unwrap()])["sent"],
        1
    );
    let raw = std::fs::read_to_string(out.join("outbox-1.eml")).unwrap();
    let line = raw
        .lines()
        .find(|l| l.contains("portalctl user accept pinv_"))
        .unwrap_or_else(|| panic!("{raw}"));
    let token = line.trim().trim_start_matches("portalctl user accept ");
    assert_eq!(token.len(), printed.len(), "{line}");
    p.ok(&["user", "accept", token]);
}

#[test]
fn to_dir_writes_private_eml_files_whose_token_accepts() {
    let p = ready();
    p.invite(ANN, "user", ACCOUNT);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mail");
    let report = p.json(&["outbox", "send", "--to-dir", out.to_str().unwrap()]);
    assert_eq!(report["sent"], 1, "{report}");
    let file = out.join("outbox-1.eml");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the file holds a live token");
    let mail = &decode(&[file])[0];
    assert_eq!(mail["to"], ANN);
    says(mail["raw"].as_str().unwrap(), "Message-ID: <portalctl.1.");
    p.ok(&["user", "accept", &token_in(mail)]);
}

/// Two databases sending into one directory: the second email of id 1
/// takes the next free name, and both tokens accept, each in its own
/// database.
#[test]
fn to_dir_never_writes_over_an_email_already_there() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mail");
    let portals = [Portal::new(), Portal::new()];
    for (p, who) in portals.iter().zip([ANN, "bob@acme.test"]) {
        p.ok(&["settings", "set", "mail-from", "portal@acme.test"]);
        p.invite(who, "user", ACCOUNT);
        let report = p.json(&["outbox", "send", "--to-dir", out.to_str().unwrap()]);
        assert_eq!(report["sent"], 1, "{report}");
    }
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["outbox-1-2.eml", "outbox-1.eml"]);
    for (p, name) in portals.iter().zip(["outbox-1.eml", "outbox-1-2.eml"]) {
        let mail = &decode(&[out.join(name)])[0];
        p.ok(&["user", "accept", &token_in(mail)]);
    }
}

#[test]
fn ending_an_invitation_cancels_its_email_in_the_same_change() {
    let p = ready();
    let token = p.invite(ANN, "user", ACCOUNT);
    p.invite("bob@acme.test", "user", ACCOUNT);
    p.invite("cy@acme.test", "user", ACCOUNT);
    p.ok(&["user", "accept", &token]);
    p.ok(&["user", "revoke-invite", "--yes", "bob@acme.test"]);
    p.ok(&["user", "resend-invite", "cy@acme.test"]);
    let states: Vec<(String, String, String)> = outbox(&p, &[])
        .iter()
        .map(|m| {
            (
                m["recipient"].as_str().unwrap().to_string(),
                m["state"].as_str().unwrap().to_string(),
                m["cancelled_reason"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    // A cancellation is no error of an attempt.
    for m in outbox(&p, &[]) {
        assert_eq!(m["last_error"], serde_json::Value::Null, "{m}");
    }
    let row = |who: &str, state: &str, why: &str| (who.into(), state.into(), why.into());
    assert_eq!(
        states,
        [
            row(ANN, "cancelled", "the invitation was accepted"),
            row("bob@acme.test", "cancelled", "the invitation was revoked"),
            row(
                "cy@acme.test",
                "cancelled",
                "the invitation was replaced by a newer one"
            ),
            row("cy@acme.test", "pending", "-"),
        ]
    );
}

#[test]
fn sending_and_the_settings_are_refused_cleanly() {
    let p = Portal::new();
    p.invite(ANN, "user", ACCOUNT);
    let dir = tempfile::tempdir().unwrap();
    let to_dir = dir.path().to_str().unwrap();
    says(
        &p.refused(&["outbox", "send", "--to-dir", to_dir], CONFLICT),
        "settings set mail-from",
    );
    says(&p.refused(&["outbox", "send"], USAGE), "--smtp");
    let bad = p.refused(
        &["outbox", "send", "--smtp", "smtp://u:hunter2@x?tls=maybe"],
        USAGE,
    );
    assert!(!bad.contains("hunter2"), "{bad}");
    p.refused(
        &[
            "settings",
            "set",
            "mail-from",
            "Evil\r\nBcc: x@y.test <a@b.test>",
        ],
        USAGE,
    );
    p.refused(&["settings", "set", "mail-from", "not an address"], USAGE);
    p.refused(&["settings", "set", "colour", "blue"], USAGE);
    p.refused(&["outbox", "retry", "99"], NOT_FOUND);
    p.refused(&["outbox", "cancel", "99"], NOT_FOUND);
    p.refused(
        &[
            "user", "invite", "--email", "bob@acme.test", "--name", "Bob\r\nBcc: all@acme.test",
            "--role", "user",
        ],
        USAGE,
    );
    let shown = p.ok(&["settings", "show"]);
    says(&shown, "mail-max-attempts");
    says(&shown, "5 (default)");
    let cancelled = p.json(&["outbox", "cancel", "1"]);
    assert_eq!(cancelled[0]["state"], "cancelled");
    says(
        &p.refused(&["outbox", "cancel", "1"], CONFLICT),
        "already cancelled",
    );
    // A cancelled email is not sent; the printed token still works.
    p.ok(&["settings", "set", "mail-from", "portal@acme.test"]);
    assert_eq!(p.json(&["outbox", "send", "--to-dir", to_dir])["sent"], 0);
}

#[test]
fn flagging_a_duplicate_tells_support_by_email() {
    let p = ready();
    p.ok(&["settings", "set", "support-email", "support@portal.test"]);
    p.member(ANN, "user");
    p.member("ann.smith@acme.test", "user");
    p.ok(&["user", "flag-duplicate", "ann.smith@acme.test", "--of", ANN]);
    let server = SmtpServer::start();
    assert_eq!(send(&p, &server.url())["sent"], 1);
    let mail = &server.received()[0];
    assert_eq!(mail["rcpt_tos"], serde_json::json!(["support@portal.test"]));
    says(mail["subject"].as_str().unwrap(), "ann.smith@acme.test");
    says(
        mail["text"].as_str().unwrap(),
        "portalctl user merge ann.smith@acme.test --into ann@acme.test",
    );
}

/// An address corrected after the invitation was mailed (a typo): the
/// invitation goes again to the new address, and no token that went to
/// the old one makes its reader the member.
#[test]
fn a_corrected_address_gets_the_invitation_and_the_old_tokens_stop() {
    let p = ready();
    let typo = "ann@acme.tset";
    let printed = p.invite(typo, "admin", ACCOUNT);
    let handed = p.json(&[
        "user", "invite", "--email", "cy@acme.tset", "--role", "user", "--no-send",
    ])["token"]
        .as_str()
        .unwrap()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    let report = p.json(&["outbox", "send", "--to-dir", first.to_str().unwrap()]);
    assert_eq!(report["sent"], 1, "{report}");
    let mailed = token_in(&decode(&[first.join("outbox-1.eml")])[0]);

    let run = p.run(&["user", "edit", typo, "--new-email", ANN]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(
        &run.stderr,
        "the invitation to `Acme Ltd` went again, to `ann@acme.test`",
    );
    for token in [&printed, &mailed] {
        says(&p.refused(&["user", "accept", token], CONFLICT), "replaced");
    }
    let audit = p.json(&["audit", "list", "--limit", "2"]);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"user.resend_invite"), "{audit}");

    // The new address gets it, and its token is the one that works.
    let report = p.json(&["outbox", "send", "--to-dir", second.to_str().unwrap()]);
    assert_eq!(report["sent"], 1, "{report}");
    let files: Vec<_> = std::fs::read_dir(&second)
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    let mail = &decode(&files)[0];
    assert_eq!(mail["to"], ANN);
    let v = p.json(&["user", "accept", &token_in(mail)]);
    assert_eq!(
        (v["email"].as_str(), v["status"].as_str()),
        (Some(ANN), Some("active"))
    );

    // An invitation never mailed goes to the new address too: the token
    // handed over named the old one.
    let run = p.run(&[
        "user", "edit", "cy@acme.tset", "--new-email", "cy@acme.test",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(&run.stderr, "went again, to `cy@acme.test`");
    says(
        &p.refused(&["user", "accept", &handed], CONFLICT),
        "replaced by a newer one",
    );
}

/// A merge moves a duplicate's invitation to the person kept, but the
/// inviting account, which cannot see the merge, knows them by the
/// address it invited until they accept: the invitation stays there, its
/// token still works (and makes the person kept the member), and nothing
/// goes to the kept person's address.
#[test]
fn a_merge_leaves_a_moved_invitation_at_the_address_it_went_to() {
    let p = ready();
    p.ok(&["account", "create", "Beta", "--kind", "customer"]);
    p.member("keep@acme.test", "user");
    let printed = p.invite("dup@acme.test", "user", "Beta");
    p.ok(&[
        "--yes", "user", "merge", "dup@acme.test", "--into", "keep@acme.test",
    ]);
    let mail: Vec<(String, String)> = outbox(&p, &[])
        .iter()
        .map(|m| {
            (
                m["recipient"].as_str().unwrap().to_string(),
                m["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Keep's own invitation first, cancelled as accepted.
    assert_eq!(
        mail[1..],
        [("dup@acme.test".to_string(), "pending".to_string())]
    );
    let joined = p.json(&["user", "accept", &printed]);
    assert_eq!(joined["email"], "keep@acme.test", "{joined}");
    assert_eq!(joined["account"], "Beta", "{joined}");
}

/// `outbox list` shows why an email was cancelled beside its state, not
/// under LAST ERROR, which is for an attempt's error.
#[test]
fn a_cancelled_emails_reason_is_shown_with_its_state() {
    let p = Portal::new();
    p.invite(ANN, "user", ACCOUNT);
    p.ok(&["user", "revoke-invite", "--yes", ANN]);
    let table = p.ok(&["outbox", "list"]);
    let header = table.lines().next().unwrap();
    let row = table.lines().nth(1).unwrap();
    says(row, "cancelled (the invitation was revoked)");
    // The LAST ERROR column of the row is empty.
    let at = header.find("LAST ERROR").unwrap();
    assert!(row[at..].starts_with("- "), "{table}");
    let listed = p.json(&["outbox", "list"]);
    assert_eq!(listed[0]["cancelled_reason"], "the invitation was revoked");
    assert_eq!(listed[0]["last_error"], serde_json::Value::Null);
}

/// A queued invitation email is written when it is sent: a role changed
/// meanwhile is the role it names, the one its token gives.
#[test]
fn a_queued_invitation_names_the_role_it_gives_when_sent() {
    let p = ready();
    p.invite(ANN, "admin", ACCOUNT);
    p.ok(&["--yes", "user", "set-role", ANN, "user"]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mail");
    let report = p.json(&["outbox", "send", "--to-dir", out.to_str().unwrap()]);
    assert_eq!(report["sent"], 1, "{report}");
    let mail = &decode(&[out.join("outbox-1.eml")])[0];
    assert_eq!(
        mail["subject"], "Invitation to join Acme Ltd as user",
        "{mail}"
    );
    let text = mail["text"].as_str().unwrap();
    says(text, "with the role user.");
    assert!(!text.contains("role admin"), "{text}");
    assert_eq!(p.json(&["user", "accept", &token_in(mail)])["role"], "user");
    // The outbox shows what was sent.
    let listed = outbox(&p, &[]);
    assert_eq!(listed[0]["subject"], "Invitation to join Acme Ltd as user");
}

/// `settings unset` returns an optional setting to none and a retry
/// setting to its default, in one audited change; only the operator may,
/// and an empty value is still no way to clear one.
#[test]
fn settings_unset_returns_a_setting_to_its_default() {
    let p = ready();
    p.ok(&["settings", "set", "support-email", "help@acme.test"]);
    p.ok(&["settings", "set", "mail-retry-after", "1h"]);
    p.refused(&["settings", "set", "support-email", ""], USAGE);

    let unset = p.json(&["settings", "unset", "support-email"]);
    assert_eq!(unset[0]["key"], "support-email", "{unset}");
    assert!(unset[0]["value"].is_null(), "{unset}");
    let event = p.last_event();
    assert_eq!(event["action"], "settings.unset", "{event}");
    says(&event.to_string(), "help@acme.test");
    let retry = p.json(&["settings", "unset", "mail-retry-after"]);
    assert!(retry[0]["value"].is_null(), "{retry}");
    assert_eq!(retry[0]["default"], "5m", "{retry}");
    says(
        &p.ok(&["settings", "show", "mail-retry-after"]),
        "5m (default)",
    );

    // Unset already: nothing changes, nothing is recorded.
    let events = p.json(&["audit", "list"]).as_array().unwrap().len();
    p.ok(&["settings", "unset", "support-email"]);
    assert_eq!(p.json(&["audit", "list"]).as_array().unwrap().len(), events);

    says(
        &p.refused_as(Some(OWNER), &["settings", "unset", "mail-from"], DENIED),
        "operator",
    );
    p.refused(&["settings", "unset", "colour"], USAGE);

    // With no sender, nothing is sent until one is set again.
    p.invite(ANN, "user", ACCOUNT);
    p.ok(&["settings", "unset", "mail-from"]);
    let dir = tempfile::tempdir().unwrap();
    says(
        &p.refused(
            &["outbox", "send", "--to-dir", dir.path().to_str().unwrap()],
            CONFLICT,
        ),
        "settings set mail-from",
    );
}
