-- Migration: approval delegation, and who could decide an order (issue 14).
--
-- Numbered 0012 because 0011 is being written on another branch (time-bound
-- access); on this branch it runs eleventh. The list in
-- src/store/database.rs says so where it includes this file.
--
-- 1. A delegation lets its delegate decide, from `starts_at` (inclusive)
--    until `ends_at` (exclusive), the orders its delegator could decide.
--    Ending one early moves `ends_at` back to that moment and says who did
--    it, so the row keeps the exact period it held: nothing is deleted.
-- 2. A decision made by a delegate records, as `on_behalf_of`, whose
--    decision it is: `person_id` is who decided, and the approval counts as
--    the delegator's (neither may decide the order again).
-- 3. With each decision, who could decide the order at that moment, as far
--    as `order show` names them (the decider among them): recorded rather
--    than replayed from the audit log, because eligibility depends on roles,
--    grants, policies, merges and delegations as they stood then, and a
--    later change to any of them must not change the answer.
--    `more_deciders` is NULL for a decision made before this migration.
--    (No REFERENCES on the added columns, so that an older portalctl's
--    tests can drop them again.)

CREATE TABLE delegations (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    delegator_id INTEGER NOT NULL REFERENCES people (id),
    delegate_id  INTEGER NOT NULL REFERENCES people (id),
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    ended_by     TEXT,
    CHECK (delegator_id <> delegate_id),
    CHECK (starts_at <= ends_at)
);
-- The inbox: what covers this delegate now.
CREATE INDEX delegations_by_delegate ON delegations (account_id, delegate_id, ends_at);
-- Ending, listing and checking a delegator's delegations.
CREATE INDEX delegations_by_delegator ON delegations (account_id, delegator_id, ends_at);

-- The inbox of a member who decides only what names them: the orders whose
-- policies name them, by index, not every pending order of the account.
CREATE INDEX order_policy_approvers_by_person ON order_policy_approvers (person_id, order_id);

ALTER TABLE order_decisions ADD COLUMN on_behalf_of INTEGER;
ALTER TABLE order_decisions ADD COLUMN more_deciders INTEGER CHECK (more_deciders IN (0, 1));

CREATE TABLE order_decision_deciders (
    order_id     INTEGER NOT NULL,
    person_id    INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    decider_id   INTEGER NOT NULL REFERENCES people (id),
    on_behalf_of INTEGER REFERENCES people (id),
    PRIMARY KEY (order_id, person_id, position),
    FOREIGN KEY (order_id, person_id) REFERENCES order_decisions (order_id, person_id)
) WITHOUT ROWID;
