//! Who holds which capability, why, and whether the actor may act.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::model::{
    Account, Capability, Email, Grant, Holding, MemberStanding, MemberStatus, Membership, Need,
    Paste, Person, Role, Timestamp,
};
use crate::store::Tx;

use super::{not_a_member, Actor, Catalog, Ctx, Reach};

/// Capabilities the code checks by name; the catalog table makes them.
pub(crate) use crate::model::caps;

/// Whether a member holds a capability, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    /// Yes or no.
    pub allowed: bool,
    /// The rule that decided: owner, role, grant, blocked or inactive.
    pub reason: String,
    /// False when the member has no access at all (inactive or blocked),
    /// rather than lacking this one capability.
    pub has_access: bool,
}

/// Which rule decides a capability; [`Decision::reason`] is its wording.
enum Rule<'a> {
    /// Not active (invited, deactivated, left): no capability at all.
    Inactive(MemberStatus),
    /// An invitation revoked: stored deactivated, told as revoked.
    Revoked,
    /// The role (named) blocks all access.
    Blocked(&'a str),
    Owner,
    /// The role (named) holds every capability.
    AllOfRole(&'a str),
    /// The role (named) includes it.
    InRole(&'a str),
    /// A grant of the named area gives it.
    Area(&'a str),
    /// A grant of the capability itself gives it.
    Direct,
    /// Neither the role (named) nor a grant gives it.
    Lacks(&'a str),
}

impl Rule<'_> {
    fn allows(&self) -> bool {
        matches!(
            self,
            Rule::Owner | Rule::AllOfRole(_) | Rule::InRole(_) | Rule::Area(_) | Rule::Direct
        )
    }

    /// False when the member has no access at all, rather than lacking
    /// one capability.
    fn gives_access(&self) -> bool {
        !matches!(self, Rule::Inactive(_) | Rule::Revoked | Rule::Blocked(_))
    }
}

impl std::fmt::Display for Rule<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rule::Inactive(status) => write!(
                f,
                "membership is {status}; only active members hold capabilities"
            ),
            Rule::Revoked => {
                f.write_str("the invitation was revoked; only active members hold capabilities")
            }
            Rule::Blocked(role) => write!(f, "role `{role}` blocks all access"),
            Rule::Owner => f.write_str("account owner: holds every capability"),
            Rule::AllOfRole(role) => write!(f, "role `{role}` holds every capability"),
            Rule::InRole(role) => write!(f, "role `{role}` includes it"),
            Rule::Area(area) => write!(f, "granted by area `{area}`"),
            Rule::Direct => f.write_str("granted directly"),
            Rule::Lacks(role) => {
                write!(f, "role `{role}` does not include it and no grant gives it")
            }
        }
    }
}

/// One membership's capabilities at one moment.
pub(crate) struct Access<'c> {
    pub membership: Membership,
    pub role: &'c Role,
    pub owner: bool,
    /// Where the membership stands as shown: one whose invitation was
    /// revoked is stored deactivated, and is told so as `user show` shows
    /// them, revoked.
    standing: MemberStanding,
    grants: Vec<Grant>,
    catalog: &'c Catalog,
}

impl<'c> Access<'c> {
    /// Evaluates `membership` in `account` at `at`: grants past their expiry
    /// no longer count.
    pub(crate) fn of(
        tx: &dyn Tx,
        catalog: &'c Catalog,
        account: &Account,
        membership: Membership,
        at: Timestamp,
    ) -> Result<Self> {
        let grants = tx.grants(membership.id)?;
        let owner = account.owner_id == Some(membership.person_id);
        let standing = super::standing(tx, &membership)?;
        Ok(Access::from_parts(tx, catalog, membership, grants, owner, at)?.standing(standing))
    }

    /// The same access, told as a member who stands as `standing` (a
    /// revoked invitee), where the rows it was made from cannot say.
    pub(crate) fn standing(self, standing: MemberStanding) -> Self {
        Access { standing, ..self }
    }

    /// A membership's access from rows already read: its grants and
    /// whether it owns the account; its standing is its status.
    pub(crate) fn from_parts(
        tx: &dyn Tx,
        catalog: &'c Catalog,
        membership: Membership,
        grants: Vec<Grant>,
        owner: bool,
        at: Timestamp,
    ) -> Result<Self> {
        Ok(Access {
            role: catalog.role(tx, membership.role_id)?,
            grants: grants.into_iter().filter(|g| g.in_force(at)).collect(),
            owner,
            standing: membership.status.into(),
            membership,
            catalog,
        })
    }

    /// Holds `cap`, and why or why not.
    pub(crate) fn decide(&self, cap: Capability) -> Decision {
        let rule = self.rule(cap);
        Decision {
            allowed: rule.allows(),
            reason: rule.to_string(),
            has_access: rule.gives_access(),
        }
    }

    /// The rule that decides `cap`. Told apart from its wording so that
    /// the checks a bulk write makes for every member and capability
    /// (`holds`) format no reason nobody reads.
    fn rule(&self, cap: Capability) -> Rule<'_> {
        if self.membership.status != MemberStatus::Active {
            return match self.standing {
                MemberStanding::Revoked => Rule::Revoked,
                _ => Rule::Inactive(self.membership.status),
            };
        }
        let role = self.role.name.as_str();
        if self.role.blocking {
            return Rule::Blocked(role);
        }
        if self.owner {
            return Rule::Owner;
        }
        if self.role.all_capabilities {
            return Rule::AllOfRole(role);
        }
        if self.role.holds(cap) {
            return Rule::InRole(role);
        }
        for grant in &self.grants {
            if self
                .catalog
                .grant_capabilities(&grant.name)
                .is_ok_and(|c| c.contains(&cap))
            {
                return match self.catalog.bundle(&grant.name) {
                    Some(_) => Rule::Area(&grant.name),
                    None => Rule::Direct,
                };
            }
        }
        Rule::Lacks(role)
    }

    /// When `cap`, held now, stops being held as time-bound access lapses
    /// (role, grants, external access): the first lapse after which it is
    /// not held. `None` when it is not held, or held for good.
    pub(crate) fn held_until(
        &self,
        tx: &dyn Tx,
        cap: Capability,
        now: Timestamp,
    ) -> Result<Option<Timestamp>> {
        if !self.holds(cap) {
            return Ok(None);
        }
        let mut moments: Vec<Timestamp> =
            [self.membership.role_until, self.membership.external_until]
                .into_iter()
                .chain(self.grants.iter().map(|g| g.expires_at))
                .flatten()
                .filter(|t| *t > now)
                .collect();
        moments.sort_unstable();
        moments.dedup();
        for at in moments {
            let later = Access::from_parts(
                tx,
                self.catalog,
                self.membership.clone().in_force(at),
                self.grants.clone(),
                self.owner,
                at,
            )?;
            if !later.holds(cap) {
                return Ok(Some(at));
            }
        }
        Ok(None)
    }

    /// Holds `cap`.
    pub(crate) fn holds(&self, cap: Capability) -> bool {
        self.rule(cap).allows()
    }

    /// Every capability held, in catalog order.
    pub(crate) fn capabilities(&self) -> Vec<Capability> {
        Capability::all().filter(|c| self.holds(*c)).collect()
    }

    /// Which capabilities of `given` this access neither holds nor covers
    /// with a wider one ([`Capability::covered_by`]), in catalog order:
    /// the one comparison of "holds no more there than here", so that a
    /// partner role and the external access it backs are read alike by
    /// every command that checks them.
    pub(crate) fn uncovered(&self, given: &Access<'_>) -> Vec<Capability> {
        given
            .capabilities()
            .into_iter()
            .filter(|c| !c.covered_by().any(|by| self.holds(by)))
            .collect()
    }
}

