-- Migration 17: an event's hash is no longer an index of its own.
--
-- `hash` was declared UNIQUE, which kept a second index of the log keyed
-- by a random string: every event written, by `apply` of many members as
-- by one `user invite`, touched a page of it at a random place, a third
-- of an audited bulk write's time. Nothing looks an event up by its hash
-- (an anchor names its event by `seq`), and the chain already refuses a
-- copied event: each hash covers the previous one, so an event copied
-- elsewhere in the log breaks the chain where it lands, as `audit verify`
-- reports.
--
-- SQLite drops a column's UNIQUE only by building the table anew, so the
-- log is copied, row for row, into a table declared without it; the
-- triggers that keep it append-only are laid again, the one refusing an
-- insert that would replace an event now keyed by `seq` alone. Events
-- keep their columns, values and hashes, so the chain and every anchor
-- kept elsewhere still verify.
DROP TRIGGER audit_events_no_update;
DROP TRIGGER audit_events_no_delete;
DROP TRIGGER audit_events_no_replace;
CREATE TABLE audit_events_rebuilt (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    account_id   INTEGER REFERENCES accounts (id),
    account      TEXT,
    target       TEXT,
    before       TEXT,
    after        TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    hash_version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO audit_events_rebuilt
       (seq, at, actor, action, account_id, account, target, before, after, prev_hash, hash, hash_version)
SELECT seq, at, actor, action, account_id, account, target, before, after, prev_hash, hash, hash_version
  FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_rebuilt RENAME TO audit_events;
CREATE INDEX audit_by_account ON audit_events (account_id, seq);
CREATE INDEX audit_by_actor ON audit_events (actor, seq);
CREATE INDEX audit_by_target ON audit_events (target, account_id, seq);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events
WHEN EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq)
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
