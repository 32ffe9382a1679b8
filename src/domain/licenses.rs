//! Licences: partners buy seats of a product and allocate or move them
//! between their own customers. Seats never go negative, and the seats
//! allocated never exceed the seats bought.

use super::access::{authority, authorize, authorize_any, authorize_whole_account, caps};
use super::held_names::{looks_like, not_look_alike, one_spelling};
use super::visibility::resolve_account_of;
use super::{find_account, find_customer_reached, Actor, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{
    one_script_per_word, parse_name, Account, AccountKind, Address, Allocation, Capability,
    License, Need, ShippingAddress, Text,
};
use crate::store::Tx;
use crate::view::{AllocationView, LicenseView, ProductView};
use unicode_normalization::UnicodeNormalization;

/// The most seats one command may buy, allocate or move; keeps every sum
/// far from overflowing.
pub(crate) const MAX_SEATS: i64 = 1_000_000;

/// What `license purchase` is asked to buy.
#[derive(Debug, Clone)]
pub(crate) struct Purchase {
    /// Product name, such as `MDR Complete`.
    pub product: Text,
    /// Seats to add to what the partner has.
    pub seats: i64,
    /// The partner; resolved when `None`.
    pub account: Option<String>,
}

/// What `license allocate` is asked to set.
#[derive(Debug, Clone)]
pub(crate) struct Allocate {
    /// Product name.
    pub product: String,
    /// The customer account.
    pub customer: String,
    /// The seats the customer holds afterwards (0 hands them all back).
    pub seats: i64,
    /// The partner; the customer's parent when `None`.
    pub account: Option<String>,
    /// Label of one of the partner's shipping addresses to ship the seats
    /// to (needs `addresses.use` on the partner); `None` keeps the one
    /// the allocation has.
    pub ship_to: Option<String>,
}

/// What `license move` is asked to move.
#[derive(Debug, Clone)]
pub(crate) struct Move {
    /// Product name.
    pub product: String,
    /// The customer giving seats.
    pub from: String,
    /// The customer receiving them.
    pub to: String,
    /// How many.
    pub seats: i64,
    /// The partner; the customers' parent when `None`.
    pub account: Option<String>,
}

pub(super) fn parse_product(text: &str) -> Result<String> {
    let product = parse_name("the product", text)?;
    if product.chars().count() > 80 {
        return Err(Error::invalid(
            "the product name is longer than 80 characters",
        ));
    }
    Ok(product)
}

/// Refuses a product new to `partner`'s list (`kind`: `licence` bought,
/// `price` contracted) that reads as another name: a word mixing scripts
/// or a letter no name is written with (exit 2, as for an account's
/// name), or a look-alike of a product it has bought or priced
/// (`Сafé Suite` with a Cyrillic `С`, full-width `ＣＡＦＥ́ SUITE`, beside
/// `Café Suite`; exit 4): seats of the decoy would carry no contracted
/// price, and the lists would show two products that read as one.
pub(super) fn new_product(
    tx: &dyn Tx,
    kind: &'static str,
    partner: &Account,
    product: &str,
) -> Result<()> {
    one_script_per_word("the product", product)?;
    // In compatibility letters, the product of its plain form's key is
    // the one it imitates, which its own key never finds.
    let plain: String = product.nfkc().collect();
    if plain != product {
        let held = match tx.license_for(partner.id, &plain)? {
            Some(l) => Some(l.product),
            None => tx.partner_price(partner.id, &plain)?.map(|p| p.product),
        };
        if let Some(held) = held {
            return Err(looks_like(kind, product, &held));
        }
    }
    not_look_alike(tx, kind, partner.id, product, None, |_| Ok(true))
}

/// Refuses seat counts below `min` or absurdly large.
fn check_seats(seats: i64, min: i64) -> Result<i64> {
    if seats < 0 {
        return Err(Error::invalid(format!(
            "seats cannot be negative (got {seats})"
        )));
    }
    if seats < min {
        return Err(Error::invalid(format!("seats must be at least {min}")));
    }
    if seats > MAX_SEATS {
        return Err(Error::invalid(format!(
            "{seats} seats is more than one command may handle ({MAX_SEATS})"
        )));
    }
    Ok(seats)
}

fn ensure_partner(account: &Account) -> Result<()> {
    if account.kind != AccountKind::Partner {
        return Err(Error::invalid(format!(
            "`{}` is a customer; licences belong to partner accounts",
            account.name
        ))
        .help("name the partner with --account, and the customer with --customer"));
    }
    Ok(())
}

/// Finds a customer account by name, as someone who holds one of `reach`
/// in its partner (see [`find_customer_reached`]).
pub(super) fn find_customer(tx: &dyn Tx, ctx: &Ctx, name: &str, reach: &[Need]) -> Result<Account> {
    let customer = find_customer_reached(tx, ctx, name, reach)?;
    if customer.kind != AccountKind::Customer {
        return Err(Error::invalid(format!(
            "`{}` is a partner, not a customer account",
            customer.name
        )));
    }
    Ok(customer)
}

/// The partner a command acts for: the one named, else the customer's
/// parent.
fn partner_for(tx: &dyn Tx, ctx: &Ctx, named: Option<&str>, customer: &Account) -> Result<Account> {
    let partner = match (named, customer.parent_id) {
        (Some(name), _) => find_account(tx, ctx, name)?,
        (None, Some(parent)) => tx.account(parent)?,
        (None, None) => {
            return Err(Error::conflict(format!(
                "`{}` has no parent partner, so it holds no licences",
                customer.name
            )))
        }
    };
    ensure_partner(&partner)?;
    Ok(partner)
}

/// Refuses a customer that belongs to another partner (or to none).
pub(super) fn ensure_customer_of(tx: &dyn Tx, customer: &Account, partner: &Account) -> Result<()> {
    if customer.parent_id == Some(partner.id) {
        return Ok(());
    }
    let whose = match customer.parent_id {
        Some(id) => format!("a customer of `{}`", tx.account(id)?.name),
        None => "a customer without a partner".to_string(),
    };
    Err(Error::conflict(format!(
        "`{}` is {whose}, not of `{}`",
        customer.name, partner.name
    ))
    .help(format!(
        "`portalctl account list` shows the customers of `{}`",
        partner.name
    )))
}

fn license_of(tx: &dyn Tx, partner: &Account, product: &str) -> Result<License> {
    licence_named(tx, partner, product)?.ok_or_else(|| {
        Error::not_found(format!(
            "`{}` has bought no `{product}` licences",
            partner.name
        ))
        .help("buy seats first with `portalctl license purchase --product P --seats N`")
    })
}

/// The partner's licence of `product`, found by its key as names are
/// (`CAFÉ SUITE` is `Café Suite`); refused when an older database holds
/// two products of that key and neither is spelled so.
pub(super) fn licence_named(
    tx: &dyn Tx,
    partner: &Account,
    product: &str,
) -> Result<Option<License>> {
    let Some(licence) = tx.license_for(partner.id, product)? else {
        return Ok(None);
    };
    one_spelling(tx, "licence", partner.id, product, &licence.product)?;
    Ok(Some(licence))
}

fn held(allocations: &[Allocation], customer: &Account) -> i64 {
    allocations
        .iter()
        .find(|a| a.customer_id == customer.id)
        .map_or(0, |a| a.seats)
}

/// Where the customer's seats are shipped, as their allocation records it:
/// none while they hold no seats (seats allocated again after a move
/// took them all go where the new allocation says, not to an address
/// named for seats long gone), nor to an address since removed.
fn shipped_to(
    tx: &dyn Tx,
    partner: &Account,
    allocations: &[Allocation],
    customer: &Account,
) -> Result<Option<ShippingAddress>> {
    let Some(a) = allocations.iter().find(|a| a.customer_id == customer.id) else {
        return Ok(None);
    };
    if a.seats == 0 {
        return Ok(None);
    }
    Ok(live(&tx.addresses(partner.id)?, a.ship_to.clone()))
}

/// `copy` while it is still one of `addresses` (those not removed): an
/// allocation ships to an address the partner has, so `license list`,
/// `export` and a copy made from it all read the same.
fn live(addresses: &[Address], copy: Option<ShippingAddress>) -> Option<ShippingAddress> {
    copy.filter(|copy| addresses.iter().any(|a| a.fields == *copy))
}

/// The printable form of a licence: customers holding seats, by name.
pub(crate) fn license_view(tx: &dyn Tx, partner: &Account, l: &License) -> Result<LicenseView> {
    let mut allocations = Vec::new();
    let mut allocated = 0;
    let addresses = tx.addresses(partner.id)?;
    for a in tx.allocations(l.id)? {
        allocated += a.seats;
        if a.seats > 0 {
            allocations.push(AllocationView {
                customer: tx.account(a.customer_id)?.name,
                seats: a.seats,
                ship_to: live(&addresses, a.ship_to),
            });
        }
    }
    allocations.sort_by(|a, b| a.customer.cmp(&b.customer));
    Ok(LicenseView {
        account: partner.name.clone(),
        product: l.product.clone(),
        seats: l.seats,
        allocated,
        available: l.seats - allocated,
        allocations: Some(allocations),
    })
}

/// The product lines of `account show`: what a partner bought and handed
/// out, or what a customer holds and from whom.
pub(crate) fn products_of(tx: &dyn Tx, account: &Account) -> Result<Vec<ProductView>> {
    match (account.kind, account.parent_id) {
        (AccountKind::Partner, _) => tx
            .licenses_of(account.id)?
            .iter()
            .map(|l| {
                let v = license_view(tx, account, l)?;
                Ok(ProductView {
                    product: v.product,
                    seats: v.seats,
                    allocated: Some(v.allocated),
                    available: Some(v.available),
                    supplier: None,
                })
            })
            .collect(),
        (AccountKind::Customer, Some(parent)) => {
            let parent = tx.account(parent)?;
            let held = tx.allocations_of_customer(account.id)?;
            let mut lines = Vec::new();
            for l in tx.licenses_of(parent.id)? {
                let seats = held
                    .iter()
                    .find(|a| a.license_id == l.id)
                    .map_or(0, |a| a.seats);
                if seats > 0 {
                    lines.push(ProductView {
                        product: l.product,
                        seats,
                        allocated: None,
                        available: None,
                        supplier: Some(parent.name.clone()),
                    });
                }
            }
            Ok(lines)
        }
        (AccountKind::Customer, None) => Ok(Vec::new()),
    }
}

/// Whether `who`, holding one of [`LICENSE_READERS`], reads licences: by
/// `licenses.allocate`, or by `account.view` with sight of the whole
/// account, whose seats and prices are beyond the basic details a role
/// seeing only its assigned services reads (001).
fn licences_read_by(who: &super::access::Authority<'_>) -> bool {
    who.holds(caps::LICENSES_ALLOCATE) || who.sees_whole_account()
}

/// The actor as a reader of `partner`'s licences, or refused as such:
/// `license list` lists them, and `account show` shows them, so.
pub(super) fn reads_licences(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    partner: &Account,
) -> Result<()> {
    let who = authorize_any(tx, catalog, ctx, partner, &LICENSE_READERS, "see licences")?;
    if licences_read_by(&who) {
        return Ok(());
    }
    authorize_whole_account(tx, catalog, ctx, partner, "see licences").map(|_| ())
}

/// Who reads a partner's licences (`license list`), any one of these: the
/// log shows licence events by the same rule (see `log_sight`).
pub(super) const LICENSE_READERS: [Capability; 2] = [caps::LICENSES_ALLOCATE, caps::ACCOUNT_VIEW];

impl Portal {
    /// Buys seats of a product for a partner; needs `licenses.purchase`.
    /// Buying a product again adds to the seats it has.
    pub(crate) fn license_purchase(&mut self, req: &Purchase) -> Result<LicenseView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            // Only a partner buys: the only partner of several accounts
            // is the one meant.
            let partner = resolve_account_of(
                tx,
                &w.ctx,
                req.account.as_deref(),
                None,
                |a| match a.kind {
                    AccountKind::Partner => Ok(()),
                    AccountKind::Customer => Err(Error::not_found("no licences")),
                },
                |a| w.authorize(a, caps::LICENSES_PURCHASE).map(|_| ()),
            )?;
            ensure_partner(&partner)?;
            authorize(tx, catalog, &w.ctx, &partner, caps::LICENSES_PURCHASE)?;
            let product = parse_product(req.product.as_str())?;
            let seats = check_seats(req.seats, 1)?;
            let (license, before) = match licence_named(tx, &partner, &product)? {
                Some(mut l) => {
                    let before = license_view(tx, &partner, &l)?;
                    l.seats = l.seats.checked_add(seats).ok_or_else(|| {
                        Error::conflict(format!(
                            "`{}` cannot hold more seats of `{}`",
                            partner.name, l.product
                        ))
                    })?;
                    l.updated_at = w.ctx.now;
                    tx.update_license(&l)?;
                    (l, Some(before))
                }
                None => {
                    new_product(tx, "licence", &partner, &product)?;
                    let mut l = License {
                        id: 0,
                        account_id: partner.id,
                        product,
                        seats,
                        created_at: w.ctx.now,
                        updated_at: w.ctx.now,
                    };
                    l.id = tx.insert_license(&l)?;
                    (l, None)
                }
            };
            let after = license_view(tx, &partner, &license)?;
            w.changed(
                "license.purchase",
                &partner,
                license.product.clone(),
                before.as_ref(),
                &after,
            )?;
            Ok(after)
        })
    }

    /// Sets how many seats of a product one customer holds; needs
    /// `licenses.allocate` on the customer's partner. The seats come from
    /// (or go back to) the partner's unallocated seats. `ship_to` names one
    /// of the partner's shipping addresses (seed 000: the partner's
    /// addresses, which an allocator "can use, but not edit"); the
    /// allocation keeps a copy of it.
    pub(crate) fn license_allocate(&mut self, req: &Allocate) -> Result<LicenseView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let customer = find_customer(tx, &w.ctx, &req.customer, &[caps::LICENSES_ALLOCATE.into()])?;
            let partner = partner_for(tx, &w.ctx, req.account.as_deref(), &customer)?;
            authorize(tx, catalog, &w.ctx, &partner, caps::LICENSES_ALLOCATE)?;
            ensure_customer_of(tx, &customer, &partner)?;
            let product = parse_product(&req.product)?;
            let seats = check_seats(req.seats, 0)?;
            let license = license_of(tx, &partner, &product)?;
            let before = license_view(tx, &partner, &license)?;
            let allocations = tx.allocations(license.id)?;
            let current = held(&allocations, &customer);
            let had = shipped_to(tx, &partner, &allocations, &customer)?;
            let ship_to = match req.ship_to.as_deref() {
                Some(label) => Some(super::addresses::ship_to(
                    tx, catalog, &w.ctx, &partner, label,
                )?),
                None => had.clone(),
            };
            // No seats ship nowhere: the next allocation names its address.
            let ship_to = ship_to.filter(|_| seats > 0);
            if seats == current && ship_to == had {
                return Ok(before);
            }
            let others = before.allocated - current;
            if others + seats > license.seats {
                return Err(Error::conflict(format!(
                    "`{}` bought {} seats of `{}` and {others} are allocated to other customers: `{}` can hold at most {}",
                    partner.name,
                    license.seats,
                    license.product,
                    customer.name,
                    license.seats - others
                ))
                .help("buy more with `portalctl license purchase`, or move seats from another customer with `portalctl license move`"));
            }
            tx.put_allocation(&Allocation {
                license_id: license.id,
                customer_id: customer.id,
                seats,
                ship_to,
                updated_at: w.ctx.now,
            })?;
            let after = license_view(tx, &partner, &license)?;
            w.changed(
                "license.allocate",
                &partner,
                format!("{} for {}", license.product, customer.name),
                Some(&before),
                &after,
            )?;
            Ok(after)
        })
    }

    /// Moves seats of a product from one customer of a partner to another,
    /// in one transaction; needs `licenses.allocate` on the partner.
    pub(crate) fn license_move(&mut self, req: &Move) -> Result<LicenseView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let allocators = [caps::LICENSES_ALLOCATE.into()];
            let from = find_customer(tx, &w.ctx, &req.from, &allocators)?;
            let to = find_customer(tx, &w.ctx, &req.to, &allocators)?;
            let partner = partner_for(tx, &w.ctx, req.account.as_deref(), &from)?;
            authorize(
                tx,
                catalog,
                &w.ctx,
                &partner,
                caps::LICENSES_ALLOCATE.to("move licence seats"),
            )?;
            if from.id == to.id {
                return Err(Error::invalid(format!(
                    "`{}` is both --from and --to; there is nothing to move",
                    from.name
                )));
            }
            ensure_customer_of(tx, &from, &partner)?;
            ensure_customer_of(tx, &to, &partner)?;
            let product = parse_product(&req.product)?;
            let seats = check_seats(req.seats, 1)?;
            let license = license_of(tx, &partner, &product)?;
            let before = license_view(tx, &partner, &license)?;
            let allocations = tx.allocations(license.id)?;
            let (giving, taking) = (held(&allocations, &from), held(&allocations, &to));
            if giving < seats {
                return Err(Error::conflict(format!(
                    "`{}` holds {giving} seats of `{}`; {seats} cannot be moved",
                    from.name, license.product
                )));
            }
            // The giver first, so the total never passes the seats bought, not
            // even between the two statements.
            for (customer, seats) in [(&from, giving - seats), (&to, taking + seats)] {
                // Each keeps where its seats are shipped, while it has some.
                let ship_to = shipped_to(tx, &partner, &allocations, customer)?;
                tx.put_allocation(&Allocation {
                    license_id: license.id,
                    customer_id: customer.id,
                    seats,
                    ship_to: ship_to.filter(|_| seats > 0),
                    updated_at: w.ctx.now,
                })?;
            }
            let after = license_view(tx, &partner, &license)?;
            w.changed(
                "license.move",
                &partner,
                format!("{} from {} to {}", license.product, from.name, to.name),
                Some(&before),
                &after,
            )?;
            Ok(after)
        })
    }

    /// At most `limit` of [`Portal::license_list_all`], in its order.
    pub(crate) fn license_list(
        &mut self,
        account: Option<&str>,
        customer: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Vec<LicenseView>> {
        Ok(super::first(
            self.license_list_all(account, customer)?,
            limit,
        ))
    }

    /// Licences with who holds their seats: of the partner named, of the
    /// customer's partner (only that customer's seats), or of every partner
    /// the actor may see. Needs `licenses.allocate` or `account.view` on
    /// the partner.
    fn license_list_all(
        &mut self,
        account: Option<&str>,
        customer: Option<&str>,
    ) -> Result<Vec<LicenseView>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let readers = LICENSE_READERS;
        // The operator is told of a customer that is not there. A member's
        // `--customer` filters the licences they see, so it tells them
        // nothing of a customer whose seats they do not see.
        let wanted = customer.map(str::trim);
        let customer = match (wanted, &self.ctx.actor) {
            (Some(name), Actor::Operator(_)) => Some(find_customer(&*tx, &self.ctx, name, &[])?),
            _ => None,
        };
        let partners = match (&customer, account) {
            (Some(c), _) => {
                let partner = partner_for(&*tx, &self.ctx, account, c)?;
                reads_licences(&*tx, &catalog, &self.ctx, &partner)?;
                ensure_customer_of(&*tx, c, &partner)?;
                vec![partner]
            }
            (None, Some(name)) => {
                let partner = find_account(&*tx, &self.ctx, name)?;
                ensure_partner(&partner)?;
                reads_licences(&*tx, &catalog, &self.ctx, &partner)?;
                vec![partner]
            }
            (None, None) => {
                let mut visible = Vec::new();
                // Partners the member acts in but reads no licences of.
                let mut unread = Vec::new();
                for a in tx.accounts()? {
                    if a.kind != AccountKind::Partner {
                        continue;
                    }
                    match authority(&*tx, &catalog, &self.ctx, &a) {
                        Ok(who)
                            if readers.iter().any(|c| who.holds(*c)) && licences_read_by(&who) =>
                        {
                            visible.push(a)
                        }
                        Ok(_) => unread.push(a),
                        Err(Error::Denied(_)) => {}
                        Err(e) => return Err(e),
                    }
                }
                if visible.is_empty() && matches!(self.ctx.actor, Actor::Member(_)) {
                    // Of their one partner, the reason `--account` gives.
                    if let [only] = unread.as_slice() {
                        reads_licences(&*tx, &catalog, &self.ctx, only)?;
                    }
                    return Err(Error::denied(
                        "you see the licences of no partner account: that needs `licenses.allocate`, or `account.view` with sight of the whole account, in one",
                    ));
                }
                visible
            }
        };
        let mut views = Vec::new();
        for partner in &partners {
            // The customers are named only to whoever may know them (as
            // `account list` lists them): a reader of the partner's pages
            // alone sees the seats, not who holds them.
            let names_customers = match &self.ctx.actor {
                Actor::Operator(_) => true,
                // Who sees the partner's customers (`customers.view`,
                // as `account list` shows them), or acts on them here.
                Actor::Member(_) => match authority(&*tx, &catalog, &self.ctx, partner) {
                    Ok(who) => {
                        who.sees_customers()
                            || [
                                caps::LICENSES_ALLOCATE,
                                caps::ACCOUNT_CONFIG,
                                caps::EXTERNAL_ADMINS_MANAGE,
                            ]
                            .into_iter()
                            .any(|c| who.holds(c))
                    }
                    Err(Error::Denied(_)) => false,
                    Err(e) => return Err(e),
                },
            };
            for l in tx.licenses_of(partner.id)? {
                let mut view = license_view(&*tx, partner, &l)?;
                if !names_customers {
                    view.allocations = None;
                }
                if let Some(name) = wanted {
                    let Some(held) = view.allocations.as_mut() else {
                        continue;
                    };
                    held.retain(|a| crate::model::same_name(&a.customer, name));
                    if held.is_empty() {
                        continue;
                    }
                }
                views.push(view);
            }
        }
        Ok(views)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{add_account, email, join, join_in, seeded, seeded_as};

    /// Finding N9: without `--account`, a member of one partner who reads
    /// no licences there is told why, as `--account` tells them; a member
    /// of several is told what reading them takes, which is true of each.
    #[test]
    fn a_member_who_sees_no_licences_is_told_the_real_reason() {
        let mut p = seeded_as("portal", Some(AccountKind::Partner));
        join(&mut p, "una@acme.test", "user");
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        let without = p.license_list(None, None, None).expect_err("una sees none");
        let with = p
            .license_list(Some("Acme"), None, None)
            .expect_err("una sees none");
        assert_eq!(without.exit_code(), 5, "{without}");
        assert_eq!(without.to_string(), with.to_string());
        assert!(without.to_string().contains("role `user`"), "{without}");
        p.ctx.actor = Actor::Operator("root".into());
        add_account(&mut p, "Beta", AccountKind::Partner, None);
        join_in(&mut p, "una@acme.test", "user", Some("Beta"));
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        let err = p.license_list(None, None, None).expect_err("una sees none");
        assert!(
            err.to_string()
                .starts_with("you see the licences of no partner account"),
            "{err}"
        );
    }

    fn purchase(p: &mut Portal, product: &str, seats: i64) -> LicenseView {
        p.license_purchase(&Purchase {
            product: Text::from(product),
            seats,
            account: Some("Acme".into()),
        })
        .expect("bought")
    }

    /// A product is one seat pool and one price whatever case of any
    /// script, composition or spaces it is written in, as a name is
    /// (finding N14): `CAFÉ SUITE` adds to `Café Suite`, which keeps its
    /// first spelling.
    #[test]
    fn a_product_is_found_by_its_key_in_every_script() {
        let mut p = seeded("msp");
        add_account(&mut p, "Client", AccountKind::Customer, Some("Acme"));
        purchase(&mut p, "Café Suite", 50);
        let again = purchase(&mut p, "CAFÉ SUITE", 1);
        assert_eq!((again.product.as_str(), again.seats), ("Café Suite", 51));
        let held = p
            .license_allocate(&Allocate {
                product: "CAFE\u{301}  SUITE".into(),
                customer: "Client".into(),
                seats: 2,
                account: Some("Acme".into()),
                ship_to: None,
            })
            .expect("allocated under another spelling");
        assert_eq!((held.product.as_str(), held.allocated), ("Café Suite", 2));
        assert_eq!(
            p.license_list(Some("Acme"), None, None)
                .expect("list")
                .len(),
            1
        );
        for spelling in ["café suite", "CAFÉ SUITE"] {
            p.price_set(Some("Acme"), &spelling.into(), "5".parse().expect("price"))
                .expect("priced");
        }
        let prices = p.price_list(Some("Acme")).expect("prices");
        assert_eq!(prices.len(), 1, "one price: {prices:?}");
        p.price_remove(Some("Acme"), &"Café Suite".into())
            .expect("removed under another spelling");
    }
}
