//! Services: the assets of an account, who they are assigned to, and who
//! may see them.

use std::collections::{BTreeMap, HashMap};

use super::access::{authority, authorize, caps, Authority};
use super::audit::Change;
use super::gate::Write;
use super::held_names::not_read_as_another;
use super::visibility::listed_accounts;
use super::visibility::{actor_accounts, resolve_account_of, Named};
use super::{member_in, standing, Actor, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{
    parse_name, Account, Email, MemberStatus, Membership, Paste, Service, Timestamp,
};
use crate::store::Tx;
use crate::view::ServiceView;

/// Which services of an account the actor may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Visibility {
    /// Every service (`services.view_all`, or the operator).
    All,
    /// Only those assigned to this membership: what every member with a
    /// role that is not blocking sees (`services.view_assigned` or not).
    Assigned(i64),
}

impl Visibility {
    pub(crate) fn sees(self, service: &Service) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Assigned(m) => service.assigned_to == Some(m),
        }
    }
}

/// What the actor may see of the account's services; refused when nothing.
pub(crate) fn visibility(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<Visibility> {
    match authority(tx, catalog, ctx, account)? {
        Authority::Operator => Ok(Visibility::All),
        Authority::Member { access, .. } if access.holds(caps::SERVICES_VIEW_ALL) => {
            Ok(Visibility::All)
        }
        // 004: "a member always sees the services assigned to them", with
        // `services.view_assigned` or without it; only a member with no
        // access (deactivated, left, the blocking role) sees none.
        Authority::Member { access, .. } if access.holds(caps::PORTAL_ACCESS) => {
            Ok(Visibility::Assigned(access.membership.id))
        }
        // Services are no part of what a parent partner manages.
        Authority::Member { .. } | Authority::Partner { .. } => authorize(
            tx,
            catalog,
            ctx,
            account,
            caps::SERVICES_VIEW_ALL.to("see services"),
        )
        .map(|_| Visibility::All),
    }
}

/// Finds a service by its name within the account, or by its id. A key
/// that is both one service's name and another's id (a name of digits
/// from before such names were refused) is refused as ambiguous rather
/// than taken as either: a command meant for the service `service list`
/// numbers must never reach another.
pub(crate) fn find_service(tx: &dyn Tx, account: &Account, key: &str) -> Result<Service> {
    // As a name is stored (see `composed`), so the name it was added by,
    // typed again, finds it.
    let key = crate::model::composed(key);
    let key = key.as_ref();
    let by_name = tx.service_named(account.id, key)?;
    let by_id = match key.parse::<i64>() {
        Ok(number) => tx.service_numbered(account.id, number)?,
        Err(_) => None,
    };
    match (by_name, by_id) {
        (Some(named), Some(numbered)) if named.id != numbered.id => Err(Error::invalid(format!(
            "`{key}` is the name of service #{} and the id of `{}` in `{}`",
            named.number, numbered.name, account.name
        ))
        .help(format!(
            "name them apart: `{}` by its name, the one named `{key}` by its id `{}`",
            numbered.name, named.number
        ))),
        (Some(service), _) | (None, Some(service)) => Ok(service),
        (None, None) => Err(no_service(key, account)),
    }
}

/// Refuses a service name that reads as an id (`7`, `#7`): a command
/// naming it would reach the service that id numbers.
fn ensure_not_an_id(name: &str) -> Result<()> {
    let digits = name.strip_prefix('#').unwrap_or(name);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(
            Error::invalid(format!("the service name `{name}` reads as a service's id"))
                .help("give it a name with a letter in it, such as `Line 1`"),
        );
    }
    Ok(())
}

/// Whether the actor sees every service of `keys` in `account`: an
/// account where one is not there, or not there for them, is not the one
/// a command naming them means (see `resolve_account_of`).
fn seen_in(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    keys: &[impl AsRef<str>],
) -> Result<()> {
    let seen = visibility(tx, catalog, ctx, account)?;
    for key in keys {
        let key = key.as_ref();
        if !seen.sees(&find_service(tx, account, key)?) {
            return Err(no_service(key.trim(), account));
        }
    }
    Ok(())
}

