//! What is read from a database without acting in it: the names a shell
//! completes (roles, accounts, member emails) and the capability catalog
//! of `portalctl help capabilities`. Read-only: the file is opened without
//! being created, migrated or written, so pressing Tab or asking for help
//! never changes a database.

use std::path::Path;
use std::time::Duration;

use super::catalog::role_view;
use super::{preset_names, Actor, Catalog, Ctx, Preset};
use crate::error::Result;
use crate::model::{Timestamp, CAPABILITIES};
use crate::store::{SqliteStore, Store as _, Tx};
use crate::view::CapabilityView;

/// What kind of name to complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameKind {
    /// The roles that can be given (deleted ones left out).
    Role,
    /// Every account.
    Account,
    /// The email of every member of any account.
    MemberEmail,
    /// The email of everyone who may act (`--as`): an active member
    /// somewhere under a role that does not block. An invitee, or
    /// someone deactivated, blocked or gone everywhere, is refused as
    /// `--as` by every command, so is not offered.
    Actor,
}

/// How long completion waits for a writer's lock: a shell waiting on Tab
/// should not hang for the busy timeout of a command.
const WAIT: Duration = Duration::from_millis(200);

/// The most names one Tab offers: a shell shows them all at once, and a
/// portal of 100,000 members would otherwise print as many lines at
/// every Tab; typing more of the name narrows them.
pub(crate) const OFFERED: usize = 200;

/// The names of `kind` in the portal at `path` that start with `typed`,
/// sorted, without repeats, at most [`OFFERED`]. A missing file, or one
/// that is not a portal of this version, is an error the caller turns
/// into no candidates.
///
/// A line acting as a member (`acting`, its `--as`) completes only what
/// is theirs: the accounts they may act in (`accounts_with_access`) or
/// see as `account show` does (their partner's customers where they hold
/// `customers.manage`), their own email, and the roles serving the
/// accounts they act in. Completion is no way round what the member may
/// see; an address nobody has completes nothing. `now` is the clock the
/// command would run at, at which time-bound access is read.
pub(crate) fn names(
    path: &Path,
    kind: NameKind,
    acting: Option<&str>,
    now: Timestamp,
    typed: &str,
) -> Result<Vec<String>> {
    let mut store = SqliteStore::open_to_read(path, WAIT)?;
    store.set_moment(now);
    let tx = store.read()?;
    names_in(&*tx, kind, acting, now, typed)
}

/// [`names`] in an open transaction.
pub(super) fn names_in(
    tx: &dyn Tx,
    kind: NameKind,
    acting: Option<&str>,
    now: Timestamp,
    typed: &str,
) -> Result<Vec<String>> {
    let mut names: Vec<String> = match acting {
        None => match kind {
            NameKind::Role => tx
                .roles()?
                .into_iter()
                .filter(|r| r.deleted_at.is_none())
                .map(|r| r.name)
                .collect(),
            NameKind::Account => tx.accounts()?.into_iter().map(|a| a.name).collect(),
            // Found by the typed prefix in the store: there may be very
            // many of them.
            NameKind::MemberEmail => tx.member_emails(typed, OFFERED)?,
            NameKind::Actor => tx.acting_emails(typed, OFFERED)?,
        },
        Some(email) => {
            let Some(person) = tx.person_by_email(&email.trim().to_lowercase())? else {
                return Ok(Vec::new());
            };
            // Only where they have access now, by the one rule of it: a
            // membership they are merely invited to, were cut off from
            // (deactivated, left, blocked, external access ended) holds
            // nothing, so no command acts in it, and `role list` sees
            // roles only there.
            let catalog = Catalog::load(tx)?;
            let joined = super::access::accounts_with_access(tx, &catalog, person.id, now)?;
            match kind {
                NameKind::Role => tx
                    .roles()?
                    .into_iter()
                    .filter(|r| r.deleted_at.is_none())
                    .filter(|r| r.account_id.is_none_or(|a| joined.contains(&a)))
                    .map(|r| r.name)
                    .collect(),
                NameKind::Account => {
                    // Those they act in, and those `account show` shows
                    // them (a partner's customers), by the rule it uses.
                    let all = tx.accounts()?;
                    let ctx = Ctx::new(now, Actor::Member(person.email.clone()));
                    let seen = super::accounts::accounts_in_sight(tx, &catalog, &ctx, &all)?;
                    all.into_iter()
                        .filter(|a| joined.contains(&a.id) || seen.contains(&a.id))
                        .map(|a| a.name)
                        .collect()
                }
                // Their own: whom else they may name is another
                // account's business until a command says so.
                NameKind::MemberEmail | NameKind::Actor => vec![person.email.to_string()],
            }
        }
    };
    names.retain(|name| name.starts_with(typed));
    names.sort();
    names.dedup();
    names.truncate(OFFERED);
    Ok(names)
}

