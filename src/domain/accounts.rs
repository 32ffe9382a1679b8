//! Accounts: creating them, listing them as a tree, and their profiles.

use super::access::{and_list, authority, authorize, authorize_all, caps, holders, Access};
use super::held_names::not_look_alike;
use super::{find_account, knows_account, resolve_account, Actor, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{
    one_script_per_word, parse_currency, Account, AccountKind, Email, MemberStatus, Need, Paste,
    Profile, Text,
};
use crate::store::Tx;
use crate::view::{AccountDetailsView, AccountView};

/// The printable form of an account.
pub(crate) fn account_view(tx: &dyn Tx, a: &Account) -> Result<AccountView> {
    let parent = a
        .parent_id
        .map(|id| tx.account(id))
        .transpose()?
        .map(|p| p.name);
    let owner = a
        .owner_id
        .map(|id| tx.person(id))
        .transpose()?
        .map(|p| p.email.to_string());
    let active_members = usize::try_from(tx.active_member_count(a.id)?).unwrap_or_default();
    Ok(AccountView {
        name: a.name.clone(),
        kind: a.kind,
        parent,
        currency: a.currency.clone(),
        owner,
        phone: a.profile.phone.clone(),
        website: a.profile.website.clone(),
        marketing: a.profile.marketing.clone(),
        sectors: a.profile.sectors.clone(),
        billing_contact: a.profile.billing_contact.clone(),
        partner_status: tx.partner_config(a.id)?.partner_status,
        active_members: Some(active_members),
        created_at: a.created_at,
    })
}

/// [`account_view`] as the actor is shown it: the count of its members
/// only to who may see its users, as `status --as` counts them, so that
/// no command tells a member what another withholds.
fn seen_account_view(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    a: &Account,
) -> Result<AccountView> {
    let mut view = account_view(tx, a)?;
    let sees_users = match authority(tx, catalog, ctx, a) {
        Ok(who) => who.holds(caps::USERS_VIEW) || who.holds(caps::USERS_MANAGE),
        Err(Error::Denied(_)) => false,
        Err(e) => return Err(e),
    };
    if !sees_users {
        view.active_members = None;
    }
    Ok(view)
}

/// The ids of those of `all` (every account) the actor may see, as
/// `account show` and `account list` judge it: all of them for the
/// operator; for a member, those they hold `account.view` in, and the
/// customers of partners where they see them (`customers.view`, or
/// `customers.manage`: [`Access::sees_customers`]). A fixed
/// number of statements for any number of accounts: each seat is read
/// once, not an account's seat and its partner's for every account.
pub(super) fn accounts_in_sight(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    all: &[Account],
) -> Result<std::collections::HashSet<i64>> {
    let Some((_, seats)) = super::access::seats(tx, catalog, ctx, all)? else {
        return Ok(all.iter().map(|a| a.id).collect());
    };
    let holding = |holds: &dyn Fn(&Access<'_>) -> bool| -> std::collections::HashSet<i64> {
        all.iter()
            .zip(&seats)
            .filter(|(_, seat)| seat.as_ref().is_some_and(holds))
            .map(|(a, _)| a.id)
            .collect()
    };
    let viewing = holding(&|s| s.holds(caps::ACCOUNT_VIEW));
    let seeing_customers = holding(&|s| s.sees_customers());
    Ok(all
        .iter()
        .filter(|a| {
            viewing.contains(&a.id) || a.parent_id.is_some_and(|p| seeing_customers.contains(&p))
        })
        .map(|a| a.id)
        .collect())
}

/// Refuses unless the actor holds `account.view` on the account or sees
/// the customers of its parent partner (see [`authorize`]).
pub(super) fn ensure_may_view(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<()> {
    authorize(tx, catalog, ctx, account, caps::ACCOUNT_VIEW).map(|_| ())
}

/// What `account create` is asked to make.
#[derive(Debug, Clone)]
pub(crate) struct NewAccount {
    /// Unique name.
    pub name: Text,
    /// Partner or customer.
    pub kind: AccountKind,
    /// The parent partner of a customer.
    pub parent: Option<String>,
    /// ISO 4217 code; the parent's, else GBP, when `None`.
    pub currency: Option<String>,
}

/// Profile changes: an empty text clears a field, `None` leaves it.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProfileChange {
    /// A new name: the one way out for a name an older version let in
    /// that now reads as another's (see `held_names`).
    pub name: Option<Text>,
    /// Phone.
    pub phone: Option<Text>,
    /// Web site.
    pub website: Option<Text>,
    /// Marketing message, one line like every other field.
    pub marketing: Option<Text>,
    /// Sectors served.
    pub sectors: Option<Text>,
    /// A partner's status, such as `Technical` or `Sales` (partners only).
    pub status: Option<Text>,
    /// Whom invoices go to: an email address (seed 002's "billing
    /// contact").
    pub billing_contact: Option<Text>,
}

impl ProfileChange {
    fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.phone.is_none()
            && self.website.is_none()
            && self.marketing.is_none()
            && self.sectors.is_none()
            && self.status.is_none()
            && self.billing_contact.is_none()
    }

    /// What the change asks of the actor, one need per kind of field it
    /// sets, the details first. The details (contact info, marketing
    /// message, sectors served) need `account.edit`: 003 gives Marketing
    /// "edit partner details (contact info, marketing messages, sectors
    /// served)". The name needs `account.config`: it is the account's own
    /// setting (004's Account administration; 000's Partner Administrator
    /// modifies the partner profile). The partner status needs no
    /// capability, as no member sets it ([`ensure_sets_no_status`]).
    /// The billing contact, whom invoices go to, is both a detail of the
    /// profile and a financial element: it needs `account.edit` and
    /// `billing.payment` together, so neither 003's Marketing ("Does not
    /// have access to financial ... information") nor 000's Bank Details
    /// Only ("change payment method", not the profile) sets it (findings
    /// A3).
    fn needs(&self) -> Vec<Need> {
        let details = self.phone.is_some()
            || self.website.is_some()
            || self.marketing.is_some()
            || self.sectors.is_some();
        let billing = self.billing_contact.is_some();
        [
            details.then_some(caps::ACCOUNT_EDIT.into()),
            self.name
                .is_some()
                .then_some(caps::ACCOUNT_CONFIG.to("rename the account")),
            billing.then_some(caps::ACCOUNT_EDIT.to("set the billing contact")),
            billing.then_some(caps::BILLING_PAYMENT.to("set the billing contact")),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// What a partner's status reads as refused to a member; `apply` names the
/// file's `status` field by it.
pub(crate) const STATUS_REFUSED: &str =
    "the partner status is the vendor's classification; a partner's members cannot set it";

/// Refuses a member a change of the partner status: it is the vendor's
/// classification of the partner, which 002 only displays ("Status:
/// Displays your partner status") and whose configuring covers the IP
/// addresses and smarthost alone; like the contracted prices beside it,
/// the vendor's operator sets it (findings C10).
fn ensure_sets_no_status(ctx: &Ctx, change: &ProfileChange) -> Result<()> {
    match (&ctx.actor, &change.status) {
        (Actor::Member(_), Some(_)) => Err(Error::denied(STATUS_REFUSED)
            .help("the vendor's operator sets it, running portalctl without --as")),
        _ => Ok(()),
    }
}

/// The billing contact a change asks for: `None` leaves it, an empty text
/// clears it, anything else must be an email address, kept normalised.
pub(crate) fn billing_contact(change: &Option<Text>) -> Result<Option<Option<String>>> {
    match change {
        None => Ok(None),
        Some(text) if text.is_empty() => Ok(Some(None)),
        Some(text) => {
            let email: Email = text.as_str().parse().map_err(|e: Error| {
                e.help("give the billing contact as an email address, or \"\" to clear it")
            })?;
            Ok(Some(Some(email.to_string())))
        }
    }
}

fn apply_field(field: &mut Option<String>, change: &Option<Text>) {
    if let Some(value) = change {
        *field = value.non_empty();
    }
}

/// Refuses a parent to an account of `kind` other than a customer: only
/// customers belong to a partner. It says nothing of the parent, so a
/// fixture checks it before the command looks the parent up.
pub(super) fn only_a_customer_has_a_parent(kind: AccountKind) -> Result<()> {
    if kind == AccountKind::Customer {
        return Ok(());
    }
    Err(Error::invalid("only a customer account can have a parent").help("pass --kind customer"))
}

impl Portal {
    /// Creates an account. A customer of a partner needs `customers.manage`
    /// on the partner; an account without a parent only the operator makes.
    pub(crate) fn account_create(&mut self, req: &NewAccount) -> Result<AccountView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let name = req.name.required("the account name")?;
            one_script_per_word("the account name", &name)?;
            let parent = req
                .parent
                .as_deref()
                .map(|p| find_account(tx, &w.ctx, p))
                .transpose()?;
            match &parent {
                Some(p) => {
                    authorize(
                        tx,
                        catalog,
                        &w.ctx,
                        p,
                        caps::CUSTOMERS_MANAGE.to("create customer accounts"),
                    )?;
                }
                None if matches!(w.ctx.actor, Actor::Member(_)) => {
                    // The help adds only what was not typed.
                    let help = match req.kind {
                        AccountKind::Customer => {
                            "members of a partner create its customers: add --parent PARTNER"
                        }
                        AccountKind::Partner => {
                            "members of a partner create customers with --kind customer --parent PARTNER"
                        }
                    };
                    return Err(Error::denied(
                        "only the operator can create an account without a parent partner",
                    )
                    .help(help));
                }
                None => {}
            }
            if parent.is_some() {
                only_a_customer_has_a_parent(req.kind)?;
            }
            match (&parent, req.kind) {
                (Some(p), AccountKind::Customer) if p.kind != AccountKind::Partner => {
                    return Err(Error::invalid(format!(
                        "`{}` is a customer; a parent must be a partner account",
                        p.name
                    )))
                }
                _ => {}
            }
            // Only someone who may create the account learns what kind the
            // parent is and whether the name is taken. Account names are
            // one list for the whole database (the operator's `--account`
            // key), so a name another account holds is refused; to a member
            // who cannot see that account, only as not available: nothing
            // of it, not even that it is an account that exists.
            name_free(tx, catalog, &w.ctx, &name, None)?;
            let currency = match (&req.currency, &parent) {
                (Some(c), _) => parse_currency(c)?,
                (None, Some(p)) => p.currency.clone(),
                (None, None) => "GBP".to_string(),
            };
            let mut account = Account {
                id: 0,
                name,
                kind: req.kind,
                parent_id: parent.as_ref().map(|p| p.id),
                currency,
                owner_id: None,
                profile: Profile::default(),
                created_at: w.ctx.now,
            };
            account.id = tx.insert_account(&account)?;
            let view = account_view(tx, &account)?;
            w.changed(
                "account.create",
                &account,
                account.name.clone(),
                None,
                &view,
            )?;
            Ok(view)
        })
    }

    /// What to do when no active member of `name` holds `users.manage`,
    /// as in every account just created: "an account always keeps at least
    /// one active member holding `users.manage`", and until one joins only
    /// the operator manages it. The invitation gives the catalog's owner
    /// role or, where the catalog keeps that role for the owner alone, the
    /// role and grants it leaves a former owner; the command is offered as
    /// the actor's own only where they may run it. `None` once one holds
    /// it.
    pub(crate) fn admin_wanted(&mut self, name: &str) -> Result<Option<String>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let account = find_account(&*tx, &self.ctx, name)?;
        for m in tx.memberships_in(account.id)? {
            if m.status == MemberStatus::Active
                && Access::of(&*tx, &catalog, &account, m, self.ctx.now)?.holds(caps::USERS_MANAGE)
            {
                return Ok(None);
            }
        }
        let invite = Paste::new("user invite EMAIL").opt("--account", &account.name);
        let invite = match (catalog.reserved_owner_role(), catalog.former_owner()) {
            (Some(_), Some(former)) if !former.grants.is_empty() => invite
                .opt("--role", &former.role)
                .opt("--grant", former.grants.join(",")),
            (Some(_), Some(former)) => invite.opt("--role", &former.role),
            _ => invite.opt("--role", &catalog.owner_role()?.name),
        };
        // Inviting needs `users.manage` in the account itself, which a
        // member who created it through its parent partner does not hold:
        // for them the command is the operator's to run.
        let actor_invites = match authority(&*tx, &catalog, &self.ctx, &account) {
            Ok(who) => who.holds(caps::USERS_MANAGE),
            Err(Error::Denied(_)) => false,
            Err(e) => return Err(e),
        };
        // A partner's member who adds external admins may become one, and
        // invite as one (002: the MSP adds the customer's console login).
        // Otherwise, those of the partner who may (the member sees them:
        // they act in it), named as refusals name holders.
        let mut admitters = None;
        let admits_self = match (&self.ctx.actor, account.parent_id) {
            (Actor::Member(me), Some(parent)) if !actor_invites => {
                let parent = tx.account(parent)?;
                match authority(&*tx, &catalog, &self.ctx, &parent) {
                    Ok(who) if who.holds(caps::EXTERNAL_ADMINS_MANAGE) => Some(me.clone()),
                    Ok(_) => {
                        let cap = caps::EXTERNAL_ADMINS_MANAGE;
                        let named = holders(&*tx, &catalog, &parent, cap, me.as_str(), &self.ctx)?;
                        admitters = (!named.is_empty()).then(|| (and_list(&named), parent));
                        None
                    }
                    Err(Error::Denied(_)) => None,
                    Err(e) => return Err(e),
                }
            }
            _ => None,
        };
        let who = match (actor_invites, admits_self) {
            (true, _) => "invite one".to_string(),
            (false, Some(me)) => format!(
                "give yourself access to it first (`{}`), then invite one",
                Paste::new("external-admin add")
                    .arg(me.as_str())
                    .opt("--customer", &account.name)
                    .opt("--role", &catalog.owner_role()?.name)
            ),
            (false, None) => match admitters {
                Some((named, parent)) => format!(
                    "{named}, holding `{}` in `{}`, can give themselves access to it and invite one, as can the operator who owns the database, without --as",
                    caps::EXTERNAL_ADMINS_MANAGE,
                    parent.name
                ),
                None => "only the operator who owns the database can invite one, without --as"
                    .to_string(),
            },
        };
        // As stored, with a space other than the plain one (an older
        // version's) written out, as other messages name such a name.
        Ok(Some(format!(
            "`{}` has no member who manages its users yet; {who}: `{invite}`",
            crate::model::reveal(&account.name)
        )))
    }

    /// At most `limit` of [`Portal::account_list_all`], in its order.
    pub(crate) fn account_list(&mut self, limit: Option<u32>) -> Result<Vec<AccountView>> {
        Ok(super::first(self.account_list_all()?, limit))
    }

    /// The accounts the actor may see, partners each followed by their
    /// customers. The operator sees all; a member sees the accounts they
    /// hold `account.view` in, and the customers of partners where they see
    /// them (`customers.view` or `customers.manage`).
    fn account_list_all(&mut self) -> Result<Vec<AccountView>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let all = tx.accounts()?;
        let visible = accounts_in_sight(&*tx, &catalog, &self.ctx, &all)?;
        // Tree order: each top-level account, then its customers by name.
        let mut ordered = Vec::new();
        for top in all
            .iter()
            .filter(|a| a.parent_id.is_none_or(|p| !visible.contains(&p)))
        {
            // A customer whose partner is hidden is a top of its own.
            if !visible.contains(&top.id) {
                continue;
            }
            ordered.push(seen_account_view(&*tx, &catalog, &self.ctx, top)?);
            for child in all
                .iter()
                .filter(|c| c.parent_id == Some(top.id) && visible.contains(&c.id))
            {
                ordered.push(seen_account_view(&*tx, &catalog, &self.ctx, child)?);
            }
        }
        Ok(ordered)
    }

    /// One account with its partner details sections (status, addresses,
    /// products and prices, config); needs `account.view` on it (or
    /// `customers.view` on its parent partner).
    pub(crate) fn account_show(&mut self, name: Option<&str>) -> Result<AccountDetailsView> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let sees = |a: &Account| ensure_may_view(&*tx, &catalog, &self.ctx, a).map(|_| ());
        let account = resolve_account(&*tx, &self.ctx, name, None, sees)?;
        sees(&account)?;
        // Each section is shown as the command that lists it shows it to
        // the actor (who sees the account's basic details only, as 001's
        // users, reads no sites, prices or config), and one it refuses
        // them is hidden (`None`), not empty.
        let sees = |seen: Result<()>| match seen {
            Ok(()) => Ok(true),
            Err(Error::Denied(_)) => Ok(false),
            Err(e) => Err(e),
        };
        let (tx, ctx) = (&*tx, &self.ctx);
        let config = match account.kind {
            AccountKind::Partner
                if sees(super::partner_config::reads_config(
                    tx, &catalog, ctx, &account,
                ))? =>
            {
                Some(super::partner_config::config_view(tx, &account)?)
            }
            AccountKind::Partner | AccountKind::Customer => None,
        };
        let addresses = match sees(super::addresses::reads_addresses(
            tx, &catalog, ctx, &account,
        ))? {
            true => Some(super::addresses::address_views(tx, &account)?),
            false => None,
        };
        // A customer's seats are what it holds, read by the rule a
        // partner's licences are (findings A11, N13: a `user` of the
        // customer, who sees only her assigned services, read them).
        let products = match sees(super::licenses::reads_licences(tx, &catalog, ctx, &account))? {
            true => Some(super::licenses::products_of(tx, &account)?),
            false => None,
        };
        // A customer has no contracted prices: none, to anyone, rather
        // than hidden from some.
        let prices = match account.kind {
            AccountKind::Customer => Some(Vec::new()),
            AccountKind::Partner
                if sees(super::prices::reads_prices(tx, &catalog, ctx, &account))? =>
            {
                Some(super::prices::price_lines(tx, &account)?)
            }
            AccountKind::Partner => None,
        };
        Ok(AccountDetailsView {
            account: seen_account_view(tx, &catalog, ctx, &account)?,
            addresses,
            products,
            prices,
            config,
        })
    }

    /// Changes profile fields; each kind of field needs its capability
    /// ([`ProfileChange::needs`]), which for a customer `customers.manage`
    /// on its parent partner may give instead.
    pub(crate) fn account_set(
        &mut self,
        name: Option<&str>,
        change: &ProfileChange,
    ) -> Result<AccountView> {
        self.write(|w| {
            let tx = w.tx;
            ensure_sets_no_status(&w.ctx, change)?;
            let needs = change.needs();
            let first = needs.first().copied().unwrap_or(caps::ACCOUNT_EDIT.into());
            let mut account = w.account(name, first)?;
            if change.is_empty() {
                return Err(Error::invalid("nothing to change").help(
                    "pass --name, --phone, --website, --marketing, --sectors, --status or --billing-contact",
                ));
            }
            authorize_all(tx, w.catalog()?, &w.ctx, &account, &needs)?;
            let billing = billing_contact(&change.billing_contact)?;
            let new_name = change
                .name
                .as_ref()
                .map(|n| n.required("the account name"))
                .transpose()?
                .filter(|n| *n != account.name);
            if let Some(n) = &new_name {
                one_script_per_word("the account name", n)?;
                name_free(tx, w.catalog()?, &w.ctx, n, Some(account.id))?;
            }
            if change.status.is_some() && account.kind != AccountKind::Partner {
                return Err(Error::invalid(format!(
                    "`{}` is a customer; only a partner account has a partner status",
                    account.name
                )));
            }
            let before = account_view(tx, &account)?;
            let stored = account.clone();
            if let Some(n) = new_name {
                account.name = n;
            }
            apply_field(&mut account.profile.phone, &change.phone);
            apply_field(&mut account.profile.website, &change.website);
            apply_field(&mut account.profile.marketing, &change.marketing);
            apply_field(&mut account.profile.sectors, &change.sectors);
            if let Some(contact) = billing {
                account.profile.billing_contact = contact;
            }
            // What is already so is not written again: a write is a change,
            // and every change has its event.
            if let Some(status) = &change.status {
                let mut config = tx.partner_config(account.id)?;
                if config.partner_status != status.non_empty() {
                    config.partner_status = status.non_empty();
                    tx.put_partner_config(account.id, &config, w.ctx.now)?;
                }
            }
            if account != stored {
                tx.update_account(&account)?;
            }
            let after = account_view(tx, &account)?;
            w.changed(
                "account.set",
                &account,
                account.name.clone(),
                Some(&before),
                &after,
            )?;
            seen_account_view(tx, w.catalog()?, &w.ctx, &account)
        })
    }
}

