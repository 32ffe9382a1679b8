//! `status`.

use super::Session;
use crate::domain::{damaged_status, verdict};
use crate::error::{Outcome, Result};

/// Prints which database this is and how it stands; a file that fails its
/// integrity check (one too damaged to open included) or a broken audit
/// chain fails the command with one `error:` line, after the whole report,
/// so that a health check can rely on the exit code.
pub(crate) fn status(s: &Session) -> Result<Outcome> {
    let path = s.db_path()?;
    // Damage found opening the file or reading what `status` counts is
    // reported alike.
    let view = match s.portal().and_then(|mut portal| portal.status(&path)) {
        Ok(view) => view,
        Err(e) => damaged_status(&path, &e).ok_or(e)?,
    };
    s.out.item(&view)?;
    match verdict(&view) {
        Some(refusal) => Err(refusal),
        None => Ok(Outcome::Done),
    }
}
