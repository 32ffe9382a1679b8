//! Courses: the catalog's courses, and enrolments that follow the role.
//!
//! A membership is enrolled in exactly the courses its role gives. Every
//! change of role goes through [`follow_role`] in the same transaction, so
//! the enrolments change with it and the command's one audit event shows
//! the courses before and after. Ended enrolments stay as history.
//!
//! A member's progress on a course (002: "a summary of any assigned
//! courses and the progress to date") belongs to the membership and the
//! course, not to one enrolment: it is recorded while they are enrolled,
//! and waits for them when an enrolment ends and starts again.

use super::access::{authority, caps};
use super::members::visible_member;
use super::visibility::subject_accounts;
use super::{member_in, resolve_account, Actor, Catalog, Portal};
use crate::error::{Error, Result};
use crate::model::{
    Account, AccountKind, Capability, Course, CourseProgress, Email, Membership, Paste, Percent,
    Text, Timestamp,
};
use crate::store::Tx;
use crate::view::{CourseProgressView, CourseView, EnrolmentView};

/// What `course progress` records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProgressInput {
    /// This far; 100 completes the course.
    Percent(Percent),
    /// Completed (100 percent).
    Completed,
}

/// Progress as the operator's apply restores it.
#[derive(Debug, Clone, Copy)]
struct Restore {
    /// When the course was completed; `None`, as the command records it.
    completed_at: Option<Timestamp>,
    /// Recorded though they are not enrolled in the course now or later.
    waits: bool,
}

