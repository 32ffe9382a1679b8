-- Migration 19: who set a delegation, as a person.
--
-- A delegation never lends deciding on an order placed or already decided
-- by whoever set it up: an admin who lends the owner's deciding to a user
-- must not have that user approve the admin's own order. `created_by`
-- keeps the setter's audit name (an email, or `operator:<user>`), which
-- is words for people: an email can change, so the rule reads the person.
--
-- `setter_id` is that person; NULL means no known setter: the operator,
-- who acts as no person, or a row whose `created_by` names nobody now.
-- Rows from before are filled from `created_by` where it is a person's
-- email. (No REFERENCES, so that an older portalctl's tests can drop the
-- column again, as with the columns migration 12 added.)
ALTER TABLE delegations ADD COLUMN setter_id INTEGER;
UPDATE delegations
    SET setter_id = (SELECT p.id FROM people p WHERE p.email = delegations.created_by)
    WHERE created_by NOT LIKE 'operator:%';
