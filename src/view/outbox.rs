//! How the outbox, a delivery run and the settings print.

use serde::Serialize;

use super::{opt, opt_time};
use crate::model::OutboxMessage;
use crate::output::{Fields, Row};

impl Row for OutboxMessage {
    fn headers() -> &'static [&'static str] {
        &[
            "ID", "TO", "KIND", "STATE", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR", "SUBJECT",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.recipient.clone(),
            self.kind.clone(),
            // Why it was cancelled is part of where it stands, not an
            // error of an attempt.
            match self.cancelled_reason() {
                Some(why) => format!("{} ({why})", self.state),
                None => self.state.to_string(),
            },
            self.attempts.to_string(),
            opt_time(self.next_attempt_at),
            opt(&self.error().map(str::to_string)),
            self.subject.clone(),
        ]
    }
}

/// What one `outbox send` run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct SendView {
    /// Where the emails went: the SMTP server (never its password) or the
    /// directory.
    pub via: String,
    /// Accepted by the server, or written as files.
    pub sent: usize,
    /// Refused this time, to be tried again after their back-off.
    pub retry_later: usize,
    /// Refused on their last attempt allowed.
    pub failed: usize,
    /// Not sent because their invitation had ended or expired.
    pub cancelled: usize,
    /// Still pending after the run (waiting for their back-off, or past
    /// `--limit`).
    pub pending: usize,
}

impl Fields for SendView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("via", self.via.clone()),
            ("sent", self.sent.to_string()),
            ("retry later", self.retry_later.to_string()),
            ("failed", self.failed.to_string()),
            ("cancelled", self.cancelled.to_string()),
            ("still pending", self.pending.to_string()),
        ]
    }
}

/// One setting with its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct SettingView {
    /// Its name, such as `mail-from`.
    pub key: String,
    /// Its value, if set.
    pub value: Option<String>,
    /// What applies while it is not set.
    pub default: Option<String>,
    /// What it is for.
    pub about: String,
}

impl Row for SettingView {
    fn headers() -> &'static [&'static str] {
        &["KEY", "VALUE", "ABOUT"]
    }
    fn cells(&self) -> Vec<String> {
        let value = match (&self.value, &self.default) {
            (Some(v), _) => v.clone(),
            (None, Some(d)) => format!("{d} (default)"),
            (None, None) => "-".into(),
        };
        vec![self.key.clone(), value, self.about.clone()]
    }
}
