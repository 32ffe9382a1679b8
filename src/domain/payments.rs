//! Payment details of an account. Setting them needs `billing.payment`;
//! reading them `billing.view`. An IBAN is only ever shown, and written to
//! the audit log, masked but for its last four characters.

use super::access::{authorize_any, caps};
use super::{resolve_account, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{Account, Iban, PaymentDetails, PaymentMethod};
use crate::store::Tx;
use crate::view::PaymentView;

fn payment_view(tx: &dyn Tx, account: &Account) -> Result<PaymentView> {
    let details = tx.payment_details(account.id)?;
    Ok(PaymentView {
        account: account.name.clone(),
        method: details.as_ref().map(|d| d.method.to_string()),
        iban_masked: details
            .as_ref()
            .and_then(|d| d.iban.as_ref())
            .map(Iban::masked),
        updated_at: details.map(|d| d.updated_at),
    })
}

/// Who reads an account's payment details, any one of these: the log
/// shows payment events by the same rule (see `log_sight`).
pub(super) const PAYMENT_READERS: [crate::model::Capability; 2] =
    [caps::BILLING_VIEW, caps::BILLING_PAYMENT];

/// The actor as a reader of `account`'s payment details (`account
/// payment show`), or refused as one; the log shows their events by
/// this rule.
pub(super) fn reads_payment(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<()> {
    authorize_any(
        tx, catalog, ctx, account, &PAYMENT_READERS, "see payment details",
    )
    .map(|_| ())
}

impl Portal {
    /// Sets how the account pays. A direct debit needs an IBAN; a bank
    /// transfer may keep one (for refunds); card and invoice take none.
    /// The details given replace the previous ones whole.
    pub(crate) fn payment_set(
        &mut self,
        account: Option<&str>,
        method: PaymentMethod,
        iban: Option<Iban>,
    ) -> Result<PaymentView> {
        self.write(|w| {
            let tx = w.tx;
            let account = w.account(account, caps::BILLING_PAYMENT)?;
            match (method, &iban) {
                (PaymentMethod::DirectDebit, None) => {
                    return Err(
                        Error::invalid("a direct debit needs the bank account").help("pass --iban")
                    )
                }
                (PaymentMethod::Card | PaymentMethod::Invoice, Some(_)) => {
                    return Err(Error::invalid(format!(
                        "payment by {method} takes no bank account"
                    ))
                    .help("leave out --iban, or use direct-debit or bank-transfer"))
                }
                _ => {}
            }
            let before = payment_view(tx, &account)?;
            let unchanged = tx
                .payment_details(account.id)?
                .is_some_and(|d| d.method == method && d.iban == iban);
            if unchanged {
                return Ok(before);
            }
            tx.put_payment_details(&PaymentDetails {
                account_id: account.id,
                method,
                iban,
                updated_at: w.ctx.now,
            })?;
            let after = payment_view(tx, &account)?;
            w.changed(
                "account.payment_set",
                &account,
                account.name.clone(),
                Some(&before),
                &after,
            )?;
            Ok(after)
        })
    }

    /// The account's payment details, masked; needs `billing.view` (or
    /// `billing.payment`).
    pub(crate) fn payment_show(&mut self, account: Option<&str>) -> Result<PaymentView> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let reads = |a: &Account| reads_payment(&*tx, &catalog, &self.ctx, a);
        let account = resolve_account(&*tx, &self.ctx, account, None, reads)?;
        reads(&account)?;
        payment_view(&*tx, &account)
    }
}