/// Refuses `name` for an account when another account (any but `except`)
/// holds it, compared as names are (see `name_key`): account names are one
/// list for the whole database (the operator's `--account` key), and one
/// that looks like a name held, in other letters, is refused too. Only
/// someone who may see the holder is told it exists; to anyone else the
/// name is only not available: nothing of it, not even that it is an
/// account that exists.
fn name_free(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    name: &str,
    except: Option<i64>,
) -> Result<()> {
    let Some(held) = tx.account_named_except(name, except.unwrap_or(0))? else {
        return not_look_alike(tx, "account", 0, name, except, |held| {
            match tx.account_named(held)? {
                Some(held) => knows_account(tx, catalog, ctx, &held),
                None => Ok(false),
            }
        });
    };
    if knows_account(tx, catalog, ctx, &held)? {
        return Err(Error::conflict(format!("account `{name}` already exists")));
    }
    Err(
        Error::conflict(format!("the account name `{name}` is not available"))
            .help("account names are one list for the whole portal; choose another"),
    )
}

#[cfg(test)]
mod counted {
    use super::super::members::Handover;
    use super::super::testing::{email, join, seeded};
    use super::super::{InviteRequest, MemberFilter, Portal};
    use crate::model::MemberStanding;

    /// What `account show` says, and what a list of the members says.
    fn counts(p: &mut Portal) -> (usize, usize) {
        let shown = p
            .account_show(None)
            .expect("show")
            .account
            .active_members
            .unwrap_or_default();
        let listed = p
            .member_list(&MemberFilter::default())
            .expect("list")
            .iter()
            .filter(|m| m.status == MemberStanding::Active)
            .count();
        (shown, listed)
    }

