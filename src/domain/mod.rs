//! The portal's rules: every permission check and every invariant.
//!
//! A [`Portal`] wraps a store and a [`Ctx`] (the clock and the actor). Each
//! public method is one command: it opens one transaction, checks, changes,
//! records exactly one audit event when something changed, and commits.

mod access;
mod accounts;
mod addresses;
#[cfg(test)]
mod attacks;
mod audit;
mod catalog;
mod cost_centres;
mod courses;
mod deciders;
mod decisions;
mod delegations;
mod document;
mod duplicates;
mod external_admins;
mod fixtures;
mod gate;
mod held_names;
mod history;
mod invitations;
#[cfg(test)]
mod invited_elsewhere;
mod licenses;
mod log_sight;
mod members;
mod names;
mod one_object;
mod order_list;
mod order_names;
mod order_placing;
mod order_sight;
mod orders;
mod outbox;
mod partner_config;
mod payments;
mod people;
mod policies;
mod prices;
#[cfg(test)]
mod query_plans;
mod review;
mod roles;
mod services;
mod settings;
mod status;
mod timeline;
mod timezones;
mod visibility;

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use elsa::FrozenMap;

use crate::error::{Error, Result};
use crate::model::{
    did_you_mean, Account, Capability, Course, Email, Grant, GrantBundle, GrantRule,
    InvitationState, ListedMember, MemberStanding, MemberStatus, Membership, Person, Role,
    Timestamp,
};
pub(crate) use crate::store::NewFile;
use crate::store::{CatalogStamp, SqliteStore, Store, Tx, DEFAULT_BUSY_TIMEOUT};
use crate::view::{InvitedAs, MemberView};

pub(crate) use accounts::{NewAccount, ProfileChange};
pub(crate) use addresses::NewAddress;
pub(crate) use audit::AuditFilter;
pub(crate) use catalog::{preset_names, InitRequest, OwnerName, Preset};
pub(crate) use courses::ProgressInput;
pub(crate) use delegations::DelegateRequest;
pub(crate) use duplicates::OwnershipTransfer;
pub(crate) use fixtures::{fixture_schema, parse_fixture, ApplyOptions};
pub(crate) use invitations::InviteRequest;
pub(crate) use licenses::{Allocate, Move, Purchase};
pub(crate) use members::{Handover, MemberFilter};
pub(crate) use names::{capability_catalog, names, NameKind};
pub(crate) use order_list::OrderFilter;
pub(crate) use order_names::OrderName;
pub(crate) use order_placing::NewOrder;
pub(crate) use people::PersonEdit;
pub(crate) use policies::{NewPolicy, PolicyEdit};
pub(crate) use status::{damaged_status, verdict};
pub(crate) use timezones::{check_country, LocationInput};
pub(crate) use visibility::{
    find_account, find_customer_reached, find_person, knows_account, member_in, not_a_member,
    resolve_account, sees_person, shown_email,
};

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Actor {
    /// The operator who owns the database file: may do anything an owner may.
    Operator(String),
    /// A member, held to the portal's rules (`--as EMAIL`).
    Member(Email),
}

impl Actor {
    /// How the audit log names the actor.
    pub(crate) fn audit_name(&self) -> String {
        match self {
            Actor::Operator(user) => format!("operator:{user}"),
            Actor::Member(email) => email.to_string(),
        }
    }
}

/// What every command runs with: the clock and the actor.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    /// "Now" for this whole process (fixed by `PORTALCTL_NOW` in tests).
    pub now: Timestamp,
    /// Who is acting.
    pub actor: Actor,
    /// Who owned the accounts whose ownership the batch running has
    /// moved (see [`Portal::batch`]).
    pub owners_before: gate::OwnersBefore,
    /// While an apply runs, its file's accounts by name, with their
    /// index: a refusal then points to the file's fields
    /// (`accounts[1].owner`), not to a command to run.
    pub in_file: Option<std::rc::Rc<BTreeMap<String, usize>>>,
}

impl Ctx {
    /// A command's context, outside any batch.
    pub(crate) fn new(now: Timestamp, actor: Actor) -> Ctx {
        Ctx {
            now,
            actor,
            owners_before: gate::OwnersBefore::default(),
            in_file: None,
        }
    }
}

/// The portal: a store plus the context commands run in.
pub(crate) struct Portal {
    gate: gate::Gate,
    ctx: Ctx,
    /// What committed writes left for the user to hear; see
    /// [`Portal::take_warnings`].
    warnings: Vec<String>,
    /// What committed writes did that the user may like to know; see
    /// [`Portal::take_notes`].
    notes: Vec<String>,
    /// The objects whose audit events are being gathered into one, while
    /// [`Portal::one_object`] runs: its scopes as they nest, innermost
    /// last.
    held: Vec<one_object::Held>,
}

impl Portal {
    /// The portal in the database file at `path`, which must exist.
    /// Writers wait up to `busy_timeout` (default 5 s) for another
    /// process's lock.
    pub(crate) fn open(path: &Path, busy_timeout: Option<Duration>, ctx: Ctx) -> Result<Portal> {
        let store = SqliteStore::open(path, busy_timeout.unwrap_or(DEFAULT_BUSY_TIMEOUT))?;
        let mut portal = Portal::new(Box::new(store), ctx);
        portal.ensure_actor_known()?;
        Ok(portal)
    }

    /// Refuses an `--as` that names nobody, the same way (exit 3) for every
    /// command, before any rule is asked. A duplicate merged away names
    /// nobody either: saying whom it was merged into would tell a stranger
    /// another member's email.
    fn ensure_actor_known(&mut self) -> Result<()> {
        let Actor::Member(email) = &self.ctx.actor else {
            return Ok(());
        };
        let person = self
            .gate
            .read(self.ctx.now)?
            .person_by_email(email.as_str())?;
        if person.is_some_and(|p| p.merged_into.is_none()) {
            return Ok(());
        }
        Err(Error::not_found(format!("no member `{email}` (--as)"))
            .help("check the email, or leave --as out to act as the operator"))
    }