/// What a partner's `customers.manage` holder may do in a customer account
/// the partner created, without being a member of it: "add and manage
/// customers" (seed 000) covers the customer's profile and its shipping
/// addresses. Nothing about its members, so no access is handed out this way.
/// Its name is part of the profile the partner manages; renaming needs
/// `account.config`, which in a customer (no partner config) does nothing
/// else.
pub(crate) const MANAGED_BY_PARTNER: [Capability; 5] = [
    caps::ACCOUNT_VIEW,
    caps::ACCOUNT_EDIT,
    caps::ACCOUNT_CONFIG,
    caps::ADDRESSES_EDIT,
    caps::ADDRESSES_USE,
];

/// What a partner's `customers.view` holder who does not manage its
/// customers may do in a customer account the partner created, without
/// being a member of it: see its profile (and so its sites, as those who
/// manage it do, see `addresses::reads_addresses`). 000's view-only
/// levels "view pages within the LMP", and its customers are pages of it;
/// nothing inside the customer (its members, services, orders, policies)
/// comes with it, as it does not with [`MANAGED_BY_PARTNER`].
pub(crate) const VIEWED_BY_PARTNER: [Capability; 1] = [caps::ACCOUNT_VIEW];

impl Access<'_> {
    /// Sees the customers of the partner this access is held in
    /// (`customers.view`, or `customers.manage`, which covers it): the one
    /// rule of who knows a partner's customers, for every command that
    /// reads them (`account list|show`, `license list`, `export`,
    /// completions).
    pub(crate) fn sees_customers(&self) -> bool {
        caps::CUSTOMERS_VIEW.covered_by().any(|c| self.holds(c))
    }

    /// What this access, held in a partner, gives in the partner's
    /// customers: [`MANAGED_BY_PARTNER`] to who manages them,
    /// [`VIEWED_BY_PARTNER`] to who only sees them, else nothing.
    pub(crate) fn partner_reach(&self) -> &'static [Capability] {
        if self.holds(caps::CUSTOMERS_MANAGE) {
            &MANAGED_BY_PARTNER
        } else if self.sees_customers() {
            &VIEWED_BY_PARTNER
        } else {
            &[]
        }
    }
}

/// The acting party, once checked against an account.
pub(crate) enum Authority<'c> {
    /// The operator: anything an owner may do.
    Operator,
    /// A member of the account.
    Member {
        person: Box<Person>,
        access: Box<Access<'c>>,
    },
    /// A member of the account's parent partner who sees its customers
    /// there: they hold in the customer what [`Access::partner_reach`]
    /// gives, and nothing else.
    Partner {
        person: Box<Person>,
        access: Box<Access<'c>>,
    },
}

impl Authority<'_> {
    /// Whether the actor holds `cap` (the operator holds everything).
    pub(crate) fn holds(&self, cap: Capability) -> bool {
        match self {
            Authority::Operator => true,
            Authority::Member { access, .. } => access.holds(cap),
            Authority::Partner { access, .. } => access.partner_reach().contains(&cap),
        }
    }

    /// Whether the actor, as a party to a partner, sees its customers
    /// ([`Access::sees_customers`]; the operator sees all).
    pub(crate) fn sees_customers(&self) -> bool {
        match self {
            Authority::Operator => true,
            Authority::Member { access, .. } => access.sees_customers(),
            Authority::Partner { .. } => false,
        }
    }

    /// Whether the actor sees the whole account (its sites, approval
    /// policies and partner config) rather than its basic details only.
    /// 001 gives "the full customer account ... all sites" to admins and
    /// managers, and users "services assigned to them ... basic account
    /// info": a member whose services are limited to their own
    /// (`services.view_assigned` without `services.view_all`) is such a
    /// user. No other catalog role holds `services.view_assigned`, so this
    /// takes nothing from them. A parent partner's member does not: it
    /// manages the customer's profile and addresses
    /// ([`MANAGED_BY_PARTNER`]), and what lies inside the customer is its
    /// members' (findings C7).
    pub(crate) fn sees_whole_account(&self) -> bool {
        match self {
            Authority::Member { access, .. } => {
                access.holds(caps::SERVICES_VIEW_ALL) || !access.holds(caps::SERVICES_VIEW_ASSIGNED)
            }
            Authority::Operator => true,
            Authority::Partner { .. } => false,
        }
    }

    /// The operator or the account's owner.
    pub(crate) fn is_owner_or_operator(&self) -> bool {
        match self {
            Authority::Operator => true,
            Authority::Member { access, .. } => access.owner,
            Authority::Partner { .. } => false,
        }
    }

    /// The acting person, unless the operator acts.
    pub(crate) fn person(&self) -> Option<&Person> {
        match self {
            Authority::Operator => None,
            Authority::Member { person, .. } | Authority::Partner { person, .. } => {
                Some(person.as_ref())
            }
        }
    }

    /// Which of `given` the actor does not hold, and so may not hand out
    /// (none, for the operator).
    pub(crate) fn lacks(&self, given: &[Capability]) -> Vec<Capability> {
        given.iter().copied().filter(|c| !self.holds(*c)).collect()
    }

    /// Refuses to hand out capabilities the actor does not hold: a member
    /// may only give a role or grant whose capabilities they hold themselves.
    pub(crate) fn ensure_may_give(&self, what: &str, given: &[Capability]) -> Result<()> {
        let (Authority::Member { person, .. } | Authority::Partner { person, .. }) = self else {
            return Ok(());
        };
        let missing: Vec<&str> = self.lacks(given).iter().map(|c| c.as_str()).collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::denied(format!(
            "`{}` cannot give {what}: it includes capabilities they do not hold ({})",
            person.email,
            missing.join(", ")
        ))
        .help("only someone who holds every capability of a role or grant, such as the account's owner, may hand it out"))
    }
}

