//! The outbox: emails queued by changes, and their delivery.
//!
//! `outbox send` never holds the write lock while it talks to a server.
//! Each email goes through two short transactions around the hand-over:
//!
//! 1. claim: the oldest due email is taken for a while (its next attempt
//!    moved a lease ahead, so a second run leaves it alone) and, for an
//!    invitation, a fresh token is minted into it; only the token's hash
//!    is stored, as a further token of the invitation;
//! 2. settle: after the hand-over, the email is marked sent, or the refusal
//!    is recorded with the next attempt time (exponential back-off), or it
//!    is marked failed after the last attempt allowed.
//!
//! A run killed between the two leaves the email pending: it is sent
//! again once the lease is over, so a message the server had accepted may
//! arrive twice, and none is ever skipped. Its token stays valid, as the
//! email carrying it may have arrived.

use chrono::Duration;
use serde_json::json;

use super::access::ensure_operator;
use super::audit::Change;
use super::gate::Write;
use super::invitations::{current_invitation_email, fill_token, new_token};
use super::settings::Delivery;
use super::{Catalog, Portal};
use crate::error::{Error, Result};
use crate::mail::{Mail, Mailer, NotReady, Undelivered};
use crate::model::{Account, InvitationState, OutboxMessage, OutboxState, Paste, Timestamp};
use crate::store::Tx;
use crate::view::SendView;

/// How long a run holds an email it has taken: past this, a run that
/// died holding it has its email sent by the next run. Longer than the
/// SMTP client's timeout, so a live run is never overtaken.
const CLAIM_LEASE_MINUTES: i64 = 15;
/// The longest the waits grow to by doubling, unless the first is longer.
const LONGEST_BACKOFF_HOURS: i64 = 24;

/// The wait after the `attempts`-th refused attempt: `first`, doubled
/// after each further one up to a day. A first wait set longer than a day
/// stays as set: the admin asked for it.
pub(crate) fn backoff(first: Duration, attempts: i64) -> Duration {
    let longest = Duration::hours(LONGEST_BACKOFF_HOURS).max(first);
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    first
        .checked_mul(2_i32.saturating_pow(doublings))
        .map_or(longest, |d| d.min(longest))
}

/// An email taken by a run, with the token minted into it.
struct Claimed {
    mail: Mail,
    /// The hash of the token in it, withdrawn if the email is refused.
    token_hash: Option<String>,
}

/// What the claim step found.
enum Claim {
    /// Nothing is due.
    Nothing,
    /// The email was not handed over but ended here: cancelled (its
    /// invitation ended or expired) or failed (it cannot carry a token).
    Ended(OutboxState),
    /// Ready to hand over.
    Send(Box<Claimed>),
}

/// The account an email is about, for its audit event: its invitation's.
fn account_of(tx: &dyn Tx, m: &OutboxMessage) -> Result<Option<Account>> {
    let Some(id) = m.invitation_id else {
        return Ok(None);
    };
    let Some(invitation) = tx.invitation(id)? else {
        return Ok(None);
    };
    let membership = tx.membership(invitation.membership_id)?;
    tx.account(membership.account_id).map(Some)
}

/// What an audit event shows of an email.
fn snapshot(m: &OutboxMessage) -> serde_json::Value {
    json!({
        "id": m.id,
        "kind": m.kind,
        "state": m.state,
        "attempts": m.attempts,
        "last_error": m.error(),
        "cancelled_reason": m.cancelled_reason(),
        "next_attempt_at": m.next_attempt_at,
        "sent_at": m.sent_at,
    })
}

/// Records the change of an email for the audit log.
fn record(
    w: &Write<'_>,
    action: &'static str,
    before: &OutboxMessage,
    after: &OutboxMessage,
) -> Result<()> {
    w.record(Change {
        action,
        account: account_of(w.tx, after)?,
        target: Some(after.recipient.clone()),
        before: Some(snapshot(before).into()),
        after: Some(snapshot(after).into()),
    });
    Ok(())
}

/// Why an invitation email can no longer be sent, if it cannot.
fn invitation_ended(tx: &dyn Tx, m: &OutboxMessage, now: Timestamp) -> Result<Option<String>> {
    let Some(id) = m.invitation_id else {
        return Ok(None);
    };
    let invitation = tx.invitation(id)?.ok_or_else(|| {
        anyhow::anyhow!("outbox email {} refers to missing invitation {id}", m.id)
    })?;
    Ok(match invitation.state {
        InvitationState::Pending if now >= invitation.expires_at => Some(format!(
            "the invitation expired at {}",
            invitation.expires_at
        )),
        InvitationState::Pending => None,
        InvitationState::Replaced => Some("the invitation was replaced by a newer one".into()),
        ended => Some(format!("the invitation was {ended}")),
    })
}

