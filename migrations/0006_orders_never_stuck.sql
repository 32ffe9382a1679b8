-- Migration: no order is ever stuck (issue 10).
--
-- 1. Orders may be `cancelled` while pending, saying by whom and why.
--    SQLite cannot change a CHECK, so `orders` is rebuilt. Other tables
--    refer to it, and foreign keys stay on inside the migration's
--    transaction, so the checks are deferred to the commit: dropping the
--    old table orphans their rows for a moment, and inserting the same rows
--    (same ids) into the new table gives them back their parents. A
--    temporary copy holds the rows in between.
-- 2. A policy can stop holding an order it matched (`released_at`): it was
--    disabled, or edited so that it no longer matches.
-- 3. Each approval records the policies it counts toward. Who may decide
--    is judged when deciding (a named approver, or an account approver
--    when the named ones fall short), so it cannot be worked out later.
--    Approvals given before this migration count as they did: toward a
--    policy that named their approver, or that named nobody.

PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE orders_0006 AS SELECT * FROM main.orders;

DROP TABLE main.orders;

CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id),
    ref              TEXT,
    -- The person who placed it; NULL when the operator did.
    creator_id       INTEGER REFERENCES people (id),
    creator          TEXT NOT NULL,
    description      TEXT NOT NULL,
    order_type       TEXT,
    amount           INTEGER NOT NULL CHECK (amount > 0),
    currency         TEXT NOT NULL,
    cost_centre_id   INTEGER REFERENCES cost_centres (id),
    -- A copy of the shipping address (JSON), kept as it was when ordered.
    ship_to          TEXT,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
    rejected_reason  TEXT,
    -- Who cancelled it, as the audit log names them, and why.
    cancelled_by     TEXT,
    cancelled_reason TEXT,
    decided_at       TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (account_id, ref),
    CHECK ((status = 'cancelled') = (cancelled_by IS NOT NULL))
);

INSERT INTO orders (id, account_id, ref, creator_id, creator, description, order_type, amount,
                    currency, cost_centre_id, ship_to, status, rejected_reason, decided_at,
                    created_at)
SELECT id, account_id, ref, creator_id, creator, description, order_type, amount,
       currency, cost_centre_id, ship_to, status, rejected_reason, decided_at, created_at
FROM temp.orders_0006;

DROP TABLE temp.orders_0006;

CREATE INDEX orders_by_account ON orders (account_id, status);

ALTER TABLE order_policies ADD COLUMN released_at TEXT;

CREATE TABLE order_approval_policies (
    order_id  INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    policy_id INTEGER NOT NULL,
    PRIMARY KEY (order_id, person_id, policy_id),
    FOREIGN KEY (order_id, person_id) REFERENCES order_decisions (order_id, person_id),
    FOREIGN KEY (order_id, policy_id) REFERENCES order_policies (order_id, policy_id)
) WITHOUT ROWID;

INSERT INTO order_approval_policies (order_id, person_id, policy_id)
SELECT d.order_id, d.person_id, p.policy_id
FROM order_decisions d
JOIN order_policies p ON p.order_id = d.order_id
WHERE d.approved = 1
  AND (NOT EXISTS (SELECT 1 FROM order_policy_approvers a
                   WHERE a.order_id = p.order_id AND a.policy_id = p.policy_id)
       OR EXISTS (SELECT 1 FROM order_policy_approvers a
                  WHERE a.order_id = p.order_id AND a.policy_id = p.policy_id
                    AND a.person_id = d.person_id));