/// The actor as a party to `account`, without checking any capability.
pub(crate) fn authority<'c>(
    tx: &dyn Tx,
    catalog: &'c Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<Authority<'c>> {
    let email = match &ctx.actor {
        Actor::Operator(_) => return Ok(Authority::Operator),
        Actor::Member(email) => email,
    };
    // Opening the portal refuses such an actor already; this keeps the
    // domain's own answer the same for callers that did not.
    let person = tx
        .person_by_email(email.as_str())?
        .filter(|p| p.merged_into.is_none())
        .ok_or_else(|| Error::not_found(format!("no member `{email}` (--as)")))?;
    let membership = tx
        .membership_of(person.id, account.id)?
        .ok_or_else(|| not_a_member(email, &account.name))?;
    let access = Access::of(tx, catalog, account, membership, ctx.now)?;
    Ok(Authority::Member {
        person: Box::new(person),
        access: Box::new(access),
    })
}

/// The acting member and their seat in each of `accounts`, as
/// [`authority`] judges one (no parent partner's sight; `None` where they
/// are no member); `None` for the operator. A fixed number of statements
/// for any number of accounts, so that a list across accounts does not
/// grow by a query per account (issue 11).
pub(crate) fn seats<'c>(
    tx: &dyn Tx,
    catalog: &'c Catalog,
    ctx: &Ctx,
    accounts: &[Account],
) -> Result<Option<(Person, Vec<Option<Access<'c>>>)>> {
    let email = match &ctx.actor {
        Actor::Operator(_) => return Ok(None),
        Actor::Member(email) => email,
    };
    let person = tx
        .person_by_email(email.as_str())?
        .filter(|p| p.merged_into.is_none())
        .ok_or_else(|| Error::not_found(format!("no member `{email}` (--as)")))?;
    let ids: Vec<i64> = tx.memberships_of(person.id)?.iter().map(|m| m.id).collect();
    let mut theirs: HashMap<i64, (Membership, Vec<Grant>)> = tx
        .memberships_with_grants(&ids)?
        .into_iter()
        .map(|(m, grants)| (m.account_id, (m, grants)))
        .collect();
    let joined: Vec<i64> = theirs.keys().copied().collect();
    catalog.read_accounts(tx, &joined)?;
    let mut each = Vec::with_capacity(accounts.len());
    for account in accounts {
        each.push(match theirs.remove(&account.id) {
            Some((membership, grants)) => {
                let owner = account.owner_id == Some(membership.person_id);
                Some(Access::from_parts(
                    tx, catalog, membership, grants, owner, ctx.now,
                )?)
            }
            None => None,
        });
    }
    Ok(Some((person, each)))
}

/// Those of `accounts` where the actor holds `cap` as a party to each
/// ([`seats`]): all of them for the operator.
pub(crate) fn accounts_holding(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    accounts: Vec<Account>,
    cap: Capability,
) -> Result<Vec<Account>> {
    if accounts.is_empty() {
        return Ok(accounts);
    }
    let Some((_, seats)) = seats(tx, catalog, ctx, &accounts)? else {
        return Ok(accounts);
    };
    Ok(accounts
        .into_iter()
        .zip(seats)
        .filter(|(_, seat)| seat.as_ref().is_some_and(|a| a.holds(cap)))
        .map(|(account, _)| account)
        .collect())
}

/// Refuses a member where only the operator may act: the same refusal
/// (exit 5) for every operator-only command.
pub(crate) fn ensure_operator(ctx: &Ctx, what: &str) -> Result<()> {
    match &ctx.actor {
        Actor::Operator(_) => Ok(()),
        Actor::Member(email) => Err(Error::denied(format!(
            "`{email}` may not {what}: only the operator who owns the database can"
        ))
        .help("run the command without --as / PORTALCTL_AS")),
    }
}

/// Refuses the operator where only a member may act: a usage error (exit
/// 2), since the command needs to be told who acts.
pub(crate) fn ensure_member<'c>(ctx: &'c Ctx, what: &str) -> Result<&'c Email> {
    match &ctx.actor {
        Actor::Member(email) => Ok(email),
        Actor::Operator(_) => Err(Error::invalid(format!(
            "{what} needs --as: only a member can do it"
        ))
        .help("pass --as EMAIL or set PORTALCTL_AS")),
    }
}

/// For catalog-wide reads (roles, courses): the operator, or a member with
/// access to at least one account. Returns whether the operator acts, who
/// alone sees figures across accounts.
pub(crate) fn ensure_portal_user(tx: &dyn Tx, catalog: &Catalog, ctx: &Ctx) -> Result<bool> {
    let Actor::Member(email) = &ctx.actor else {
        return Ok(true);
    };
    let person = tx.person_by_email(email.as_str())?;
    if let Some(person) = person {
        if !accounts_with_access(tx, catalog, person.id, ctx.now)?.is_empty() {
            return Ok(false);
        }
    }
    Err(Error::denied(format!(
        "`{email}` has no access to any account"
    )))
}

