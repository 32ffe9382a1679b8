//! Names an older version let into the database that today's rules would
//! refuse: two that now read as one (`Ærø Shop` and `ærø shop`, `Ärø`
//! composed and decomposed, `Acme Ltd` with a no-break space), or one
//! holding a character a name may no longer hold (`H\u{34f}Q`). They stay
//! and work, each named by its exact spelling, but a copy of the database
//! (`export`, then `apply` into a new file) reads them as new names and is
//! refused; `status` names each with the command that renames it. So with
//! two order references equal but for case (`RÉF-1` and `réf-1`).

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::model::{composed, name_key, one_script_per_word, refused, reveal, Paste};
use crate::store::{HeldName, Tx};

/// One line per name a copy of the database would refuse: what it is,
/// where, its spelling with every unseen character written out, what is
/// wrong with it, and the command that renames it.
pub(crate) fn name_problems(tx: &dyn Tx) -> Result<Vec<String>> {
    let held = tx.held_names()?;
    // Names of one kind in one scope (the whole database for accounts,
    // one account for the rest) are one list; people's names are not.
    let mut keyed: HashMap<(&str, Option<&str>, String), Vec<&HeldName>> = HashMap::new();
    for name in held
        .iter()
        .filter(|n| !matches!(n.kind, "person" | "order"))
    {
        keyed
            .entry((name.kind, scope(name), key(name)))
            .or_default()
            .push(name);
    }
    let mut problems = Vec::new();
    for name in &held {
        // A reference is held to no character rule a name is, only to
        // being one of its account's.
        let bad = match name.kind {
            "reference" => None,
            _ => refused(&composed(&name.name)),
        };
        let wrong = match bad {
            Some((c, kind)) => format!("holds U+{:04X}, {kind}", u32::from(c)),
            None if matches!(name.kind, "person" | "order") => continue,
            // A new account, policy or label is refused a word mixing
            // scripts, in a copy too.
            None if matches!(name.kind, "account" | "policy" | "address")
                && one_script_per_word("", &name.name).is_err() =>
            {
                "mixes Latin with Cyrillic or Greek letters in a word".to_string()
            }
            None => {
                let alike = &keyed[&(name.kind, scope(name), key(name))];
                let Some(other) = alike.iter().find(|o| o.name != name.name) else {
                    continue;
                };
                format!("reads as `{}` too", reveal(&other.name))
            }
        };
        problems.push(format!(
            "{}: {} `{}`{} {wrong}, so a copy of this database (`export`, then `apply`) is refused; {}",
            if name.kind == "order" { "text" } else { "name" },
            what(name.kind),
            reveal(&name.name),
            match (name.kind, name.account.as_deref()) {
                ("person", _) | (_, None) => String::new(),
                ("order" | "reference", Some(a)) => {
                    format!(" of order #{} in `{}`", name.id, reveal(a))
                }
                (_, Some(a)) => format!(" in `{}`", reveal(a)),
            },
            fix(name)
        ));
    }
    Ok(problems)
}

/// Refuses (exit 2) `typed`, which found the name `found` of `kind`
/// (`account`, `policy`, `address`, `licence`, `price`) in `account_id` by its key alone,
/// when another name of that key is held too: of two an older database
/// holds, a third spelling (`Beta  Co` beside `Beta Co` and `Beta` no-break
/// space `Co`) names neither rather than the one the bytes favour.
pub(crate) fn one_spelling(
    tx: &dyn Tx,
    kind: &'static str,
    account_id: i64,
    typed: &str,
    found: &str,
) -> Result<()> {
    // Exactly as held: `Beta  Co` is `Beta Co` only where no other
    // name reads as it, as the store finds it.
    if found == typed {
        return Ok(());
    }
    let spellings = tx.spellings_of_key(kind, account_id, typed)?;
    if spellings.len() < 2 {
        return Ok(());
    }
    let named: Vec<String> = spellings
        .iter()
        .map(|n| format!("`{}`", reveal(n)))
        .collect();
    Err(Error::invalid(format!(
        "`{}` names more than one {}: {}",
        reveal(typed),
        what(kind),
        named.join(" and ")
    ))
    .help("type the name exactly as one of them is spelled; `portalctl status` names each with what renames it"))
}

/// Where a name is one of a list: the whole database for an account's,
/// its account for the rest.
fn scope(name: &HeldName) -> Option<&str> {
    match name.kind {
        "account" => None,
        _ => name.account.as_deref(),
    }
}

/// The key two names of one kind and scope are one by: [`name_key`]'s,
/// products' too (migration 29).
fn key(name: &HeldName) -> String {
    name_key(&name.name)
}

