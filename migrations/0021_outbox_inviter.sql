-- Migration 21: who sent an invitation email, so it is written when sent.
--
-- A queued invitation email used to be written whole when queued, so a
-- role changed before `outbox send` (or an expiry cut short) went out as
-- it was: "join Acme as admin" for a token that gives `user`. The email is
-- now written from its invitation as it stands when it is sent; `inviter`
-- keeps the one thing the invitation does not hold, how the email names
-- who invited. NULL (emails queued before this migration, and emails that
-- are no invitation) means the email goes out as it was queued.
ALTER TABLE outbox ADD COLUMN inviter TEXT;
