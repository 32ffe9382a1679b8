-- Migration 39: orders and services are numbered per account (findings
-- D4): one sequence for the whole database let a member count, by the
-- gap between two of their own numbers, what other accounts did in
-- between. The row id stays the key other tables refer to; `number` is
-- what a user sees and types. Existing rows keep their id as their number,
-- so nothing anyone wrote down changes; a new one takes the highest of its
-- account plus one, found by the index.
ALTER TABLE orders ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET number = id;
CREATE UNIQUE INDEX orders_by_number ON orders (account_id, number);
ALTER TABLE services ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
UPDATE services SET number = id;
CREATE UNIQUE INDEX services_by_number ON services (account_id, number);
