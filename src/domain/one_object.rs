//! One audit event per object, however many commands change it.
//!
//! `apply` makes an object what its file says by the commands an admin
//! would run (`user edit`, `set-role`, `grant`, ...), each checked by the
//! gate as if run alone. Each would record its own event, yet the object
//! changed once: inside [`Portal::one_object`] the events about that
//! object are held back as the writes go through, and recorded as one
//! event when the scope ends, in the same batch, so they commit together
//! or not at all. Events about anything else pass through as they are.
//!
//! A scope may be about one object ([`Object::new`]) or about every
//! object of a kind in an account ([`Object::each`]): an account's orders,
//! which several of its entries change (each policy's edit re-evaluates
//! the orders it holds, and a prune disabling a policy releases them).
//! The latter holds each such object's events apart and records one
//! event per object. Scopes nest: the innermost scope about an object
//! takes its events, and what it records when it ends goes to the scopes
//! around it, which may merge it again (its steps then count as theirs).
//!
//! The merged event reads like any other: `before` is the first event's,
//! `after` the last's (the object as it is left), so whoever replays a
//! state from the last event up to a moment (`can --at`) finds it whole.
//! Its `after` also names the commands that ran, in order, under
//! [`STEPS`], and keeps what an earlier command noted about itself (such
//! as `external_ended`) beside the object's fields. Its action is the
//! creating command's for a new object (`user.invite`), the commands'
//! own when they were all the same, the last command's when every
//! earlier one was the scope's update (an order re-evaluated and then
//! released reads as `order.release`: that is what became of it), and
//! the scope's update action (`user.update`) otherwise. The hash covers
//! all of it as data, by the formula every new event is hashed with.

use serde_json::{Map, Value};

use super::audit::Change;
use super::{Actor, Portal};
use crate::error::Result;
use crate::model::CanonicalJson;

/// The key of a merged event's `after` that lists the commands it merges.
pub(crate) const STEPS: &str = "steps";

/// The object a [`Portal::one_object`] scope is about: its account and
/// its target as its events name them (a member's email, a policy's
/// name), or every target of a kind, and what a merged update of it is
/// called.
pub(crate) struct Object {
    account: String,
    targets: Targets,
    update: &'static str,
}

/// Which targets of its account a scope is about.
enum Targets {
    /// The one object named so.
    One(String),
    /// Every object whose target starts so (`order `), each on its own.
    Each(&'static str),
}

impl Object {
    /// `target` in the account named `account`, whose commands merge into
    /// `update` (such as `user.update`).
    pub(crate) fn new(
        account: impl Into<String>,
        target: impl Into<String>,
        update: &'static str,
    ) -> Object {
        Object {
            account: account.into(),
            targets: Targets::One(target.into()),
            update,
        }
    }

    /// Every object of the account named `account` whose target starts
    /// with `prefix` (`"order "`: its orders), each merged on its own into
    /// `update`.
    pub(crate) fn each(
        account: impl Into<String>,
        prefix: &'static str,
        update: &'static str,
    ) -> Object {
        Object {
            account: account.into(),
            targets: Targets::Each(prefix),
            update,
        }
    }

    fn is_about(&self, change: &Change) -> bool {
        let (Some(account), Some(target)) = (&change.account, &change.target) else {
            return false;
        };
        account.name == self.account
            && match &self.targets {
                Targets::One(one) => target == one,
                Targets::Each(prefix) => target.starts_with(prefix),
            }
    }
}

/// Changes of one object made in a row as one actor.
type Run = (Actor, Vec<Change>);

/// An open scope: its object, and the changes of it held back so far,
/// each with the actor its write was audited as.
pub(super) struct Held {
    object: Object,
    changes: Vec<(Actor, Change)>,
}

impl Held {
    /// Takes the changes about the scope's object out of `changes`, to be
    /// recorded when the scope ends; how many it took.
    pub(super) fn hold(&mut self, actor: &Actor, changes: &mut Vec<Change>) -> usize {
        let (about, other): (Vec<Change>, Vec<Change>) = std::mem::take(changes)
            .into_iter()
            .partition(|c| self.object.is_about(c));
        *changes = other;
        let held = about.len();
        self.changes
            .extend(about.into_iter().map(|c| (actor.clone(), c)));
        held
    }

