//! A partner's config: inbound and outbound IP addresses and the mail
//! smarthost. Reading and changing it need `account.config`.
//! The config prefills each customer's request for information (RFI),
//! which only whoever holds `account.config` prepares.
//! Addresses are stored in their normal form, so one address is one entry
//! however it was typed.

use super::access::{authorize, caps};
use super::gate::Write;
use super::licenses::{ensure_customer_of, find_customer};
use super::visibility::resolve_account_of;
use super::{find_account, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{Account, AccountKind, IpDirection, IpNetwork, PartnerIp, Paste, Smarthost};
use crate::store::Tx;
use crate::view::{IpView, PartnerConfigView, RfiView};

/// Picks the account meant, which must be a partner: only partners have a
/// config. Without `--account`, only a partner where the actor may do
/// what the command does (`act`) can be the one meant: a customer, or a
/// partner where they may not, is not.
fn find_partner(
    tx: &dyn Tx,
    ctx: &Ctx,
    named: Option<&str>,
    act: impl Fn(&Account) -> Result<()>,
) -> Result<Account> {
    let is_partner = |a: &Account| match a.kind {
        AccountKind::Partner => Ok(()),
        AccountKind::Customer => Err(Error::not_found("no partner config")),
    };
    let account = resolve_account_of(tx, ctx, named, None, is_partner, act)?;
    if account.kind != AccountKind::Partner {
        return Err(Error::invalid(format!(
            "`{}` is a customer; IP addresses and the smarthost are partner config",
            account.name
        )));
    }
    Ok(account)
}

/// The actor as a reader of the partner's IP addresses (`account ip
/// list`), or refused as one; the log shows their events by this rule
/// ([`reads_partner_config`]).
pub(super) fn reads_ips(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<()> {
    reads_partner_config(tx, catalog, ctx, account, "see the partner's IP addresses")
}

/// The actor as a reader of the partner's config, its smarthost with its
/// IP addresses (`account show` and `export`), or refused as one; the log
/// shows a smarthost's events by this rule ([`reads_partner_config`]).
pub(crate) fn reads_config(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<()> {
    reads_partner_config(tx, catalog, ctx, account, "see the partner's config")
}

/// The one rule for reading any of the partner's config: `account.config`,
/// as for changing it and for the RFIs it prefills. Seed 002 describes the
/// config ("Partner Config") as a page of its own, apart from the Partner
/// Details every user displays: "Access to this functionality is only
/// available to MSP Administrators".
fn reads_partner_config(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    action: &'static str,
) -> Result<()> {
    authorize(tx, catalog, ctx, account, caps::ACCOUNT_CONFIG.to(action)).map(|_| ())
}

/// The partner whose config a write changes, with the actor holding
/// `account.config` there, and its config before the change.
fn configuring(w: &Write<'_>, named: Option<&str>) -> Result<(Account, PartnerConfigView)> {
    w.catalog()?;
    let account = find_partner(w.tx, &w.ctx, named, |a| {
        w.authorize(a, caps::ACCOUNT_CONFIG).map(|_| ())
    })?;
    w.authorize(&account, caps::ACCOUNT_CONFIG)?;
    let before = config_view(w.tx, &account)?;
    Ok((account, before))
}

/// The partner's config as printed.
pub(crate) fn config_view(tx: &dyn Tx, account: &Account) -> Result<PartnerConfigView> {
    let ips = tx.partner_ips(account.id)?;
    let of = |direction: IpDirection| -> Vec<String> {
        ips.iter()
            .filter(|ip| ip.direction == direction)
            .map(|ip| ip.network.to_string())
            .collect()
    };
    Ok(PartnerConfigView {
        account: account.name.clone(),
        inbound: of(IpDirection::Inbound),
        outbound: of(IpDirection::Outbound),
        smarthost: tx
            .partner_config(account.id)?
            .smarthost
            .map(|s| s.to_string()),
    })
}

impl Portal {
    /// Adds an inbound or outbound IP address or CIDR range; needs
    /// `account.config`. Adding one that is there already changes nothing.
    pub(crate) fn ip_add(
        &mut self,
        account: Option<&str>,
        direction: IpDirection,
        network: IpNetwork,
    ) -> Result<PartnerConfigView> {
        self.write(|w| {
            let tx = w.tx;
            let (account, before) = configuring(w, account)?;
            let added = tx.insert_partner_ip(&PartnerIp {
                account_id: account.id,
                direction,
                network,
                added_at: w.ctx.now,
            })?;
            if !added {
                return Ok(before);
            }
            let after = config_view(tx, &account)?;
            w.changed(
                "account.ip_add",
                &account,
                format!("{direction} {network}"),
                Some(&before),
                &after,
            )?;
            Ok(after)
        })
    }

    /// Removes an inbound or outbound IP address or range; needs
    /// `account.config`. It is matched in its normal form.
    pub(crate) fn ip_remove(
        &mut self,
        account: Option<&str>,
        direction: IpDirection,
        network: IpNetwork,
    ) -> Result<PartnerConfigView> {
        self.write(|w| {
            let tx = w.tx;
            let (account, before) = configuring(w, account)?;
            if !tx.delete_partner_ip(account.id, direction, &network)? {
                return Err(Error::not_found(format!(
                    "`{}` has no {direction} IP address `{network}`",
                    account.name
                ))
                .help(format!(
                    "`{}` shows them",
                    Paste::new("account ip list").opt("--account", &account.name)
                )));
            }
            let after = config_view(tx, &account)?;
            w.changed(
                "account.ip_remove",
                &account,
                format!("{direction} {network}"),
                Some(&before),
                &after,
            )?;
            Ok(after)
        })
    }

    /// The partner's IP addresses, inbound then outbound, in address order;
    /// needs `account.config` ([`reads_ips`]).
    pub(crate) fn ip_list(&mut self, account: Option<&str>) -> Result<Vec<IpView>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let account = find_partner(&*tx, &self.ctx, account, |a| {
            reads_ips(&*tx, &catalog, &self.ctx, a)
        })?;
        reads_ips(&*tx, &catalog, &self.ctx, &account)?;
        Ok(tx
            .partner_ips(account.id)?
            .into_iter()
            .map(|ip| IpView {
                account: account.name.clone(),
                direction: ip.direction,
                address: ip.network.to_string(),
            })
            .collect())
    }

    /// Sets the partner's smarthost, `HOST[:PORT]`; needs `account.config`.
    pub(crate) fn smarthost_set(
        &mut self,
        account: Option<&str>,
        smarthost: Smarthost,
    ) -> Result<PartnerConfigView> {
        self.write(|w| {
            let tx = w.tx;
            let (account, before) = configuring(w, account)?;
            let mut config = tx.partner_config(account.id)?;
            if config.smarthost.as_ref() == Some(&smarthost) {
                return Ok(before);
            }
            config.smarthost = Some(smarthost);
            tx.put_partner_config(account.id, &config, w.ctx.now)?;
            let after = config_view(tx, &account)?;
            let target = after.smarthost.clone().unwrap_or_default();
            w.changed(
                "account.smarthost_set",
                &account,
                target,
                Some(&before),
                &after,
            )?;
            Ok(after)
        })
    }

    /// The request for information (RFI) of one of a partner's customers,
    /// prefilled from the partner's config and its billing contact (seed
    /// 002: "The information you provide here will pre-populate into all
    /// customer RFIs."). Needs `account.config` in the partner ("only
    /// available to MSP Administrators"). The partner is the one named,
    /// else the customer's parent; a customer of another partner is
    /// refused once the actor is known to configure this one.
    pub(crate) fn account_rfi(&mut self, customer: &str, account: Option<&str>) -> Result<RfiView> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let customer = find_customer(
            &*tx,
            &self.ctx,
            customer,
            &[caps::ACCOUNT_CONFIG.to("prepare a customer's RFI")],
        )?;
        let partner = match (account, customer.parent_id) {
            (Some(name), _) => find_account(&*tx, &self.ctx, name)?,
            (None, Some(parent)) => tx.account(parent)?,
            (None, None) => {
                return Err(Error::conflict(format!(
                    "`{}` has no parent partner, so no partner config prefills its RFI",
                    customer.name
                ))
                .help("name the partner with --account"))
            }
        };
        if partner.kind != AccountKind::Partner {
            return Err(Error::invalid(format!(
                "`{}` is a customer; an RFI is prefilled from a partner's config",
                partner.name
            )));
        }
        authorize(
            &*tx,
            &catalog,
            &self.ctx,
            &partner,
            caps::ACCOUNT_CONFIG.to("prepare a customer's RFI"),
        )?;
        ensure_customer_of(&*tx, &customer, &partner)?;
        let config = config_view(&*tx, &partner)?;
        Ok(RfiView {
            customer: customer.name,
            partner: partner.name,
            inbound: config.inbound,
            outbound: config.outbound,
            smarthost: config.smarthost,
            billing_contact: partner.profile.billing_contact,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{add_account, email, join, seeded};
    use crate::domain::{Actor, ProfileChange};
    use crate::store::AuditQuery;

    /// Acme (msp) with a customer, an MSP user, and a second partner with
    /// a customer of its own.
    fn portal() -> Portal {
        let mut p = seeded("msp");
        join(&mut p, "uma@acme.test", "msp-user");
        add_account(&mut p, "Client", AccountKind::Customer, Some("Acme"));
        add_account(&mut p, "Other", AccountKind::Partner, None);
        add_account(&mut p, "Other Client", AccountKind::Customer, Some("Other"));
        p
    }

    #[test]
    fn the_rfi_is_prefilled_and_writes_nothing() {
        let mut p = portal();
        let ip = "192.0.2.10".parse().expect("an address");
        p.ip_add(Some("Acme"), IpDirection::Inbound, ip)
            .expect("ip");
        p.smarthost_set(Some("Acme"), "mail.acme.test".parse().expect("a host"))
            .expect("smarthost");
        p.account_set(
            Some("Acme"),
            &ProfileChange {
                billing_contact: Some("Billing@Acme.Test".into()),
                ..ProfileChange::default()
            },
        )
        .expect("billing contact");
        let events = |p: &mut Portal| {
            let tx = p.gate.read(p.ctx.now).expect("tx");
            tx.audit_events(&AuditQuery::default())
                .expect("events")
                .len()
        };
        let before = events(&mut p);
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let rfi = p.account_rfi("Client", None).expect("rfi");
        assert_eq!(rfi.partner, "Acme");
        assert_eq!(rfi.inbound, vec!["192.0.2.10".to_string()]);
        assert!(rfi.outbound.is_empty());
        assert_eq!(rfi.smarthost.as_deref(), Some("mail.acme.test"));
        assert_eq!(rfi.billing_contact.as_deref(), Some("billing@acme.test"));
        assert_eq!(events(&mut p), before);
    }

    #[test]
    fn the_rfi_needs_account_config_and_a_customer_of_the_partner() {
        let mut p = portal();
        // The operator sees every account, so learns why.
        let err = p
            .account_rfi("Other Client", Some("Acme"))
            .expect_err("another partner's customer");
        assert_eq!(err.exit_code(), 4, "{err}");
        let err = p.account_rfi("Other", None).expect_err("a partner");
        assert_eq!(err.exit_code(), 2, "{err}");
        // A member is told no more than for a name that does not exist.
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let other = p
            .account_rfi("Other Client", Some("Acme"))
            .expect_err("another partner's customer");
        let nobody = p
            .account_rfi("Nobody", Some("Acme"))
            .expect_err("no such customer");
        assert_eq!(other.exit_code(), 5, "{other}");
        assert_eq!(
            other.to_string().replace("Other Client", "X"),
            nobody.to_string().replace("Nobody", "X")
        );
        p.ctx.actor = Actor::Member(email("uma@acme.test"));
        let err = p.account_rfi("Client", None).expect_err("an MSP user");
        assert_eq!(err.exit_code(), 5, "{err}");
    }

    /// An MSP administrator who is also an external admin of a customer
    /// configures their partner without `--account`: the customer has no
    /// config, so it is not one they could mean. One who may not configure
    /// their partner is refused there, as with `--account`.
    #[test]
    fn without_account_only_a_partner_the_actor_may_configure_is_meant() {
        let mut p = seeded("msp");
        join(&mut p, "uma@acme.test", "msp-user");
        join(&mut p, "ada@acme.test", "msp-administrator");
        add_account(&mut p, "Client", AccountKind::Customer, Some("Acme"));
        let ada = email("ada@acme.test");
        p.external_admin_add("Client", &ada, "msp-administrator", None)
            .expect("external admin");
        p.ctx.actor = Actor::Member(ada);
        let ip: IpNetwork = "203.0.113.10".parse().expect("an address");
        let view = p
            .ip_add(None, IpDirection::Inbound, ip)
            .expect("her partner");
        assert_eq!(view.account, "Acme");
        let host = "mail.acme.test:25".parse().expect("a smarthost");
        assert_eq!(p.smarthost_set(None, host).expect("set").account, "Acme");
        assert_eq!(p.ip_list(None).expect("list").len(), 1);

        p.ctx.actor = Actor::Operator("root".into());
        let uma = email("uma@acme.test");
        p.external_admin_add("Client", &uma, "msp-user", None)
            .expect("external admin");
        p.ctx.actor = Actor::Member(uma);
        let err = p
            .ip_add(None, IpDirection::Inbound, ip)
            .expect_err("an MSP user");
        assert_eq!(err.exit_code(), 5, "{err}");
        let named = p
            .ip_add(Some("Acme"), IpDirection::Inbound, ip)
            .expect_err("an MSP user");
        assert_eq!(err.to_string(), named.to_string());
    }

    /// A member who may configure, or buy for, no partner of the several
    /// they belong to is refused as without the capability (exit 5), not
    /// asked which account they mean: naming one would not help.
    #[test]
    fn without_account_a_member_who_may_act_in_no_partner_is_refused() {
        let mut p = portal();
        crate::domain::testing::join_in(&mut p, "uma@other.test", "msp-user", Some("Other"));
        crate::domain::testing::join_in(&mut p, "uma@other.test", "msp-user", Some("Acme"));
        p.ctx.actor = Actor::Member(email("uma@other.test"));
        let ip: IpNetwork = "203.0.113.10".parse().expect("an address");
        let host = "mail.acme.test:25".parse().expect("a smarthost");
        let purchase = crate::domain::Purchase {
            product: "MDR".parse().expect("a product"),
            seats: 1,
            account: None,
        };
        let refusals = [
            p.ip_add(None, IpDirection::Inbound, ip).map(|_| ()),
            p.ip_remove(None, IpDirection::Inbound, ip).map(|_| ()),
            p.smarthost_set(None, host).map(|_| ()),
            p.license_purchase(&purchase).map(|_| ()),
        ];
        for refused in refusals {
            let err = refused.expect_err("no partner to act in");
            assert_eq!(err.exit_code(), 5, "{err}");
        }
    }
}

/// Findings A12 / N4: reading the partner's config is the administrators'.
#[cfg(test)]
mod readers {
    use super::*;
    use crate::domain::testing::{email, join, seeded};
    use crate::domain::Actor;

    /// Every partner preset's roles: only the one holding `account.config`
    /// (002: "only available to MSP Administrators"; the others' articles
    /// give no one else a config to read) reads the IP addresses and the
    /// smarthost, in `account ip list`, `account show` and `export`.
    #[test]
    fn only_who_configures_reads_the_config() {
        for (preset, administrator) in [
            ("msp", "msp-administrator"),
            ("lmp", "partner-administrator"),
            ("moodle", "principal"),
        ] {
            let mut p = seeded(preset);
            let ip = "192.0.2.10".parse().expect("an address");
            p.ip_add(None, IpDirection::Inbound, ip).expect("ip");
            p.smarthost_set(None, "mail.acme.test".parse().expect("a host"))
                .expect("smarthost");
            let roles: Vec<(String, bool)> = p
                .role_list()
                .expect("roles")
                .into_iter()
                .filter(|r| !r.blocking)
                .map(|r| (r.name, r.all_capabilities))
                .collect();
            assert!(roles.iter().any(|(r, _)| r == administrator), "{preset}");
            for (i, (role, _)) in roles.iter().enumerate() {
                let who = format!("m{i}@acme.test");
                join(&mut p, &who, role);
                let operator = std::mem::replace(&mut p.ctx.actor, Actor::Member(email(&who)));
                let listed = p.ip_list(None);
                let shown = p.account_show(None).expect("account show").config;
                let exported = p
                    .export(None)
                    .map(|f| serde_json::to_value(&f).expect("json"));
                p.ctx.actor = operator;
                // A role that may not export at all reads nothing through it.
                let exported = exported.unwrap_or_default();
                let reads = role == administrator;
                assert_eq!(listed.is_ok(), reads, "{preset} {role}: ip list");
                if let Err(e) = listed {
                    assert_eq!(e.exit_code(), 5, "{preset} {role}: {e}");
                }
                assert_eq!(shown.is_some(), reads, "{preset} {role}: account show");
                assert_eq!(
                    exported["accounts"][0]["config"]["smarthost"] == "mail.acme.test",
                    reads,
                    "{preset} {role}: export {}",
                    exported["accounts"][0]
                );
            }
        }
    }
}
