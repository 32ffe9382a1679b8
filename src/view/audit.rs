//! How the audit log and the outbox print as rows.

use super::{opt, opt_time};
use crate::model::{AuditEvent, OutboxMessage};
use crate::output::Row;

impl Row for AuditEvent {
    fn headers() -> &'static [&'static str] {
        &["SEQ", "AT", "ACTOR", "ACTION", "ACCOUNT", "TARGET"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.seq.to_string(),
            self.at.to_string(),
            self.actor.clone(),
            self.action.clone(),
            opt(&self.account),
            opt(&self.target),
        ]
    }
}

impl Row for OutboxMessage {
    fn headers() -> &'static [&'static str] {
        &["ID", "QUEUED", "TO", "SUBJECT", "SENT"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.created_at.to_string(),
            self.recipient.clone(),
            self.subject.clone(),
            opt_time(self.sent_at),
        ]
    }
}
