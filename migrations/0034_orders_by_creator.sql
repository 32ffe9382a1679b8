-- Migration 34: a member reads the orders they placed, whatever their
-- role now (findings N5), so which accounts hold an order of theirs is
-- asked by index rather than by reading every order of each account.
CREATE INDEX orders_by_creator ON orders (creator_id, account_id);
