//! Invitations: inviting, accepting, resending and revoking.
//!
//! A token is 256 random bits shown once; only its SHA-256 is stored. The
//! invitation email goes into the outbox in the same transaction, without
//! a token: `outbox send` mints a further one into it as it sends it (see
//! `outbox`), and any token of a pending invitation accepts it. Ending an
//! invitation cancels its emails not sent yet, in the same transaction.

use crate::domain::visibility::{
    holds_need, known_address, merge_known_in, reads_own_name, sees_merge,
};
use chrono::Duration;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::access::caps;
use super::courses::follow_role;
use super::gate::Write;
use super::timezones::{locate, Location, MEMBER_FLAGS};
use super::{
    member_in, member_view, member_view_of, resolve_account, sees_person, standing, Actor, Catalog,
    Ctx, Portal,
};
use crate::error::{Error, Result};
use crate::model::{
    Account, Email, Grant, Invitation, InvitationState, MemberStanding, MemberStatus, Membership,
    OutboxMessage, OutboxState, Paste, Person, Role, Text, Timestamp,
};
use crate::store::Tx;
use crate::view::{InvitedView, MemberView};

/// How long an invitation lasts unless `--expires-in` says otherwise.
pub(super) const DEFAULT_EXPIRY_DAYS: i64 = 7;
/// The longest an invitation may last.
const MAX_EXPIRY_DAYS: i64 = 365;

/// What `user invite` is asked to do.
#[derive(Debug, Clone, Default)]
pub(crate) struct InviteRequest {
    /// Who.
    pub email: Option<Email>,
    /// Their name, when known; someone new may give it on accepting.
    pub name: Option<Text>,
    /// The invitation's name where it is not `name` (a file's
    /// `invited_name`; `Some(None)`: it gives none); `None`: `name`.
    pub invited_name: Option<Option<String>>,
    /// The address the invitation goes to where it is not `email`'s own:
    /// one merged into them (a file's `invited_email`, the operator's
    /// alone). `None`: `email`, or the address merged into whom `email`
    /// reaches (see `existing_login`).
    pub invited_email: Option<Email>,
    /// The role to give; the catalog's default role when `None`.
    pub role: Option<String>,
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
    /// When the access given ends (`--until`): the role lapses then to
    /// the catalog's blocking role and the grants lapse, stored as
    /// `set-role --until` and `grant --until` store them. The token may
    /// not outlast it.
    pub until: Option<Timestamp>,
    /// When the invitation was made, for one a file restores (`apply`);
    /// `None`: now. Its expiry is counted from then.
    pub invited_at: Option<Timestamp>,
}

/// A fresh token and its stored hash, minted inside the write `w`: the
/// one way to make a token. Whoever holds one becomes its invitee's
/// member, so the gate refuses the write unless the store's journal shows
/// the token stored ([`Write::minted_token`]), and reviews it as giving
/// all the invitee's access.
pub(super) fn new_token(w: &Write<'_>) -> Result<(String, String)> {
    w.minted_token();
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Internal(anyhow::anyhow!("the system's random source: {e}")))?;
    let token: String = std::iter::once("pinv_".to_string())
        .chain(bytes.iter().map(|b| format!("{b:02x}")))
        .collect();
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// The line of a queued invitation email that holds its token once sent.
/// Every other line that shows a name has text of its own around it, and
/// names hold no line breaks, so no name can forge this line.
const TOKEN_LINE: &str = "    portalctl user accept <token minted when this email is sent>";

/// The body of an invitation email with `token` in its token line;
/// `None` if it has none.
pub(super) fn fill_token(body: &str, token: &str) -> Option<String> {
    if !body.lines().any(|l| l == TOKEN_LINE) {
        return None;
    }
    let filled = format!("    portalctl user accept {token}");
    let lines: Vec<&str> = body
        .split('\n')
        .map(|l| if l == TOKEN_LINE { filled.as_str() } else { l })
        .collect();
    Some(lines.join("\n"))
}

/// Ends an invitation and cancels its emails not sent yet, in the same
/// transaction: mail that no longer makes sense never goes out.
pub(super) fn end_invitation(
    tx: &dyn Tx,
    id: i64,
    state: InvitationState,
    at: Timestamp,
) -> Result<()> {
    tx.end_invitation(id, state, at)?;
    let why = match state {
        InvitationState::Pending => return Ok(()),
        InvitationState::Accepted => "the invitation was accepted",
        InvitationState::Revoked => "the invitation was revoked",
        InvitationState::Replaced => "the invitation was replaced by a newer one",
    };
    tx.cancel_invitation_messages(id, why, at)?;
    Ok(())
}

/// How an email names whoever acts: a member by name and address, the
/// operator as the portal's administrator.
fn inviter(tx: &dyn Tx, ctx: &Ctx) -> Result<String> {
    Ok(match &ctx.actor {
        Actor::Member(email) => match tx.person_by_email(email.as_str())? {
            Some(p) => match p.known_name() {
                Some(name) => format!("{name} ({email})"),
                None => email.to_string(),
            },
            None => email.to_string(),
        },
        Actor::Operator(_) => "An administrator of the portal".to_string(),
    })
}

/// A time as an email shows it: `2 December 2026 at 10:00 UTC`.
fn long_date(t: Timestamp) -> String {
    chrono::DateTime::parse_from_rfc3339(&t.to_string())
        .map(|d| d.format("%-d %B %Y at %H:%M UTC").to_string())
        .unwrap_or_else(|_| t.to_string())
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
        .help(crate::model::DURATION_FORMS));
    }
    Ok(d)
}

/// When everything `membership` and `grants` give has lapsed, if it all
/// lapses: the role held for good is the blocking one and every grant
/// is time-bound. `None` when something lasts, or nothing is time-bound.
pub(super) fn access_given_until(
    catalog: &Catalog,
    membership: &Membership,
    grants: &[Grant],
) -> Result<Option<Timestamp>> {
    let lasting_role = match membership.role_until {
        Some(_) => membership.role_after.unwrap_or(membership.role_id),
        None => membership.role_id,
    };
    if lasting_role != catalog.blocking_role()?.id || grants.iter().any(|g| g.expires_at.is_none())
    {
        return Ok(None);
    }
    Ok(grants
        .iter()
        .map(|g| g.expires_at)
        .chain([membership.role_until])
        .flatten()
        .max())
}

/// When the access an invitation of `membership` gave ran out by its end
/// date, if it has: a time-bound role that lapsed to the blocking one,
/// with no grant left. Its token then has nothing to give, so it is no
/// invitation to resend (`user list --expired`), and `resend-invite`
/// refuses until access is given again. The query of `user list
/// --expired` judges it alike, in SQL.
pub(super) fn access_ran_out(
    tx: &dyn Tx,
    catalog: &Catalog,
    membership: &Membership,
    now: Timestamp,
) -> Result<Option<Timestamp>> {
    let stored = tx.membership_as_stored(membership.id)?;
    let Some(ended) = stored.role_until.filter(|t| *t <= now) else {
        return Ok(None);
    };
    let holds_nothing =
        membership.role_id == catalog.blocking_role()?.id && tx.grants(membership.id)?.is_empty();
    Ok(holds_nothing.then_some(ended))
}

