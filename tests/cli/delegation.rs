//! Approval delegation ("out of office"), the approver's inbox, who could
//! decide an order when it was decided, and the audit log for log systems
//! (issue 14), through the binary with a fixed clock.

use serde_json::Value;

use crate::support::{
    error_line, rewind, says, schema_version, shell_words, version_before, Portal, CONFLICT,
    DENIED, NOT_FOUND, OWNER, SUCCESS, USAGE,
};

/// Admin: an account approver, away over the holidays.
const FIN: &str = "fin@acme.test";
/// Second admin.
const FAY: &str = "fay@acme.test";
/// Manager: places orders, approves nothing.
const MAX: &str = "max@acme.test";
/// User: portal access, approves nothing; covers for FIN.
const EVE: &str = "eve@acme.test";
/// Manager named as the approver of policy `Ned signs`.
const NED: &str = "ned@acme.test";

/// When the delegation starts (inclusive) and ends (exclusive).
const T1: &str = "2026-11-26T09:00:00Z";
const T2: &str = "2026-11-27T17:00:00Z";

/// The portal preset with two admins, two managers (one a named
/// approver), a user, and policy `Over 50` (any approver, one approval).
fn acme() -> Portal {
    Portal::cached("delegation: acme", || {
        let p = Portal::new();
        for (who, role) in [
            (FIN, "admin"),
            (FAY, "admin"),
            (MAX, "manager"),
            (EVE, "user"),
            (NED, "manager"),
        ] {
            p.member(who, role);
        }
        p.ok(&[
            "policy", "create", "--name", "Over 50", "--threshold", "50.00",
        ]);
        p.ok(&[
            "policy", "create", "--name", "Ned signs", "--threshold", "1000.00", "--approvers", NED,
        ]);
        p
    })
}

/// `PORTALCTL_AS` and `PORTALCTL_NOW`.
fn env<'a>(who: &'a str, now: &'a str) -> [(&'a str, &'a str); 2] {
    [("PORTALCTL_AS", who), ("PORTALCTL_NOW", now)]
}

/// Runs `--json ARGS` as `who` at `now`, expecting success.
#[track_caller]
fn json_at(p: &Portal, who: &str, now: &str, args: &[&str]) -> Value {
    p.json_with(args, &env(who, now))
}

/// Places an order of `amount` as MAX and returns its id.
#[track_caller]
fn place(p: &Portal, amount: &str) -> String {
    let v = p.json_as(
        Some(MAX),
        &[
            "order", "place", "--description", "Router", "--amount", amount,
        ],
    );
    assert_eq!(v["status"], "pending", "{v}");
    v["id"].as_i64().unwrap().to_string()
}

/// FIN lets EVE decide from T1 until T2.
#[track_caller]
fn fin_away(p: &Portal) -> Value {
    p.change(
        Some(FIN),
        &[
            "order", "delegate", "--to", EVE, "--from", T1, "--until", T2,
        ],
        "order.delegate",
    )
}

/// The ids in a member's inbox at `now`, each with whom it is decided for.
#[track_caller]
fn inbox(p: &Portal, who: &str, now: &str) -> Vec<(i64, Option<String>)> {
    json_at(p, who, now, &["order", "inbox"])
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["id"].as_i64().unwrap(),
                o["on_behalf_of"].as_str().map(String::from),
            )
        })
        .collect()
}

#[test]
fn a_delegate_decides_for_the_delegator_exactly_while_it_holds() {
    let p = acme();
    let id = place(&p, "60.00");
    let set = fin_away(&p);
    assert_eq!(
        (&set["delegator"], &set["delegate"], &set["from"], &set["until"], &set["state"]),
        (
            &FIN.into(),
            &EVE.into(),
            &T1.into(),
            &T2.into(),
            &"upcoming".into()
        ),
    );
    let order = id.parse::<i64>().unwrap();
    let for_fin = vec![(order, Some(FIN.to_string()))];
    // One second before it starts, at its start, one second before its
    // end, at its end and one second after.
    for (now, holds) in [
        ("2026-11-26T08:59:59Z", false),
        (T1, true),
        ("2026-11-27T16:59:59Z", true),
        (T2, false),
        ("2026-11-27T17:00:01Z", false),
    ] {
        let expected = if holds { for_fin.clone() } else { vec![] };
        assert_eq!(inbox(&p, EVE, now), expected, "inbox at {now}");
        if !holds {
            p.refused_with(&["order", "approve", &id], &env(EVE, now), DENIED);
        }
    }
    // While it holds, `order show` names her beside those she covers.
    let shown = p.json_with(&["order", "show", &id], &[("PORTALCTL_NOW", T1)]);
    assert_eq!(
        shown["delegates"],
        serde_json::json!([{"email": EVE, "on_behalf_of": FIN}]),
        "{shown}"
    );
    // Among those who can decide it, as the inbox lists it for her.
    assert_eq!(
        shown["deciders"],
        serde_json::json!([OWNER, FIN, FAY, EVE]),
        "{shown}"
    );
    says(
        &p.run_with(&["order", "show", &id], &[("PORTALCTL_NOW", T1)])
            .stdout,
        "can decide   owner@acme.test, fin@acme.test, fay@acme.test, eve@acme.test on behalf of fin@acme.test",
    );
    assert_eq!(
        p.json(&["order", "show", &id])["delegates"],
        serde_json::json!([]),
        "nobody decides for anyone now"
    );
    // At the very last second, EVE approves for FIN.
    let approved = json_at(&p, EVE, "2026-11-27T16:59:59Z", &["order", "approve", &id]);
    assert_eq!(approved["status"], "approved", "{approved}");
    assert_eq!(approved["approvals"], serde_json::json!([EVE]));
    assert_eq!(approved["decisions"][0]["by"], EVE);
    assert_eq!(approved["decisions"][0]["on_behalf_of"], FIN);
    // The audit event says so too.
    let event = p.last_event();
    assert_eq!(
        (event["action"].as_str(), event["actor"].as_str()),
        (Some("order.approve"), Some(EVE))
    );
    assert_eq!(event["after"]["decisions"][0]["on_behalf_of"], FIN);
    let shown = p.ok(&["order", "show", &id]);
    says(&shown, "eve@acme.test on behalf of fin@acme.test");
}

