//! The outbox: emails queued by changes, waiting for delivery.

use super::{Actor, Catalog, Portal};
use crate::error::{Error, Result};
use crate::model::OutboxMessage;

impl Portal {
    /// Queued emails, oldest first. Only the operator reads the outbox:
    /// undelivered invitations carry their acceptance tokens.
    pub fn outbox_list(&mut self, unsent_only: bool) -> Result<Vec<OutboxMessage>> {
        if matches!(self.ctx.actor, Actor::Member(_)) {
            return Err(Error::denied(
                "only the operator can read the outbox: it holds invitation tokens",
            )
            .help("run without --as / PORTALCTL_AS"));
        }
        let tx = self.gate.read()?;
        Catalog::load(&*tx)?;
        tx.messages(unsent_only)
    }
}