/// Brings the pending invitation of `membership` forward to the end of
/// the access it gives, where that access now ends sooner: an invitation
/// never outlasts its access, whichever change shortened the access
/// (`set-role --until`, a grant with an end, a role or grant taken away),
/// as a new or resent one is cut to it (see [`token_lasts`]).
pub(super) fn keep_invitation_within_access(
    tx: &dyn Tx,
    catalog: &Catalog,
    membership: &Membership,
) -> Result<()> {
    if membership.status != MemberStatus::Invited {
        return Ok(());
    }
    let Some(pending) = tx.pending_invitation(membership.id)? else {
        return Ok(());
    };
    let ends = access_given_until(catalog, membership, &tx.grants(membership.id)?)?;
    match ends {
        Some(ends) if pending.expires_at > ends => tx.set_invitation_expiry(pending.id, ends),
        _ => Ok(()),
    }
}

/// How long a token lasts when the access it gives ends at `ends`: as
/// `expires_in` says, else the default cut to `ends`, since a token that
/// outlasts its access gives nothing. An `expires_in` asked for that
/// ends after it is a mistake in the one or the other, and is refused
/// (`longer` says how to give access for longer).
fn token_lasts(
    expires_in: Option<Duration>,
    now: Timestamp,
    ends: Option<Timestamp>,
    longer: &str,
) -> Result<Duration> {
    let lasts = expiry(expires_in)?;
    let Some(ends) = ends else { return Ok(lasts) };
    if expires_in.is_none() {
        return Ok(lasts.min(ends.since(now)));
    }
    let expires_at = now.plus(lasts)?;
    if expires_at > ends {
        return Err(Error::invalid(format!(
            "the invitation would expire at {expires_at}, after the access it gives ends at {ends}"
        ))
        .help(format!(
            "pass an --expires-in that ends by {ends}, or give access for longer ({longer})"
        )));
    }
    Ok(lasts)
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

/// Ends `old` as replaced and mails its successor to `to`, expiring when
/// `old` would have: the token sent before no longer works.
fn replace_invitation(w: &Write<'_>, old: &Invitation, to: &Invitee<'_>) -> Result<Invitation> {
    let now = w.ctx.now;
    end_invitation(w.tx, old.id, InvitationState::Replaced, now)?;
    let (_, new) = issue(w, to, old.expires_at.since(now), true, old.resend_count + 1)?;
    Ok(new)
}

/// Issues a token for the invitee and, if `send`, queues its email.
fn issue(
    w: &Write<'_>,
    to: &Invitee<'_>,
    lasts: Duration,
    send: bool,
    resend_count: i64,
) -> Result<(String, Invitation)> {
    let Invitee {
        membership, person, ..
    } = to;
    let (tx, ctx) = (w.tx, &w.ctx);
    let (token, hash) = new_token(w)?;
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
        let inviter = inviter(tx, ctx)?;
        let (subject, body) = invitation_email(&inviter, to, invitation.expires_at);
        tx.enqueue(&OutboxMessage {
            id: 0,
            kind: "invitation".into(),
            // The address the invitation went to, which is the person's
            // own unless it bound through one merged into them.
            recipient: match &membership.invited_email {
                Some(typed) => typed.clone(),
                None => person.email.to_string(),
            },
            subject,
            body,
            created_at: ctx.now,
            sent_at: None,
            state: OutboxState::Pending,
            invitation_id: Some(invitation.id),
            attempts: 0,
            last_error: None,
            last_attempt_at: None,
            next_attempt_at: None,
            ended_at: None,
            inviter: Some(inviter),
        })?;
    }
    Ok((token, invitation))
}

/// The subject and body of the email of an invitation to `to` that
/// expires at `expires_at`, sent by `inviter`; the body holds the token
/// line, filled in when it is sent.
fn invitation_email(inviter: &str, to: &Invitee<'_>, expires_at: Timestamp) -> (String, String) {
    let Invitee {
        membership,
        person,
        account,
        role,
    } = to;
    // Greeted by the name this account's invitation gave: a name of their
    // own, or another account's, is not the inviting account's to use.
    let greeting = match &membership.invited_name {
        Some(name) => format!("Hello {name}"),
        None => "Hello".to_string(),
    };
    let name_hint = match person.known_name() {
        Some(_) => "",
        None => "Add --name \"Your Name\" to give the name the portal shows for you.\n\n",
    };
    let subject = format!("Invitation to join {} as {}", account.name, role.name);
    let body = format!(
        "{greeting},\n\n\
         {inviter} has invited you to join {} on the portal, with the role {}.\n\n\
         To accept, run:\n\n\
         {TOKEN_LINE}\n\n\
         {name_hint}\
         The invitation expires on {} ({}).\n\
         If you already use the portal, your existing login gives you access: \
         no new password is needed.\n",
        account.name,
        role.name,
        long_date(expires_at),
        expires_at,
    );
    (subject, body)
}

/// The email of the invitation `invitation_id` as it stands now, sent by
/// `inviter`: the role, account, name and expiry it names are what
/// accepting gives at the moment it is sent, whatever changed since it
/// was queued (`user set-role`, an expiry cut to a shorter access).
pub(super) fn current_invitation_email(
    tx: &dyn Tx,
    catalog: &Catalog,
    invitation_id: i64,
    inviter: &str,
) -> Result<(String, String)> {
    let invitation = tx.invitation(invitation_id)?.ok_or_else(|| {
        anyhow::anyhow!("an outbox email refers to missing invitation {invitation_id}")
    })?;
    let membership = tx.membership(invitation.membership_id)?;
    let to = Invitee {
        membership: &membership,
        person: &tx.person(membership.person_id)?,
        account: &tx.account(membership.account_id)?,
        role: catalog.role(tx, membership.role_id)?,
    };
    Ok(invitation_email(inviter, &to, invitation.expires_at))
}

/// The login an invitation of `email` into `account` reuses, if `email`
/// has one, and the address it binds through where that is not the
/// login's own.
///
/// An address merged away (`user merge`) is the person it was merged
/// into: the same human. To an inviter who may see either of them (the
/// operator; a member who views the users of an account of theirs) the
/// merge is known, and the refusal says to invite the address kept. To
/// anyone else the merge is another account's: the invitation binds to
/// the person kept, and the inviting account knows them by the address
/// it typed ([`Membership::invited_email`]) until they accept, as it
/// would know a new address.
fn existing_login(
    tx: &dyn Tx,
    ctx: &Ctx,
    email: &Email,
    account: &Account,
    lookup: Lookup,
) -> Result<(Option<Person>, Option<String>)> {
    let found = match lookup {
        Lookup::Found(person) => person,
        Lookup::Unread => tx.person_by_email(email.as_str())?,
    };
    let Some(merged) = found.as_ref().filter(|p| p.merged_into.is_some()) else {
        return Ok((found, None));
    };
    let mut kept = merged.clone();
    for _ in 0..MERGE_CHAIN_LIMIT {
        match kept.merged_into {
            Some(next) => kept = tx.person(next)?,
            None => break,
        }
    }
    if kept.merged_into.is_some() {
        return Err(Error::Internal(anyhow::anyhow!(
            "`{email}` was merged through more than {MERGE_CHAIN_LIMIT} people"
        )));
    }
    if !sees_merge(tx, ctx, merged, &kept)? {
        return Ok((Some(kept), Some(email.to_string())));
    }
    Err(match tx.membership_of(kept.id, account.id)? {
        Some(_) => match crate::domain::visibility::merged(tx, ctx, (email, merged), &kept)? {
            Some(refusal) => refusal,
            None => return Ok((Some(kept), Some(email.to_string()))),
        },
        None => Error::conflict(format!(
            "`{email}` is the address of a retired duplicate and cannot be invited"
        ))
        .help("invite the person by the address they kept"),
    })
}

/// How many merges an address is followed through to the person kept.
const MERGE_CHAIN_LIMIT: usize = 64;

