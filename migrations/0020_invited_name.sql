-- Migration 20: the name an invitation gave, per membership.
--
-- Until someone accepts an invitation, the account that invited them
-- knows them only by what the invitation said: the email and the name it
-- gave (if any). A person who already belongs to another account has a
-- name of their own there, which the inviting account is not to learn
-- until they join it. `invited_name` keeps the invitation's name; NULL
-- means the invitation gave none. Memberships not yet accepted from
-- before this migration keep the name they showed: the person's.
ALTER TABLE memberships ADD COLUMN invited_name TEXT;
UPDATE memberships
    SET invited_name = (SELECT NULLIF(p.name, '') FROM people p WHERE p.id = memberships.person_id)
    WHERE accepted_at IS NULL;
