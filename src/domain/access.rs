//! Who holds which capability, why, and whether the actor may act.

use crate::error::{Error, Result};
use crate::model::{Account, Capability, Grant, MemberStatus, Membership, Person, Role, Timestamp};
use crate::store::Tx;

use super::{find_person, Actor, Catalog, Ctx};

/// Capabilities the code checks by name.
pub(crate) mod caps {
    use crate::model::Capability;
    pub const ACCOUNT_VIEW: Capability = Capability::named("account.view");
    pub const ACCOUNT_EDIT: Capability = Capability::named("account.edit");
    pub const ACCOUNT_CONFIG: Capability = Capability::named("account.config");
    pub const ADDRESSES_USE: Capability = Capability::named("addresses.use");
    pub const ADDRESSES_EDIT: Capability = Capability::named("addresses.edit");
    pub const BILLING_VIEW: Capability = Capability::named("billing.view");
    pub const BILLING_PAYMENT: Capability = Capability::named("billing.payment");
    pub const CUSTOMERS_MANAGE: Capability = Capability::named("customers.manage");
    pub const EXTERNAL_ADMINS_MANAGE: Capability = Capability::named("external_admins.manage");
    pub const LICENSES_PURCHASE: Capability = Capability::named("licenses.purchase");
    pub const LICENSES_ALLOCATE: Capability = Capability::named("licenses.allocate");
    pub const USERS_VIEW: Capability = Capability::named("users.view");
    pub const USERS_MANAGE: Capability = Capability::named("users.manage");
    pub const PORTAL_ACCESS: Capability = Capability::named("portal.access");
}

/// Whether a member holds a capability, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Yes or no.
    pub allowed: bool,
    /// The rule that decided: owner, role, grant, blocked or inactive.
    pub reason: String,
}

/// One membership's capabilities at one moment.
pub(crate) struct Access<'c> {
    pub membership: Membership,
    pub role: &'c Role,
    pub owner: bool,
    grants: Vec<Grant>,
    catalog: &'c Catalog,
}

impl<'c> Access<'c> {
    /// Evaluates `membership` in `account` at `at`: grants past their expiry
    /// no longer count.
    pub fn of(
        tx: &dyn Tx,
        catalog: &'c Catalog,
        account: &Account,
        membership: Membership,
        at: Timestamp,
    ) -> Result<Self> {
        let role = catalog.role(membership.role_id)?;
        let grants = tx
            .grants(membership.id)?
            .into_iter()
            .filter(|g| g.expires_at.is_none_or(|e| e > at))
            .collect();
        Ok(Access {
            owner: account.owner_id == Some(membership.person_id),
            membership,
            role,
            grants,
            catalog,
        })
    }

    /// Holds `cap`, and why or why not.
    pub fn decide(&self, cap: Capability) -> Decision {
        let deny = |reason: String| Decision {
            allowed: false,
            reason,
        };
        let allow = |reason: String| Decision {
            allowed: true,
            reason,
        };
        if self.membership.status != MemberStatus::Active {
            return deny(format!(
                "membership is {}; only active members hold capabilities",
                self.membership.status
            ));
        }
        if self.role.blocking {
            return deny(format!("role `{}` blocks all access", self.role.name));
        }
        if self.owner {
            return allow("account owner: holds every capability".into());
        }
        if self.role.all_capabilities {
            return allow(format!("role `{}` holds every capability", self.role.name));
        }
        if self.role.holds(cap) {
            return allow(format!("role `{}` includes it", self.role.name));
        }
        for grant in &self.grants {
            if self
                .catalog
                .grant_capabilities(&grant.name)
                .is_ok_and(|c| c.contains(&cap))
            {
                return allow(if self.catalog.bundle(&grant.name).is_some() {
                    format!("granted by area `{}`", grant.name)
                } else {
                    "granted directly".to_string()
                });
            }
        }
        deny(format!(
            "role `{}` does not include it and no grant gives it",
            self.role.name
        ))
    }

    /// Holds `cap`.
    pub fn holds(&self, cap: Capability) -> bool {
        self.decide(cap).allowed
    }

    /// Every capability held, in catalog order.
    pub fn capabilities(&self) -> Vec<Capability> {
        Capability::all().filter(|c| self.holds(*c)).collect()
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
}

impl Authority<'_> {
    /// Whether the actor holds `cap` (the operator holds everything).
    pub fn holds(&self, cap: Capability) -> bool {
        match self {
            Authority::Operator => true,
            Authority::Member { access, .. } => access.holds(cap),
        }
    }

    /// The operator or the account's owner.
    pub fn is_owner_or_operator(&self) -> bool {
        match self {
            Authority::Operator => true,
            Authority::Member { access, .. } => access.owner,
        }
    }

    /// The acting person, unless the operator acts.
    pub fn person(&self) -> Option<&Person> {
        match self {
            Authority::Operator => None,
            Authority::Member { person, .. } => Some(person.as_ref()),
        }
    }

