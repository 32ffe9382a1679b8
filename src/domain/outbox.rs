//! The outbox: emails queued by changes, waiting for delivery.

use super::{Catalog, Portal};
use crate::error::Result;
use crate::model::OutboxMessage;

impl Portal {
    /// Queued emails, oldest first. Only the operator reads the outbox:
    /// undelivered invitations carry their acceptance tokens.
    pub(crate) fn outbox_list(&mut self, unsent_only: bool) -> Result<Vec<OutboxMessage>> {
        // Undelivered invitations carry their acceptance tokens.
        super::access::ensure_operator(&self.ctx, "read the outbox")?;
        let tx = self.gate.read()?;
        Catalog::load(&*tx)?;
        tx.messages(unsent_only)
    }
}