/// Which roles and areas give each capability: in the preset of the
/// database at `database` (its own roles included) when there is one,
/// else in every shipped preset.
pub(crate) fn capability_catalog(database: Option<&Path>) -> Result<Vec<CapabilityView>> {
    if let Some(path) = database.filter(|p| p.exists()) {
        let mut store = SqliteStore::open_to_read(path, WAIT)?;
        let tx = store.read()?;
        return Ok(catalog_rows(&*Catalog::load(&*tx)?));
    }
    let mut all = Vec::new();
    for name in preset_names() {
        let view = Preset::shipped(name)?.view();
        let roles: Vec<(String, Vec<String>)> = view
            .roles
            .into_iter()
            .map(|r| (r.name, r.capabilities))
            .collect();
        let areas: Vec<(String, Vec<String>)> = view
            .grant_bundles
            .into_iter()
            .map(|b| (b.name, b.capabilities))
            .collect();
        all.extend(rows(name, &roles, &areas));
    }
    Ok(all)
}

/// The rows of [`capability_catalog`] for the catalog of one database. A
/// role's capabilities are those of its view, the one `role show` prints,
/// so both answers agree (every non-blocking role holds `portal.access`).
fn catalog_rows(catalog: &Catalog) -> Vec<CapabilityView> {
    // The catalog's own roles: an account's custom roles are that
    // account's business, and this list asks no one who they are.
    let roles: Vec<(String, Vec<String>)> = catalog
        .catalog_roles()
        .map(|r| {
            let view = role_view(r, None);
            (view.name, view.capabilities)
        })
        .collect();
    let areas: Vec<(String, Vec<String>)> = catalog
        .bundles()
        .iter()
        .map(|b| (b.name.clone(), b.capabilities.clone()))
        .collect();
    rows(&catalog.preset, &roles, &areas)
}

/// One row per capability of the catalog: the roles and areas of
/// `preset` that give it.
fn rows(
    preset: &str,
    roles: &[(String, Vec<String>)],
    areas: &[(String, Vec<String>)],
) -> Vec<CapabilityView> {
    let giving = |list: &[(String, Vec<String>)], cap: &str| -> Vec<String> {
        list.iter()
            .filter(|(_, caps)| caps.iter().any(|c| c == cap))
            .map(|(name, _)| name.clone())
            .collect()
    };
    CAPABILITIES
        .iter()
        .map(|cap| CapabilityView {
            preset: preset.to_string(),
            capability: cap.to_string(),
            roles: giving(roles, cap),
            areas: giving(areas, cap),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::seeded;

    /// Every role `role show` says holds a capability is listed for it, and
    /// no other: `portal.access` is held by every role but the blocking one.
    #[test]
    fn the_catalog_names_the_roles_role_show_names() {
        for preset in preset_names() {
            let mut p = seeded(preset);
            let shown: Vec<crate::view::RoleView> = p.role_list().expect("roles");
            let tx = p.gate.read(p.ctx.now).expect("read");
            let rows = catalog_rows(&Catalog::load(&*tx).expect("catalog"));
            for row in &rows {
                let holders: Vec<String> = shown
                    .iter()
                    .filter(|r| r.capabilities.contains(&row.capability))
                    .map(|r| r.name.clone())
                    .collect();
                let mut listed = row.roles.clone();
                listed.sort();
                let mut expected = holders;
                expected.sort();
                assert_eq!(listed, expected, "{preset} {}", row.capability);
            }
        }
        let mut p = seeded("portal");
        let tx = p.gate.read(p.ctx.now).expect("read");
        let rows = catalog_rows(&Catalog::load(&*tx).expect("catalog"));
        let access = rows
            .iter()
            .find(|r| r.capability == "portal.access")
            .expect("portal.access");
        assert_eq!(access.roles, ["admin", "manager", "user"]);
    }
}