    /// Runs `init` on the portal at `path`, creating the file when there is
    /// none; a file created here is removed again if `init` fails, or
    /// whatever it returns with [`NewFile::Discard`] (`apply --dry-run`).
    pub(crate) fn create<T>(
        path: &Path,
        busy_timeout: Option<Duration>,
        ctx: Ctx,
        new_file: NewFile,
        init: impl FnOnce(&mut Portal) -> Result<T>,
    ) -> Result<T> {
        let timeout = busy_timeout.unwrap_or(DEFAULT_BUSY_TIMEOUT);
        SqliteStore::create(path, timeout, new_file, |store| {
            init(&mut Portal::new(Box::new(store), ctx))
        })
    }

    /// A portal over `store`, acting in `ctx`.
    pub(crate) fn new(mut store: Box<dyn Store>, ctx: Ctx) -> Portal {
        // Time-bound access is read as it stands now, by every read.
        store.set_moment(ctx.now);
        Portal {
            gate: gate::Gate::new(store),
            ctx,
            warnings: Vec::new(),
            notes: Vec::new(),
            held: Vec::new(),
        }
    }
}

/// The first `limit` items of a list, or all of them (`--limit`), for lists
/// the domain filters after reading, where SQL cannot apply the limit.
pub(crate) fn first<T>(mut items: Vec<T>, limit: Option<u32>) -> Vec<T> {
    if let Some(limit) = limit {
        items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    items
}

/// The default database: `portal.db` in the platform data directory.
pub(crate) fn default_db_path() -> Result<PathBuf> {
    crate::store::default_path()
}

/// The setting that makes invitations need a city and a country.
pub(crate) const REQUIRE_LOCATION: &str = "require_location";

/// The setting that holds the catalog's [`GrantRule`]: what may be granted
/// on top of a role.
pub(crate) const GRANT_RULE: &str = "grants";

/// The setting that names the role `user invite` gives by default.
pub(crate) const DEFAULT_ROLE: &str = "default_role";

/// The settings that say what a former owner becomes; set, the owner role
/// is the owner's alone.
pub(crate) const FORMER_OWNER_ROLE: &str = "former_owner_role";
pub(crate) const FORMER_OWNER_GRANTS: &str = "former_owner_grants";

/// The setting that names the role the owner holds.
pub(crate) const OWNER_ROLE: &str = "owner_role";

/// The roles, grant bundles and courses of a database, loaded once per
/// command.
///
/// It reads the catalog's own roles at once, and an account's custom roles
/// only when a command first asks for them: a database of thousands of
/// accounts holds thousands of custom roles, and a command about one
/// member must not read them all. What it has read it keeps, so a `&Role`
/// it gave stays good while it reads more.
pub(crate) struct Catalog {
    /// The roles read so far by id, deleted ones included: old
    /// memberships and audit snapshots may name them.
    roles: FrozenMap<i64, Box<Role>>,
    /// The ids of the catalog's own roles (made for no account), deleted
    /// ones too, oldest first.
    own: Vec<i64>,
    /// The ids of each account's custom roles read so far, deleted ones
    /// too, oldest first.
    custom: FrozenMap<i64, Vec<i64>>,
    /// The ids of every account's custom roles, once a command needed them
    /// all (what the operator lists, a name no account is given for).
    every: OnceCell<Vec<i64>>,
    bundles: Vec<GrantBundle>,
    courses: Vec<Course>,
    /// Invitations need a city and a country (the `moodle` preset).
    pub(crate) require_location: bool,
    /// What may be granted on top of a role.
    pub(crate) grants: GrantRule,
    /// The catalog's name, for refusals that quote its rules.
    preset: String,
    /// The role the owner holds.
    owner_role: Option<String>,
    /// The role `user invite` gives when none is named.
    default_role: Option<String>,
    /// What a former owner becomes; set, the owner role is the owner's
    /// alone.
    former_owner: Option<catalog::FormerOwner>,
    /// The texts an older version stored holding a backquote, which
    /// messages write out: read with the catalog, which every command
    /// reads, rather than by a lookup of their own.
    backquoted: Vec<String>,
}

/// Which accounts' custom roles a lookup reaches, beside the catalog's own
/// roles, which serve every account.
#[derive(Clone, Copy)]
pub(crate) enum Reach<'a> {
    /// These accounts' (a member's, an account's).
    Accounts(&'a [i64]),
    /// Every account's: what the operator looks up.
    Every,
}

thread_local! {
    /// The catalog read last on this thread, and the stamp it holds for.
    static LOADED: RefCell<Option<(CatalogStamp, Rc<Catalog>)>> = const { RefCell::new(None) };
}

impl Catalog {
    /// The catalog `tx` reads. Read once and kept while the store's stamp
    /// says it is unchanged: every write of an apply, one per account,
    /// reads it. The custom roles it reads later through another
    /// transaction under the same stamp are the same rows.
    pub(crate) fn load(tx: &dyn Tx) -> Result<Rc<Catalog>> {
        let Some(stamp) = tx.catalog_stamp()? else {
            return Ok(Rc::new(Catalog::read(tx)?));
        };
        let kept = LOADED.with_borrow(|loaded| {
            loaded
                .as_ref()
                .filter(|(at, _)| *at == stamp)
                .map(|(_, catalog)| Rc::clone(catalog))
        });
        if let Some(catalog) = kept {
            return Ok(catalog);
        }
        let catalog = Rc::new(Catalog::read(tx)?);
        LOADED.set(Some((stamp, Rc::clone(&catalog))));
        Ok(catalog)
    }

    /// The texts holding a backquote in the database whose catalog this
    /// thread read last (see `output::write_out`); none before any was
    /// read.
    pub(crate) fn backquoted_read() -> Vec<String> {
        LOADED.with_borrow(|loaded| {
            loaded
                .as_ref()
                .map(|(_, catalog)| catalog.backquoted.clone())
                .unwrap_or_default()
        })
    }

    /// Forgets the catalog kept on this thread, so that the next command
    /// reads it as a fresh process does.
    #[cfg(test)]
    pub(crate) fn forget() {
        LOADED.set(None);
    }

    fn read(tx: &dyn Tx) -> Result<Catalog> {
        let Some(preset) = tx.setting("preset")? else {
            return Err(Error::not_found("this database has not been initialised")
                .help("run `portalctl init --account NAME --owner-email EMAIL` first"));
        };
        let roles = FrozenMap::new();
        let mut own = Vec::new();
        // In the order of their ids, as the store gives them.
        for role in tx.roles_made_for(None)? {
            own.push(role.id);
            roles.insert(role.id, Box::new(role));
        }
        let bundles = tx.bundles()?;
        // A database made before the rule was stored reads as a catalog
        // file without `grants` does.
        let grants = match tx.setting(GRANT_RULE)? {
            Some(rule) => rule.parse().map_err(|e| {
                Error::Internal(anyhow::anyhow!("the stored grant rule is unreadable: {e}"))
            })?,
            None => catalog::default_grant_rule(!bundles.is_empty()),
        };
        Ok(Catalog {
            roles,
            own,
            custom: FrozenMap::new(),
            every: OnceCell::new(),
            bundles,
            courses: tx.courses()?,
            require_location: tx.setting(REQUIRE_LOCATION)?.as_deref() == Some("true"),
            grants,
            preset,
            owner_role: tx.setting(OWNER_ROLE)?,
            default_role: tx.setting(DEFAULT_ROLE)?,
            backquoted: tx.backquoted_texts()?,
            former_owner: match tx.setting(FORMER_OWNER_ROLE)? {
                Some(role) => Some(catalog::FormerOwner {
                    role,
                    grants: tx
                        .setting(FORMER_OWNER_GRANTS)?
                        .unwrap_or_default()
                        .split(',')
                        .filter(|g| !g.is_empty())
                        .map(str::to_string)
                        .collect(),
                }),
                None => None,
            },
        })
    }

    /// The role `user invite` gives when `--role` is left out.
    pub(crate) fn default_role(&self) -> Result<&Role> {
        match &self.default_role {
            Some(name) => self.role_named(name),
            None => Err(Error::invalid(format!(
                "the `{}` catalog gives no role by default: name one",
                self.preset
            ))
            // Not about one account: the catalog's own roles, no
            // account's custom ones.
            .help(format!(
                "pass --role; roles are: {}",
                self.catalog_role_names().join(", ")
            ))),
        }
    }

    /// The role a member comes back with when the one they held before
    /// leaving has since been retired: the catalog's default, else its
    /// least access (never more than they could have been invited with by
    /// pressing Enter).
    pub(crate) fn least_role(&self) -> Result<&Role> {
        if let Ok(role) = self.default_role() {
            return Ok(role);
        }
        self.catalog_roles()
            .filter(|r| !r.blocking)
            .min_by_key(|r| (r.all_capabilities, r.capabilities.len()))
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("the catalog has no role with access")))
    }

    /// What a former owner is left with, when the catalog says.
    pub(crate) fn former_owner(&self) -> Option<&catalog::FormerOwner> {
        self.former_owner.as_ref()
    }

    /// The owner role when the catalog reserves it for the owner alone.
    pub(crate) fn reserved_owner_role(&self) -> Option<&str> {
        self.former_owner.as_ref().and(self.owner_role.as_deref())
    }

    /// The role the owner holds.
    pub(crate) fn owner_role(&self) -> Result<&Role> {
        let name = self
            .owner_role
            .as_deref()
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("the database names no owner role")))?;
        self.role_named(name)
    }

    /// The catalog's own roles on offer, by name: none made for an account.
    fn catalog_role_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.catalog_roles().map(|r| r.name.as_str()).collect();
        names.sort_unstable();
        names
    }

    /// The catalog's own roles on offer (not deleted), oldest first: those
    /// made for no account, which serve every account.
    pub(crate) fn catalog_roles(&self) -> impl Iterator<Item = &Role> {
        self.own
            .iter()
            .filter_map(|id| self.roles.get(id))
            .filter(|r| r.deleted_at.is_none())
    }

    /// The role with this id, deleted or not, whichever account it was
    /// made for.
    pub(crate) fn role(&self, tx: &dyn Tx, id: i64) -> Result<&Role> {
        if let Some(role) = self.roles.get(&id) {
            return Ok(role);
        }
        let missing = || Error::Internal(anyhow::anyhow!("membership refers to missing role {id}"));
        let role = match tx.role(id) {
            Err(Error::NotFound(_)) => return Err(missing()),
            read => read?,
        };
        // Read with the rest of its account's, so that a later lookup of
        // the account reads them once.
        match role.account_id {
            Some(account) => {
                self.read_accounts(tx, &[account])?;
                self.roles.get(&id).ok_or_else(missing)
            }
            None => Ok(self.roles.insert(id, Box::new(role))),
        }
    }

    /// Reads the custom roles of those of `accounts` not read yet, in one
    /// statement: a list across accounts reads them all at once, rather
    /// than account by account as its rows ask.
    pub(crate) fn read_accounts(&self, tx: &dyn Tx, accounts: &[i64]) -> Result<()> {
        let unread: Vec<i64> = accounts
            .iter()
            .copied()
            .filter(|a| self.custom.get(a).is_none())
            .collect();
        if unread.is_empty() {
            return Ok(());
        }
        let mut by_account: BTreeMap<i64, Vec<i64>> =
            unread.iter().map(|a| (*a, Vec::new())).collect();
        for role in tx.roles_made_for(Some(&unread))? {
            if let Some(ids) = role.account_id.and_then(|a| by_account.get_mut(&a)) {
                ids.push(role.id);
            }
            self.roles.insert(role.id, Box::new(role));
        }
        for (account, ids) in by_account {
            self.custom.insert(account, ids);
        }
        Ok(())
    }

    /// The ids of every account's custom roles, read the first time.
    fn every_custom_id(&self, tx: &dyn Tx) -> Result<&[i64]> {
        if let Some(ids) = self.every.get() {
            return Ok(ids);
        }
        let mut by_account: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        let mut ids = Vec::new();
        for role in tx.roles()? {
            let Some(account) = role.account_id else {
                continue;
            };
            ids.push(role.id);
            by_account.entry(account).or_default().push(role.id);
            self.roles.insert(role.id, Box::new(role));
        }
        for (account, ids) in by_account {
            self.custom.insert(account, ids);
        }
        Ok(self.every.get_or_init(|| ids))
    }

    /// Every role `reach` reaches, deleted ones too (a member may still
    /// hold one), oldest first.
    pub(crate) fn all_roles(&self, tx: &dyn Tx, reach: Reach<'_>) -> Result<Vec<&Role>> {
        let mut ids = self.own.clone();
        match reach {
            Reach::Accounts(accounts) => {
                self.read_accounts(tx, accounts)?;
                for account in accounts {
                    ids.extend_from_slice(self.custom.get(account).unwrap_or_default());
                }
            }
            Reach::Every => ids.extend_from_slice(self.every_custom_id(tx)?),
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids.iter().filter_map(|id| self.roles.get(id)).collect())
    }

    /// The roles on offer (not deleted) that `reach` reaches, oldest
    /// first.
    pub(crate) fn live_roles(&self, tx: &dyn Tx, reach: Reach<'_>) -> Result<Vec<&Role>> {
        let mut roles = self.all_roles(tx, reach)?;
        roles.retain(|r| r.deleted_at.is_none());
        Ok(roles)
    }

    /// The roles on offer that a member of `account` may hold: the
    /// catalog's own and the custom roles made for that account. Whatever
    /// names roles to an account's members (a refusal's help, a "did you
    /// mean") names them from here, so that no account learns of another's
    /// roles.
    pub(crate) fn roles_serving(&self, tx: &dyn Tx, account: i64) -> Result<Vec<&Role>> {
        self.live_roles(tx, Reach::Accounts(&[account]))
    }

    /// The role with this exact name among those `reach` reaches, deleted
    /// ones too: for what a member held in the past.
    pub(crate) fn any_role_named(
        &self,
        tx: &dyn Tx,
        name: &str,
        reach: Reach<'_>,
    ) -> Result<Option<&Role>> {
        Ok(self
            .all_roles(tx, reach)?
            .into_iter()
            .find(|r| r.name == name))
    }

    /// The catalog's own role on offer with this name: for what is not
    /// about one account (the owner role, the role given by default, what
    /// the operator gives every account).
    pub(crate) fn role_named(&self, name: &str) -> Result<&Role> {
        let name = name.trim();
        self.catalog_roles()
            .find(|r| r.name == name)
            .ok_or_else(|| {
                let names = self.catalog_role_names();
                Error::invalid(format!("unknown role `{name}`")).help(did_you_mean(
                    name,
                    names.clone(),
                    format!("roles are: {}", names.join(", ")),
                ))
            })
    }

    /// The role on offer with this name that may be held in `account`:
    /// one of the catalog's, or a custom role made for that account. A
    /// role made for another account reads as unknown, so that nothing
    /// tells one account of another's roles.
    pub(crate) fn role_in(&self, tx: &dyn Tx, name: &str, account: i64) -> Result<&Role> {
        self.role_among(tx, name, Reach::Accounts(&[account]), |_| true)
    }

    /// The role on offer with this name among those `reach` reaches and
    /// `seen` lets through; the refusal names only those.
    pub(crate) fn role_among(
        &self,
        tx: &dyn Tx,
        name: &str,
        reach: Reach<'_>,
        seen: impl Fn(&Role) -> bool,
    ) -> Result<&Role> {
        let name = name.trim();
        let mut roles = self.live_roles(tx, reach)?;
        roles.retain(|r| seen(r));
        roles
            .iter()
            .copied()
            .find(|r| r.name == name)
            .ok_or_else(|| {
                let mut names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
                names.sort_unstable();
                Error::invalid(format!("unknown role `{name}`")).help(did_you_mean(
                    name,
                    names.clone(),
                    format!("roles are: {}", names.join(", ")),
                ))
            })
    }

    /// Every course, in catalog order.
    pub(crate) fn courses(&self) -> &[Course] {
        &self.courses
    }

    /// The courses a role enrols its members in: none for the blocking
    /// role, which holds nothing.
    pub(crate) fn courses_for(&self, role: &Role) -> Vec<&Course> {
        if role.blocking {
            return Vec::new();
        }
        self.courses
            .iter()
            .filter(|c| c.all_roles || c.role_ids.contains(&role.id))
            .collect()
    }

    /// The areas (grant bundles) of the catalog.
    pub(crate) fn bundles(&self) -> &[GrantBundle] {
        &self.bundles
    }

    /// The blocking role: the catalog's own, as only a catalog makes one.
    pub(crate) fn blocking_role(&self) -> Result<&Role> {
        self.own
            .iter()
            .filter_map(|id| self.roles.get(id))
            .find(|r| r.blocking)
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("the catalog has no blocking role")))
    }

    pub(crate) fn bundle(&self, name: &str) -> Option<&GrantBundle> {
        self.bundles.iter().find(|b| b.name == name)
    }

    /// The capabilities `name` gives, refused unless the catalog lets it be
    /// granted on top of a role: a catalog that assigns access by role
    /// alone grants nothing (003: "each user is assigned only 1 role"), one
    /// of areas grants only its areas. Every grant any write creates passes
    /// here (the gate checks them), so no command can go around it.
    pub(crate) fn grantable(&self, name: &str) -> Result<Vec<Capability>> {
        let given = self.grant_capabilities(name)?;
        let name = name.trim();
        match self.grants {
            GrantRule::Capabilities => Ok(given),
            GrantRule::Areas if self.bundle(name).is_some() => Ok(given),
            GrantRule::Areas => {
                let areas: Vec<&str> = self
                    .bundles
                    .iter()
                    .filter(|b| b.capabilities.iter().any(|c| c == name))
                    .map(|b| b.name.as_str())
                    .collect();
                let help = if areas.is_empty() {
                    format!("grant one of its areas: {}", self.area_names().join(", "))
                } else {
                    format!("grant an area that includes it: {}", areas.join(", "))
                };
                Err(Error::conflict(format!(
                    "the `{}` catalog grants areas, not single capabilities: `{name}` cannot be granted on top of a role",
                    self.preset
                ))
                .help(help))
            }
            GrantRule::None => Err(Error::conflict(format!(
                "the `{}` catalog assigns access by role alone, one role per user: `{name}` cannot be granted on top of a role",
                self.preset
            ))
            .help("give a role that includes it with `portalctl user set-role`, or make one with `portalctl role create`")),
        }
    }

    pub(crate) fn area_names(&self) -> Vec<&str> {
        self.bundles.iter().map(|b| b.name.as_str()).collect()
    }

    /// The capabilities a grant name stands for: an area's bundle, or a
    /// single capability of the catalog.
    pub(crate) fn grant_capabilities(&self, name: &str) -> Result<Vec<Capability>> {
        let name = name.trim();
        match self.bundle(name) {
            Some(bundle) => bundle.capabilities.iter().map(|c| c.parse()).collect(),
            None => match name.parse::<Capability>() {
                Ok(cap) => Ok(vec![cap]),
                Err(_) => {
                    let areas = self.area_names().join(", ");
                    let help = match self.grants {
                        GrantRule::None => {
                            "this catalog grants nothing on top of a role: give a role instead"
                                .to_string()
                        }
                        GrantRule::Areas => format!("grant an area: {areas}"),
                        GrantRule::Capabilities if areas.is_empty() => {
                            "grant a capability of the catalog, such as `billing.view`".to_string()
                        }
                        GrantRule::Capabilities => {
                            format!("grant a capability of the catalog or an area: {areas}")
                        }
                    };
                    // An area, or a capability where single ones may be granted.
                    let mut meant = self.area_names();
                    if self.grants == GrantRule::Capabilities {
                        meant.extend(Capability::all().map(|c| c.as_str()));
                    }
                    let help = match self.grants {
                        GrantRule::None => help,
                        _ => did_you_mean(name, meant, help),
                    };
                    Err(Error::invalid(format!("unknown grant `{name}`")).help(help))
                }
            },
        }
    }
}