/// Brings a membership's enrolments in line with its role: ends those the
/// role no longer gives, and enrols in those it gives and the membership
/// lacks. A course kept across a role change keeps its enrolment. Under a
/// time-bound role, the enrolments the lapse changes are written ahead,
/// ending or beginning at that moment, so courses lapse with the role.
pub(crate) fn follow_role(
    tx: &dyn Tx,
    catalog: &Catalog,
    membership: &Membership,
    now: Timestamp,
) -> Result<()> {
    if catalog.courses().is_empty() {
        return Ok(());
    }
    // The catalogs' courses are the partner portal's training for its own
    // people (002: the MSP University "is only available to Managed Service
    // Providers administrators"): a partner's customer's members, its
    // console login among them, are enrolled in none.
    let account = tx.account(membership.account_id)?;
    let taught = !(account.kind == AccountKind::Customer && account.parent_id.is_some());
    let wanted = |role: i64| -> Result<Vec<i64>> {
        if !taught {
            return Ok(Vec::new());
        }
        Ok(catalog
            .courses_for(catalog.role(tx, role)?)
            .iter()
            .map(|c| c.id)
            .collect())
    };
    let now_wanted = wanted(membership.role_id)?;
    // A time-bound role's courses last until it lapses; the courses of the
    // role after it begin then (evaluated when read, as the role is).
    let lapse = match (membership.role_until, membership.role_after) {
        (Some(until), Some(after)) if until > now => Some((until, wanted(after)?)),
        _ => None,
    };
    let end_for = |course: i64| match &lapse {
        Some((until, later)) if !later.contains(&course) => Some(*until),
        _ => None,
    };
    let mut open = Vec::new();
    for e in tx.enrolments(membership.id, false)? {
        if e.ended_at.is_some_and(|t| t <= now) {
            continue;
        }
        if e.enrolled_at > now {
            // Planned for a lapse that this change replans.
            tx.cancel_enrolment(e.id, now)?;
        } else if !now_wanted.contains(&e.course_id) {
            tx.end_enrolment(e.id, Some(now))?;
        } else {
            if e.ended_at != end_for(e.course_id) {
                tx.end_enrolment(e.id, end_for(e.course_id))?;
            }
            open.push(e.course_id);
        }
    }
    for &course in &now_wanted {
        if !open.contains(&course) {
            let id = tx.enrol(membership.id, course, now)?;
            if let Some(end) = end_for(course) {
                tx.end_enrolment(id, Some(end))?;
            }
        }
    }
    if let Some((until, later)) = &lapse {
        for course in later.iter().filter(|c| !now_wanted.contains(c)) {
            tx.enrol(membership.id, *course, *until)?;
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
    let current: Vec<i64> = tx
        .enrolments(membership.id, true)?
        .iter()
        .map(|e| e.course_id)
        .collect();
    Ok(course_names(catalog, &current))
}

/// The names of the courses with these ids, in catalog order; `None` when
/// the catalog has no courses at all.
pub(crate) fn course_names(catalog: &Catalog, course_ids: &[i64]) -> Option<Vec<String>> {
    if catalog.courses().is_empty() {
        return None;
    }
    Some(
        catalog
            .courses()
            .iter()
            .filter(|c| course_ids.contains(&c.id))
            .map(|c| c.name.clone())
            .collect(),
    )
}

/// The printable form of a course of this database: with the catalog's
/// own roles that enrol in it, which serve every account; an account's
/// custom roles are that account's business.
pub(crate) fn course_view(catalog: &Catalog, course: &Course) -> CourseView {
    let roles = catalog
        .catalog_roles()
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

/// The course of the catalog named `name`, compared without case.
pub(super) fn course_named<'c>(catalog: &'c Catalog, name: &str) -> Result<&'c Course> {
    catalog
        .courses()
        .iter()
        .find(|c| crate::model::same_name(&c.name, name))
        .ok_or_else(|| {
            Error::not_found(format!("no course `{name}`"))
                .help("`portalctl course list` shows the courses")
        })
}

/// A membership's progress on `course_id`, if any was recorded.
pub(super) fn progress_on(
    tx: &dyn Tx,
    membership_id: i64,
    course_id: i64,
) -> Result<Option<CourseProgress>> {
    Ok(tx
        .course_progress(membership_id)?
        .into_iter()
        .find(|p| p.course_id == course_id))
}

impl Portal {
    /// Records a member's progress on a course they are enrolled in now.
    /// The member may record their own; anyone else needs `users.manage`
    /// in the account. Recording what is recorded already changes nothing;
    /// completing a completed course keeps its completion time.
    pub(crate) fn course_progress(
        &mut self,
        email: &Email,
        course: &Text,
        account: Option<&str>,
        input: ProgressInput,
    ) -> Result<CourseProgressView> {
        let percent = match input {
            ProgressInput::Percent(p) => p,
            ProgressInput::Completed => Percent::FULL,
        };
        self.put_progress(email, course, account, percent, None)
    }

    /// Restores a member's progress as an export wrote it, which `course
    /// progress` cannot record: completed at `completed_at` (before now),
    /// or on a course a time-bound role has paused, whose enrolment
    /// begins again when the role lapses (progress waits for it, and
    /// `export` writes it, so that `export | apply` keeps it). With
    /// `waits`, on a course they are not enrolled in at all: the course
    /// of a time-bound role that has lapsed since the file was written,
    /// where progress waits as it does in the database where the role
    /// lapsed. The operator's alone, as other restores are: a member
    /// records progress by hand, now, on a course they are enrolled in now.
    pub(crate) fn course_progress_restore(
        &mut self,
        email: &Email,
        course: &Text,
        account: Option<&str>,
        (percent, completed_at): (Percent, Option<Timestamp>),
        waits: bool,
    ) -> Result<CourseProgressView> {
        if let Actor::Member(me) = &self.ctx.actor {
            return Err(Error::denied(format!(
                "`{me}` may not restore course progress recorded before"
            ))
            .help("only the operator's apply restores it; `portalctl course progress` records progress now"));
        }
        let completed_at = completed_at.filter(|_| percent == Percent::FULL);
        let restore = Restore {
            completed_at,
            waits,
        };
        self.put_progress(email, course, account, percent, Some(restore))
    }

    /// Records `percent` on the course: as `course progress` records it
    /// (`restore` is `None`), or as the operator restores it.
    fn put_progress(
        &mut self,
        email: &Email,
        course: &Text,
        account: Option<&str>,
        percent: Percent,
        restore: Option<Restore>,
    ) -> Result<CourseProgressView> {
        let course_name = course.required("the course")?;
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let course = course_named(catalog, &course_name)?;
            let account = match account {
                // Named: the account is found, then authorized below.
                Some(_) => resolve_account(tx, &w.ctx, account, Some(email), |_| Ok(()))?,
                None => {
                    let need = super::visibility::need_about(
                        &w.ctx,
                        email,
                        caps::USERS_MANAGE.to("record another member's course progress"),
                    );
                    enrolled_in(tx, &w.ctx, email, course.id, |a| {
                        w.authorize(a, need).map(|_| ())
                    })?
                }
            };
            let own = authority(tx, catalog, &w.ctx, &account)?
                .person()
                .is_some_and(|p| p.email == *email);
            // Members record their own progress while they have access at
            // all; someone else's is an admin's to record.
            let need = if own {
                caps::PORTAL_ACCESS.to("record their course progress")
            } else {
                caps::USERS_MANAGE.to("record another member's course progress")
            };
            w.authorize(&account, need)?;
            let (_, membership) = member_in(tx, &w.ctx, email, &account)?;
            let now = w.ctx.now;
            // A restore also takes a course the member is enrolled in
            // again later: one a time-bound role has paused.
            let enrolled = tx
                .enrolments(membership.id, restore.is_none())?
                .iter()
                .any(|e| {
                    e.course_id == course.id
                        && (restore.is_none() || e.ended_at.is_none_or(|end| end > now))
                });
            if !enrolled && !restore.is_some_and(|r| r.waits) {
                return Err(Error::conflict(format!(
                    "`{email}` is not enrolled in `{}`",
                    course.name
                ))
                .help(format!(
                    "courses follow the role; `{}` shows theirs",
                    Paste::new("user courses").arg(email)
                )));
            }
            let existing = progress_on(tx, membership.id, course.id)?;
            let completed_at = (percent == Percent::FULL).then(|| {
                restore.and_then(|r| r.completed_at).unwrap_or_else(|| {
                    existing
                        .as_ref()
                        .and_then(|p| p.completed_at)
                        .unwrap_or(now)
                })
            });
            let view = |p: &CourseProgress| CourseProgressView {
                email: email.to_string(),
                account: account.name.clone(),
                course: course.name.clone(),
                progress: p.percent,
                completed_at: p.completed_at,
            };
            let before = existing.as_ref().map(view);
            if let Some(p) = &existing {
                if p.percent == percent.value() && p.completed_at == completed_at {
                    return Ok(view(p));
                }
            }
            let next = CourseProgress {
                membership_id: membership.id,
                course_id: course.id,
                percent: percent.value(),
                completed_at,
                updated_at: now,
            };
            tx.put_course_progress(&next)?;
            let after = view(&next);
            w.changed(
                "course.progress",
                &account,
                email.to_string(),
                before.as_ref(),
                &after,
            )?;
            Ok(after)
        })
    }

    /// The courses of the catalog and the roles that enrol in each. Like
    /// the roles, the catalog is no secret: anyone may list it.
    pub(crate) fn course_list(&mut self) -> Result<Vec<CourseView>> {
        let tx = self.gate.read(self.ctx.now)?;
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
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let mut views = Vec::new();
        // Courses are the account's whose role enrols in them: without
        // --account, every account of theirs the actor may see them in.
        let need = super::visibility::need_about(&self.ctx, email, caps::USERS_VIEW.into());
        let sees = super::visibility::holds_need(&*tx, &catalog, &self.ctx, need);
        for account in subject_accounts(&*tx, &self.ctx, account, email, sees)? {
            views.extend(enrolment_views(
                &*tx, &catalog, &self.ctx, email, &account.name, history,
            )?);
        }
        Ok(views)
    }
}