    /// The events to record, object by object in the order each was first
    /// changed: each run of an object's changes made as one actor merged
    /// into one (an apply that places orders acts as their creators, so
    /// an event is never put in another's name).
    fn merged(self) -> Vec<(Actor, Change)> {
        let mut objects: Vec<(Option<String>, Vec<Run>)> = Vec::new();
        for (actor, change) in self.changes {
            let at = match objects.iter().position(|(t, _)| *t == change.target) {
                Some(at) => at,
                None => {
                    objects.push((change.target.clone(), Vec::new()));
                    objects.len() - 1
                }
            };
            let runs = &mut objects[at].1;
            match runs.last_mut() {
                Some((last, run)) if *last == actor => run.push(change),
                _ => runs.push((actor, vec![change])),
            }
        }
        let update = self.object.update;
        objects
            .into_iter()
            .flat_map(|(_, runs)| runs)
            .filter_map(|(actor, run)| merge(run, update).map(|c| (actor, c)))
            .collect()
    }
}

impl Portal {
    /// Runs `work`, the commands that change one object (or the objects
    /// of a kind, see [`Object::each`]), as one batch whose events about
    /// `object` are recorded as one per object (see the module's doc).
    /// Every write inside is still checked by the gate; a refusal
    /// anywhere rolls the whole back.
    pub(crate) fn one_object<T>(
        &mut self,
        object: Object,
        work: impl FnOnce(&mut Portal) -> Result<T>,
    ) -> Result<T> {
        self.batch(true, |p| {
            p.held.push(Held {
                object,
                changes: Vec::new(),
            });
            let out = work(p);
            // Taken before anything can fail, so no scope outlives its
            // batch; a scope inside `work` took its own off the same way.
            let held = p.held.pop();
            let out = out?;
            // Recorded with this scope closed: what it merged goes to the
            // scopes around it, if any is about the same object.
            for (actor, change) in held.map(Held::merged).unwrap_or_default() {
                p.record_as(actor, change)?;
            }
            Ok(out)
        })
    }