/// Builds the printable view of a membership, as `ctx`'s actor may read
/// it (see [`listed_member_view`]).
pub(crate) fn member_view(
    tx: &dyn Tx,
    ctx: &Ctx,
    catalog: &Catalog,
    m: &Membership,
) -> Result<MemberView> {
    let person = tx.person(m.person_id)?;
    let account = tx.account(m.account_id)?;
    let held = tx.grants(m.id)?;
    member_view_of(tx, ctx, catalog, m, &person, &account, held)
}

/// [`member_view`] of a membership whose person, account and grants
/// (sorted by name, as the store keeps them) the caller holds already: a
/// write that has just made them reads none of them back.
#[allow(clippy::too_many_arguments)]
pub(crate) fn member_view_of(
    tx: &dyn Tx,
    ctx: &Ctx,
    catalog: &Catalog,
    m: &Membership,
    person: &Person,
    account: &Account,
    held: Vec<Grant>,
) -> Result<MemberView> {
    let external_from = m
        .external_from
        .map(|id| tx.account(id))
        .transpose()?
        .map(|a| a.name);
    let duplicate_of = person
        .duplicate_of
        .map(|id| tx.person(id))
        .transpose()?
        .map(|p| p.email.to_string());
    let last_invitation = if revoked_may_apply(m) {
        tx.last_invitation(m.id)?.map(|i| i.state)
    } else {
        None
    };
    let courses = courses::current_course_names(tx, catalog, m)?;
    let listed = ListedMember {
        membership: m.clone(),
        person: person.clone(),
        grants: held,
        external_from,
        duplicate_of,
        last_invitation,
        invitation_expires_at: None,
    };
    listed_member_view(
        tx, ctx, catalog, &account.name, account.owner_id, listed, courses,
    )
}

