//! Role catalogs: the shipped presets, catalogs loaded from files, and `init`.

use std::collections::HashSet;

use serde::Deserialize;

use super::courses::{follow_role, in_catalog_order};
use super::timezones::{LocationInput, OWNER_FLAGS};
use super::{
    member_view, Catalog, Portal, DEFAULT_ROLE, FORMER_OWNER_GRANTS, FORMER_OWNER_ROLE, GRANT_RULE,
    OWNER_ROLE, REQUIRE_LOCATION,
};
use crate::error::{Error, Result};
use crate::model::{
    did_you_mean, parse_currency, parse_name, Account, AccountKind, Capability, Course, Email,
    GrantBundle, GrantRule, MemberStatus, Membership, Person, Profile, Role, Text, Timestamp,
    CAPABILITIES,
};
use crate::store::Tx;
use crate::view::{BundleView, CourseView, FormerOwnerView, InitView, PresetView, RoleView};

/// The setting holding a catalog of the user's own (see
/// [`Preset::document`]); a database made from a shipped preset has none.
pub(crate) const CATALOG_DOCUMENT: &str = "catalog-document";

/// The presets shipped in the binary, by name.
const SHIPPED: &[(&str, &str)] = &[
    ("portal", include_str!("../presets/portal.json")),
    ("lmp", include_str!("../presets/lmp.json")),
    ("msp", include_str!("../presets/msp.json")),
    ("moodle", include_str!("../presets/moodle.json")),
    (
        "customer-area",
        include_str!("../presets/customer-area.json"),
    ),
];

/// The names of the shipped presets; the first is the default.
pub(crate) fn preset_names() -> Vec<&'static str> {
    SHIPPED.iter().map(|(name, _)| *name).collect()
}

/// A role catalog in the preset file format. Its texts (title,
/// descriptions, course names) are [`Text`]: a file of the user's own holds
/// nothing a terminal would act on when they are printed, and a refusal
/// names the JSON path.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Preset {
    name: String,
    title: Text,
    #[serde(default)]
    description: Text,
    owner_role: String,
    #[serde(default = "default_kind")]
    account_kind: AccountKind,
    /// Invitations need `--city` and `--country`; the timezone is given or
    /// derived from them.
    #[serde(default)]
    require_location: bool,
    roles: Vec<PresetRole>,
    #[serde(default)]
    grant_bundles: Vec<PresetBundle>,
    /// What may be granted on top of a role; left out, the catalog's areas
    /// if it declares any, else nothing (see [`default_grant_rule`]).
    #[serde(default)]
    grants: Option<GrantRule>,
    #[serde(default)]
    courses: Vec<PresetCourse>,
    /// The role `user invite` gives when `--role` is left out; left out,
    /// every invitation names its role.
    #[serde(default)]
    default_role: Option<String>,
    /// What the owner becomes on handing ownership over. Naming it
    /// reserves the owner role for the owner alone; left out, the owner
    /// role is the catalog's admin role and the former owner keeps it.
    #[serde(default)]
    former_owner: Option<FormerOwner>,
    /// A catalog of the user's own, as canonical JSON text: kept by
    /// `init`, so that `export` can carry it and a copy be made from it.
    /// `None` for a shipped preset, which the binary holds.
    #[serde(skip)]
    document: Option<String>,
}

/// The role, and the grants on top of it, a former owner is left with.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct FormerOwner {
    /// The role.
    pub role: String,
    /// Areas or capabilities on top of it, as the catalog's grant rule
    /// allows.
    #[serde(default)]
    pub grants: Vec<String>,
}

fn default_kind() -> AccountKind {
    AccountKind::Partner
}

