//! SQL for `status`: counts over whole tables, never rows loaded one by one,
//! and the database's own health checks.

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::SqliteTx;
use crate::error::Result;
use crate::model::{look_alike, loose_skeleton, name_key};

/// How many of each thing a database holds, for `status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct StatusCounts {
    /// Accounts.
    pub accounts: i64,
    /// Active memberships.
    pub members: i64,
    /// Invitations not yet accepted, revoked or replaced.
    pub pending_invitations: i64,
    /// Orders awaiting a decision.
    pub pending_orders: i64,
}

/// The outbox's emails still to send, and those given up on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct MailCounts {
    /// Waiting for `outbox send`.
    pub pending: i64,
    /// Failed after the last attempt allowed.
    pub failed: i64,
}

impl SqliteTx<'_> {
    /// Counts of the accounts `accounts` (every account when `None`).
    pub(super) fn status_counts(&self, accounts: Option<&[i64]>) -> Result<StatusCounts> {
        let (filter, args) = match accounts {
            None => (String::new(), Vec::new()),
            Some(ids) => (
                format!(" AND {{col}} IN ({})", vec!["?"; ids.len()].join(", ")),
                ids.iter().map(|id| Value::Integer(*id)).collect::<Vec<_>>(),
            ),
        };
        let count = |sql: &str, col: &str| -> Result<i64> {
            let sql = format!("{sql}{}", filter.replace("{col}", col));
            Ok(self
                .tx
                .prepare(&sql)?
                .query_row(params_from_iter(args.iter()), |r| r.get(0))?)
        };
        Ok(StatusCounts {
            accounts: count("SELECT COUNT(*) FROM accounts WHERE 1 = 1", "id")?,
            members: count(
                &format!(
                    "SELECT COUNT(*) FROM memberships WHERE status = 'active' \
                     AND NOT (external_until IS NOT NULL AND external_until <= '{}')",
                    self.moment_or_never()
                ),
                "account_id",
            )?,
            // Open ones only: an expired invitation can no longer be
            // accepted (`user list --expired` lists those to resend).
            pending_invitations: count(
                &match self.moment {
                    Some(now) => format!(
                        "SELECT COUNT(*) FROM invitations i \
                         JOIN memberships m ON m.id = i.membership_id \
                         WHERE i.state = 'pending' AND i.expires_at > '{now}'"
                    ),
                    None => "SELECT COUNT(*) FROM invitations i \
                             JOIN memberships m ON m.id = i.membership_id \
                             WHERE i.state = 'pending'"
                        .to_string(),
                },
                "m.account_id",
            )?,
            pending_orders: count(
                "SELECT COUNT(*) FROM orders WHERE status = 'pending'",
                "account_id",
            )?,
        })
    }

    /// The outbox's pending and failed emails.
    pub(super) fn mail_counts(&self) -> Result<MailCounts> {
        Ok(self.tx.query_row(
            "SELECT COALESCE(SUM(state = 'pending'), 0) AS pending, \
                    COALESCE(SUM(state = 'failed'), 0) AS failed FROM outbox",
            [],
            |r| {
                Ok(MailCounts {
                    pending: r.get("pending")?,
                    failed: r.get("failed")?,
                })
            },
        )?)
    }

    /// The schema version the file is at (`PRAGMA user_version`).
    pub(super) fn schema_version(&self) -> Result<i64> {
        Ok(self
            .tx
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// What `PRAGMA integrity_check` finds wrong, or else the references
    /// to rows that do not exist (see [`Self::dangling_references`]);
    /// empty when the file is sound. A page too damaged for the check to
    /// read past is itself what it finds, not an error of the command
    /// asking.
    pub(super) fn integrity_problems(&self) -> Result<Vec<String>> {
        let found = self
            .tx
            .prepare("PRAGMA integrity_check")
            .and_then(|mut check| {
                check
                    .query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()
            });
        let problems: Vec<String> = match found {
            Ok(found) => found.into_iter().filter(|line| line != "ok").collect(),
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
                vec![e.to_string()]
            }
            Err(e) => return Err(e.into()),
        };
        // A damaged file's references are no news, and reading them may
        // fail on the damage itself.
        if !problems.is_empty() {
            return Ok(problems);
        }
        self.dangling_references()
    }

    /// What `PRAGMA foreign_key_check` finds: a row naming a row of
    /// another table that does not exist (a membership whose role was
    /// deleted behind portalctl's back), which `integrity_check` does not
    /// look for. The first [`FIRST_DANGLING`] are named and the rest
    /// counted: one broken reference is often thousands.
    fn dangling_references(&self) -> Result<Vec<String>> {
        let mut check = self.tx.prepare("PRAGMA foreign_key_check")?;
        let mut rows = check.query([])?;
        let mut problems = Vec::new();
        let mut more = 0_usize;
        while let Some(row) = rows.next()? {
            if problems.len() == FIRST_DANGLING {
                more += 1;
                continue;
            }
            let table: String = row.get("table")?;
            let rowid: Option<i64> = row.get("rowid")?;
            let parent: String = row.get("parent")?;
            let which = rowid.map_or_else(|| "a row".to_string(), |id| format!("row {id}"));
            problems.push(format!(
                "foreign key: `{table}` {which} names a `{parent}` row that does not exist"
            ));
        }
        if more > 0 {
            problems.push(format!("foreign key: and {more} more such rows"));
        }
        Ok(problems)
    }
}

