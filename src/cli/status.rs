//! `status`.

use super::Session;
use crate::error::Result;

/// Prints which database this is and how it stands.
pub(crate) fn status(s: &Session) -> Result<()> {
    let path = s.db_path()?;
    let mut portal = s.portal()?;
    s.out.item(&portal.status(&path)?)
}
