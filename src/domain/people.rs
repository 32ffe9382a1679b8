//! A person's own details after they were invited: their name, their email
//! (the login every account of theirs knows them by) and where they are
//! (`user edit`; 000 "edit their other details", 003 "type of change:
//! modify ... user's city and country (to ensure timezone is set
//! correctly)").
//!
//! The name and the email belong to the person, so a change shows in every
//! account they belong to; the city, country and timezone belong to the
//! membership, like those `user invite` records, so a change is made in the
//! one account the command acts in. The audit log gets one event per
//! membership whose view changed, each in its own account: the log is read
//! by account (a member reads the events of the accounts where they manage
//! users), so every account the person is in sees that they were renamed,
//! and a person-level event without an account would be seen by nobody
//! but the operator.

use super::access::{authority, caps, Access, Authority};
use super::invitations::readdress_invitation;
use super::timezones::{check_timezone, check_timezone_of, LocationInput, MEMBER_FLAGS};
use super::visibility::subject_accounts;
use super::{member_in, member_view, resolve_account, Actor, Portal};
use crate::error::{Error, Result};
use crate::model::{Account, Email, MemberStatus, Membership, Paste, Text};
use crate::store::Tx;
use crate::view::MemberView;

/// What `user edit` is asked to change; what is left out stays as it is.
#[derive(Debug, Clone, Default)]
pub(crate) struct PersonEdit {
    /// Their display name.
    pub name: Option<Text>,
    /// Their city and country (both or neither), and timezone (on its own
    /// it is checked against the country they have).
    pub location: LocationInput,
    /// Their new email address.
    pub new_email: Option<Email>,
}

impl PersonEdit {
    /// True when it changes nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.name.is_none() && self.new_email.is_none() && self.location.is_empty()
    }
}

/// What `user edit` did.
#[derive(Debug, Clone)]
pub(crate) struct Edited {
    /// The member as they are now, in the account the command acted in.
    pub member: MemberView,
    /// False when everything asked for was already so.
    pub changed: bool,
    /// Things that went through but deserve a word: an ambiguous city, an
    /// invitation sent again to the new address (a token handed on from
    /// the old one no longer works).
    pub warnings: Vec<String>,
}