    /// Records `change` as `actor` did it, through the gate like any write.
    fn record_as(&mut self, actor: Actor, change: Change) -> Result<()> {
        let acting = std::mem::replace(&mut self.ctx.actor, actor);
        let done = self.write(|w| {
            w.record(change);
            Ok(())
        });
        self.ctx.actor = acting;
        done
    }
}

/// The commands `change` stands for: its own, or the steps of an event
/// that a scope inside merged already.
fn steps_of(change: &Change) -> Vec<Value> {
    let after = change.after.as_ref().map(CanonicalJson::to_value);
    match after.as_ref().and_then(|a| a.get(STEPS)) {
        Some(Value::Array(steps)) => steps.clone(),
        _ => vec![Value::from(change.action)],
    }
}

/// One event for a run of changes of one object, in order; `None` when
/// the run is empty or leaves the object as it found it.
fn merge(mut run: Vec<Change>, update: &'static str) -> Option<Change> {
    if run.len() < 2 {
        return run.pop();
    }
    let steps: Vec<Value> = run.iter().flat_map(steps_of).collect();
    let actions: Vec<&'static str> = run.iter().map(|c| c.action).collect();
    let notes = notes(&run);
    let first = run.remove(0);
    let last = run.pop()?;
    let action = if first.before.is_none() || actions.iter().all(|a| *a == first.action) {
        first.action
    } else if actions[..actions.len() - 1].iter().all(|a| *a == update) {
        // Updates that ended in something else: what became of it.
        last.action
    } else {
        update
    };
    if first.before.is_some() && first.before == last.after && notes.is_empty() {
        return None;
    }
    let mut after = last.after.as_ref().map(CanonicalJson::to_value);
    if let Some(Value::Object(fields)) = &mut after {
        for (key, earlier) in notes {
            match (fields.get_mut(&key), earlier) {
                (None, earlier) => {
                    fields.insert(key, earlier);
                }
                (Some(Value::Array(later)), Value::Array(mut earlier)) => {
                    earlier.append(later);
                    *later = earlier;
                }
                // The last command's own note says the last word.
                (Some(_), _) => {}
            }
        }
        fields.insert(STEPS.to_string(), steps.into());
    }
    Some(Change {
        action,
        account: first.account,
        target: first.target,
        before: first.before,
        after: after.map(CanonicalJson::from),
    })
}

/// What the commands before the last noted about themselves: the fields
/// of a command's `after` that the next command's `before` lacks are no
/// part of the object (it reads the object afresh), such as the external
/// access a deactivation ended. Lists gather; anything else, the latest.
fn notes(run: &[Change]) -> Map<String, Value> {
    let mut notes = Map::new();
    for pair in run.windows(2) {
        let [after, next] =
            [&pair[0].after, &pair[1].before].map(|v| v.as_ref().map(CanonicalJson::to_value));
        let (Some(Value::Object(after)), Some(Value::Object(next))) = (after, next) else {
            continue;
        };
        // The steps of an event merged already are no note: the merged
        // event lists every step afresh.
        let noted = after
            .iter()
            .filter(|(k, _)| !next.contains_key(*k) && *k != STEPS);
        for (key, value) in noted {
            match (notes.get_mut(key), value) {
                (Some(Value::Array(so_far)), Value::Array(more)) => {
                    so_far.extend(more.iter().cloned());
                }
                _ => {
                    notes.insert(key.clone(), value.clone());
                }
            }
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(action: &'static str, before: Option<Value>, after: Value) -> Change {
        Change {
            action,
            account: None,
            target: Some("ann@acme.test".into()),
            before: before.map(CanonicalJson::from),
            after: Some(after.into()),
        }
    }

    /// What an event's `before` or `after` reads as.
    fn value(json: &Option<CanonicalJson>) -> Option<Value> {
        json.as_ref().map(CanonicalJson::to_value)
    }

    #[test]
    fn a_run_of_updates_becomes_one_from_the_first_before_to_the_last_after() {
        let merged = merge(
            vec![
                change(
                    "user.edit",
                    Some(json!({"name": "A", "role": "user"})),
                    json!({"name": "B", "role": "user"}),
                ),
                change(
                    "user.set_role",
                    Some(json!({"name": "B", "role": "user"})),
                    json!({"name": "B", "role": "admin"}),
                ),
                change(
                    "user.grant",
                    Some(json!({"name": "B", "role": "admin"})),
                    json!({"name": "B", "role": "admin", "grants": ["x"]}),
                ),
            ],
            "user.update",
        )
        .expect("one event");
        assert_eq!(merged.action, "user.update");
        assert_eq!(
            value(&merged.before),
            Some(json!({"name": "A", "role": "user"}))
        );
        assert_eq!(
            value(&merged.after),
            Some(json!({
                "name": "B", "role": "admin", "grants": ["x"],
                "steps": ["user.edit", "user.set_role", "user.grant"]
            }))
        );
    }

    #[test]
    fn a_new_object_keeps_the_command_that_made_it_and_one_command_keeps_its_name() {
        let made = merge(
            vec![
                change("user.invite", None, json!({"role": "user"})),
                change(
                    "user.set_role",
                    Some(json!({"role": "user"})),
                    json!({"role": "admin"}),
                ),
            ],
            "user.update",
        )
        .expect("one event");
        assert_eq!((made.action, made.before), ("user.invite", None));
        let same = merge(
            vec![
                change("user.grant", Some(json!({"g": []})), json!({"g": ["a"]})),
                change(
                    "user.grant",
                    Some(json!({"g": ["a"]})),
                    json!({"g": ["a", "b"]}),
                ),
            ],
            "user.update",
        )
        .expect("one event");
        assert_eq!(same.action, "user.grant");
        let alone = change("user.grant", Some(json!({"g": []})), json!({"g": ["a"]}));
        let kept = merge(vec![alone], "user.update").expect("kept");
        assert_eq!(
            value(&kept.after),
            Some(json!({"g": ["a"]})),
            "nothing added to a single event"
        );
    }

    #[test]
    fn a_run_that_ends_where_it_began_records_nothing() {
        let back = merge(
            vec![
                change("user.grant", Some(json!({"g": []})), json!({"g": ["a"]})),
                change("user.revoke", Some(json!({"g": ["a"]})), json!({"g": []})),
            ],
            "user.update",
        );
        assert!(back.is_none());
        assert!(merge(Vec::new(), "user.update").is_none());
    }

    #[test]
    fn what_an_earlier_command_noted_is_kept_and_lists_gather() {
        let merged = merge(
            vec![
                change(
                    "user.set_role",
                    Some(json!({"role": "user"})),
                    json!({"role": "blocked", "external_ended": [{"customer": "A"}]}),
                ),
                change(
                    "user.deactivate",
                    Some(json!({"role": "blocked"})),
                    json!({"role": "blocked", "external_ended": [{"customer": "B"}], "services_handed_over": []}),
                ),
            ],
            "user.update",
        )
        .expect("one event");
        let after = value(&merged.after).expect("after");
        assert_eq!(
            after["external_ended"],
            json!([{"customer": "A"}, {"customer": "B"}])
        );
        assert_eq!(after["services_handed_over"], json!([]));
    }

    #[test]
    fn updates_that_end_in_another_command_read_as_that_command() {
        let pending = json!({"status": "pending", "held": ["a", "b"]});
        let merged = merge(
            vec![
                change(
                    "order.reevaluate",
                    Some(pending),
                    json!({"status": "pending", "held": ["b"]}),
                ),
                change(
                    "order.release",
                    Some(json!({"status": "pending", "held": ["b"]})),
                    json!({"status": "approved", "held": []}),
                ),
            ],
            "order.reevaluate",
        )
        .expect("one event");
        assert_eq!(merged.action, "order.release");
        assert_eq!(
            value(&merged.before),
            Some(json!({"status": "pending", "held": ["a", "b"]}))
        );
        assert_eq!(
            value(&merged.after),
            Some(json!({"status": "approved", "held": [],
                        "steps": ["order.reevaluate", "order.release"]}))
        );
    }

    #[test]
    fn a_scope_of_each_object_merges_each_on_its_own_and_an_event_merged_inside_keeps_its_steps() {
        let account = crate::model::Account {
            id: 1,
            name: "Acme Ltd".into(),
            kind: crate::model::AccountKind::Customer,
            parent_id: None,
            currency: "GBP".into(),
            owner_id: None,
            profile: crate::model::Profile::default(),
            created_at: "2026-11-25T10:00:00Z".parse().expect("a time"),
        };
        let about = |action: &'static str, target: &str, before: Value, after: Value| Change {
            action,
            account: Some(account.clone()),
            target: Some(target.into()),
            before: Some(before.into()),
            after: Some(after.into()),
        };
        let mut held = Held {
            object: Object::each("Acme Ltd", "order ", "order.reevaluate"),
            changes: Vec::new(),
        };
        let operator = Actor::Operator("root".into());
        let mut changes = vec![
            about(
                "order.reevaluate",
                "order 1",
                json!({"n": 0}),
                json!({"n": 1}),
            ),
            about(
                "order.reevaluate",
                "order 2",
                json!({"n": 0}),
                json!({"n": 1}),
            ),
            about("policy.edit", "Big", json!({"t": 1}), json!({"t": 2})),
        ];
        assert_eq!(held.hold(&operator, &mut changes), 2);
        assert_eq!(changes.len(), 1, "the policy's event passes");
        // An event a scope inside merged already.
        let mut more = vec![about(
            "order.release",
            "order 1",
            json!({"n": 1}),
            json!({"n": 3, "steps": ["order.reevaluate", "order.release"]}),
        )];
        held.hold(&operator, &mut more);
        let merged: Vec<(String, &str, Value)> = held
            .merged()
            .into_iter()
            .map(|(_, c)| {
                (
                    c.target.expect("target"),
                    c.action,
                    value(&c.after).expect("after"),
                )
            })
            .collect();
        assert_eq!(
            merged,
            [
                (
                    "order 1".to_string(),
                    "order.release",
                    json!({"n": 3, "steps": ["order.reevaluate", "order.reevaluate", "order.release"]})
                ),
                ("order 2".to_string(), "order.reevaluate", json!({"n": 1})),
            ]
        );
    }
}
