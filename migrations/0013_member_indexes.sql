-- Migration 13: a member's invitations and enrolments by index.
--
-- `user show` and `user list` of a member who never accepted read their
-- last invitation, and every command of a catalog with courses reads the
-- member's enrolments. The only indexes on either were partial (pending
-- invitations; current enrolments), which those reads cannot use, so each
-- read scanned the whole table: time that grew with the account's size.

CREATE INDEX invitations_by_membership ON invitations (membership_id, id);
CREATE INDEX enrolments_by_membership ON enrolments (membership_id, id);
