-- Migration: a member's progress on a course (issue 10; seed 002, "a
-- summary of any assigned courses and the progress to date").
--
-- Progress belongs to the membership and the course, not to one
-- enrolment: an enrolment that ends when the role changes and starts again
-- when it changes back finds the progress where it was. At most one row per
-- membership and course; a course at 100 percent is completed, and
-- `completed_at` says when.
CREATE TABLE course_progress (
    membership_id INTEGER NOT NULL REFERENCES memberships (id),
    course_id     INTEGER NOT NULL REFERENCES courses (id),
    percent       INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    completed_at  TEXT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (membership_id, course_id),
    CHECK ((percent = 100) = (completed_at IS NOT NULL))
) WITHOUT ROWID;
