//! Cost centres: named codes per account that orders can carry.

use super::access::caps;
use super::held_names::not_read_as_another;
use super::visibility::Named;
use super::{resolve_account, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{look_alike, Account, CostCentre, Text};
use crate::store::Tx;
use crate::view::CostCentreView;

/// Checks a cost centre code: 1 to 20 letters, digits, dashes or
/// underscores.
pub(crate) fn check_code(code: &str) -> Result<String> {
    let code = code.trim();
    let ok = !code.is_empty()
        && code.len() <= 20
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(code.to_string())
    } else {
        Err(
            Error::invalid(format!("`{code}` is not a cost centre code"))
                .help("use 1 to 20 letters, digits, dashes or underscores, like FIN or OPS-2"),
        )
    }
}

/// Refuses (exit 4) a new `code` that reads as one `account` holds, by
/// the reading look-alike names are refused by (`0PS` beside `OPS`,
/// `CC1` beside `CCl`): a code is what an order list and a report show,
/// and an admin types it, so one could be booked for the other. Archived
/// codes count: they still name orders. Named only to one who may list
/// the account's cost centres (`shown`).
fn code_not_read_as_another(tx: &dyn Tx, account: &Account, code: &str, shown: bool) -> Result<()> {
    let held = tx.cost_centres_in(account.id)?;
    let Some(other) = held.iter().find(|c| look_alike(&c.code, code)) else {
        return Ok(());
    };
    let help = "a code written with other characters that look the same (`0` as `O`, `1` as `l`) could be typed for it; choose a code that reads differently";
    if !shown {
        return Err(Error::conflict(format!(
            "the cost centre code `{code}` is not available in `{}`",
            account.name
        ))
        .help(help));
    }
    Err(Error::conflict(format!(
        "cost centre code `{code}` looks like the existing cost centre `{}` of `{}`",
        other.code, account.name
    ))
    .help(help))
}

/// Finds a cost centre by code (compared without case).
pub(crate) fn find_cost_centre(tx: &dyn Tx, account: &Account, code: &str) -> Result<CostCentre> {
    tx.cost_centre_by_code(account.id, code.trim())?
        .ok_or_else(|| no_cost_centre(account, code))
}

/// The refusal of a cost centre `code` that `account` has not.
pub(crate) fn no_cost_centre(account: &Account, code: &str) -> Error {
    Error::not_found(format!(
        "no cost centre `{}` in `{}`",
        code.trim(),
        account.name
    ))
    .help("`portalctl cost-centre list` shows them")
}

fn view(account: &Account, c: &CostCentre) -> CostCentreView {
    CostCentreView {
        code: c.code.clone(),
        name: c.name.clone(),
        account: account.name.clone(),
        archived: c.archived_at.is_some(),
    }
}

