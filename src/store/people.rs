//! SQL for people, memberships and grants.

use std::collections::HashMap;

use rusqlite::{params, Row};

use super::{at, keyword, keyword_col, qualified, SqliteTx};
use crate::error::{Error, Result};
use crate::model::{
    Email, Grant, Holding, ListedMember, MemberQuery, MemberStatus, Membership, Person, Timestamp,
};

/// A person's columns, as a literal: statements run once per member of a
/// large file are `concat!`ed at compile time rather than formatted on
/// every call.
macro_rules! person_columns {
    () => {
        "id, email, name, duplicate_of, merged_into, created_at"
    };
}

const PERSON_COLUMNS: &str = person_columns!();

/// A stored email, which was checked when it was written.
fn stored_email(email: String) -> rusqlite::Result<Email> {
    Email::stored(email).map_err(|email| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("stored email `{email}` is malformed").into(),
        )
    })
}

fn person_from_row(row: &Row<'_>) -> rusqlite::Result<Person> {
    Ok(Person {
        id: row.get("id")?,
        email: stored_email(row.get("email")?)?,
        name: row.get("name")?,
        duplicate_of: row.get("duplicate_of")?,
        merged_into: row.get("merged_into")?,
        created_at: row.get("created_at")?,
    })
}

fn grant_from_row(row: &Row<'_>) -> rusqlite::Result<Grant> {
    Ok(Grant {
        name: row.get("grant_name")?,
        granted_at: row.get("granted_at")?,
        expires_at: row.get("expires_at")?,
    })
}

/// A membership's columns, as a literal (see `person_columns`).
macro_rules! membership_columns {
    () => {
        "id, person_id, account_id, role_id, previous_role_id, status, city, country, \
         timezone, external_from, role_until, role_after, external_until, invited_at, \
         accepted_at, created_at, updated_at, invited_name, invited_email"
    };
}

const MEMBERSHIP_COLUMNS: &str = membership_columns!();

/// The membership of a row that starts with [`MEMBERSHIP_COLUMNS`], read
/// by position: finding a column by name compares it with every column of
/// the row, and lists read many rows. Tests check each name.
fn membership_from_row(row: &Row<'_>) -> rusqlite::Result<Membership> {
    let col = |i, name| at(row, i, name);
    Ok(Membership {
        id: row.get(col(0, "id"))?,
        person_id: row.get(col(1, "person_id"))?,
        account_id: row.get(col(2, "account_id"))?,
        role_id: row.get(col(3, "role_id"))?,
        previous_role_id: row.get(col(4, "previous_role_id"))?,
        status: keyword_col(row, col(5, "status"))?,
        city: row.get(col(6, "city"))?,
        country: row.get(col(7, "country"))?,
        timezone: row.get(col(8, "timezone"))?,
        external_from: row.get(col(9, "external_from"))?,
        role_until: row.get(col(10, "role_until"))?,
        role_after: row.get(col(11, "role_after"))?,
        external_until: row.get(col(12, "external_until"))?,
        invited_at: row.get(col(13, "invited_at"))?,
        accepted_at: row.get(col(14, "accepted_at"))?,
        created_at: row.get(col(15, "created_at"))?,
        updated_at: row.get(col(16, "updated_at"))?,
        invited_name: row.get(col(17, "invited_name"))?,
        invited_email: row.get(col(18, "invited_email"))?,
    })
}

