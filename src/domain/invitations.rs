//! Invitations: inviting, accepting, resending and revoking.
//!
//! A token is 256 random bits shown once; only its SHA-256 is stored. The
//! invitation email goes into the outbox in the same transaction.

use chrono::Duration;
use sha2::{Digest, Sha256};

use super::access::{authorize, caps};
use super::courses::follow_role;
use super::timezones::{locate, Location, MEMBER_FLAGS};
use super::{member_in, member_view, resolve_account, Actor, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{
    Account, Email, Grant, Invitation, InvitationState, MemberStatus, Membership, OutboxMessage,
    Person, Role, Text,
};
use crate::store::Tx;
use crate::view::{InvitedView, MemberView};

/// How long an invitation lasts unless `--expires-in` says otherwise.
const DEFAULT_EXPIRY_DAYS: i64 = 7;
/// The longest an invitation may last.
const MAX_EXPIRY_DAYS: i64 = 365;

/// What `user invite` is asked to do.
#[derive(Debug, Clone, Default)]
pub(crate) struct InviteRequest {
    /// Who.
    pub email: Option<Email>,
    /// Their name; needed when the email is new.
    pub name: Option<Text>,
    /// The role to give.
    pub role: String,
    /// Which account; resolved when `None`.
    pub account: Option<String>,
    /// Queue the invitation email now (false: "invite later").
    pub send: bool,
    /// Capabilities or areas on top of the role.
    pub grants: Vec<String>,
    /// City.
    pub city: Option<Text>,
    /// ISO 3166 alpha-2 country.
    pub country: Option<String>,
    /// IANA timezone; derived from the city and country when left out.
    pub timezone: Option<String>,
    /// How long the token lasts.
    pub expires_in: Option<Duration>,
}

/// A fresh token and its stored hash.
fn new_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token: String = std::iter::once("pinv_".to_string())
        .chain(bytes.iter().map(|b| format!("{b:02x}")))
        .collect();
    let hash = token_hash(&token);
    (token, hash)
}

fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

fn expiry(expires_in: Option<Duration>) -> Result<Duration> {
    let d = expires_in.unwrap_or(Duration::days(DEFAULT_EXPIRY_DAYS));
    if d <= Duration::zero() || d > Duration::days(MAX_EXPIRY_DAYS) {
        return Err(Error::invalid(
            "an invitation must expire after more than 0 seconds and at most 365 days",
        )
        .help("write it like 7d, 48h or 30m"));
    }
    Ok(d)
}

/// The city, country and timezone of an invitation: see [`locate`].
fn location(catalog: &Catalog, req: &InviteRequest) -> Result<Location> {
    locate(
        catalog.require_location,
        MEMBER_FLAGS,
        req.city.as_ref(),
        req.country.as_deref(),
        req.timezone.as_deref(),
    )
}

/// Who an invitation is for.
struct Invitee<'a> {
    membership: &'a Membership,
    person: &'a Person,
    account: &'a Account,
    role: &'a Role,
}

/// Issues a token for the invitee and, if `send`, queues its email.
fn issue(
    tx: &dyn Tx,
    ctx: &Ctx,
    to: &Invitee<'_>,
    lasts: Duration,
    send: bool,
    resend_count: i64,
) -> Result<(String, Invitation)> {
    let Invitee {
        membership,
        person,
        account,
        role,
    } = to;
    let (token, hash) = new_token();
    let mut invitation = Invitation {
        id: 0,
        membership_id: membership.id,
        token_hash: hash,
        created_at: ctx.now,
        expires_at: ctx.now.plus(lasts)?,
        state: InvitationState::Pending,
        ended_at: None,
        resend_count,
    };
    invitation.id = tx.insert_invitation(&invitation)?;
    if send {
        tx.enqueue(&OutboxMessage {
            id: 0,
            kind: "invitation".into(),
            recipient: person.email.to_string(),
            subject: format!("You are invited to {}", account.name),
            body: format!(
                "Hello {},\n\nYou have been invited to {} as {}.\n\nAccept with:\n\n    portalctl user accept {token}\n\nThis invitation expires at {}.\nIf you already use the portal, your existing login gives you access: no new password is needed.\n",
                person.name,
                account.name,
                role.name,
                invitation.expires_at
            ),
            created_at: ctx.now,
            sent_at: None,
        })?;
    }
    Ok((token, invitation))
}