#[test]
fn a_decided_order_lists_who_could_decide_it_then() {
    let p = acme();
    let id = place(&p, "60.00");
    fin_away(&p);
    let rejected = json_at(
        &p,
        EVE,
        T1,
        &["order", "reject", &id, "--reason", "not this quarter"],
    );
    assert_eq!(rejected["rejected_by"], EVE);
    // Later changes do not change the answer: FAY leaves the company.
    p.ok(&["user", "left-company", FAY, "--yes"]);
    let shown = p.json(&["order", "show", &id]);
    let could: Vec<(String, Option<String>)> = shown["could_decide"]
        .as_array()
        .unwrap_or_else(|| panic!("no could_decide: {shown}"))
        .iter()
        .map(|d| {
            (
                d["email"].as_str().unwrap().to_string(),
                d["on_behalf_of"].as_str().map(String::from),
            )
        })
        .collect();
    assert!(could.contains(&(FAY.into(), None)), "{could:?}");
    assert!(could.contains(&(FIN.into(), None)), "{could:?}");
    assert!(could.contains(&(OWNER.into(), None)), "{could:?}");
    assert!(could.contains(&(EVE.into(), Some(FIN.into()))), "{could:?}");
    assert!(
        !could.iter().any(|(e, _)| e == MAX),
        "the creator never: {could:?}"
    );
    assert_eq!(shown["could_decide_more"], false);
    let text = p.ok(&["order", "show", &id]);
    says(&text, "could decide");
    says(&text, "rejected by");
    // A pending order has none yet, and an order approved at once none.
    let pending = place(&p, "70.00");
    assert!(p
        .json(&["order", "show", &pending])
        .get("could_decide")
        .is_none());
}

#[test]
fn one_approver_counts_once_whoever_decides_for_them() {
    let p = acme();
    p.ok(&[
        "policy", "create", "--name", "Two over 500", "--threshold", "500.00",
        "--required-approvals", "2",
    ]);
    p.change(
        Some(FIN),
        &["order", "delegate", "--to", EVE, "--until", T2],
        "order.delegate",
    );
    // FIN approves, then EVE tries for FIN.
    let first = place(&p, "600.00");
    p.json_as(Some(FIN), &["order", "approve", &first]);
    let err = p.refused_as(Some(EVE), &["order", "approve", &first], CONFLICT);
    says(error_line(&err), "`fin@acme.test` already approved order");
    // EVE approves for FIN; neither FIN nor EVE approves again.
    let second = place(&p, "600.00");
    let v = p.json_as(Some(EVE), &["order", "approve", &second]);
    assert_eq!(v["status"], "pending", "{v}");
    let err = p.refused_as(Some(FIN), &["order", "approve", &second], CONFLICT);
    says(error_line(&err), "through `eve@acme.test`");
    let err = p.refused_as(Some(EVE), &["order", "approve", &second], CONFLICT);
    says(error_line(&err), "`eve@acme.test` already approved order");
    // The second pair of eyes is someone else.
    let v = p.json_as(Some(FAY), &["order", "approve", &second]);
    assert_eq!(v["status"], "approved", "{v}");
    assert_eq!(
        p.text(&format!(
            "SELECT COUNT(*) FROM order_decisions WHERE order_id = {second}"
        )),
        "2"
    );
}

#[test]
fn a_delegate_never_decides_their_own_order() {
    let p = acme();
    p.change(
        Some(FIN),
        &["order", "delegate", "--to", MAX, "--until", T2],
        "order.delegate",
    );
    let own = place(&p, "60.00");
    assert_eq!(inbox(&p, MAX, crate::support::NOW), vec![]);
    let err = p.refused_as(Some(MAX), &["order", "approve", &own], CONFLICT);
    says(error_line(&err), "nobody approves their own order");
}

#[test]
fn a_delegation_is_not_passed_on() {
    let p = acme();
    // FIN lends their deciding to NED; NED lends NED's own (a named
    // approver of `Ned signs`) to EVE.
    p.change(
        Some(FIN),
        &["order", "delegate", "--to", NED, "--until", T2],
        "order.delegate",
    );
    p.change(
        Some(NED),
        &["order", "delegate", "--to", EVE, "--until", T2],
        "order.delegate",
    );
    let small = place(&p, "60.00");
    let order = small.parse::<i64>().unwrap();
    assert_eq!(
        inbox(&p, NED, crate::support::NOW),
        vec![(order, Some(FIN.into()))]
    );
    assert_eq!(inbox(&p, EVE, crate::support::NOW), vec![]);
    p.refused_as(Some(EVE), &["order", "approve", &small], DENIED);
    // What NED decides by being named, EVE may decide for NED.
    let big = place(&p, "1200.00");
    let inbox_eve = inbox(&p, EVE, crate::support::NOW);
    assert_eq!(inbox_eve, vec![(big.parse().unwrap(), Some(NED.into()))]);
    // MAX decides nothing of his own: nothing to delegate.
    let err = p.refused_as(
        Some(MAX),
        &["order", "delegate", "--to", EVE, "--until", T2],
        DENIED,
    );
    says(error_line(&err), "decides no orders");
}

