-- Migration 38: `customers.view`, seeing a partner's customers (their
-- profile and sites, and who holds the partner's licence seats) without
-- managing them. Seed 000 gives it to every LMP level that views pages
-- ("Can only view pages within the LMP") and to the allocator, who manages
-- them. Databases made from the `lmp` preset before give it to those roles
-- as shipped; a custom role holding `customers.manage` sees them already.
INSERT OR IGNORE INTO role_capabilities (role_id, capability)
SELECT id, 'customers.view' FROM roles
WHERE builtin = 1
  AND name IN ('partner-allocator', 'partner-view-only', 'bank-details-only')
  AND (SELECT value FROM settings WHERE key = 'preset') = 'lmp';
