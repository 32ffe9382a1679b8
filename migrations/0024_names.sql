-- Migration 24: names compare as people read them.
--
-- Account names, policy names and address labels are found,
-- and kept apart, without case as Unicode compares letters, not only
-- ASCII's (SQLite's NOCASE): `ærø shop` names `ÆRØ SHOP`, and a precomposed
-- `Ä` and `A` with a combining diaeresis are one letter.
--
-- Each row keeps its key: the name in Unicode's composed form (NFC), its
-- case folded. SQLite cannot compute it, so portalctl writes it with every
-- name, and fills it for the rows already here as part of this migration.
-- Lookups by name go through these indexes. They are not UNIQUE: a
-- database may already hold two names that differ only in such a letter,
-- and they stay (accounts, policies and addresses are named in history);
-- naming one then takes its exact spelling, and a new name equal to one
-- held, so compared, is refused by the domain.
ALTER TABLE accounts ADD COLUMN name_key TEXT;
ALTER TABLE policies ADD COLUMN name_key TEXT;
ALTER TABLE addresses ADD COLUMN label_key TEXT;
CREATE INDEX accounts_by_name_key ON accounts (name_key);
CREATE INDEX policies_by_name_key ON policies (account_id, name_key);
CREATE INDEX addresses_by_label_key ON addresses (account_id, label_key) WHERE removed_at IS NULL;

-- Custom roles' names are unique per account, not across the database:
-- another account's custom role neither blocks a name nor is told of by
-- refusing it. A catalog role (made for no account) serves every account,
-- so its name stays unique across all, and the domain keeps a custom
-- role's name from being a catalog role's. SQLite drops a column's UNIQUE
-- only by building the table anew. Other tables refer to roles, and
-- foreign keys stay on inside the migration's transaction, so their checks
-- are deferred to the commit (as migration 6 does): the same rows, same
-- ids, are back before then.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE roles_0024 AS SELECT * FROM main.roles;

DROP TABLE main.roles;

CREATE TABLE roles (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    -- Holds every capability of the catalog, including ones added later.
    all_capabilities INTEGER NOT NULL DEFAULT 0 CHECK (all_capabilities IN (0, 1)),
    -- The blocking role holds nothing, not even portal.access.
    blocking         INTEGER NOT NULL DEFAULT 0 CHECK (blocking IN (0, 1)),
    builtin          INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
    created_at       TEXT NOT NULL,
    -- A role no longer offered. Roles are never hard-deleted: audit events
    -- name them, and a name is not reused for something else.
    deleted_at       TEXT,
    -- The account a custom role was made for (migration 3); none for the
    -- catalog's.
    account_id       INTEGER REFERENCES accounts (id),
    CHECK (NOT (blocking AND all_capabilities))
);

INSERT INTO roles (id, name, description, all_capabilities, blocking, builtin, created_at,
                   deleted_at, account_id)
SELECT id, name, description, all_capabilities, blocking, builtin, created_at, deleted_at,
       account_id
  FROM temp.roles_0024;

DROP TABLE temp.roles_0024;

CREATE UNIQUE INDEX roles_one_blocking ON roles (blocking) WHERE blocking = 1;
CREATE UNIQUE INDEX roles_catalog_name ON roles (name) WHERE account_id IS NULL;
CREATE UNIQUE INDEX roles_account_name ON roles (account_id, name) WHERE account_id IS NOT NULL;