/// Refuses services named together without `--account` (`service assign
/// S1 S2 ...`) that no one account holds for the actor: those found in
/// none are named alone ("no service `99`"), and services found each in
/// another account are told apart by account, so that a refusal never
/// calls missing a service the actor sees (findings B10). Where one
/// account holds them all, or the actor weighs one account only, the
/// account is picked as for one service (`resolve_account_of`).
fn in_one_account(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    keys: &[String],
    verb: &str,
) -> Result<()> {
    let accounts = match &ctx.actor {
        Actor::Member(_) => actor_accounts(tx, ctx)?,
        Actor::Operator(_) => tx.accounts()?,
    };
    if keys.len() < 2 || accounts.len() < 2 {
        return Ok(());
    }
    // Each service named, with the accounts the actor sees it in.
    let mut found: Vec<(&str, Vec<&Account>)> = Vec::new();
    for key in keys {
        let key = key.trim();
        if found.iter().any(|(k, _)| *k == key) {
            continue;
        }
        let mut holding = Vec::new();
        for account in &accounts {
            match seen_in(tx, catalog, ctx, account, &[key]) {
                Ok(()) => holding.push(account),
                Err(Error::NotFound(_) | Error::Denied(_)) => {}
                Err(e) => return Err(e),
            }
        }
        found.push((key, holding));
    }
    let missing: Vec<&str> = found
        .iter()
        .filter(|(_, holding)| holding.is_empty())
        .map(|(key, _)| *key)
        .collect();
    if !missing.is_empty() {
        let (noun, it) = match missing.len() {
            1 => ("service", "it"),
            _ => ("services", "them"),
        };
        let whose = match ctx.actor {
            Actor::Member(_) => format!(" you may see {it} in"),
            Actor::Operator(_) => String::new(),
        };
        return Err(Error::not_found(format!(
            "no {noun} `{}` in any account{whose}",
            missing.join(", ")
        ))
        .help(format!(
            "check the name: `{}` lists them",
            Paste::new("service").words("list")
        )));
    }
    if accounts.iter().any(|a| {
        found
            .iter()
            .all(|(_, holding)| holding.iter().any(|h| h.id == a.id))
    }) {
        return Ok(());
    }
    let each: Vec<String> = found
        .iter()
        .map(|(key, holding)| {
            let names: Vec<String> = holding.iter().map(|a| format!("`{}`", a.name)).collect();
            format!("`{key}` in {}", names.join(" or "))
        })
        .collect();
    Err(Error::invalid(format!(
        "the services named are in different accounts: {}",
        each.join(", ")
    ))
    .help(format!(
        "{verb} them one account at a time, naming it with --account"
    )))
}

/// The answer for a service that is not there, or not there for the
/// actor to see: the same words, so neither tells the other apart.
fn no_service(key: &str, account: &Account) -> Error {
    Error::not_found(format!("no service `{key}` in `{}`", account.name))
        .help("`portalctl service list` shows them")
}

/// Why `m` (the membership of `email`) may not be given services in
/// `account` at `now`, or `None` when it may: services go to active
/// members with access. The one rule of `service assign`, of where a
/// leaving member's services go (`--reassign-to`) and of apply, so that a
/// member blocked by their role is refused as one who left is (findings
/// N10).
pub(super) fn cannot_hold_services(
    tx: &dyn Tx,
    catalog: &Catalog,
    account: &Account,
    email: &str,
    m: &Membership,
    now: Timestamp,
) -> Result<Option<Error>> {
    if m.status != MemberStatus::Active {
        return Ok(Some(Error::conflict(format!(
            "`{email}` is {} in `{}`; services go to active members",
            standing(tx, m)?,
            account.name
        ))));
    }
    let role = catalog.role(tx, m.clone().in_force(now).role_id)?;
    if role.blocking && account.owner_id != Some(m.person_id) {
        return Ok(Some(
            Error::conflict(format!(
                "`{email}` is blocked in `{}` (role `{}` blocks all access); services go to members with access",
                account.name, role.name
            ))
            .help("give them a role with access first, or assign the services to someone else"),
        ));
    }
    Ok(None)
}

/// When `m` stops holding services by itself, as it stands at `at`: the
/// moment its role lapses to the blocking role, or its external access
/// ends (`None`: neither is to come). Blocking is offboarding, and
/// nothing runs at that moment to ask where the services go, so an
/// assignment ends there with the access (see [`end_with_access`]). The
/// owner (`owner`) holds every capability whatever their role.
pub(super) fn access_ends(
    tx: &dyn Tx,
    catalog: &Catalog,
    m: &Membership,
    owner: bool,
    at: Timestamp,
) -> Result<Option<Timestamp>> {
    let m = m.clone().in_force(at);
    if owner || m.status != MemberStatus::Active {
        return Ok(None);
    }
    let mut ends = None;
    if let (Some(until), Some(after)) = (m.role_until, m.role_after) {
        if catalog.role(tx, after)?.blocking {
            ends = Some(until);
        }
    }
    if m.external_from.is_some() {
        ends = earliest(ends, m.external_until);
    }
    Ok(ends)
}