/// The ways a membership holds a capability at ?4 (see
/// [`crate::model::Holding`]) in one of the accounts ?5 lists, a JSON
/// array of `{"a": account, "o": owner, "r": [roles]}` ([`accounts_held`]):
/// grants ?6 and blocking roles ?7, the same for every account. Each
/// selects membership ids from the holding side by its own index (by role
/// and account, by a role a lapse gave back, by grant, the owner by
/// person), so that the few admins among many users are found without
/// walking the account's members, nor a role's members in every other
/// account, and each applies the whole of `Access::holds`: a grant or
/// ownership counts only under a role in force that does not block.
/// `holder_ids` (`user list --can`) takes every holder, `active_holders`
/// (who to ask) the first few: one definition, so the two cannot
/// disagree.
const HOLDING_WAYS: [&str; 4] = [
    "    SELECT m.id FROM json_each(?5) a CROSS JOIN json_each(a.value, '$.r') r
    CROSS JOIN memberships m INDEXED BY memberships_by_role
    WHERE m.role_id = r.value AND m.account_id = a.value ->> 'a' AND m.status = 'active'
      AND NOT (m.role_until IS NOT NULL AND m.role_until <= ?4 AND m.role_after IS NOT NULL)
      AND NOT (m.external_until IS NOT NULL AND m.external_until <= ?4)",
    "    SELECT m.id FROM json_each(?5) a
    CROSS JOIN memberships m INDEXED BY memberships_time_bound
    WHERE m.account_id = a.value ->> 'a' AND m.role_until IS NOT NULL AND m.role_until <= ?4
      AND m.role_after IN (SELECT value FROM json_each(a.value, '$.r'))
      AND m.status = 'active'
      AND NOT (m.external_until IS NOT NULL AND m.external_until <= ?4)",
    "    SELECT h.id FROM membership_grants g INDEXED BY membership_grants_by_name
    CROSS JOIN memberships h ON h.id = g.membership_id
    WHERE g.grant_name IN (SELECT value FROM json_each(?6))
      AND (g.expires_at IS NULL OR g.expires_at > ?4)
      AND h.account_id IN (SELECT value ->> 'a' FROM json_each(?5))
      AND h.status = 'active'
      AND NOT (h.external_until IS NOT NULL AND h.external_until <= ?4)
      AND CASE WHEN h.role_until <= ?4 AND h.role_after IS NOT NULL
               THEN h.role_after ELSE h.role_id END
          NOT IN (SELECT value FROM json_each(?7))",
    "    SELECT m.id FROM json_each(?5) a CROSS JOIN memberships m
    WHERE m.person_id = a.value ->> 'o' AND m.account_id = a.value ->> 'a'
      AND m.status = 'active'
      AND NOT (m.external_until IS NOT NULL AND m.external_until <= ?4)
      AND CASE WHEN m.role_until <= ?4 AND m.role_after IS NOT NULL
               THEN m.role_after ELSE m.role_id END
          NOT IN (SELECT value FROM json_each(?7))",
];

/// A list as a JSON array, for `json_each` to read: one statement
/// whatever its length.
fn json_array(list: &impl serde::Serialize) -> Result<String> {
    Ok(serde_json::to_string(list).map_err(anyhow::Error::from)?)
}

/// The accounts of [`HOLDING_WAYS`]' ?5, each with its holding's owner
/// and roles.
fn accounts_held(holdings: &[(i64, Holding)]) -> Result<String> {
    let list: Vec<serde_json::Value> = holdings
        .iter()
        .map(|(account, h)| serde_json::json!({"a": account, "o": h.owner_id, "r": h.roles}))
        .collect();
    json_array(&list)
}

