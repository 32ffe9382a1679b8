-- Migration 26: order references compare as names do (migration 24).
--
-- Migration 18 found a reference ignoring ASCII case only (SQLite's
-- NOCASE): `ÆØ-9` and `æø-9`, `RÉF-1` and `réf-1` were two orders of one
-- account, and a reference typed in another case of a non-ASCII letter
-- named the other order. Each order now keeps its reference's key, the
-- reference in Unicode's composed form (NFC) with its case folded for
-- every script, as an account name's key is. SQLite cannot compute it,
-- so portalctl writes it with every order, and fills it for the orders
-- already here as part of this migration. The index is not UNIQUE, as
-- migration 18's was not: an older database may hold two references of
-- one account that now read as one; both stay (orders are history), the
-- exact spelling names each, and a new order may take neither.
ALTER TABLE orders ADD COLUMN ref_key TEXT;
DROP INDEX orders_by_ref_nocase;
CREATE INDEX orders_by_ref_key ON orders (account_id, ref_key);
