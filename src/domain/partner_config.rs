//! A partner's config: inbound and outbound IP addresses and the mail
//! smarthost. Changes need `account.config`, reading needs `account.view`.
//! Addresses are stored in their normal form, so one address is one entry
//! however it was typed.

use super::access::{authorize, caps};
use super::gate::Write;
use super::{resolve_account, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{Account, AccountKind, IpDirection, IpNetwork, PartnerIp, Smarthost};
use crate::store::Tx;
use crate::view::{IpView, PartnerConfigView};

/// Picks the account meant, which must be a partner: only partners have a
/// config.
fn find_partner(tx: &dyn Tx, ctx: &Ctx, named: Option<&str>) -> Result<Account> {
    let account = resolve_account(tx, ctx, named, None)?;
    if account.kind != AccountKind::Partner {
        return Err(Error::invalid(format!(
            "`{}` is a customer; IP addresses and the smarthost are partner config",
            account.name
        )));
    }
    Ok(account)
}

/// The partner whose config a write changes, with the actor holding
/// `account.config` there, and its config before the change.
fn configuring(w: &Write<'_>, named: Option<&str>) -> Result<(Account, PartnerConfigView)> {
    w.catalog()?;
    let account = find_partner(w.tx, &w.ctx, named)?;
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
                    "`portalctl account ip list --account \"{}\"` shows them",
                    account.name
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
    /// needs `account.view`.
    pub(crate) fn ip_list(&mut self, account: Option<&str>) -> Result<Vec<IpView>> {
        let tx = self.gate.read()?;
        let catalog = Catalog::load(&*tx)?;
        let account = find_partner(&*tx, &self.ctx, account)?;
        authorize(
            &*tx,
            &catalog,
            &self.ctx,
            &account,
            caps::ACCOUNT_VIEW.to("see the partner's IP addresses"),
        )?;
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
}