#[test]
fn delegating_is_refused_with_reasons() {
    let p = acme();
    let delegate = |who: Option<&str>, extra: &[&str], code: i32| -> String {
        let mut args = vec!["order", "delegate"];
        args.extend_from_slice(extra);
        error_line(&p.refused_as(who, &args, code)).to_string()
    };
    says(
        &delegate(Some(FIN), &["--to", FIN, "--until", T2], CONFLICT),
        "themselves",
    );
    says(
        &delegate(
            Some(FIN),
            &["--to", "nobody@acme.test", "--until", T2],
            NOT_FOUND,
        ),
        "is not a member",
    );
    says(
        &delegate(
            Some(FIN),
            &["--to", EVE, "--from", T2, "--until", T1],
            USAGE,
        ),
        "is not after",
    );
    says(
        &delegate(
            Some(FIN),
            &["--to", EVE, "--until", "2026-11-25T09:59:59Z"],
            USAGE,
        ),
        "has passed",
    );
    says(
        &delegate(None, &["--to", EVE, "--until", T2], USAGE),
        "--for",
    );
    // Speaking for someone else takes users.manage ...
    says(
        &delegate(
            Some(MAX),
            &["--for", FIN, "--to", EVE, "--until", T2],
            DENIED,
        ),
        "users.manage",
    );
    // ... and the delegate must be active.
    p.ok(&["user", "deactivate", EVE, "--yes"]);
    says(
        &delegate(Some(FIN), &["--to", EVE, "--until", T2], CONFLICT),
        "not an active member",
    );
    // Overlapping the same pair, and ending what is not there.
    p.ok(&["user", "activate", EVE]);
    fin_away(&p);
    says(
        &delegate(
            Some(FIN),
            &[
                "--to", EVE, "--from", "2026-11-27T00:00:00Z", "--until", "2026-11-28T00:00:00Z",
            ],
            CONFLICT,
        ),
        "already delegates",
    );
    says(
        &delegate(Some(FAY), &["--end"], NOT_FOUND),
        "no delegation from",
    );
    // `--to` and `--until` or `--end` or `--list`: clap says which.
    assert_eq!(p.run_as(Some(FIN), &["order", "delegate"]).code, USAGE);
}

#[test]
fn the_operator_and_the_owner_delegate_for_others_and_it_ends_early() {
    let p = acme();
    p.change(
        None,
        &[
            "order", "delegate", "--for", FIN, "--to", EVE, "--until", T2,
        ],
        "order.delegate",
    );
    p.change(
        Some(OWNER),
        &[
            "order", "delegate", "--for", FAY, "--to", EVE, "--until", T2,
        ],
        "order.delegate",
    );
    let listed = p.json(&["order", "delegate", "--list"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    assert_eq!(listed[0]["state"], "active");
    // EVE sees her own; MAX (no approver, no admin) sees none of them.
    assert_eq!(
        p.json_as(Some(EVE), &["order", "delegate", "--list"])
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(
        p.json_as(Some(MAX), &["order", "delegate", "--list"]),
        serde_json::json!([])
    );
    let id = place(&p, "60.00");
    // FIN comes back early: the delegation ends now, to the second.
    let ended = p.change(
        Some(FIN),
        &["order", "delegate", "--end", "--to", EVE],
        "order.delegate.end",
    );
    assert_eq!(ended[0]["state"], "ended");
    assert_eq!(ended[0]["until"], crate::support::NOW);
    assert_eq!(ended[0]["ended_by"], FIN);
    // FAY's still holds, so EVE decides for FAY now.
    assert_eq!(
        inbox(&p, EVE, crate::support::NOW),
        vec![(id.parse().unwrap(), Some(FAY.into()))]
    );
    p.ok(&["order", "delegate", "--end", "--for", FAY]);
    assert_eq!(inbox(&p, EVE, crate::support::NOW), vec![]);
    p.refused_as(Some(EVE), &["order", "approve", &id], DENIED);
    assert_eq!(
        p.json(&["order", "delegate", "--list"]),
        serde_json::json!([])
    );
}

#[test]
fn the_inbox_lists_what_a_member_may_decide_oldest_first() {
    let p = acme();
    let a = place(&p, "60.00");
    let b = place(&p, "1500.00");
    let v = p.json_as(Some(FIN), &["order", "inbox"]);
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 2, "{v}");
    assert_eq!(list[0]["id"].as_i64().unwrap().to_string(), a);
    assert_eq!(list[0]["amount"], "60.00");
    assert_eq!(list[0]["created_by"], MAX);
    // Each policy with its progress, in the shape `order show` gives.
    assert_eq!(
        list[0]["policies"],
        serde_json::json!([{"name": "Over 50", "required_approvals": 1,
            "approvals": 0, "satisfied": false, "released": false}])
    );
    let shown = p.json(&["order", "show", &a]);
    let mut shown_policies = shown["policies"].clone();
    for policy in shown_policies.as_array_mut().unwrap() {
        policy.as_object_mut().unwrap().remove("stuck");
    }
    assert_eq!(list[0]["policies"], shown_policies);
    assert!(list[0]["on_behalf_of"].is_null());
    // Ned signs names NED: FIN decides order b only toward `Over 50`.
    assert_eq!(list[1]["id"].as_i64().unwrap().to_string(), b);
    assert_eq!(list[1]["policies"][0]["name"], "Over 50");
    assert_eq!(list[1]["policies"].as_array().unwrap().len(), 1);
    assert_eq!(
        p.json_as(Some(NED), &["order", "inbox"])[0]["policies"][0]["name"],
        "Ned signs"
    );
    // Nothing for EVE: an empty list, and a table of its header alone.
    assert_eq!(
        p.json_as(Some(EVE), &["order", "inbox"]),
        serde_json::json!([])
    );
    let run = p.run_as(Some(EVE), &["order", "inbox"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            SUCCESS,
            "ID  REF  PLACED  CREATED BY  ACCOUNT  DESCRIPTION  AMOUNT  POLICY  ON BEHALF OF\n"
        )
    );
    // The table names the columns.
    let table = p.run_as(Some(FIN), &["order", "inbox"]).stdout;
    for column in [
        "ID", "CREATED BY", "AMOUNT", "POLICY", "ON BEHALF OF", "60.00 GBP",
    ] {
        says(&table, column);
    }
    // The operator names the member; a member reads only their own.
    assert_eq!(p.json(&["order", "inbox", "--for", FIN]), v);
    p.refused(&["order", "inbox"], USAGE);
    p.refused_as(Some(FAY), &["order", "inbox", "--for", FIN], DENIED);
    // Once decided, it leaves every inbox.
    p.json_as(Some(FAY), &["order", "approve", &a]);
    assert_eq!(
        p.json_as(Some(FIN), &["order", "inbox"])
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[test]
fn the_inbox_shows_each_orders_ref_as_order_list_does() {
    let p = acme();
    let with = p.json_as(
        Some(MAX),
        &[
            "order", "place", "--description", "Desk", "--amount", "60.00", "--ref", "PO-7",
        ],
    )["id"]
        .clone();
    let without = place(&p, "70.00");
    let v = p.json_as(Some(FIN), &["order", "inbox"]);
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 2, "{v}");
    assert_eq!(list[0]["id"], with);
    assert_eq!(list[0]["ref"], "PO-7");
    assert_eq!(list[1]["id"].as_i64().unwrap().to_string(), without);
    // Null when none, as in `order list --json`.
    assert!(list[1].get("ref").is_some_and(Value::is_null), "{v}");
    let listed = p.json(&["order", "list"]);
    for item in list {
        let same = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == item["id"])
            .unwrap();
        assert_eq!(same["ref"], item["ref"]);
    }
    // The table: REF right after the number, empty when none.
    let table = p.run_as(Some(FIN), &["order", "inbox"]).stdout;
    let lines: Vec<&str> = table.lines().collect();
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(header[..3], ["ID", "REF", "PLACED"], "{table}");
    let first: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(first[..2], [with.to_string().as_str(), "PO-7"], "{table}");
    let second: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(second[0], without, "{table}");
    assert_eq!(second[1], crate::support::NOW, "{table}");
}

#[test]
fn audit_list_prints_ndjson_and_csv_for_log_systems() {
    let p = acme();
    let id = place(&p, "60.00");
    p.json_as(
        Some(FIN),
        &["order", "reject", &id, "--reason", "too dear, \"really\""],
    );
    let events = p.json(&["audit", "list", "--all"]);
    let events = events.as_array().unwrap();
    let nd = p.ok(&["audit", "list", "--all", "--format", "ndjson"]);
    let lines: Vec<Value> = nd
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(&lines, events);
    let csv_text = p.ok(&["audit", "list", "--all", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "seq", "at", "actor", "action", "account", "target", "before", "after", "prev_hash",
            "hash"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), events.len());
    for (row, event) in rows.iter().zip(events) {
        assert_eq!(row[0], event["seq"].to_string());
        assert_eq!(row[3], event["action"]);
        for (i, field) in [(6, "before"), (7, "after")] {
            let parsed: Value = if row[i].is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&row[i]).unwrap()
            };
            assert_eq!(parsed, event[field], "{field} of event {}", &row[0]);
        }
        assert_eq!(row[9], event["hash"]);
    }
    // One way of printing at a time.
    let run = p.run(&["--json", "audit", "list", "--format", "csv"]);
    assert_eq!(run.code, USAGE);
    says(&run.stderr, "--format and --json");
    assert_eq!(p.run(&["audit", "list", "--format", "xml"]).code, USAGE);
}

