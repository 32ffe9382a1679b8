//! `man`: manual pages (roff) made from the clap definition by clap_mangen.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, CommandFactory as _};

use super::Session;
use crate::error::Result;

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write one page per command into this directory (`portalctl.1`,
    /// `portalctl-user-invite.1`, ...) instead of printing the top-level page.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub(crate) fn man(s: &Session, args: ManArgs) -> Result<()> {
    // The `help` subcommands clap adds are no commands of their own; the
    // tree is built with the setting, so it holds on every level.
    let cmd = super::whole(super::Cli::command().disable_help_subcommand(true));
    match args.dir {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut page)
                .context("rendering the manual page")?;
            s.out.raw(&String::from_utf8_lossy(&page))
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("creating `{}`", dir.display()))?;
            // Built (above), so that each page is named after its full
            // command and lists the global options too.
            clap_mangen::generate_to(cmd, &dir)
                .with_context(|| format!("writing manual pages to `{}`", dir.display()))?;
            s.out.note(&format!(
                "wrote one manual page per command to `{}`",
                dir.display()
            ));
            Ok(())
        }
    }
}
