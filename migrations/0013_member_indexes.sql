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

-- `account show` counts the active members from this table, which the
-- triggers below keep as members join, leave, change status or move
-- between accounts (a merge), in the same statement as the change: a
-- count of the index would take time proportional to the account.
CREATE TABLE account_member_counts (
    account_id INTEGER PRIMARY KEY,
    active     INTEGER NOT NULL
);
INSERT INTO account_member_counts (account_id, active)
SELECT account_id, COUNT(*) FROM memberships WHERE status = 'active' GROUP BY account_id;

CREATE TRIGGER memberships_counted_insert AFTER INSERT ON memberships
WHEN NEW.status = 'active'
BEGIN
    INSERT INTO account_member_counts (account_id, active) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET active = active + 1;
END;
CREATE TRIGGER memberships_counted_delete AFTER DELETE ON memberships
WHEN OLD.status = 'active'
BEGIN
    UPDATE account_member_counts SET active = active - 1 WHERE account_id = OLD.account_id;
END;
CREATE TRIGGER memberships_counted_update AFTER UPDATE OF status, account_id ON memberships
WHEN (OLD.status = 'active') != (NEW.status = 'active') OR OLD.account_id != NEW.account_id
BEGIN
    UPDATE account_member_counts SET active = active - 1
    WHERE account_id = OLD.account_id AND OLD.status = 'active';
    INSERT INTO account_member_counts (account_id, active)
    SELECT NEW.account_id, 1 WHERE NEW.status = 'active'
    ON CONFLICT (account_id) DO UPDATE SET active = active + 1;
END;