    #[test]
    fn the_active_member_count_follows_every_change_of_status_and_a_merge() {
        let mut p = seeded("portal");
        for who in ["ann", "una", "bob", "dee"] {
            join(&mut p, &format!("{who}@acme.test"), "user");
        }
        p.invite(&InviteRequest {
            email: Some(email("ivy@acme.test")),
            role: Some("user".into()),
            ..InviteRequest::default()
        })
        .expect("invite");
        assert_eq!(counts(&mut p), (5, 5), "the owner and four; ivy is invited");
        let una = email("una@acme.test");
        p.deactivate(&una, None, &Handover::Refuse)
            .expect("deactivate");
        p.left_company(&email("bob@acme.test"), None, &Handover::Refuse)
            .expect("left");
        assert_eq!(counts(&mut p), (3, 3));
        p.activate(&una, None).expect("activate");
        assert_eq!(counts(&mut p), (4, 4));
        // Dee is ann under another address: merged, one membership ends.
        p.flag_duplicate(&email("dee@acme.test"), &email("ann@acme.test"), None)
            .expect("flag");
        p.merge(&email("dee@acme.test"), &email("ann@acme.test"))
            .expect("merge");
        let (shown, listed) = counts(&mut p);
        assert_eq!(shown, listed, "after the merge");
    }
}

