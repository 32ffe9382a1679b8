-- Migration 35: an order reference is told from its look-alikes as names
-- are (tester finding E1). An approver told "approve PO-1001" types or
-- picks the reference from a list, so a decoy `РО-1001` (Cyrillic), `P0-1001`
-- (a zero) or `ＰＯ-1001` (full-width) beside it in the same account would
-- have them decide the wrong order. Candidates are found by the loose
-- skeleton of migration 33, by equality on an index, and the domain
-- decides which of them look alike. SQLite cannot compute it, so
-- portalctl writes it with every reference and fills it for the orders
-- already here as part of this migration. Not UNIQUE: two look-alike
-- references an older database holds both stay.
ALTER TABLE orders ADD COLUMN ref_loose TEXT;
CREATE INDEX orders_by_ref_loose ON orders (account_id, ref_loose) WHERE ref_loose IS NOT NULL;