/// The view of a member a list read with all it shows (see
/// [`Tx::members_by_id`]), without reading anything more: `courses` are
/// the names of the courses they are enrolled in now, `None` where the
/// catalog has none.
///
/// Every view of a member is built here, so this is where a person the
/// view names in passing (whom they are flagged a duplicate of, or were
/// merged into) is shown only to an actor who may know them: to anyone
/// else the flag reads [`visibility::UNSEEN_PERSON`]. An audit event
/// records the view its actor was shown.
#[allow(clippy::too_many_arguments)]
pub(crate) fn listed_member_view(
    tx: &dyn Tx,
    ctx: &Ctx,
    catalog: &Catalog,
    account: &str,
    owner_id: Option<i64>,
    listed: ListedMember,
    courses: Option<Vec<String>>,
) -> Result<MemberView> {
    let ListedMember {
        membership: m,
        person,
        grants: held,
        external_from,
        duplicate_of,
        last_invitation,
        invitation_expires_at,
    } = listed;
    // The flag is the person's own, as their name is: on an invitation
    // not yet accepted it shows only to who may read that name (someone
    // with another login is flagged through an account they joined, which
    // the inviting account knows nothing of).
    let pending = m.accepted_at.is_none();
    // A merge is read where it is known (`reads_merge_in`): there the
    // membership it ended says whom it was merged into, invited or not.
    let merge_read = match person.merged_into {
        Some(_) => visibility::reads_merge_in(tx, ctx, &person, m.account_id)?,
        None => false,
    };
    let duplicate_of = match duplicate_of {
        Some(_) if person.merged_into.is_some() && !merge_read => None,
        Some(_) if pending && !merge_read && !visibility::reads_own_name(tx, ctx, &person, &m)? => {
            None
        }
        of => of.map(|of| shown_email(tx, ctx, &of)).transpose()?,
    };
    let access_ends = m.next_lapse(&held);
    let grants_until = held
        .iter()
        .filter_map(|g| g.expires_at.map(|t| (g.name.clone(), t)))
        .collect();
    let grants = held.into_iter().map(|g| g.name).collect();
    let role_after = m
        .role_after
        .filter(|_| m.role_until.is_some())
        .map(|id| catalog.role(tx, id).map(|r| r.name.clone()))
        .transpose()?;
    // Every merge flags whom it merges into as well (`duplicate_of`), so
    // the address the flag already read is the kept person's.
    let merged_into = duplicate_of
        .clone()
        .filter(|_| merge_read && person.merged_into == person.duplicate_of);
    // Until they accept, the account knows them by its invitation alone
    // unless the actor knows them otherwise (`reads_own_name`). Someone
    // with no name of their own yet goes by the invitation's for all.
    let invited_as = match person.known_name() {
        Some(own) if pending && Some(own) != m.invited_name.as_deref() => Some(InvitedAs {
            own: Some(own.to_string()),
            invited: m.invited_name.clone(),
        }),
        _ => None,
    };
    // An invitation that bound through an address merged into them
    // (`invited_email`) is known by that address the same way.
    let invited_email = m.invited_email.clone().filter(|_| m.accepted_at.is_none());
    let reads_own = match (&invited_as, &invited_email) {
        (None, None) => true,
        _ => visibility::reads_own_name(tx, ctx, &person, &m)?,
    };
    let (email, name) = person.into_email_and_name();
    let name = match &invited_as {
        Some(names) if !reads_own => names.invited.clone(),
        None if pending && name.is_none() => m.invited_name.clone(),
        _ => name,
    };
    let (email, invited_email) = match invited_email {
        Some(typed) if !reads_own => (typed, None),
        typed => (email.into_string(), typed),
    };
    Ok(MemberView {
        email,
        name,
        account: account.to_string(),
        role: catalog.role(tx, m.role_id)?.name.clone(),
        status: standing_of(&m, last_invitation),
        grants,
        owner: owner_id == Some(m.person_id),
        invited_at: m.invited_at,
        accepted_at: m.accepted_at,
        city: m.city,
        country: m.country,
        timezone: m.timezone,
        external_from,
        role_until: m.role_until,
        role_after,
        grants_until,
        external_until: m.external_until,
        access_ends,
        as_of: None,
        // Whether it has expired is a matter of the clock, which the
        // caller has (see `members::mark_invitation_expiry`).
        invitation_expires_at,
        invitation_expired: None,
        duplicate_of,
        merged_into,
        services: None,
        capabilities: None,
        grant_details: None,
        courses,
        external_ended: Vec::new(),
        services_handed_over: None,
        services_reassigned_to: None,
        invited_name: None,
        invited_as,
        invited_email,
    })
}