impl Portal {
    /// Changes a person's name, email, or city, country and timezone.
    /// Needs `users.manage` in the account. A new email hands the person's
    /// access to whoever uses it, so a member may give someone else one
    /// only as [`may_change_email`] says: never an owner's, and only where
    /// they hold all the person holds (the operator may always). A new
    /// email another person already has is refused, without saying whose
    /// it is. Of someone who has not accepted in the account, a new email
    /// re-addresses the invitation alone (see
    /// `invitations::readdress_invitation`).
    pub(crate) fn edit_person(
        &mut self,
        email: &Email,
        account: Option<&str>,
        edit: &PersonEdit,
    ) -> Result<Edited> {
        if edit.is_empty() {
            return Err(Error::invalid(format!("nothing to change for `{email}`"))
                .help("pass --name, --city and --country, --timezone, or --new-email"));
        }
        let name = edit
            .name
            .as_ref()
            .map(|n| n.required("the name"))
            .transpose()?;
        let location = &edit.location;
        let moves = match (&location.city, &location.country) {
            (Some(_), Some(_)) => Some(location.locate(false, MEMBER_FLAGS)?),
            (None, None) => None,
            _ => {
                return Err(Error::invalid(
                    "pass --city and --country together: the timezone follows from both",
                ))
            }
        };
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            // The name and the email are the person's, in every account:
            // an edit of those alone needs no account picked, and shows
            // them in the first the actor sees them in.
            let account = if location.is_empty() {
                let seen = subject_accounts(tx, &w.ctx, account, email, |a| {
                    w.authorize(a, caps::USERS_MANAGE).map(|_| ())
                })?;
                seen.into_iter()
                    .next()
                    .ok_or_else(|| Error::not_found(format!("no member `{email}`")))?
            } else {
                resolve_account(tx, &w.ctx, account, Some(email), |a| {
                    w.authorize(a, caps::USERS_MANAGE).map(|_| ())
                })?
            };
            w.authorize(&account, caps::USERS_MANAGE)?;
            let (mut person, mut membership) = member_in(tx, &w.ctx, email, &account)?;
            // Until they accept, the account knows them by its invitation:
            // a name given here is the invitation's, and the person's own
            // only where they have one and the actor could rename them
            // anyway. Refusing it would tell that they belong to an
            // account the actor does not manage; one who has no name of
            // their own yet takes it on accepting.
            let pending = membership.accepted_at.is_none();
            // A new email of someone who has not accepted re-addresses the
            // invitation alone (see `readdress_invitation`): the login it
            // reached is not the account's to change, and whether it has
            // other accounts is not the actor's to learn.
            let readdress = edit
                .new_email
                .clone()
                .filter(|new| pending && *new != person.email);
            // One known here by an address merged into them is known by
            // nothing of theirs: the name is the invitation's alone; so is
            // the name of one who has none of their own yet.
            let bound_elsewhere = pending && membership.invited_email.is_some();
            let mut renames = readdress.is_none()
                && !bound_elsewhere
                && name.as_ref().is_some_and(|n| *n != person.name)
                && !(pending && person.known_name().is_none());
            if renames {
                match manages_them_once_joined(tx, catalog, &w.ctx, email, person.id, "name") {
                    Ok(_) => {}
                    Err(Error::Denied(_)) if pending => renames = false,
                    Err(e) => return Err(e),
                }
            }
            let new_email = match &edit.new_email {
                Some(new) if readdress.is_none() && *new != person.email => {
                    may_change_email(w.tx, catalog, &w.ctx, email, person.id)?;
                    if tx.person_by_email(new.as_str())?.is_some() {
                        return Err(Error::conflict(format!(
                            "`{new}` cannot be `{email}`'s new email: another login already uses it"
                        ))
                        .help("choose another address; if both are one person, `portalctl user flag-duplicate` asks for a merge"));
                    }
                    Some(new.clone())
                }
                _ => None,
            };

            let mut warnings = Vec::new();
            let mut place = membership.clone();
            match (&moves, &location.timezone) {
                (Some(moved), _) => {
                    place.city.clone_from(&moved.city);
                    place.country.clone_from(&moved.country);
                    place.timezone.clone_from(&moved.timezone);
                    warnings.extend(moved.warning.clone());
                }
                (None, Some(tz)) => {
                    place.timezone = Some(match &membership.country {
                        Some(country) => check_timezone_of(tz, country)?,
                        None => check_timezone(tz)?,
                    });
                }
                (None, None) => {}
            }
            if let Some(name) = name.as_ref().filter(|_| pending) {
                place.invited_name = Some(name.to_string());
            }
            if let Some(new) = &readdress {
                let before = member_view(tx, &w.ctx, catalog, &membership)?;
                let moved = readdress_invitation(w, &account, &person, &before, place, new)?;
                if moved.reissued {
                    warnings.push(format!(
                        "the invitation to `{}` went again, to `{new}`: the token sent before no longer works",
                        account.name
                    ));
                }
                return Ok(Edited {
                    member: moved.member,
                    changed: true,
                    warnings,
                });
            }

            let memberships = tx.memberships_of(person.id)?;
            let mut before = Vec::new();
            for m in &memberships {
                before.push((m.clone(), member_view(tx, &w.ctx, catalog, m)?));
            }
            let original = person.clone();
            if let Some(name) = name.clone().filter(|_| renames) {
                person.name = name;
            }
            if let Some(new) = &new_email {
                person.email = new.clone();
            }
            if person != original {
                tx.update_person(&person)?;
            }
            if place != membership {
                place.updated_at = w.ctx.now;
                tx.update_membership(&place)?;
                membership = place;
            }

            let mut changed = false;
            let mut shown = None;
            for (m, was) in before {
                let m = if m.id == membership.id {
                    membership.clone()
                } else {
                    m
                };
                let now = member_view(tx, &w.ctx, catalog, &m)?;
                changed |= now != was;
                w.member_changed("user.edit", &tx.account(m.account_id)?, Some(&was), &now)?;
                if m.id == membership.id {
                    shown = Some(now);
                }
            }
            let member = match shown {
                Some(view) => view,
                None => member_view(tx, &w.ctx, catalog, &membership)?,
            };
            if let Some(new) = &new_email {
                for account in super::invitations::readdress_invitations(w, &person, &memberships)? {
                    warnings.push(format!(
                        "the invitation to `{}` went again, to `{new}`: the token sent to the old address no longer works",
                        account.name
                    ));
                }
            }
            Ok(Edited {
                member,
                changed,
                warnings,
            })
        })
    }
}

