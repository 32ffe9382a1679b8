//! Database settings an admin sets: who email comes from, where support
//! notices go, and how delivery retries. Only the operator reads or
//! changes them: they decide where the portal's mail goes.

use std::collections::BTreeMap;

use chrono::Duration;
use serde_json::json;

use super::access::ensure_operator;
use super::audit::Change;
use super::{Catalog, Portal};
use crate::error::{Error, Result};
use crate::model::{Email, Mailbox};
use crate::store::Tx;
use crate::view::SettingView;

/// The sender of every email; `outbox send` needs it.
pub(crate) const MAIL_FROM: &str = "mail-from";
/// Where notices for the portal's support team go (duplicate contacts).
pub(crate) const SUPPORT_EMAIL: &str = "support-email";
/// How many refused attempts an email gets before it is marked failed.
pub(crate) const MAIL_MAX_ATTEMPTS: &str = "mail-max-attempts";
/// The wait after the first refused attempt; it doubles after each one.
pub(crate) const MAIL_RETRY_AFTER: &str = "mail-retry-after";

/// Attempts an email gets unless `mail-max-attempts` says otherwise.
const DEFAULT_MAX_ATTEMPTS: u32 = 5;
/// The first back-off unless `mail-retry-after` says otherwise.
const DEFAULT_RETRY_AFTER: &str = "5m";
/// The most attempts one may allow: past that, a refusal is not transient.
const MOST_ATTEMPTS: u32 = 100;
/// The longest first back-off one may set.
const LONGEST_RETRY_AFTER_DAYS: i64 = 7;

/// A setting an admin may set.
struct Known {
    key: &'static str,
    about: &'static str,
    default: Option<&'static str>,
    /// Checks a value and returns it as it is stored.
    check: fn(&str) -> Result<String>,
}

const KNOWN: &[Known] = &[
    Known {
        key: MAIL_FROM,
        about: "the sender of every email, `Name <address>` or an address; needed by `outbox send`",
        default: None,
        check: |v| Ok(v.parse::<Mailbox>()?.to_string()),
    },
    Known {
        key: SUPPORT_EMAIL,
        about: "where notices for support go (a contact flagged as a duplicate)",
        default: None,
        check: |v| Ok(v.parse::<Email>()?.to_string()),
    },
    Known {
        key: MAIL_MAX_ATTEMPTS,
        about: "refused attempts before an email is marked failed",
        default: Some("5"),
        check: |v| Ok(max_attempts(v)?.to_string()),
    },
    Known {
        key: MAIL_RETRY_AFTER,
        about: "the wait after the first refused attempt, doubled after each up to a day (a wait set longer stays as set)",
        default: Some(DEFAULT_RETRY_AFTER),
        check: |v| {
            retry_after(v)?;
            Ok(v.trim().to_string())
        },
    },
];

fn max_attempts(text: &str) -> Result<u32> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MOST_ATTEMPTS).contains(n))
        .ok_or_else(|| {
            Error::invalid(format!(
                "`{}` is not a number of attempts from 1 to {MOST_ATTEMPTS}",
                text.trim()
            ))
        })
}

fn retry_after(text: &str) -> Result<Duration> {
    crate::model::parse_duration(text)
        .ok()
        .filter(|d| *d >= Duration::seconds(1) && *d <= Duration::days(LONGEST_RETRY_AFTER_DAYS))
        .ok_or_else(|| {
            Error::invalid(format!(
                "`{}` is not a wait from 1s to {LONGEST_RETRY_AFTER_DAYS}d",
                text.trim()
            ))
            .help("write it like 30s, 5m or 1h")
        })
}

fn known(key: &str) -> Result<&'static Known> {
    let key = key.trim();
    KNOWN.iter().find(|k| k.key == key).ok_or_else(|| {
        let keys: Vec<&str> = KNOWN.iter().map(|k| k.key).collect();
        Error::invalid(format!("unknown setting `{key}`"))
            .help(format!("settings are: {}", keys.join(", ")))
    })
}

fn view(tx: &dyn Tx, k: &Known) -> Result<SettingView> {
    Ok(SettingView {
        key: k.key.to_string(),
        value: tx.setting(k.key)?,
        default: k.default.map(str::to_string),
        about: k.about.to_string(),
    })
}