/// The email with this id, or "not found".
fn message(tx: &dyn Tx, id: i64) -> Result<OutboxMessage> {
    tx.message(id)?.ok_or_else(|| {
        Error::not_found(format!("no email `{id}` in the outbox"))
            .help("list them with `portalctl outbox list`")
    })
}

impl Portal {
    /// Queued emails, oldest first; only those in `state` if given. Only
    /// the operator reads the outbox: it says who is invited where.
    pub(crate) fn outbox_list(
        &mut self,
        state: Option<OutboxState>,
        limit: Option<u32>,
    ) -> Result<Vec<OutboxMessage>> {
        ensure_operator(&self.ctx, "read the outbox")?;
        let tx = self.gate.read(self.ctx.now)?;
        Catalog::load(&*tx)?;
        tx.messages(state, limit)
    }

    /// Delivers due emails through `mailer`, at most `limit`, oldest first.
    pub(crate) fn outbox_send(
        &mut self,
        mailer: &mut dyn Mailer,
        limit: Option<u32>,
    ) -> Result<SendView> {
        ensure_operator(&self.ctx, "send the outbox")?;
        let delivery = {
            let tx = self.gate.read(self.ctx.now)?;
            Catalog::load(&*tx)?;
            Delivery::load(&*tx)?
        };
        let mut report = SendView {
            via: mailer.destination(),
            ..SendView::default()
        };
        // A server that is down, or refuses the login, gets no email
        // claimed: nothing is touched, nothing is lost.
        mailer.ready(&delivery.from).map_err(|not| match not {
            NotReady::Down(why) => unreachable(&report, &why),
            NotReady::Misconfigured(why) => misconfigured(&report, &why),
            NotReady::Sender(why) => Error::invalid(format!(
                "cannot send through `{}`: {why}",
                report.via
            ))
            .help("nothing was sent and every email stays pending: set a `mail-from` with ASCII letters before the `@` (`portalctl settings set mail-from ...`), or send through a server that offers SMTPUTF8, and run `outbox send` again"),
        })?;
        let mut handed = 0;
        while limit.is_none_or(|l| handed < l) {
            let claimed = match self.write(|w| claim(w, &delivery))? {
                Claim::Nothing => break,
                Claim::Ended(OutboxState::Failed) => {
                    report.failed += 1;
                    continue;
                }
                Claim::Ended(_) => {
                    report.cancelled += 1;
                    continue;
                }
                Claim::Send(c) => c,
            };
            handed += 1;
            let outcome = mailer.deliver(&claimed.mail);
            let state = self.write(|w| settle(w, &delivery, &claimed, &outcome))?;
            match state {
                OutboxState::Sent => report.sent += 1,
                OutboxState::Failed => report.failed += 1,
                OutboxState::Pending => report.retry_later += 1,
                OutboxState::Cancelled => report.cancelled += 1,
            }
            // A broken exchange stops the run as a server that is down
            // does: the link cannot be trusted with the next email, and
            // what was not sent stays pending for the next run.
            if let Err(Undelivered::InDoubt(why)) = &outcome {
                report.pending = self.pending()?;
                return Err(unreachable(&report, why));
            }
            // A server wanting a login says so of the run: it stops here
            // as a login refused up front does (exit 2), the email it
            // came with counting no attempt. Its claim has committed by
            // then (the envelope goes after the claim), so the database
            // changed, though to nothing a user sees but the last error.
            if let Err(Undelivered::NeedsLogin(why)) = &outcome {
                return Err(login_wanted(&report, why));
            }
        }
        report.pending = self.pending()?;
        Ok(report)
    }

    fn pending(&mut self) -> Result<usize> {
        Ok(self
            .gate
            .read(self.ctx.now)?
            .messages(Some(OutboxState::Pending), None)?
            .len())
    }

