//! A role catalog and what it holds: roles, grant bundles, presets,
//! courses and enrolments, and the outcome of `init`.

use serde::Serialize;

use super::{lines, list_or_dash, opt_time, AccountView, MemberView};
use crate::model::{AccountKind, GrantRule, Timestamp};
use crate::output::{Fields, Row};

/// A role of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RoleView {
    /// Name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Capabilities it holds (every capability for an all-capabilities role).
    pub capabilities: Vec<String>,
    /// Holds every capability, present and future.
    pub all_capabilities: bool,
    /// The blocking role.
    pub blocking: bool,
    /// From the preset rather than `role create`.
    pub builtin: bool,
    /// The account a custom role was made for, which alone may give it,
    /// named as `export` names it; none for a role serving every account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Memberships holding it, where known (roles of a database).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<usize>,
    /// The courses it enrols members in, when the catalog has courses
    /// (`role show`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub courses: Option<Vec<String>>,
}

impl Row for RoleView {
    fn headers() -> &'static [&'static str] {
        &["ROLE", "ACCOUNT", "MEMBERS", "CAPABILITIES", "DESCRIPTION"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.account.clone().unwrap_or_else(|| "-".into()),
            self.members.map_or_else(|| "-".into(), |n| n.to_string()),
            role_capabilities(self),
            self.description.clone(),
        ]
    }
}

impl Fields for RoleView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("name", self.name.clone()),
            ("description", self.description.clone()),
            (
                "kind",
                if self.builtin {
                    "from the preset".into()
                } else {
                    "custom".into()
                },
            ),
            (
                "account",
                self.account.clone().unwrap_or_else(|| "-".into()),
            ),
            (
                "members",
                self.members.map_or_else(|| "-".into(), |n| n.to_string()),
            ),
        ];
        if self.blocking {
            fields.push(("capabilities", role_capabilities(self)));
        } else {
            fields.extend(lines("capabilities", self.capabilities.clone()));
        }
        if let Some(courses) = &self.courses {
            fields.extend(lines("courses", courses.clone()));
        }
        fields
    }
}

fn role_capabilities(role: &RoleView) -> String {
    if role.blocking {
        "none (blocks all access)".into()
    } else if role.all_capabilities {
        "all".into()
    } else {
        list_or_dash(&role.capabilities)
    }
}

/// A grant bundle ("area").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct BundleView {
    /// Name.
    pub name: String,
    /// What it covers.
    pub description: String,
    /// Capabilities it grants.
    pub capabilities: Vec<String>,
}

/// A role catalog, shipped or loaded from a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PresetView {
    /// Name.
    pub name: String,
    /// One-line title.
    pub title: String,
    /// What portal it models.
    pub description: String,
    /// The role the account owner gets.
    pub owner_role: String,
    /// The kind of account `init` creates.
    pub account_kind: AccountKind,
    /// Its roles.
    pub roles: Vec<RoleView>,
    /// Its grant bundles.
    pub grant_bundles: Vec<BundleView>,
    /// What may be granted on top of a role: `none`, `areas` or
    /// `capabilities`.
    pub grants: GrantRule,
    /// Invitations need a city and a country, and get a timezone.
    pub require_location: bool,
    /// Its courses.
    pub courses: Vec<CourseView>,
    /// The role an invitation gives when none is named.
    pub default_role: Option<String>,
    /// What the owner becomes on handing ownership over; when set, the
    /// owner role is the owner's alone.
    pub former_owner: Option<FormerOwnerView>,
}

/// The role, and grants on top of it, a former owner is left with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct FormerOwnerView {
    /// The role.
    pub role: String,
    /// Grants on top of it.
    pub grants: Vec<String>,
}

impl Row for PresetView {
    fn headers() -> &'static [&'static str] {
        &["PRESET", "ROLES", "TITLE"]
    }
    fn cells(&self) -> Vec<String> {
        let roles: Vec<String> = self.roles.iter().map(|r| r.name.clone()).collect();
        vec![self.name.clone(), roles.join(", "), self.title.clone()]
    }
}

impl Fields for PresetView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("preset", self.name.clone()),
            ("title", self.title.clone()),
            ("owner role", self.owner_role.clone()),
            ("account kind", self.account_kind.to_string()),
        ];
        if let Some(former) = &self.former_owner {
            let grants = if former.grants.is_empty() {
                String::new()
            } else {
                format!(" with {}", former.grants.join(", "))
            };
            fields.push((
                "former owner",
                format!(
                    "becomes {}{grants}; the owner role is the owner's alone",
                    former.role
                ),
            ));
        }
        if let Some(role) = &self.default_role {
            fields.push(("invitations", format!("role {role} unless --role")));
        }
        if self.require_location {
            fields.push((
                "location",
                "city and country required; timezone given or derived".into(),
            ));
        }
        for role in &self.roles {
            fields.push((
                "role",
                format!("{}: {}", role.name, role_capabilities(role)),
            ));
        }
        fields.push(("grants", grant_rule_text(self.grants).into()));
        for bundle in &self.grant_bundles {
            fields.push((
                "area",
                format!("{}: {}", bundle.name, bundle.capabilities.join(", ")),
            ));
        }
        for course in &self.courses {
            fields.push((
                "course",
                format!("{}: {}", course.name, course_roles(course)),
            ));
        }
        fields
    }
}