/// Where a membership stands as shown: a deactivated one that was never
/// accepted and whose last invitation was revoked shows as `revoked`.
pub(crate) fn standing(tx: &dyn Tx, m: &Membership) -> Result<MemberStanding> {
    let last = if revoked_may_apply(m) {
        tx.last_invitation(m.id)?.map(|i| i.state)
    } else {
        None
    };
    Ok(standing_of(m, last))
}

/// Whether [`standing_of`] needs the membership's latest invitation.
fn revoked_may_apply(m: &Membership) -> bool {
    m.status == MemberStatus::Deactivated && m.accepted_at.is_none()
}

/// [`standing`], given the state of the membership's latest invitation
/// (read only where [`revoked_may_apply`]).
pub(crate) fn standing_of(
    m: &Membership,
    last_invitation: Option<InvitationState>,
) -> MemberStanding {
    if revoked_may_apply(m) && last_invitation == Some(InvitationState::Revoked) {
        return MemberStanding::Revoked;
    }
    m.status.into()
}

/// Refuses an `--until` that is not in the future: access that would
/// lapse at once, or already have lapsed, is a mistake (exit 2).
pub(crate) fn ensure_future(until: Timestamp, now: Timestamp) -> Result<()> {
    if until > now {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "--until {until} is not in the future (it is {now})"
    ))
    .help("give a later time, such as 2030-01-01T00:00:00Z or 7d"))
}

