//! `course`.

use clap::{ArgGroup, Args, Subcommand};

use super::{AccountArg, Session, TextArg};
use crate::domain::ProgressInput;
use crate::error::Result;
use crate::model::{Email, Percent, Text};

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum CourseCommand {
    /// List the courses of the catalog and the roles enrolled in each.
    List,
    /// Record a member's progress on a course they are enrolled in.
    ///
    /// Members record their own; recording someone else's needs
    /// `users.manage` in the account. Progress stays with the member and
    /// the course when an enrolment ends, and shows in `user courses`.
    Progress(ProgressArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("progress").required(true).args(["percent", "completed"])))]
pub(crate) struct ProgressArgs {
    /// The member.
    email: Email,
    /// The course, as `course list` names it.
    #[arg(value_parser = TextArg)]
    course: Text,
    /// How far they are, a whole percentage from 0 to 100 (100 completes it).
    #[arg(long, value_name = "PERCENT", allow_hyphen_values = true)]
    percent: Option<Percent>,
    /// They completed the course (100%, completed now).
    #[arg(long)]
    completed: bool,
    #[command(flatten)]
    account: AccountArg,
}

pub(crate) fn run(s: &Session, cmd: CourseCommand) -> Result<()> {
    let mut portal = s.portal()?;
    match cmd {
        CourseCommand::List => s.out.list(&portal.course_list()?, "courses"),
        CourseCommand::Progress(a) => {
            let input = match a.percent {
                Some(p) => ProgressInput::Percent(p),
                None => ProgressInput::Completed,
            };
            s.out
                .change(&portal.course_progress(&a.email, &a.course, a.account.name(), input)?)
        }
    }
}