impl Portal {
    /// Names the pending invitation of `email` in the account (an apply's
    /// `invited_name`): the name the account knows them by until they
    /// accept (`None`: none). Needs `users.manage` there; one who has
    /// accepted is known by their own name, which `user edit` changes.
    pub(crate) fn name_invitation(
        &mut self,
        email: &Email,
        account: Option<&str>,
        name: Option<String>,
    ) -> Result<()> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let account = resolve_account(tx, &w.ctx, account, Some(email), |a| {
                w.authorize(a, caps::USERS_MANAGE).map(|_| ())
            })?;
            w.authorize(&account, caps::USERS_MANAGE)?;
            let (_, mut membership) = member_in(tx, &w.ctx, email, &account)?;
            if membership.accepted_at.is_some() {
                return Err(Error::conflict(format!(
                    "`{email}` has accepted their invitation to `{}`: they go by their own name there",
                    account.name
                ))
                .help("leave out `invited_name`; `name` is theirs"));
            }
            if membership.invited_name == name {
                return Ok(());
            }
            let before = member_view(tx, &w.ctx, catalog, &membership)?;
            membership.invited_name = name;
            membership.updated_at = w.ctx.now;
            tx.update_membership(&membership)?;
            let after = member_view(tx, &w.ctx, catalog, &membership)?;
            w.member_changed("user.edit", &account, Some(&before), &after)
        })
    }
}

impl Portal {
    /// Records the address the pending invitation of `email` went to (an
    /// apply's `invited_email`; `None`: the person's own), as the
    /// operator's file restores it: only the operator says where a token
    /// goes, and the token stays as it is (a restored invitation is not
    /// mailed again; `user resend-invite` mails a new one there).
    pub(crate) fn address_invitation(
        &mut self,
        email: &Email,
        account: Option<&str>,
        typed: Option<String>,
    ) -> Result<()> {
        if let Actor::Member(me) = &self.ctx.actor {
            return Err(Error::denied(format!(
                "`{me}` may not send `{email}`'s invitation to another address"
            ))
            .help("leave out `invited_email`, or apply the file as the operator (without --as)"));
        }
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let account = resolve_account(tx, &w.ctx, account, Some(email), |_| Ok(()))?;
            let (_, mut membership) = member_in(tx, &w.ctx, email, &account)?;
            if membership.accepted_at.is_some() || membership.invited_email == typed {
                return Ok(());
            }
            let before = member_view(tx, &w.ctx, catalog, &membership)?;
            membership.invited_email = typed;
            membership.updated_at = w.ctx.now;
            tx.update_membership(&membership)?;
            let after = member_view(tx, &w.ctx, catalog, &membership)?;
            w.member_changed("user.edit", &account, Some(&before), &after)
        })
    }
}

/// How many missing capabilities a refusal of a new email names.
const SHOWN: usize = 5;

/// The person's accounts, each with the actor's authority there, when the
/// actor holds `users.manage` in every one: what changing their email
/// needs, since whoever uses it holds their access in each, and takes up
/// each invitation of theirs (see [`may_change_email`]). The refusal
/// names none of the accounts: the actor may not see the person's
/// others. The write gate holds every change of a person row to this
/// rule too (see `review.rs`).
pub(super) fn manages_every_account<'c>(
    tx: &dyn Tx,
    catalog: &'c super::Catalog,
    ctx: &super::Ctx,
    email: &Email,
    person_id: i64,
    what: &str,
) -> Result<Vec<(Account, Membership, Authority<'c>)>> {
    manages_each(tx, catalog, ctx, email, person_id, what, |_| true)
}