/// The login an invitation into `account` reuses, if `email` has one. A
/// retired duplicate's address is refused; the person it was merged into
/// is named only when they belong to `account`.
fn existing_login(tx: &dyn Tx, email: &Email, account: &Account) -> Result<Option<Person>> {
    match tx.person_by_email(email.as_str())? {
        Some(p) if p.merged_into.is_some() => Err(match member_in(tx, email, account) {
            Err(merged @ Error::Conflict(_)) => merged,
            _ => Error::conflict(format!(
                "`{email}` is the address of a retired duplicate and cannot be invited"
            ))
            .help("invite the person by the address they kept"),
        }),
        found => Ok(found),
    }
}

impl Portal {
    /// Invites a person into an account; needs `users.manage`, and a member
    /// may only give a role and grants whose capabilities they hold.
    pub(crate) fn invite(&mut self, req: &InviteRequest) -> Result<InvitedView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let email = req
                .email
                .clone()
                .ok_or_else(|| Error::invalid("an email is needed").help("pass --email"))?;
            let account = w.account(req.account.as_deref(), caps::USERS_MANAGE)?;
            let existing = existing_login(tx, &email, &account)?;
            let role = catalog.role_named(&req.role)?;
            let mut grants = Vec::new();
            for g in &req.grants {
                catalog.grantable(g)?;
                if !grants.contains(&g.trim().to_string()) {
                    grants.push(g.trim().to_string());
                }
            }
            let Location {
                city,
                country,
                timezone,
                warning,
            } = location(catalog, req)?;
            let lasts = expiry(req.expires_in)?;

