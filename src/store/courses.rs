//! SQL for courses, enrolments and progress on them.

use rusqlite::{params, Row};

use super::SqliteTx;
use crate::error::Result;
use crate::model::{Course, CourseProgress, Enrolment, Timestamp};

fn enrolment_from_row(row: &Row<'_>) -> rusqlite::Result<Enrolment> {
    Ok(Enrolment {
        id: row.get("id")?,
        membership_id: row.get("membership_id")?,
        course_id: row.get("course_id")?,
        enrolled_at: row.get("enrolled_at")?,
        ended_at: row.get("ended_at")?,
    })
}

fn progress_from_row(row: &Row<'_>) -> rusqlite::Result<CourseProgress> {
    Ok(CourseProgress {
        membership_id: row.get("membership_id")?,
        course_id: row.get("course_id")?,
        percent: row.get("percent")?,
        completed_at: row.get("completed_at")?,
        updated_at: row.get("updated_at")?,
    })
}

impl SqliteTx<'_> {
    pub(super) fn courses(&self) -> Result<Vec<Course>> {
        let mut courses: Vec<Course> = self
            .tx
            .prepare_cached("SELECT id, name, description, all_roles FROM courses ORDER BY id")?
            .query_map([], |r| {
                Ok(Course {
                    id: r.get("id")?,
                    name: r.get("name")?,
                    description: r.get("description")?,
                    all_roles: r.get("all_roles")?,
                    role_ids: Vec::new(),
                    area_capabilities: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        // As for bundles: nothing more to prepare for a catalog without.
        if courses.is_empty() {
            return Ok(courses);
        }
        let mut roles = self.tx.prepare_cached(
            "SELECT role_id FROM course_roles WHERE course_id = ?1 ORDER BY role_id",
        )?;
        let mut area = self.tx.prepare_cached(
            "SELECT capability FROM course_area_capabilities WHERE course_id = ?1 ORDER BY capability",
        )?;
        for course in &mut courses {
            course.role_ids = roles
                .query_map([course.id], |r| r.get("role_id"))?
                .collect::<rusqlite::Result<_>>()?;
            course.area_capabilities = area
                .query_map([course.id], |r| r.get("capability"))?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(courses)
    }

    pub(super) fn insert_course(&self, c: &Course, at: Timestamp) -> Result<i64> {
        self.note_catalog();
        let id = self.insert(
            "INSERT INTO courses (name, description, all_roles, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![c.name, c.description, c.all_roles, at],
        )?;
        let mut role = self
            .tx
            .prepare_cached("INSERT INTO course_roles (course_id, role_id) VALUES (?1, ?2)")?;
        for role_id in &c.role_ids {
            role.execute(params![id, role_id])?;
        }
        let mut cap = self.tx.prepare_cached(
            "INSERT INTO course_area_capabilities (course_id, capability) VALUES (?1, ?2)",
        )?;
        for capability in &c.area_capabilities {
            cap.execute(params![id, capability])?;
        }
        Ok(id)
    }

    pub(super) fn current_courses_of(&self, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
        let ids = serde_json::to_string(ids).map_err(anyhow::Error::from)?;
        self.rows(
            "SELECT e.membership_id, e.course_id FROM json_each(?1) k
             CROSS JOIN enrolments e ON e.membership_id = k.value
             WHERE e.enrolled_at <= ?2 AND (e.ended_at IS NULL OR e.ended_at > ?2)
             ORDER BY e.membership_id, e.id",
            params![ids, self.moment_or_never()],
            |r| Ok((r.get("membership_id")?, r.get("course_id")?)),
        )
    }

    pub(super) fn enrolments(
        &self,
        membership_id: i64,
        current_only: bool,
    ) -> Result<Vec<Enrolment>> {
        if current_only {
            // With no moment set, the open ones.
            return self.rows(
                "SELECT id, membership_id, course_id, enrolled_at, ended_at FROM enrolments
                 WHERE membership_id = ?1 AND enrolled_at <= ?2
                   AND (ended_at IS NULL OR ended_at > ?2) ORDER BY id",
                params![membership_id, self.moment_or_never()],
                enrolment_from_row,
            );
        }
        self.rows(
            "SELECT id, membership_id, course_id, enrolled_at, ended_at FROM enrolments
             WHERE membership_id = ?1 ORDER BY id",
            [membership_id],
            enrolment_from_row,
        )
    }

    pub(super) fn enrol(&self, membership_id: i64, course_id: i64, at: Timestamp) -> Result<i64> {
        self.insert(
            "INSERT INTO enrolments (membership_id, course_id, enrolled_at) VALUES (?1, ?2, ?3)",
            params![membership_id, course_id, at],
        )
    }

    pub(super) fn end_enrolment(&self, id: i64, at: Option<Timestamp>) -> Result<()> {
        // Only an enrolment open now: history stays as it was.
        self.exec(
            "UPDATE enrolments SET ended_at = ?2
             WHERE id = ?1 AND (ended_at IS NULL OR ended_at > ?3)",
            params![id, at, self.moment_or_never()],
        )?;
        Ok(())
    }

    pub(super) fn cancel_enrolment(&self, id: i64, now: Timestamp) -> Result<()> {
        self.exec(
            "DELETE FROM enrolments WHERE id = ?1 AND enrolled_at > ?2",
            params![id, now],
        )?;
        Ok(())
    }

    pub(super) fn course_progress(&self, membership_id: i64) -> Result<Vec<CourseProgress>> {
        self.rows(
            "SELECT membership_id, course_id, percent, completed_at, updated_at
             FROM course_progress WHERE membership_id = ?1 ORDER BY course_id",
            [membership_id],
            progress_from_row,
        )
    }

    pub(super) fn put_course_progress(&self, p: &CourseProgress) -> Result<()> {
        self.exec(
            "INSERT INTO course_progress (membership_id, course_id, percent, completed_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (membership_id, course_id) DO UPDATE SET
                 percent = excluded.percent,
                 completed_at = excluded.completed_at,
                 updated_at = excluded.updated_at",
            params![p.membership_id, p.course_id, p.percent, p.completed_at, p.updated_at],
        )?;
        Ok(())
    }
}