/// The account, of those of `email`'s the actor may see them in, where
/// they are enrolled in `course` now: the one account where they are, or
/// the only account they are in; else `--account` is asked for, as
/// `resolve_account` asks.
fn enrolled_in(
    tx: &dyn Tx,
    ctx: &super::Ctx,
    email: &Email,
    course: i64,
    act: impl Fn(&Account) -> Result<()>,
) -> Result<Account> {
    let accounts = subject_accounts(tx, ctx, None, email, &act)?;
    let mut enrolled = Vec::new();
    for account in &accounts {
        let (_, m) = member_in(tx, ctx, email, account)?;
        if tx
            .enrolments(m.id, true)?
            .iter()
            .any(|e| e.course_id == course)
        {
            enrolled.push(account.clone());
        }
    }
    match (enrolled.len(), accounts.len()) {
        (1, _) => Ok(enrolled.remove(0)),
        (_, 1) => Ok(accounts[0].clone()),
        _ => resolve_account(tx, ctx, None, Some(email), act),
    }
}

/// A member's enrolments in `account`, in catalog order, current ones
/// only unless `history`, as the actor may see them.
fn enrolment_views(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &super::Ctx,
    email: &Email,
    account: &str,
    history: bool,
) -> Result<Vec<EnrolmentView>> {
    let now = ctx.now;
    let (access, account) = visible_member(tx, catalog, ctx, email, Some(account))?;
    let enrolments = tx.enrolments(access.membership.id, !history)?;
    let progress = tx.course_progress(access.membership.id)?;
    let held = access.capabilities();
    let mut views = Vec::new();
    for course in catalog.courses() {
        let done = progress.iter().find(|p| p.course_id == course.id);
        for e in enrolments.iter().filter(|e| e.course_id == course.id) {
            let opens_area = !course.area_capabilities.is_empty();
            let current = e.enrolled_at <= now && e.ended_at.is_none_or(|t| t > now);
            let area_access = (opens_area && current).then(|| {
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
                current,
                progress: done.map(|p| p.percent),
                completed_at: done.and_then(|p| p.completed_at),
                area_access,
            });
        }
    }
    Ok(views)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{email, join, seeded};
    use crate::domain::Actor;
    use crate::store::AuditQuery;

    const ONBOARDING: &str = "University Onboarding";

    fn text(s: &str) -> Text {
        Text::parse("the course", s).expect("a course name")
    }

    fn events(p: &mut Portal) -> usize {
        let tx = p.gate.read(p.ctx.now).expect("read");
        tx.audit_events(&AuditQuery::default())
            .expect("events")
            .len()
    }

    fn record(p: &mut Portal, who: &str, input: ProgressInput) -> Result<CourseProgressView> {
        p.course_progress(&email(who), &text(ONBOARDING), None, input)
    }

    fn percent(n: i64) -> ProgressInput {
        ProgressInput::Percent(Percent::new(n).expect("a percentage"))
    }

    /// The msp portal with an administrator and a plain user.
    fn msp() -> Portal {
        let mut p = seeded("msp");
        join(&mut p, "ada@acme.test", "msp-administrator");
        join(&mut p, "uma@acme.test", "msp-user");
        p
    }

    fn as_member(p: &mut Portal, who: &str) {
        p.ctx.actor = Actor::Member(email(who));
    }

    /// 002: the MSP University is for the MSP's administrators; a
    /// customer's own console login, administrator of the customer, is
    /// enrolled in none of it and may record no progress.
    #[test]
    fn a_customers_administrator_is_enrolled_in_no_course() {
        let mut p = msp();
        crate::domain::testing::add_account(
            &mut p,
            "Client Co",
            AccountKind::Customer,
            Some("Acme"),
        );
        crate::domain::testing::join_in(
            &mut p,
            "con@client.test",
            "msp-administrator",
            Some("Client Co"),
        );
        let courses = p
            .member_courses(&email("con@client.test"), Some("Client Co"), false)
            .expect("courses");
        assert!(courses.is_empty(), "{courses:?}");
        let partners = p
            .member_courses(&email("ada@acme.test"), None, false)
            .expect("courses");
        assert_eq!(partners.len(), 2, "{partners:?}");
        as_member(&mut p, "con@client.test");
        let err = record(&mut p, "con@client.test", percent(50)).expect_err("not enrolled");
        assert_eq!(err.exit_code(), 4, "{err}");
    }

    #[test]
    fn a_member_records_their_own_progress_and_an_admin_anyones() {
        let mut p = msp();
        join(&mut p, "max@acme.test", "msp-administrator");
        as_member(&mut p, "ada@acme.test");
        let own = record(&mut p, "ada@acme.test", percent(40)).expect("their own");
        assert_eq!((own.progress, own.completed_at), (40, None));
        let by_admin = record(&mut p, "max@acme.test", ProgressInput::Completed).expect("admin");
        assert_eq!(
            (by_admin.progress, by_admin.completed_at),
            (100, Some(p.now()))
        );
    }

    #[test]
    fn another_plain_member_may_not_record_it() {
        let mut p = msp();
        as_member(&mut p, "uma@acme.test");
        let before = events(&mut p);
        let e = record(&mut p, "ada@acme.test", percent(10)).expect_err("not theirs");
        assert_eq!(e.exit_code(), 5, "{e}");
        assert_eq!(events(&mut p), before);
    }

    #[test]
    fn only_a_current_enrolment_takes_progress() {
        let mut p = msp();
        let e = record(&mut p, "uma@acme.test", percent(10)).expect_err("msp-user");
        assert_eq!(e.exit_code(), 4, "{e}");
        let e = p
            .course_progress(&email("ada@acme.test"), &text("Nope"), None, percent(10))
            .expect_err("unknown course");
        assert_eq!(e.exit_code(), 3, "{e}");
        // The name is compared without case.
        p.course_progress(
            &email("ada@acme.test"),
            &text("university onboarding"),
            None,
            percent(10),
        )
        .expect("same course");
    }

    #[test]
    fn the_same_progress_again_changes_nothing_and_completion_keeps_its_time() {
        let mut p = msp();
        record(&mut p, "ada@acme.test", percent(40)).expect("40");
        let after_first = events(&mut p);
        record(&mut p, "ada@acme.test", percent(40)).expect("40 again");
        assert_eq!(events(&mut p), after_first, "no change, no event");
        let done = record(&mut p, "ada@acme.test", ProgressInput::Completed).expect("done");
        assert_eq!(events(&mut p), after_first + 1);
        p.ctx.now = p.ctx.now.plus(chrono::Duration::days(1)).expect("a day on");
        let again = record(&mut p, "ada@acme.test", percent(100)).expect("100 is completed");
        assert_eq!(again.completed_at, done.completed_at);
        assert_eq!(events(&mut p), after_first + 1);
        // Going back reopens the course.
        let back = record(&mut p, "ada@acme.test", percent(90)).expect("90");
        assert_eq!((back.progress, back.completed_at), (90, None));
    }

    #[test]
    fn progress_waits_while_the_enrolment_is_ended() {
        let mut p = msp();
        let ada = email("ada@acme.test");
        record(&mut p, "ada@acme.test", percent(60)).expect("60");
        p.set_role(&ada, "msp-user", None, None).expect("demoted");
        assert_eq!(
            record(&mut p, "ada@acme.test", percent(70))
                .expect_err("not enrolled now")
                .exit_code(),
            4
        );
        let history = p.member_courses(&ada, None, true).expect("history");
        assert!(history
            .iter()
            .all(|e| !e.current && (e.course != ONBOARDING || e.progress == Some(60))));
        p.set_role(&ada, "msp-administrator", None, None)
            .expect("promoted");
        let now = p.member_courses(&ada, None, false).expect("courses");
        let onboarding = now
            .iter()
            .find(|e| e.course == ONBOARDING)
            .expect("enrolled");
        assert_eq!((onboarding.current, onboarding.progress), (true, Some(60)));
    }
}