            let existing_login = existing.is_some();
            let person =
                match existing {
                    Some(p) => {
                        if let Some(m) = tx.membership_of(p.id, account.id)? {
                            return Err(Error::conflict(format!(
                        "`{email}` is already a member of `{}` ({})",
                        account.name, m.status
                    ))
                    .help(match m.status {
                        MemberStatus::Invited => {
                            format!("send a new token with `portalctl user resend-invite {email}`")
                        }
                        _ => format!("change them with `portalctl user set-role {email} ROLE`"),
                    }));
                        }
                        p
                    }
                    None => {
                        let name = req.name.as_ref().ok_or_else(|| {
                            Error::invalid(format!("`{email}` is new: their name is needed"))
                                .help("pass --name")
                        })?;
                        let mut p = Person {
                            id: 0,
                            email: email.clone(),
                            name: name.required("the name")?,
                            duplicate_of: None,
                            merged_into: None,
                            created_at: w.ctx.now,
                        };
                        p.id = tx.insert_person(&p)?;
                        p
                    }
                };
            let mut membership = Membership {
                id: 0,
                person_id: person.id,
                account_id: account.id,
                role_id: role.id,
                previous_role_id: None,
                status: MemberStatus::Invited,
                city,
                country,
                timezone,
                external_from: None,
                invited_at: Some(w.ctx.now),
                accepted_at: None,
                created_at: w.ctx.now,
                updated_at: w.ctx.now,
            };
            membership.id = tx.insert_membership(&membership)?;
            follow_role(tx, catalog, &membership, w.ctx.now)?;
            for name in &grants {
                tx.put_grant(
                    membership.id,
                    &Grant {
                        name: name.clone(),
                        granted_at: w.ctx.now,
                        expires_at: None,
                    },
                )?;
            }
            let to = Invitee {
                membership: &membership,
                person: &person,
                account: &account,
                role,
            };
            let (token, invitation) = issue(tx, &w.ctx, &to, lasts, req.send, 0)?;
            let member = member_view(tx, catalog, &membership)?;
            w.member_changed("user.invite", &account, None, &member)?;
            Ok(InvitedView {
                member,
                token,
                expires_at: invitation.expires_at,
                email_queued: req.send,
                existing_login,
                timezone_warning: warning,
            })
        })
    }

    /// Accepts an invitation. The token is the credential, so no `--as` is
    /// needed; the audit log names the invitee.
    pub(crate) fn accept(&mut self, token: &str) -> Result<MemberView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let invitation = tx
                .invitation_by_hash(&token_hash(token.trim()))?
                .ok_or_else(|| {
                    Error::not_found("no invitation matches this token")
                        .help("check the token in the invitation email")
                })?;
            let ended = |what: &str| {
                let when = invitation.ended_at.map(|t| t.to_string()).unwrap_or_default();
                Error::conflict(format!("this invitation was {what} at {when}"))
            };
            match invitation.state {
                InvitationState::Accepted => return Err(ended("already accepted")),
                InvitationState::Revoked => {
                    return Err(ended("revoked").help("ask an admin of the account to invite you again"))
                }
                InvitationState::Replaced => {
                    return Err(ended("replaced by a newer one").help("use the token from the latest invitation email"))
                }
                InvitationState::Pending if w.ctx.now >= invitation.expires_at => {
                    return Err(Error::conflict(format!(
                        "this invitation expired at {}",
                        invitation.expires_at
                    ))
                    .help("ask an admin of the account to resend it (`portalctl user resend-invite EMAIL`)"))
                }
                InvitationState::Pending => {}
            }
            let mut membership = tx.membership(invitation.membership_id)?;
            if membership.status != MemberStatus::Invited {
                return Err(Error::conflict(format!(
                    "this membership is {}, not awaiting acceptance",
                    membership.status
                )));
            }
            let account = tx.account(membership.account_id)?;
            let person = tx.person(membership.person_id)?;
            let before = member_view(tx, catalog, &membership)?;
            membership.status = MemberStatus::Active;
            membership.accepted_at = Some(w.ctx.now);
            membership.updated_at = w.ctx.now;
            tx.update_membership(&membership)?;
            tx.end_invitation(invitation.id, InvitationState::Accepted, w.ctx.now)?;
            let after = member_view(tx, catalog, &membership)?;
            w.act_as(Actor::Member(person.email.clone()));
            w.member_changed("user.accept", &account, Some(&before), &after)?;
            Ok(after)
        })
    }

    /// Issues a new token for a member who has not accepted yet; the old
    /// token stops working. Also reopens an invitation that was revoked.
    pub(crate) fn resend_invite(
        &mut self,
        email: &Email,
        account: Option<&str>,
        expires_in: Option<Duration>,
    ) -> Result<InvitedView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let account = resolve_account(tx, &w.ctx, account, Some(email))?;
            authorize(tx, catalog, &w.ctx, &account, caps::USERS_MANAGE)?;
            let (person, mut membership) = member_in(tx, email, &account)?;
            let reopening =
                membership.status == MemberStatus::Deactivated && membership.accepted_at.is_none();
            if membership.status != MemberStatus::Invited && !reopening {
                return Err(Error::conflict(format!(
                    "`{email}` has no invitation to resend: they are {} in `{}`",
                    membership.status, account.name
                )));
            }
            let lasts = expiry(expires_in)?;
            let before = member_view(tx, catalog, &membership)?;
            let pending = tx.pending_invitation(membership.id)?;
            if let Some(old) = &pending {
                tx.end_invitation(old.id, InvitationState::Replaced, w.ctx.now)?;
            }
            if reopening {
                membership.status = MemberStatus::Invited;
                membership.updated_at = w.ctx.now;
                tx.update_membership(&membership)?;
            }
            let role = catalog.role(membership.role_id)?;
            let resends = pending.map_or(1, |p| p.resend_count + 1);
            let to = Invitee {
                membership: &membership,
                person: &person,
                account: &account,
                role,
            };
            let (token, invitation) = issue(tx, &w.ctx, &to, lasts, true, resends)?;
            let member = member_view(tx, catalog, &membership)?;
            let existing_login = tx
                .memberships_of(person.id)?
                .iter()
                .any(|m| m.id != membership.id);
            w.member_changed("user.resend_invite", &account, Some(&before), &member)?;
            Ok(InvitedView {
                member,
                token,
                expires_at: invitation.expires_at,
                email_queued: true,
                existing_login,
                timezone_warning: None,
            })
        })
    }

    /// Withdraws a pending invitation: the token dies and the membership is
    /// deactivated until an admin resends it.
    pub(crate) fn revoke_invite(
        &mut self,
        email: &Email,
        account: Option<&str>,
    ) -> Result<MemberView> {
        self.edit_member("user.revoke_invite", email, account, |e, m| {
            if m.status != MemberStatus::Invited || e.tx.pending_invitation(m.id)?.is_none() {
                return Err(Error::conflict(format!(
                    "`{}` has no pending invitation in `{}` (they are {})",
                    e.person.email, e.account.name, m.status
                )));
            }
            e.end_pending_invitation(m)?;
            m.status = MemberStatus::Deactivated;
            Ok(())
        })
    }
}
