//! Confirmation prompts, asked only when a person is at the terminal.

use crate::error::{Error, Result};

/// Asks a yes/no question on the terminal; no is the default.
pub(crate) fn confirm(question: &str) -> Result<bool> {
    dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("cannot read the answer")))
}
