//! A partner's contracted prices: the price per product it agreed with the
//! vendor (seed 002: "Products and Prices: Displays your agreed contracted
//! pricing."). The vendor agrees them, not the partner, so only the
//! operator sets or removes one; a member, whatever their role, is refused
//! before anything is looked up. Reading them needs `account.view` in the
//! partner, as `account show` does. A price is in minor units of the
//! partner's currency, never floating point.

use super::access::{authorize_whole_account, caps};
use super::gate::Write;
use super::licenses::{new_product, parse_product};
use super::visibility::holds_need;
use super::{resolve_account, Actor, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{Account, AccountKind, ContractPrice, Money, Need, Paste, Text};
use crate::store::Tx;
use crate::view::{PriceLine, PriceView};

/// Refuses a member: contracted prices are the vendor's to set.
fn ensure_operator(ctx: &Ctx) -> Result<()> {
    match &ctx.actor {
        Actor::Operator(_) => Ok(()),
        Actor::Member(_) => Err(Error::denied(
            "contracted prices are agreed with the vendor; a partner's members cannot set or remove them",
        )
        .help("the vendor's operator changes them, running portalctl without --as")),
    }
}

/// The account meant, which must be a partner: only partners have
/// contracted prices.
fn find_partner(tx: &dyn Tx, ctx: &Ctx, named: Option<&str>, need: Need) -> Result<Account> {
    let catalog = Catalog::load(tx)?;
    let account = resolve_account(tx, ctx, named, None, holds_need(tx, &catalog, ctx, need))?;
    if account.kind != AccountKind::Partner {
        return Err(Error::invalid(format!(
            "`{}` is a customer; only partner accounts have contracted prices",
            account.name
        ))
        .help("name the partner with --account"));
    }
    Ok(account)
}

fn line(p: &ContractPrice) -> PriceLine {
    PriceLine {
        product: p.product.clone(),
        price: p.price.shown_in(&p.currency),
        currency: p.currency.clone(),
    }
}

fn price_view(partner: &Account, p: &ContractPrice) -> PriceView {
    PriceView {
        account: partner.name.clone(),
        line: line(p),
    }
}

/// The partner's prices as `account show` prints them, by product; none
/// for a customer.
pub(crate) fn price_lines(tx: &dyn Tx, account: &Account) -> Result<Vec<PriceLine>> {
    if account.kind != AccountKind::Partner {
        return Ok(Vec::new());
    }
    Ok(tx.partner_prices(account.id)?.iter().map(line).collect())
}

/// The partner's price of `product`, found by its key as a licence is
/// (see [`licence_named`](super::licenses::licence_named)).
pub(super) fn price_named(
    tx: &dyn Tx,
    partner: &Account,
    product: &str,
) -> Result<Option<ContractPrice>> {
    let Some(price) = tx.partner_price(partner.id, product)? else {
        return Ok(None);
    };
    super::held_names::one_spelling(tx, "price", partner.id, product, &price.product)?;
    Ok(Some(price))
}

/// The partner a price write changes: the operator only, and a partner.
fn pricing(w: &Write<'_>, named: Option<&str>) -> Result<Account> {
    w.catalog()?;
    ensure_operator(&w.ctx)?;
    // The operator's alone: what is needed refuses nobody.
    find_partner(w.tx, &w.ctx, named, caps::ACCOUNT_VIEW.into())
}

/// The actor as a reader of the partner's contracted prices (`license
/// price list` lists them, `account show` shows them), or refused as one: they are beyond the basic details a
/// role that sees only its assigned services reads (001). The log shows
/// price events by this same rule (see `log_sight`).
pub(crate) fn reads_prices(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    partner: &Account,
) -> Result<()> {
    authorize_whole_account(tx, catalog, ctx, partner, "see contracted prices").map(|_| ())
}

impl Portal {
    /// Sets the price a partner agreed for a product, in the partner's
    /// currency; the operator only. The same price again changes nothing.
    pub(crate) fn price_set(
        &mut self,
        account: Option<&str>,
        product: &Text,
        price: Money,
    ) -> Result<PriceView> {
        self.write(|w| {
            let tx = w.tx;
            let partner = pricing(w, account)?;
            let product = parse_product(product.as_str())?;
            let price = price.in_currency(&partner.currency)?;
            let existing = price_named(tx, &partner, &product)?;
            if existing.is_none() {
                new_product(tx, "price", &partner, &product)?;
            }
            let before = existing.as_ref().map(|p| price_view(&partner, p));
            let wanted = ContractPrice {
                account_id: partner.id,
                // A product keeps the spelling it was first priced with.
                product: existing.as_ref().map_or(product, |p| p.product.clone()),
                price,
                currency: partner.currency.clone(),
                updated_at: w.ctx.now,
            };
            if let Some(p) = &existing {
                if p.price == wanted.price && p.currency == wanted.currency {
                    return Ok(price_view(&partner, p));
                }
            }
            tx.put_partner_price(&wanted)?;
            let after = price_view(&partner, &wanted);
            w.changed(
                "license.price_set",
                &partner,
                wanted.product.clone(),
                before.as_ref(),
                &after,
            )?;
            Ok(after)
        })
    }

    /// Removes the price a partner agreed for a product; the operator
    /// only. Returns the price removed.
    pub(crate) fn price_remove(
        &mut self,
        account: Option<&str>,
        product: &Text,
    ) -> Result<PriceView> {
        self.write(|w| {
            let tx = w.tx;
            let partner = pricing(w, account)?;
            let product = parse_product(product.as_str())?;
            let Some(existing) = price_named(tx, &partner, &product)? else {
                return Err(Error::not_found(format!(
                    "`{}` has no contracted price for `{product}`",
                    partner.name
                ))
                .help(format!(
                    "`{}` shows its prices",
                    Paste::new("license price list").opt("--account", &partner.name)
                )));
            };
            tx.delete_partner_price(partner.id, &existing.product)?;
            let removed = price_view(&partner, &existing);
            w.changed(
                "license.price_remove",
                &partner,
                existing.product.clone(),
                Some(&Some(removed.clone())),
                &None,
            )?;
            Ok(removed)
        })
    }

    /// The prices a partner agreed, by product; needs `account.view` in
    /// the partner.
    pub(crate) fn price_list(&mut self, account: Option<&str>) -> Result<Vec<PriceView>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let need = caps::ACCOUNT_VIEW.to("see contracted prices");
        let partner = find_partner(&*tx, &self.ctx, account, need)?;
        reads_prices(&*tx, &catalog, &self.ctx, &partner)?;
        Ok(tx
            .partner_prices(partner.id)?
            .iter()
            .map(|p| price_view(&partner, p))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{email, join, seeded};
    use crate::store::AuditQuery;

    fn events(p: &mut Portal) -> usize {
        let tx = p.gate.read(p.ctx.now).expect("tx");
        tx.audit_events(&AuditQuery::default())
            .expect("events")
            .len()
    }

    fn price(text: &str) -> Money {
        text.parse().expect("a price")
    }

    #[test]
    fn only_the_operator_sets_a_price_and_the_same_price_is_no_change() {
        let mut p = seeded("msp");
        join(&mut p, "ada@acme.test", "msp-administrator");
        let product = Text::from("Email Security");
        let set = p
            .price_set(Some("Acme"), &product, price("12.50"))
            .expect("the operator sets it");
        assert_eq!(set.line.price.minor(), 1250);
        assert_eq!(set.line.currency, "GBP");
        let before = events(&mut p);
        p.price_set(None, &"EMAIL SECURITY".into(), price("12.5"))
            .expect("the same price");
        assert_eq!(events(&mut p), before, "no change, no event");
        // Not even the owner or an MSP administrator: the vendor agrees them.
        for who in ["owner@acme.test", "ada@acme.test"] {
            p.ctx.actor = Actor::Member(email(who));
            let err = p
                .price_set(Some("Acme"), &product, price("1"))
                .expect_err("a member");
            assert_eq!(err.exit_code(), 5, "{err}");
            let err = p
                .price_remove(Some("Acme"), &product)
                .expect_err("a member");
            assert_eq!(err.exit_code(), 5, "{err}");
            // They may read them.
            assert_eq!(p.price_list(None).expect("list").len(), 1);
        }
        assert_eq!(events(&mut p), before);
        let tx = p.gate.read(p.ctx.now).expect("tx");
        let stored = tx.partner_prices(1).expect("prices");
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].price.minor(), 1250);
    }

    #[test]
    fn a_customer_has_no_prices() {
        let mut p = seeded("msp");
        crate::domain::testing::add_account(&mut p, "Client", AccountKind::Customer, Some("Acme"));
        let err = p
            .price_set(Some("Client"), &"Email Security".into(), price("1"))
            .expect_err("a customer");
        assert_eq!(err.exit_code(), 2, "{err}");
        let err = p.price_list(Some("Client")).expect_err("a customer");
        assert_eq!(err.exit_code(), 2, "{err}");
        let err = p
            .price_remove(Some("Acme"), &"Email Security".into())
            .expect_err("none set");
        assert_eq!(err.exit_code(), 3, "{err}");
    }
}