/// The earlier of two ends, `None` being never.
pub(super) fn earliest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Keeps the services assigned to `m` in `account` from outlasting its
/// access, in the caller's change, now that the access ends at `ends`
/// where it ended at `ended` before (each `None`: never): an assignment
/// past `ends` ends there, and one that ended with the access before
/// moves with it (later, or for good). Each moved assignment is a
/// `service.assign` event saying when it ends. So a member whose access
/// runs out (a role lapsing to the blocking role, external access given
/// `--until`) is seen holding no service from that moment, by every read
/// (findings N10). How many services end sooner than they did.
pub(super) fn end_with_access(
    w: &Write<'_>,
    account: &Account,
    m: &Membership,
    ended: Option<Timestamp>,
    ends: Option<Timestamp>,
) -> Result<usize> {
    let mut sooner = 0;
    for service in w.tx.services_assigned_to(m.id)? {
        let until = match service.assigned_until {
            Some(end) if Some(end) == ended => ends,
            end => earliest(end, ends),
        };
        if until == service.assigned_until {
            continue;
        }
        if until.is_some() && earliest(until, service.assigned_until) == until {
            sooner += 1;
        }
        let before = service_view(w.tx, account, &service)?;
        let moved = Service {
            assigned_until: until,
            ..service
        };
        w.tx.update_service(&moved)?;
        w.changed(
            "service.assign",
            account,
            moved.name.clone(),
            Some(&before),
            &service_view(w.tx, account, &moved)?,
        )?;
    }
    Ok(sooner)
}

/// Unassigns, in the caller's change, every service of `account` assigned
/// to the membership `m`, each a `service.unassign` event in `account`'s
/// log; how many. For access to a customer that ends through another
/// account (an external admin removed, or cut off by their partner),
/// where nobody is there to say where the services go and the partner
/// may not see them: they must not stay with someone who holds nothing
/// there (findings N10).
pub(super) fn unassign_all(w: &Write<'_>, account: &Account, m: &Membership) -> Result<usize> {
    let services = w.tx.services_assigned_to(m.id)?;
    for service in &services {
        hand_service(w, account, service, None, None)?;
    }
    Ok(services.len())
}

/// Gives `service` of `account` to the membership `to` (`None`: to
/// nobody), until `until`, in the caller's change, with its
/// `service.assign` or `service.unassign` event; the service as it is
/// left. The one way a service changes hands (`service assign`, where a
/// leaving member's services go, an external admin's end, a merge), so
/// that none gives one to a member who may not hold it (findings E8) or
/// gives it unrecorded (findings E7); the gate checks both again of every
/// service a write changed (see [`review_holders`]).
pub(super) fn hand_service(
    w: &Write<'_>,
    account: &Account,
    service: &Service,
    to: Option<&Membership>,
    until: Option<Timestamp>,
) -> Result<ServiceView> {
    if let Some(m) = to {
        let email = w.tx.person(m.person_id)?.email;
        if let Some(refusal) =
            cannot_hold_services(w.tx, w.catalog()?, account, email.as_str(), m, w.ctx.now)?
        {
            return Err(refusal);
        }
    }
    // Given to someone whose access runs out, it ends with that access,
    // as their later change would end it.
    let until = match to {
        Some(m) => {
            let owner = account.owner_id == Some(m.person_id);
            earliest(until, access_ends(w.tx, w.catalog()?, m, owner, w.ctx.now)?)
        }
        None => None,
    };
    let before = service_view(w.tx, account, service)?;
    let handed = Service {
        assigned_to: to.map(|m| m.id),
        assigned_until: until,
        ..service.clone()
    };
    // Assigned as it already was, it is not written again.
    if handed != *service {
        w.tx.update_service(&handed)?;
    }
    let after = service_view(w.tx, account, &handed)?;
    let action = match to {
        Some(_) => "service.assign",
        None => "service.unassign",
    };
    w.changed(action, account, handed.name.clone(), Some(&before), &after)?;
    Ok(after)
}

/// The write gate's check of every service a write changed (`changed`,
/// each as it was before, `None` for one it added) whose holder or end
/// it changed: the holder it leaves may hold services, and one of
/// `events` (the write's) is the service's. So a command that hands
/// services some other way than [`hand_service`] is refused, rather than
/// leave a service with someone who left or is blocked (findings E8) or
/// its contact's history out of the log (findings E7).
pub(super) fn review_holders(
    tx: &dyn Tx,
    catalog: &Catalog,
    changed: &BTreeMap<i64, Option<Service>>,
    events: &[Change],
    now: Timestamp,
) -> Result<()> {
    let held = |s: &Service| (s.assigned_to, s.assigned_until);
    for (id, before) in changed {
        let Some(service) = tx.service_by_id(*id)? else {
            continue;
        };
        if before.as_ref().map_or((None, None), held) == held(&service) {
            continue;
        }
        let account = tx.account(service.account_id)?;
        if let Some(holder) = service.assigned_to {
            let m = tx.membership(holder)?;
            let email = tx.person(m.person_id)?.email;
            if let Some(refusal) =
                cannot_hold_services(tx, catalog, &account, email.as_str(), &m, now)?
            {
                return Err(refusal);
            }
        }
        let names = [
            Some(service.name.as_str()),
            before.as_ref().map(|b| b.name.as_str()),
        ];
        let recorded = events.iter().any(|c| {
            c.action.starts_with("service.")
                && c.target.is_some()
                && names.contains(&c.target.as_deref())
                && c.account.as_ref().is_some_and(|a| a.id == account.id)
        });
        if !recorded {
            return Err(anyhow::anyhow!(
                "service `{}` was about to change hands without an audit event",
                service.name
            )
            .into());
        }
    }
    Ok(())
}