/// How many dangling references `status` names before it only counts.
const FIRST_DANGLING: usize = 5;

#[cfg(test)]
mod tests {
    use crate::store::{SqliteStore, Store};

    /// A reference to a row that does not exist fails the check: the
    /// first few are named, the rest counted.
    #[test]
    fn dangling_references_are_named_then_counted() {
        let mut store = SqliteStore::in_memory().expect("in-memory store");
        assert_eq!(
            store
                .read()
                .expect("reads")
                .integrity_problems()
                .expect("checks"),
            Vec::<String>::new()
        );
        store
            .conn
            .execute_batch(
                "PRAGMA foreign_keys = OFF;
                 INSERT INTO grant_bundle_capabilities (bundle, capability)
                 VALUES ('gone', 'a'), ('gone', 'b'), ('gone', 'c'), ('gone', 'd'),
                        ('gone', 'e'), ('gone', 'f'), ('gone', 'g');",
            )
            .expect("inserted");
        let problems = store
            .read()
            .expect("reads")
            .integrity_problems()
            .expect("checks");
        assert_eq!(problems.len(), 6, "{problems:?}");
        assert_eq!(
            problems[0],
            "foreign key: `grant_bundle_capabilities` a row names a `grant_bundles` row that does not exist"
        );
        assert_eq!(problems[5], "foreign key: and 2 more such rows");
    }
}

/// A name the database holds, of any kind a copy (`export`, then `apply`)
/// reads again as a name, for `status` to check against today's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeldName {
    /// What it names: `account`, `policy`, `address`, `licence`,
    /// `price` (a contracted price's product), `person`, `order` (an
    /// order's description) or `reference` (an order's); or a text a
    /// copy reads again: `email` (a person's), `cost centre` (its name),
    /// `cost centre code`, `service`, `service kind`, `role`, `role
    /// description`, an address's `line1`, `line2`, `city` or
    /// `postcode`, an account's `phone`, `website`, `marketing`,
    /// `sectors` or `billing contact`, or a `setting` holding an address
    /// (`support-email`, `mail-from`; its key in `email`).
    pub kind: &'static str,
    /// The row's id (an order's number); 0 for a price.
    pub id: i64,
    /// The account it is held in (for a person, one they belong to);
    /// `None` for an account's own name.
    pub account: Option<String>,
    /// The person's email, for a person's name or email; the code of a
    /// cost centre, the label of an address.
    pub email: Option<String>,
    /// The name as stored.
    pub name: String,
}

