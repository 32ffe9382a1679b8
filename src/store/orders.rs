//! SQL for approval policies, orders and their decisions.

use rusqlite::{params, OptionalExtension, Row};

use super::{at, json_col, keyword_col, limit, qualified, SqliteTx};
use crate::error::Result;
use std::collections::HashMap;

use crate::model::{
    loose_skeleton, name_key, name_skeleton, reference_loose, MatchedPolicy, Money, Order,
    OrderDecision, OrderDetails, OrderQuery, Policy,
};

const POLICY_COLUMNS: &str =
    "id, account_id, name, threshold, order_type, required_approvals, enabled, created_at";

fn policy_from_row(row: &Row<'_>) -> rusqlite::Result<Policy> {
    Ok(Policy {
        id: row.get("id")?,
        account_id: row.get("account_id")?,
        name: row.get("name")?,
        threshold: Money::from_minor(row.get("threshold")?),
        order_type: row.get("order_type")?,
        approvers: Vec::new(),
        required_approvals: row.get("required_approvals")?,
        enabled: row.get("enabled")?,
        created_at: row.get("created_at")?,
    })
}

const ORDER_COLUMNS: &str =
    "id, account_id, ref, creator_id, creator, description, order_type, amount, currency, \
     cost_centre_id, ship_to, status, rejected_reason, cancelled_by, cancelled_reason, decided_at, \
     created_at, number";

/// An order from a row that starts with [`ORDER_COLUMNS`], read by
/// position (see [`at`]).
fn order_from_row(row: &Row<'_>) -> rusqlite::Result<Order> {
    let col = |i, name| at(row, i, name);
    Ok(Order {
        id: row.get(col(0, "id"))?,
        account_id: row.get(col(1, "account_id"))?,
        reference: row.get(col(2, "ref"))?,
        creator_id: row.get(col(3, "creator_id"))?,
        creator: row.get(col(4, "creator"))?,
        description: row.get(col(5, "description"))?,
        order_type: row.get(col(6, "order_type"))?,
        amount: Money::from_minor(row.get(col(7, "amount"))?),
        currency: row.get(col(8, "currency"))?,
        cost_centre_id: row.get(col(9, "cost_centre_id"))?,
        ship_to: json_col(row, col(10, "ship_to"))?,
        status: keyword_col(row, col(11, "status"))?,
        rejected_reason: row.get(col(12, "rejected_reason"))?,
        cancelled_by: row.get(col(13, "cancelled_by"))?,
        cancelled_reason: row.get(col(14, "cancelled_reason"))?,
        decided_at: row.get(col(15, "decided_at"))?,
        created_at: row.get(col(16, "created_at"))?,
        number: row.get(col(17, "number"))?,
    })
}

impl SqliteTx<'_> {
    fn with_approvers(&self, mut policy: Policy) -> Result<Policy> {
        policy.approvers = self
            .tx
            .prepare_cached(
                "SELECT person_id FROM policy_approvers WHERE policy_id = ?1 ORDER BY person_id",
            )?
            .query_map([policy.id], |r| r.get("person_id"))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(policy)
    }

    pub(super) fn policy(&self, id: i64) -> Result<Policy> {
        let row = self
            .tx
            .prepare_cached(&format!(
                "SELECT {POLICY_COLUMNS} FROM policies WHERE id = ?1"
            ))?
            .query_row([id], policy_from_row)?;
        self.with_approvers(row)
    }

    fn write_approvers(&self, policy: &Policy) -> Result<()> {
        self.exec(
            "DELETE FROM policy_approvers WHERE policy_id = ?1",
            [policy.id],
        )?;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO policy_approvers (policy_id, person_id) VALUES (?1, ?2)",
        )?;
        for person in &policy.approvers {
            stmt.execute([policy.id, *person])?;
        }
        Ok(())
    }
}