/// Who an address is, as a caller found it in the same transaction
/// already: a fixture's run of thousands of joiners, planned entry by
/// entry, looks each one up once.
pub(super) enum Lookup {
    /// Not looked up: [`enrol`] reads it.
    Unread,
    /// Found as this; `None`: nobody has it.
    Found(Option<Person>),
}

/// A new membership, and its invitation unless it joins `active`.
pub(super) struct Enrolled {
    member: MemberView,
    issued: Option<(String, Invitation)>,
    existing_login: bool,
    timezone_warning: Option<String>,
}

/// Refuses a member who would make `email` a member without their
/// accepting an invitation. By hand, a member only invites: the person
/// joins by accepting, so nobody is made a member of an account, nor
/// given its access, without their say. The operator, who seeds and
/// restores whole portals, may add members as they are.
pub(super) fn ensure_may_add_joined(ctx: &Ctx, email: &Email) -> Result<()> {
    match &ctx.actor {
        Actor::Operator(_) => Ok(()),
        Actor::Member(me) => Err(Error::denied(format!(
            "`{me}` may not make `{email}` a member who has joined: a member joins by accepting an invitation"
        ))
        .help("list them with `\"status\": \"invited\"` to invite them, or apply the file as the operator (without --as)")),
    }
}

/// Makes `req`'s person a member of `account`, where the actor holds
/// `users.manage` (see [`Write::account`]): invited, or `active` at once
/// (a fixture's member, who needs no invitation; the operator's alone,
/// see [`ensure_may_add_joined`]). The gate judges what the membership
/// gives.
pub(super) fn enrol(
    w: &Write<'_>,
    account: &Account,
    req: &InviteRequest,
    active: bool,
    lookup: Lookup,
) -> Result<Enrolled> {
    let tx = w.tx;
    let catalog = w.catalog()?;
    let email = req
        .email
        .clone()
        .ok_or_else(|| Error::invalid("an email is needed").help("pass --email"))?;
    if active {
        ensure_may_add_joined(&w.ctx, &email)?;
    }
    let (existing, mut through) = existing_login(tx, &w.ctx, &email, account, lookup)?;
    if let Some(typed) = &req.invited_email {
        // The invitation's email, and so its token, goes there: only the
        // operator, restoring a portal, says where.
        if let Actor::Member(me) = &w.ctx.actor {
            return Err(Error::denied(format!(
                "`{me}` may not send `{email}`'s invitation to another address, `{typed}`"
            ))
            .help("leave out `invited_email`, or apply the file as the operator (without --as)"));
        }
        through = Some(typed.to_string());
    }
    // Checked whoever it is for: a name refused only for a new address
    // would tell an address in use from a new one.
    let given_name = match &req.name {
        Some(name) => Some(name.required("the name")?),
        None => None,
    };
    // A login the actor may not see (a person of accounts whose users
    // they cannot view) is answered as a new address would be: whether it
    // exists, and its name, are not theirs to learn. Judged before the
    // membership makes the person one of the account's.
    let unseen = match &existing {
        Some(_) if through.is_some() => true,
        Some(p) => !sees_person(tx, &w.ctx, p)?,
        None => false,
    };
    let role = match &req.role {
        Some(name) => catalog.role_in(tx, name, account.id)?,
        None => catalog.default_role()?,
    };
    let mut grants = Vec::new();
    for g in &req.grants {
        catalog.grantable(g)?;
        if !grants.contains(&g.trim().to_string()) {
            grants.push(g.trim().to_string());
        }
    }
    grants.sort();
    // Time-bound as `set-role --until` (lapsing to the role that holds
    // nothing) and `grant --until` leave a member, so that everything
    // reading lapses (the gate, `can --at`, `user list --expiring`)
    // reads an invitee's alike.
    let lapse = match req.until {
        Some(until) => {
            super::ensure_future(until, w.ctx.now)?;
            let blocking = catalog.blocking_role()?;
            (blocking.id != role.id).then_some((until, blocking.id))
        }
        None => None,
    };
    let held: Vec<Grant> = grants
        .iter()
        .map(|g| Grant {
            expires_at: req.until,
            ..Grant::lasting(g, w.ctx.now)
        })
        .collect();
    let Location {
        city,
        country,
        timezone,
        warning,
    } = location(catalog, req)?;

    let existing_login = existing.is_some() && !unseen;
    // Invited already by another address the account knows them by (one
    // merged into them, or theirs where that was): to the actor, two
    // addresses. The new invitation takes the one membership the person
    // may hold there, as `user edit --new-email` would re-address it,
    // and is answered as one to a new address: "already a member" would
    // tell the actor the two are one.
    let mut replaced = None;
    let person = match existing {
        Some(p) => {
            if let Some(m) = tx.membership_of(p.id, account.id)? {
                let known = known_address(tx, &w.ctx, &p, &m)?;
                if m.accepted_at.is_some()
                    || known == email.as_str()
                    || merged_here(tx, &email, account, through.as_deref())?
                {
                    let refusal = already_member(tx, &email, account, &m)?;
                    // Bound through an address merged into them that the
                    // actor does not read as merged, and not the one the
                    // account knows them by: a command naming it finds
                    // nobody, so the help names none, nor whose
                    // membership it is.
                    return Err(match through.is_some() && known != email.as_str() {
                        true => refusal.help("a person holds one membership in each account"),
                        false => refusal,
                    });
                }
                // As the account knew it: the log's `before` of the takeover.
                let was = member_view(tx, &w.ctx, catalog, &m)?;
                replaced = Some((m, was));
            }
            p
        }
        None => {
            // 004: "Enter the email address of the user, select
            // the desired permissions": the name may follow on
            // acceptance or by `user edit`. An invitation's name is the
            // inviting account's (`invited_name`), never the person's own:
            // another account that invites them later must not read it.
            let mut p = Person {
                id: 0,
                email: email.clone(),
                name: match active {
                    true => given_name.clone().unwrap_or_default(),
                    false => String::new(),
                },
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
        status: if active {
            MemberStatus::Active
        } else {
            MemberStatus::Invited
        },
        city,
        country,
        timezone,
        external_from: None,
        role_until: lapse.map(|(until, _)| until),
        role_after: lapse.map(|(_, after)| after),
        external_until: None,
        invited_at: Some(req.invited_at.unwrap_or(w.ctx.now)),
        accepted_at: active.then_some(w.ctx.now),
        created_at: w.ctx.now,
        updated_at: w.ctx.now,
        // What the invitation calls them, whoever they are elsewhere.
        invited_name: match &req.invited_name {
            Some(named) => named.clone(),
            None => given_name.as_ref().map(|n| n.to_string()),
        },
        invited_email: through,
    };
    let ends = access_given_until(catalog, &membership, &held)?;
    let lasts = token_lasts(req.expires_in, w.ctx.now, ends, "a later --until")?;
    match replaced.as_ref().map(|(m, _)| m) {
        Some(old) => {
            membership.id = old.id;
            membership.created_at = old.created_at;
            tx.update_membership(&membership)?;
            for grant in tx.grants(old.id)? {
                tx.delete_grant(old.id, &grant.name)?;
            }
            if let Some(pending) = tx.pending_invitation(old.id)? {
                end_invitation(tx, pending.id, InvitationState::Replaced, w.ctx.now)?;
            }
        }
        None => membership.id = tx.insert_membership(&membership)?,
    }
    follow_role(tx, catalog, &membership, w.ctx.now)?;
    for grant in &held {
        tx.put_grant(membership.id, grant)?;
    }
    // A fixture's active member joins without an invitation.
    let issued = if active {
        None
    } else {
        let to = Invitee {
            membership: &membership,
            person: &person,
            account,
            role,
        };
        Some(issue(w, &to, lasts, req.send, 0)?)
    };
    let member = member_view_of(tx, &w.ctx, catalog, &membership, &person, account, held)?;
    // A takeover is logged as one, with the invitation it replaced (its
    // address, role, name) as `before`: a plain invitation from nothing
    // would read as someone new, and the replaced one as never ended.
    let (action, before) = match &replaced {
        Some((_, was)) => ("user.invite.takeover", Some(was)),
        None if active => ("user.add", None),
        None => ("user.invite", None),
    };
    w.member_changed(action, account, before, &member)?;
    let member = if unseen {
        MemberView {
            name: given_name,
            duplicate_of: None,
            merged_into: None,
            ..member
        }
    } else {
        member
    };
    Ok(Enrolled {
        member,
        issued,
        existing_login,
        timezone_warning: warning,
    })
}

/// Whether `email`, bound through (`through`) to the person it was merged
/// into, was merged by a merge `account` knows ([`merge_known_in`]): there
/// the two are one person, whoever invites, so the invitation is "already
/// a member" like the kept person's own address, not a takeover of their
/// membership, even by a member who may not read the merge (one who only
/// manages users).
fn merged_here(
    tx: &dyn Tx,
    email: &Email,
    account: &Account,
    through: Option<&str>,
) -> Result<bool> {
    if through != Some(email.as_str()) {
        return Ok(false);
    }
    match tx.person_by_email(email.as_str())? {
        Some(dup) if dup.merged_into.is_some() => merge_known_in(tx, &dup, account.id),
        _ => Ok(false),
    }
}

/// The refusal of an invitation of `email` into `account`, where they
/// already have the membership `m`.
fn already_member(tx: &dyn Tx, email: &Email, account: &Account, m: &Membership) -> Result<Error> {
    let standing = standing(tx, m)?;
    Ok(Error::conflict(format!(
        "`{email}` is already a member of `{}` ({standing})",
        account.name
    ))
    // Named with the account: a person of several accounts is not found
    // without it. The command is the one that works for where they stand:
    // one who never accepted gets a new token, whatever ended the old
    // one; one who is not active is refused a new role (left) or gets it
    // without access (deactivated) until activated.
    .help(match standing {
        MemberStanding::Active => format!(
            "change them with `{}`",
            Paste::new("user set-role")
                .arg(email)
                .words("ROLE")
                .opt("--account", &account.name)
        ),
        _ if m.accepted_at.is_none() => format!(
            "send a new token with `{}`",
            Paste::new("user resend-invite")
                .arg(email)
                .opt("--account", &account.name)
        ),
        _ => format!(
            "bring them back with `{}` (the role they held), then `user set-role` for another",
            Paste::new("user activate")
                .arg(email)
                .opt("--account", &account.name)
        ),
    }))
}

/// What [`readdress_invitation`] did.
pub(super) struct Readdressed {
    /// The member as they are now: the invitation at its new address.
    pub member: MemberView,
    /// Whether a fresh token went to the new address (the old one was
    /// live); otherwise there was no live token to replace.
    pub reissued: bool,
}

/// Sends an invitation not yet accepted to another address (`user edit
/// --new-email` of someone invited): the membership `moved` (as the edit
/// leaves its other fields; `before` is how it read) moves from `left`
/// to whoever holds `new`, made as `user invite` would make them if
/// nobody does, with its name, role, grants and expiry. A live token
/// stops working and a fresh one is mailed to `new`, expiring when the
/// old one would have. `left` keeps every other membership; one this
/// invitation alone made, now in no account and referred to by nothing,
/// is removed.
///
/// Whether `left` has a login elsewhere changes none of it: the account
/// knew them by the invitation's address alone, and re-addressing it
/// touches nothing of theirs but it (a login change needs `users.manage`
/// in each of their accounts, and so would tell that they exist).
pub(super) fn readdress_invitation(
    w: &Write<'_>,
    account: &Account,
    left: &Person,
    before: &MemberView,
    mut moved: Membership,
    new: &Email,
) -> Result<Readdressed> {
    let (tx, catalog, now) = (w.tx, w.catalog()?, w.ctx.now);
    let (target, through) = existing_login(tx, &w.ctx, new, account, Lookup::Unread)?;
    let target = match target {
        Some(p) => {
            // The person's own address, or another merged into them, is
            // another address to an actor who knew them by the one left:
            // it re-addresses the same membership.
            if let Some(m) = tx
                .membership_of(p.id, account.id)?
                .filter(|m| m.id != moved.id)
            {
                // A re-addressed invitation takes no other over; through an
                // address merged into them, the help names no command that
                // would find nobody by it (see `enrol`).
                let refusal = already_member(tx, new, account, &m)?;
                let known = known_address(tx, &w.ctx, &p, &m)?;
                return Err(match through.is_some() && known != new.as_str() {
                    true => refusal.help("a person holds one membership in each account"),
                    false => refusal,
                });
            }
            p
        }
        None => {
            let mut p = Person {
                id: 0,
                email: new.clone(),
                name: moved.invited_name.clone().unwrap_or_default(),
                duplicate_of: None,
                merged_into: None,
                created_at: now,
            };
            p.id = tx.insert_person(&p)?;
            p
        }
    };
    moved.person_id = target.id;
    moved.invited_email = through;
    moved.updated_at = now;
    tx.update_membership(&moved)?;
    let live = match moved.status {
        MemberStatus::Invited => tx
            .pending_invitation(moved.id)?
            .filter(|old| old.expires_at > now),
        _ => None,
    };
    let reissued = match live {
        Some(old) => {
            let to = Invitee {
                membership: &moved,
                person: &target,
                account,
                role: catalog.role(tx, moved.role_id)?,
            };
            let new = replace_invitation(w, &old, &to)?;
            Some((old, new))
        }
        None => None,
    };
    let member = member_view(tx, &w.ctx, catalog, &moved)?;
    w.member_changed("user.edit", account, Some(before), &member)?;
    if let Some((old, new)) = &reissued {
        w.changed(
            "user.resend_invite",
            account,
            member.email.clone(),
            Some(&Reissue::of(
                &*w.recorded(&member, &member, true)?,
                Some(old),
            )),
            &Reissue::of(&*w.recorded(&member, &member, false)?, Some(new)),
        )?;
    }
    if tx.memberships_of(left.id)?.is_empty() {
        tx.delete_person_unreferenced(left.id)?;
    }
    Ok(Readdressed {
        member,
        reissued: reissued.is_some(),
    })
}

/// A member with their pending invitation, as a resend changes them: a
/// new token with its own expiry is a change even where the member reads
/// the same.
#[derive(Serialize)]
struct Reissue<'a> {
    #[serde(flatten)]
    member: &'a MemberView,
    /// When the pending token expires; none when there was none.
    invitation_expires_at: Option<Timestamp>,
    /// How many resends came before the pending token.
    resends: Option<i64>,
}

impl<'a> Reissue<'a> {
    fn of(member: &'a MemberView, pending: Option<&Invitation>) -> Reissue<'a> {
        Reissue {
            member,
            invitation_expires_at: pending.map(|i| i.expires_at),
            resends: pending.map(|i| i.resend_count),
        }
    }
}

/// Sends each pending invitation of `memberships` that was mailed again,
/// to `person`'s address, which they hold now: their new one (`user edit
/// --new-email`). (A merge leaves an invitation at the address it went
/// to, [`Membership::invited_email`].) The email queued for, or sent to, the old address carries a token
/// that would make whoever reads that mailbox the member, so it stops
/// working, as a resend stops the token before it; the new one expires
/// when the old one would have. An invitation never mailed (`--no-send`)
/// keeps its token: it went where whoever invited took it. Each resend is
/// an event of its own, in the edit's transaction. Returns the accounts
/// whose invitation went again.
pub(super) fn readdress_invitations(
    w: &Write<'_>,
    person: &Person,
    memberships: &[Membership],
) -> Result<Vec<Account>> {
    let (tx, catalog, now) = (w.tx, w.catalog()?, w.ctx.now);
    let mut sent = Vec::new();
    for m in memberships {
        // One that went to an address merged into them still goes there.
        if m.status != MemberStatus::Invited || m.invited_email.is_some() {
            continue;
        }
        let Some(old) = tx.pending_invitation(m.id)? else {
            continue;
        };
        if old.expires_at <= now || !tx.invitation_mailed(old.id)? {
            continue;
        }
        let account = tx.account(m.account_id)?;
        let member = member_view(tx, &w.ctx, catalog, m)?;
        let to = Invitee {
            membership: m,
            person,
            account: &account,
            role: catalog.role(tx, m.role_id)?,
        };
        let new = replace_invitation(w, &old, &to)?;
        w.changed(
            "user.resend_invite",
            &account,
            person.email.to_string(),
            Some(&Reissue::of(
                &*w.recorded(&member, &member, true)?,
                Some(&old),
            )),
            &Reissue::of(&*w.recorded(&member, &member, false)?, Some(&new)),
        )?;
        sent.push(account);
    }
    Ok(sent)
}

impl Portal {
    /// Invites a person into an account; needs `users.manage`, and a member
    /// may only give a role and grants whose capabilities they hold.
    /// With `req.until`, what they are given lapses then (see
    /// [`InviteRequest::until`]), and the token must expire by then.
    pub(crate) fn invite(&mut self, req: &InviteRequest) -> Result<InvitedView> {
        // A moment past is a usage error whoever asks, as `set-role
        // --until` says it before anyone's access is looked up.
        if let Some(until) = req.until {
            super::ensure_future(until, self.now())?;
        }
        self.write(|w| {
            let account = w.account(req.account.as_deref(), caps::USERS_MANAGE)?;
            let enrolled = enrol(w, &account, req, false, Lookup::Unread)?;
            let (token, invitation) = enrolled
                .issued
                .ok_or_else(|| Error::Internal(anyhow::anyhow!("an invitation was not issued")))?;
            Ok(InvitedView {
                member: enrolled.member,
                token,
                expires_at: invitation.expires_at,
                email_queued: req.send,
                existing_login: enrolled.existing_login,
                timezone_warning: enrolled.timezone_warning,
            })
        })
    }

    /// Adds someone as an active member at once, without an invitation:
    /// how a fixture's `"status": "active"` user joins. Checked as an
    /// invitation is.
    pub(crate) fn add_member(&mut self, req: &InviteRequest) -> Result<MemberView> {
        self.write(|w| {
            let account = w.account(req.account.as_deref(), caps::USERS_MANAGE)?;
            enrol(w, &account, req, true, Lookup::Unread).map(|e| e.member)
        })
    }

    /// Accepts an invitation. The token is the credential, so no `--as` is
    /// needed; the audit log names the invitee.
    /// Someone who has no name of their own yet takes the one given here
    /// (004: the name follows the invitation), else the one this
    /// account's invitation gave them; a person who has one keeps it,
    /// and a name given here is not used (a warning says so).
    pub(crate) fn accept(&mut self, token: &str, name: Option<&Text>) -> Result<MemberView> {
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
                    standing(tx, &membership)?
                )));
            }
            let account = tx.account(membership.account_id)?;
            let mut person = tx.person(membership.person_id)?;
            // The token is the invitee's: whoever holds it accepts as them,
            // and the log names them. A member acting (`--as`) would be
            // recorded as someone they are not.
            if let Actor::Member(me) = &w.ctx.actor {
                if *me != person.email {
                    return Err(Error::denied(format!(
                        "this invitation is not addressed to `{me}`: only its invitee accepts it"
                    ))
                    .help("the invitee runs `portalctl user accept TOKEN` without --as"));
                }
            }
            let before = member_view(tx, &w.ctx, catalog, &membership)?;
            let name = name.map(|n| n.required("the name")).transpose()?;
            // Someone who has a name of their own got it accepting
            // elsewhere, or from the operator; no invitation, nor this
            // token's holder, changes it. Going on without the name,
            // rather than refusing, gives the holder no way to learn
            // that the address has a login, or its name, without joining.
            match person.known_name() {
                None => {
                    if let Some(own) = name.or_else(|| membership.invited_name.clone()) {
                        person.name = own;
                        tx.update_person(&person)?;
                    }
                }
                Some(known) if name.as_deref().is_none_or(|n| n == known) => {}
                Some(_) => w.warn(format!(
                    "`{}` already has a name of their own, which accepting does not change: --name was not used",
                    person.email
                )),
            }
            membership.status = MemberStatus::Active;
            membership.accepted_at = Some(w.ctx.now);
            membership.updated_at = w.ctx.now;
            tx.update_membership(&membership)?;
            end_invitation(tx, invitation.id, InvitationState::Accepted, w.ctx.now)?;
            let after = member_view(tx, &w.ctx, catalog, &membership)?;
            w.act_as(Actor::Member(person.email.clone()));
            w.member_changed("user.accept", &account, Some(&before), &after)?;
            Ok(after)
        })
    }

    /// Issues a new token for a member who has not accepted yet; the old
    /// token stops working. Also reopens an invitation that was revoked.
    /// Without `send` no email is queued, as `user invite --no-send`: the
    /// printed token is the only one.
    pub(crate) fn resend_invite(
        &mut self,
        email: &Email,
        account: Option<&str>,
        expires_in: Option<Duration>,
        send: bool,
    ) -> Result<InvitedView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let manages = holds_need(tx, catalog, &w.ctx, caps::USERS_MANAGE);
            let account = resolve_account(tx, &w.ctx, account, Some(email), &manages)?;
            manages(&account)?;
            let (person, mut membership) = member_in(tx, &w.ctx, email, &account)?;
            // One who never accepted, deactivated or marked as left, has
            // no access to restore: `user activate` sends them here.
            let reopening = matches!(
                membership.status,
                MemberStatus::Deactivated | MemberStatus::Left
            ) && membership.accepted_at.is_none();
            if membership.status != MemberStatus::Invited && !reopening {
                // Named with the account, so that it works when pasted.
                let next = match membership.status {
                    MemberStatus::Active => format!(
                        "they have joined: change their access with `{}`",
                        Paste::new("user set-role")
                            .arg(email)
                            .words("ROLE")
                            .opt("--account", &account.name)
                    ),
                    _ => format!(
                        "bring them back with `{}`",
                        Paste::new("user activate")
                            .arg(email)
                            .opt("--account", &account.name)
                    ),
                };
                return Err(Error::conflict(format!(
                    "`{email}` has no invitation to resend: they are {} in `{}`",
                    membership.status, account.name
                ))
                .help(next));
            }
            // The role and grants keep the end they were given with.
            let ends = access_given_until(catalog, &membership, &tx.grants(membership.id)?)?;
            // A time-bound role that lapsed to the blocking one, with no
            // grant left, leaves a token nothing to give but a member who
            // holds nothing: the access is given again first.
            if let Some(ended) = access_ran_out(tx, catalog, &membership, w.ctx.now)? {
                    return Err(Error::conflict(format!(
                        "`{email}`'s access to `{}` ended at {ended}: an invitation now would give nothing",
                        account.name
                    ))
                    .help(format!(
                        "give them access again first, such as `{}`, then resend it",
                        Paste::new("user set-role")
                            .arg(email)
                            .words("ROLE --until T")
                            .opt("--account", &account.name)
                    )));
            }
            let lasts = token_lasts(
                expires_in,
                w.ctx.now,
                ends,
                &format!(
                    "`{}` and `{}`",
                    Paste::new("user set-role")
                        .arg(email)
                        .words("ROLE --until T")
                        .opt("--account", &account.name),
                    Paste::new("user grant")
                        .arg(email)
                        .words("G --until T")
                        .opt("--account", &account.name)
                ),
            )?;
            let before = member_view(tx, &w.ctx, catalog, &membership)?;
            let pending = tx.pending_invitation(membership.id)?;
            if let Some(old) = &pending {
                end_invitation(tx, old.id, InvitationState::Replaced, w.ctx.now)?;
            }
            if reopening {
                if membership.status == MemberStatus::Left {
                    // Leaving gave them the blocking role; they are
                    // invited again with the one they were invited with.
                    if let Some(previous) = membership.previous_role_id.take() {
                        membership.role_id = previous;
                        // A role retired since they left is offered to
                        // nobody.
                        if catalog.role(tx, previous)?.deleted_at.is_some() {
                            membership.role_id = catalog.least_role()?.id;
                        }
                    }
                }
                membership.status = MemberStatus::Invited;
                membership.updated_at = w.ctx.now;
                tx.update_membership(&membership)?;
            }
            let role = catalog.role(tx, membership.role_id)?;
            let resends = pending.as_ref().map_or(1, |p| p.resend_count + 1);
            let to = Invitee {
                membership: &membership,
                person: &person,
                account: &account,
                role,
            };
            let (token, invitation) = issue(w, &to, lasts, send, resends)?;
            let member = member_view(tx, &w.ctx, catalog, &membership)?;
            // Told as `invite` tells it: only to whoever may know the
            // person otherwise, through a membership they accepted.
            let own = tx.person(person.id)?;
            let existing_login = tx
                .memberships_of(own.id)?
                .iter()
                .any(|m| m.id != membership.id)
                && membership.invited_email.is_none()
                && reads_own_name(tx, &w.ctx, &own, &membership)?;
            w.changed(
                "user.resend_invite",
                &account,
                member.email.clone(),
                Some(&Reissue::of(
                    &*w.recorded(&before, &member, true)?,
                    pending.as_ref(),
                )),
                &Reissue::of(&*w.recorded(&member, &member, false)?, Some(&invitation)),
            )?;
            Ok(InvitedView {
                member,
                token,
                expires_at: invitation.expires_at,
                email_queued: send,
                existing_login,
                timezone_warning: None,
            })
        })
    }

    /// Makes the pending invitation of `email` in `account` expire at
    /// `at`, a moment past: how an apply restores an invitation that had
    /// expired, its token refused as any expired one is. The caller made
    /// it without its email: a dead token is mailed to nobody.
    pub(super) fn expire_invitation(
        &mut self,
        email: &Email,
        account: &Account,
        at: Timestamp,
    ) -> Result<()> {
        self.write(|w| {
            let account = w.account(Some(&account.name), caps::USERS_MANAGE)?;
            let (_, m) = member_in(w.tx, &w.ctx, email, &account)?;
            let pending = w.tx.pending_invitation(m.id)?.ok_or_else(|| {
                Error::conflict(format!(
                    "`{email}` has no pending invitation in `{}`",
                    account.name
                ))
            })?;
            w.tx.set_invitation_expiry(pending.id, at.min(w.ctx.now))
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
                    e.person.email,
                    e.account.name,
                    standing(e.tx, m)?
                )));
            }
            e.end_pending_invitation(m)?;
            m.status = MemberStatus::Deactivated;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::access::caps;
    use super::super::testing::{email, join, seeded};
    use super::*;

    /// `days` after the test clock.
    fn days(p: &Portal, days: i64) -> Timestamp {
        p.ctx.now.plus(Duration::days(days)).expect("a time")
    }

    /// A member inviting the address of someone they may not see (a
    /// person of another account only) gets the answer a new address
    /// gets: no reused login, no name but the one they gave. The operator
    /// sees all, so is told.
    #[test]
    fn inviting_someone_unseen_reads_as_inviting_a_new_address() {
        use super::super::testing::{add_account, join_in};
        use crate::model::AccountKind;
        let mut p = seeded("portal");
        add_account(&mut p, "Contoso", AccountKind::Customer, None);
        join_in(&mut p, "zed@contoso.test", "admin", Some("Contoso"));
        join_in(&mut p, "yan@contoso.test", "admin", Some("Contoso"));
        join_in(&mut p, "ann@acme.test", "admin", Some("Acme"));
        p.ctx.actor = Actor::Member(email("ann@acme.test"));
        let invite = |p: &mut Portal, who: &str, name: Option<&str>| {
            p.invite(&InviteRequest {
                email: Some(email(who)),
                name: name.map(|n| n.parse().expect("a name")),
                role: Some("user".into()),
                account: Some("Acme".into()),
                ..InviteRequest::default()
            })
            .expect("invite")
        };
        let fresh = invite(&mut p, "new@else.test", None);
        let unseen = invite(&mut p, "zed@contoso.test", None);
        assert_eq!(
            (unseen.existing_login, &unseen.member.name),
            (fresh.existing_login, &fresh.member.name)
        );
        assert!(!unseen.existing_login);
        let named = invite(&mut p, "yan@contoso.test", Some("Yan"));
        assert_eq!(named.member.name.as_deref(), Some("Yan"));
        assert!(!named.existing_login);
        // A blank name is refused whether the address is new or not.
        for who in ["other@else.test", "owner@acme.test"] {
            let blank = p.invite(&InviteRequest {
                email: Some(email(who)),
                name: Some(" ".parse().expect("text")),
                role: Some("user".into()),
                ..InviteRequest::default()
            });
            assert_eq!(blank.expect_err("blank").exit_code(), 2, "{who}");
        }

        p.ctx.actor = Actor::Operator("root".into());
        add_account(&mut p, "Beta", AccountKind::Customer, None);
        let told = p
            .invite(&InviteRequest {
                email: Some(email("zed@contoso.test")),
                role: Some("user".into()),
                account: Some("Beta".into()),
                ..InviteRequest::default()
            })
            .expect("invite");
        assert!(told.existing_login);
        assert_eq!(told.member.name.as_deref(), Some("Someone"));
    }

    /// The token is its invitee's: a member acting as someone else may not
    /// accept it for them (the log would name the invitee), and nothing
    /// changes; the invitee, acting as themself, may.
    #[test]
    fn only_the_invitee_accepts_their_invitation() {
        let mut p = seeded("portal");
        join(&mut p, "una@acme.test", "user");
        let invited = p
            .invite(&InviteRequest {
                email: Some(email("new@acme.test")),
                role: Some("admin".into()),
                ..InviteRequest::default()
            })
            .expect("invite");
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        let err = p
            .accept(&invited.token, Some(&"Set by Una".parse().expect("name")))
            .expect_err("not hers");
        assert_eq!(err.exit_code(), 5, "{err}");
        p.ctx.actor = Actor::Member(email("new@acme.test"));
        let view = p.accept(&invited.token, None).expect("theirs");
        assert_eq!(view.status.to_string(), "active");
        assert_ne!(view.name.as_deref(), Some("Set by Una"));
    }

    /// Someone invited until T (a temporary contractor) holds the role and
    /// grants to the second before T, then the blocking role and nothing;
    /// it is stored as `set-role --until` and `grant --until` store it.
    #[test]
    fn an_invitation_until_t_gives_its_role_and_grants_until_t_then_nothing() {
        let mut p = seeded("customer-area");
        let until = days(&p, 2);
        let view = p
            .invite(&InviteRequest {
                email: Some(email("cam@acme.test")),
                role: Some("member".into()),
                grants: vec!["billing".into()],
                expires_in: Some(Duration::days(1)),
                until: Some(until),
                ..InviteRequest::default()
            })
            .expect("invite until");
        let m = &view.member;
        assert_eq!(
            (m.role.as_str(), m.role_until, m.role_after.as_deref()),
            ("member", Some(until), Some("no-access"))
        );
        assert_eq!(m.grants_until.get("billing"), Some(&until));
        assert_eq!(m.access_ends, Some(until));
        p.accept(&view.token, None).expect("accept");
        let cam = email("cam@acme.test");
        let second_before = until.minus(Duration::seconds(1)).expect("a time");
        for cap in [caps::ACCOUNT_VIEW, caps::BILLING_PAYMENT] {
            let then = p.can_at(&cam, cap, None, second_before).expect("can");
            assert!(then.allowed, "{cap}: {}", then.reason);
            assert!(!p.can_at(&cam, cap, None, until).expect("can").allowed);
        }
    }

    /// A token lasts no longer than the access it gives: with no expiry
    /// asked for, the default is cut to the access's end; one asked for
    /// that ends after it is refused (exit 2) and nothing is written. A
    /// resend keeps the end and is held to it alike.
    #[test]
    fn an_invitation_never_outlasts_its_until() {
        let mut p = seeded("portal");
        let until = days(&p, 2);
        let ivy = email("ivy@acme.test");
        let req = InviteRequest {
            email: Some(ivy.clone()),
            role: Some("user".into()),
            until: Some(until),
            expires_in: Some(Duration::days(3)),
            ..InviteRequest::default()
        };
        let err = p.invite(&req).expect_err("3 days outlast 2");
        assert_eq!(err.exit_code(), 2, "{err}");
        assert!(
            err.to_string().contains("after the access it gives ends"),
            "{err}"
        );
        assert!(p.member_show(&ivy, None).is_err(), "nothing was written");
        let past = InviteRequest {
            until: Some(p.ctx.now),
            expires_in: Some(Duration::hours(1)),
            ..req.clone()
        };
        assert_eq!(p.invite(&past).expect_err("past").exit_code(), 2);
        let cut = p
            .invite(&InviteRequest {
                expires_in: None,
                ..req
            })
            .expect("the default, cut to the access's end");
        assert_eq!(cut.expires_at, until);
        let resent = p.resend_invite(&ivy, None, Some(Duration::days(3)), true);
        assert_eq!(resent.expect_err("3 days").exit_code(), 2);
        let resent = p
            .resend_invite(&ivy, None, None, true)
            .expect("resend, cut");
        assert_eq!(resent.expires_at, until);
        let resent = p
            .resend_invite(&ivy, None, Some(Duration::days(1)), true)
            .expect("resend within");
        assert_eq!(resent.member.role_until, Some(until));
        assert_eq!(resent.member.role_after.as_deref(), Some("no-access"));
    }

    /// A contractor whose access ended before they accepted gets no new
    /// token (exit 4, nothing written): it would make a member holding
    /// nothing. Given access again, the resend goes through.
    #[test]
    fn a_resend_after_the_access_ended_is_refused() {
        let mut p = seeded("portal");
        let until = days(&p, 3);
        let dd = email("dd@acme.test");
        p.invite(&InviteRequest {
            email: Some(dd.clone()),
            role: Some("user".into()),
            until: Some(until),
            expires_in: Some(Duration::days(2)),
            ..InviteRequest::default()
        })
        .expect("invite");
        p.ctx.now = days(&p, 8);
        let before = serde_json::to_value(p.member_show(&dd, None).expect("show")).expect("json");
        let err = p
            .resend_invite(&dd, None, None, true)
            .expect_err("access ended");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert!(err.to_string().contains("ended at"), "{err}");
        let after = serde_json::to_value(p.member_show(&dd, None).expect("show")).expect("json");
        assert_eq!(after, before);
        let later = days(&p, 5);
        p.set_role(&dd, "user", None, Some(later))
            .expect("access again");
        let resent = p.resend_invite(&dd, None, None, true).expect("resend");
        assert_eq!(resent.expires_at, later);
    }

    /// Whatever shortens an invitee's access brings their pending
    /// invitation forward to its end, by the operator or a member alike;
    /// access given for longer leaves it be.
    #[test]
    fn an_invitation_is_cut_to_access_shortened_after_it_was_sent() {
        let mut p = seeded("portal");
        join(&mut p, "max@acme.test", "admin");
        let bob = email("bob@acme.test");
        let invite = |p: &mut Portal| {
            p.invite(&InviteRequest {
                email: Some(bob.clone()),
                role: Some("user".into()),
                until: Some(days(p, 30)),
                ..InviteRequest::default()
            })
            .expect("invite")
        };
        let shown = |p: &mut Portal| {
            let m = p.member_show(&bob, None).expect("bob");
            (m.invitation_expires_at, m.access_ends)
        };
        let sent = invite(&mut p);
        assert_eq!(sent.expires_at, days(&p, 7));
        for actor in [
            Actor::Operator("root".into()),
            Actor::Member(email("max@acme.test")),
        ] {
            p.ctx.actor = actor;
            let soon = days(&p, 2);
            p.set_role(&bob, "manager", None, Some(soon))
                .expect("manager until soon");
            assert_eq!(shown(&mut p), (Some(soon), Some(soon)));
            // Access given for longer leaves the invitation as it is.
            p.set_role(&bob, "user", None, Some(days(&p, 20)))
                .expect("longer");
            assert_eq!(shown(&mut p).0, Some(soon));
            let resent = p.resend_invite(&bob, None, None, false).expect("resend");
            assert_eq!(resent.expires_at, days(&p, 7));
        }
    }

    /// A member with admin until T invites an admin until T, but not for
    /// longer nor for good: the gate weighs the invitee's role at T.
    #[test]
    fn a_time_bound_admin_invites_an_admin_only_until_their_own_end() {
        let mut p = seeded("portal");
        join(&mut p, "max@acme.test", "manager");
        let soon = days(&p, 1);
        p.set_role(&email("max@acme.test"), "admin", None, Some(soon))
            .expect("admin until soon");
        p.ctx.actor = Actor::Member(email("max@acme.test"));
        let invite = |until: Option<Timestamp>| InviteRequest {
            email: Some(email("bob@acme.test")),
            role: Some("admin".into()),
            expires_in: Some(Duration::hours(1)),
            until,
            ..InviteRequest::default()
        };
        for until in [None, Some(days(&p, 2))] {
            let err = p.invite(&invite(until)).expect_err("outlasts Max's admin");
            assert_eq!(err.exit_code(), 5, "{until:?}: {err}");
        }
        let view = p.invite(&invite(Some(soon))).expect("until Max's end");
        assert_eq!(view.member.role_until, Some(soon));
    }

    /// A resend without sending issues a new token and queues no email,
    /// as `invite --no-send` does; with sending it queues one.
    #[test]
    fn a_resend_without_sending_queues_no_email() {
        let mut p = seeded("portal");
        let ivy = email("ivy@acme.test");
        let first = p
            .invite(&InviteRequest {
                email: Some(ivy.clone()),
                role: Some("user".into()),
                send: false,
                ..InviteRequest::default()
            })
            .expect("invite later");
        let quiet = p.resend_invite(&ivy, None, None, false).expect("resend");
        assert!(!quiet.email_queued);
        assert_ne!(quiet.token, first.token);
        assert!(p.outbox_list(None, None).expect("outbox").is_empty());
        let sent = p.resend_invite(&ivy, None, None, true).expect("resend");
        assert!(sent.email_queued);
        assert_eq!(p.outbox_list(None, None).expect("outbox").len(), 1);
    }

    /// Everything a refusal must leave as it was: every member, every
    /// invitation (its token's hash, state and expiry), the outbox and
    /// the audit log, read by the operator.
    fn state(p: &mut Portal) -> (Vec<MemberView>, Vec<Invitation>, usize, usize) {
        let actor = std::mem::replace(&mut p.ctx.actor, Actor::Operator("root".into()));
        let members = p
            .member_list(&super::super::MemberFilter::default())
            .expect("member list");
        let invitations = {
            let tx = p.gate.read(p.ctx.now).expect("read");
            let mut all = Vec::new();
            for m in tx.memberships_in(1).expect("memberships") {
                all.extend(tx.last_invitation(m.id).expect("invitation"));
            }
            all
        };
        let mail = p.outbox_list(None, None).expect("outbox").len();
        let events = p
            .audit_events(&super::super::AuditFilter::default())
            .expect("audit list")
            .len();
        p.ctx.actor = actor;
        (members, invitations, mail, events)
    }

    /// Ann administers users in the customer area but holds no billing or
    /// services; the owner invited Bea with both, for an hour.
    fn bea_invited_by_the_owner() -> Portal {
        let mut p = super::super::testing::ann_administers_the_customer_area();
        p.invite(&InviteRequest {
            email: Some(email("bea@acme.test")),
            role: Some("member".into()),
            grants: vec!["billing".into(), "services".into()],
            expires_in: Some(Duration::hours(1)),
            send: true,
            ..InviteRequest::default()
        })
        .expect("the owner invites");
        p
    }

    /// One way to mint a token: the set-up it needs, as the operator, and
    /// the command Ann runs.
    struct Path {
        what: &'static str,
        set_up: fn(&mut Portal),
        run: fn(&mut Portal) -> Result<()>,
    }

    fn bea() -> Email {
        email("bea@acme.test")
    }

    /// Every write that mints an invitation token, run by a member who
    /// lacks the access the invitation gives, is refused (exit 5) and
    /// changes nothing: no token, no email, no event. The operator runs
    /// each and it goes through, so each path does mint. A command that
    /// mints a token other than by [`new_token`] inside a write, or stores
    /// it where the store's journal does not see it, is refused as a
    /// defect (see the test after this one).
    #[test]
    fn every_token_minting_path_is_refused_to_a_member_lacking_the_access() {
        let paths = [
            Path {
                what: "invite",
                set_up: |_| {},
                run: |p| {
                    p.invite(&InviteRequest {
                        email: Some(email("cy@acme.test")),
                        grants: vec!["billing".into()],
                        ..InviteRequest::default()
                    })
                    .map(drop)
                },
            },
            Path {
                what: "resend of a pending invitation",
                set_up: |_| {},
                run: |p| p.resend_invite(&bea(), None, None, false).map(drop),
            },
            Path {
                what: "resend of a pending invitation, with its email",
                set_up: |_| {},
                run: |p| p.resend_invite(&bea(), None, None, true).map(drop),
            },
            Path {
                what: "resend of an expired invitation",
                set_up: |p| p.ctx.now = p.ctx.now.plus(Duration::hours(2)).expect("later"),
                run: |p| p.resend_invite(&bea(), None, None, true).map(drop),
            },
            Path {
                what: "resend of a revoked invitation",
                set_up: |p| {
                    p.revoke_invite(&bea(), None).expect("revoke");
                },
                run: |p| p.resend_invite(&bea(), None, None, true).map(drop),
            },
            Path {
                what: "resend to one who left before accepting",
                set_up: |p| {
                    p.left_company(&bea(), None, &super::super::Handover::default())
                        .expect("left");
                },
                run: |p| p.resend_invite(&bea(), None, None, true).map(drop),
            },
            Path {
                what: "readdressing after an email change",
                set_up: |_| {},
                run: |p| {
                    p.edit_person(
                        &bea(),
                        None,
                        &super::super::PersonEdit {
                            new_email: Some(email("bea@elsewhere.test")),
                            ..super::super::PersonEdit::default()
                        },
                    )
                    .map(drop)
                },
            },
            Path {
                what: "apply restoring an invitation",
                set_up: |p| {
                    p.revoke_invite(&bea(), None).expect("revoke");
                },
                run: |p| {
                    let doc = serde_json::json!({
                        "preset": "customer-area",
                        "accounts": [{
                            "name": "Acme",
                            "owner": "owner@acme.test",
                            "users": [{"email": "bea@acme.test", "role": "member",
                                       "grants": ["billing", "services"],
                                       "status": "invited"}]
                        }]
                    });
                    let fixture = super::super::parse_fixture(&doc.to_string(), "bea.json")?;
                    p.apply(&fixture, super::super::ApplyOptions::default())
                        .map(drop)
                },
            },
        ];
        for path in paths {
            let mut p = bea_invited_by_the_owner();
            (path.set_up)(&mut p);
            let before = state(&mut p);
            p.ctx.actor = Actor::Member(email("ann@acme.test"));
            let err = (path.run)(&mut p).expect_err(path.what);
            p.ctx.actor = Actor::Operator("root".into());
            assert_eq!(err.exit_code(), 5, "{}: {err}", path.what);
            assert_eq!(
                state(&mut p),
                before,
                "{}: a refusal changed something",
                path.what
            );
            (path.run)(&mut p).unwrap_or_else(|e| panic!("{}: the operator: {e}", path.what));
            let newest = |s: &(_, Vec<Invitation>, _, _)| s.1.iter().map(|i| i.id).max();
            assert!(
                newest(&state(&mut p)) > newest(&before),
                "{}: minted no token",
                path.what
            );
        }
    }

    /// The rule asks of a member only what the token gives: one who holds
    /// it all (the owner) resends an expired invitation.
    #[test]
    fn whoever_holds_the_access_an_invitation_gives_resends_it() {
        let mut p = bea_invited_by_the_owner();
        p.ctx.now = p.ctx.now.plus(Duration::hours(2)).expect("later");
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let resent = p
            .resend_invite(&bea(), None, None, true)
            .expect("the owner holds it all");
        p.ctx.actor = Actor::Operator("root".into());
        let view = p.accept(&resent.token, None).expect("accept");
        assert_eq!(view.grants, vec!["billing", "services"]);
    }

    /// A token minted in a write whose journal does not show it stored is
    /// refused as a defect: the gate could not review what it gives.
    #[test]
    fn a_token_the_gate_does_not_see_stored_is_refused() {
        let mut p = seeded("portal");
        let err = p
            .write(|w| {
                new_token(w)?;
                Ok(())
            })
            .expect_err("an unseen token");
        assert!(
            err.to_string().contains("without the gate's review"),
            "{err}"
        );
    }

    #[test]
    fn one_marked_as_left_before_accepting_is_invited_again_with_their_role() {
        let mut p = seeded("portal");
        let ivy = email("ivy@acme.test");
        p.invite(&InviteRequest {
            email: Some(ivy.clone()),
            role: Some("manager".into()),
            send: false,
            ..InviteRequest::default()
        })
        .expect("invite");
        p.left_company(&ivy, None, &crate::domain::Handover::default())
            .expect("left");
        // Nothing to activate: they never had access.
        assert!(p.activate(&ivy, None).is_err());
        let again = p.resend_invite(&ivy, None, None, false).expect("reopened");
        let accepted = p.accept(&again.token, None).expect("accept");
        assert_eq!(accepted.role, "manager");
        assert_eq!(accepted.status, MemberStanding::Active);
    }
}
