-- Migration 2: the audit log refuses an insert that would replace an event.
-- `INSERT OR REPLACE` resolves a conflict by deleting the old row, and that
-- delete fires no DELETE trigger, so without this an event could be
-- rewritten with the append-only triggers in place.
CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events
WHEN EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq OR hash = NEW.hash)
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
