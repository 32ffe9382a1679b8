-- Migration 32: an address is refused for what it reads as, read from the
-- address alone (`olıve@acme.test` reads as `olive@acme.test`), never
-- for whom it looks like among the people here, which told a member who
-- exists in other accounts. Nothing reads the skeletons migration 30
-- kept, and each new person wrote one more index entry for them.
DROP INDEX people_by_email_skeleton;
ALTER TABLE people DROP COLUMN email_skeleton;