#[cfg(test)]
mod admin_wanted {
    use super::super::testing::{add_account, email, join, seeded};
    use super::super::{Actor, InviteRequest, Portal};
    use crate::model::AccountKind;

    fn wanted(p: &mut Portal) -> Option<String> {
        p.admin_wanted("Fabrikam").expect("account")
    }

    /// A new account has nobody to manage its users: the way to give it
    /// one names the catalog's owner role, or where the owner role is the
    /// owner's alone, what the catalog leaves a former owner.
    #[test]
    fn a_new_account_is_told_how_to_get_an_admin_until_one_joins() {
        let mut p = seeded("portal");
        add_account(&mut p, "Fabrikam", AccountKind::Customer, None);
        assert_eq!(
            wanted(&mut p).as_deref(),
            Some("`Fabrikam` has no member who manages its users yet; invite one: `portalctl user invite EMAIL --account Fabrikam --role admin`")
        );
        let invited = p
            .invite(&InviteRequest {
                email: Some("fay@fabrikam.test".parse().expect("email")),
                role: Some("admin".into()),
                account: Some("Fabrikam".into()),
                ..InviteRequest::default()
            })
            .expect("invite");
        assert!(wanted(&mut p).is_some(), "an invitation is no member yet");
        p.accept(&invited.token, None).expect("accept");
        assert_eq!(wanted(&mut p), None);

        let mut p = seeded("customer-area");
        add_account(&mut p, "Fabrikam", AccountKind::Customer, None);
        let said = wanted(&mut p).expect("wanted");
        assert!(
            said.ends_with("--role member --grant account-admin`"),
            "{said}"
        );
        let invited = p
            .invite(&InviteRequest {
                email: Some("fay@fabrikam.test".parse().expect("email")),
                role: Some("member".into()),
                grants: vec!["account-admin".into()],
                account: Some("Fabrikam".into()),
                ..InviteRequest::default()
            })
            .expect("invite as said");
        p.accept(&invited.token, None).expect("accept");
        assert_eq!(wanted(&mut p), None, "what it said gives an admin");
    }
    /// A partner's member who creates a customer is no member of it, so
    /// may not invite into it: the command is named as the operator's or
    /// as that of the partner's holders of `external_admins.manage`, who
    /// may give themselves access first (finding N6), not as one they
    /// could paste.
    #[test]
    fn a_partner_member_is_told_the_operator_invites_the_first_admin() {
        let mut p = seeded("lmp");
        join(&mut p, "al@acme.test", "partner-allocator");
        p.ctx.actor = Actor::Member(email("al@acme.test"));
        add_account(&mut p, "Contoso", AccountKind::Customer, Some("Acme"));
        let said = p.admin_wanted("Contoso").expect("account").expect("wanted");
        assert!(
            said.contains("; `owner@acme.test` (the owner), holding `external_admins.manage` in `Acme`, can give themselves access to it and invite one, as can the operator who owns the database"),
            "{said}"
        );
        assert!(!said.contains("; invite one"), "{said}");
        let err = p
            .invite(&InviteRequest {
                email: Some(email("fay@contoso.test")),
                role: Some("partner-administrator".into()),
                account: Some("Contoso".into()),
                ..InviteRequest::default()
            })
            .expect_err("al may not invite there");
        assert_eq!(err.exit_code(), 5, "{err}");
        p.ctx.actor = Actor::Operator("root".into());
        let said = p.admin_wanted("Contoso").expect("account").expect("wanted");
        assert!(
            said.contains("; invite one: `portalctl user invite"),
            "{said}"
        );
    }
}