    /// Makes a failed or waiting email due again now; a failed one gets
    /// its attempts afresh.
    pub(crate) fn outbox_retry(&mut self, id: i64) -> Result<OutboxMessage> {
        ensure_operator(&self.ctx, "retry an email")?;
        self.write(|w| {
            w.catalog()?;
            let mut m = message(w.tx, id)?;
            let before = m.clone();
            match m.state {
                OutboxState::Sent => {
                    return Err(Error::conflict(format!(
                        "email `{id}` was already sent at {}",
                        m.sent_at.map(|t| t.to_string()).unwrap_or_default()
                    ))
                    .help("to send an invitation again, use `portalctl user resend-invite EMAIL`"))
                }
                OutboxState::Cancelled => {
                    return Err(Error::conflict(format!(
                        "email `{id}` was cancelled: {}",
                        m.last_error.as_deref().unwrap_or("by an admin")
                    ))
                    .help("to send an invitation again, use `portalctl user resend-invite EMAIL`"))
                }
                OutboxState::Pending | OutboxState::Failed => {}
            }
            if let Some(why) = invitation_ended(w.tx, &m, w.ctx.now)? {
                return Err(
                    Error::conflict(format!("email `{id}` cannot be sent: {why}")).help(
                        "to send an invitation again, use `portalctl user resend-invite EMAIL`",
                    ),
                );
            }
            if m.state == OutboxState::Failed {
                m.attempts = 0;
            }
            m.state = OutboxState::Pending;
            m.next_attempt_at = None;
            m.ended_at = None;
            w.tx.update_message(&m)?;
            record(w, "outbox.retry", &before, &m)?;
            Ok(m)
        })
    }

    /// Withdraws an email not sent yet. An invitation stays as it is: its
    /// printed token still works, and `user revoke-invite` ends it.
    pub(crate) fn outbox_cancel(&mut self, id: i64) -> Result<OutboxMessage> {
        ensure_operator(&self.ctx, "cancel an email")?;
        self.write(|w| {
            w.catalog()?;
            let mut m = message(w.tx, id)?;
            let before = m.clone();
            match m.state {
                OutboxState::Sent => {
                    return Err(Error::conflict(format!(
                        "email `{id}` was already sent at {}",
                        m.sent_at.map(|t| t.to_string()).unwrap_or_default()
                    )))
                }
                OutboxState::Cancelled => {
                    return Err(Error::conflict(format!(
                        "email `{id}` is already cancelled"
                    )))
                }
                OutboxState::Pending | OutboxState::Failed => {}
            }
            m.state = OutboxState::Cancelled;
            m.ended_at = Some(w.ctx.now);
            m.next_attempt_at = None;
            m.last_error = Some(format!("cancelled by {}", w.ctx.actor.audit_name()));
            w.tx.update_message(&m)?;
            record(w, "outbox.cancel", &before, &m)?;
            Ok(m)
        })
    }
}

/// "Cannot send": the mailer cannot take any email now.
fn unreachable(report: &SendView, why: &str) -> Error {
    Error::unavailable(format!("cannot send through `{}`: {why}", report.via)).help(format!(
        "{} sent in this run; the rest stay pending and nothing is lost: run the same `outbox send` again later",
        report.sent
    ))
}

/// "Cannot send" where running again cannot help: the directory or the
/// SMTP URL is wrong (exit 2), and is fixed first.
fn misconfigured(report: &SendView, why: &str) -> Error {
    Error::invalid(format!("cannot send through `{}`: {why}", report.via)).help(
        "nothing was sent and every email stays pending: fix the destination (a directory for --to-dir; the user, password or server of --smtp or PORTALCTL_SMTP) and run `outbox send` again",
    )
}

/// "Cannot send" met at an email: the server wants a login (exit 2).
fn login_wanted(report: &SendView, why: &str) -> Error {
    Error::invalid(format!(
        "cannot send through `{}`: {why}; the email it came with counts no attempt",
        report.via
    ))
    .help(format!(
        "{} sent in this run; every other email stays pending: fix the user, password or server of --smtp or PORTALCTL_SMTP and run `outbox send` again",
        report.sent
    ))
}

/// Takes the oldest due email for this run, minting its token.
fn claim(w: &Write<'_>, delivery: &Delivery) -> Result<Claim> {
    let now = w.ctx.now;
    let Some(mut m) = w.tx.next_due_message(now)? else {
        return Ok(Claim::Nothing);
    };
    let before = m.clone();
    let end = |mut m: OutboxMessage, state, why| -> Result<Claim> {
        m.state = state;
        m.ended_at = Some(now);
        m.next_attempt_at = None;
        m.last_error = Some(why);
        w.tx.update_message(&m)?;
        record(w, "outbox.send", &before, &m)?;
        Ok(Claim::Ended(state))
    };
    if let Some(why) = invitation_ended(w.tx, &m, now)? {
        return end(m, OutboxState::Cancelled, why);
    }
    let (text, token_hash) = match m.invitation_id {
        Some(invitation_id) => {
            // Sent without a token it would be useless; kept, it would
            // stop every run here. No token is minted for it.
            if fill_token(&m.body, "").is_none() {
                return end(
                    m,
                    OutboxState::Failed,
                    "the email has no line for its token".into(),
                );
            }
            // Written now, it says what accepting gives now.
            if let Some(inviter) = &m.inviter {
                let catalog = w.catalog()?;
                (m.subject, m.body) =
                    current_invitation_email(w.tx, catalog, invitation_id, inviter)?;
            }
            let (token, hash) = new_token(w)?;
            let text = fill_token(&m.body, &token).ok_or_else(|| {
                Error::Internal(anyhow::anyhow!("an invitation email lost its token line"))
            })?;
            w.tx.add_invitation_token(invitation_id, &hash, now)?;
            (text, Some(hash))
        }
        None => (m.body.clone(), None),
    };
    m.last_attempt_at = Some(now);
    m.next_attempt_at = Some(now.plus(Duration::minutes(CLAIM_LEASE_MINUTES))?);
    w.tx.update_message(&m)?;
    Ok(Claim::Send(Box::new(Claimed {
        mail: Mail {
            outbox_id: m.id,
            from: delivery.from.clone(),
            to: m.recipient.clone(),
            subject: m.subject.clone(),
            text,
            date: now,
        },
        token_hash,
    })))
}