#[test]
fn a_database_from_before_delegation_migrates_with_its_orders() {
    let p = acme();
    let decided = place(&p, "60.00");
    p.json_as(Some(FIN), &["order", "approve", &decided]);
    let pending = place(&p, "70.00");
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        rewind(&conn, version_before("0012_delegation.sql"));
    }
    // Any command opens, and so migrates, the database.
    let shown = p.json(&["order", "show", &decided]);
    assert_eq!(p.query("PRAGMA user_version"), schema_version());
    assert_eq!(p.text("PRAGMA integrity_check"), "ok");
    assert_eq!(shown["approvals"], serde_json::json!([FIN]));
    assert!(
        shown.get("could_decide").is_none(),
        "not recorded then: {shown}"
    );
    // Delegation works on the migrated database.
    fin_away(&p);
    let v = json_at(&p, EVE, T1, &["order", "approve", &pending]);
    assert_eq!(v["decisions"][0]["on_behalf_of"], FIN);
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    let orphans: i64 = conn
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |_| Ok(()))
        .unwrap()
        .count() as i64;
    assert_eq!(orphans, 0);
}

#[test]
fn a_delegate_may_cancel_what_they_may_decide() {
    let p = acme();
    let id = place(&p, "60.00");
    // Before the delegation holds, EVE may neither decide nor cancel it.
    p.refused_as(Some(EVE), &["order", "cancel", &id], DENIED);
    p.change(
        Some(FIN),
        &["order", "delegate", "--to", EVE, "--until", T2],
        "order.delegate",
    );
    // While it holds she reads the orders, as the approver she stands in for.
    assert_eq!(
        p.json_as(Some(EVE), &["order", "show", &id])["id"],
        id.parse::<i64>().unwrap()
    );
    let listed = p.json_as(Some(EVE), &["order", "list", "--status", "pending"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    let v = p.change(Some(EVE), &["order", "cancel", &id], "order.cancel");
    assert_eq!(v["status"], "cancelled", "{v}");
    // Once it ends, she reads them no more.
    p.ok(&["order", "delegate", "--end", "--for", FIN]);
    p.refused_as(Some(EVE), &["order", "show", &id], DENIED);
}

#[test]
fn a_delegation_reads_its_times_as_set_role_until_does() {
    let p = acme();
    // Now is 2026-11-25T10:00:00Z: a date is its first second, a duration
    // counts from now.
    let set = json_at(
        &p,
        FIN,
        "2026-11-25T10:00:00Z",
        &[
            "order", "delegate", "--to", EVE, "--from", "2026-11-26", "--until", "7d",
        ],
    );
    assert_eq!(
        (&set["from"], &set["until"]),
        (
            &Value::from("2026-11-26T00:00:00Z"),
            &Value::from("2026-12-02T10:00:00Z")
        ),
        "{set}"
    );
    says(
        error_line(&p.refused_as(
            Some(FIN),
            &["order", "delegate", "--to", EVE, "--until", "soon"],
            USAGE,
        )),
        "soon",
    );
}

/// The states `order delegate --list --json` shows, by delegator and
/// delegate.
#[track_caller]
fn listed_states(p: &Portal) -> Vec<(String, String, String)> {
    p.json(&["order", "delegate", "--list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap().to_string();
            (s("delegator"), s("delegate"), s("state"))
        })
        .collect()
}

/// A delegation one of whose ends has left or been deactivated lends
/// nothing, and the list says so as deciding judges it: not `active`.
#[test]
fn the_list_says_a_delegation_whose_end_lost_access_lends_nothing() {
    let p = acme();
    let id = place(&p, "60.00");
    p.change(
        Some(FIN),
        &["order", "delegate", "--to", EVE, "--until", T2],
        "order.delegate",
    );
    p.change(
        Some(FAY),
        &["order", "delegate", "--to", NED, "--until", T2],
        "order.delegate",
    );
    let row = |from: &str, to: &str, state: &str| (from.into(), to.into(), state.to_string());
    assert_eq!(
        listed_states(&p),
        vec![row(FIN, EVE, "active"), row(FAY, NED, "active")]
    );
    p.ok(&["user", "left-company", "--yes", EVE]);
    p.ok(&["user", "deactivate", "--yes", FAY]);
    assert_eq!(
        listed_states(&p),
        vec![
            row(FIN, EVE, "delegate-without-access"),
            row(FAY, NED, "delegator-without-access"),
        ]
    );
    let table = p.ok(&["order", "delegate", "--list"]);
    says(&table, "delegate-without-access");
    says(&table, "delegator-without-access");
    // What the list says is what deciding does: NED decides nothing for
    // FAY now, and does again once she is back.
    assert_eq!(inbox(&p, NED, &p.now), vec![]);
    p.ok(&["user", "activate", FAY]);
    assert_eq!(listed_states(&p)[1], row(FAY, NED, "active"));
    let order = id.parse::<i64>().unwrap();
    assert_eq!(inbox(&p, NED, &p.now), vec![(order, Some(FAY.to_string()))]);
}

#[test]
fn the_inbox_and_the_delegations_span_every_account_of_the_member() {
    let p = Portal::cached("delegation: two accounts", || {
        let p = acme();
        p.ok(&["account", "create", "Beta Corp", "--kind", "partner"]);
        for (who, role) in [(FIN, "admin"), (MAX, "manager"), (EVE, "user")] {
            p.member_in(who, role, "Beta Corp");
        }
        p.ok(&[
            "policy", "create", "--name", "Over 50", "--threshold", "50.00", "--account",
            "Beta Corp",
        ]);
        p
    });
    let place_in = |account: &str| {
        p.json_as(
            Some(MAX),
            &[
                "order", "place", "--description", "Chair", "--amount", "70.00", "--account",
                account,
            ],
        )["id"]
            .as_i64()
            .unwrap()
    };
    let (here, there) = (place_in("Acme Ltd"), place_in("Beta Corp"));
    // Without --account, both accounts' orders, each naming its account.
    let v = p.json_as(Some(FIN), &["order", "inbox"]);
    let listed: Vec<(i64, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["id"].as_i64().unwrap(), o["account"].as_str().unwrap()))
        .collect();
    assert_eq!(listed, [(here, "Acme Ltd"), (there, "Beta Corp")], "{v}");
    assert_eq!(p.json(&["order", "inbox", "--for", FIN]), v);
    let table = p.run_as(Some(FIN), &["order", "inbox"]).stdout;
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header[..5],
        ["ID", "REF", "PLACED", "CREATED", "BY"],
        "{table}"
    );
    assert_eq!(header[5], "ACCOUNT", "{table}");
    says(&table, "Beta Corp");
    // --account still narrows it to one.
    let beta = p.json_as(Some(FIN), &["order", "inbox", "--account", "Beta Corp"]);
    assert_eq!(beta.as_array().map(Vec::len), Some(1), "{beta}");
    assert_eq!(beta[0]["id"], there);

    // FIN is away in both accounts; the list of delegations spans both.
    for account in ["Acme Ltd", "Beta Corp"] {
        p.json_as(
            Some(FIN),
            &[
                "order", "delegate", "--to", EVE, "--from", T1, "--until", T2, "--account", account,
            ],
        );
    }
    let listed = |who: Option<&str>| -> Vec<String> {
        p.json_as(who, &["order", "delegate", "--list"])
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{} {} {}", d["account"], d["delegator"], d["delegate"]))
            .collect()
    };
    let both = vec![
        format!("\"Acme Ltd\" \"{FIN}\" \"{EVE}\""),
        format!("\"Beta Corp\" \"{FIN}\" \"{EVE}\""),
    ];
    assert_eq!(listed(Some(FIN)), both);
    assert_eq!(listed(Some(EVE)), both, "the delegate sees their own");
    assert_eq!(listed(None), both, "the operator sees every account's");
    let table = p.run_as(Some(EVE), &["order", "delegate", "--list"]).stdout;
    assert!(table.starts_with("ACCOUNT"), "{table}");
    says(&table, "Beta Corp");
}