    /// Refuses to hand out capabilities the actor does not hold: a member
    /// may only give a role or grant whose capabilities they hold themselves.
    pub fn ensure_may_give(&self, what: &str, given: &[Capability]) -> Result<()> {
        let Authority::Member { person, .. } = self else {
            return Ok(());
        };
        let missing: Vec<&str> = given
            .iter()
            .filter(|c| !self.holds(**c))
            .map(|c| c.as_str())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::denied(format!(
            "`{}` cannot give {what}: it includes capabilities they do not hold ({})",
            person.email,
            missing.join(", ")
        ))
        .help("only someone who holds every capability of a role or grant may hand it out"))
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
    let person = find_person(tx, email).map_err(|e| match e {
        Error::NotFound(_) => Error::denied(format!("`{email}` (--as) is not a known user")),
        other => other,
    })?;
    let membership = tx.membership_of(person.id, account.id)?.ok_or_else(|| {
        Error::denied(format!("`{email}` is not a member of `{}`", account.name))
            .help("act as a member of that account, or pass the right --account")
    })?;
    let access = Access::of(tx, catalog, account, membership, ctx.now)?;
    Ok(Authority::Member {
        person: Box::new(person),
        access: Box::new(access),
    })
}

/// The actor as a party to `account`, refused unless they hold `cap`.
pub(crate) fn authorize<'c>(
    tx: &dyn Tx,
    catalog: &'c Catalog,
    ctx: &Ctx,
    account: &Account,
    cap: Capability,
) -> Result<Authority<'c>> {
    let authority = authority(tx, catalog, ctx, account)?;
    if let Authority::Member { person, access } = &authority {
        let decision = access.decide(cap);
        if !decision.allowed {
            return Err(denial(
                tx,
                &person.email.to_string(),
                account,
                cap,
                &decision,
            )?);
        }
    }
    Ok(authority)
}

/// The actor as a party to `account`, refused unless they hold at least one
/// of `caps`: for reads that either of two capabilities allows.
pub(crate) fn authorize_any<'c>(
    tx: &dyn Tx,
    catalog: &'c Catalog,
    ctx: &Ctx,
    account: &Account,
    caps: &[Capability],
) -> Result<Authority<'c>> {
    let authority = authority(tx, catalog, ctx, account)?;
    if let Authority::Member { person, access } = &authority {
        if !caps.iter().any(|c| access.holds(*c)) {
            let first = caps.first().copied().unwrap_or(caps::PORTAL_ACCESS);
            let needs: Vec<String> = caps.iter().map(|c| format!("`{c}`")).collect();
            let decision = access.decide(first);
            return Err(Error::denied(format!(
                "`{}` may not do this in `{}`: needs {} ({})",
                person.email,
                account.name,
                needs.join(" or "),
                decision.reason
            ))
            .help(who_can_help(tx, account, first)?));
        }
    }
    Ok(authority)
}

/// The "you cannot" error, naming who can help.
pub(crate) fn denial(
    tx: &dyn Tx,
    who: &str,
    account: &Account,
    cap: Capability,
    decision: &Decision,
) -> Result<Error> {
    Ok(Error::denied(format!(
        "`{who}` may not do this in `{}`: needs `{cap}` ({})",
        account.name, decision.reason
    ))
    .help(who_can_help(tx, account, cap)?))
}

/// The `help:` line of a denial: whom to ask for `cap`.
fn who_can_help(tx: &dyn Tx, account: &Account, cap: Capability) -> Result<String> {
    let owner = account.owner_id.map(|id| tx.person(id)).transpose()?;
    Ok(match owner {
        Some(owner) => format!(
            "ask an admin of `{}` (its owner is `{}`) for `{cap}`",
            account.name, owner.email
        ),
        None => format!("ask an admin of `{}` for `{cap}`", account.name),
    })
}

/// Refuses a change that would leave an account with no active member
/// holding `users.manage`, when it had one before. `before` and `after` are
/// the changed membership's access either side of the change.
pub(crate) fn ensure_admin_remains(
    tx: &dyn Tx,
    catalog: &Catalog,
    account: &Account,
    before: &Access<'_>,
    after: &Access<'_>,
    at: Timestamp,
) -> Result<()> {
    if !before.holds(caps::USERS_MANAGE)
        || after.holds(caps::USERS_MANAGE)
        || another_admin(tx, catalog, account, before.membership.id, at)?
    {
        return Ok(());
    }
    Err(Error::conflict(format!(
        "`{}` must keep at least one active member holding `users.manage`; this is the last one",
        account.name
    ))
    .help("give another member an admin role first"))
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
    use super::caps;

    #[test]
    fn named_capabilities_are_in_the_catalog() {
        for cap in [
            caps::ACCOUNT_VIEW,
            caps::ACCOUNT_EDIT,
            caps::ACCOUNT_CONFIG,
            caps::ADDRESSES_USE,
            caps::ADDRESSES_EDIT,
            caps::BILLING_VIEW,
            caps::BILLING_PAYMENT,
            caps::CUSTOMERS_MANAGE,
            caps::EXTERNAL_ADMINS_MANAGE,
            caps::LICENSES_PURCHASE,
            caps::LICENSES_ALLOCATE,
            caps::USERS_VIEW,
            caps::USERS_MANAGE,
            caps::PORTAL_ACCESS,
        ] {
            assert!(
                cap.as_str().parse::<crate::model::Capability>().is_ok(),
                "{cap}"
            );
        }
    }
}