/// A setting as a fixture gives it, read as `settings set` reads it: the
/// key as known, and the value as it would be stored. Refused in that
/// command's words (an unknown key, a value it would refuse).
pub(crate) fn checked(key: &str, value: &str) -> Result<(&'static str, String)> {
    let k = known(key)?;
    Ok((k.key, (k.check)(value)?))
}

/// A setting's key as a fixture gives it, for one the file unsets
/// (`null`): the key as known, refused as `settings unset` refuses one.
pub(crate) fn checked_key(key: &str) -> Result<&'static str> {
    Ok(known(key)?.key)
}

/// Whether unsetting `key` would change the database: only a value
/// stored is removed (and audited), as by `settings unset`; the value it
/// held is returned.
pub(crate) fn stored_setting(tx: &dyn Tx, key: &str) -> Result<Option<String>> {
    tx.setting(known(key)?.key)
}

/// What setting `key` to `stored` (as [`checked`] gives it) would change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SettingChange {
    /// It holds that value already: set so, or unset with that as its
    /// default, which applies alike.
    Unchanged,
    /// It would be set, over the value stored before (none when unset).
    Set(Option<String>),
}

/// What setting `key` to `stored` would change (see [`SettingChange`]).
/// Values compare as stored, so a value an export writes applies to its
/// copy as it reads there.
pub(crate) fn setting_change(tx: &dyn Tx, key: &str, stored: &str) -> Result<SettingChange> {
    let k = known(key)?;
    let now = tx.setting(k.key)?;
    let held = now.as_deref().or(k.default);
    Ok(if held == Some(stored) {
        SettingChange::Unchanged
    } else {
        SettingChange::Set(now)
    })
}

/// The settings set to other than their default, by key: what `export`
/// writes, so that a copy holds them too and an export of a new database
/// lists none.
pub(crate) fn set_settings(tx: &dyn Tx) -> Result<BTreeMap<String, String>> {
    let mut set = BTreeMap::new();
    for k in KNOWN {
        if let Some(value) = tx.setting(k.key)?.filter(|v| Some(v.as_str()) != k.default) {
            set.insert(k.key.to_string(), value);
        }
    }
    Ok(set)
}

/// Each setting's key, what it is for and its default: what the fixture
/// schema describes.
pub(crate) fn described() -> impl Iterator<Item = (&'static str, &'static str, Option<&'static str>)>
{
    KNOWN.iter().map(|k| (k.key, k.about, k.default))
}

/// How `outbox send` delivers: read once per run.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    /// The sender.
    pub from: Mailbox,
    /// Refused attempts before an email is marked failed.
    pub max_attempts: i64,
    /// The first back-off.
    pub retry_after: Duration,
}

impl Delivery {
    /// The delivery settings; refused while `mail-from` is not set.
    pub(crate) fn load(tx: &dyn Tx) -> Result<Delivery> {
        let from = tx.setting(MAIL_FROM)?.ok_or_else(|| {
            Error::conflict("no sender is set: email cannot be sent without one").help(
                "set it with `portalctl settings set mail-from \"Acme Portal <portal@acme.test>\"`",
            )
        })?;
        let max = match tx.setting(MAIL_MAX_ATTEMPTS)? {
            Some(v) => max_attempts(&v)?,
            None => DEFAULT_MAX_ATTEMPTS,
        };
        let wait = tx
            .setting(MAIL_RETRY_AFTER)?
            .unwrap_or_else(|| DEFAULT_RETRY_AFTER.into());
        Ok(Delivery {
            from: from.parse()?,
            max_attempts: i64::from(max),
            retry_after: retry_after(&wait)?,
        })
    }
}

/// The support address, if one is set.
pub(super) fn support_email(tx: &dyn Tx) -> Result<Option<Email>> {
    tx.setting(SUPPORT_EMAIL)?.map(|v| v.parse()).transpose()
}

impl Portal {
    /// The settings an admin may set, or the one named, with their values.
    pub(crate) fn settings_show(&mut self, key: Option<&str>) -> Result<Vec<SettingView>> {
        ensure_operator(&self.ctx, "read the settings")?;
        let tx = self.gate.read(self.ctx.now)?;
        Catalog::load(&*tx)?;
        match key {
            Some(key) => Ok(vec![view(&*tx, known(key)?)?]),
            None => KNOWN.iter().map(|k| view(&*tx, k)).collect(),
        }
    }