impl SqliteTx<'_> {
    /// Every account name, policy name, live address label, licence and
    /// price product, (not merged-away) person's name, name an invitation
    /// gives, order description and order reference, each kind in id
    /// order.
    pub(super) fn held_names(&self) -> Result<Vec<HeldName>> {
        const KINDS: &[&str] = &[
            "account", "policy", "address", "licence", "price", "person", "order", "reference",
            "email", "cost centre", "cost centre code", "service", "service kind", "role",
            "role description", "line1", "line2", "city", "postcode", "phone", "website",
            "marketing", "sectors", "billing contact", "setting",
        ];
        let mut stmt = self.tx.prepare_cached(
            "SELECT 0, NULL, NULL, name, id FROM accounts
             UNION ALL SELECT 1, a.name, NULL, p.name, p.id
                 FROM policies p JOIN accounts a ON a.id = p.account_id
             UNION ALL SELECT 2, a.name, NULL, d.label, d.id
                 FROM addresses d JOIN accounts a ON a.id = d.account_id
                 WHERE d.removed_at IS NULL
             UNION ALL SELECT 3, a.name, NULL, l.product, l.id
                 FROM licenses l JOIN accounts a ON a.id = l.account_id
             UNION ALL SELECT 4, a.name, NULL, r.product, 0
                 FROM partner_prices r JOIN accounts a ON a.id = r.account_id
             UNION ALL SELECT 5,
                 (SELECT a.name FROM memberships m JOIN accounts a ON a.id = m.account_id
                   WHERE m.person_id = p.id ORDER BY m.id LIMIT 1),
                 p.email, p.name, p.id
                 FROM people p WHERE p.merged_into IS NULL
             UNION ALL SELECT 5, a.name, p.email, m.invited_name, p.id
                 FROM memberships m JOIN accounts a ON a.id = m.account_id
                 JOIN people p ON p.id = m.person_id
                 WHERE m.invited_name IS NOT NULL
             UNION ALL SELECT 6, a.name, NULL, o.description, o.number
                 FROM orders o JOIN accounts a ON a.id = o.account_id
             UNION ALL SELECT 7, a.name, NULL, o.ref, o.number
                 FROM orders o JOIN accounts a ON a.id = o.account_id
                 WHERE o.ref IS NOT NULL
             UNION ALL SELECT 8,
                 (SELECT a.name FROM memberships m JOIN accounts a ON a.id = m.account_id
                   WHERE m.person_id = p.id ORDER BY m.id LIMIT 1),
                 p.email, p.email, p.id
                 FROM people p WHERE p.merged_into IS NULL
             UNION ALL SELECT 9, a.name, c.code, c.name, c.id
                 FROM cost_centres c JOIN accounts a ON a.id = c.account_id
             UNION ALL SELECT 10, a.name, c.code, c.code, c.id
                 FROM cost_centres c JOIN accounts a ON a.id = c.account_id
             UNION ALL SELECT 11, a.name, NULL, s.name, s.id
                 FROM services s JOIN accounts a ON a.id = s.account_id
             UNION ALL SELECT 12, a.name, s.name, s.kind, s.id
                 FROM services s JOIN accounts a ON a.id = s.account_id WHERE s.kind IS NOT NULL
             UNION ALL SELECT 13, a.name, NULL, r.name, r.id
                 FROM roles r LEFT JOIN accounts a ON a.id = r.account_id
                 WHERE r.builtin = 0 AND r.deleted_at IS NULL
             UNION ALL SELECT 14, a.name, r.name, r.description, r.id
                 FROM roles r LEFT JOIN accounts a ON a.id = r.account_id
                 WHERE r.builtin = 0 AND r.deleted_at IS NULL
             UNION ALL SELECT 15, a.name, d.label, d.line1, d.id
                 FROM addresses d JOIN accounts a ON a.id = d.account_id
                 WHERE d.removed_at IS NULL
             UNION ALL SELECT 16, a.name, d.label, d.line2, d.id
                 FROM addresses d JOIN accounts a ON a.id = d.account_id
                 WHERE d.removed_at IS NULL AND d.line2 IS NOT NULL
             UNION ALL SELECT 17, a.name, d.label, d.city, d.id
                 FROM addresses d JOIN accounts a ON a.id = d.account_id
                 WHERE d.removed_at IS NULL
             UNION ALL SELECT 18, a.name, d.label, d.postcode, d.id
                 FROM addresses d JOIN accounts a ON a.id = d.account_id
                 WHERE d.removed_at IS NULL
             UNION ALL SELECT 19, a.name, NULL, a.phone, a.id FROM accounts a
                 WHERE a.phone IS NOT NULL
             UNION ALL SELECT 20, a.name, NULL, a.website, a.id FROM accounts a
                 WHERE a.website IS NOT NULL
             UNION ALL SELECT 21, a.name, NULL, a.marketing, a.id FROM accounts a
                 WHERE a.marketing IS NOT NULL
             UNION ALL SELECT 22, a.name, NULL, a.sectors, a.id FROM accounts a
                 WHERE a.sectors IS NOT NULL
             UNION ALL SELECT 23, a.name, NULL, a.billing_contact, a.id FROM accounts a
                 WHERE a.billing_contact IS NOT NULL
             UNION ALL SELECT 24, NULL, key, value, 0 FROM settings
                 WHERE key IN ('support-email', 'mail-from')
             ORDER BY 1, 5",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(HeldName {
                kind: KINDS[r.get::<_, usize>(0)?],
                account: r.get(1)?,
                email: r.get(2)?,
                name: r.get(3)?,
                id: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub(super) fn backquoted_texts(&self) -> Result<Vec<String>> {
        // Gathered once, by migration 31 (see there).
        match self.setting("backquoted_texts")? {
            Some(list) => Ok(serde_json::from_str(&list).map_err(anyhow::Error::from)?),
            None => Ok(Vec::new()),
        }
    }

    pub(super) fn spellings_of_key(
        &self,
        kind: &str,
        account_id: i64,
        name: &str,
    ) -> Result<Vec<String>> {
        let key = name_key(name);
        let read = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> Result<Vec<String>> {
            let mut stmt = self.tx.prepare_cached(sql)?;
            let rows = stmt.query_map(args, |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        match kind {
            "account" => read(
                "SELECT name FROM accounts WHERE name_key = ?1 ORDER BY id",
                &[&key],
            ),
            "policy" => read(
                "SELECT name FROM policies WHERE account_id = ?1 AND name_key = ?2 ORDER BY id",
                &[&account_id, &key],
            ),
            "licence" => read(
                "SELECT product FROM licenses WHERE account_id = ?1 AND product_key = ?2 ORDER BY id",
                &[&account_id, &key],
            ),
            "price" => read(
                "SELECT product FROM partner_prices WHERE account_id = ?1 AND product_key = ?2
                 ORDER BY product",
                &[&account_id, &key],
            ),
            _ => read(
                "SELECT label FROM addresses
                 WHERE account_id = ?1 AND label_key = ?2 AND removed_at IS NULL ORDER BY id",
                &[&account_id, &key],
            ),
        }
    }

    pub(super) fn look_alike(
        &self,
        kind: &str,
        account_id: i64,
        name: &str,
        except: i64,
    ) -> Result<Option<String>> {
        // A partner's products keep no skeleton column: they are few, and
        // one list across its licences and prices (a look-alike of a
        // priced product bought as seats is the decoy).
        if matches!(kind, "licence" | "price") {
            let key = name_key(name);
            let mut stmt = self.tx.prepare_cached(
                "SELECT product FROM licenses WHERE account_id = ?1
                 UNION ALL SELECT product FROM partner_prices WHERE account_id = ?1",
            )?;
            let products = stmt.query_map([account_id], |r| r.get::<_, String>(0))?;
            for product in products {
                let product = product?;
                if name_key(&product) != key && look_alike(name, &product) {
                    return Ok(Some(product));
                }
            }
            return Ok(None);
        }
        // Found by equality on the loose skeleton, which every name
        // sharing a reading with `name` holds; which of those few look
        // alike is decided by their readings.
        let loose = loose_skeleton(name);
        let (sql, args): (&str, &[&dyn rusqlite::ToSql]) = match kind {
            "account" => (
                "SELECT name FROM accounts WHERE name_loose = ?1 AND id != ?2 ORDER BY id",
                &[&loose, &except],
            ),
            "policy" => (
                "SELECT name FROM policies
                 WHERE account_id = ?3 AND name_loose = ?1 AND id != ?2 ORDER BY id",
                &[&loose, &except, &account_id],
            ),
            "cost centre" => (
                "SELECT name FROM cost_centres
                 WHERE account_id = ?3 AND name_loose = ?1 AND id != ?2 ORDER BY id",
                &[&loose, &except, &account_id],
            ),
            "service" => (
                "SELECT name FROM services
                 WHERE account_id = ?3 AND name_loose = ?1 AND id != ?2 ORDER BY id",
                &[&loose, &except, &account_id],
            ),
            _ => (
                "SELECT label FROM addresses
                 WHERE account_id = ?3 AND label_loose = ?1 AND removed_at IS NULL AND id != ?2
                 ORDER BY id",
                &[&loose, &except, &account_id],
            ),
        };
        let mut stmt = self.tx.prepare_cached(sql)?;
        let rows = stmt.query_map(args, |r| r.get::<_, String>(0))?;
        for held in rows {
            let held = held?;
            if look_alike(name, &held) {
                return Ok(Some(held));
            }
        }
        Ok(None)
    }
}
