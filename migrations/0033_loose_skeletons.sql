-- Migration 33: a capital `I` reads as `i` too, and cost centres and
-- services are names told from their look-alikes.
--
-- Unicode's confusables read a capital that looks like `I` (Latin `I`,
-- Lisu `ꓲ`) as `l`, so `ꓝꓮꓐꓣꓲꓗꓮꓟ` written all in Lisu capitals, which
-- reads as `FABRIKAM`, had another skeleton (migration 28) than
-- `Fabrikam`. A name's look-alike candidates are now found by a second
-- skeleton with `i` and `l` one letter, by equality, and the domain
-- decides which of them look alike (`Mail` and `Mall` do not). Cost
-- centres and services, named by members and picked from their
-- account's lists, keep it too. SQLite cannot compute it, so portalctl
-- writes it with every name, and fills it for the rows already here as
-- part of this migration. The indexes are not UNIQUE: two look-alikes an
-- older database holds both stay, and `portalctl status` names each with
-- the command that renames it.
ALTER TABLE accounts ADD COLUMN name_loose TEXT;
ALTER TABLE policies ADD COLUMN name_loose TEXT;
ALTER TABLE addresses ADD COLUMN label_loose TEXT;
ALTER TABLE cost_centres ADD COLUMN name_loose TEXT;
ALTER TABLE services ADD COLUMN name_loose TEXT;
CREATE INDEX accounts_by_name_loose ON accounts (name_loose);
CREATE INDEX policies_by_name_loose ON policies (account_id, name_loose);
CREATE INDEX addresses_by_label_loose ON addresses (account_id, label_loose)
    WHERE removed_at IS NULL;
CREATE INDEX cost_centres_by_name_loose ON cost_centres (account_id, name_loose);
CREATE INDEX services_by_name_loose ON services (account_id, name_loose);