/// [`manages_every_account`], over the accounts the person has joined
/// (accepted an invitation to, or was added to): what changing their
/// name or duplicate flag needs. An account they are only invited to
/// gives them nothing yet and knows them by its invitation's name, so it
/// neither blocks the change nor shows it as theirs; and a refusal
/// reads the same whether or not another account invited them.
fn manages_every_joined_account<'c>(
    tx: &dyn Tx,
    catalog: &'c super::Catalog,
    ctx: &super::Ctx,
    email: &Email,
    person_id: i64,
    what: &str,
) -> Result<Vec<(Account, Membership, Authority<'c>)>> {
    manages_each(tx, catalog, ctx, email, person_id, what, |m| {
        m.accepted_at.is_some()
    })
}

/// Whether the actor may change `email`'s (the person `person_id`'s)
/// `what` of their own: their name, or their duplicate flag, which asks
/// support to hand all their access to another. As
/// [`manages_every_joined_account`], of someone who has joined an
/// account: someone who has joined none is known only by invitations,
/// has no name of their own until they accept, and an account's own
/// invitation gives its admins no say over the person (else inviting
/// anyone would let them ask support to merge them). Refused in the same
/// words either way: that no other account holds them is not the
/// actor's to learn.
pub(super) fn manages_them_once_joined(
    tx: &dyn Tx,
    catalog: &super::Catalog,
    ctx: &super::Ctx,
    email: &Email,
    person_id: i64,
    what: &str,
) -> Result<()> {
    let joined = manages_every_joined_account(tx, catalog, ctx, email, person_id, what)?;
    match (joined.is_empty(), &ctx.actor) {
        (true, Actor::Member(_)) => Err(every_account_refusal(email, what)),
        _ => Ok(()),
    }
}

/// The refusal of a change of `email`'s `what` to a member who does not
/// manage users in every account it answers to: one, whichever account
/// it is for, naming none.
fn every_account_refusal(email: &Email, what: &str) -> Error {
    match what {
        "duplicate flag" => Error::denied(format!(
            "changing `{email}`'s {what} needs `users.manage` in every account they belong to, and that they have joined one"
        ))
        .help(format!(
            "the operator who owns the database, or an admin of all the accounts they joined, can change it; an invitation sent to someone who has another login is withdrawn with `{}`",
            Paste::new("user revoke-invite").arg(email)
        )),
        _ => Error::denied(format!(
            "changing `{email}`'s {what} needs `users.manage` in every account they belong to"
        ))
        .help("the operator who owns the database, or an admin of all their accounts, can change it"),
    }
}

/// The rule of [`manages_every_account`], over the memberships that
/// `counts`; one refusal, whichever account it is for.
fn manages_each<'c>(
    tx: &dyn Tx,
    catalog: &'c super::Catalog,
    ctx: &super::Ctx,
    email: &Email,
    person_id: i64,
    what: &str,
    counts: impl Fn(&Membership) -> bool,
) -> Result<Vec<(Account, Membership, Authority<'c>)>> {
    let mut places = Vec::new();
    for m in tx.memberships_of(person_id)? {
        if !counts(&m) {
            continue;
        }
        let account = tx.account(m.account_id)?;
        let who = match authority(tx, catalog, ctx, &account) {
            Ok(who) if who.holds(caps::USERS_MANAGE) => who,
            Ok(_) | Err(Error::Denied(_)) => return Err(every_account_refusal(email, what)),
            Err(e) => return Err(e),
        };
        places.push((account, m, who));
    }
    Ok(places)
}