/// Attack: `--from` a week ago was taken, a delegation backdated to say
/// someone could decide for another when they could not. Refused as a
/// passed `--until` is, and so is `from` in a member's file; only the
/// operator's apply restores one that started before now (as an export of
/// one that holds writes it).
#[test]
fn a_delegation_cannot_start_in_the_past_but_the_operators_apply_restores_one() {
    let p = acme();
    let before = "2026-11-18T10:00:00Z";
    let err = p.refused_as(
        Some(FIN),
        &[
            "order", "delegate", "--to", EVE, "--from", before, "--until", "3d",
        ],
        USAGE,
    );
    says(error_line(&err), "--from 2026-11-18T10:00:00Z has passed");
    says(&err, "leave --from out to start now");

    let dir = crate::support::scratch_dir();
    let file = dir.path().join("away.json");
    let away = serde_json::json!({"accounts": [{"name": "Acme Ltd", "delegations": [
        {"for": FIN, "to": EVE, "from": before, "until": T2}
    ]}]});
    std::fs::write(&file, away.to_string()).unwrap();
    let file = file.to_str().unwrap();
    let err = p.refused_as(Some(FIN), &["apply", file], DENIED);
    says(
        error_line(&err),
        "accounts[0].delegations[0].from: `fin@acme.test` may not restore a delegation",
    );
    p.ok(&["apply", file]);
    let listed = p.json(&["order", "delegate", "--list"]);
    assert_eq!(listed[0]["from"], before, "{listed}");
    assert_eq!(listed[0]["state"], "active", "{listed}");
}