/// The grant rule of a catalog that does not state one: declaring areas
/// is opting in to granting them, and a catalog without areas assigns
/// access by role alone. Single capabilities are granted only where a
/// catalog says `"grants": "capabilities"`. Databases made before the rule
/// was stored read the same way.
pub(crate) fn default_grant_rule(has_areas: bool) -> GrantRule {
    if has_areas {
        GrantRule::Areas
    } else {
        GrantRule::None
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetRole {
    name: String,
    #[serde(default)]
    description: Text,
    #[serde(default)]
    capabilities: Vec<String>,
    #[serde(default)]
    all_capabilities: bool,
    #[serde(default)]
    blocking: bool,
    /// As `preset show --json` prints it, so that its output reads back:
    /// every role a catalog declares is its own, so only `true` is taken.
    #[serde(default)]
    builtin: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetBundle {
    name: String,
    #[serde(default)]
    description: Text,
    capabilities: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetCourse {
    name: Text,
    #[serde(default)]
    description: Text,
    /// The roles enrolled; left out, every role but the blocking one
    /// (custom roles made later included).
    #[serde(default)]
    roles: Option<Vec<String>>,
    /// As `preset show --json` prints it: `true` gives the course to every
    /// role but the blocking one (custom roles made later included),
    /// whatever `roles` lists; `false` gives it to the roles listed.
    #[serde(default)]
    all_roles: Option<bool>,
    #[serde(default)]
    area_capabilities: Vec<String>,
}

/// Checks a role or bundle name: lower-case letters, digits and dashes.
pub(crate) fn check_role_name(name: &str) -> std::result::Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!("`{name}` is not a valid name: use 1 to 40 lower-case letters, digits and dashes, starting with a letter"))
    }
}

impl Preset {
    /// A shipped preset by name.
    pub(crate) fn shipped(name: &str) -> Result<Preset> {
        let (_, text) = SHIPPED
            .iter()
            .find(|(n, _)| *n == name.trim())
            .ok_or_else(|| {
                Error::invalid(format!("unknown preset `{}`", name.trim())).help(did_you_mean(
                    name,
                    preset_names(),
                    format!("presets are: {}", preset_names().join(", ")),
                ))
            })?;
        Preset::from_json(text, &format!("preset `{name}`"))
    }

    /// A catalog of the user's own (`init --preset-file`, a fixture's
    /// `catalog`). One that takes a shipped preset's name must be that
    /// preset: a database's preset name says what its roles give, in its
    /// exports and in every copy made from them.
    pub(crate) fn custom(text: &str, source: &str) -> Result<Preset> {
        let mut preset = Preset::from_json(text, source)?;
        // Read as the catalog was (a byte-order mark is no part of it).
        let value: serde_json::Value = super::document::read(text, source, "{\"name\": ...}")?;
        if SHIPPED.iter().any(|(n, _)| *n == preset.name) {
            let name = &preset.name;
            // Compared as `preset show` prints them, which reads back as
            // the same catalog: a copy of `preset show --json` is the
            // preset, though its text differs.
            let shown = |p: &Preset| serde_json::to_value(p.view()).ok();
            if shown(&preset) != shown(&Preset::shipped(name)?) {
                return Err(Error::invalid(format!(
                    "{source}: name: `{name}` is a shipped preset's name, and this catalog differs from it"
                ))
                .help("give your catalog a name of its own in `name`"));
            }
            return Ok(preset);
        }
        preset.document = Some(value.to_string());
        Ok(preset)
    }

    /// The catalog's name: the database's preset once made from it.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The catalog of the user's own this is, as canonical JSON text;
    /// `None` for a shipped preset.
    pub(crate) fn document(&self) -> Option<&str> {
        self.document.as_deref()
    }

    /// Reads and validates a catalog; errors name `source` and the JSON path.
    pub(crate) fn from_json(text: &str, source: &str) -> Result<Preset> {
        let mut preset: Preset = super::document::read(text, source, "{\"name\": ...}")?;
        preset
            .validate()
            .map_err(|(path, msg)| Error::invalid(format!("{source}: {path}: {msg}")))?;
        // `preset show` lists every role of a course given to all of them;
        // `all_roles` says it was not a choice of roles.
        for course in &mut preset.courses {
            if course.all_roles == Some(true) {
                course.roles = None;
            }
        }
        Ok(preset)
    }

    /// The rules a catalog must keep, with the JSON path of the first broken one.
    fn validate(&self) -> std::result::Result<(), (String, String)> {
        check_role_name(&self.name).map_err(|m| ("name".into(), m))?;
        let mut seen = HashSet::new();
        for (i, role) in self.roles.iter().enumerate() {
            let at = |field: &str| format!("roles[{i}]{field}");
            check_role_name(&role.name).map_err(|m| (at(".name"), m))?;
            if !seen.insert(role.name.as_str()) {
                return Err((at(".name"), format!("duplicate role `{}`", role.name)));
            }
            check_capabilities(&role.capabilities)
                .map_err(|(j, m)| (at(&format!(".capabilities[{j}]")), m))?;
            if role.builtin == Some(false) {
                return Err((
                    at(".builtin"),
                    format!("every role of a catalog is its own (`\"builtin\": true`): `{}` cannot be custom; make custom roles with `portalctl role create`", role.name),
                ));
            }
            if role.blocking && (role.all_capabilities || !role.capabilities.is_empty()) {
                return Err((
                    at(""),
                    format!("blocking role `{}` must hold no capability", role.name),
                ));
            }
        }
        match self.roles.iter().filter(|r| r.blocking).count() {
            1 => {}
            0 => {
                return Err((
                    "roles".into(),
                    "the catalog needs one blocking role (`\"blocking\": true`)".into(),
                ))
            }
            _ => {
                return Err((
                    "roles".into(),
                    "the catalog may have only one blocking role".into(),
                ))
            }
        }
        match self.roles.iter().find(|r| r.name == self.owner_role) {
            Some(r) if r.blocking => {
                return Err((
                    "owner_role".into(),
                    format!("the owner role `{}` must not be the blocking role", r.name),
                ))
            }
            Some(_) => {}
            None => {
                return Err((
                    "owner_role".into(),
                    format!("no role named `{}`", self.owner_role),
                ))
            }
        }
        let mut bundles = HashSet::new();
        for (i, bundle) in self.grant_bundles.iter().enumerate() {
            let at = |field: &str| format!("grant_bundles[{i}]{field}");
            check_role_name(&bundle.name).map_err(|m| (at(".name"), m))?;
            if !bundles.insert(bundle.name.as_str()) {
                return Err((
                    at(".name"),
                    format!("duplicate grant bundle `{}`", bundle.name),
                ));
            }
            if CAPABILITIES.contains(&bundle.name.as_str()) {
                return Err((
                    at(".name"),
                    format!("`{}` is a capability name", bundle.name),
                ));
            }
            check_capabilities(&bundle.capabilities)
                .map_err(|(j, m)| (at(&format!(".capabilities[{j}]")), m))?;
        }
        match (self.grant_rule(), self.grant_bundles.is_empty()) {
            (GrantRule::Areas, true) => {
                return Err((
                    "grants".into(),
                    "`areas` needs at least one area in `grant_bundles`".into(),
                ))
            }
            (GrantRule::None, false) => {
                return Err((
                    "grant_bundles".into(),
                    "the catalog grants nothing on top of a role (`\"grants\": \"none\"`), so its areas could never be given".into(),
                ))
            }
            _ => {}
        }
        self.validate_owner_roles()?;
        self.validate_courses()
    }

    /// The default role and the former owner's role are live, unblocked
    /// roles, and a reserved owner role is nobody else's.
    fn validate_owner_roles(&self) -> std::result::Result<(), (String, String)> {
        let reserved = self.former_owner.is_some();
        let check = |path: &str, name: &str| match self.roles.iter().find(|r| r.name == name) {
            None => Err((path.to_string(), format!("no role named `{name}`"))),
            Some(r) if r.blocking => {
                Err((path.to_string(), format!("`{name}` is the blocking role")))
            }
            Some(r) if reserved && r.name == self.owner_role => Err((
                path.to_string(),
                format!("`{name}` is the owner role, which `former_owner` reserves for the owner"),
            )),
            Some(_) => Ok(()),
        };
        if let Some(role) = &self.default_role {
            check("default_role", role)?;
        }
        if let Some(former) = &self.former_owner {
            check("former_owner.role", &former.role)?;
            for (i, grant) in former.grants.iter().enumerate() {
                let at = format!("former_owner.grants[{i}]");
                let known = self.grant_bundles.iter().any(|b| b.name == *grant)
                    || CAPABILITIES.contains(&grant.as_str());
                let allowed = match self.grant_rule() {
                    GrantRule::None => false,
                    GrantRule::Areas => self.grant_bundles.iter().any(|b| b.name == *grant),
                    GrantRule::Capabilities => known,
                };
                if !known {
                    return Err((at, format!("`{grant}` is neither an area nor a capability")));
                }
                if !allowed {
                    return Err((
                        at,
                        format!(
                            "the catalog's grant rule (`{}`) does not let `{grant}` be granted",
                            self.grant_rule().as_str()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// What the catalog lets admins grant on top of a role.
    pub(crate) fn grant_rule(&self) -> GrantRule {
        self.grants
            .unwrap_or_else(|| default_grant_rule(!self.grant_bundles.is_empty()))
    }

    fn validate_courses(&self) -> std::result::Result<(), (String, String)> {
        let mut names = HashSet::new();
        for (i, course) in self.courses.iter().enumerate() {
            let at = |field: &str| format!("courses[{i}]{field}");
            let name = course
                .name
                .required("a course name")
                .map_err(|e| (at(".name"), e.to_string()))?;
            if !names.insert(name.to_lowercase()) {
                return Err((at(".name"), format!("duplicate course `{name}`")));
            }
            if let Some(roles) = &course.roles {
                if roles.is_empty() {
                    return Err((
                        at(".roles"),
                        "list at least one role, or leave `roles` out to enrol every role".into(),
                    ));
                }
                let mut seen = HashSet::new();
                for (j, role) in roles.iter().enumerate() {
                    let at = at(&format!(".roles[{j}]"));
                    match self.roles.iter().find(|r| r.name == *role) {
                        None => return Err((at, format!("no role named `{role}`"))),
                        Some(r) if r.blocking => {
                            return Err((
                                at,
                                format!("the blocking role `{role}` cannot be enrolled in courses"),
                            ))
                        }
                        Some(_) => {}
                    }
                    if !seen.insert(role.as_str()) {
                        return Err((at, format!("role `{role}` is listed twice")));
                    }
                }
            }
            check_capabilities(&course.area_capabilities)
                .map_err(|(j, m)| (at(&format!(".area_capabilities[{j}]")), m))?;
        }
        Ok(())
    }

    /// The catalog's roles as they will be stored.
    fn roles(&self) -> Vec<Role> {
        self.roles
            .iter()
            .map(|r| Role {
                id: 0,
                name: r.name.clone(),
                description: r.description.to_string(),
                all_capabilities: r.all_capabilities,
                blocking: r.blocking,
                builtin: true,
                capabilities: r
                    .capabilities
                    .iter()
                    .filter(|c| *c != "portal.access")
                    .cloned()
                    .collect(),
                deleted_at: None,
                account_id: None,
            })
            .collect()
    }

    /// The roles a course enrols, by name.
    fn course_roles(&self, course: &PresetCourse) -> Vec<String> {
        match &course.roles {
            Some(roles) => roles.clone(),
            None => self
                .roles
                .iter()
                .filter(|r| !r.blocking)
                .map(|r| r.name.clone())
                .collect(),
        }
    }

    fn bundles(&self) -> Vec<GrantBundle> {
        self.grant_bundles
            .iter()
            .map(|b| GrantBundle {
                name: b.name.clone(),
                description: b.description.to_string(),
                capabilities: b.capabilities.clone(),
            })
            .collect()
    }

    /// The printable form.
    pub(crate) fn view(&self) -> PresetView {
        PresetView {
            name: self.name.clone(),
            title: self.title.to_string(),
            description: self.description.to_string(),
            owner_role: self.owner_role.clone(),
            account_kind: self.account_kind,
            roles: self.roles().iter().map(|r| role_view(r, None)).collect(),
            grant_bundles: self.bundles().iter().map(bundle_view).collect(),
            grants: self.grant_rule(),
            require_location: self.require_location,
            default_role: self.default_role.clone(),
            former_owner: self.former_owner.as_ref().map(|f| FormerOwnerView {
                role: f.role.clone(),
                grants: f.grants.clone(),
            }),
            courses: self
                .courses
                .iter()
                .map(|c| CourseView {
                    name: c.name.to_string(),
                    description: c.description.to_string(),
                    all_roles: c.roles.is_none(),
                    roles: self.course_roles(c),
                    area_capabilities: in_catalog_order(&c.area_capabilities),
                })
                .collect(),
        }
    }

    /// Stores the courses; the roles must be stored already.
    fn insert_courses(&self, tx: &dyn Tx, at: Timestamp) -> Result<()> {
        let roles = tx.roles()?;
        for course in &self.courses {
            let role_ids = match &course.roles {
                Some(names) => names
                    .iter()
                    .map(|name| {
                        roles
                            .iter()
                            .find(|r| r.name == *name)
                            .map(|r| r.id)
                            .ok_or_else(|| {
                                Error::Internal(anyhow::anyhow!(
                                    "course role `{name}` was not stored"
                                ))
                            })
                    })
                    .collect::<Result<Vec<i64>>>()?,
                None => Vec::new(),
            };
            tx.insert_course(
                &Course {
                    id: 0,
                    name: course.name.to_string(),
                    description: course.description.to_string(),
                    all_roles: course.roles.is_none(),
                    role_ids,
                    area_capabilities: course.area_capabilities.clone(),
                },
                at,
            )?;
        }
        Ok(())
    }
}

fn check_capabilities(caps: &[String]) -> std::result::Result<(), (usize, String)> {
    let mut seen = HashSet::new();
    for (j, cap) in caps.iter().enumerate() {
        cap.parse::<Capability>().map_err(|e| (j, e.to_string()))?;
        if !seen.insert(cap) {
            return Err((j, format!("capability `{cap}` is listed twice")));
        }
    }
    Ok(())
}

/// The printable form of a role.
pub(crate) fn role_view(role: &Role, members: Option<usize>) -> RoleView {
    RoleView {
        name: role.name.clone(),
        description: role.description.clone(),
        capabilities: role.capability_names(),
        all_capabilities: role.all_capabilities,
        blocking: role.blocking,
        builtin: role.builtin,
        account: None,
        members,
        courses: None,
    }
}

/// The printable form of a grant bundle.
pub(crate) fn bundle_view(bundle: &GrantBundle) -> BundleView {
    BundleView {
        name: bundle.name.clone(),
        description: bundle.description.clone(),
        capabilities: bundle.capabilities.clone(),
    }
}

/// The name `init` gives the first account's owner.
#[derive(Debug, Clone)]
pub(crate) enum OwnerName {
    /// This one.
    Given(String),
    /// The email's local part: `init` without `--owner-name`.
    FromEmail,
    /// None, as someone invited by email alone has none until they give
    /// it: a fixture's owner listed without a name, so that `export |
    /// apply` keeps them nameless.
    Nameless,
}

/// What `init` is asked to create.
#[derive(Debug, Clone)]
pub(crate) struct InitRequest {
    /// The role catalog.
    pub preset: Preset,
    /// The first account's name.
    pub account: String,
    /// Its kind; the preset's default when `None`.
    pub kind: Option<AccountKind>,
    /// Its currency; GBP when `None`.
    pub currency: Option<String>,
    /// The owner's email.
    pub owner_email: Email,
    /// The owner's name.
    pub owner_name: OwnerName,
    /// The owner's city, country and timezone; catalogs that
    /// `require_location` need the city and country.
    pub owner_location: LocationInput,
}

impl Portal {
    /// Sets up a new database: the catalog, the first account and its owner.
    /// Running it again with the same settings changes nothing and
    /// succeeds, so seeding scripts can repeat it; with other settings it
    /// is a conflict naming each difference.
    pub(crate) fn init(&mut self, req: InitRequest) -> Result<InitView> {
        super::access::ensure_operator(&self.ctx, "run `init`")?;
        self.write(|w| {
            let tx = w.tx;
            let account_name = parse_name("the account name", &req.account)?;
            let currency = parse_currency(req.currency.as_deref().unwrap_or("GBP"))?;
            let owner_name = match &req.owner_name {
                OwnerName::Given(n) => parse_name("the owner's name", n)?,
                OwnerName::FromEmail => req
                    .owner_email
                    .as_str()
                    .split('@')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                OwnerName::Nameless => String::new(),
            };
            // The owner is a member like any other: a catalog that needs
            // every user's city and country needs the owner's too.
            let location = req
                .owner_location
                .locate(req.preset.require_location, OWNER_FLAGS)?;
            if let Some(existing) = tx.setting("preset")? {
                return already_initialised(tx, &w.ctx, &existing, &req, &account_name, &currency);
            }
            let preset = &req.preset;
            for role in preset.roles() {
                tx.insert_role(&role, w.ctx.now)?;
            }
            for bundle in preset.bundles() {
                tx.insert_bundle(&bundle)?;
            }
            preset.insert_courses(tx, w.ctx.now)?;
            tx.put_setting("preset", &preset.name)?;
            if let Some(document) = preset.document() {
                tx.put_setting(CATALOG_DOCUMENT, document)?;
            }
            tx.put_setting(OWNER_ROLE, &preset.owner_role)?;
            tx.put_setting(GRANT_RULE, preset.grant_rule().as_str())?;
            if let Some(role) = &preset.default_role {
                tx.put_setting(DEFAULT_ROLE, role)?;
            }
            if let Some(former) = &preset.former_owner {
                tx.put_setting(FORMER_OWNER_ROLE, &former.role)?;
                tx.put_setting(FORMER_OWNER_GRANTS, &former.grants.join(","))?;
            }
            if preset.require_location {
                tx.put_setting(REQUIRE_LOCATION, "true")?;
            }
            let catalog = w.catalog()?;
            let owner_role = catalog.role_named(&preset.owner_role)?.id;
            let person = Person {
                id: 0,
                email: req.owner_email.clone(),
                name: owner_name,
                duplicate_of: None,
                merged_into: None,
                created_at: w.ctx.now,
            };
            let person_id = tx.insert_person(&person)?;
            let mut account = Account {
                id: 0,
                name: account_name,
                kind: req.kind.unwrap_or(preset.account_kind),
                parent_id: None,
                currency,
                owner_id: Some(person_id),
                profile: Profile::default(),
                created_at: w.ctx.now,
            };
            account.id = tx.insert_account(&account)?;
            let membership = Membership {
                id: 0,
                person_id,
                account_id: account.id,
                role_id: owner_role,
                previous_role_id: None,
                status: MemberStatus::Active,
                city: location.city,
                country: location.country,
                timezone: location.timezone,
                external_from: None,
                role_until: None,
                role_after: None,
                external_until: None,
                invited_at: None,
                accepted_at: Some(w.ctx.now),
                created_at: w.ctx.now,
                updated_at: w.ctx.now,
                invited_name: None,
                invited_email: None,
            };
            let membership = tx.membership(tx.insert_membership(&membership)?)?;
            follow_role(tx, catalog, &membership, w.ctx.now)?;
            let view = InitView {
                preset: preset.name.clone(),
                account: super::accounts::account_view(tx, &account)?,
                owner: member_view(tx, &w.ctx, catalog, &membership)?,
                created: true,
                timezone_warning: location.warning,
            };
            w.changed("init", &account, req.owner_email.to_string(), None, &view)?;
            Ok(view)
        })
    }
}

/// `init` on a database that has a catalog: fine if it asks for what is
/// there, changing nothing; a conflict (exit 4) naming each setting that
/// differs otherwise: the preset, the first account and its kind and
/// currency, the owner's email, and the owner's name, city, country and
/// timezone when given.
fn already_initialised(
    tx: &dyn Tx,
    ctx: &super::Ctx,
    existing: &str,
    req: &InitRequest,
    account_name: &str,
    currency: &str,
) -> Result<InitView> {
    // Each difference as what the database has and what this `init`
    // asked for, said in that order so neither reads as the other.
    let refuse = |differences: Vec<(String, String)>| {
        let (has, asked): (Vec<String>, Vec<String>) = differences.into_iter().unzip();
        Error::conflict(format!(
            "this database is already initialised with other settings: it has {}; this asked for {}",
            has.join(", "),
            asked.join(", ")
        ))
        .help(
            "run `init` with the settings it has, or use `portalctl account create` for more \
             accounts, or a new --db for a fresh portal",
        )
    };
    // Every setting that differs is named at once, not one per run.
    let mut differences = Vec::new();
    if existing != req.preset.name {
        differences.push(setting("preset", existing, &req.preset.name));
    } else if tx.setting(CATALOG_DOCUMENT)?.as_deref() != req.preset.document() {
        differences.push((
            format!("catalog `{existing}` as it was made"),
            "another catalog of that name".into(),
        ));
    }
    // The first account is the oldest one; `init` made it.
    let first = tx
        .accounts()?
        .into_iter()
        .min_by_key(|a| a.id)
        .ok_or_else(|| {
            refuse(vec![(
                "no account".into(),
                format!("account `{account_name}`"),
            )])
        })?;
    let owner = first.owner_id.map(|id| tx.person(id)).transpose()?;
    if !crate::model::same_name(&first.name, account_name) {
        differences.push(setting("account", &first.name, account_name));
    }
    // Another preset's kind of account is no difference of its own
    // unless it was asked for.
    let kind = req.kind.unwrap_or(req.preset.account_kind);
    if first.kind != kind && (req.kind.is_some() || existing == req.preset.name) {
        differences.push(setting("kind", first.kind, kind));
    }
    if first.currency != currency {
        differences.push(setting("currency", &first.currency, currency));
    }
    match &owner {
        Some(o) if o.email == req.owner_email => {
            if let OwnerName::Given(name) = &req.owner_name {
                if name.trim() != o.name {
                    differences.push(setting("owner name", &o.name, name.trim()));
                }
            }
            let (_, m) = super::member_in(tx, ctx, &req.owner_email, &first)?;
            let asked = &req.owner_location;
            let given = [
                (
                    "city",
                    asked.city.as_ref().map(|c| c.as_str().to_string()),
                    &m.city,
                ),
                ("country", asked.country.clone(), &m.country),
                ("timezone", asked.timezone.clone(), &m.timezone),
            ];
            for (what, asked, held) in given {
                let Some(asked) = asked.map(|a| a.trim().to_string()) else {
                    continue;
                };
                if held.as_deref().map(str::to_lowercase) != Some(asked.to_lowercase()) {
                    let what = format!("owner {what}");
                    differences.push(match held {
                        Some(held) => setting(&what, held, &asked),
                        None => (format!("no {what}"), format!("{what} `{asked}`")),
                    });
                }
            }
        }
        Some(o) => differences.push(setting("owner", &o.email, &req.owner_email)),
        None => differences.push(("no owner".into(), format!("owner `{}`", req.owner_email))),
    }
    if !differences.is_empty() {
        return Err(refuse(differences));
    }
    let (_, membership) = super::member_in(tx, ctx, &req.owner_email, &first)?;
    let catalog = Catalog::load(tx)?;
    Ok(InitView {
        preset: existing.to_string(),
        account: super::accounts::account_view(tx, &first)?,
        owner: member_view(tx, ctx, &catalog, &membership)?,
        created: false,
        timezone_warning: None,
    })
}

/// A setting `init` compares, as the database has it and as asked:
/// (`preset `portal``, `preset `lmp``).
fn setting(
    what: &str,
    has: impl std::fmt::Display,
    asked: impl std::fmt::Display,
) -> (String, String) {
    (format!("{what} `{has}`"), format!("{what} `{asked}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `init` again names where the owner is as a setting: the same place
    /// (in any case) changes nothing, another is a conflict naming it.
    #[test]
    fn init_again_compares_where_the_owner_is() {
        use crate::domain::testing::{email, london, seeded};
        let mut p = seeded("portal");
        let again = |location: LocationInput| InitRequest {
            preset: Preset::shipped("portal").expect("portal"),
            account: "Acme".into(),
            kind: None,
            currency: None,
            owner_email: email("owner@acme.test"),
            owner_name: OwnerName::FromEmail,
            owner_location: location,
        };
        let same = LocationInput {
            city: Some("london".parse().expect("city")),
            country: Some("gb".into()),
            timezone: None,
        };
        assert!(!p.init(again(same)).expect("the same").created);
        let view = p.init(again(london())).expect("the same");
        assert!(!view.created);
        // Its result says so, for whoever reads it, terminal or not.
        use crate::output::Fields;
        assert!(
            view.fields().contains(&(
                "changed",
                "nothing: already initialised with these settings".to_string()
            )),
            "{:?}",
            view.fields()
        );
        let paris = LocationInput {
            city: Some("Paris".parse().expect("city")),
            country: Some("FR".into()),
            timezone: None,
        };
        let err = p.init(again(paris)).expect_err("another place");
        assert_eq!(err.exit_code(), 4);
        assert!(
            err.to_string()
                .contains("it has owner city `London`, owner country `GB`; this asked for owner city `Paris`, owner country `FR`"),
            "{err}"
        );
    }

    #[test]
    fn every_shipped_preset_is_valid() {
        for name in preset_names() {
            let preset = Preset::shipped(name).expect(name);
            assert_eq!(preset.name, name);
        }
    }

    #[test]
    fn malformed_catalogs_are_refused_with_their_json_path() {
        let cases = [
            (
                r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a","capabilities":["users.fly"]},{"name":"b","blocking":true}]}"#,
                "roles[0].capabilities[0]",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a"},{"name":"a","blocking":true}]}"#,
                "roles[1].name",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a"}]}"#,
                "roles: the catalog needs one blocking role",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a","colour":"red"}]}"#,
                "roles[0].colour",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"z","roles":[{"name":"a"},{"name":"b","blocking":true}]}"#,
                "owner_role",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","default_role":"z","roles":[{"name":"a"},{"name":"b","blocking":true}]}"#,
                "default_role: no role named `z`",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","default_role":"b","roles":[{"name":"a"},{"name":"b","blocking":true}]}"#,
                "default_role: `b` is the blocking role",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","default_role":"a","former_owner":{"role":"c"},"roles":[{"name":"a"},{"name":"b","blocking":true},{"name":"c"}]}"#,
                "default_role: `a` is the owner role, which `former_owner` reserves",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","former_owner":{"role":"a"},"roles":[{"name":"a"},{"name":"b","blocking":true}]}"#,
                "former_owner.role: `a` is the owner role",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","former_owner":{"role":"c","grants":["users.manage"]},"roles":[{"name":"a"},{"name":"b","blocking":true},{"name":"c"}]}"#,
                "former_owner.grants[0]: the catalog's grant rule (`none`) does not let `users.manage` be granted",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","grants":"capabilities","former_owner":{"role":"c","grants":["users.fly"]},"roles":[{"name":"a"},{"name":"b","blocking":true},{"name":"c"}]}"#,
                "former_owner.grants[0]: `users.fly` is neither an area nor a capability",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","former_owner":{"role":"c","colour":"red"},"roles":[{"name":"a"},{"name":"b","blocking":true},{"name":"c"}]}"#,
                "former_owner.colour",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a"},{"name":"b","blocking":true}],"courses":[{"name":"C"},{"name":" c "}]}"#,
                "courses[1].name: duplicate course",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a"},{"name":"b","blocking":true}],"courses":[{"name":"C","roles":["a","z"]}]}"#,
                "courses[0].roles[1]: no role named `z`",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a"},{"name":"b","blocking":true}],"courses":[{"name":"C","roles":["b"]}]}"#,
                "courses[0].roles[0]: the blocking role",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a"},{"name":"b","blocking":true}],"courses":[{"name":"C","roles":[]}]}"#,
                "courses[0].roles: list at least one role",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a"},{"name":"b","blocking":true}],"courses":[{"name":"C","area_capabilities":["clicks.count"]}]}"#,
                "courses[0].area_capabilities[0]",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","require_location":"yes","roles":[{"name":"a"},{"name":"b","blocking":true}]}"#,
                "require_location",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a","description":"ok\u001b[2J"},{"name":"b","blocking":true}]}"#,
                "roles[0].description: the text `ok\\u{1b}[2J` contains a control character (U+001B)",
            ),
            (
                r#"{"name":"x","title":"t\u202e","owner_role":"a","roles":[{"name":"a"},{"name":"b","blocking":true}]}"#,
                "title: the text `t\\u{202e}` contains a bidirectional formatting character",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a"},{"name":"b","blocking":true}],"grant_bundles":[{"name":"c","description":"\u2066x","capabilities":[]}]}"#,
                "grant_bundles[0].description",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a"},{"name":"b","blocking":true}],"courses":[{"name":"C\nD"}]}"#,
                "courses[0].name",
            ),
            (
                r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a"},{"name":"b","blocking":true}],"courses":[{"name":"C","description":"a\u0085b"}]}"#,
                "courses[0].description",
            ),
        ];
        for (json, path) in cases {
            let err = Preset::from_json(json, "f.json")
                .expect_err(path)
                .to_string();
            assert!(err.contains(path), "{err} should name {path}");
        }
    }
    #[test]
    fn a_catalog_of_ones_own_is_kept_whole_and_may_not_pass_for_a_shipped_one() {
        let own = r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a"},{"name":"b","blocking":true}]}"#;
        let preset = Preset::custom(own, "f.json").expect("own");
        let kept: serde_json::Value =
            serde_json::from_str(preset.document().expect("kept")).expect("json");
        assert_eq!(
            kept,
            serde_json::from_str::<serde_json::Value>(own).expect("json")
        );
        // A shipped preset, copied as is or as `preset show` prints it,
        // is that preset: nothing of its own to keep.
        let (_, portal) = SHIPPED[0];
        assert_eq!(
            Preset::custom(portal, "f.json").expect("copy").document(),
            None
        );
        let shown = serde_json::to_string(&Preset::shipped("portal").expect("portal").view())
            .expect("json");
        assert_eq!(
            Preset::custom(&shown, "f.json").expect("shown").document(),
            None
        );
        // Changed, it needs a name of its own.
        let changed = portal.replacen("\"reports.schedule\"", "\"users.view\"", 1);
        assert_ne!(changed, portal);
        let err = Preset::custom(&changed, "f.json").expect_err("changed");
        assert_eq!(err.exit_code(), 2, "{err}");
        assert!(
            err.to_string()
                .contains("`portal` is a shipped preset's name"),
            "{err}"
        );
    }

    #[test]
    fn a_catalog_is_one_object_with_each_key_once() {
        let good = r#"{"name":"x","title":"t","owner_role":"a","roles":[{"name":"a"},{"name":"b","blocking":true}]}"#;
        assert!(Preset::from_json(good, "f.json").is_ok());
        let cases = [
            (
                good.replace(
                    r#""owner_role":"a""#,
                    r#""owner_role":"a","owner_role":"b""#,
                ),
                "f.json: duplicate key `owner_role`",
            ),
            (
                good.replace(r#"{"name":"b""#, r#"{"name":"b","blocking":false"#),
                "f.json: roles[1]: duplicate key `blocking`",
            ),
            (format!("{good} {{}}"), "f.json: after the document"),
            (
                format!("[{good}]"),
                "f.json: the file must hold one JSON object",
            ),
        ];
        for (json, why) in cases {
            let err = Preset::from_json(&json, "f.json")
                .expect_err(why)
                .to_string();
            assert!(err.starts_with(why), "{err} should start with {why}");
        }
    }
}
