-- Where a customer's seats of a licence are shipped (`license allocate
-- --ship-to`, seed 000: an allocator "can use shipping addresses"): a copy
-- of one of the partner's shipping addresses, JSON like `orders.ship_to`, so
-- removing the address later leaves the allocation's copy as it was. NULL
-- when none was given.
ALTER TABLE license_allocations ADD COLUMN ship_to TEXT;