/// Records the outcome of a hand-over; returns where the email now stands.
fn settle(
    w: &Write<'_>,
    delivery: &Delivery,
    claimed: &Claimed,
    outcome: &std::result::Result<(), Undelivered>,
) -> Result<OutboxState> {
    let now = w.ctx.now;
    let mut m = message(w.tx, claimed.mail.outbox_id)?;
    let before = m.clone();
    if m.state != OutboxState::Pending {
        // Cancelled while it was on its way (its invitation was accepted,
        // say): it stays cancelled, and says whether it went.
        if outcome.is_ok() {
            m.sent_at = Some(now);
            w.tx.update_message(&m)?;
            record(w, "outbox.send", &before, &m)?;
        }
        return Ok(m.state);
    }
    // A broken exchange is no answer: it counts no attempt, so it never
    // makes an email `failed`. It waits as a refusal would, so that the
    // next run starts with the other emails rather than stopping at the
    // same one.
    if let Err(Undelivered::InDoubt(why)) = outcome {
        m.last_error = Some(why.clone());
        m.next_attempt_at = Some(now.plus(backoff(delivery.retry_after, m.attempts))?);
        w.tx.update_message(&m)?;
        record(w, "outbox.send", &before, &m)?;
        return Ok(m.state);
    }
    // The server wants a login before any email: not this email's
    // attempt. Nothing of it was taken, so its token is withdrawn, and it
    // is due again at once for the run after the URL is fixed.
    if let Err(Undelivered::NeedsLogin(why)) = outcome {
        if let Some(hash) = &claimed.token_hash {
            w.tx.remove_invitation_token(hash)?;
        }
        m.last_error = Some(format!("{why}; no attempt counted: the run stopped here"));
        m.next_attempt_at = None;
        w.tx.update_message(&m)?;
        record(w, "outbox.send", &before, &m)?;
        return Ok(m.state);
    }
    m.attempts += 1;
    m.next_attempt_at = None;
    match outcome {
        Ok(()) => {
            m.state = OutboxState::Sent;
            m.sent_at = Some(now);
            m.last_error = None;
        }
        Err(undelivered) => {
            let (why, last) = match undelivered {
                // Refused: the token never left, so it is withdrawn.
                Undelivered::Refused(why) => (why.clone(), m.attempts >= delivery.max_attempts),
                // As refused, but every attempt left would be refused
                // alike: failed now, saying what sends it once it can go.
                Undelivered::Unsendable(why) => (
                    format!(
                        "{why}; failed at once, as every attempt would be refused alike: `{}` tries again once that changes",
                        Paste::new("outbox retry").arg(m.id)
                    ),
                    true,
                ),
                // Settled above: in doubt, the email may have arrived,
                // and its token with it; a login wanted is the run's.
                Undelivered::InDoubt(why) | Undelivered::NeedsLogin(why) => {
                    (why.clone(), m.attempts >= delivery.max_attempts)
                }
            };
            if !matches!(undelivered, Undelivered::InDoubt(_)) {
                if let Some(hash) = &claimed.token_hash {
                    w.tx.remove_invitation_token(hash)?;
                }
            }
            m.last_error = Some(why);
            if last {
                m.state = OutboxState::Failed;
                m.ended_at = Some(now);
            } else {
                m.next_attempt_at = Some(now.plus(backoff(delivery.retry_after, m.attempts))?);
            }
        }
    }
    w.tx.update_message(&m)?;
    record(w, "outbox.send", &before, &m)?;
    Ok(m.state)
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::super::testing::{email, join, seeded};
    use super::super::{Actor, InviteRequest};
    use super::*;
    use crate::model::Mailbox;

    /// A mailer that answers as told, and keeps what it was handed.
    #[derive(Default)]
    struct Scripted {
        answers: VecDeque<std::result::Result<(), Undelivered>>,
        down: bool,
        handed: Vec<Mail>,
        /// The sender `ready` was asked about.
        asked_for: Option<Mailbox>,
    }

    impl Mailer for Scripted {
        fn destination(&self) -> String {
            "scripted".into()
        }
        fn ready(&mut self, from: &Mailbox) -> std::result::Result<(), NotReady> {
            self.asked_for = Some(from.clone());
            if self.down {
                Err(NotReady::Down("connection refused".into()))
            } else {
                Ok(())
            }
        }
        fn deliver(&mut self, mail: &Mail) -> std::result::Result<(), Undelivered> {
            self.handed.push(mail.clone());
            self.answers.pop_front().unwrap_or(Ok(()))
        }
    }

    fn invite(p: &mut Portal, who: &str) -> String {
        p.invite(&InviteRequest {
            email: Some(email(who)),
            name: Some("Ann Example".into()),
            role: Some("user".into()),
            send: true,
            ..InviteRequest::default()
        })
        .expect("invite")
        .token
    }

    fn ready_portal() -> Portal {
        let mut p = seeded("portal");
        p.settings_set("mail-from", "Acme Portal <portal@acme.test>")
            .expect("mail-from");
        p
    }

    fn token_in(mail: &Mail) -> String {
        mail.text
            .split_whitespace()
            .find(|w| w.starts_with("pinv_"))
            .expect("a token in the body")
            .to_string()
    }

    fn at(p: &mut Portal, minutes: i64) {
        p.ctx.now = p
            .ctx
            .now
            .plus(Duration::minutes(minutes))
            .expect("in range");
    }

    #[test]
    fn the_sent_token_and_the_printed_one_both_accept_and_both_end_together() {
        let mut p = ready_portal();
        let printed = invite(&mut p, "ann@acme.test");
        assert!(
            !p.outbox_list(None, None).expect("list")[0]
                .body
                .contains("pinv_"),
            "no token is queued"
        );
        let mut mailer = Scripted::default();
        let report = p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!((report.sent, report.pending), (1, 0));
        let mail = &mailer.handed[0];
        assert_eq!(mail.to, "ann@acme.test");
        assert!(mail.subject.contains("Acme"), "{}", mail.subject);
        let sent = token_in(mail);
        assert_ne!(sent, printed);
        p.accept(&sent, None).expect("the mailed token accepts");
        let e = p.accept(&printed, None).expect_err("consumed");
        assert_eq!(e.exit_code(), 4, "{e}");
    }

    #[test]
    fn a_refusal_backs_off_doubling_and_fails_after_the_last_attempt() {
        let mut p = ready_portal();
        p.settings_set("mail-max-attempts", "3").expect("set");
        p.settings_set("mail-retry-after", "10m").expect("set");
        invite(&mut p, "ann@acme.test");
        let refused = || Err(Undelivered::Refused("550 no such user".into()));
        let mut mailer = Scripted {
            answers: [refused(), refused(), refused()].into(),
            ..Scripted::default()
        };
        let first = p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!((first.retry_later, first.pending), (1, 1));
        let m = p.outbox_list(None, None).expect("list").remove(0);
        assert_eq!(m.attempts, 1);
        assert_eq!(m.last_error.as_deref(), Some("550 no such user"));
        assert_eq!(
            m.next_attempt_at,
            Some(p.now().plus(Duration::minutes(10)).expect("t"))
        );
        // Not due yet: nothing is handed over.
        at(&mut p, 9);
        p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!(mailer.handed.len(), 1);
        at(&mut p, 1);
        p.outbox_send(&mut mailer, None).expect("send");
        let m = p.outbox_list(None, None).expect("list").remove(0);
        assert_eq!(
            m.next_attempt_at,
            Some(p.now().plus(Duration::minutes(20)).expect("t"))
        );
        at(&mut p, 20);
        let last = p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!((last.failed, last.pending), (1, 0));
        let m = p
            .outbox_list(Some(OutboxState::Failed), None)
            .expect("list")
            .remove(0);
        assert_eq!(m.attempts, 3);
        // Refused emails leave no token of theirs behind.
        for mail in &mailer.handed {
            let e = p.accept(&token_in(mail), None).expect_err("withdrawn");
            assert_eq!(e.exit_code(), 3, "{e}");
        }
        // `outbox retry` gives it its attempts afresh.
        let again = p.outbox_retry(m.id).expect("retry");
        assert_eq!((again.state, again.attempts), (OutboxState::Pending, 0));
        p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!(
            p.outbox_list(Some(OutboxState::Sent), None)
                .expect("list")
                .len(),
            1
        );
    }

    /// An email no attempt through this server can send (an address
    /// beyond ASCII before its `@`, to a server without SMTPUTF8) is
    /// failed at its first attempt, not retried `mail-max-attempts`
    /// times: its last error says why and how to send it once the server
    /// can, and `outbox retry` then sends it, its attempts afresh.
    #[test]
    fn an_email_no_attempt_can_send_fails_at_once() {
        let mut p = ready_portal();
        p.settings_set("mail-max-attempts", "5").expect("set");
        invite(&mut p, "пётр@почта.рф");
        invite(&mut p, "ann@acme.test");
        let mut mailer = Scripted {
            answers: [Err(Undelivered::Unsendable("no SMTPUTF8".into()))].into(),
            ..Scripted::default()
        };
        let report = p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!(
            (report.sent, report.failed, report.retry_later, report.pending),
            (1, 1, 0, 0)
        );
        let failed = p
            .outbox_list(Some(OutboxState::Failed), None)
            .expect("list")
            .remove(0);
        assert_eq!(
            (failed.recipient.as_str(), failed.attempts),
            ("пётр@почта.рф", 1)
        );
        assert_eq!(
            failed.last_error.as_deref(),
            Some(
                "no SMTPUTF8; failed at once, as every attempt would be refused alike: `portalctl outbox retry 1` tries again once that changes"
            )
        );
        // Its token never left: it is withdrawn.
        let e = p
            .accept(&token_in(&mailer.handed[0]), None)
            .expect_err("withdrawn");
        assert_eq!(e.exit_code(), 3, "{e}");
        let again = p.outbox_retry(failed.id).expect("retry");
        assert_eq!((again.state, again.attempts), (OutboxState::Pending, 0));
        p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!(
            p.outbox_list(Some(OutboxState::Sent), None)
                .expect("list")
                .len(),
            2
        );
    }

    #[test]
    fn a_server_that_is_down_touches_nothing() {
        let mut p = ready_portal();
        invite(&mut p, "ann@acme.test");
        let before = p.outbox_list(None, None).expect("list");
        let mut mailer = Scripted {
            down: true,
            ..Scripted::default()
        };
        let e = p.outbox_send(&mut mailer, None).expect_err("down");
        assert_eq!(e.exit_code(), 6, "{e}");
        assert_eq!(p.outbox_list(None, None).expect("list"), before);
    }

    /// D7: the up-front check asks about the sender the emails go from,
    /// not the null sender; a server that still answers an email `530`
    /// stops the run with exit 2, that email counting no attempt and
    /// keeping no token, the others untouched, all sent once it is fixed.
    #[test]
    fn a_login_wanted_at_an_email_stops_the_run_and_counts_no_attempt() {
        let mut p = ready_portal();
        p.settings_set("mail-max-attempts", "1").expect("max");
        invite(&mut p, "ann@acme.test");
        invite(&mut p, "bob@acme.test");
        let before = p.outbox_list(None, None).expect("list");
        let mut mailer = Scripted {
            answers: [Err(Undelivered::NeedsLogin(
                "530 5.7.0 Authentication required".into(),
            ))]
            .into(),
            ..Scripted::default()
        };
        let e = p.outbox_send(&mut mailer, None).expect_err("stopped");
        assert_eq!(e.exit_code(), 2, "{e}");
        assert!(e.to_string().contains("530"), "{e}");
        assert!(e.to_string().contains("counts no attempt"), "{e}");
        assert_eq!(
            mailer.asked_for.as_ref().map(|m| m.email.as_str()),
            Some("portal@acme.test")
        );
        assert_eq!(mailer.handed.len(), 1, "bob's email is not tried");
        let after = p.outbox_list(None, None).expect("list");
        assert_eq!(after[1], before[1], "bob's email is untouched");
        assert_eq!(
            (after[0].state, after[0].attempts, after[0].next_attempt_at),
            (OutboxState::Pending, 0, None)
        );
        assert!(
            after[0]
                .last_error
                .as_deref()
                .is_some_and(|l| l.contains("no attempt counted")),
            "{:?}",
            after[0].last_error
        );
        let e = p
            .accept(&token_in(&mailer.handed[0]), None)
            .expect_err("withdrawn");
        assert_eq!(e.exit_code(), 3, "{e}");
        // One attempt is all an email gets here, yet both go once fixed.
        let report = p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!((report.sent, report.failed), (2, 0));
    }

    #[test]
    fn a_run_that_dies_after_the_claim_sends_again_after_the_lease_keeping_both_tokens() {
        let mut p = ready_portal();
        invite(&mut p, "ann@acme.test");
        let delivery = {
            let tx = p.gate.read(p.ctx.now).expect("read");
            Delivery::load(&*tx).expect("delivery")
        };
        // A run claims the email, hands it over, and dies before settling.
        let Claim::Send(lost) = p.write(|w| claim(w, &delivery)).expect("claim") else {
            panic!("nothing claimed");
        };
        let mut mailer = Scripted::default();
        p.outbox_send(&mut mailer, None).expect("send");
        assert!(mailer.handed.is_empty(), "still leased to the dead run");
        at(&mut p, CLAIM_LEASE_MINUTES);
        p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!(mailer.handed.len(), 1, "sent again, never skipped");
        // Either email's token accepts: the first may have arrived.
        p.accept(&token_in(&lost.mail), None)
            .expect("the first token works");
    }

    /// A connection that breaks stops the run (exit 6), the server
    /// answering again or not: the email in doubt and the rest stay
    /// pending, the one in doubt counts no attempt and keeps its token,
    /// and waits so that the next run sends the others first.
    #[test]
    fn a_broken_exchange_stops_the_run_and_counts_no_attempt() {
        let mut p = ready_portal();
        p.settings_set("mail-max-attempts", "1").expect("max");
        invite(&mut p, "ann@acme.test");
        invite(&mut p, "bob@acme.test");
        let mut mailer = Scripted {
            answers: [Err(Undelivered::InDoubt("connection reset".into()))].into(),
            ..Scripted::default()
        };
        let err = p.outbox_send(&mut mailer, None).expect_err("stopped");
        assert_eq!(err.exit_code(), 6, "{err}");
        assert!(err.to_string().contains("connection reset"), "{err}");
        assert_eq!(mailer.handed.len(), 1, "bob's email waits for the next run");
        let listed = |p: &mut Portal| -> Vec<(String, OutboxState, i64)> {
            p.outbox_list(None, None)
                .expect("list")
                .into_iter()
                .map(|m| (m.recipient, m.state, m.attempts))
                .collect()
        };
        let pending = |who: &str, attempts| (who.to_string(), OutboxState::Pending, attempts);
        assert_eq!(
            listed(&mut p),
            [pending("ann@acme.test", 0), pending("bob@acme.test", 0)]
        );
        // The next run sends bob's first; ann's once its wait is over,
        // though one attempt is all a refused email would get.
        p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!(mailer.handed[1].to, "bob@acme.test");
        assert_eq!(listed(&mut p)[0], pending("ann@acme.test", 0));
        at(&mut p, 5);
        p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!(
            listed(&mut p)[0],
            ("ann@acme.test".to_string(), OutboxState::Sent, 1)
        );
        // The token of the broken exchange may have arrived: it accepts.
        p.accept(&token_in(&mailer.handed[0]), None)
            .expect("a token that may have arrived stays valid");
    }

    #[test]
    fn ending_an_invitation_cancels_its_email_in_the_same_change() {
        let mut p = ready_portal();
        let token = invite(&mut p, "ann@acme.test");
        p.accept(&token, None).expect("accept");
        invite(&mut p, "bob@acme.test");
        p.revoke_invite(&email("bob@acme.test"), None)
            .expect("revoke");
        invite(&mut p, "cy@acme.test");
        p.resend_invite(&email("cy@acme.test"), None, None, true)
            .expect("resend");
        let states: Vec<(String, OutboxState)> = p
            .outbox_list(None, None)
            .expect("list")
            .into_iter()
            .map(|m| (m.recipient, m.state))
            .collect();
        assert_eq!(
            states,
            [
                ("ann@acme.test".to_string(), OutboxState::Cancelled),
                ("bob@acme.test".to_string(), OutboxState::Cancelled),
                ("cy@acme.test".to_string(), OutboxState::Cancelled),
                ("cy@acme.test".to_string(), OutboxState::Pending),
            ]
        );
        let mut mailer = Scripted::default();
        let report = p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!(report.sent, 1);
    }

    /// A cancelled email's reason is where it stands, not an attempt's
    /// error: as a model, in its JSON and in its audit event.
    #[test]
    fn a_cancellation_is_no_error() {
        let mut p = ready_portal();
        invite(&mut p, "ann@acme.test");
        let cancelled = p.outbox_cancel(1).expect("cancel");
        assert_eq!(cancelled.error(), None);
        assert_eq!(
            cancelled.cancelled_reason(),
            Some("cancelled by operator:root")
        );
        let json = serde_json::to_value(&cancelled).expect("json");
        assert_eq!(json["last_error"], serde_json::Value::Null);
        assert_eq!(json["cancelled_reason"], "cancelled by operator:root");
        let recorded = snapshot(&cancelled);
        assert_eq!(recorded["last_error"], serde_json::Value::Null);
        assert_eq!(recorded["cancelled_reason"], "cancelled by operator:root");
        invite(&mut p, "bob@acme.test");
        let pending = p.outbox_list(None, None).expect("list").remove(1);
        assert_eq!((pending.error(), pending.cancelled_reason()), (None, None));
    }

    #[test]
    fn an_expired_invitation_is_not_mailed() {
        let mut p = ready_portal();
        invite(&mut p, "ann@acme.test");
        at(&mut p, 8 * 24 * 60);
        let mut mailer = Scripted::default();
        let report = p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!((report.sent, report.cancelled), (0, 1));
        assert!(mailer.handed.is_empty());
    }

    #[test]
    fn sending_needs_a_sender_and_the_operator() {
        let mut p = seeded("portal");
        invite(&mut p, "ann@acme.test");
        let mut mailer = Scripted::default();
        let e = p.outbox_send(&mut mailer, None).expect_err("no sender");
        assert_eq!(e.exit_code(), 4, "{e}");
        p.settings_set("mail-from", "portal@acme.test")
            .expect("set");
        join(&mut p, "max@acme.test", "admin");
        p.ctx.actor = Actor::Member(email("max@acme.test"));
        let e = p.outbox_send(&mut mailer, None).expect_err("member");
        assert_eq!(e.exit_code(), 5, "{e}");
        assert!(mailer.handed.is_empty());
    }

    #[test]
    fn an_invitation_email_with_no_token_line_fails_instead_of_blocking_the_queue() {
        let mut p = ready_portal();
        invite(&mut p, "ann@acme.test");
        let queued = p.outbox_list(None, None).expect("list").remove(0);
        p.write(|w| {
            w.tx.enqueue(&OutboxMessage {
                body: "no token line here".into(),
                ..queued.clone()
            })
        })
        .expect("enqueue");
        let mut mailer = Scripted::default();
        let report = p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!((report.sent, report.failed, report.pending), (1, 1, 0));
        assert_eq!(mailer.handed.len(), 1);
    }

    #[test]
    fn backoff_doubles_up_to_a_day() {
        let five = Duration::minutes(5);
        assert_eq!(backoff(five, 1), five);
        assert_eq!(backoff(five, 2), Duration::minutes(10));
        assert_eq!(backoff(five, 4), Duration::minutes(40));
        assert_eq!(backoff(five, 60), Duration::hours(24));
        // Set longer than a day, the wait is as set, and stays so.
        assert_eq!(backoff(Duration::days(3), 1), Duration::days(3));
        assert_eq!(backoff(Duration::days(3), 4), Duration::days(3));
    }

    /// What a queued invitation email says is what accepting gives when
    /// it is sent: the role set since. An email
    /// queued before the inviter was kept goes out as queued.
    #[test]
    fn an_invitation_email_is_written_when_it_is_sent() {
        let mut p = ready_portal();
        invite(&mut p, "ann@acme.test");
        p.set_role(&email("ann@acme.test"), "manager", None, None)
            .expect("set-role");
        let mut mailer = Scripted::default();
        p.outbox_send(&mut mailer, None).expect("send");
        let mail = &mailer.handed[0];
        assert_eq!(mail.subject, "Invitation to join Acme as manager");
        assert!(
            mail.text.contains("with the role manager."),
            "{}",
            mail.text
        );
        let sent = p.outbox_list(None, None).expect("list").remove(0);
        assert_eq!(sent.subject, mail.subject, "the outbox keeps what was sent");

        invite(&mut p, "bob@acme.test");
        let mut queued = p
            .outbox_list(Some(OutboxState::Pending), None)
            .expect("list");
        let old = OutboxMessage {
            inviter: None,
            subject: "As queued".into(),
            ..queued.remove(0)
        };
        p.write(|w| {
            w.tx.cancel_invitation_messages(
                old.invitation_id.expect("an invitation"),
                "x",
                w.ctx.now,
            )
        })
        .expect("cancelled");
        p.write(|w| w.tx.enqueue(&old)).expect("enqueue");
        p.outbox_send(&mut mailer, None).expect("send");
        assert_eq!(mailer.handed[1].subject, "As queued");
    }
}
