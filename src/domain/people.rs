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

use super::access::{authority, caps};
use super::timezones::{check_timezone, check_timezone_of, LocationInput, MEMBER_FLAGS};
use super::{member_in, member_view, resolve_account, Actor, Portal};
use crate::error::{Error, Result};
use crate::model::{Email, MemberStatus, Text};
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
    /// Things that went through but deserve a word (an ambiguous city).
    pub warnings: Vec<String>,
    /// Things worth knowing (an invitation sent to the old address).
    pub notes: Vec<String>,
}

impl Portal {
    /// Changes a person's name, email, or city, country and timezone.
    /// Needs `users.manage` in the account; a new email also needs it in
    /// every other account of the person, since it is their login there
    /// too (the operator may always). A new email another person already
    /// has is refused, without saying whose it is.
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
            let account = resolve_account(tx, &w.ctx, account, Some(email))?;
            w.authorize(&account, caps::USERS_MANAGE)?;
            let (mut person, mut membership) = member_in(tx, email, &account)?;
            let new_email = match &edit.new_email {
                Some(new) if *new != person.email => {
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

            let memberships = tx.memberships_of(person.id)?;
            let mut before = Vec::new();
            for m in &memberships {
                before.push((m.clone(), member_view(tx, catalog, m)?));
            }
            let original = person.clone();
            if let Some(name) = name.clone() {
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
                let now = member_view(tx, catalog, &m)?;
                changed |= now != was;
                w.member_changed("user.edit", &tx.account(m.account_id)?, Some(&was), &now)?;
                if m.id == membership.id {
                    shown = Some(now);
                }
            }
            let member = match shown {
                Some(view) => view,
                None => member_view(tx, catalog, &membership)?,
            };
            let mut notes = Vec::new();
            if let Some(new) = &new_email {
                notes.extend(invitations_to_old_address(tx, &memberships, new)?);
            }
            Ok(Edited {
                member,
                changed,
                warnings,
                notes,
            })
        })
    }
}

/// A new email is the person's login in every account they belong to, so
/// the member acting needs `users.manage` in each. The refusal names none
/// of them: the actor may not see the person's other accounts.
fn may_change_email(
    tx: &dyn Tx,
    catalog: &super::Catalog,
    ctx: &super::Ctx,
    email: &Email,
    person_id: i64,
) -> Result<()> {
    if matches!(ctx.actor, Actor::Operator(_)) {
        return Ok(());
    }
    for m in tx.memberships_of(person_id)? {
        let account = tx.account(m.account_id)?;
        let held = match authority(tx, catalog, ctx, &account) {
            Ok(who) => who.holds(caps::USERS_MANAGE),
            Err(Error::Denied(_)) => false,
            Err(e) => return Err(e),
        };
        if !held {
            return Err(Error::denied(format!(
                "changing `{email}`'s email needs `users.manage` in every account they belong to"
            ))
            .help("the operator who owns the database, or an admin of all their accounts, can change it"));
        }
    }
    Ok(())
}

/// Says which pending invitations went to the old address: their token
/// still works, but the new address never saw it.
fn invitations_to_old_address(
    tx: &dyn Tx,
    memberships: &[crate::model::Membership],
    new: &Email,
) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    for m in memberships {
        if m.status == MemberStatus::Invited && tx.pending_invitation(m.id)?.is_some() {
            let account = tx.account(m.account_id)?;
            notes.push(format!(
                "the invitation to `{}` went to the old address; `portalctl user resend-invite {new} --account \"{}\"` sends one to the new address",
                account.name, account.name
            ));
        }
    }
    Ok(notes)
}
