-- Migration: time-bound access and point-in-time answers.
--
-- A role set `--until T` keeps the role it replaced in role_after and
-- reverts to it at T; external access given `--until T` ends at T; a
-- service assigned `--until T` is unassigned at T. Nothing rewrites these
-- rows at T: every read applies the lapse (see `Membership::in_force`),
-- so the rows read as of any moment are what holds then.
-- role_after names a role by id without a foreign key, like the audit
-- snapshots do by name: roles are never hard-deleted.
ALTER TABLE memberships ADD COLUMN role_until TEXT;
ALTER TABLE memberships ADD COLUMN role_after INTEGER;
ALTER TABLE memberships ADD COLUMN external_until TEXT;
ALTER TABLE services ADD COLUMN assigned_until TEXT;

-- A member's events (`user history`, `user show --at`, `can --at`), by
-- their target (the member's email) and account, newest last.
CREATE INDEX audit_by_target ON audit_events (target, account_id, seq);
