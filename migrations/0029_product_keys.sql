-- Migration 29: products compare as names do (migration 24).
--
-- A licence's and a contracted price's product were found ignoring ASCII
-- case only (SQLite's NOCASE): `CAFÉ SUITE` opened a second seat pool
-- beside `Café Suite`, while `account show` priced both by one price.
-- Each licence and price now keeps its product's key, the product in
-- Unicode's composed form (NFC) with its case folded for every script
-- and its spaces folded, as an account name's key is. SQLite cannot
-- compute it, so portalctl writes it with every row, and fills it for
-- the rows already here as part of this migration. The indexes are not
-- UNIQUE: an older database may hold two products of one partner that
-- now read as one; both stay (seats and prices are history), the exact
-- spelling names each, `portalctl status` names them, and a new product
-- may take neither.
ALTER TABLE licenses ADD COLUMN product_key TEXT;
ALTER TABLE partner_prices ADD COLUMN product_key TEXT;
CREATE INDEX licenses_by_product_key ON licenses (account_id, product_key);
CREATE INDEX partner_prices_by_product_key ON partner_prices (account_id, product_key);
