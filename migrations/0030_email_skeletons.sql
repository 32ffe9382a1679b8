-- Migration 30: an address in other letters that look the same is no new
-- person.
--
-- `olive@асме.test` with a Cyrillic domain reads, in a list, as
-- `olive@acme.test`, yet is another mailbox, on a domain anyone may
-- register. Each person now keeps the confusable skeleton (UTS #39) of
-- their address, as names keep theirs (migration 28), and a new address
-- holding other letters whose skeleton another person's address holds is
-- refused by the domain. SQLite cannot compute it, so portalctl writes it
-- with every person, and fills it for the people already here as part of
-- this migration. The index is not UNIQUE: two look-alikes an older
-- database holds both stay.
ALTER TABLE people ADD COLUMN email_skeleton TEXT;
CREATE INDEX people_by_email_skeleton ON people (email_skeleton);