/// The actor as a reader of `account`'s cost centres (`cost-centre
/// list`), or refused as one; the log shows their events by this rule.
pub(super) fn reads_cost_centres(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<()> {
    super::access::authorize_inside(
        tx,
        catalog,
        ctx,
        account,
        caps::ACCOUNT_VIEW.to("see cost centres"),
    )
    .map(|_| ())
}

impl Portal {
    /// Creates a cost centre; needs `cost_centres.manage`.
    pub(crate) fn cost_centre_create(
        &mut self,
        code: &str,
        name: &Text,
        account: Option<&str>,
    ) -> Result<CostCentreView> {
        self.write(|w| {
            let tx = w.tx;
            let account =
                w.account(account, caps::COST_CENTRES_MANAGE.to("create cost centres"))?;
            let code = check_code(code)?;
            let name = name.required("the cost centre name")?;
            if tx.cost_centre_by_code(account.id, &code)?.is_some() {
                return Err(Error::conflict(format!(
                    "`{}` already has a cost centre `{code}`",
                    account.name
                )));
            }
            // Named only to one who may list the account's cost centres.
            let shown = w.authorize(&account, caps::ACCOUNT_VIEW).is_ok();
            code_not_read_as_another(tx, &account, &code, shown)?;
            not_read_as_another(tx, "cost centre", &account, &name, None, shown)?;
            let mut centre = CostCentre {
                id: 0,
                account_id: account.id,
                code,
                name,
                archived_at: None,
                created_at: w.ctx.now,
            };
            centre.id = tx.insert_cost_centre(&centre)?;
            let after = view(&account, &centre);
            w.changed(
                "cost_centre.create",
                &account,
                centre.code.clone(),
                None,
                &after,
            )?;
            Ok(after)
        })
    }

    /// The account's cost centres, archived ones included; needs `account.view`.
    pub(crate) fn cost_centre_list(
        &mut self,
        account: Option<&str>,
    ) -> Result<Vec<CostCentreView>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let sees = |a: &Account| reads_cost_centres(&*tx, &catalog, &self.ctx, a);
        let account = resolve_account(&*tx, &self.ctx, account, None, sees)?;
        sees(&account)?;
        Ok(tx
            .cost_centres_in(account.id)?
            .iter()
            .map(|c| view(&account, c))
            .collect())
    }

    /// Renames a cost centre (`Some(name)`) or archives it (`None`); needs
    /// `cost_centres.manage`. Archived cost centres take no new orders.
    pub(crate) fn cost_centre_change(
        &mut self,
        code: &str,
        rename: Option<&Text>,
        account: Option<&str>,
    ) -> Result<CostCentreView> {
        self.write(|w| {
            let tx = w.tx;
            let doing = if rename.is_some() {
                "rename cost centres"
            } else {
                "archive cost centres"
            };
            let account = w.account_of(
                account,
                caps::COST_CENTRES_MANAGE.to(doing),
                Named {
                    noun: "cost centre",
                    group: "cost-centre",
                    key: code,
                },
                // Seen where `cost-centre list` shows it.
                |a| {
                    w.authorize(a, caps::ACCOUNT_VIEW)?;
                    find_cost_centre(tx, a, code)
                },
            )?;
            let mut centre = find_cost_centre(tx, &account, code)?;
            let before = view(&account, &centre);
            let action = match rename {
                Some(name) => {
                    centre.name = name.required("the cost centre name")?;
                    let except = Some(centre.id);
                    not_read_as_another(tx, "cost centre", &account, &centre.name, except, true)?;
                    "cost_centre.rename"
                }
                None if centre.archived_at.is_some() => {
                    return Err(Error::conflict(format!(
                        "cost centre `{}` is already archived",
                        centre.code
                    )))
                }
                None => {
                    centre.archived_at = Some(w.ctx.now);
                    "cost_centre.archive"
                }
            };
            let after = view(&account, &centre);
            tx.update_cost_centre(&centre)?;
            w.changed(action, &account, centre.code.clone(), Some(&before), &after)?;
            Ok(after)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::seeded;
    use crate::model::Text;

    /// D6: a code that reads as one the account holds by the look-alike
    /// reading of names (`0` as `O`, `1` as `l`) is refused, exit 4,
    /// naming the one it looks like, archived or not; another account's
    /// codes and codes that only share letters are no matter.
    #[test]
    fn a_code_that_reads_as_another_of_the_account_is_refused() {
        let mut p = seeded("portal");
        p.cost_centre_create("OPS", &Text::from("Operations"), Some("Acme"))
            .expect("OPS");
        p.cost_centre_create("CCl", &Text::from("Clients"), Some("Acme"))
            .expect("CCl");
        p.cost_centre_change("CCl", None, Some("Acme"))
            .expect("archived");
        for (code, held) in [
            ("0PS", "OPS"),
            ("0ps", "OPS"),
            ("CC1", "CCl"),
            ("CCI", "CCl"),
        ] {
            let e = p
                .cost_centre_create(code, &Text::from("Other"), Some("Acme"))
                .expect_err(code);
            assert_eq!(e.exit_code(), 4, "{code}: {e}");
            assert!(
                e.to_string().contains(&format!(
                    "cost centre code `{code}` looks like the existing cost centre `{held}`"
                )),
                "{code}: {e}"
            );
        }
        p.cost_centre_create("OPS2", &Text::from("Other ops"), Some("Acme"))
            .expect("a code of its own");
        assert_eq!(
            p.cost_centre_list(Some("Acme"))
                .expect("list")
                .iter()
                .map(|c| c.code.as_str())
                .collect::<Vec<_>>(),
            ["CCl", "OPS", "OPS2"]
        );
    }
}