/// The accounts where `person` has access at `at`: their membership
/// there holds `portal.access`, so it is active (not invited only,
/// deactivated, left, revoked, or external access ended) and its role
/// is not the blocking one. The one rule of "has access" for what spans
/// accounts: [`ensure_portal_user`] and the custom roles a member sees.
pub(crate) fn accounts_with_access(
    tx: &dyn Tx,
    catalog: &Catalog,
    person: i64,
    at: Timestamp,
) -> Result<Vec<i64>> {
    // A fixed number of statements for a member of any number of
    // accounts: every list of theirs asks here.
    let ids: Vec<i64> = tx.memberships_of(person)?.iter().map(|m| m.id).collect();
    let theirs = tx.memberships_with_grants(&ids)?;
    let joined: Vec<i64> = theirs.iter().map(|(m, _)| m.account_id).collect();
    let owners: HashMap<i64, Option<i64>> = tx
        .accounts_by_id(&joined)?
        .into_iter()
        .map(|a| (a.id, a.owner_id))
        .collect();
    catalog.read_accounts(tx, &joined)?;
    let mut accounts = Vec::new();
    for (m, grants) in theirs {
        let account = m.account_id;
        let owner = owners.get(&account).copied().flatten() == Some(m.person_id);
        // Its standing beside its status matters only to an invitation,
        // which holds nothing either way.
        if Access::from_parts(tx, catalog, m, grants, owner, at)?.holds(caps::PORTAL_ACCESS) {
            accounts.push(account);
        }
    }
    Ok(accounts)
}

/// The actor as a party to `account`, refused unless they hold `cap`.
pub(crate) fn authorize<'c>(
    tx: &dyn Tx,
    catalog: &'c Catalog,
    ctx: &Ctx,
    account: &Account,
    need: impl Into<Need>,
) -> Result<Authority<'c>> {
    let need = need.into();
    let refusal = match authority(tx, catalog, ctx, account) {
        Ok(Authority::Member { person, access }) => {
            let decision = access.decide(need.cap);
            if decision.allowed {
                return Ok(Authority::Member { person, access });
            }
            denial(
                tx,
                catalog,
                &person.email.to_string(),
                account,
                need,
                &decision,
                ctx,
            )?
        }
        Ok(who) => return Ok(who),
        Err(e @ Error::Denied(_)) => e,
        Err(e) => return Err(e),
    };
    // The one place a parent partner's authority counts, so that every
    // command on a customer's profile or addresses allows it alike. One
    // who sees the customer but may not change it (`customers.view`
    // alone) is told what it needs, as they know the account.
    match via_parent(tx, catalog, ctx, account, need.cap)? {
        Some(who) => Ok(who),
        None if MANAGED_BY_PARTNER.contains(&need.cap) => {
            Err(partner_denial(tx, catalog, ctx, account, need)?.unwrap_or(refusal))
        }
        None => Err(refusal),
    }
}

/// The actor as a party to `account` who may `action` there: what lies
/// beyond the account's basic details (its sites, approval policies and
/// partner config) needs `account.view` and sight of the whole account
/// ([`Authority::sees_whole_account`]).
pub(crate) fn authorize_whole_account<'c>(
    tx: &dyn Tx,
    catalog: &'c Catalog,
    ctx: &Ctx,
    account: &Account,
    action: &'static str,
) -> Result<Authority<'c>> {
    let who = authorize_inside(tx, catalog, ctx, account, caps::ACCOUNT_VIEW.to(action))?;
    match &who {
        Authority::Member { person, access } if !who.sees_whole_account() => {
            Err(Error::denied(format!(
                "`{}` may not {action} in `{}`: role `{}` sees the services assigned to them and the account's basic details only",
                person.email, account.name, access.role.name
            ))
            .help(format!(
                "a role that sees every service (`{}`) sees the whole account",
                caps::SERVICES_VIEW_ALL
            )))
        }
        _ => Ok(who),
    }
}

/// The actor as a member of `account` (or the operator), refused unless
/// they hold `need`: for reads of what lies inside an account (its people,
/// policies, cost centres, services, orders), which a parent partner's
/// `customers.manage` does not reach, though `account.view` names the
/// customer's profile too. Its member is refused as anyone who is no
/// member is, so the refusal tells them nothing the customer keeps
/// (findings C7).
pub(crate) fn authorize_inside<'c>(
    tx: &dyn Tx,
    catalog: &'c Catalog,
    ctx: &Ctx,
    account: &Account,
    need: impl Into<Need>,
) -> Result<Authority<'c>> {
    match authorize(tx, catalog, ctx, account, need)? {
        Authority::Partner { person, .. } => Err(not_a_member(&person.email, &account.name)),
        who => Ok(who),
    }
}

