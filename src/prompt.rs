//! Prompts, asked only when a person is at the terminal.

use crate::error::{Error, Result};

/// Asks a yes/no question on the terminal; no is the default.
pub(crate) fn confirm(question: &str) -> Result<bool> {
    dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("cannot read the answer")))
}

/// Asks to pick one of `items` (arrow keys, Enter); the first is
/// highlighted to begin with. Returns the one picked.
pub(crate) fn pick(question: &str, items: &[String]) -> Result<String> {
    let index = dialoguer::Select::new()
        .with_prompt(question)
        .items(items)
        .default(0)
        .interact()
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("cannot read the answer")))?;
    Ok(items[index].clone())
}
