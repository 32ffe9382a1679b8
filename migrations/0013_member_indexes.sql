-- Migration 13: a member's invitations and enrolments by index.
--
-- `user show` and `user list` of a member who never accepted read their
-- last invitation, and every command of a catalog with courses reads the
-- member's enrolments. The only indexes on either were partial (pending
-- invitations; current enrolments), which those reads cannot use, so each
-- read scanned the whole table: time that grew with the account's size.

CREATE INDEX invitations_by_membership ON invitations (membership_id, id);
CREATE INDEX enrolments_by_membership ON enrolments (membership_id, id);

-- Who holds a capability (named in a refusal's help, and as an order's
-- possible deciders) is found from the holding side: members by role
-- (`memberships_by_role`), those whose time-bound role has lapsed to
-- another, and members by grant. Without these two, finding the few
-- admins among many users walked every active member of the account.
CREATE INDEX memberships_time_bound ON memberships (account_id) WHERE role_until IS NOT NULL;
CREATE INDEX membership_grants_by_name ON membership_grants (grant_name, membership_id);

-- `account show` counts the active members from the indexes alone: all
-- of them by `memberships_by_account`, less the external admins whose
-- access has lapsed, by this one.
CREATE INDEX memberships_external ON memberships (account_id, status, external_until)
    WHERE external_until IS NOT NULL;

-- `account show` reads the active members' count from this table, which
-- the store keeps in the same transaction as each membership it inserts
-- or updates (the only two ways a membership changes): a count of the
-- index would take time proportional to the account. Kept by the store
-- rather than by triggers, because a trigger on `memberships` makes SQLite
-- journal every page each membership insert touches (a quarter of a bulk
-- `apply`'s time).
CREATE TABLE account_member_counts (
    account_id INTEGER PRIMARY KEY,
    active     INTEGER NOT NULL
);
INSERT INTO account_member_counts (account_id, active)
SELECT account_id, COUNT(*) FROM memberships WHERE status = 'active' GROUP BY account_id;