/// The actor as a member of `account`'s parent partner, when what they
/// hold there reaches `cap` in its customers ([`Access::partner_reach`]);
/// `None` otherwise. The refusal of the customer stands then, so it says
/// no more than before.
fn via_parent<'c>(
    tx: &dyn Tx,
    catalog: &'c Catalog,
    ctx: &Ctx,
    account: &Account,
    cap: Capability,
) -> Result<Option<Authority<'c>>> {
    let Some(parent) = account.parent_id else {
        return Ok(None);
    };
    if !MANAGED_BY_PARTNER.contains(&cap) && !VIEWED_BY_PARTNER.contains(&cap) {
        return Ok(None);
    }
    let parent = tx.account(parent)?;
    match authority(tx, catalog, ctx, &parent) {
        Ok(Authority::Member { person, access }) if access.partner_reach().contains(&cap) => {
            Ok(Some(Authority::Partner { person, access }))
        }
        Ok(_) | Err(Error::Denied(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every one of `needs` in `account`, for a command whose fields each ask
/// their own capability (`account set`, a file's profile): refused at the
/// first the actor lacks, naming its capability. A member of the parent
/// partner who manages the customer (and so acts on its profile) is told
/// which capability the field needs, as a member is in their own account,
/// not that they are no member of an account they have just acted on
/// (findings A4).
pub(crate) fn authorize_all(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    needs: &[Need],
) -> Result<()> {
    for need in needs {
        match authorize(tx, catalog, ctx, account, *need) {
            Ok(_) => {}
            Err(refusal @ Error::Denied(_)) => {
                return Err(partner_denial(tx, catalog, ctx, account, *need)?.unwrap_or(refusal))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The refusal of `need` to a member of `account`'s parent partner who
/// sees its customers but is no member of it: what they lack, since
/// they know the customer (`account list` shows it to them). `None`
/// for anyone else.
fn partner_denial(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    need: Need,
) -> Result<Option<Error>> {
    let (Some(parent), Actor::Member(email)) = (account.parent_id, &ctx.actor) else {
        return Ok(None);
    };
    let partner = tx.account(parent)?;
    let reach = match authority(tx, catalog, ctx, &partner) {
        Ok(Authority::Member { access, .. }) if access.sees_customers() => access.partner_reach(),
        Ok(_) | Err(Error::Denied(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    // A member of the customer too is refused as one.
    match authority(tx, catalog, ctx, account) {
        Err(Error::Denied(_)) => {}
        Ok(_) => return Ok(None),
        Err(e) => return Err(e),
    }
    let Need { cap, action } = need;
    let held: Vec<String> = reach.iter().map(|c| format!("`{c}`")).collect();
    Ok(Some(
        Error::denied(format!(
            "`{email}` may not {action} in `{}`: needs `{cap}` (a member of its partner `{}` holds only {} there)",
            account.name,
            partner.name,
            held.join(", ")
        ))
        .help(format!(
            "a member of `{}` holding `{cap}` can, or the operator",
            account.name
        )),
    ))
}

/// The actor as a party to `account`, refused unless they hold at least one
/// of `caps`: for reads that either of two capabilities allows.
pub(crate) fn authorize_any<'c>(
    tx: &dyn Tx,
    catalog: &'c Catalog,
    ctx: &Ctx,
    account: &Account,
    caps: &[Capability],
    action: &'static str,
) -> Result<Authority<'c>> {
    let refusal = match authority(tx, catalog, ctx, account) {
        Ok(Authority::Member { person, access }) => {
            if caps.iter().any(|c| access.holds(*c)) {
                return Ok(Authority::Member { person, access });
            }
            let first = caps.first().copied().unwrap_or(caps::PORTAL_ACCESS);
            let needs: Vec<String> = caps.iter().map(|c| format!("`{c}`")).collect();
            let decision = access.decide(first);
            let who = person.email.to_string();
            let help = denial(tx, catalog, &who, account, first, &decision, ctx)?
                .help_text()
                .map(str::to_string)
                .unwrap_or_default();
            Error::denied(format!(
                "`{who}` may not {action} in `{}`: needs {} ({})",
                account.name,
                needs.join(" or "),
                decision.reason
            ))
            .help(help)
        }
        Ok(who) => return Ok(who),
        Err(e @ Error::Denied(_)) => e,
        Err(e) => return Err(e),
    };
    for cap in caps {
        if let Some(who) = via_parent(tx, catalog, ctx, account, *cap)? {
            return Ok(who);
        }
    }
    Err(refusal)
}

/// How many helpers and sources a denial names.
const NAMED: usize = 4;

/// The "you cannot" error: what the member may not do, which capability is
/// missing and why, and in the help line who holds it there (the owner
/// first) and which roles or areas give it.
pub(crate) fn denial(
    tx: &dyn Tx,
    catalog: &Catalog,
    who: &str,
    account: &Account,
    need: impl Into<Need>,
    decision: &Decision,
    ctx: &Ctx,
) -> Result<Error> {
    let Need { cap, action } = need.into();
    let message = format!(
        "`{who}` may not {action} in `{}`: needs `{cap}` ({})",
        account.name, decision.reason
    );
    // Someone shut out of the account learns nothing about its members.
    let holders = if decision.has_access {
        holders(tx, catalog, account, cap, who, ctx)?
    } else {
        Vec::new()
    };
    let sources = sources(tx, catalog, cap, account)?;
    // The owner's reserved role carries it, but nobody can be given that.
    let owners_alone = catalog
        .reserved_owner_role()
        .filter(|role| catalog.role_named(role).is_ok_and(|r| r.holds(cap)));
    let asked = match (holders.is_empty(), sources.is_empty()) {
        (true, false) => format!("ask an admin of `{}` for `{cap}`", account.name),
        (false, false) => format!(
            "{} {} `{cap}` in `{}` and can do it or give it to you",
            and_list(&holders),
            if holders.len() == 1 { "holds" } else { "hold" },
            account.name
        ),
        (true, true) => format!("nobody can be given `{cap}` in `{}`", account.name),
        (false, true) => format!(
            "{} {} `{cap}` in `{}` and can do it, but nobody can be given it",
            and_list(&holders),
            if holders.len() == 1 { "holds" } else { "hold" },
            account.name
        ),
    };
    let asked = match owners_alone {
        Some(role) if sources.is_empty() => {
            format!("{asked}: it comes only with role `{role}`, which is the owner's alone")
        }
        _ => asked,
    };
    let help = if !decision.has_access {
        // No role gives anything to a membership that holds nothing:
        // access comes first, by accepting an invitation or being given
        // it back (deactivated, left, the blocking role).
        let seat = match tx.person_by_email(who)? {
            Some(person) => tx.membership_of(person.id, account.id)?,
            None => None,
        };
        match seat {
            Some(m) if m.status == MemberStatus::Invited => format!(
                "`{who}` has not accepted their invitation to `{}` yet: `portalctl user accept TOKEN` with the token it gave, or ask an admin of it to resend it",
                account.name
            ),
            // External access comes back only from the partner it came
            // from, where it ended: the customer's admins cannot give it.
            Some(Membership {
                external_from: Some(partner),
                person_id,
                role_id,
                ..
            }) => {
                let partner = tx.account(partner)?;
                let home = tx.membership_of(person_id, partner.id)?;
                match home {
                    // Still active in the partner: it ended because their
                    // role there no longer holds what the customer's gave,
                    // and only a lesser role can come back.
                    Some(home)
                        if home.status == MemberStatus::Active
                            && !catalog.role(tx, home.role_id)?.blocking =>
                    {
                        format!(
                            "`{who}`'s access to `{}` came from `{}`, where their role `{}` no longer holds all that `{}` gives: an admin of `{}` or `{}` can give them a lesser role on `{}` with `{}`",
                            account.name,
                            partner.name,
                            catalog.role(tx, home.role_id)?.name,
                            catalog.role(tx, role_id)?.name,
                            partner.name,
                            account.name,
                            account.name,
                            Paste::new("external-admin add")
                                .arg(who)
                                .opt("--customer", &account.name)
                                .words("--role ROLE")
                        )
                    }
                    _ => format!(
                        "`{who}`'s access to `{}` came from `{}`: once they are active there again, `{}` gives it back",
                        account.name,
                        partner.name,
                        Paste::new("external-admin add")
                            .arg(who)
                            .opt("--customer", &account.name)
                            .words("--role ROLE")
                    ),
                }
            }
            _ => format!(
                "`{who}` holds nothing in `{}` now: an admin of it can give their access back",
                account.name
            ),
        }
    } else if sources.is_empty() {
        asked
    } else {
        format!("{asked}; it comes with {}", sources.join(" or "))
    };
    Ok(Error::denied(message).help(help))
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Who holds `cap` in the account, besides `who`: the owner first, then
/// the first few other active members. The store finds them by their roles
/// and grants, so a denial costs the same in an account of a million
/// members as in one of ten. Inside a batch that moved the ownership (an
/// apply handing the account over), which the refusal rolls back, the
/// owner is the one from before it, and the one it made is named as such.
pub(super) fn holders(
    tx: &dyn Tx,
    catalog: &Catalog,
    account: &Account,
    cap: Capability,
    who: &str,
    ctx: &Ctx,
) -> Result<Vec<String>> {
    let at = ctx.now;
    let was_owner = ctx.owners_before.moved(account);
    let mut owner = None;
    if let Some(id) = account.owner_id {
        let person = tx.person(id)?;
        let active = tx
            .membership_of(id, account.id)?
            .filter(|m| m.status == MemberStatus::Active);
        if let Some(m) = active {
            if person.email.as_str() != who && Access::of(tx, catalog, account, m, at)?.holds(cap) {
                owner = Some(match was_owner {
                    None => format!("`{}` (the owner)", person.email),
                    Some(_) => format!("`{}` (the owner this would make)", person.email),
                });
            }
        }
    }
    // The owner and `who` may be among them, and one more says "others".
    let found = tx.active_holders(
        account.id,
        &holding(tx, catalog, cap, account.id, None)?,
        at,
        NAMED + 3,
    )?;
    let mut others = Vec::new();
    for m in found {
        if account.owner_id == Some(m.person_id) {
            continue;
        }
        let person = m.person_id;
        let email = tx.person(person)?.email.to_string();
        if email != who && Access::of(tx, catalog, account, m, at)?.holds(cap) {
            others.push(match was_owner == Some(Some(person)) {
                true => format!("`{email}` (the owner)"),
                false => format!("`{email}`"),
            });
        }
    }
    let more = others.len() > NAMED;
    let mut named: Vec<String> = owner
        .into_iter()
        .chain(others.into_iter().take(NAMED))
        .collect();
    if more {
        named.push("others".to_string());
    }
    Ok(named)
}

/// The ways a membership of an account owned by `owner_id` holds `cap`,
/// by the rules of [`Access::holds`], for the store to find its holders
/// by index: the roles that give it (deleted ones too, which a member may
/// still hold), the grants that name it (its areas, and itself where no
/// area has its name), and the roles under which nothing counts.
pub(crate) fn holding(
    tx: &dyn Tx,
    catalog: &Catalog,
    cap: Capability,
    account: i64,
    owner_id: Option<i64>,
) -> Result<Holding> {
    let roles = catalog
        .all_roles(tx, Reach::Accounts(&[account]))?
        .into_iter()
        .filter(|r| r.holds(cap))
        .map(|r| r.id)
        .collect();
    Ok(holding_of(catalog, cap, roles, owner_id))
}

/// [`holding`] by `roles`.
fn holding_of(
    catalog: &Catalog,
    cap: Capability,
    roles: Vec<i64>,
    owner_id: Option<i64>,
) -> Holding {
    // Only the catalog makes a blocking role.
    let blocking = catalog
        .blocking_role()
        .map(|r| vec![r.id])
        .unwrap_or_default();
    let mut grants: Vec<String> = catalog
        .area_names()
        .into_iter()
        .filter(|area| {
            catalog
                .grant_capabilities(area)
                .is_ok_and(|given| given.contains(&cap))
        })
        .map(str::to_string)
        .collect();
    if catalog.bundle(cap.as_str()).is_none() {
        grants.push(cap.to_string());
    }
    Holding {
        roles,
        grants,
        blocking,
        owner_id,
    }
}

/// [`holding`] of one capability for each account of a list across
/// accounts, worked out once: each account's holding names only the
/// roles a member of it can hold (the catalog's own and its custom
/// ones, deleted ones too), so that neither working it out nor the query
/// of each account grows with every other account's custom roles
/// (finding N12: `user list --can` of 2,000 accounts took 5 s).
pub(crate) struct Holdings {
    /// The roles that give it, by the account they were made for (`None`:
    /// the catalog's own), each list by id.
    roles: HashMap<Option<i64>, Vec<i64>>,
    /// The holding of the catalog's own roles, for no owner.
    common: Holding,
}

impl Holdings {
    /// The holdings of `cap` in `accounts`, whose custom roles are read
    /// together.
    pub(crate) fn new(
        tx: &dyn Tx,
        catalog: &Catalog,
        cap: Capability,
        accounts: &[i64],
    ) -> Result<Holdings> {
        let mut roles: HashMap<Option<i64>, Vec<i64>> = HashMap::new();
        for role in catalog.all_roles(tx, Reach::Accounts(accounts))? {
            if role.holds(cap) {
                roles.entry(role.account_id).or_default().push(role.id);
            }
        }
        let mut common = holding_of(catalog, cap, Vec::new(), None);
        common.roles = roles.get(&None).cloned().unwrap_or_default();
        Ok(Holdings { roles, common })
    }

    /// The holding of `account`'s members.
    pub(crate) fn of(&self, account: &Account) -> Holding {
        let mut holding = self.common.clone();
        if let Some(own) = self.roles.get(&Some(account.id)) {
            holding.roles.extend_from_slice(own);
            holding.roles.sort_unstable();
        }
        holding.owner_id = account.owner_id;
        holding
    }
}

/// The roles and areas that can be given in `account` and give `cap`, as
/// "role `admin`" or "area `account-admin`": not an owner role the catalog
/// keeps for the owner alone, nor a custom role of another account.
fn sources(
    tx: &dyn Tx,
    catalog: &Catalog,
    cap: Capability,
    account: &Account,
) -> Result<Vec<String>> {
    let reserved = catalog.reserved_owner_role();
    let roles = catalog
        .roles_serving(tx, account.id)?
        .into_iter()
        .filter(|r| r.holds(cap) && Some(r.name.as_str()) != reserved)
        .map(|r| format!("role `{}`", r.name));
    let areas = catalog
        .bundles()
        .iter()
        .filter(|b| b.capabilities.iter().any(|c| c == cap.as_str()))
        .map(|b| format!("area `{}`", b.name));
    let mut all: Vec<String> = roles.chain(areas).collect();
    if all.len() > NAMED {
        let more = all.len() - NAMED;
        all.truncate(NAMED);
        all.push(format!("{more} more"));
    }
    Ok(all)
}

/// Whether an active member of `account`, other than the membership
/// `except`, holds `users.manage`.
pub(crate) fn another_admin(
    tx: &dyn Tx,
    catalog: &Catalog,
    account: &Account,
    except: i64,
    at: Timestamp,
) -> Result<bool> {
    for other in tx.memberships_in(account.id)? {
        if other.id == except || other.status != MemberStatus::Active {
            continue;
        }
        if Access::of(tx, catalog, account, other, at)?.holds(caps::USERS_MANAGE) {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        ann_administers_the_customer_area, email, join, policy_over, seeded,
    };
    use super::super::{Actor, MemberFilter, Portal};

    fn refusal(p: &mut Portal, as_who: &str) -> String {
        p.ctx.actor = Actor::Member(email(as_who));
        let refused = p.member_list(&MemberFilter::default());
        p.ctx.actor = Actor::Operator("root".into());
        let e = refused.expect_err("refused");
        format!("{e} / {}", e.help_text().unwrap_or_default())
    }

    /// The roles a refusal says give what is missing are those of the
    /// account concerned: another account's custom role is not named.
    #[test]
    fn a_refusal_names_no_custom_role_of_another_account() {
        use super::super::testing::add_account;
        use crate::model::AccountKind;
        let mut p = seeded("portal");
        add_account(&mut p, "Contoso", AccountKind::Customer, None);
        let view = super::caps::USERS_VIEW;
        p.role_create(
            "contoso-viewers",
            &[view],
            &"Contoso's".into(),
            Some("Contoso"),
        )
        .expect("Contoso's role");
        p.role_create("acme-viewers", &[view], &"Acme's".into(), Some("Acme"))
            .expect("Acme's role");
        super::super::testing::join_in(&mut p, "una@acme.test", "user", Some("Acme"));
        let said = refusal(&mut p, "una@acme.test");
        assert!(said.contains("role `acme-viewers`"), "{said}");
        assert!(!said.contains("contoso-viewers"), "{said}");
    }

    #[test]
    fn a_refusal_names_holders_by_grant_and_by_a_role_a_lapse_gave_back() {
        // By grant: ann administers the area; plain members do not.
        let mut p = ann_administers_the_customer_area();
        join(&mut p, "una@acme.test", "member");
        let said = refusal(&mut p, "una@acme.test");
        assert!(said.contains("`ann@acme.test`"), "{said}");
        // By role: tim is an admin, then a user until tomorrow, then an
        // admin again; only once the day is over is he named.
        let mut p = seeded("portal");
        join(&mut p, "una@acme.test", "user");
        join(&mut p, "tim@acme.test", "admin");
        let tomorrow = p.ctx.now.plus(chrono::Duration::days(1)).expect("a day on");
        p.set_role(&email("tim@acme.test"), "user", None, Some(tomorrow))
            .expect("user until tomorrow");
        let said = refusal(&mut p, "una@acme.test");
        assert!(!said.contains("tim@acme.test"), "{said}");
        p.ctx.now = tomorrow
            .plus(chrono::Duration::hours(1))
            .expect("an hour on");
        let said = refusal(&mut p, "una@acme.test");
        assert!(said.contains("`tim@acme.test`"), "{said}");
    }

    /// In customer-area only the owner's role carries `policies.manage`,
    /// and nobody can be given that role: the help offers no giving.
    #[test]
    fn a_refusal_offers_giving_only_what_can_be_given() {
        let mut p = ann_administers_the_customer_area();
        p.ctx.actor = Actor::Member(email("ann@acme.test"));
        let err = p
            .policy_create(&policy_over("Big", "50.00"))
            .expect_err("refused");
        assert_eq!(err.exit_code(), 5, "{err}");
        let help = err.help_text().unwrap_or_default().to_string();
        assert!(!help.contains("give it to you"), "{help}");
        assert!(
            help.contains("(the owner) holds `policies.manage`"),
            "{help}"
        );
        assert!(
            help.contains("nobody can be given it: it comes only with role `owner`, which is the owner's alone"),
            "{help}"
        );
        // Where a role that can be given carries it, giving is offered.
        let mut p = seeded("portal");
        join(&mut p, "una@acme.test", "user");
        let said = refusal(&mut p, "una@acme.test");
        assert!(
            said.contains("can do it or give it to you; it comes with role `admin`"),
            "{said}"
        );
    }

    /// Inside a batch that moved the ownership (an apply handing an
    /// account over), a refusal rolls it back: its help names the owner
    /// it would have made as such, not as the owner, and the owner they
    /// still are as the owner.
    #[test]
    fn a_refusal_inside_a_handover_names_the_owner_as_they_still_are() {
        use super::super::OwnershipTransfer;
        let mut p = ann_administers_the_customer_area();
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let policy = policy_over("Big", "50.00");
        let err = p
            .batch(false, |p| {
                p.transfer_ownership(&OwnershipTransfer {
                    to: &email("ann@acme.test"),
                    former_owner_role: None,
                    account: None,
                })?;
                p.policy_create(&policy)
            })
            .expect_err("refused");
        let help = err.help_text().unwrap_or_default().to_string();
        assert!(
            help.starts_with("`ann@acme.test` (the owner this would make) holds"),
            "{help}"
        );
        // Once it has moved, she is the owner.
        p.transfer_ownership(&OwnershipTransfer {
            to: &email("ann@acme.test"),
            former_owner_role: None,
            account: None,
        })
        .expect("transfer");
        let err = p.policy_create(&policy).expect_err("refused");
        let help = err.help_text().unwrap_or_default().to_string();
        assert!(
            help.starts_with("`ann@acme.test` (the owner) holds"),
            "{help}"
        );
    }

    /// A partner's `customers.manage` holder who is no member of its
    /// customer reads the customer's profile and addresses, and nothing
    /// that lies inside it: its policies (which name its people), cost
    /// centres and inbox are refused as to anyone who is no member, exit 5
    /// (findings C7, C12). The customer's own admin reads them all.
    #[test]
    fn a_partner_reads_its_customers_profile_and_addresses_only() {
        use super::super::addresses::NewAddress;
        use super::super::testing::{add_account, join_in};
        use crate::model::{AccountKind, Text};
        for (preset, manager) in [("portal", "admin"), ("lmp", "partner-allocator")] {
            let mut p = super::super::testing::seeded_as(preset, Some(AccountKind::Partner));
            add_account(&mut p, "Beta", AccountKind::Customer, Some("Acme"));
            join_in(&mut p, "al@acme.test", manager, Some("Acme"));
            let admin = if preset == "lmp" {
                "partner-administrator"
            } else {
                "admin"
            };
            join_in(&mut p, "bo@beta.test", admin, Some("Beta"));
            let mut board = policy_over("Board", "10.00");
            board.approvers = vec![email("bo@beta.test")];
            board.account = Some("Beta".into());
            p.policy_create(&board).expect("policy");
            p.cost_centre_create("SECRET", &Text::from("Falcon"), Some("Beta"))
                .expect("cost centre");
            let hq = NewAddress {
                label: "HQ".into(),
                line1: "1 High St".into(),
                line2: None,
                city: "London".into(),
                postcode: "SW1A 1AA".into(),
                country: "GB".into(),
            };
            p.address_add(Some("Beta"), &hq).expect("address");
            for (who, member) in [("al@acme.test", false), ("bo@beta.test", true)] {
                p.ctx.actor = Actor::Member(email(who));
                let beta = Some("Beta");
                assert!(p.account_show(beta).is_ok(), "{preset} {who} account show");
                assert_eq!(p.address_list(beta).expect("addresses").len(), 1);
                let inside: [(&str, Result<usize, crate::error::Error>); 4] = [
                    ("policy list", p.policy_list(beta, None).map(|l| l.len())),
                    ("policy show", p.policy_show("Board", beta).map(|_| 1)),
                    (
                        "cost-centre list",
                        p.cost_centre_list(beta).map(|l| l.len()),
                    ),
                    ("order inbox", p.order_inbox(None, beta).map(|_| 1)),
                ];
                for (command, read) in inside {
                    match (member, read) {
                        (true, Ok(n)) => assert!(n > 0, "{preset} {command}"),
                        (false, Err(e)) => {
                            assert_eq!(e.exit_code(), 5, "{preset} {command}: {e}");
                            assert_eq!(
                                e.to_string(),
                                "`al@acme.test` is not a member of `Beta`",
                                "{preset} {command}"
                            );
                        }
                        (member, read) => {
                            panic!("{preset} {command} as {who} ({member}): {read:?}")
                        }
                    }
                }
                p.ctx.actor = Actor::Operator("root".into());
            }
        }
    }

    /// Findings B9: 000's levels that "view pages within the LMP"
    /// (`partner-view-only`, `bank-details-only`) see the partner's
    /// customers as its allocator does (`customers.view`): listed, their
    /// profile and sites shown, who holds the partner's seats named; and
    /// change none of it, nor read what lies inside a customer. A partner
    /// member without `customers.view` (portal's `manager`) still does not.
    #[test]
    fn lmp_view_levels_see_the_partners_customers_and_nothing_inside_them() {
        use super::super::testing::{add_account, join_in, seeded_as};
        use super::super::{Allocate, ProfileChange, Purchase};
        use crate::model::{AccountKind, Text};
        let mut p = seeded_as("lmp", Some(AccountKind::Partner));
        add_account(&mut p, "Beta", AccountKind::Customer, Some("Acme"));
        join_in(
            &mut p,
            "bo@beta.test",
            "partner-administrator",
            Some("Beta"),
        );
        p.cost_centre_create("SECRET", &Text::from("Falcon"), Some("Beta"))
            .expect("cost centre");
        p.license_purchase(&Purchase {
            product: Text::from("MDR Complete"),
            seats: 10,
            account: Some("Acme".into()),
        })
        .expect("purchase");
        p.license_allocate(&Allocate {
            product: "MDR Complete".into(),
            customer: "Beta".into(),
            seats: 4,
            account: None,
            ship_to: None,
        })
        .expect("allocate");
        for level in ["partner-view-only", "bank-details-only"] {
            let who = format!("{level}@acme.test");
            join_in(&mut p, &who, level, Some("Acme"));
            p.ctx.actor = Actor::Member(email(&who));
            let names: Vec<String> = p
                .account_list(None)
                .expect("account list")
                .into_iter()
                .map(|a| a.name)
                .collect();
            assert_eq!(names, ["Acme", "Beta"], "{level}");
            assert_eq!(
                p.account_show(Some("Beta")).expect("show").account.name,
                "Beta"
            );
            assert!(p.address_list(Some("Beta")).is_ok(), "{level}");
            let licences = p.license_list(None, None, None).expect("licences");
            let held = licences[0].allocations.as_ref().expect("named");
            assert_eq!(held[0].customer, "Beta", "{level}");
            let inside = [
                (
                    "cost-centre list",
                    p.cost_centre_list(Some("Beta")).map(|_| ()),
                ),
                ("policy list", p.policy_list(Some("Beta"), None).map(|_| ())),
                (
                    "service list",
                    p.service_list(Some("Beta"), None).map(|_| ()),
                ),
            ];
            for (command, read) in inside {
                let e = read.expect_err(command);
                assert_eq!(e.exit_code(), 5, "{level} {command}: {e}");
                assert_eq!(
                    e.to_string(),
                    format!("`{who}` is not a member of `Beta`"),
                    "{level} {command}"
                );
            }
            let phone = ProfileChange {
                phone: Some(Text::from("0113 496 0000")),
                ..ProfileChange::default()
            };
            let e = p.account_set(Some("Beta"), &phone).expect_err("edit");
            assert_eq!(e.exit_code(), 5, "{level}: {e}");
            assert!(e.to_string().contains("needs `account.edit`"), "{e}");
            p.ctx.actor = Actor::Operator("root".into());
            assert_eq!(
                p.account_show(Some("Beta")).expect("show").account.phone,
                None
            );
        }
        let mut p = seeded_as("portal", Some(AccountKind::Partner));
        add_account(&mut p, "Beta", AccountKind::Customer, Some("Acme"));
        join_in(&mut p, "man@acme.test", "manager", Some("Acme"));
        p.ctx.actor = Actor::Member(email("man@acme.test"));
        let names: Vec<String> = p
            .account_list(None)
            .expect("account list")
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(names, ["Acme"]);
        assert_eq!(
            p.account_show(Some("Beta"))
                .expect_err("hidden")
                .exit_code(),
            5
        );
    }
}
