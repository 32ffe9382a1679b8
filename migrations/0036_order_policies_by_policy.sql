-- Migration 36: a change to who may decide orders reads only the pending
-- orders of the policies it leaves short (issue 11), found by policy
-- rather than by reading every pending order of the account.
CREATE INDEX order_policies_by_policy ON order_policies (policy_id, order_id);
