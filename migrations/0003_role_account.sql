-- Migration 3: a custom role made by a member belongs to the account it
-- was made for. Roles serve the whole database, so only the operator may
-- retire a role that no account owns; an account's admin may retire only
-- its own. Roles made before this migration belong to no account.
ALTER TABLE roles ADD COLUMN account_id INTEGER REFERENCES accounts (id);
