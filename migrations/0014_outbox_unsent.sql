-- Migration 14: the outbox's first index goes.
--
-- `outbox_unsent` listed the emails not yet sent, for the delivery of
-- migration 1. Since migration 5 delivery finds its emails by state and
-- time (`outbox_due`) and no statement reads `sent_at IS NULL`, yet every
-- email queued, sent or cancelled still wrote a page of it: one more page
-- in each invitation's transaction.
DROP INDEX IF EXISTS outbox_unsent;