/// The operator who leaves out --for in a database of several accounts is
/// told to name the delegator first: that settles the account too.
#[test]
fn the_operator_is_asked_for_the_delegator_before_the_account() {
    let p = Portal::new();
    p.member("ann@acme.test", "admin");
    p.ok(&["account", "create", "Beta", "--kind", "customer"]);
    for args in [
        &[
            "order", "delegate", "--to", "ann@acme.test", "--until", "3d",
        ][..],
        &["order", "delegate", "--end"][..],
    ] {
        let err = p.refused(args, USAGE);
        says(
            &err,
            "the operator names whose deciding is delegated: pass --for EMAIL",
        );
        assert!(!err.contains("--account"), "{err}");
    }
}

/// The command a duplicate delegation's refusal suggests runs as it is
/// pasted, whoever was refused: the delegator (with their `--as`), an
/// admin acting for them, or the operator (each with `--for`).
#[test]
fn ending_a_duplicate_delegation_runs_as_the_refusal_suggests() {
    for (actor, for_fin) in [(Some(FIN), false), (Some(OWNER), true), (None, true)] {
        let p = acme();
        fin_away(&p);
        let mut args = vec![
            "order", "delegate", "--to", EVE, "--from", T1, "--until", T2,
        ];
        if for_fin {
            args.extend(["--for", FIN]);
        }
        let stderr = p.refused_as(actor, &args, CONFLICT);
        says(&stderr, "already delegates");
        let help = stderr
            .lines()
            .find(|l| l.starts_with("help:"))
            .unwrap_or_else(|| panic!("no help in {stderr}"));
        let command = help
            .split('`')
            .nth(1)
            .and_then(|c| c.strip_prefix("portalctl "))
            .unwrap_or_else(|| panic!("no command in {help}"));
        let words = shell_words(command);
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let ended = p.run_as(None, &words);
        assert_eq!(ended.code, SUCCESS, "{command}: {}", ended.stderr);
        // Ended, so the same delegation is made again.
        p.ok(&[
            &["--as", FIN][..],
            &args[..if for_fin { 8 } else { args.len() }],
        ]
        .concat());
    }
}

/// Admin who places an order and lends the owner's deciding to UNA.
const FIONA: &str = "fiona@acme.test";
/// User: approves nothing herself.
const UNA: &str = "una@acme.test";

/// ACME with FIONA (admin) and UNA (user), FIONA's order of 60 pending
/// under `Over 50`; returns its id.
fn fiona_s_order(p: &Portal) -> String {
    p.member(FIONA, "admin");
    p.member(UNA, "user");
    let v = p.json_as(
        Some(FIONA),
        &[
            "order", "place", "--description", "Laptop", "--amount", "60.00",
        ],
    );
    assert_eq!(v["status"], "pending", "{v}");
    v["id"].as_i64().unwrap().to_string()
}

