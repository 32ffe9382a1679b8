//! Courses: the catalog's courses, and enrolments that follow the role.
//!
//! A membership is enrolled in exactly the courses its role gives. Every
//! change of role goes through [`follow_role`] in the same transaction, so
//! the enrolments change with it and the command's one audit event shows
//! the courses before and after. Ended enrolments stay as history.

use super::members::visible_member;
use super::{Catalog, Portal};
use crate::error::Result;
use crate::model::{Capability, Course, Email, Membership, Timestamp};
use crate::store::Tx;
use crate::view::{CourseView, EnrolmentView};

/// Brings a membership's enrolments in line with its role: ends those the
/// role no longer gives, and enrols in those it gives and the membership
/// lacks. A course kept across a role change keeps its enrolment.
pub(crate) fn follow_role(
    tx: &dyn Tx,
    catalog: &Catalog,
    membership: &Membership,
    now: Timestamp,
) -> Result<()> {
    if catalog.courses().is_empty() {
        return Ok(());
    }
    let role = catalog.role(membership.role_id)?;
    let wanted: Vec<i64> = catalog.courses_for(role).iter().map(|c| c.id).collect();
    let current = tx.enrolments(membership.id, true)?;
    for enrolment in &current {
        if !wanted.contains(&enrolment.course_id) {
            tx.end_enrolment(enrolment.id, now)?;
        }
    }
    for course_id in wanted {
        if !current.iter().any(|e| e.course_id == course_id) {
            tx.enrol(membership.id, course_id, now)?;
        }
    }
    Ok(())
}

/// The names of the courses a membership is enrolled in now, in catalog
/// order; `None` when the catalog has no courses at all.
pub(crate) fn current_course_names(
    tx: &dyn Tx,
    catalog: &Catalog,
    membership: &Membership,
) -> Result<Option<Vec<String>>> {
    if catalog.courses().is_empty() {
        return Ok(None);
    }
    let current = tx.enrolments(membership.id, true)?;
    Ok(Some(
        catalog
            .courses()
            .iter()
            .filter(|c| current.iter().any(|e| e.course_id == c.id))
            .map(|c| c.name.clone())
            .collect(),
    ))
}

/// The printable form of a course of this database.
pub(crate) fn course_view(catalog: &Catalog, course: &Course) -> CourseView {
    let roles = catalog
        .live_roles()
        .into_iter()
        .filter(|r| catalog.courses_for(r).iter().any(|c| c.id == course.id))
        .map(|r| r.name.clone())
        .collect();
    CourseView {
        name: course.name.clone(),
        description: course.description.clone(),
        all_roles: course.all_roles,
        roles,
        area_capabilities: in_catalog_order(&course.area_capabilities),
    }
}

/// Capability names in the order of the capability catalog.
pub(crate) fn in_catalog_order(names: &[String]) -> Vec<String> {
    Capability::all()
        .filter(|c| names.iter().any(|n| n == c.as_str()))
        .map(|c| c.to_string())
        .collect()
}

impl Portal {
    /// The courses of the catalog and the roles that enrol in each. Like
    /// the roles, the catalog is no secret: anyone may list it.
    pub(crate) fn course_list(&mut self) -> Result<Vec<CourseView>> {
        let tx = self.gate.read()?;
        let catalog = Catalog::load(&*tx)?;
        super::access::ensure_portal_user(&*tx, &catalog, &self.ctx)?;
        Ok(catalog
            .courses()
            .iter()
            .map(|c| course_view(&catalog, c))
            .collect())
    }

    /// A member's enrolments in catalog order, current ones only unless
    /// `history`. Members may see their own; others need `users.view`.
    pub(crate) fn member_courses(
        &mut self,
        email: &Email,
        account: Option<&str>,
        history: bool,
    ) -> Result<Vec<EnrolmentView>> {
        let tx = self.gate.read()?;
        let catalog = Catalog::load(&*tx)?;
        let (access, account) = visible_member(&*tx, &catalog, &self.ctx, email, account)?;
        let enrolments = tx.enrolments(access.membership.id, !history)?;
        let held = access.capabilities();
        let mut views = Vec::new();
        for course in catalog.courses() {
            for e in enrolments.iter().filter(|e| e.course_id == course.id) {
                let opens_area = !course.area_capabilities.is_empty();
                let area_access = (opens_area && e.ended_at.is_none()).then(|| {
                    held.iter()
                        .filter(|h| course.area_capabilities.iter().any(|c| c == h.as_str()))
                        .map(|h| h.to_string())
                        .collect()
                });
                views.push(EnrolmentView {
                    email: email.to_string(),
                    account: account.name.clone(),
                    course: course.name.clone(),
                    enrolled_at: e.enrolled_at,
                    ended_at: e.ended_at,
                    current: e.ended_at.is_none(),
                    area_access,
                });
            }
        }
        Ok(views)
    }
}
