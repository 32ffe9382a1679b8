-- Migration 27: members by role within an account, by index.
--
-- `memberships_by_role` was on the role alone: finding an account's
-- holders of a catalog role (`user list --can`, who to ask in a refusal,
-- an order's deciders) walked that role's members in every account, so a
-- list across accounts grew with the square of the accounts (issue 11).
-- On the role and then the account, the same index finds one account's
-- holders directly, and still serves every read by role alone.
DROP INDEX memberships_by_role;
CREATE INDEX memberships_by_role ON memberships (role_id, account_id);