#[cfg(test)]
mod whole_account_tests {
    use super::super::access::caps;
    use super::super::addresses::NewAddress;
    use super::super::testing::{email, join, policy_over, seeded};
    use super::super::Actor;

    /// 001: users "see basic account info", admins and managers "all
    /// sites": a portal `user` reads the account's details, not its sites
    /// or approval policies; a manager reads both.
    #[test]
    fn a_portal_user_sees_the_accounts_basic_details_only() {
        let mut p = seeded("portal");
        join(&mut p, "una@acme.test", "user");
        join(&mut p, "max@acme.test", "manager");
        p.address_add(
            None,
            &NewAddress {
                label: "Leeds site".into(),
                line1: "1 Secret Site".into(),
                line2: None,
                city: "Leeds".into(),
                postcode: "LS1".into(),
                country: "GB".into(),
            },
        )
        .expect("address");
        p.policy_create(&policy_over("Over 50", "50"))
            .expect("policy");
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        let shown = p.account_show(None).expect("basic details");
        assert_eq!(shown.addresses, None, "sites hidden");
        // The account is a customer: it has no contracted prices to
        // hide (findings A11).
        assert_eq!(shown.prices, Some(Vec::new()), "no prices");
        assert_eq!(shown.products, None, "licences hidden");
        let err = p.address_list(None).expect_err("sites");
        assert_eq!(err.exit_code(), 5, "{err}");
        let err = p.policy_list(None, None).expect_err("policies");
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(err.to_string().contains("basic details only"), "{err}");
        p.ctx.actor = Actor::Member(email("max@acme.test"));
        let all = p.account_show(None).expect("all");
        assert_eq!(all.addresses.map(|a| a.len()), Some(1));
        assert_eq!(all.prices, Some(Vec::new()));
        assert_eq!(p.address_list(None).expect("sites").len(), 1);
        assert_eq!(p.policy_list(None, None).expect("policies").len(), 1);
        // One who ships orders to the sites (`addresses.use`) lists them,
        // and `account show` shows them as the list does.
        p.ctx.actor = Actor::Operator("root".into());
        p.role_create(
            "buyer",
            &[
                caps::ACCOUNT_VIEW,
                caps::SERVICES_VIEW_ASSIGNED,
                caps::ORDERS_PLACE,
                caps::ADDRESSES_USE,
            ],
            &Default::default(),
            None,
        )
        .expect("role");
        p.set_role(&email("una@acme.test"), "buyer", None, None)
            .expect("set");
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        let listed = p.address_list(None).expect("sites");
        let shown = p.account_show(None).expect("details");
        assert_eq!(shown.addresses, Some(listed));
        assert_eq!(shown.prices, Some(Vec::new()), "still no prices");
    }
}