/// The ids of the memberships `scope` selects that `query` keeps (role
/// ?2 and status ?3 as `Membership::in_force` leaves them at ?4: a lapsed
/// role is the one it replaced, lapsed external access is deactivated),
/// each with its account, ordered by `by` then email.
///
/// A limit reaches past the rows the domain may yet hide from a member
/// in the accounts `in_accounts` names (an `IN (...)` or `= ?` test of an
/// account id): the never-accepted memberships of people merged away,
/// whose merge the account may not know. Without them inside the limit,
/// rows it hid would leave `--limit N` short of N rows that exist
/// (issue 11). They are counted from the merged side, by the
/// `people_merged` index, so the count grows with merges, not members.
fn member_ids_sql(scope: &str, by: &str, in_accounts: &str, query: &MemberQuery) -> String {
    // An expired invitation is only ever pending for someone stored
    // invited: the status lets `memberships_by_account` find them,
    // and their pending invitation is one row of
    // `invitations_one_pending`. One cut to the end of the access it
    // gave, which ran out (a time-bound role lapsed to the catalog's
    // blocking one, no grant in force), has nothing to resend: as
    // `invitations::access_ran_out` judges it, here, so that the limit
    // stays the query's.
    let expired = if query.invitation_expired {
        " AND m.status = 'invited'
          AND EXISTS (SELECT 1 FROM invitations i
                      WHERE i.membership_id = m.id AND i.state = 'pending'
                        AND i.expires_at <= ?4)
          AND NOT (m.role_until IS NOT NULL AND m.role_until <= ?4
                   AND coalesce(m.role_after, m.role_id) IN
                       (SELECT id FROM roles WHERE blocking = 1 AND account_id IS NULL)
                   AND NOT EXISTS (SELECT 1 FROM membership_grants g
                                   WHERE g.membership_id = m.id
                                     AND (g.expires_at IS NULL OR g.expires_at > ?4)))"
    } else {
        ""
    };
    // `revoked` (?9) and `--expiring` (?8) are judged here as the view
    // shows them (`standing_of`, `next_lapse` of what is in force at ?4),
    // so that the limit is the query's and a page reads only its rows.
    let shown = "
           AND (?9 IS NULL OR ?9 = (m.accepted_at IS NULL
                AND coalesce((SELECT i.state FROM invitations i WHERE i.membership_id = m.id
                              ORDER BY i.id DESC LIMIT 1) = 'revoked', 0)))
           AND (?8 IS NULL OR (m.role_until > ?4 AND m.role_until <= ?8)
                OR (m.external_until > ?4 AND m.external_until <= ?8)
                OR EXISTS (SELECT 1 FROM membership_grants g
                           WHERE g.membership_id = m.id
                             AND g.expires_at > ?4 AND g.expires_at <= ?8))";
    let limit = query.limit.map_or(String::new(), |n| {
        format!(" LIMIT {n} + (SELECT COUNT(*) FROM {MAYBE_HIDDEN} AND h.account_id {in_accounts})")
    });
    format!(
        "SELECT m.account_id, m.id FROM memberships m JOIN people p ON p.id = m.person_id
           JOIN accounts ac ON ac.id = m.account_id
         WHERE {scope}
           AND (?2 IS NULL OR ?2 = CASE WHEN m.role_until <= ?4 AND m.role_after IS NOT NULL
                                        THEN m.role_after ELSE m.role_id END)
           AND (?3 IS NULL OR ?3 = CASE WHEN m.external_from IS NOT NULL
                                             AND m.status = 'active' AND m.external_until <= ?4
                                        THEN 'deactivated' ELSE m.status END){expired}{shown}
         ORDER BY {by}CASE WHEN m.accepted_at IS NULL AND m.invited_email IS NOT NULL
                       THEN m.invited_email ELSE p.email END{limit}"
    )
}

/// The first `limit` emails of people `who` keeps (a test of `p`) from
/// ?1 up to ?2 ([`past_prefix`]): a range of the unique index on
/// `email`, so that a Tab reads about as many rows as it offers however
/// many people there are.
fn emails_from(who: &str, limit: usize) -> String {
    format!(
        "SELECT p.email FROM people p WHERE p.email >= ?1 AND p.email < ?2
           AND p.merged_into IS NULL AND {who}
         ORDER BY p.email LIMIT {limit}"
    )
}