/// A course of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CourseView {
    /// Name.
    pub name: String,
    /// What it covers.
    pub description: String,
    /// Given to every role but the blocking one, including custom roles.
    pub all_roles: bool,
    /// The roles it is given to (every non-blocking role when `all_roles`).
    pub roles: Vec<String>,
    /// The capabilities that make up the portal area the course opens.
    pub area_capabilities: Vec<String>,
}

impl Row for CourseView {
    fn headers() -> &'static [&'static str] {
        &["COURSE", "ROLES", "AREA", "DESCRIPTION"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            course_roles(self),
            list_or_dash(&self.area_capabilities),
            self.description.clone(),
        ]
    }
}

fn course_roles(course: &CourseView) -> String {
    if course.all_roles {
        "every role but the blocking one".into()
    } else {
        list_or_dash(&course.roles)
    }
}

/// One enrolment of a member in a course.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct EnrolmentView {
    /// The member.
    pub email: String,
    /// The account of the membership.
    pub account: String,
    /// The course.
    pub course: String,
    /// When it began.
    pub enrolled_at: Timestamp,
    /// When it ended; `None` while current.
    pub ended_at: Option<Timestamp>,
    /// Still enrolled.
    pub current: bool,
    /// The member's progress on the course in percent, whichever
    /// enrolment it was recorded in; `None` when none was recorded.
    pub progress: Option<u8>,
    /// When they completed it, if they have.
    pub completed_at: Option<Timestamp>,
    /// Of the capabilities of the course's portal area, those the member
    /// holds now (`None` when the course opens no area or the enrolment
    /// has ended): Marketing sees
    /// partner details and "my clicks" of Clients and Invoices, never
    /// invoices.
    pub area_access: Option<Vec<String>>,
}

impl Row for EnrolmentView {
    fn headers() -> &'static [&'static str] {
        &[
            "COURSE", "ENROLLED", "ENDED", "PROGRESS", "ACCESS IN THE AREA",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.course.clone(),
            self.enrolled_at.to_string(),
            opt_time(self.ended_at),
            progress_cell(self.progress, self.completed_at),
            match &self.area_access {
                Some(held) if held.is_empty() => "none".into(),
                Some(held) => held.join(", "),
                None => "-".into(),
            },
        ]
    }
}

/// `40%`, `completed 2026-11-25`, or `-` when nothing was recorded.
fn progress_cell(progress: Option<u8>, completed_at: Option<Timestamp>) -> String {
    match (progress, completed_at) {
        (_, Some(at)) => format!("completed {}", at.date()),
        (Some(p), None) => format!("{p}%"),
        (None, None) => "-".into(),
    }
}

/// A member's progress on one course, as `course progress` records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CourseProgressView {
    /// The member.
    pub email: String,
    /// The account of the membership.
    pub account: String,
    /// The course.
    pub course: String,
    /// How far, in percent.
    pub progress: u8,
    /// When they completed it; `None` until then.
    pub completed_at: Option<Timestamp>,
}

impl Fields for CourseProgressView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("email", self.email.clone()),
            ("account", self.account.clone()),
            ("course", self.course.clone()),
            (
                "progress",
                progress_cell(Some(self.progress), self.completed_at),
            ),
        ]
    }
}

/// The outcome of `init`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct InitView {
    /// The preset used.
    pub preset: String,
    /// The first account.
    pub account: AccountView,
    /// Its owner.
    pub owner: MemberView,
    /// False when the database already held exactly this and nothing changed.
    pub created: bool,
    /// Said when the owner's city was ambiguous (see `timezones`); printed
    /// as a warning, not part of the document.
    #[serde(skip)]
    pub timezone_warning: Option<String>,
}

impl Fields for InitView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("preset", self.preset.clone()),
            ("account", self.account.name.clone()),
            ("kind", self.account.kind.to_string()),
            ("currency", self.account.currency.clone()),
            ("owner", self.owner.email.clone()),
            ("owner role", self.owner.role.clone()),
        ];
        // Only when given, so a portal that asks for no location shows none.
        if let Some(tz) = &self.owner.timezone {
            fields.push(("owner timezone", tz.clone()));
        }
        // Said in the result itself, so that a script reading it (not
        // only a person at a terminal) learns the run changed nothing.
        if !self.created {
            fields.push((
                "changed",
                "nothing: already initialised with these settings".to_string(),
            ));
        }
        fields
    }
}

/// What a grant rule allows, in words.
fn grant_rule_text(rule: GrantRule) -> &'static str {
    match rule {
        GrantRule::None => "nothing on top of a role: one role per user",
        GrantRule::Areas => "areas on top of a role",
        GrantRule::Capabilities => "areas and single capabilities on top of a role",
    }
}

/// A capability and what gives it in one preset (`portalctl help
/// capabilities`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CapabilityView {
    /// The preset (catalog) the row is about.
    pub preset: String,
    /// The capability, such as `users.manage`.
    pub capability: String,
    /// The roles that hold it.
    pub roles: Vec<String>,
    /// The areas (grant bundles) that grant it on top of a role.
    pub areas: Vec<String>,
}

impl Row for CapabilityView {
    fn headers() -> &'static [&'static str] {
        &["PRESET", "CAPABILITY", "ROLES", "AREAS"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.preset.clone(),
            self.capability.clone(),
            list_or_dash(&self.roles),
            list_or_dash(&self.areas),
        ]
    }
}