#[cfg(test)]
mod name_tests {
    use super::super::addresses::NewAddress;
    use super::super::policies::{NewPolicy, PolicyEdit};
    use super::super::testing::{add_account, policy_over, seeded};
    use super::*;

    /// Account names, policy names and address labels are kept in NFC
    /// and found, and kept apart, without case for every script: what
    /// finds `ACME` as `acme` finds `ÆRØ SHOP` as `ærø shop`, and a
    /// decomposed `A\u{308}` as `Ä`.
    #[test]
    fn names_compare_composed_and_without_case_in_every_script() {
        let mut p = seeded("portal");
        add_account(&mut p, "Ærø Shop", AccountKind::Partner, None);
        for taken in ["ærø shop", "ÆRØ SHOP", "  ÆRØ shop "] {
            let err = p
                .account_create(&NewAccount {
                    name: taken.into(),
                    kind: AccountKind::Partner,
                    parent: None,
                    currency: None,
                })
                .expect_err(taken);
            assert_eq!(err.exit_code(), 4, "{taken}: {err}");
        }
        add_account(&mut p, "A\u{308}rø", AccountKind::Partner, None);
        for spelling in ["ÆRØ SHOP", "ærø shop"] {
            let shown = p.account_show(Some(spelling)).expect(spelling);
            assert_eq!(shown.account.name, "Ærø Shop");
        }
        // Stored composed, found by either spelling and either case.
        for spelling in ["\u{C4}rø", "A\u{308}RØ", "\u{E4}rø"] {
            let shown = p.account_show(Some(spelling)).expect(spelling);
            assert_eq!(shown.account.name, "\u{C4}rø");
        }
        assert!(p
            .account_create(&NewAccount {
                name: "\u{E4}RØ".into(),
                kind: AccountKind::Partner,
                parent: None,
                currency: None,
            })
            .is_err());

        let acme = Some("Acme".to_string());
        p.policy_create(&NewPolicy {
            account: acme.clone(),
            ..policy_over("Ærø big", "5")
        })
        .expect("policy");
        let err = p
            .policy_create(&NewPolicy {
                account: acme.clone(),
                ..policy_over("ærø BIG", "6")
            })
            .expect_err("same policy");
        assert_eq!(err.exit_code(), 4, "{err}");
        let edited = p
            .policy_edit(&PolicyEdit {
                account: acme.clone(),
                name: "ÆRØ BIG".into(),
                required_approvals: Some(1),
                ..PolicyEdit::default()
            })
            .expect("found without case");
        assert_eq!(edited.policy.name, "Ærø big");

        let address = |label: &str| NewAddress {
            label: label.into(),
            line1: "1 High St".into(),
            city: "Leeds".into(),
            postcode: "LS1".into(),
            country: "GB".into(),
            ..NewAddress::default()
        };
        p.address_add(Some("Acme"), &address("Øst"))
            .expect("address");
        let err = p
            .address_add(Some("Acme"), &address("øST"))
            .expect_err("same label");
        assert_eq!(err.exit_code(), 4, "{err}");
    }
}

