//! Shipping addresses of an account, and the check an order makes to ship
//! to one.
//!
//! Adding and removing need `addresses.edit`; shipping to one needs
//! `addresses.use`. A customer's addresses are also its parent partner's
//! `customers.manage` holders' to manage, and its `customers.view` holders'
//! to read (see `access::authorize`). An address is never deleted, only marked removed, and
//! an order keeps its own copy ([`ShippingAddress`]), so removing an
//! address an order used leaves the order as it was.

use super::access::{authorize, authorize_whole_account, caps, Authority};
use super::gate::Write;
use super::held_names::{not_look_alike, one_spelling};
use super::licenses::{license_view, reads_licences};
use super::timezones::check_country;
use super::{resolve_account, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{Account, Address, Allocation, License, Paste, ShippingAddress, Text};
use crate::store::Tx;
use crate::view::AddressView;

/// What `account address add` is asked to add: the fields as typed (each
/// one line of [`Text`]), which `address_add` checks one by one.
#[derive(Debug, Clone, Default)]
pub(crate) struct NewAddress {
    /// A name for the address, unique in the account, such as `HQ`.
    pub label: Text,
    /// First line.
    pub line1: Text,
    /// Second line; empty or `None` for none.
    pub line2: Option<Text>,
    /// City.
    pub city: Text,
    /// Postcode.
    pub postcode: Text,
    /// ISO 3166 alpha-2 country code.
    pub country: Text,
}

/// Reads one address field: not empty, at most `max` characters.
fn field(what: &str, text: &Text, max: usize) -> Result<String> {
    let value = text.required(what)?;
    if value.chars().count() > max {
        return Err(Error::invalid(format!(
            "{what} is longer than {max} characters"
        )));
    }
    Ok(value)
}

/// The address with every field checked.
fn checked(typed: &NewAddress) -> Result<ShippingAddress> {
    checked_by_field(typed).map_err(|(_, e)| e)
}

/// [`checked`], with the refused field's name as a fixture spells it
/// (`label`, `line1`, ...), so that a fixture's refusal names its field.
pub(super) fn checked_by_field(
    typed: &NewAddress,
) -> std::result::Result<ShippingAddress, (&'static str, Error)> {
    let named = |name: &'static str| move |e: Error| (name, e);
    Ok(ShippingAddress {
        label: field("the label", &typed.label, 40)
            .and_then(|l| crate::model::one_script_per_word("the label", &l).map(|()| l))
            .map_err(named("label"))?,
        line1: field("the first line", &typed.line1, 200).map_err(named("line1"))?,
        line2: match &typed.line2 {
            Some(text) if !text.is_empty() => {
                Some(field("the second line", text, 200).map_err(named("line2"))?)
            }
            _ => None,
        },
        city: field("the city", &typed.city, 100).map_err(named("city"))?,
        postcode: field("the postcode", &typed.postcode, 20).map_err(named("postcode"))?,
        country: check_country(typed.country.as_str()).map_err(named("country"))?,
    })
}

fn address_view(account: &Account, a: &Address) -> AddressView {
    AddressView {
        account: account.name.clone(),
        address: a.fields.clone(),
        created_at: a.created_at,
        removed_at: a.removed_at,
    }
}

/// The account's addresses that are not removed, by label.
pub(crate) fn address_views(tx: &dyn Tx, account: &Account) -> Result<Vec<AddressView>> {
    Ok(tx
        .addresses(account.id)?
        .iter()
        .map(|a| address_view(account, a))
        .collect())
}

pub(super) fn labelled(tx: &dyn Tx, account: &Account, label: &str) -> Result<Address> {
    let label = label.trim();
    let address = tx.address_labelled(account.id, label)?.ok_or_else(|| {
        Error::not_found(format!(
            "`{}` has no shipping address labelled `{label}`",
            account.name
        ))
        .help(format!(
            "`{}` shows them",
            Paste::new("account address list").opt("--account", &account.name)
        ))
    })?;
    one_spelling(tx, "address", account.id, label, &address.fields.label)?;
    Ok(address)
}

/// The copy of a shipping address an order keeps: resolves `label` among
/// `account`'s addresses for the acting member, who needs `addresses.use`
/// on the account. Call it inside the order's own transaction and store the
/// returned value with the order (not the address's id), so a later
/// `account address remove` leaves the order's copy intact.
pub(crate) fn ship_to(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    label: &str,
) -> Result<ShippingAddress> {
    authorize(tx, catalog, ctx, account, caps::ADDRESSES_USE)?;
    Ok(labelled(tx, account, label)?.fields)
}

/// The actor as a reader of `account`'s shipping addresses (`account
/// address list` lists them, `account show` shows them), or refused as
/// one: `addresses.use`, or `account.view` with sight of the whole
/// account, or (a customer's) sight of its partner's customers. The log shows address events by this same rule (see
/// `log_sight`).
pub(crate) fn reads_addresses(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<()> {
    // A parent partner's member manages the addresses, so it reads them
    // through `addresses.use`, as `authorize` lets it, not by sight of
    // the whole account, which it has not.
    let may_use = match authorize(tx, catalog, ctx, account, caps::ADDRESSES_USE) {
        Ok(_) => true,
        Err(Error::Denied(_)) => false,
        Err(e) => return Err(e),
    };
    if may_use {
        return Ok(());
    }
    // A parent partner's member who sees its customers (`customers.view`)
    // reads their sites as one who manages them does, and uses none.
    match authorize(tx, catalog, ctx, account, caps::ACCOUNT_VIEW) {
        Ok(Authority::Partner { .. }) => return Ok(()),
        Ok(_) | Err(Error::Denied(_)) => {}
        Err(e) => return Err(e),
    }
    authorize_whole_account(tx, catalog, ctx, account, "see the account's sites")?;
    Ok(())
}

impl Portal {
    /// Adds a shipping address; needs `addresses.edit`. Labels are unique
    /// (without case) among the account's addresses.
    pub(crate) fn address_add(
        &mut self,
        account: Option<&str>,
        new: &NewAddress,
    ) -> Result<AddressView> {
        self.write(|w| {
            let account = w.account(account, caps::ADDRESSES_EDIT.to("add shipping addresses"))?;
            add(w, &account, new)
        })
    }

    /// The account's shipping addresses. Needs `account.view` or
    /// `addresses.use` on the account (or `customers.manage` on its partner).
    pub(crate) fn address_list(&mut self, account: Option<&str>) -> Result<Vec<AddressView>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let sees = |a: &Account| reads_addresses(&*tx, &catalog, &self.ctx, a);
        let account = resolve_account(&*tx, &self.ctx, account, None, sees)?;
        sees(&account)?;
        address_views(&*tx, &account)
    }

    /// Removes a shipping address; needs `addresses.edit`. The address is
    /// marked removed, never deleted: orders that used it keep their copy.
    /// Refused while licence seats ship there: an allocation ships where
    /// it says from now on, and a removed address is nowhere to ship.
    pub(crate) fn address_remove(
        &mut self,
        account: Option<&str>,
        label: &str,
    ) -> Result<AddressView> {
        self.write(|w| {
            let account = w.account(
                account,
                caps::ADDRESSES_EDIT.to("remove shipping addresses"),
            )?;
            let address = labelled(w.tx, &account, label)?;
            let shipping = shipments_to(w.tx, &account, &address.fields)?;
            if !shipping.is_empty() {
                return Err(still_shipped_to(w, &account, &address.fields, &shipping)?);
            }
            remove(w, &account, address)
        })
    }

    /// Replaces the address labelled `label` by `new` (`apply` of a file
    /// that describes it otherwise): removed and added again, in one
    /// write, with the licence seats shipped to it shipped to the new one,
    /// so that a changed address keeps the allocations that name it.
    pub(crate) fn address_replace(
        &mut self,
        account: Option<&str>,
        label: &str,
        new: &NewAddress,
    ) -> Result<AddressView> {
        self.write(|w| {
            let account = w.account(
                account,
                caps::ADDRESSES_EDIT.to("change shipping addresses"),
            )?;
            let address = labelled(w.tx, &account, label)?;
            let old = address.fields.clone();
            remove(w, &account, address)?;
            let added = add(w, &account, new)?;
            reship(w, &account, &old, Some(&added.address))?;
            Ok(added)
        })
    }

    /// Removes the address labelled `label` (`apply --prune` of a file
    /// that no longer lists it), and with it where seats shipped there
    /// ship: the file names no address for them, as none of its own is
    /// that one. Warns of each such allocation.
    pub(crate) fn address_prune(&mut self, account: Option<&str>, label: &str) -> Result<()> {
        self.write(|w| {
            let account = w.account(
                account,
                caps::ADDRESSES_EDIT.to("remove shipping addresses"),
            )?;
            let address = labelled(w.tx, &account, label)?;
            let old = address.fields.clone();
            remove(w, &account, address)?;
            reship(w, &account, &old, None)
        })
    }
}

/// `account address add` once the account is resolved and authorized.
fn add(w: &Write<'_>, account: &Account, new: &NewAddress) -> Result<AddressView> {
    let tx = w.tx;
    let fields = checked(new)?;
    if let Some(existing) = tx.address_labelled(account.id, &fields.label)? {
        return Err(Error::conflict(format!(
            "`{}` already has an address labelled `{}`",
            account.name, existing.fields.label
        ))
        .help("choose another label, or remove that address first"));
    }
    not_look_alike(tx, "address", account.id, &fields.label, None, |_| Ok(true))?;
    let id = tx.insert_address(account.id, &fields, w.ctx.now)?;
    let view = address_view(
        account,
        &Address {
            id,
            account_id: account.id,
            fields,
            created_at: w.ctx.now,
            removed_at: None,
        },
    );
    w.changed(
        "account.address_add",
        account,
        view.address.label.clone(),
        None,
        &view,
    )?;
    Ok(view)
}

/// `account address remove` once the address is found and may go.
fn remove(w: &Write<'_>, account: &Account, mut address: Address) -> Result<AddressView> {
    let before = address_view(account, &address);
    w.tx.mark_address_removed(address.id, w.ctx.now)?;
    address.removed_at = Some(w.ctx.now);
    let after = address_view(account, &address);
    w.changed(
        "account.address_remove",
        account,
        address.fields.label.clone(),
        Some(&before),
        &after,
    )?;
    Ok(after)
}

/// The allocations of `account`'s licences whose seats ship to
/// `address`, by licence.
fn shipments_to(
    tx: &dyn Tx,
    account: &Account,
    address: &ShippingAddress,
) -> Result<Vec<(License, Vec<Allocation>)>> {
    let mut found = Vec::new();
    for licence in tx.licenses_of(account.id)? {
        let there: Vec<Allocation> = tx
            .allocations(licence.id)?
            .into_iter()
            .filter(|a| a.seats > 0 && a.ship_to.as_ref() == Some(address))
            .collect();
        if !there.is_empty() {
            found.push((licence, there));
        }
    }
    Ok(found)
}

/// The refusal of removing an address seats still ship to (exit 4): the
/// allocations, and the command that ships the first elsewhere, for an
/// actor who reads the licences; that some seats ship there, otherwise.
fn still_shipped_to(
    w: &Write<'_>,
    account: &Account,
    address: &ShippingAddress,
    shipping: &[(License, Vec<Allocation>)],
) -> Result<Error> {
    let tx = w.tx;
    let catalog = w.catalog()?;
    let what = format!(
        "licence seats ship to `{}` of `{}`",
        address.label, account.name
    );
    if reads_licences(tx, catalog, &w.ctx, account).is_err() {
        return Ok(Error::conflict(what).help(format!(
            "a holder of `{}` in `{}` ships them to another address first",
            caps::LICENSES_ALLOCATE,
            account.name
        )));
    }
    let mut held = Vec::new();
    for (licence, allocations) in shipping {
        for a in allocations {
            held.push((licence, tx.account(a.customer_id)?.name, a.seats));
        }
    }
    let shown: Vec<String> = held
        .iter()
        .take(3)
        .map(|(l, customer, seats)| format!("{seats} of `{}` for `{customer}`", l.product))
        .collect();
    let more = match held.len().saturating_sub(shown.len()) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let (licence, customer, seats) = &held[0];
    Ok(
        Error::conflict(format!("{what}: {}{more}", shown.join(", "))).help(format!(
            "ship them to another address first: `{}`",
            Paste::new("license allocate")
                .opt("--product", &licence.product)
                .opt("--customer", customer)
                .opt("--seats", seats)
                .words("--ship-to LABEL")
                .opt("--account", &account.name),
        )),
    )
}

/// Ships the seats that were shipped to `old` to `new` instead (or to no
/// address, with a warning), one `license.allocate` event per
/// allocation, as the command records it.
fn reship(
    w: &Write<'_>,
    account: &Account,
    old: &ShippingAddress,
    new: Option<&ShippingAddress>,
) -> Result<()> {
    let tx = w.tx;
    for (licence, allocations) in shipments_to(tx, account, old)? {
        for mut a in allocations {
            let customer = tx.account(a.customer_id)?.name;
            let before = license_view(tx, account, &licence)?;
            a.ship_to = new.cloned();
            a.updated_at = w.ctx.now;
            tx.put_allocation(&a)?;
            let after = license_view(tx, account, &licence)?;
            w.changed(
                "license.allocate",
                account,
                format!("{} for {customer}", licence.product),
                Some(&before),
                &after,
            )?;
            if new.is_none() {
                w.warn(format!(
                    "the {} seats of `{}` for `{customer}` shipped to `{}`, which is removed; they ship to no address now",
                    a.seats, licence.product, old.label
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{email, join, seeded};
    use crate::domain::Actor;

    /// An lmp portal with an allocator and a view-only member, and an `HQ`
    /// address on the partner.
    fn portal() -> Portal {
        let mut p = seeded("lmp");
        join(&mut p, "al@acme.test", "partner-allocator");
        join(&mut p, "vo@acme.test", "partner-view-only");
        p.address_add(
            Some("Acme"),
            &NewAddress {
                label: "HQ".into(),
                line1: "1 High Street".into(),
                line2: None,
                city: "London".into(),
                postcode: "EC1A 1BB".into(),
                country: "gb".into(),
            },
        )
        .expect("address");
        p
    }

    fn ship_as(p: &mut Portal, who: &str, label: &str) -> Result<ShippingAddress> {
        p.ctx.actor = Actor::Member(email(who));
        let tx = p.gate.read(p.ctx.now).expect("tx");
        let catalog = Catalog::load(&*tx).expect("catalog");
        let account = tx.account_named("Acme").expect("read").expect("account");
        ship_to(&*tx, &catalog, &p.ctx, &account, label)
    }

    #[test]
    fn shipping_needs_addresses_use_and_returns_a_copy() {
        let mut p = portal();
        // "Partner Allocator: can use, but not edit, shipping addresses."
        let copy = ship_as(&mut p, "al@acme.test", "hq").expect("allocator may use");
        assert_eq!(copy.label, "HQ");
        assert_eq!(copy.country, "GB");
        let err = ship_as(&mut p, "vo@acme.test", "HQ").expect_err("view only may not");
        assert_eq!(err.exit_code(), 5, "{err}");
        let err = ship_as(&mut p, "al@acme.test", "Warehouse").expect_err("no such label");
        assert_eq!(err.exit_code(), 3, "{err}");
    }

    #[test]
    fn removing_an_address_keeps_the_copy_and_the_row() {
        let mut p = portal();
        let copy = ship_as(&mut p, "al@acme.test", "HQ").expect("copy");
        p.ctx.actor = Actor::Operator("root".into());
        let removed = p.address_remove(Some("Acme"), "HQ").expect("remove");
        assert!(removed.removed_at.is_some());
        assert_eq!(removed.address, copy, "the order's copy is what it was");
        let err = ship_as(&mut p, "al@acme.test", "HQ").expect_err("removed");
        assert_eq!(err.exit_code(), 3, "{err}");
        let tx = p.gate.read(p.ctx.now).expect("tx");
        assert!(tx.addresses(1).expect("addresses").is_empty());
    }
}
