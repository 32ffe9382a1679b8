-- Migration 28: a name in other letters that look the same is no new name.
--
-- `Соntoso` written all in Cyrillic reads, on a screen, as the account
-- `Contoso`: an operator picking from a list or a completion cannot tell
-- them apart. Each account name, policy name and address label now keeps
-- its skeleton besides its key (migration 24): Unicode's confusable
-- skeleton (UTS #39) of the key, one for every spelling that looks alike.
-- A new name whose skeleton another name of its kind and scope holds is
-- refused by the domain. SQLite cannot compute it, so portalctl writes it
-- with every name, and fills it for the rows already here as part of this
-- migration. The indexes are not UNIQUE: two look-alikes an older database
-- holds both stay, and `portalctl status` names each with the command
-- that renames it.
ALTER TABLE accounts ADD COLUMN name_skeleton TEXT;
ALTER TABLE policies ADD COLUMN name_skeleton TEXT;
ALTER TABLE addresses ADD COLUMN label_skeleton TEXT;
CREATE INDEX accounts_by_name_skeleton ON accounts (name_skeleton);
CREATE INDEX policies_by_name_skeleton ON policies (account_id, name_skeleton);
CREATE INDEX addresses_by_label_skeleton ON addresses (account_id, label_skeleton)
    WHERE removed_at IS NULL;
