//! "Did you mean": the valid value closest to a mistyped one, offered the
//! way clap offers a subcommand (`--role admn` → `admin`).

/// How alike (Jaro, 0 to 1) a value must be to a valid one to be offered
/// as its typo: clap's own threshold for subcommands and flags.
const ALIKE: f64 = 0.7;

/// How much less alike than the closest another candidate may be and
/// still be offered beside it.
const NEARLY: f64 = 0.03;

/// The candidate most like `typed`, if it is alike enough to be the value
/// meant; `None` for an exact match's absence with nothing close.
pub(crate) fn closest<'a>(
    typed: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let typed = typed.trim().to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro(&typed, &c.to_lowercase()), c))
        .filter(|(score, _)| *score > ALIKE)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Up to `most` candidates alike enough to `typed` to be the value meant
/// and nearly as alike as the closest, the most alike first: in a long
/// list of similar names (`user.revoke`, `user.revoke_invite`) the
/// closest alone may not be the one meant, and every name over the
/// threshold would bury it.
pub(crate) fn closest_few<'a>(
    typed: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    most: usize,
) -> Vec<&'a str> {
    let typed = typed.trim().to_lowercase();
    let mut alike: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::jaro(&typed, &c.to_lowercase()), c))
        .filter(|(score, _)| *score > ALIKE)
        .collect();
    alike.sort_by(|a, b| b.0.total_cmp(&a.0));
    let best = alike.first().map_or(0.0, |a| a.0);
    let mut few: Vec<&str> = Vec::new();
    for (score, c) in alike {
        if few.len() == most || score < best - NEARLY {
            break;
        }
        if !few.contains(&c) {
            few.push(c);
        }
    }
    few
}

/// `help` led by `did you mean `X`? ` when a candidate is like `typed`:
/// the suggestion first, the list of valid values kept after it.
pub(crate) fn did_you_mean<'a>(
    typed: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    help: impl Into<String>,
) -> String {
    let help = help.into();
    match closest(typed, candidates) {
        Some(meant) => format!("did you mean `{meant}`? {help}"),
        None => help,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_finds_the_value_meant_and_nonsense_finds_none() {
        let roles = ["admin", "manager", "user", "no-access"];
        assert_eq!(closest("admn", roles), Some("admin"));
        assert_eq!(closest("Manger", roles), Some("manager"));
        assert_eq!(closest("xyz", roles), None);
        assert_eq!(closest("", roles), None);
        assert_eq!(
            did_you_mean(
                "actve",
                ["invited", "active"],
                "use one of: invited, active"
            ),
            "did you mean `active`? use one of: invited, active"
        );
        assert_eq!(
            did_you_mean("zzz", ["active"], "use one of: active"),
            "use one of: active"
        );
    }

    #[test]
    fn a_few_nearly_as_alike_are_offered_and_the_rest_left_out() {
        let actions = [
            "user.revoke", "user.revoke_invite", "order.place", "user.invite",
        ];
        assert_eq!(closest_few("user.revok", actions, 3), vec!["user.revoke"]);
        assert_eq!(closest_few("xyz", actions, 3), Vec::<&str>::new());
        assert_eq!(closest_few("user.revoke", actions, 0), Vec::<&str>::new());
    }
}