/// A new email is the person's login in every account they belong to, and
/// whoever uses that address holds all of the person's access from then
/// on: changing it hands that access over, as much as `set-role` or
/// `grant` would. So the member acting needs `users.manage` in each of
/// the person's accounts and, unless the person is themself:
///
/// - the person owns none of them: only the owner or the operator
///   changes the owner, and the owner's login is the owner;
/// - in each, they hold every capability the person holds there (or will
///   on accepting an invitation), as they would to give it.
///
/// The refusal for an account the actor does not manage names none of
/// them: the actor may not see the person's other accounts. Once the
/// actor manages every one, naming them tells nothing new.
fn may_change_email(
    tx: &dyn Tx,
    catalog: &super::Catalog,
    ctx: &super::Ctx,
    email: &Email,
    person_id: i64,
) -> Result<()> {
    let Actor::Member(actor) = &ctx.actor else {
        return Ok(());
    };
    let places = manages_every_account(tx, catalog, ctx, email, person_id, "email")?;
    // Their own new address hands their access to nobody else.
    let themself = places
        .iter()
        .any(|(_, _, who)| who.person().is_some_and(|p| p.id == person_id));
    if themself {
        return Ok(());
    }
    if let Some((account, ..)) = places
        .iter()
        .find(|(account, ..)| account.owner_id == Some(person_id))
    {
        return Err(Error::denied(format!(
            "`{actor}` may not change `{email}`'s email: they own `{}`, and only the owner or the operator changes the owner",
            account.name
        ))
        .help(format!(
            "`{email}` can change it with `{}`, or the operator without --as",
            Paste::new("user edit").arg(email).words("--new-email NEW").opt("--as", email)
        )));
    }
    for (account, mut m, who) in places {
        // An invitation accepted at the new address gives what it offers,
        // and a membership restored (`user activate`) what it kept.
        m.status = MemberStatus::Active;
        let grants = tx.grants(m.id)?;
        let held = Access::from_parts(tx, catalog, m, grants, false, ctx.now)?.capabilities();
        let missing = who.lacks(&held);
        let Some(first) = missing.first() else {
            continue;
        };
        let mut names: Vec<String> = missing.iter().map(|c| c.to_string()).collect();
        if names.len() > SHOWN {
            let more = names.len() - SHOWN;
            names.truncate(SHOWN);
            names.push(format!("{more} more"));
        }
        return Err(Error::denied(format!(
            "`{actor}` may not change `{email}`'s email: whoever uses the new address holds their access in `{}`, which includes capabilities `{actor}` does not hold ({})",
            account.name,
            names.join(", ")
        ))
        .help(format!(
            "only someone who holds everything `{email}` holds there (`{first}` among it), such as the account's owner, or the operator, can change it"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{ann_administers_the_customer_area, email, join, seeded};
    use super::super::{Actor, AuditFilter, MemberFilter, Portal};
    use super::PersonEdit;
    use crate::error::Result;
    use crate::model::Capability;
    use crate::view::MemberView;

    /// Every member's view and the audit log's length, read as the
    /// operator: what a refusal must leave as it was.
    fn state(p: &mut Portal) -> (Vec<MemberView>, usize) {
        let actor = std::mem::replace(&mut p.ctx.actor, Actor::Operator("root".into()));
        let members = p.member_list(&MemberFilter::default()).expect("list");
        let events = p
            .audit_events(&AuditFilter::default())
            .expect("audit")
            .len();
        p.ctx.actor = actor;
        (members, events)
    }

    /// `user edit FROM --new-email TO`, as `who` (`None`: the operator).
    fn new_email(p: &mut Portal, who: Option<&str>, from: &str, to: &str) -> Result<MemberView> {
        p.ctx.actor = match who {
            Some(who) => Actor::Member(email(who)),
            None => Actor::Operator("root".into()),
        };
        let edit = PersonEdit {
            new_email: Some(email(to)),
            ..PersonEdit::default()
        };
        let out = p.edit_person(&email(from), None, &edit);
        p.ctx.actor = Actor::Operator("root".into());
        out.map(|e| e.member)
    }

    /// Asserts that `who` changing `from`'s email is refused as a denial
    /// that changes nothing; returns what it said.
    #[track_caller]
    fn refused(p: &mut Portal, who: &str, from: &str) -> String {
        let before = state(p);
        let err = new_email(p, Some(who), from, "taken.over@acme.test").expect_err("refused");
        assert_eq!(err.exit_code(), 5, "{err}");
        assert_eq!(state(p), before, "a refusal changed the database");
        format!("{err} / {}", err.help_text().unwrap_or_default())
    }

    /// A new email of someone invited re-addresses the invitation: it
    /// goes again to the new address, expiring when it would have, and
    /// the old token ends, whether it was mailed or handed over by hand
    /// (`--no-send`): it named the old address.
    #[test]
    fn a_new_email_of_an_invitee_sends_the_invitation_again_and_ends_the_old_token() {
        use crate::domain::InviteRequest;
        use crate::model::OutboxState;
        let mut p = seeded("portal");
        let invite = |p: &mut Portal, who: &str, send: bool| {
            p.invite(&InviteRequest {
                email: Some(email(who)),
                role: Some("user".into()),
                send,
                ..InviteRequest::default()
            })
            .expect("invite")
        };
        let mailed = invite(&mut p, "ann@acme.tset", true);
        let handed = invite(&mut p, "cy@acme.tset", false);
        p.ctx.now = p.ctx.now.plus(chrono::Duration::hours(1)).expect("later");
        new_email(&mut p, None, "ann@acme.tset", "ann@acme.test").expect("edit");
        new_email(&mut p, None, "cy@acme.tset", "cy@acme.test").expect("edit");
        for token in [&mailed.token, &handed.token] {
            let err = p.accept(token, None).expect_err("replaced");
            assert_eq!(err.exit_code(), 4, "{err}");
            assert!(err.to_string().contains("replaced"), "{err}");
        }
        let outbox = p.outbox_list(None, None).expect("outbox");
        let mail: Vec<(&str, OutboxState)> = outbox
            .iter()
            .map(|m| (m.recipient.as_str(), m.state))
            .collect();
        assert_eq!(
            mail,
            [
                ("ann@acme.tset", OutboxState::Cancelled),
                ("ann@acme.test", OutboxState::Pending),
                ("cy@acme.test", OutboxState::Pending)
            ]
        );
        // Nobody is left at the old addresses: they were made by the
        // invitations alone.
        for old in ["ann@acme.tset", "cy@acme.tset"] {
            let tx = p.gate.read(p.ctx.now).expect("read");
            assert!(tx.person_by_email(old).expect("read").is_none(), "{old}");
        }
        let ann = p.member_show(&email("ann@acme.test"), None).expect("ann");
        assert_eq!(ann.status.to_string(), "invited");
        let events = p.audit_events(&AuditFilter::default()).expect("audit");
        let resent = events
            .iter()
            .find(|e| e.action == "user.resend_invite")
            .expect("the resend is recorded");
        assert_eq!(
            resent
                .after
                .as_ref()
                .map(|a| a["invitation_expires_at"].clone()),
            Some(mailed.expires_at.to_string().into()),
            "it expires when the first would have"
        );
    }

    /// The name is the person's, shown in every account of theirs: an
    /// admin of one of them may not change what the others show. The
    /// operator may, without naming an account.
    #[test]
    fn a_name_is_changed_by_who_manages_every_account_that_shows_it() {
        use crate::domain::InviteRequest;
        use crate::model::AccountKind;
        let mut p = seeded("portal");
        join(&mut p, "adam@acme.test", "admin");
        join(&mut p, "ann@acme.test", "user");
        crate::domain::testing::add_account(&mut p, "Beta", AccountKind::Customer, None);
        let invited = p
            .invite(&InviteRequest {
                email: Some(email("ann@acme.test")),
                role: Some("user".into()),
                account: Some("Beta".into()),
                ..InviteRequest::default()
            })
            .expect("invite");
        p.accept(&invited.token, None).expect("accept");
        let rename = |p: &mut Portal| {
            p.edit_person(
                &email("ann@acme.test"),
                None,
                &PersonEdit {
                    name: Some("Ann (fired)".parse().expect("name")),
                    ..PersonEdit::default()
                },
            )
        };
        p.ctx.actor = Actor::Member(email("adam@acme.test"));
        let before = state(&mut p);
        let err = rename(&mut p).expect_err("Beta shows it too");
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(!err.to_string().contains("Beta"), "{err}");
        assert_eq!(state(&mut p), before);
        p.ctx.actor = Actor::Operator("root".into());
        let edited = rename(&mut p).expect("the operator, no account named");
        assert_eq!(edited.member.name.as_deref(), Some("Ann (fired)"));
    }

    /// An account someone is only invited to gives them nothing yet:
    /// it neither stops an admin of the account they joined from renaming
    /// or flagging them, nor reads their name (it knows them by its
    /// invitation). Once they accept, it does both.
    #[test]
    fn a_name_or_flag_answers_to_the_accounts_they_joined_only() {
        use crate::domain::InviteRequest;
        use crate::model::AccountKind;
        let mut p = seeded("portal");
        join(&mut p, "adam@acme.test", "admin");
        join(&mut p, "ann@acme.test", "user");
        join(&mut p, "bob@acme.test", "user");
        crate::domain::testing::add_account(&mut p, "Beta", AccountKind::Customer, None);
        let invited = p
            .invite(&InviteRequest {
                email: Some(email("ann@acme.test")),
                name: Some("Beta's Ann".into()),
                role: Some("user".into()),
                account: Some("Beta".into()),
                ..InviteRequest::default()
            })
            .expect("invite");
        let rename = |p: &mut Portal, name: &str| {
            p.ctx.actor = Actor::Member(email("adam@acme.test"));
            let edit = PersonEdit {
                name: Some(name.parse().expect("name")),
                ..PersonEdit::default()
            };
            let out = p.edit_person(&email("ann@acme.test"), None, &edit);
            p.ctx.actor = Actor::Operator("root".into());
            out
        };
        let flag = |p: &mut Portal| {
            p.ctx.actor = Actor::Member(email("adam@acme.test"));
            let out = p.flag_duplicate(&email("ann@acme.test"), &email("bob@acme.test"), None);
            p.ctx.actor = Actor::Operator("root".into());
            out
        };
        let edited = rename(&mut p, "Ann Lee").expect("Beta only invited her");
        assert_eq!(edited.member.name.as_deref(), Some("Ann Lee"));
        flag(&mut p).expect("Beta only invited her");
        crate::domain::testing::join_in(&mut p, "bea@beta.test", "admin", Some("Beta"));
        p.ctx.actor = Actor::Member(email("bea@beta.test"));
        let in_beta = p
            .member_show(&email("ann@acme.test"), Some("Beta"))
            .expect("show");
        p.ctx.actor = Actor::Operator("root".into());
        assert_eq!(in_beta.name.as_deref(), Some("Beta's Ann"));

        p.accept(&invited.token, None).expect("she joins Beta");
        let before = state(&mut p);
        let renamed = rename(&mut p, "Ann Again").expect_err("Beta shows it now");
        let flagged = flag(&mut p).expect_err("Beta shows it now");
        assert_eq!(state(&mut p), before);
        for err in [renamed, flagged] {
            assert_eq!(err.exit_code(), 5, "{err}");
            let said = format!("{err} / {}", err.help_text().unwrap_or_default());
            assert!(!said.contains("Beta"), "{said}");
        }
    }

    /// A contact an admin's account has only invited reads alike whoever
    /// the address is elsewhere: flagging it is refused in the same
    /// words whether the address has joined another account or none
    /// (else inviting anyone would let an admin ask support to merge
    /// them, or tell who has a login), and naming it names the invitation.
    #[test]
    fn an_invitee_is_flagged_and_named_alike_whoever_they_are_elsewhere() {
        use crate::domain::InviteRequest;
        use crate::model::AccountKind;
        let mut p = seeded("portal");
        join(&mut p, "fiona@acme.test", "admin");
        crate::domain::testing::add_account(&mut p, "Beta", AccountKind::Customer, None);
        crate::domain::testing::join_in(&mut p, "carl@beta.test", "admin", Some("Beta"));
        let answers = |p: &mut Portal, who: &str| {
            p.ctx.actor = Actor::Member(email("fiona@acme.test"));
            p.invite(&InviteRequest {
                email: Some(email(who)),
                role: Some("user".into()),
                ..InviteRequest::default()
            })
            .expect("invite");
            let before = state(p);
            let flagged = p
                .flag_duplicate(&email(who), &email("fiona@acme.test"), None)
                .expect_err("refused");
            assert_eq!(state(p), before, "a refusal changed the database");
            let edit = PersonEdit {
                name: Some("Label".parse().expect("name")),
                ..PersonEdit::default()
            };
            let named = p.edit_person(&email(who), None, &edit).expect("named");
            p.ctx.actor = Actor::Operator("root".into());
            let flagged = format!(
                "{} {} / {}",
                flagged.exit_code(),
                flagged,
                flagged.help_text().unwrap_or_default()
            );
            let named = serde_json::to_string(&named.member).expect("json");
            (flagged.replace(who, "WHO"), named.replace(who, "WHO"))
        };
        let joined_elsewhere = answers(&mut p, "carl@beta.test");
        let new = answers(&mut p, "newp@beta.test");
        assert_eq!(joined_elsewhere, new);
        assert!(joined_elsewhere.0.starts_with("5 "), "{joined_elsewhere:?}");
        // The operator (support) flags anyone.
        p.flag_duplicate(&email("newp@beta.test"), &email("fiona@acme.test"), None)
            .expect("the operator");
    }

    #[test]
    fn an_admin_cannot_take_the_owners_login() {
        let mut p = seeded("portal");
        join(&mut p, "fiona@acme.test", "admin");
        let said = refused(&mut p, "fiona@acme.test", "owner@acme.test");
        assert!(said.contains("they own `Acme`"), "{said}");
        assert!(said.contains("only the owner or the operator"), "{said}");
    }

    #[test]
    fn an_account_admin_area_cannot_take_the_customer_areas_owner() {
        let mut p = ann_administers_the_customer_area();
        let said = refused(&mut p, "ann@acme.test", "owner@acme.test");
        assert!(said.contains("they own `Acme`"), "{said}");
    }

    #[test]
    fn managing_users_alone_does_not_hand_over_an_admins_access() {
        let mut p = seeded("portal");
        let caps: Vec<Capability> = ["account.view", "users.view", "users.manage"]
            .iter()
            .map(|c| c.parse().expect("capability"))
            .collect();
        p.role_create("delegate", &caps, &"manages users".into(), Some("Acme"))
            .expect("role");
        join(&mut p, "del@acme.test", "delegate");
        join(&mut p, "adm@acme.test", "admin");
        let said = refused(&mut p, "del@acme.test", "adm@acme.test");
        assert!(said.contains("holds their access in `Acme`"), "{said}");
        assert!(said.contains("account.edit"), "{said}");
        assert!(said.contains("more)"), "a long list is cut short: {said}");
        // An invitation counts for what accepting it gives.
        p.invite(&crate::domain::InviteRequest {
            email: Some(email("pend@acme.test")),
            role: Some("admin".into()),
            ..crate::domain::InviteRequest::default()
        })
        .expect("invite");
        refused(&mut p, "del@acme.test", "pend@acme.test");
        // A deactivated admin counts for what `user activate` gives back.
        p.deactivate(
            &email("adm@acme.test"),
            None,
            &crate::domain::Handover::Refuse,
        )
        .expect("deactivate");
        refused(&mut p, "del@acme.test", "adm@acme.test");
        // Someone who holds no more than the delegate may be given one.
        join(&mut p, "aud@acme.test", "delegate");
        new_email(
            &mut p,
            Some("del@acme.test"),
            "aud@acme.test",
            "aud2@acme.test",
        )
        .expect("nothing the delegate lacks");
    }

    #[test]
    fn owners_admins_and_the_operator_change_the_emails_they_may() {
        let mut p = seeded("portal");
        join(&mut p, "fiona@acme.test", "admin");
        join(&mut p, "una@acme.test", "user");
        let v = new_email(
            &mut p,
            Some("fiona@acme.test"),
            "una@acme.test",
            "una2@acme.test",
        )
        .expect("an admin changes a user's");
        assert_eq!(v.email, "una2@acme.test");
        let v = new_email(
            &mut p,
            Some("fiona@acme.test"),
            "fiona@acme.test",
            "fi@acme.test",
        )
        .expect("an admin changes their own");
        assert_eq!(v.email, "fi@acme.test");
        let v = new_email(
            &mut p,
            Some("owner@acme.test"),
            "owner@acme.test",
            "o2@acme.test",
        )
        .expect("the owner changes their own");
        assert!(v.owner);
        let v = new_email(&mut p, None, "o2@acme.test", "o3@acme.test")
            .expect("the operator changes the owner's");
        assert_eq!(v.email, "o3@acme.test");
        // In the customer area, a member with `account-admin` changes
        // their own.
        let mut p = ann_administers_the_customer_area();
        new_email(
            &mut p,
            Some("ann@acme.test"),
            "ann@acme.test",
            "ann2@acme.test",
        )
        .expect("their own");
    }
}
