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

/// Asks for a value typed on the terminal, asking again while `check`
/// refuses it (its message shown); returns the value accepted, trimmed.
pub(crate) fn input(question: &str, check: impl Fn(&str) -> Result<()>) -> Result<String> {
    let answer: String = dialoguer::Input::new()
        .with_prompt(question)
        .validate_with(|text: &String| check(text.trim()).map_err(|e| e.to_string()))
        .interact_text()
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("cannot read the answer")))?;
    Ok(answer.trim().to_string())
}
