//! `course`.

use clap::Subcommand;

use super::Session;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub(crate) enum CourseCommand {
    /// List the courses of the catalog and the roles enrolled in each.
    List,
}

pub(crate) fn run(s: &Session, cmd: CourseCommand) -> Result<()> {
    let mut portal = s.portal()?;
    match cmd {
        CourseCommand::List => s.out.list(&portal.course_list()?),
    }
}