/// The emails `order show --json` says may decide `id`, and the delegates
/// among them with whom they decide for.
fn shown_deciders(p: &Portal, id: &str) -> (Vec<String>, Vec<(String, String)>) {
    let v = p.json(&["order", "show", id]);
    let deciders = v["deciders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_string())
        .collect();
    let delegates = v["delegates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["email"].as_str().unwrap().to_string(),
                d["on_behalf_of"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (deciders, delegates)
}

/// The attack, as its author ran it: admin FIONA places an order, lends
/// the owner's deciding to user UNA, and UNA approves FIONA's order on
/// the owner's behalf. A delegation never lends deciding on an order its
/// setter placed: the approval is refused with one `error:` line and
/// nothing written, and neither UNA's inbox nor `order show` offers it.
/// The delegation still lends the owner's deciding on anyone else's.
#[test]
fn a_delegate_may_not_approve_the_order_of_whoever_set_the_delegation() {
    let p = acme();
    let id = fiona_s_order(&p);
    p.change(
        Some(FIONA),
        &[
            "order", "delegate", "--for", OWNER, "--to", UNA, "--until", T2,
        ],
        "order.delegate",
    );
    assert_eq!(
        p.text("SELECT setter_id FROM delegations"),
        p.text("SELECT id FROM people WHERE email = 'fiona@acme.test'"),
        "the setter is recorded as a person"
    );
    let stderr = p.refused_as(Some(UNA), &["order", "approve", &id], DENIED);
    assert_eq!(
        error_line(&stderr),
        format!(
            "error: `{UNA}` may not decide order {id} for `{OWNER}`: `{FIONA}` set that delegation and placed the order, and a delegation never lends deciding on an order its setter placed or decided"
        )
    );
    assert_eq!(
        p.text(&format!("SELECT status FROM orders WHERE id = {id}")),
        "pending"
    );
    assert!(
        !inbox(&p, UNA, T1).iter().any(|(o, _)| o.to_string() == id),
        "UNA's inbox leaves FIONA's order out"
    );
    let (deciders, delegates) = shown_deciders(&p, &id);
    assert!(!deciders.iter().any(|d| d == UNA), "{deciders:?}");
    assert!(delegates.is_empty(), "{delegates:?}");

    // MAX's order the same delegation lends the owner's deciding on.
    let maxs = place(&p, "70.00");
    let (_, delegates) = shown_deciders(&p, &maxs);
    assert_eq!(delegates, vec![(UNA.to_string(), OWNER.to_string())]);
    assert_eq!(
        inbox(&p, UNA, T1),
        vec![(maxs.parse().unwrap(), Some(OWNER.to_string()))]
    );
    let v = p.change(Some(UNA), &["order", "approve", &maxs], "order.approve");
    assert_eq!(v["decisions"][0]["on_behalf_of"], OWNER);
}

/// The owner's own delegation lends her deciding on FIONA's order; so
/// does the operator's, who acts as no person.
#[test]
fn the_delegator_s_own_delegation_reaches_the_admin_s_order() {
    let p = acme();
    let id = fiona_s_order(&p);
    p.change(
        Some(OWNER),
        &["order", "delegate", "--to", UNA, "--until", T2],
        "order.delegate",
    );
    let v = p.change(Some(UNA), &["order", "approve", &id], "order.approve");
    assert_eq!(v["decisions"][0]["on_behalf_of"], OWNER);
    let other = fiona_s_order_again(&p);
    p.ok(&["order", "delegate", "--end", "--for", OWNER]);
    p.change(
        None,
        &[
            "order", "delegate", "--for", OWNER, "--to", UNA, "--until", T2,
        ],
        "order.delegate",
    );
    assert_eq!(
        p.text("SELECT setter_id FROM delegations ORDER BY id DESC LIMIT 1"),
        "NULL"
    );
    p.change(Some(UNA), &["order", "approve", &other], "order.approve");
}

/// Another order of FIONA's, of 80.
fn fiona_s_order_again(p: &Portal) -> String {
    let v = p.json_as(
        Some(FIONA),
        &[
            "order", "place", "--description", "Dock", "--amount", "80.00",
        ],
    );
    v["id"].as_i64().unwrap().to_string()
}

/// A database from before setters were recorded: each delegation's setter
/// is filled from who set it where that is a person (the operator is
/// none), and the rule holds at once.
#[test]
fn a_database_from_before_setters_learns_them_from_who_set_each_delegation() {
    let p = acme();
    let id = fiona_s_order(&p);
    p.ok(&[
        "order", "delegate", "--for", FIN, "--to", UNA, "--until", T2,
    ]);
    p.change(
        Some(FIONA),
        &[
            "order", "delegate", "--for", OWNER, "--to", UNA, "--until", T2,
        ],
        "order.delegate",
    );
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        rewind(&conn, version_before("0019_delegation_setter.sql"));
    }
    // Any command opens, and so migrates, the database.
    p.json(&["order", "delegate", "--list"]);
    assert_eq!(p.query("PRAGMA user_version"), schema_version());
    assert_eq!(
        p.text("SELECT group_concat(ifnull(setter_id, 'NULL'), ',') FROM (SELECT setter_id FROM delegations ORDER BY id)"),
        format!(
            "NULL,{}",
            p.text("SELECT id FROM people WHERE email = 'fiona@acme.test'")
        )
    );
    // FIN's deciding, lent by the operator, reaches FIONA's order; the
    // owner's, lent by FIONA, does not.
    assert_eq!(
        inbox(&p, UNA, T1),
        vec![(id.parse().unwrap(), Some(FIN.to_string()))]
    );
    p.ok(&["order", "delegate", "--end", "--for", FIN]);
    assert!(inbox(&p, UNA, T1).is_empty());
    p.refused_as(Some(UNA), &["order", "approve", &id], DENIED);
}

/// The attack on a policy that names its approver: FIN, an admin who
/// holds `orders.approve` but is not among `Ned signs`' approvers, lends
/// NED's deciding to EVE, a user, and EVE approves for NED an order only
/// NED may sign. A delegation set for another lends nothing its setter
/// could not decide themselves: refused, one `error:` line, nothing
/// written, and neither EVE's inbox nor `order show` offers it.
#[test]
fn a_delegation_set_for_another_lends_no_deciding_its_setter_lacks() {
    let p = acme();
    let id = place(&p, "1200.00");
    p.change(
        Some(FIN),
        &[
            "order", "delegate", "--for", NED, "--to", EVE, "--until", T2,
        ],
        "order.delegate",
    );
    let before = p.text("SELECT COUNT(*) FROM audit_events");
    let stderr = p.refused_as(Some(EVE), &["order", "approve", &id], DENIED);
    assert_eq!(
        error_line(&stderr),
        format!(
            "error: `{EVE}` may not decide order {id} for `{NED}`: `{FIN}` set that delegation and may not decide the order themselves, and a delegation set for another lends only the deciding its setter holds"
        )
    );
    p.refused_as(
        Some(EVE),
        &["order", "reject", &id, "--reason", "no"],
        DENIED,
    );
    assert_eq!(p.text("SELECT COUNT(*) FROM audit_events"), before);
    assert_eq!(
        p.text(&format!("SELECT status FROM orders WHERE id = {id}")),
        "pending"
    );
    assert!(!inbox(&p, EVE, T1).iter().any(|(o, _)| o.to_string() == id));
    let (_, delegates) = shown_deciders(&p, &id);
    assert!(delegates.is_empty(), "{delegates:?}");
    // NED decides it himself.
    let v = p.change(Some(NED), &["order", "approve", &id], "order.approve");
    assert_eq!(v["decisions"][0]["by"], NED, "{v}");
}

/// A delegation lends its delegate the sight of orders its delegator
/// has, never more: from a named approver whose role reads no orders,
/// nothing; from an approver, every order, until they lose access.
#[test]
fn a_delegate_sees_no_more_orders_than_the_delegator() {
    let p = acme();
    const UMA: &str = "uma@acme.test";
    p.member(UMA, "user");
    p.ok(&[
        "policy", "create", "--name", "Uma signs", "--threshold", "5000.00", "--approvers", UMA,
    ]);
    let id = place(&p, "60.00");
    let listed = |who: &str| {
        json_at(&p, who, &p.now, &["order", "list"])
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    // UMA sees no orders herself, so her delegate sees none through her;
    // named to decide none of them, this one is no order to either.
    p.refused_with(&["order", "list"], &env(UMA, &p.now), DENIED);
    p.refused_with(&["order", "show", &id], &env(UMA, &p.now), NOT_FOUND);
    p.change(
        Some(UMA),
        &["order", "delegate", "--to", EVE, "--until", T2],
        "order.delegate",
    );
    p.refused_with(&["order", "list"], &env(EVE, &p.now), DENIED);
    p.refused_with(&["order", "show", &id], &env(EVE, &p.now), NOT_FOUND);
    // FIN sees every order, and so does his delegate while he may.
    p.change(
        Some(FIN),
        &["order", "delegate", "--to", EVE, "--until", T2],
        "order.delegate",
    );
    let order = id.parse::<i64>().unwrap();
    assert_eq!(listed(EVE), vec![order]);
    p.ok(&["user", "deactivate", "--yes", FIN]);
    p.refused_with(&["order", "list"], &env(EVE, &p.now), DENIED);
    p.refused_with(&["order", "show", &id], &env(EVE, &p.now), NOT_FOUND);
}

/// Findings N#2: BOB, a `user` named to approve, lends his deciding to
/// EVE; `order show` and EVE's inbox offered her his order, and `order
/// approve` refused her as lacking `orders.approve`. "E may decide the
/// orders D could decide": she finds it, decides it for him, and the
/// three agree; the same once BOB's admin role lapsed to `user`.
#[test]
fn a_named_approver_s_delegate_decides_the_orders_they_could() {
    const BOB: &str = "bob@acme.test";
    const CAT: &str = "cat@acme.test";
    let p = Portal::new();
    for (who, role) in [
        (MAX, "manager"),
        (BOB, "user"),
        (CAT, "admin"),
        (EVE, "user"),
    ] {
        p.member(who, role);
    }
    p.ok(&["user", "set-role", BOB, "admin", "--until", T1]);
    p.ok(&[
        "policy",
        "create",
        "--name",
        "Bob and Cat",
        "--threshold",
        "50",
        "--approvers",
        &format!("{BOB},{CAT}"),
        "--required-approvals",
        "2",
    ]);
    let first = place(&p, "60.00");
    let second = place(&p, "70.00");
    p.change(
        Some(BOB),
        &["order", "delegate", "--to", EVE, "--until", T2],
        "order.delegate",
    );
    // Before and after BOB's admin role lapses.
    for (now, id) in [
        (p.now.clone(), &first),
        ("2026-11-26T12:00:00Z".into(), &second),
    ] {
        let shown = json_at(&p, OWNER, &now, &["order", "show", id]);
        assert_eq!(
            shown["delegates"],
            serde_json::json!([{"email": EVE, "on_behalf_of": BOB}]),
            "{now}"
        );
        let n = id.parse::<i64>().unwrap();
        assert!(
            inbox(&p, EVE, &now).contains(&(n, Some(BOB.into()))),
            "{now}"
        );
        assert_eq!(json_at(&p, EVE, &now, &["order", "show", id])["id"], n);
        let decided = json_at(&p, EVE, &now, &["order", "approve", id]);
        assert_eq!(
            decided["decisions"][0]["on_behalf_of"], BOB,
            "{now}: {decided}"
        );
        assert_eq!(decided["approvals"], serde_json::json!([EVE]), "{now}");
    }
}

/// Findings A#12: with two delegations to MAX, `order show` named one
/// delegator and the inbox and the decision the other. All three name the
/// oldest delegation that lends on the order.
#[test]
fn two_delegations_to_one_person_name_the_same_delegator_everywhere() {
    let p = Portal::new();
    for (who, role) in [(FIN, "admin"), (FAY, "admin"), (MAX, "manager")] {
        p.member(who, role);
    }
    p.ok(&[
        "policy", "create", "--name", "Two", "--threshold", "10", "--required-approvals", "2",
    ]);
    for delegator in [FIN, OWNER] {
        p.change(
            Some(delegator),
            &["order", "delegate", "--to", MAX, "--until", T2],
            "order.delegate",
        );
    }
    let placed = p.json_as(
        Some(FAY),
        &["order", "place", "--description", "Rack", "--amount", "100"],
    );
    let id = placed["id"].as_i64().unwrap();
    let via_fin = serde_json::json!([{"email": MAX, "on_behalf_of": FIN}]);
    assert_eq!(placed["delegates"], via_fin);
    assert_eq!(
        p.json(&["order", "show", &id.to_string()])["delegates"],
        via_fin
    );
    assert_eq!(inbox(&p, MAX, &p.now), vec![(id, Some(FIN.into()))]);
    let decided = json_at(&p, MAX, &p.now, &["order", "approve", &id.to_string()]);
    assert_eq!(decided["decisions"][0]["on_behalf_of"], FIN, "{decided}");
}

/// Naming a delegator who decides no orders is refused as a rule about
/// them (exit 4) for the operator, as one without access is; a member
/// asking for their own lacks the right (exit 5).
#[test]
fn a_delegator_who_decides_nothing_is_a_rule_for_the_operator() {
    let p = acme();
    let err = p.refused(
        &[
            "order", "delegate", "--for", EVE, "--to", MAX, "--until", T2,
        ],
        CONFLICT,
    );
    says(
        error_line(&err),
        "`eve@acme.test` decides no orders in `Acme Ltd`",
    );
    let err = p.refused_as(
        Some(EVE),
        &["order", "delegate", "--to", MAX, "--until", T2],
        DENIED,
    );
    says(
        error_line(&err),
        "`eve@acme.test` decides no orders in `Acme Ltd`",
    );
}

/// A member cut off from the account (deactivated, blocked, gone) holds
/// nothing there: ending, setting or reading their delegations is refused
/// as every other order command refuses them (exit 5), and the delegation
/// kept for when access returns stays as it was (findings F10).
#[test]
fn a_cut_off_member_neither_ends_sets_nor_reads_their_delegations() {
    for cut_off in [
        vec!["user", "deactivate", FIN, "--yes"],
        vec!["user", "set-role", FIN, "no-access", "--yes"],
        vec!["user", "left-company", FIN, "--yes"],
    ] {
        let p = acme();
        fin_away(&p);
        p.ok(&cut_off);
        let before = p.dump();
        for args in [
            vec!["order", "delegate", "--end"],
            vec!["order", "delegate", "--to", FAY, "--until", T2],
            vec!["order", "delegate", "--list"],
        ] {
            let err = p.refused_as(Some(FIN), &args, DENIED);
            says(error_line(&err), "needs `portal.access`");
        }
        assert_eq!(p.dump(), before, "{cut_off:?}: refusals change nothing");
        let kept = p.json(&["order", "delegate", "--list"]);
        assert_eq!(kept.as_array().map(Vec::len), Some(1), "{kept}");
    }
}