/// How a problem names a kind of name.
fn what(kind: &str) -> &'static str {
    match kind {
        "account" => "account",
        "policy" => "policy",
        "address" => "address label",
        "licence" => "licence product",
        "price" => "contracted price's product",
        "order" => "description",
        "reference" => "reference",
        _ => "user name",
    }
}

/// What renames `name`, naming it by its exact spelling.
fn fix(name: &HeldName) -> String {
    let account = name.account.as_deref().unwrap_or_default();
    let rename = match name.kind {
        "account" => Paste::new("account set")
            .arg(&name.name)
            .words("--name NEW"),
        "policy" => Paste::new("policy edit")
            .arg(&name.name)
            .opt("--account", account)
            .words("--name NEW"),
        // A label is not edited: the address is removed (orders keep
        // their copy) and added again, as its lines `address list` shows.
        "address" => {
            let remove = Paste::new("account address remove")
                .arg(&name.name)
                .opt("--account", account);
            let add = Paste::new("account address add")
                .opt("--account", account)
                .words("--label NEW ...");
            return format!("remove it (`{remove}`) and add it again under a new label (`{add}`)");
        }
        // No command renames a product (its prices and allocations are
        // keyed by it) or edits an order: the copy is made from an
        // export edited by hand.
        "licence" | "price" | "order" | "reference" => {
            return format!(
                "no command changes {}: write it anew in the exported file before `apply`",
                match name.kind {
                    "order" => "an order's description",
                    "reference" => "an order's reference",
                    _ => "a product's name",
                }
            )
        }
        _ => Paste::new("user edit")
            .arg(name.email.as_deref().unwrap_or_default())
            .opt_some("--account", name.account.as_deref())
            .words("--name NEW"),
    };
    format!("rename it: `{rename}`")
}

#[cfg(test)]
mod tests {
    use crate::domain::testing::{email, policy_over, seeded};
    use crate::domain::{InviteRequest, NewAccount, NewAddress, NewPolicy};
    use crate::model::AccountKind;

    /// Every kind of space, and a run of them, reads as one plain space in
    /// every name: a decoy of an account, policy, label or person written
    /// with another is the name itself, so refused beside it (exit 4), or
    /// stored with the plain space.
    #[test]
    fn a_name_with_other_spaces_is_the_name_with_one_plain_space() {
        let mut p = seeded("portal");
        p.policy_create(&policy_over("Big one", "5.00"))
            .expect("policy");
        let address = |label: &str| NewAddress {
            label: label.into(),
            line1: "1 Road".into(),
            line2: None,
            city: "Leeds".into(),
            postcode: "LS1".into(),
            country: "GB".into(),
        };
        p.address_add(None, &address("Head office"))
            .expect("address");
        for (n, space) in ["\u{A0}", "\u{2002}", "\u{202F}", "\u{3000}", "  "]
            .into_iter()
            .enumerate()
        {
            let account = p.account_create(&NewAccount {
                name: format!("Acme{space}").as_str().into(),
                kind: AccountKind::Partner,
                parent: None,
                currency: None,
            });
            assert_eq!(
                account.map_err(|e| e.exit_code()).err(),
                Some(4),
                "{space:?}"
            );
            let made = p.account_create(&NewAccount {
                name: format!("Acme{space}Two").as_str().into(),
                kind: AccountKind::Partner,
                parent: None,
                currency: None,
            });
            match n {
                0 => assert_eq!(made.expect("made").name, "Acme Two"),
                _ => assert_eq!(made.map_err(|e| e.exit_code()).err(), Some(4)),
            }
            let policy = p.policy_create(&NewPolicy {
                account: Some("Acme".into()),
                ..policy_over(&format!("Big{space}one"), "6.00")
            });
            assert_eq!(
                policy.map_err(|e| e.exit_code()).err(),
                Some(4),
                "{space:?}"
            );
            let label = p.address_add(Some("Acme"), &address(&format!("Head{space}office")));
            assert_eq!(label.map_err(|e| e.exit_code()).err(), Some(4), "{space:?}");
            let who = format!("ann{n}@acme.test");
            p.invite(&InviteRequest {
                email: Some(email(&who)),
                name: Some(format!("Ann{space}Smith").as_str().into()),
                role: Some("user".into()),
                account: Some("Acme".into()),
                ..InviteRequest::default()
            })
            .expect("invite");
            let ann = p.member_show(&email(&who), Some("Acme")).expect("show");
            assert_eq!(ann.name.as_deref(), Some("Ann Smith"), "{space:?}");
        }
    }
}
