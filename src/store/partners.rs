//! SQL for payment details and a partner's status, IP addresses,
//! smarthost and contracted prices.

use rusqlite::{params, OptionalExtension, Row};

use super::{keyword_col, SqliteTx};
use crate::error::Result;
use crate::model::{
    name_key, ContractPrice, IpDirection, IpNetwork, Money, PartnerConfig, PartnerIp,
    PaymentDetails, Smarthost, Timestamp,
};

fn payment_from_row(row: &Row<'_>) -> rusqlite::Result<PaymentDetails> {
    let iban: Option<String> = row.get("iban")?;
    Ok(PaymentDetails {
        account_id: row.get("account_id")?,
        method: keyword_col(row, "method")?,
        iban: iban
            .map(|i| {
                i.parse().map_err(|_| {
                    rusqlite::Error::FromSqlConversionFailure(
                        0,
                        rusqlite::types::Type::Text,
                        "column `iban` holds a malformed IBAN".into(),
                    )
                })
            })
            .transpose()?,
        updated_at: row.get("updated_at")?,
    })
}

fn ip_from_row(row: &Row<'_>) -> rusqlite::Result<PartnerIp> {
    Ok(PartnerIp {
        account_id: row.get("account_id")?,
        direction: keyword_col(row, "direction")?,
        network: keyword_col(row, "network")?,
        added_at: row.get("added_at")?,
    })
}

fn price_from_row(row: &Row<'_>) -> rusqlite::Result<ContractPrice> {
    Ok(ContractPrice {
        account_id: row.get("account_id")?,
        product: row.get("product")?,
        price: Money::from_minor(row.get("price_minor")?),
        currency: row.get("currency")?,
        updated_at: row.get("updated_at")?,
    })
}

const PRICE_COLUMNS: &str = "account_id, product, price_minor, currency, updated_at";

impl SqliteTx<'_> {
    pub(super) fn payment_details(&self, account_id: i64) -> Result<Option<PaymentDetails>> {
        self.row(
            "SELECT account_id, method, iban, updated_at FROM payment_details WHERE account_id = ?1",
            [account_id],
            payment_from_row,
        )
    }

    pub(super) fn put_payment_details(&self, d: &PaymentDetails) -> Result<()> {
        self.exec(
            "INSERT INTO payment_details (account_id, method, iban, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (account_id) DO UPDATE SET method = excluded.method, iban = excluded.iban,
                 updated_at = excluded.updated_at",
            params![
                d.account_id,
                d.method.as_str(),
                d.iban.as_ref().map(|i| i.as_str()),
                d.updated_at,
            ],
        )?;
        Ok(())
    }

    pub(super) fn partner_config(&self, account_id: i64) -> Result<PartnerConfig> {
        let config = self
            .tx
            .prepare_cached(
                "SELECT partner_status, smarthost_host, smarthost_port FROM partner_config
                 WHERE account_id = ?1",
            )?
            .query_row([account_id], |row| {
                let host: Option<String> = row.get("smarthost_host")?;
                let port: Option<u16> = row.get("smarthost_port")?;
                Ok(PartnerConfig {
                    partner_status: row.get("partner_status")?,
                    smarthost: host.map(|host| Smarthost { host, port }),
                })
            })
            .optional()?;
        Ok(config.unwrap_or_default())
    }

    pub(super) fn put_partner_config(
        &self,
        account_id: i64,
        c: &PartnerConfig,
        at: Timestamp,
    ) -> Result<()> {
        self.exec(
            "INSERT INTO partner_config (account_id, partner_status, smarthost_host, smarthost_port, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (account_id) DO UPDATE SET partner_status = excluded.partner_status,
                 smarthost_host = excluded.smarthost_host, smarthost_port = excluded.smarthost_port,
                 updated_at = excluded.updated_at",
            params![
                account_id,
                c.partner_status,
                c.smarthost.as_ref().map(|s| s.host.as_str()),
                c.smarthost.as_ref().and_then(|s| s.port),
                at,
            ],
        )?;
        Ok(())
    }

    pub(super) fn partner_ips(&self, account_id: i64) -> Result<Vec<PartnerIp>> {
        let mut rows: Vec<PartnerIp> = self
            .tx
            .prepare_cached(
                "SELECT account_id, direction, network, added_at FROM partner_ips WHERE account_id = ?1",
            )?
            .query_map([account_id], ip_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        // Address order, not text order: 9.0.0.1 before 10.0.0.1.
        rows.sort_by_key(|ip| (ip.direction.as_str(), ip.network));
        Ok(rows)
    }

    pub(super) fn insert_partner_ip(&self, ip: &PartnerIp) -> Result<bool> {
        let added = self
            .tx
            .prepare_cached(
                "INSERT INTO partner_ips (account_id, direction, network, added_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                ip.account_id,
                ip.direction.as_str(),
                ip.network.to_string(),
                ip.added_at
            ])?;
        Ok(added == 1)
    }

    pub(super) fn delete_partner_ip(
        &self,
        account_id: i64,
        direction: IpDirection,
        network: &IpNetwork,
    ) -> Result<bool> {
        let removed = self
            .tx
            .prepare_cached(
                "DELETE FROM partner_ips WHERE account_id = ?1 AND direction = ?2 AND network = ?3",
            )?
            .execute(params![account_id, direction.as_str(), network.to_string()])?;
        Ok(removed == 1)
    }

    pub(super) fn partner_prices(&self, account_id: i64) -> Result<Vec<ContractPrice>> {
        self.rows(
            &format!(
                "SELECT {PRICE_COLUMNS} FROM partner_prices WHERE account_id = ?1 ORDER BY product"
            ),
            [account_id],
            price_from_row,
        )
    }

    pub(super) fn partner_price(
        &self,
        account_id: i64,
        product: &str,
    ) -> Result<Option<ContractPrice>> {
        self.row(
            // By its key (migration 29), preferring the exact spelling
            // where an older database holds two products of one key.
            &format!(
                "SELECT {PRICE_COLUMNS} FROM partner_prices
                 WHERE account_id = ?1 AND (product_key = ?3 OR product = ?2)
                 ORDER BY product = ?2 DESC, product LIMIT 1"
            ),
            params![account_id, product, name_key(product)],
            price_from_row,
        )
    }

    pub(super) fn put_partner_price(&self, p: &ContractPrice) -> Result<()> {
        self.exec(
            "INSERT INTO partner_prices (account_id, product, price_minor, currency, updated_at,
                 product_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (account_id, product) DO UPDATE SET product = excluded.product,
                 price_minor = excluded.price_minor, currency = excluded.currency,
                 updated_at = excluded.updated_at, product_key = excluded.product_key",
            params![
                p.account_id,
                p.product,
                p.price.minor(),
                p.currency,
                p.updated_at,
                name_key(&p.product)
            ],
        )?;
        Ok(())
    }

    pub(super) fn delete_partner_price(&self, account_id: i64, product: &str) -> Result<bool> {
        let removed = self.exec(
            "DELETE FROM partner_prices WHERE account_id = ?1 AND product = ?2",
            params![account_id, product],
        )?;
        Ok(removed == 1)
    }
}