/// Finding A11: each kind of profile field needs its own capability.
#[cfg(test)]
mod field_needs {
    use super::super::testing::{email, join, seeded};
    use super::super::Portal;
    use super::*;

    /// A portal with `preset` whose account `Acme` is a partner, which
    /// alone has a partner status.
    fn partner(preset: &str) -> Portal {
        super::super::testing::seeded_as(preset, Some(AccountKind::Partner))
    }

    /// Which of (details, name, partner status, billing contact) `who`
    /// may change.
    fn may_change(p: &mut Portal, who: &str) -> [bool; 4] {
        let operator = std::mem::replace(&mut p.ctx.actor, Actor::Member(email(who)));
        let changes = [
            ProfileChange {
                phone: Some("+44 20 7946 0000".into()),
                ..ProfileChange::default()
            },
            ProfileChange {
                name: Some(
                    format!("Renamed {}", who.split('@').next().unwrap_or(who))
                        .as_str()
                        .into(),
                ),
                ..ProfileChange::default()
            },
            ProfileChange {
                status: Some(format!("Sales {who}").as_str().into()),
                ..ProfileChange::default()
            },
            ProfileChange {
                billing_contact: Some(who.into()),
                ..ProfileChange::default()
            },
        ];
        let allowed = changes.map(|change| match p.account_set(None, &change) {
            Ok(_) => true,
            Err(e) => {
                assert_eq!(e.exit_code(), 5, "{who}: {e}");
                false
            }
        });
        p.ctx.actor = operator;
        allowed
    }

