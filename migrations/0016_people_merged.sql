-- Migration 16: who was merged into whom, found by index.
--
-- An order placed by a duplicate since merged is the kept person's own,
-- so a member who sees only their own orders also sees those of everyone
-- merged into them. Finding them must not read every person of the
-- database: only merged people are indexed, so the index stays small.
CREATE INDEX IF NOT EXISTS people_merged ON people (merged_into) WHERE merged_into IS NOT NULL;
