-- Migration 25: an invitation's name is the inviting account's alone.
--
-- `user invite --name` used to make a new address's person with that name
-- as their own, so another account that invited the same address later
-- read the first account's text once the person accepted its invitation
-- (and the person could not give their own). A person now has a name of
-- their own only from accepting (`user accept --name`, else the name the
-- accepted invitation gave) or from the operator; each account keeps what
-- its invitation called them in `memberships.invited_name` (migration 20
-- filled it for every invitation not yet accepted, and every invitation
-- since has set it). Someone who has accepted no invitation, nor been
-- added, so holds no name they gave: theirs is cleared, and each account
-- goes on reading its invitation's name. Retired duplicates keep theirs.
UPDATE people
    SET name = ''
    WHERE name <> ''
      AND merged_into IS NULL
      AND EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = people.id)
      AND NOT EXISTS (
          SELECT 1 FROM memberships m
          WHERE m.person_id = people.id AND m.accepted_at IS NOT NULL
      );