    /// Every preset's roles, as their articles give them: the details
    /// (contact info, marketing, sectors) to whoever edits the account;
    /// the name to whoever administers it; the billing contact, part of
    /// the profile and a financial element, to whoever does both
    /// (findings A3); the partner status, the vendor's classification, to
    /// no member, the owner neither (findings C10).
    #[test]
    fn each_field_needs_what_the_article_gives_for_it() {
        let (all, none) = ([true, true, false, true], [false; 4]);
        let table: &[(&str, &str, &[&str], [bool; 4])] = &[
            ("portal", "admin", &[], all),
            ("portal", "manager", &[], none),
            ("portal", "user", &[], none),
            ("msp", "msp-administrator", &[], all),
            ("msp", "msp-user", &[], none),
            ("lmp", "partner-administrator", &[], all),
            ("lmp", "partner-allocator", &[], none),
            ("lmp", "partner-view-only", &[], none),
            // 000: "Can view pages and change payment method": no part of
            // the partner profile, which the administrator modifies.
            ("lmp", "bank-details-only", &[], none),
            ("moodle", "principal", &[], all),
            ("moodle", "financial", &[], none),
            // 003: "edit partner details (contact info, marketing
            // messages, sectors served)", "Does not have access to
            // financial (royalty invoices) information".
            ("moodle", "marketing", &[], [true, false, false, false]),
            ("moodle", "staff", &[], none),
            ("customer-area", "member", &[], none),
            (
                "customer-area",
                "member",
                &["account-admin"],
                [true, true, false, false],
            ),
            ("customer-area", "member", &["billing"], none),
            (
                "customer-area",
                "member",
                &["account-admin", "billing"],
                all,
            ),
        ];
        for (preset, role, areas, expected) in table {
            let mut p = partner(preset);
            assert_eq!(may_change(&mut p, "owner@acme.test"), all, "{preset} owner");
            join(&mut p, "m@acme.test", role);
            if !areas.is_empty() {
                let areas: Vec<String> = areas.iter().map(|a| a.to_string()).collect();
                p.grant(&email("m@acme.test"), &areas, None, None)
                    .expect("grant");
            }
            assert_eq!(
                may_change(&mut p, "m@acme.test"),
                *expected,
                "{preset} {role} {areas:?}"
            );
        }
    }

    /// A partner's `customers.manage` holder edits and renames its
    /// customers (000: "add and manage customers"), but sets no billing
    /// contact of theirs.
    #[test]
    fn a_partner_renames_its_customer_but_sets_no_billing_contact() {
        let mut p = seeded("lmp");
        join(&mut p, "al@acme.test", "partner-allocator");
        crate::domain::testing::add_account(&mut p, "Beta", AccountKind::Customer, Some("Acme"));
        p.ctx.actor = Actor::Member(email("al@acme.test"));
        let rename = ProfileChange {
            name: Some("Beta Two".into()),
            ..ProfileChange::default()
        };
        p.account_set(Some("Beta"), &rename).expect("renamed");
        let billing = ProfileChange {
            billing_contact: Some("al@acme.test".into()),
            ..ProfileChange::default()
        };
        let refused = p
            .account_set(Some("Beta Two"), &billing)
            .expect_err("not the partner's");
        assert_eq!(refused.exit_code(), 5, "{refused}");
        // Told what the field needs, as in his own account (findings A4).
        assert!(
            refused
                .to_string()
                .starts_with("`al@acme.test` may not set the billing contact in `Beta Two`: needs `billing.payment`"),
            "{refused}"
        );
    }
}
