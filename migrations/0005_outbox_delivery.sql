-- Migration 5: delivering the outbox, with no live token at rest.
--
-- An invitation email no longer carries a token in the database: the row
-- refers to its invitation, and `outbox send` mints a fresh token when it
-- hands the email over, keeping only the token's SHA-256 here. Any token of
-- a pending invitation accepts it; accepting ends the invitation, and with
-- it every one of its tokens.
CREATE TABLE invitation_tokens (
    token_hash    TEXT PRIMARY KEY,
    invitation_id INTEGER NOT NULL REFERENCES invitations (id),
    created_at    TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX invitation_tokens_by_invitation ON invitation_tokens (invitation_id);

-- Where each email stands: `pending` until a server accepts it (`sent`),
-- `failed` after the last attempt allowed, `cancelled` when it no longer
-- makes sense (its invitation ended) or an admin withdrew it.
ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'sent', 'failed', 'cancelled'));
-- The invitation whose token the email carries once sent.
ALTER TABLE outbox ADD COLUMN invitation_id INTEGER REFERENCES invitations (id);
ALTER TABLE outbox ADD COLUMN last_attempt_at TEXT;
-- Not sent before this time: the back-off after a failure, or the lease of
-- a run that has claimed it. NULL: due now.
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
-- When it was marked failed or cancelled.
ALTER TABLE outbox ADD COLUMN ended_at TEXT;

UPDATE outbox SET state = 'sent' WHERE sent_at IS NOT NULL;

-- Emails queued before this migration name their token in the body. Tie
-- each invitation email to its invitation (queued by the same change, so
-- at the same time, to the invitee's address), and put the line that
-- `outbox send` fills in where the token was.
UPDATE outbox SET invitation_id = (
    SELECT i.id FROM invitations i
    JOIN memberships m ON m.id = i.membership_id
    JOIN people p ON p.id = m.person_id
    WHERE p.email = outbox.recipient AND i.created_at = outbox.created_at
    ORDER BY i.id DESC LIMIT 1
) WHERE kind = 'invitation';
UPDATE outbox
SET body = substr(body, 1, instr(body, 'pinv_') - 1)
        || '<token minted when this email is sent>'
        || substr(body, instr(body, 'pinv_') + 69)
WHERE instr(body, 'pinv_') > 0;
-- An email whose invitation ended, or that cannot be tied to one, would
-- carry no token that works.
UPDATE outbox SET state = 'cancelled', ended_at = created_at,
    last_error = 'queued before delivery existed; its invitation is no longer pending'
WHERE state = 'pending' AND kind = 'invitation' AND (
    invitation_id IS NULL
    OR (SELECT state FROM invitations WHERE id = outbox.invitation_id) <> 'pending'
);

CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_by_invitation ON outbox (invitation_id) WHERE invitation_id IS NOT NULL;