impl SqliteTx<'_> {
    pub(super) fn policies_in(&self, account_id: i64) -> Result<Vec<Policy>> {
        let rows: Vec<Policy> = self
            .tx
            .prepare_cached(&format!(
                "SELECT {POLICY_COLUMNS} FROM policies WHERE account_id = ?1 ORDER BY name"
            ))?
            .query_map([account_id], policy_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter().map(|p| self.with_approvers(p)).collect()
    }

    pub(super) fn policy_named(&self, account_id: i64, name: &str) -> Result<Option<Policy>> {
        let row = self
            .tx
            .prepare_cached(&format!(
                "SELECT {POLICY_COLUMNS} FROM policies
                 WHERE account_id = ?1 AND (name_key = ?3 OR name = ?2 COLLATE NOCASE)
                 ORDER BY name = ?2 DESC, id LIMIT 1"
            ))?
            .query_row(params![account_id, name, name_key(name)], policy_from_row)
            .optional()?;
        row.map(|p| self.with_approvers(p)).transpose()
    }

    pub(super) fn insert_policy(&self, p: &Policy) -> Result<i64> {
        let id = self.insert(
            "INSERT INTO policies (account_id, name, threshold, order_type, required_approvals, enabled, created_at,
                 name_key, name_skeleton, name_loose)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                p.account_id,
                p.name,
                p.threshold.minor(),
                p.order_type,
                p.required_approvals,
                p.enabled,
                p.created_at,
                name_key(&p.name),
                name_skeleton(&p.name),
                loose_skeleton(&p.name),
            ],
        )?;
        self.note(|j| &mut j.policies, id, None)?;
        self.write_approvers(&Policy { id, ..p.clone() })?;
        Ok(id)
    }

    pub(super) fn update_policy(&self, p: &Policy) -> Result<()> {
        self.note(|j| &mut j.policies, p.id, Some(&|| self.policy(p.id)))?;
        self.exec(
            "UPDATE policies SET name = ?2, threshold = ?3, order_type = ?4, required_approvals = ?5, enabled = ?6,
                 name_key = ?7, name_skeleton = ?8, name_loose = ?9
                 WHERE id = ?1",
            params![
                p.id,
                p.name,
                p.threshold.minor(),
                p.order_type,
                p.required_approvals,
                p.enabled,
                name_key(&p.name),
                name_skeleton(&p.name),
                loose_skeleton(&p.name),
            ],
        )?;
        self.write_approvers(p)
    }

    pub(super) fn orders_in(&self, account_id: i64) -> Result<Vec<Order>> {
        self.rows(
            &format!("SELECT {ORDER_COLUMNS} FROM orders WHERE account_id = ?1 ORDER BY id"),
            [account_id],
            order_from_row,
        )
    }

    pub(super) fn order_ids_in(
        &self,
        queries: &[(i64, OrderQuery)],
        most: Option<u32>,
    ) -> Result<Vec<(i64, i64)>> {
        // Each account's conditions ride in the JSON list, one statement
        // for them all: its creators (none: any), status and cost centre.
        let list: Vec<serde_json::Value> = queries
            .iter()
            .map(|(account, q)| {
                serde_json::json!({
                    "a": account,
                    "c": q.creators,
                    "t": q.status.map(|s| s.as_str()),
                    "s": q.cost_centre_id,
                })
            })
            .collect();
        let list = serde_json::to_string(&list).map_err(anyhow::Error::from)?;
        // A status every account asks for (a list's `--status`) is a
        // condition of its own, so that it reads the (account_id, status)
        // index rather than every order of each account.
        let status = match queries.first() {
            Some((_, first)) if queries.iter().all(|(_, q)| q.status == first.status) => {
                first.status.map_or("", |_| "o.status = q.value ->> 't'")
            }
            _ => "(q.value ->> 't' IS NULL OR o.status = q.value ->> 't')",
        };
        let status = if status.is_empty() {
            String::new()
        } else {
            format!(" AND {status}")
        };
        self.rows(
            &format!(
                "SELECT o.account_id, o.id FROM json_each(?1) q CROSS JOIN orders o
                 WHERE o.account_id = q.value ->> 'a'{status}
                   AND (json_array_length(q.value, '$.c') = 0
                        OR o.creator_id IN (SELECT value FROM json_each(q.value, '$.c')))
                   AND (q.value ->> 's' IS NULL OR o.cost_centre_id = q.value ->> 's')
                 ORDER BY q.key, o.id{}",
                limit(most)
            ),
            [list],
            |r| Ok((r.get("account_id")?, r.get("id")?)),
        )
    }

    pub(super) fn orders_by_id(&self, ids: &[i64]) -> Result<Vec<Order>> {
        let ids = serde_json::to_string(ids).map_err(anyhow::Error::from)?;
        let columns = qualified(ORDER_COLUMNS, "o");
        let mut orders = self.rows(
            &format!("SELECT {columns} FROM json_each(?1) k CROSS JOIN orders o ON o.id = k.value"),
            [ids],
            order_from_row,
        )?;
        // Ids of a list come in order.
        orders.sort_by_key(|o| o.id);
        Ok(orders)
    }

    pub(super) fn has_pending_orders(&self, account_id: i64) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM orders WHERE account_id = ?1 AND status = 'pending')",
            )?
            .query_row([account_id], |r| r.get(0))?)
    }

    pub(super) fn pending_orders_in(&self, account_id: i64) -> Result<Vec<Order>> {
        self.rows(
            &format!(
                "SELECT {ORDER_COLUMNS} FROM orders WHERE account_id = ?1 AND status = 'pending' ORDER BY id"
            ),
            [account_id],
            order_from_row,
        )
    }

    pub(super) fn pending_orders_after(
        &self,
        account_id: i64,
        after: i64,
        most: u32,
    ) -> Result<Vec<Order>> {
        self.rows(
            &format!(
                "SELECT {ORDER_COLUMNS} FROM orders
                     WHERE account_id = ?1 AND status = 'pending' AND id > ?2
                     ORDER BY id LIMIT ?3"
            ),
            params![account_id, after, most],
            order_from_row,
        )
    }

    pub(super) fn pending_orders_naming(
        &self,
        account_id: i64,
        person_id: i64,
    ) -> Result<Vec<Order>> {
        self.rows(
            &format!(
                "SELECT DISTINCT {} FROM order_policy_approvers a JOIN orders o ON o.id = a.order_id
                     WHERE a.person_id = ?1 AND o.account_id = ?2 AND o.status = 'pending'
                     ORDER BY o.id",
                qualified(ORDER_COLUMNS, "o")
            ),
            [person_id, account_id],
            order_from_row,
        )
    }

    pub(super) fn pending_orders_held_by(
        &self,
        account_id: i64,
        policy_id: i64,
    ) -> Result<Vec<Order>> {
        self.rows(
            &format!(
                "SELECT {} FROM order_policies p JOIN orders o ON o.id = p.order_id
                     WHERE p.policy_id = ?1 AND p.released_at IS NULL
                       AND o.account_id = ?2 AND o.status = 'pending'
                     ORDER BY o.id",
                qualified(ORDER_COLUMNS, "o")
            ),
            [policy_id, account_id],
            order_from_row,
        )
    }

    pub(super) fn order_ids_naming(
        &self,
        queries: &[(i64, Vec<i64>, OrderQuery)],
        most: Option<u32>,
    ) -> Result<Vec<(i64, i64)>> {
        let list: Vec<serde_json::Value> = queries
            .iter()
            .map(|(account, people, q)| {
                serde_json::json!({
                    "a": account,
                    "n": people,
                    "c": q.creators,
                    "t": q.status.map(|s| s.as_str()),
                    "s": q.cost_centre_id,
                })
            })
            .collect();
        let list = serde_json::to_string(&list).map_err(anyhow::Error::from)?;
        self.rows(
            &format!(
                "SELECT DISTINCT q.key AS position, o.account_id, o.id
                   FROM json_each(?1) q
                   CROSS JOIN json_each(q.value, '$.n') n
                   CROSS JOIN order_policy_approvers a ON a.person_id = n.value
                   CROSS JOIN orders o ON o.id = a.order_id
                  WHERE o.account_id = q.value ->> 'a'
                    AND EXISTS (SELECT 1 FROM order_policies p
                                 WHERE p.order_id = a.order_id AND p.policy_id = a.policy_id
                                   AND p.released_at IS NULL)
                    AND (q.value ->> 't' IS NULL OR o.status = q.value ->> 't')
                    AND (json_array_length(q.value, '$.c') = 0
                         OR o.creator_id IN (SELECT value FROM json_each(q.value, '$.c')))
                    AND (q.value ->> 's' IS NULL OR o.cost_centre_id = q.value ->> 's')
                  ORDER BY q.key, o.id{}",
                limit(most)
            ),
            [list],
            |r| Ok((r.get("account_id")?, r.get("id")?)),
        )
    }

    pub(super) fn order_by_reference(
        &self,
        account_id: i64,
        reference: &str,
    ) -> Result<Option<Order>> {
        Ok(self
            .keyed_orders(&[account_id], reference)?
            .into_iter()
            .next())
    }

    pub(super) fn accounts_with_orders_by(
        &self,
        account_ids: &[i64],
        people: &[i64],
    ) -> Result<Vec<i64>> {
        let accounts = serde_json::to_string(account_ids).map_err(anyhow::Error::from)?;
        let people = serde_json::to_string(people).map_err(anyhow::Error::from)?;
        self.rows(
            "SELECT DISTINCT o.account_id FROM json_each(?2) c CROSS JOIN orders o
              WHERE o.creator_id = c.value
                AND o.account_id IN (SELECT value FROM json_each(?1))",
            [accounts, people],
            |r| r.get("account_id"),
        )
    }

    pub(super) fn orders_with_reference(
        &self,
        account_ids: &[i64],
        reference: &str,
    ) -> Result<Vec<Order>> {
        let found = self.keyed_orders(account_ids, reference)?;
        // Of an account's orders with the reference's key, the one
        // spelled exactly so; else every one, so that a spelling that is
        // none of two an older database holds names both (and is refused
        // as ambiguous) rather than one picked for it.
        let mut orders: Vec<Order> = Vec::with_capacity(found.len());
        for order in found {
            let exact = |o: &Order| o.reference.as_deref() == Some(reference);
            match orders.last() {
                Some(o) if o.account_id == order.account_id && exact(o) => {}
                _ => orders.push(order),
            }
        }
        orders.sort_by_key(|o| o.id);
        Ok(orders)
    }

    /// The orders of these accounts whose reference has the key of
    /// `reference`, by account, the exact spelling first, then by id.
    fn keyed_orders(&self, account_ids: &[i64], reference: &str) -> Result<Vec<Order>> {
        let ids = serde_json::to_string(account_ids).map_err(anyhow::Error::from)?;
        // The accounts drive the join (CROSS JOIN keeps SQLite from
        // reordering it), so each is one search of the (account_id,
        // ref_key) index; a reference alone has no index to search.
        // Within an account the exact spelling comes first, then the
        // oldest (see migration 26).
        self.rows(
            &format!(
                "SELECT {} FROM json_each(?1) k CROSS JOIN orders o
                     ON o.account_id = k.value AND o.ref_key = ?3
                     ORDER BY o.account_id, o.ref = ?2 DESC, o.id",
                qualified(ORDER_COLUMNS, "o")
            ),
            params![ids, reference, name_key(reference)],
            order_from_row,
        )
    }

    /// The orders of an account whose reference may look like
    /// `reference`: those with its loose skeleton (one probe of the
    /// index, however many orders the account has), but those with its
    /// key, which the reference names. The domain decides which look
    /// alike.
    pub(super) fn orders_with_reference_like(
        &self,
        account_id: i64,
        reference: &str,
    ) -> Result<Vec<Order>> {
        self.rows(
            &format!(
                "SELECT {ORDER_COLUMNS} FROM orders
                  WHERE account_id = ?1 AND ref_loose = ?2 AND ref_key IS NOT ?3
                  ORDER BY id"
            ),
            params![account_id, reference_loose(reference), name_key(reference)],
            order_from_row,
        )
    }

    pub(super) fn order(&self, id: i64) -> Result<Option<Order>> {
        self.row(
            &format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = ?1"),
            [id],
            order_from_row,
        )
    }

    pub(super) fn orders_numbered(&self, account_ids: &[i64], number: i64) -> Result<Vec<Order>> {
        let ids = serde_json::to_string(account_ids).map_err(anyhow::Error::from)?;
        // The accounts drive the join, each one search of the (account_id,
        // number) index.
        self.rows(
            &format!(
                "SELECT {} FROM json_each(?1) k CROSS JOIN orders o
                     ON o.account_id = k.value AND o.number = ?2
                     ORDER BY o.account_id",
                qualified(ORDER_COLUMNS, "o")
            ),
            params![ids, number],
            order_from_row,
        )
    }

    pub(super) fn last_order_number(&self, account_id: i64) -> Result<i64> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT COALESCE(MAX(number), 0) AS last FROM orders WHERE account_id = ?1",
            )?
            .query_row([account_id], |r| r.get("last"))?)
    }

    pub(super) fn insert_order(&self, o: &Order) -> Result<i64> {
        let ship_to = o
            .ship_to
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| anyhow::Error::new(e).context("cannot store the shipping address"))?;
        self.insert(
            "INSERT INTO orders (account_id, ref, creator_id, creator, description, order_type, amount,
                 currency, cost_centre_id, ship_to, status, rejected_reason, cancelled_by,
                 cancelled_reason, decided_at, created_at, ref_key, number, ref_loose)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                         ?18, ?19)",
            params![
                o.account_id,
                o.reference,
                o.creator_id,
                o.creator,
                o.description,
                o.order_type,
                o.amount.minor(),
                o.currency,
                o.cost_centre_id,
                ship_to,
                o.status.as_str(),
                o.rejected_reason,
                o.cancelled_by,
                o.cancelled_reason,
                o.decided_at,
                o.created_at,
                o.reference.as_deref().map(name_key),
                o.number,
                o.reference.as_deref().map(reference_loose),
            ],
        )
    }

    pub(super) fn update_order(&self, o: &Order) -> Result<()> {
        self.exec(
            "UPDATE orders SET status = ?2, rejected_reason = ?3, decided_at = ?4, cost_centre_id = ?5,
                 creator_id = ?6, cancelled_by = ?7, cancelled_reason = ?8 WHERE id = ?1",
            params![
                o.id,
                o.status.as_str(),
                o.rejected_reason,
                o.decided_at,
                o.cost_centre_id,
                o.creator_id,
                o.cancelled_by,
                o.cancelled_reason,
            ],
        )?;
        Ok(())
    }

    pub(super) fn insert_matched_policy(&self, order_id: i64, m: &MatchedPolicy) -> Result<()> {
        self.exec(
            "INSERT INTO order_policies (order_id, policy_id, name, required_approvals, released_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            params![order_id, m.policy_id, m.name, m.required_approvals, m.released_at],
        )?;
        self.write_matched_approvers(order_id, m)
    }

    pub(super) fn update_matched_policy(&self, order_id: i64, m: &MatchedPolicy) -> Result<()> {
        self.exec(
            "UPDATE order_policies SET name = ?3, required_approvals = ?4, released_at = ?5
                 WHERE order_id = ?1 AND policy_id = ?2",
            params![order_id, m.policy_id, m.name, m.required_approvals, m.released_at],
        )?;
        self.exec(
            "DELETE FROM order_policy_approvers WHERE order_id = ?1 AND policy_id = ?2",
            [order_id, m.policy_id],
        )?;
        self.write_matched_approvers(order_id, m)
    }

    fn write_matched_approvers(&self, order_id: i64, m: &MatchedPolicy) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached("INSERT INTO order_policy_approvers (order_id, policy_id, person_id) VALUES (?1, ?2, ?3)")?;
        for person in &m.approvers {
            stmt.execute([order_id, m.policy_id, *person])?;
        }
        Ok(())
    }

    pub(super) fn orders_held_by(&self, policy_id: i64) -> Result<Vec<Order>> {
        self.rows(
            &format!(
                "SELECT {} FROM orders o JOIN order_policies p ON p.order_id = o.id
                     WHERE p.policy_id = ?1 AND p.released_at IS NULL AND o.status = 'pending'
                     ORDER BY o.id",
                qualified(ORDER_COLUMNS, "o")
            ),
            [policy_id],
            order_from_row,
        )
    }

    pub(super) fn count_approval(
        &self,
        order_id: i64,
        person_id: i64,
        policy_id: i64,
    ) -> Result<()> {
        self.exec(
            "INSERT INTO order_approval_policies (order_id, person_id, policy_id) VALUES (?1, ?2, ?3)",
            [order_id, person_id, policy_id],
        )?;
        Ok(())
    }

    pub(super) fn approval_counts(&self, order_id: i64) -> Result<Vec<(i64, i64)>> {
        self.rows(
            "SELECT policy_id, person_id FROM order_approval_policies WHERE order_id = ?1
                 ORDER BY policy_id, person_id",
            [order_id],
            |r| Ok((r.get("policy_id")?, r.get("person_id")?)),
        )
    }

    pub(super) fn matched_policies(&self, order_id: i64) -> Result<Vec<MatchedPolicy>> {
        let mut matched: Vec<MatchedPolicy> = self
            .tx
            .prepare_cached(
                "SELECT policy_id, name, required_approvals, released_at FROM order_policies
                     WHERE order_id = ?1 ORDER BY name",
            )?
            .query_map([order_id], matched_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.tx.prepare_cached(
            "SELECT person_id FROM order_policy_approvers WHERE order_id = ?1 AND policy_id = ?2 ORDER BY person_id",
        )?;
        for m in &mut matched {
            m.approvers = stmt
                .query_map([order_id, m.policy_id], |r| r.get("person_id"))?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(matched)
    }

    pub(super) fn order_details(&self, order_ids: &[i64]) -> Result<Vec<OrderDetails>> {
        let ids = serde_json::to_string(order_ids).map_err(anyhow::Error::from)?;
        let mut details: HashMap<i64, OrderDetails> = HashMap::new();
        for (order, d) in self.rows(
            "SELECT d.person_id, d.on_behalf_of, d.approved, d.reason, d.at, d.order_id
                 FROM json_each(?1) k CROSS JOIN order_decisions d ON d.order_id = k.value
                 ORDER BY d.order_id, d.at, d.person_id",
            [&ids],
            |r| Ok((r.get(at(r, 5, "order_id"))?, decision_from_row(r)?)),
        )? {
            details.entry(order).or_default().decisions.push(d);
        }
        for (order, count) in self.rows(
            "SELECT a.order_id, a.policy_id, a.person_id
                 FROM json_each(?1) k CROSS JOIN order_approval_policies a ON a.order_id = k.value
                 ORDER BY a.order_id, a.policy_id, a.person_id",
            [&ids],
            |r| {
                Ok((
                    r.get(at(r, 0, "order_id"))?,
                    (r.get(at(r, 1, "policy_id"))?, r.get(at(r, 2, "person_id"))?),
                ))
            },
        )? {
            details
                .entry(order)
                .or_default()
                .approval_counts
                .push(count);
        }
        for (order, m) in self.rows(
            "SELECT p.policy_id, p.name, p.required_approvals, p.released_at, p.order_id
                 FROM json_each(?1) k CROSS JOIN order_policies p ON p.order_id = k.value
                 ORDER BY p.order_id, p.name",
            [&ids],
            |r| Ok((r.get(at(r, 4, "order_id"))?, matched_from_row(r)?)),
        )? {
            details.entry(order).or_default().policies.push(m);
        }
        for (order, policy, person) in self.rows(
            "SELECT a.order_id, a.policy_id, a.person_id
                 FROM json_each(?1) k CROSS JOIN order_policy_approvers a ON a.order_id = k.value
                 ORDER BY a.order_id, a.policy_id, a.person_id",
            [&ids],
            |r| {
                Ok((
                    r.get::<_, i64>(at(r, 0, "order_id"))?,
                    r.get::<_, i64>(at(r, 1, "policy_id"))?,
                    r.get(at(r, 2, "person_id"))?,
                ))
            },
        )? {
            let matched = details.entry(order).or_default().policies.iter_mut();
            if let Some(m) = matched.into_iter().find(|m| m.policy_id == policy) {
                m.approvers.push(person);
            }
        }
        Ok(order_ids
            .iter()
            .map(|id| details.remove(id).unwrap_or_default())
            .collect())
    }

    pub(super) fn insert_decision(&self, order_id: i64, d: &OrderDecision) -> Result<()> {
        self.exec(
            "INSERT INTO order_decisions (order_id, person_id, on_behalf_of, approved, reason, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![order_id, d.person_id, d.on_behalf_of, d.approved, d.reason, d.at],
        )?;
        Ok(())
    }

    pub(super) fn decisions(&self, order_id: i64) -> Result<Vec<OrderDecision>> {
        let rows = self
            .tx
            .prepare_cached("SELECT person_id, on_behalf_of, approved, reason, at FROM order_decisions WHERE order_id = ?1 ORDER BY at, person_id")?
            .query_map([order_id], decision_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}

/// A decision from a row whose first columns are `person_id, on_behalf_of,
/// approved, reason, at`, read by position (see [`at`]): a page of orders
/// reads many.
fn decision_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OrderDecision> {
    let col = |i, name| at(r, i, name);
    Ok(OrderDecision {
        person_id: r.get(col(0, "person_id"))?,
        on_behalf_of: r.get(col(1, "on_behalf_of"))?,
        approved: r.get(col(2, "approved"))?,
        reason: r.get(col(3, "reason"))?,
        at: r.get(col(4, "at"))?,
    })
}

/// A matched policy without its approvers, which are rows of their own.
/// A matched policy, without its approvers, from a row whose first
/// columns are `policy_id, name, required_approvals, released_at`, read by
/// position (see [`at`]).
fn matched_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MatchedPolicy> {
    let col = |i, name| at(r, i, name);
    Ok(MatchedPolicy {
        policy_id: r.get(col(0, "policy_id"))?,
        name: r.get(col(1, "name"))?,
        approvers: Vec::new(),
        required_approvals: r.get(col(2, "required_approvals"))?,
        released_at: r.get(col(3, "released_at"))?,
    })
}