pub(crate) fn service_view(tx: &dyn Tx, account: &Account, s: &Service) -> Result<ServiceView> {
    let assigned_to = match s.assigned_to {
        Some(m) => Some(tx.person(tx.membership(m)?.person_id)?.email.to_string()),
        None => None,
    };
    Ok(ServiceView {
        id: s.number,
        name: s.name.clone(),
        kind: s.kind.clone(),
        account: account.name.clone(),
        assigned_to,
        assigned_until: s.assigned_until,
    })
}

impl Portal {
    /// Adds a service to an account; needs `services.assign`.
    pub(crate) fn service_add(
        &mut self,
        name: &str,
        kind: Option<&str>,
        account: Option<&str>,
    ) -> Result<ServiceView> {
        self.service_add_numbered(name, kind, account, None)
    }

    /// [`Portal::service_add`] under `number` when one is given (a file
    /// restoring the service's number, which its caller has found free),
    /// else under the next.
    pub(crate) fn service_add_numbered(
        &mut self,
        name: &str,
        kind: Option<&str>,
        account: Option<&str>,
        number: Option<i64>,
    ) -> Result<ServiceView> {
        self.write(|w| {
            let tx = w.tx;
            let account = w.account(account, caps::SERVICES_ASSIGN.to("add services"))?;
            // A new service's name must differ from every service of the
            // account, so who adds one sees them all (as an admin or
            // manager does, 001): a refusal of a name taken would tell one
            // who sees only their own of a service hidden from them.
            if visibility(tx, w.catalog()?, &w.ctx, &account)? != Visibility::All {
                authorize(
                    tx,
                    w.catalog()?,
                    &w.ctx,
                    &account,
                    caps::SERVICES_VIEW_ALL.to("add services"),
                )?;
            }
            let name = parse_name("the service name", name)?;
            ensure_not_an_id(&name)?;
            if tx.service_named(account.id, &name)?.is_some() {
                return Err(Error::conflict(format!(
                    "`{}` already has a service `{name}`",
                    account.name
                )));
            }
            // Who adds a service sees them all (above), so is told which
            // one a name reads as.
            not_read_as_another(tx, "service", &account, &name, None, true)?;
            let kind = kind
                .map(|k| parse_name("the service kind", k))
                .transpose()?;
            // The account's next number, by index: a number counts only
            // that account's services (findings D4).
            let number = match number {
                Some(n) => n,
                None => tx.last_service_number(account.id)? + 1,
            };
            let mut service = Service {
                id: 0,
                number,
                account_id: account.id,
                name,
                kind,
                assigned_to: None,
                assigned_until: None,
                created_at: w.ctx.now,
            };
            service.id = tx.insert_service(&service)?;
            let view = service_view(tx, &account, &service)?;
            w.changed("service.add", &account, service.name.clone(), None, &view)?;
            Ok(view)
        })
    }

    /// The services the actor may see: all of them with
    /// `services.view_all`, only their own with `services.view_assigned`;
    /// in the account named, or else in every account where they may see
    /// some (as `order list` lists orders), by account name. At most
    /// `limit`, the first in that order. Each account's are read by index
    /// (the name, or the assignee for who sees their own only) and the
    /// reading stops at the limit, so neither grows with the account's
    /// services (findings B3).
    pub(crate) fn service_list(
        &mut self,
        account: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Vec<ServiceView>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let accounts = listed_accounts(
            &*tx,
            &self.ctx,
            account,
            |account| visibility(&*tx, &catalog, &self.ctx, account),
            "seeing services needs `services.view_all` or `services.view_assigned` in some account",
        )?;
        let mut views = Vec::new();
        // Who each service is assigned to, read once per assignee: one
        // who sees their own only is every row's.
        let mut assignees: HashMap<i64, String> = HashMap::new();
        for (account, seen) in accounts {
            let left = match limit {
                Some(limit) => {
                    let left = limit.saturating_sub(u32::try_from(views.len()).unwrap_or(u32::MAX));
                    if left == 0 {
                        break;
                    }
                    Some(left)
                }
                None => None,
            };
            let services = match seen {
                Visibility::All => tx.services_page(account.id, left)?,
                Visibility::Assigned(m) => tx.services_assigned_page(m, left)?,
            };
            for s in services {
                let assigned_to = match s.assigned_to {
                    Some(m) => Some(match assignees.get(&m) {
                        Some(email) => email.clone(),
                        None => {
                            let email = tx.person(tx.membership(m)?.person_id)?.email.to_string();
                            assignees.insert(m, email.clone());
                            email
                        }
                    }),
                    None => None,
                };
                views.push(ServiceView {
                    assigned_to,
                    ..service_view(
                        &*tx,
                        &account,
                        &Service {
                            assigned_to: None,
                            ..s
                        },
                    )?
                });
            }
        }
        Ok(views)
    }

