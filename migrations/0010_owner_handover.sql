-- Migration: the customer-area catalog now says what an invitation gives
-- by default (`member`) and what the owner becomes on handing ownership
-- over (`member` with the `account-admin` area; the `owner` role is then
-- the owner's alone). Databases made from it before say so too, as long
-- as they still hold that role and area as shipped.
INSERT OR IGNORE INTO settings (key, value)
SELECT 'default_role', 'member'
WHERE (SELECT value FROM settings WHERE key = 'preset') = 'customer-area'
  AND EXISTS (SELECT 1 FROM roles WHERE name = 'member' AND deleted_at IS NULL AND blocking = 0);

INSERT OR IGNORE INTO settings (key, value)
SELECT 'former_owner_role', 'member'
WHERE (SELECT value FROM settings WHERE key = 'preset') = 'customer-area'
  AND (SELECT value FROM settings WHERE key = 'owner_role') = 'owner'
  AND EXISTS (SELECT 1 FROM roles WHERE name = 'member' AND deleted_at IS NULL AND blocking = 0)
  AND EXISTS (SELECT 1 FROM grant_bundles WHERE name = 'account-admin');

INSERT OR IGNORE INTO settings (key, value)
SELECT 'former_owner_grants', 'account-admin'
WHERE EXISTS (SELECT 1 FROM settings WHERE key = 'former_owner_role');