    /// Sets a setting after checking its value.
    pub(crate) fn settings_set(&mut self, key: &str, value: &str) -> Result<SettingView> {
        ensure_operator(&self.ctx, "change the settings")?;
        self.write(|w| {
            w.catalog()?;
            let k = known(key)?;
            let stored = (k.check)(value)?;
            let before = w.tx.setting(k.key)?;
            w.tx.put_setting(k.key, &stored)?;
            w.record(Change {
                action: "settings.set",
                account: None,
                target: Some(k.key.to_string()),
                before: Some(json!({ "value": before }).into()),
                after: Some(json!({ "value": stored }).into()),
            });
            view(w.tx, k)
        })
    }

    /// Returns a setting to unset: its default applies again, or, for
    /// one without a default (`mail-from`, `support-email`), none is
    /// set. Unsetting `mail-from` stops `outbox send` until one is set,
    /// as in a new database. A setting already unset is left as it is
    /// and nothing is recorded.
    pub(crate) fn settings_unset(&mut self, key: &str) -> Result<SettingView> {
        ensure_operator(&self.ctx, "change the settings")?;
        self.write(|w| {
            w.catalog()?;
            let k = known(key)?;
            let Some(before) = w.tx.setting(k.key)? else {
                return view(w.tx, k);
            };
            w.tx.delete_setting(k.key)?;
            w.record(Change {
                action: "settings.unset",
                account: None,
                target: Some(k.key.to_string()),
                before: Some(json!({ "value": before }).into()),
                after: Some(json!({ "value": null }).into()),
            });
            view(w.tx, k)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{email, seeded};
    use super::super::Actor;
    use super::*;

    #[test]
    fn settings_are_checked_stored_and_shown() {
        let mut p = seeded("portal");
        let set = p
            .settings_set("mail-from", " Acme Portal <Portal@Acme.test> ")
            .expect("set");
        assert_eq!(set.value.as_deref(), Some("Acme Portal <portal@acme.test>"));
        for (key, bad) in [
            ("mail-from", "Evil\r\nBcc: x@y.test <portal@acme.test>"),
            ("support-email", "not-an-email"),
            ("mail-max-attempts", "0"),
            ("mail-retry-after", "forever"),
            ("colour", "blue"),
        ] {
            let e = p.settings_set(key, bad).expect_err(key);
            assert_eq!(e.exit_code(), 2, "{key}: {e}");
        }
        let all = p.settings_show(None).expect("show");
        assert_eq!(all.len(), KNOWN.len());
        let attempts = p.settings_show(Some("mail-max-attempts")).expect("show");
        assert_eq!(attempts[0].value, None);
        assert_eq!(attempts[0].default.as_deref(), Some("5"));
    }

    /// Unset, a setting's default applies again; an optional one is none.
    #[test]
    fn unset_returns_a_setting_to_its_default() {
        let mut p = seeded("portal");
        p.settings_set("mail-from", "portal@acme.test")
            .expect("set");
        p.settings_set("support-email", "help@acme.test")
            .expect("set");
        p.settings_set("mail-max-attempts", "9").expect("set");
        let unset = p.settings_unset("support-email").expect("unset");
        assert_eq!(unset.value, None);
        let tx = p.gate.read(p.ctx.now).expect("reads");
        assert_eq!(support_email(&*tx).expect("reads"), None);
        assert_eq!(Delivery::load(&*tx).expect("loads").max_attempts, 9);
        drop(tx);
        p.settings_unset(" mail-max-attempts ").expect("unset");
        let tx = p.gate.read(p.ctx.now).expect("reads");
        assert_eq!(
            Delivery::load(&*tx).expect("loads").max_attempts,
            i64::from(DEFAULT_MAX_ATTEMPTS)
        );
        drop(tx);
        p.settings_unset("mail-from").expect("unset");
        let tx = p.gate.read(p.ctx.now).expect("reads");
        assert_eq!(Delivery::load(&*tx).expect_err("no sender").exit_code(), 4);
        drop(tx);
        assert_eq!(
            p.settings_unset("colour").expect_err("unknown").exit_code(),
            2
        );
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        assert_eq!(
            p.settings_unset("mail-retry-after")
                .expect_err("member")
                .exit_code(),
            5
        );
    }

    #[test]
    fn only_the_operator_touches_settings() {
        let mut p = seeded("portal");
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        assert_eq!(
            p.settings_set("mail-from", "portal@acme.test")
                .expect_err("member")
                .exit_code(),
            5
        );
        assert_eq!(p.settings_show(None).expect_err("member").exit_code(), 5);
    }
}
