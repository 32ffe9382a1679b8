//! `status`.

use super::Session;
use crate::error::{Outcome, Result};

/// Prints which database this is and how it stands; a file that fails its
/// integrity check or a broken audit chain fails the command, after the
/// whole report, so that a health check can rely on the exit code.
pub(crate) fn status(s: &Session) -> Result<Outcome> {
    let path = s.db_path()?;
    let mut portal = s.portal()?;
    let view = portal.status(&path)?;
    s.out.item(&view)?;
    Ok(if view.audit_chain_ok && view.integrity_ok {
        Outcome::Done
    } else {
        Outcome::Unsound
    })
}