    /// One service, if the actor may see it.
    pub(crate) fn service_show(&mut self, key: &str, account: Option<&str>) -> Result<ServiceView> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let named = Named {
            noun: "service",
            group: "service",
            key,
        };
        let account = resolve_account_of(
            &*tx,
            &self.ctx,
            account,
            Some(named),
            |a| seen_in(&*tx, &catalog, &self.ctx, a, std::slice::from_ref(&key)),
            |_| Ok(()),
        )?;
        let seen = visibility(&*tx, &catalog, &self.ctx, &account)?;
        let service = find_service(&*tx, &account, key)?;
        // One assigned to someone else is not theirs to know of.
        if !seen.sees(&service) {
            return Err(no_service(key.trim(), &account));
        }
        service_view(&*tx, &account, &service)
    }

    /// Assigns services to an active member of their account (`Some`), or
    /// clears their assignment (`None`); needs `services.assign`. Several
    /// services go in one transaction (001: "assigned by an admin via the
    /// asset detail page or bulk assignment"): one audit event each, and
    /// one that cannot be found or assigned refuses them all. A service
    /// named twice is assigned once. With `until`, the assignment ends by
    /// itself at that moment.
    pub(crate) fn service_assign(
        &mut self,
        keys: &[String],
        to: Option<&Email>,
        account: Option<&str>,
        until: Option<Timestamp>,
    ) -> Result<Vec<ServiceView>> {
        if let Some(until) = until {
            super::ensure_future(until, self.now())?;
        }
        self.write(|w| {
            let tx = w.tx;
            if account.is_none() {
                let verb = if to.is_some() { "assign" } else { "unassign" };
                in_one_account(tx, w.catalog()?, &w.ctx, keys, verb)?;
            }
            // Services named in one account alone name it.
            let listed = keys.join(", ");
            let named = Named {
                noun: if keys.len() == 1 {
                    "service"
                } else {
                    "services"
                },
                group: "service",
                key: &listed,
            };
            let account = w.account_of(
                account,
                caps::SERVICES_ASSIGN.to(if to.is_some() {
                    "assign services"
                } else {
                    "unassign services"
                }),
                named,
                |a| seen_in(tx, w.catalog()?, &w.ctx, a, keys),
            )?;
            // Who sees only their own finds no other to assign or take
            // back. Someone assigning as the partner is no member here,
            // and sees what they manage.
            let seen = match visibility(tx, w.catalog()?, &w.ctx, &account) {
                Ok(seen) => Some(seen),
                Err(Error::Denied(_)) => None,
                Err(e) => return Err(e),
            };
            let mut services: Vec<Service> = Vec::new();
            for key in keys {
                let service = find_service(tx, &account, key)?;
                if seen.as_ref().is_some_and(|s| !s.sees(&service)) {
                    return Err(no_service(key.trim(), &account));
                }
                if !services.iter().any(|s| s.id == service.id) {
                    services.push(service);
                }
            }
            if services.is_empty() {
                return Err(Error::invalid("name at least one service"));
            }
            let assigned_to = match to {
                Some(email) => {
                    let (_, m) = member_in(tx, &w.ctx, email, &account)?;
                    let catalog = w.catalog()?;
                    // Refused in the address typed, before any service.
                    if let Some(refusal) =
                        cannot_hold_services(tx, catalog, &account, email.as_str(), &m, w.ctx.now)?
                    {
                        return Err(refusal);
                    }
                    Some(m)
                }
                None => None,
            };
            let mut views = Vec::with_capacity(services.len());
            for service in services {
                views.push(hand_service(
                    w,
                    &account,
                    &service,
                    assigned_to.as_ref(),
                    until,
                )?);
            }
            Ok(views)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{email, join, seeded};
    use crate::domain::{Actor, Handover, InviteRequest, NewAccount};
    use crate::model::AccountKind;

    /// Findings D4: each account numbers its own services, so a second
    /// one added tells nothing of how many other accounts added; a number
    /// names the service of that number in the account the command is
    /// about, and the next follows the account's highest.
    #[test]
    fn each_account_numbers_its_own_services() {
        let mut p = seeded("portal");
        crate::domain::testing::add_account(&mut p, "Beta", AccountKind::Partner, None);
        let added = |p: &mut Portal, name: &str, account: &str, number: Option<i64>| {
            p.service_add_numbered(name, None, Some(account), number)
                .expect("service")
                .id
        };
        assert_eq!(added(&mut p, "Line 1", "Acme", None), 1);
        assert_eq!(added(&mut p, "Line 1", "Beta", None), 1);
        assert_eq!(added(&mut p, "Line 2", "Beta", None), 2);
        assert_eq!(added(&mut p, "Line 2", "Acme", None), 2);
        assert_eq!(added(&mut p, "Line 9", "Beta", Some(9)), 9);
        assert_eq!(added(&mut p, "Line 10", "Beta", None), 10);
        assert_eq!(added(&mut p, "Line 3", "Acme", None), 3);
        let shown = p.service_show("2", Some("Beta")).expect("Beta's 2");
        assert_eq!(
            (shown.name.as_str(), shown.account.as_str()),
            ("Line 2", "Beta")
        );
        let shown = p.service_show("1", Some("Acme")).expect("Acme's 1");
        assert_eq!(
            (shown.name.as_str(), shown.account.as_str()),
            ("Line 1", "Acme")
        );
        let err = p.service_show("9", Some("Acme")).expect_err("Beta's only");
        assert_eq!(err.exit_code(), 3, "{err}");
    }

    /// Acme (portal preset) with una a user holding `Line`, and a second
    /// service `Spare`, unassigned.
    fn una_holds_a_line() -> Portal {
        let mut p = seeded("portal");
        join(&mut p, "una@acme.test", "user");
        join(&mut p, "ann@acme.test", "admin");
        p.service_add("Line", None, None).expect("service");
        p.service_add("Spare", None, None).expect("service");
        p.service_assign(&["Line".into()], Some(&email("una@acme.test")), None, None)
            .expect("assigned");
        p
    }

    fn holder(p: &mut Portal, service: &str) -> Option<String> {
        p.service_show(service, None).expect("service").assigned_to
    }

    /// Findings N10: blocking a member is offboarding them, as
    /// deactivating is: refused while they hold services and nothing
    /// says where those go, with or without an end, and their services
    /// go where it says.
    #[test]
    fn a_blocking_role_asks_where_the_members_services_go() {
        let mut p = una_holds_a_line();
        let una = email("una@acme.test");
        let soon = p.now().plus(chrono::Duration::days(3)).expect("soon");
        for until in [None, Some(soon)] {
            let err = p
                .set_role(&una, "no-access", None, until)
                .expect_err("she holds a service");
            assert_eq!(err.exit_code(), 4, "{err}");
            assert!(err.to_string().contains("`Line`"), "{err}");
            assert_eq!(
                err.help_text(),
                Some("pass --reassign-to EMAIL to give them to someone, or --unassign")
            );
        }
        // Not to someone blocked either.
        join(&mut p, "bob@acme.test", "no-access");
        let to_bob = Handover::ReassignTo(email("bob@acme.test"));
        let err = p
            .set_role_handing_over(&una, "no-access", None, None, &to_bob)
            .expect_err("bob holds nothing");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert_eq!(holder(&mut p, "Line").as_deref(), Some("una@acme.test"));
        let to_ann = Handover::ReassignTo(email("ann@acme.test"));
        let view = p
            .set_role_handing_over(&una, "no-access", None, None, &to_ann)
            .expect("blocked");
        assert_eq!(view.services_handed_over, Some(vec!["Line".to_string()]));
        assert_eq!(holder(&mut p, "Line").as_deref(), Some("ann@acme.test"));
        // Where services go is said only of a role that blocks.
        let err = p
            .set_role_handing_over(&una, "user", None, None, &Handover::Unassign)
            .expect_err("user blocks nothing");
        assert_eq!(err.exit_code(), 2, "{err}");
    }

    /// Findings N10: services go to members with access, as they go to
    /// active ones.
    #[test]
    fn a_service_is_not_assigned_to_a_blocked_member() {
        let mut p = una_holds_a_line();
        let una = email("una@acme.test");
        p.set_role_handing_over(&una, "no-access", None, None, &Handover::Unassign)
            .expect("blocked");
        assert_eq!(holder(&mut p, "Line"), None);
        let err = p
            .service_assign(&["Spare".into()], Some(&una), None, None)
            .expect_err("blocked");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert!(err.to_string().contains("blocked"), "{err}");
        assert_eq!(holder(&mut p, "Spare"), None);
        p.set_role(&una, "user", None, None).expect("back");
        p.service_assign(&["Spare".into()], Some(&una), None, None)
            .expect("assigned again");
    }

    /// Issue 11: a role lapsing to the blocking role is offboarding too,
    /// with nobody there at the moment to say where the services go: they
    /// end with the access, from the change that makes it end (or the
    /// assignment given after it), and no read shows them held at T.
    /// Access made to last again brings back what ended with it.
    #[test]
    fn services_end_with_a_role_that_lapses_to_the_blocking_role() {
        let mut p = una_holds_a_line();
        let una = email("una@acme.test");
        let t = p.now().plus(chrono::Duration::days(3)).expect("t");
        p.set_role_lapsing(&una, "user", None, t, "no-access", &Handover::Refuse)
            .expect("a user until t, then blocked");
        let warnings = p.take_warnings();
        assert_eq!(
            warnings,
            vec![format!(
                "1 service assigned to `una@acme.test` in `Acme` is unassigned at {t}, when their access ends"
            )]
        );
        let line = p.service_show("Line", None).expect("line");
        assert_eq!(line.assigned_until, Some(t));
        let log = p
            .audit_events(&crate::domain::AuditFilter::default())
            .expect("log");
        let last = log.last().expect("an event");
        assert_eq!(
            (last.action.as_str(), last.target.as_deref()),
            ("service.assign", Some("Line"))
        );
        // Given after, a service ends there too.
        let view = p
            .service_assign(&["Spare".into()], Some(&una), None, None)
            .expect("assigned");
        assert_eq!(view[0].assigned_until, Some(t));
        let now = p.now();
        p.ctx.now = t.minus(chrono::Duration::seconds(1)).expect("t-1s");
        assert_eq!(holder(&mut p, "Line").as_deref(), Some("una@acme.test"));
        p.ctx.now = t;
        assert_eq!(
            (holder(&mut p, "Line"), holder(&mut p, "Spare")),
            (None, None)
        );
        assert!(p
            .service_list(None, None)
            .expect("list")
            .iter()
            .all(|s| s.assigned_to.is_none()));
        // Made to last before t, her access keeps what ended with it.
        p.ctx.now = now;
        p.set_role(&una, "user", None, None)
            .expect("a user for good");
        p.ctx.now = t;
        assert_eq!(holder(&mut p, "Line").as_deref(), Some("una@acme.test"));
        assert_eq!(holder(&mut p, "Spare").as_deref(), Some("una@acme.test"));
        assert_eq!(
            p.service_show("Line", None).expect("line").assigned_until,
            None
        );
    }

    /// The shared mechanism, and the gate behind it (findings E8, E7):
    /// a write that hands a service some other way than `hand_service`
    /// is refused when it gives the service to someone who may not hold
    /// one, or records no event of the service's; nothing changes.
    #[test]
    fn the_gate_refuses_a_service_handed_to_a_blocked_member_or_unrecorded() {
        let mut p = una_holds_a_line();
        join(&mut p, "bob@acme.test", "no-access");
        let hand = |p: &mut Portal, to: &str, logged: bool| {
            p.write(|w| {
                let account = w.tx.account_named("Acme")?.expect("Acme");
                let person = w.tx.person_by_email(to)?.expect(to);
                let m = w.tx.membership_of(person.id, account.id)?.expect("member");
                let line = w.tx.service_named(account.id, "Line")?.expect("Line");
                let before = service_view(w.tx, &account, &line)?;
                let handed = Service {
                    assigned_to: Some(m.id),
                    ..line
                };
                w.tx.update_service(&handed)?;
                let after = service_view(w.tx, &account, &handed)?;
                // An event of something else, so that only the service's
                // own is missing.
                let action = if logged {
                    "service.assign"
                } else {
                    "account.update"
                };
                w.changed(action, &account, handed.name.clone(), Some(&before), &after)
            })
        };
        let err = hand(&mut p, "bob@acme.test", true).expect_err("bob is blocked");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert!(err.to_string().contains("blocked"), "{err}");
        let err = hand(&mut p, "ann@acme.test", false).expect_err("no event of the service's");
        assert_eq!(err.exit_code(), 1, "{err}");
        assert_eq!(holder(&mut p, "Line").as_deref(), Some("una@acme.test"));
        hand(&mut p, "ann@acme.test", true).expect("handed and logged");
        assert_eq!(holder(&mut p, "Line").as_deref(), Some("ann@acme.test"));
    }

    /// Findings E7: where a leaving member's services go is logged as the
    /// services' own events, as `service assign` writes them, besides the
    /// member's event.
    #[test]
    fn services_handed_over_have_their_own_events() {
        let mut p = una_holds_a_line();
        let to_ann = Handover::ReassignTo(email("ann@acme.test"));
        p.deactivate(&email("una@acme.test"), None, &to_ann)
            .expect("deactivated");
        let events = p
            .audit_events(&crate::domain::AuditFilter {
                actions: vec!["service.assign".into()],
                ..crate::domain::AuditFilter::default()
            })
            .expect("audit");
        let last = events.last().expect("an event");
        assert_eq!(last.target.as_deref(), Some("Line"));
        assert_eq!(
            last.after.as_ref().map(|a| a["assigned_to"].clone()),
            Some(serde_json::json!("ann@acme.test"))
        );
    }

    /// The accounts and names a service list shows, in order.
    fn listed(p: &mut Portal) -> Vec<(String, String)> {
        p.service_list(None, None)
            .expect("list")
            .into_iter()
            .map(|s| (s.account, s.name))
            .collect()
    }

    /// A name that reads as an id would take commands meant for the
    /// service that id numbers: refused, with or without `#`.
    #[test]
    fn a_service_name_of_digits_alone_is_refused() {
        let mut p = seeded("portal");
        for name in ["1", " 42 ", "#7"] {
            let err = p.service_add(name, None, None).expect_err(name);
            assert_eq!(err.exit_code(), 2, "{err}");
            assert!(err.to_string().contains("reads as a service's id"), "{err}");
        }
        for name in ["Line 1", "1a", "#"] {
            p.service_add(name, None, None).expect(name);
        }
    }

    /// Without an account named, the list spans every account where the
    /// actor sees services, each seen by its own rule: a user sees only
    /// what is assigned to them, a manager everything; one they see
    /// nothing in, or are no member of, adds nothing.
    #[test]
    fn a_list_without_an_account_keeps_each_accounts_visibility() {
        let mut p = seeded("portal");
        join(&mut p, "uma@acme.test", "user");
        join(&mut p, "ned@acme.test", "no-access");
        p.account_create(&NewAccount {
            name: "Beta".into(),
            kind: AccountKind::Customer,
            parent: None,
            currency: None,
        })
        .expect("customer");
        let invited = p
            .invite(&InviteRequest {
                email: Some(email("uma@acme.test")),
                role: Some("manager".into()),
                account: Some("Beta".into()),
                ..InviteRequest::default()
            })
            .expect("invite to Beta");
        p.accept(&invited.token, None).expect("accept");
        for (name, account) in [("A1", "Acme"), ("A2", "Acme"), ("B1", "Beta")] {
            p.service_add(name, None, Some(account)).expect("service");
        }
        p.service_assign(
            &["A2".into()],
            Some(&email("uma@acme.test")),
            Some("Acme"),
            None,
        )
        .expect("assign");
        let pair = |a: &str, n: &str| (a.to_string(), n.to_string());
        assert_eq!(
            listed(&mut p),
            vec![pair("Acme", "A1"), pair("Acme", "A2"), pair("Beta", "B1")]
        );
        p.ctx.actor = Actor::Member(email("uma@acme.test"));
        assert_eq!(listed(&mut p), vec![pair("Acme", "A2"), pair("Beta", "B1")]);
        p.ctx.actor = Actor::Member(email("ned@acme.test"));
        let err = p.service_list(None, None).expect_err("ned sees none");
        assert_eq!(err.exit_code(), 5, "{err}");
    }

    /// Findings B10: services named together without `--account` are
    /// refused naming only those found nowhere, and, found in different
    /// accounts, as such (exit 2, pointing to `--account`); nothing is
    /// assigned either way. Found together in one account, they are
    /// assigned there.
    #[test]
    fn bulk_assignment_names_only_the_missing_and_tells_accounts_apart() {
        use crate::domain::testing::{add_account, join_in};
        let mut p = seeded("portal");
        add_account(&mut p, "Beta", AccountKind::Customer, None);
        join_in(&mut p, "una@acme.test", "user", Some("Acme"));
        p.service_add("Line", None, Some("Acme")).expect("service");
        p.service_add("Spare", None, Some("Acme")).expect("service");
        p.service_add("Far", None, Some("Beta")).expect("service");
        let una = email("una@acme.test");
        let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let e = p
            .service_assign(&keys(&["Line", "Nope"]), Some(&una), None, None)
            .expect_err("one missing");
        assert_eq!(e.exit_code(), 3);
        assert_eq!(e.to_string(), "no service `Nope` in any account");
        let e = p
            .service_assign(&keys(&["Line", "Far"]), Some(&una), None, None)
            .expect_err("two accounts");
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.to_string(),
            "the services named are in different accounts: `Line` in `Acme`, `Far` in `Beta`"
        );
        assert!(e.help_text().unwrap_or_default().contains("--account"));
        let e = p
            .service_assign(&keys(&["Line", "Far"]), None, None, None)
            .expect_err("two accounts");
        assert!(e
            .help_text()
            .unwrap_or_default()
            .starts_with("unassign them"));
        let listed = p.service_list(None, None).expect("list");
        assert!(listed.iter().all(|s| s.assigned_to.is_none()), "{listed:?}");
        let done = p
            .service_assign(&keys(&["Line", "Spare"]), Some(&una), None, None)
            .expect("one account");
        assert_eq!(done.len(), 2);
    }
}
