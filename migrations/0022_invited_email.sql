-- Migration 22: the address an invitation went to, per membership.
--
-- An invitation to an address merged away in another account binds to
-- the person it was merged into (the same human), but the inviting
-- account knows them only by the address it typed until they accept:
-- that the address was merged, and into whom, is the other account's.
-- `invited_email` keeps that address, where the invitation bound to
-- someone else's login; NULL means it went to the person's own address.
ALTER TABLE memberships ADD COLUMN invited_email TEXT;
-- Such memberships are few: only they are indexed, found by the address.
CREATE INDEX IF NOT EXISTS memberships_invited_email
    ON memberships (invited_email) WHERE invited_email IS NOT NULL;