/// A text every text starting with `prefix` sorts below: `prefix` and
/// the last code point, which no address holds.
fn past_prefix(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// The memberships a list may yet hide, joined as `h` (see
/// [`member_ids_sql`]); a `WHERE` for more conditions to follow.
const MAYBE_HIDDEN: &str = "people d INDEXED BY people_merged
    CROSS JOIN memberships h ON h.person_id = d.id
    WHERE d.merged_into IS NOT NULL AND h.accepted_at IS NULL";

impl SqliteTx<'_> {
    pub(super) fn active_holders(
        &self,
        account_id: i64,
        holding: &Holding,
        at: Timestamp,
        limit: usize,
    ) -> Result<Vec<Membership>> {
        // The lists go in as JSON arrays, read by `json_each`: one
        // statement whatever their length. At most ?9 of each way, so
        // that a capability every member holds costs no walk either: the
        // smallest ?9 ids of their union are the answer.
        let ways: Vec<String> = HOLDING_WAYS
            .iter()
            .map(|way| format!("SELECT id FROM ({way} ORDER BY 1 LIMIT ?9)"))
            .collect();
        self.rows(
            &format!(
                "SELECT {MEMBERSHIP_COLUMNS} FROM memberships WHERE id IN ({})
                 ORDER BY id LIMIT ?9",
                ways.join(" UNION ")
            ),
            params![
                Option::<i64>::None,
                Option::<i64>::None,
                Option::<i64>::None,
                at,
                accounts_held(&[(account_id, holding.clone())])?,
                json_array(&holding.grants)?,
                json_array(&holding.blocking)?,
                Option::<i64>::None,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            membership_from_row,
        )
        .map(|rows| rows.into_iter().map(|m| m.in_force(at)).collect())
    }

    /// Moves the kept count of an account's active members by `delta`:
    /// every insert and update of a membership does, in its transaction
    /// (written by [`Self::write_active_counts`]).
    fn count_active(&self, account_id: i64, delta: i64) -> Result<()> {
        *self
            .active_deltas
            .borrow_mut()
            .entry(account_id)
            .or_default() += delta;
        Ok(())
    }

    /// Writes the moves of the kept counts [`Self::count_active`] noted.
    pub(super) fn write_active_counts(&self) -> Result<()> {
        let deltas = std::mem::take(&mut *self.active_deltas.borrow_mut());
        for (account_id, delta) in deltas.into_iter().filter(|(_, d)| *d != 0) {
            self.exec(
                "INSERT INTO account_member_counts (account_id, active) VALUES (?1, ?2)
                     ON CONFLICT (account_id) DO UPDATE SET active = active + ?2",
                params![account_id, delta],
            )?;
        }
        Ok(())
    }

    pub(super) fn active_member_count(&self, account_id: i64) -> Result<i64> {
        self.write_active_counts()?;
        // The count the store keeps (migration 13), less the external
        // admins whose access has lapsed (few, by their own index): the
        // same time for an account of ten members as of a million.
        Ok(self.tx.query_row(
            "SELECT COALESCE((SELECT active FROM account_member_counts WHERE account_id = ?1), 0)
                  - (SELECT COUNT(*) FROM memberships INDEXED BY memberships_external
                     WHERE account_id = ?1 AND status = 'active'
                       AND external_until IS NOT NULL AND external_until <= ?2)",
            params![account_id, self.moment_or_never()],
            |r| r.get(0),
        )?)
    }

    fn memberships_where(&self, column: &str, id: i64) -> Result<Vec<Membership>> {
        self.rows(
            &format!(
                "SELECT {MEMBERSHIP_COLUMNS} FROM memberships WHERE {column} = ?1 ORDER BY id"
            ),
            [id],
            membership_from_row,
        )
        .map(|rows| rows.into_iter().map(|m| self.in_force(m)).collect())
    }
}

impl SqliteTx<'_> {
    pub(super) fn person(&self, id: i64) -> Result<Person> {
        self.row(
            concat!("SELECT ", person_columns!(), " FROM people WHERE id = ?1"),
            [id],
            person_from_row,
        )?
        .ok_or_else(|| Error::not_found(format!("no person with id {id}")))
    }

    pub(super) fn people_by_id(&self, ids: &[i64]) -> Result<Vec<Person>> {
        let ids = serde_json::to_string(ids).map_err(anyhow::Error::from)?;
        self.rows(
            &format!(
                "SELECT {PERSON_COLUMNS} FROM people WHERE id IN (SELECT value FROM json_each(?1))"
            ),
            [ids],
            person_from_row,
        )
    }

    pub(super) fn merged_into(&self, person_id: i64) -> Result<Vec<i64>> {
        // `people_merged` finds each step; a merge never makes a cycle
        // (nobody is merged into a person already merged), so it ends.
        self.rows(
            "WITH RECURSIVE merged (id) AS ( \
                 SELECT id FROM people WHERE merged_into = ?1 \
                 UNION SELECT people.id FROM merged \
                 JOIN people ON people.merged_into = merged.id) \
             SELECT id FROM merged ORDER BY id",
            [person_id],
            |r| r.get("id"),
        )
    }

    pub(super) fn person_by_email(&self, email: &str) -> Result<Option<Person>> {
        self.row(
            concat!(
                "SELECT ",
                person_columns!(),
                " FROM people WHERE email = ?1"
            ),
            [email],
            person_from_row,
        )
    }

    pub(super) fn member_emails(&self, from: &str, limit: usize) -> Result<Vec<String>> {
        self.rows(
            &emails_from(
                "EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id)",
                limit,
            ),
            params![from, past_prefix(from)],
            |r| r.get("email"),
        )
    }

    pub(super) fn acting_emails(&self, from: &str, limit: usize) -> Result<Vec<String>> {
        self.rows(
            &emails_from(
                "EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id
                           AND m.status = 'active'
                           AND NOT (m.external_until IS NOT NULL AND m.external_until <= ?3)
                           AND CASE WHEN m.role_until <= ?3 AND m.role_after IS NOT NULL
                                    THEN m.role_after ELSE m.role_id END
                               NOT IN (SELECT id FROM roles WHERE blocking = 1))",
                limit,
            ),
            params![from, past_prefix(from), self.moment_or_never()],
            |r| r.get("email"),
        )
    }

    pub(super) fn flagged_people(&self) -> Result<Vec<Person>> {
        // A merge flags the person too, but a flag may stand alone.
        self.rows(
            &format!(
                "SELECT {PERSON_COLUMNS} FROM people \
                 WHERE duplicate_of IS NOT NULL OR merged_into IS NOT NULL ORDER BY email"
            ),
            [],
            person_from_row,
        )
    }

    pub(super) fn insert_person(&self, p: &Person) -> Result<i64> {
        let id = self.insert(
            "INSERT INTO people (email, name, duplicate_of, merged_into, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                p.email.as_str(),
                p.name,
                p.duplicate_of,
                p.merged_into,
                p.created_at
            ],
        )?;
        self.note(|j| &mut j.people, id, None)?;
        Ok(id)
    }

    pub(super) fn update_person(&self, p: &Person) -> Result<()> {
        self.note(|j| &mut j.people, p.id, Some(&|| self.person(p.id)))?;
        self.exec(
            "UPDATE people SET email = ?2, name = ?3, duplicate_of = ?4, merged_into = ?5
             WHERE id = ?1",
            params![
                p.id,
                p.email.as_str(),
                p.name,
                p.duplicate_of,
                p.merged_into
            ],
        )?;
        Ok(())
    }

    pub(super) fn memberships_invited_as(&self, email: &str) -> Result<Vec<Membership>> {
        // Found by `memberships_invited_email`, which holds only these.
        self.rows(
            concat!(
                "SELECT ",
                membership_columns!(),
                " FROM memberships WHERE invited_email = ?1 AND accepted_at IS NULL ORDER BY id"
            ),
            [email],
            membership_from_row,
        )
        .map(|rows| rows.into_iter().map(|m| self.in_force(m)).collect())
    }

    pub(super) fn addresses_bind_elsewhere(&self) -> Result<bool> {
        // `people_merged` and `memberships_invited_email` hold only such
        // rows: two index probes.
        Ok(self
            .tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM people WHERE merged_into IS NOT NULL)
                     OR EXISTS (SELECT 1 FROM memberships WHERE invited_email IS NOT NULL)",
            )?
            .query_row([], |r| r.get(0))?)
    }

    pub(super) fn delete_person_unreferenced(&self, id: i64) -> Result<bool> {
        // The schema's foreign keys know every table that refers to a
        // person, including those added later: a reference refuses the
        // statement alone, and the transaction goes on.
        let deleted = self
            .tx
            .prepare_cached(
                "DELETE FROM people WHERE id = ?1 \
                 AND NOT EXISTS (SELECT 1 FROM memberships WHERE person_id = ?1)",
            )?
            .execute([id]);
        match deleted {
            Ok(n) => Ok(n > 0),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
            {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    pub(super) fn membership_as_stored(&self, id: i64) -> Result<Membership> {
        self.row(
            concat!(
                "SELECT ",
                membership_columns!(),
                " FROM memberships WHERE id = ?1"
            ),
            [id],
            membership_from_row,
        )?
        .ok_or_else(|| Error::not_found(format!("no membership with id {id}")))
    }

    pub(super) fn membership(&self, id: i64) -> Result<Membership> {
        self.membership_as_stored(id).map(|m| self.in_force(m))
    }

    pub(super) fn membership_of(
        &self,
        person_id: i64,
        account_id: i64,
    ) -> Result<Option<Membership>> {
        self.row(
            concat!(
                "SELECT ",
                membership_columns!(),
                " FROM memberships WHERE person_id = ?1 AND account_id = ?2"
            ),
            [person_id, account_id],
            membership_from_row,
        )
        .map(|m| m.map(|m| self.in_force(m)))
    }

    pub(super) fn memberships_in(&self, account_id: i64) -> Result<Vec<Membership>> {
        self.memberships_where("account_id", account_id)
    }

    pub(super) fn member_ids(&self, account_id: i64, query: &MemberQuery) -> Result<Vec<i64>> {
        if let Some(holding) = &query.holding {
            let found = self.holder_ids(&[(account_id, holding.clone())], query)?;
            return Ok(found.into_iter().map(|(_, id)| id).collect());
        }
        self.rows(
            &member_ids_sql("m.account_id = ?1", "", "= ?1", query),
            params![
                account_id,
                query.role_id,
                query.status.map(|s| s.as_str()),
                self.moment_or_never(),
                Option::<String>::None,
                Option::<String>::None,
                Option::<String>::None,
                query.lapsing_by,
                query.revoked
            ],
            |r| r.get("id"),
        )
    }

    pub(super) fn holder_ids(
        &self,
        holdings: &[(i64, Holding)],
        query: &MemberQuery,
    ) -> Result<Vec<(i64, i64)>> {
        let Some((_, first)) = holdings.first() else {
            return Ok(Vec::new());
        };
        // One statement for every account: the holders of all of them,
        // by account name (as the domain sorts, byte by byte, not as the
        // column compares) then by email, the limit the list's own.
        self.rows(
            &member_ids_sql(
                &format!("m.id IN ({})", HOLDING_WAYS.join(" UNION ")),
                "ac.name COLLATE BINARY, ac.id, ",
                "IN (SELECT value ->> 'a' FROM json_each(?5))",
                query,
            ),
            params![
                Option::<i64>::None,
                query.role_id,
                query.status.map(|s| s.as_str()),
                self.moment_or_never(),
                accounts_held(holdings)?,
                json_array(&first.grants)?,
                json_array(&first.blocking)?,
                query.lapsing_by,
                query.revoked
            ],
            |r| Ok((r.get("account_id")?, r.get("id")?)),
        )
    }

    pub(super) fn members_by_id(&self, ids: &[i64]) -> Result<Vec<ListedMember>> {
        let ids = serde_json::to_string(ids).map_err(anyhow::Error::from)?;
        let columns = qualified(MEMBERSHIP_COLUMNS, "m");
        // One statement for the page, each row with its place in `ids`
        // (the `json_each` key; sorting here spares SQLite a sorter of
        // whole rows): the person, the partner's name, the duplicate's
        // email, the latest invitation's state where `revoked` may hang
        // on it (deactivated, as in force at ?2, and never accepted), and
        // when the pending invitation of someone invited expires (one row
        // of `invitations_one_pending`, joined).
        // The grants are one more statement for the whole page: most
        // members hold none, and a subquery would run for every row.
        let mut grants = self.grants_of_page(&ids)?;
        self.rows(
            &format!(
                "SELECT {columns}, p.email, p.name, p.duplicate_of, p.merged_into,
                        p.created_at AS person_created_at,
                        x.name AS external_name, d.email AS duplicate_email,
                        CASE WHEN m.accepted_at IS NULL
                                  AND (m.status = 'deactivated'
                                       OR (m.external_from IS NOT NULL AND m.status = 'active'
                                           AND m.external_until <= ?2))
                             THEN (SELECT i.state FROM invitations i WHERE i.membership_id = m.id
                                   ORDER BY i.id DESC LIMIT 1)
                        END AS last_invitation, k.key AS place,
                        i.expires_at AS invitation_expires_at
                 FROM json_each(?1) k
                 CROSS JOIN memberships m ON m.id = k.value
                 JOIN people p ON p.id = m.person_id
                 LEFT JOIN accounts x ON x.id = m.external_from
                 LEFT JOIN people d ON d.id = p.duplicate_of
                 LEFT JOIN invitations i INDEXED BY invitations_one_pending
                        ON i.membership_id = m.id AND i.state = 'pending'
                           AND m.status = 'invited'"
            ),
            params![ids, self.moment_or_never()],
            |r| {
                let membership = membership_from_row(r)?;
                // The person's columns follow the membership's 19.
                let person = Person {
                    id: membership.person_id,
                    email: stored_email(r.get(at(r, 19, "email"))?)?,
                    name: r.get(at(r, 20, "name"))?,
                    duplicate_of: r.get(at(r, 21, "duplicate_of"))?,
                    merged_into: r.get(at(r, 22, "merged_into"))?,
                    created_at: r.get(at(r, 23, "person_created_at"))?,
                };
                let last: Option<String> = r.get(at(r, 26, "last_invitation"))?;
                let place: i64 = r.get(at(r, 27, "place"))?;
                let listed = ListedMember {
                    grants: grants.remove(&membership.id).unwrap_or_default(),
                    membership,
                    person,
                    external_from: r.get(at(r, 24, "external_name"))?,
                    duplicate_of: r.get(at(r, 25, "duplicate_email"))?,
                    last_invitation: last.map(|s| keyword(&s, "state")).transpose()?,
                    invitation_expires_at: r.get(at(r, 28, "invitation_expires_at"))?,
                };
                Ok((place, listed))
            },
        )
        .map(|mut rows| {
            rows.sort_by_key(|(place, _)| *place);
            rows.into_iter()
                .map(|(_, mut row)| {
                    row.membership = self.in_force(row.membership);
                    row.grants.retain(|g| self.holds_at(g));
                    row
                })
                .collect()
        })
    }

    pub(super) fn memberships_of(&self, person_id: i64) -> Result<Vec<Membership>> {
        self.memberships_where("person_id", person_id)
    }

    pub(super) fn insert_membership(&self, m: &Membership) -> Result<i64> {
        let id = self.insert(
            "INSERT INTO memberships (person_id, account_id, role_id, previous_role_id, status, city, country,
                 timezone, external_from, invited_at, accepted_at, created_at, updated_at,
                 role_until, role_after, external_until, invited_name, invited_email)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            params![
                m.person_id,
                m.account_id,
                m.role_id,
                m.previous_role_id,
                m.status.as_str(),
                m.city,
                m.country,
                m.timezone,
                m.external_from,
                m.invited_at,
                m.accepted_at,
                m.created_at,
                m.updated_at,
                m.role_until,
                m.role_after,
                m.external_until,
                m.invited_name,
                m.invited_email,
            ],
        )?;
        if m.status == MemberStatus::Active {
            self.count_active(m.account_id, 1)?;
        }
        self.note(|j| &mut j.memberships, id, None)?;
        Ok(id)
    }

    pub(super) fn update_membership(&self, m: &Membership) -> Result<()> {
        self.note_membership(m.id)?;
        let (was_active, was_in): (bool, i64) = self.tx.query_row(
            "SELECT status = 'active', account_id FROM memberships WHERE id = ?1",
            [m.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let active = m.status == MemberStatus::Active;
        if (was_active, was_in) != (active, m.account_id) {
            if was_active {
                self.count_active(was_in, -1)?;
            }
            if active {
                self.count_active(m.account_id, 1)?;
            }
        }
        self.exec(
            "UPDATE memberships SET person_id = ?2, account_id = ?3, role_id = ?4, previous_role_id = ?5,
                 status = ?6, city = ?7, country = ?8, timezone = ?9, external_from = ?10, invited_at = ?11,
                 accepted_at = ?12, updated_at = ?13, role_until = ?14, role_after = ?15,
                 external_until = ?16, invited_name = ?17,
                 invited_email = ?18 WHERE id = ?1",
            params![
                m.id,
                m.person_id,
                m.account_id,
                m.role_id,
                m.previous_role_id,
                m.status.as_str(),
                m.city,
                m.country,
                m.timezone,
                m.external_from,
                m.invited_at,
                m.accepted_at,
                m.updated_at,
                m.role_until,
                m.role_after,
                m.external_until,
                m.invited_name,
                m.invited_email,
            ],
        )?;
        Ok(())
    }

    /// The grants of the memberships in `ids` (a JSON array), by
    /// membership, each membership's by name.
    fn grants_of_page(&self, ids: &str) -> Result<HashMap<i64, Vec<Grant>>> {
        let mut grants: HashMap<i64, Vec<Grant>> = HashMap::new();
        for (membership, grant) in self.rows(
            "SELECT g.membership_id, g.grant_name, g.granted_at, g.expires_at
             FROM json_each(?1) k CROSS JOIN membership_grants g ON g.membership_id = k.value
             ORDER BY g.membership_id, g.grant_name",
            [ids],
            |r| Ok((r.get("membership_id")?, grant_from_row(r)?)),
        )? {
            grants.entry(membership).or_default().push(grant);
        }
        Ok(grants)
    }

    pub(super) fn memberships_with_grants(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(Membership, Vec<Grant>)>> {
        // A command that changes one member reads back one seat: two
        // lookups by key cost a third of preparing the joins over a
        // JSON list, which is most of a small command's own work.
        if let [id] = ids {
            return Ok(vec![(self.membership(*id)?, self.grants(*id)?)]);
        }
        let list = serde_json::to_string(ids).map_err(anyhow::Error::from)?;
        let mut grants = self.grants_of_page(&list)?;
        let found = self.rows(
            &format!(
                "SELECT {} FROM json_each(?1) k CROSS JOIN memberships m ON m.id = k.value",
                qualified(MEMBERSHIP_COLUMNS, "m")
            ),
            [&list],
            membership_from_row,
        )?;
        if found.len() != ids.len() {
            let missing = ids.iter().find(|id| !found.iter().any(|m| m.id == **id));
            return Err(Error::not_found(format!(
                "no membership with id {}",
                missing.copied().unwrap_or_default()
            )));
        }
        Ok(found
            .into_iter()
            .map(|m| {
                let held = grants.remove(&m.id).unwrap_or_default();
                let held = held.into_iter().filter(|g| self.holds_at(g)).collect();
                (self.in_force(m), held)
            })
            .collect())
    }

    pub(super) fn grants(&self, membership_id: i64) -> Result<Vec<Grant>> {
        let grants = self
            .tx
            .prepare_cached(
                "SELECT grant_name, granted_at, expires_at FROM membership_grants
                 WHERE membership_id = ?1 ORDER BY grant_name",
            )?
            .query_map([membership_id], grant_from_row)?
            .collect::<rusqlite::Result<Vec<Grant>>>()?;
        Ok(grants.into_iter().filter(|g| self.holds_at(g)).collect())
    }

    pub(super) fn put_grant(&self, membership_id: i64, g: &Grant) -> Result<()> {
        self.note_membership(membership_id)?;
        self.exec(
            "INSERT INTO membership_grants (membership_id, grant_name, granted_at, expires_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (membership_id, grant_name) DO UPDATE SET granted_at = excluded.granted_at,
                 expires_at = excluded.expires_at",
            params![membership_id, g.name, g.granted_at, g.expires_at],
        )?;
        Ok(())
    }

    pub(super) fn delete_grant(&self, membership_id: i64, name: &str) -> Result<()> {
        self.note_membership(membership_id)?;
        self.exec(
            "DELETE FROM membership_grants WHERE membership_id = ?1 AND grant_name = ?2",
            params![membership_id, name],
        )?;
        Ok(())
    }
}