/// Serialises a view for an audit event's before/after.
pub(crate) fn snapshot<T: serde::Serialize>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("cannot serialise")))
}

impl Portal {
    /// "Now" for this command.
    pub(crate) fn now(&self) -> Timestamp {
        self.ctx.now
    }
}

/// Fixtures for the domain's unit tests: a portal on an in-memory store at
/// a fixed clock.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::store::SqliteStore;
    use chrono::TimeZone;

    pub(crate) fn portal(actor: Actor) -> Portal {
        let store = SqliteStore::in_memory().expect("in-memory store");
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 25, 10, 0, 0)
            .single()
            .expect("valid time")
            .into();
        Portal::new(Box::new(store), Ctx::new(now, actor))
    }

    pub(crate) fn email(s: &str) -> Email {
        s.parse().expect("valid email")
    }

    /// A policy holding orders over `threshold` for any approver, in the
    /// account the actor means.
    pub(crate) fn policy_over(name: &str, threshold: &str) -> NewPolicy {
        NewPolicy {
            name: name.into(),
            threshold: threshold.parse().expect("amount"),
            ..NewPolicy::default()
        }
    }

    /// customer-area, where the member ann holds the `account-admin` area:
    /// she manages users but holds no billing, services or ownership.
    pub(crate) fn ann_administers_the_customer_area() -> Portal {
        let mut p = seeded("customer-area");
        join(&mut p, "ann@acme.test", "member");
        p.grant(
            &email("ann@acme.test"),
            &["account-admin".into()],
            None,
            None,
        )
        .expect("grant");
        p
    }

    /// A portal with `preset`, account `Acme` and its owner `owner@acme.test`.
    pub(crate) fn seeded(preset: &str) -> Portal {
        seeded_as(preset, None)
    }

    /// [`seeded`], with `Acme` of `kind` (a partner alone has a partner
    /// status and customers).
    pub(crate) fn seeded_as(preset: &str, kind: Option<crate::model::AccountKind>) -> Portal {
        let mut p = portal(Actor::Operator("root".into()));
        p.init(InitRequest {
            preset: Preset::shipped(preset).expect("shipped preset"),
            account: "Acme".into(),
            kind,
            currency: None,
            owner_email: email("owner@acme.test"),
            owner_name: crate::domain::OwnerName::FromEmail,
            owner_location: london(),
        })
        .expect("init");
        p
    }

    /// London, GB: a location every catalog accepts, for the owner.
    pub(crate) fn london() -> LocationInput {
        LocationInput {
            city: Some("London".parse().expect("a city")),
            country: Some("GB".into()),
            timezone: None,
        }
    }

    /// Invites `who` with `role` and accepts: an active member. A catalog
    /// that needs every user's location (`moodle`) gets London, GB.
    pub(crate) fn join(p: &mut Portal, who: &str, role: &str) {
        join_in(p, who, role, None);
    }

    /// As [`join`], into `account` where given (else the only one).
    pub(crate) fn join_in(p: &mut Portal, who: &str, role: &str, account: Option<&str>) {
        let located = {
            let tx = p.gate.read(p.ctx.now).expect("read");
            Catalog::load(&*tx).expect("catalog").require_location
        };
        let invited = p
            .invite(&InviteRequest {
                email: Some(email(who)),
                name: Some("Someone".into()),
                role: Some(role.into()),
                account: account.map(Into::into),
                city: located.then(|| "London".into()),
                country: located.then(|| "GB".into()),
                ..InviteRequest::default()
            })
            .expect("invite");
        p.accept(&invited.token, None).expect("accept");
    }

    /// Creates the account `name` of `kind`, a customer of `parent` if
    /// given, as the operator would.
    pub(crate) fn add_account(
        p: &mut Portal,
        name: &str,
        kind: crate::model::AccountKind,
        parent: Option<&str>,
    ) {
        p.account_create(&NewAccount {
            name: name.into(),
            kind,
            parent: parent.map(str::to_string),
            currency: None,
        })
        .expect("account");
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{email, join, seeded};
    use super::*;

    /// Whether the catalog `p` reads now has a role named `name`.
    fn has_role(p: &mut Portal, name: &str) -> bool {
        let tx = p.gate.read(p.ctx.now).expect("tx");
        let catalog = Catalog::load(&*tx).expect("catalog");
        catalog
            .any_role_named(&*tx, name, Reach::Every)
            .expect("roles")
            .is_some()
    }

    #[test]
    fn the_catalog_is_read_once_while_nothing_changes_it() {
        let mut p = seeded("portal");
        let read = |p: &mut Portal| {
            let tx = p.gate.read(p.ctx.now).expect("tx");
            Catalog::load(&*tx).expect("catalog")
        };
        let first = read(&mut p);
        // A write that leaves the catalog alone keeps it.
        join(&mut p, "ann@acme.test", "user");
        assert!(Rc::ptr_eq(&first, &read(&mut p)));
        p.role_create(
            "viewers",
            &[access::caps::USERS_VIEW],
            &"".into(),
            Some("Acme"),
        )
        .expect("role");
        assert!(!Rc::ptr_eq(&first, &read(&mut p)));
        assert!(has_role(&mut p, "viewers"));
    }

    #[test]
    fn a_role_made_by_a_write_undone_is_not_in_the_catalog_read_after() {
        let mut p = seeded("portal");
        assert!(!has_role(&mut p, "ghosts"));
        let now = p.ctx.now;
        let undone = p.write(|w| {
            let mut role = w.catalog()?.role_named("user")?.clone();
            role.name = "ghosts".into();
            role.builtin = false;
            w.tx.insert_role(&role, now)?;
            // Read after the role is made, in the same transaction.
            assert!(Catalog::load(w.tx)?
                .any_role_named(w.tx, "ghosts", Reach::Every)?
                .is_some());
            Err::<(), _>(Error::invalid("undone"))
        });
        assert!(undone.is_err());
        assert!(!has_role(&mut p, "ghosts"));
    }

    #[test]
    fn a_role_made_through_another_connection_is_in_the_catalog_read_after() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("portal.db");
        let ctx = |actor: &str| Ctx::new(seeded("portal").ctx.now, Actor::Operator(actor.into()));
        Portal::create(&path, None, ctx("root"), NewFile::Keep, |p| {
            p.init(InitRequest {
                preset: Preset::shipped("portal").expect("shipped preset"),
                account: "Acme".into(),
                kind: None,
                currency: None,
                owner_email: email("owner@acme.test"),
                owner_name: OwnerName::FromEmail,
                owner_location: testing::london(),
            })
        })
        .expect("init");
        let mut reader = Portal::open(&path, None, ctx("root")).expect("opens");
        assert!(!has_role(&mut reader, "viewers"));
        let mut writer = Portal::open(&path, None, ctx("root")).expect("opens");
        writer
            .role_create(
                "viewers",
                &[access::caps::USERS_VIEW],
                &"".into(),
                Some("Acme"),
            )
            .expect("role");
        assert!(has_role(&mut reader, "viewers"));
    }

    #[test]
    fn the_owner_is_created_active_with_the_owner_role() {
        let mut p = seeded("lmp");
        let owner = p
            .member_show(&email("owner@acme.test"), None)
            .expect("show");
        assert_eq!(owner.role, "partner-administrator");
        assert!(owner.owner);
        assert_eq!(owner.capabilities.map(|c| c.len()), Some(37));
    }

    #[test]
    fn a_member_cannot_give_what_they_do_not_hold() {
        let mut p = testing::ann_administers_the_customer_area();
        join(&mut p, "bob@acme.test", "member");
        p.ctx.actor = Actor::Member(email("ann@acme.test"));
        let err = p
            .grant(&email("bob@acme.test"), &["billing".into()], None, None)
            .expect_err("escalation");
        assert_eq!(err.exit_code(), 5, "{err}");
        p.grant(
            &email("bob@acme.test"),
            &["account-admin".into()],
            None,
            None,
        )
        .expect("an area ann holds");
    }

    #[test]
    fn following_the_role_again_changes_no_enrolment() {
        let mut p = seeded("moodle");
        let now = p.ctx.now;
        let tx = p.gate.read(p.ctx.now).expect("tx");
        let catalog = Catalog::load(&*tx).expect("catalog");
        let owner = tx
            .memberships_in(1)
            .expect("memberships")
            .pop()
            .expect("owner");
        let before = tx.enrolments(owner.id, false).expect("enrolments");
        assert_eq!(before.len(), 7, "principal: six main courses and one more");
        courses::follow_role(
            &*tx,
            &catalog,
            &owner,
            now.plus(chrono::Duration::hours(1)).expect("in range"),
        )
        .expect("follow");
        assert_eq!(tx.enrolments(owner.id, false).expect("enrolments"), before);
    }

    #[test]
    fn expired_grants_no_longer_count() {
        let mut p = seeded("customer-area");
        join(&mut p, "ann@acme.test", "member");
        let grant = crate::model::Grant {
            name: "billing".into(),
            granted_at: p.ctx.now,
            expires_at: Some(
                p.ctx
                    .now
                    .plus(chrono::Duration::hours(1))
                    .expect("in range"),
            ),
        };
        p.write(|w| {
            let m = w.tx.memberships_in(1)?.pop().expect("ann");
            w.tx.put_grant(m.id, &grant)?;
            w.record(audit::Change {
                action: "user.grant",
                account: None,
                target: Some("ann@acme.test".into()),
                before: None,
                after: Some(serde_json::json!({ "grant": "billing" }).into()),
            });
            Ok(())
        })
        .expect("grant");
        let ann = email("ann@acme.test");
        assert!(
            p.can(&ann, crate::model::caps::BILLING_VIEW, None)
                .expect("can")
                .allowed
        );
        p.ctx.now = p
            .ctx
            .now
            .plus(chrono::Duration::hours(2))
            .expect("in range");
        assert!(
            !p.can(&ann, crate::model::caps::BILLING_VIEW, None)
                .expect("can")
                .allowed
        );
    }

    /// A grant written by any command, not only `user grant`, passes the
    /// catalog's rule: the gate refuses what the catalog does not declare
    /// grantable, so a new command cannot go around it. (003: "each user is
    /// assigned only 1 role"; 001: "Only admin contacts can manage users".)
    #[test]
    fn the_gate_refuses_a_grant_the_catalog_forbids_whichever_command_writes_it() {
        for (preset, role, name) in [
            ("portal", "manager", "users.manage"),
            ("moodle", "staff", "invoices.manage"),
            ("customer-area", "member", "users.view"),
        ] {
            let mut p = seeded(preset);
            join(&mut p, "ann@acme.test", role);
            let before = p.audit_head().expect("head");
            let err = p
                .write(|w| {
                    let ann = w.tx.person_by_email("ann@acme.test")?.expect("ann");
                    let m = w.tx.membership_of(ann.id, 1)?.expect("member");
                    w.tx.put_grant(
                        m.id,
                        &crate::model::Grant {
                            name: name.into(),
                            granted_at: w.ctx.now,
                            expires_at: None,
                        },
                    )?;
                    w.record(audit::Change {
                        action: "test.grant",
                        account: None,
                        target: Some("ann@acme.test".into()),
                        before: None,
                        after: Some(serde_json::json!({ "grant": name }).into()),
                    });
                    Ok(())
                })
                .expect_err(preset);
            assert_eq!(err.exit_code(), 4, "{preset}: {err}");
            assert!(
                err.to_string()
                    .contains("cannot be granted on top of a role"),
                "{preset}: {err}"
            );
            assert_eq!(
                p.audit_head().expect("head"),
                before,
                "{preset}: nothing written"
            );
            let ann = p.member_show(&email("ann@acme.test"), None).expect("show");
            assert!(ann.grants.is_empty(), "{preset}: {:?}", ann.grants);
        }
    }

    /// "Partner portal roles - each user is assigned only 1 role" (003), and
    /// 001's three permission levels: `user grant` in those catalogs is a
    /// conflict naming the rule; customer-area grants its areas.
    #[test]
    fn user_grant_follows_the_catalogs_rule() {
        let mut p = seeded("moodle");
        join(&mut p, "sam@acme.test", "staff");
        let err = p
            .grant(
                &email("sam@acme.test"),
                &["invoices.manage".into()],
                None,
                None,
            )
            .expect_err("one role per user");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert!(err.to_string().contains("one role per user"), "{err}");

        let mut p = seeded("customer-area");
        join(&mut p, "ann@acme.test", "member");
        p.grant(&email("ann@acme.test"), &["billing".into()], None, None)
            .expect("an area");
        let err = p
            .grant(
                &email("ann@acme.test"),
                &["billing.view".into()],
                None,
                None,
            )
            .expect_err("areas only");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert!(err.help_text().unwrap_or_default().contains("billing"));
    }
}
