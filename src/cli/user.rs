//! `user`.

use clap::{Args, Subcommand};

use super::{
    complete, duration, named_account, since, until, AccountArg, LimitArg, Session, Since, TextArg,
    Until,
};
use crate::domain::{
    Handover, InviteRequest, LocationInput, MemberFilter, OwnershipTransfer, PersonEdit,
};
use crate::error::{Error, Result};
use crate::model::{escape, Capability, Email, MemberStanding, Paste, Text};
use crate::view::MemberView;

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum UserCommand {
    /// Invite someone into an account (an existing login is reused).
    Invite(InviteArgs),
    /// Accept an invitation with its token.
    Accept {
        /// The token from the invitation.
        token: String,
        /// Your full name, if you have none in the portal yet (else the
        /// name the invitation gave is taken); one you have is kept.
        #[arg(long, value_parser = TextArg)]
        name: Option<Text>,
    },
    /// Send a new invitation token; the old one stops working.
    ///
    /// When an invitation does not arrive, ask the user to check their junk
    /// mail or spam folder first, then resend. Access given until a moment
    /// (`invite --until`) keeps its end. The new token gives all the
    /// invitation gives, so a member acting with --as resends only an
    /// invitation whose whole access they hold, as they invite.
    ResendInvite {
        /// The invited member.
        email: Email,
        #[command(flatten)]
        account: AccountArg,
        /// How long the new token lasts; where all the access it gives
        /// ends at a moment, it must expire by then.
        #[arg(long, value_name = "DURATION", value_parser = duration)]
        expires_in: Option<chrono::Duration>,
        /// Do not email them: print the new token only, to hand over
        /// yourself.
        #[arg(long)]
        no_send: bool,
    },
    /// Withdraw a pending invitation.
    RevokeInvite(Target),
    /// List members.
    List {
        /// Only this account.
        #[arg(long, value_name = "ACCOUNT", value_parser = named_account)]
        account: Option<String>,
        /// Only this status: invited, active, deactivated, revoked, left.
        #[arg(long, add = complete::keywords(MemberStanding::NAMES))]
        status: Option<MemberStanding>,
        /// Only this role.
        #[arg(long)]
        role: Option<String>,
        /// Only members some of whose time-bound access (role, grant,
        /// external access) lapses within this long, such as 7d.
        #[arg(long, value_name = "DURATION", value_parser = duration)]
        expiring: Option<chrono::Duration>,
        /// Only members who hold this capability now, by role, grant,
        /// time-bound role or ownership, external admins included: those
        /// for whom `portalctl can EMAIL CAPABILITY` says yes.
        #[arg(long, value_name = "CAPABILITY", add = complete::capabilities())]
        can: Option<Capability>,
        /// Only invited members whose invitation has expired: those to
        /// resend (`user resend-invite`). Implies `--status invited`.
        #[arg(long)]
        expired: bool,
        #[command(flatten)]
        limit: LimitArg,
    },
    /// Show a member with their capabilities, grants and courses, and when
    /// time-bound access ends.
    Show {
        /// The member.
        email: Email,
        #[command(flatten)]
        account: AccountArg,
        /// Show them as they stood at this moment, from the audit log: an
        /// RFC 3339 time, a date (its first second), or how long ago (3d).
        #[arg(long, value_name = "WHEN", value_parser = since)]
        at: Option<Since>,
    },
    /// The member's timeline from the audit log: invitations, role, grant
    /// and status changes, external access, enrolments, merges; each with
    /// when, who, and what changed.
    History {
        /// The member.
        email: Email,
        #[command(flatten)]
        account: AccountArg,
    },
    /// List the courses a member is enrolled in.
    Courses {
        /// The member.
        email: Email,
        #[command(flatten)]
        account: AccountArg,
        /// Include ended enrolments.
        #[arg(long)]
        history: bool,
    },
    /// Change a person's name, email, or city, country and timezone.
    ///
    /// The name and the email are the person's in every account they
    /// belong to; a new email needs `users.manage` in each of them. The
    /// city, country and timezone are their membership's in this account.
    Edit(EditArgs),
    /// Give a member another role.
    SetRole {
        /// The member.
        email: Email,
        /// The new role.
        role: String,
        #[command(flatten)]
        account: AccountArg,
        /// Only until this moment, when the role held before comes back:
        /// an RFC 3339 time, a date (its first second), or how long from
        /// now (7d).
        #[arg(long, value_name = "WHEN", value_parser = until)]
        until: Option<Until>,
        // Where their services go when ROLE blocks all access.
        #[command(flatten)]
        services: ServicesGo,
    },
    /// Grant areas (or, where the catalog allows, capabilities) on top of
    /// the role; catalogs that give access by role alone grant nothing.
    Grant {
        #[command(flatten)]
        grant: GrantArgs,
        /// Only until this moment, when the grant lapses: an RFC 3339
        /// time, a date (its first second), or how long from now (7d).
        #[arg(long, value_name = "WHEN", value_parser = until)]
        until: Option<Until>,
    },
    /// Take grants away.
    Revoke(GrantArgs),
    /// Disable a member; their history stays.
    Deactivate(Leaving),
    /// Re-enable a member, restoring the role they held.
    Activate(Target),
    /// Mark a member as having left the company (no access at all).
    LeftCompany(Leaving),
    /// Flag a person as a duplicate of another, for support to merge.
    FlagDuplicate {
        /// The duplicate.
        email: Email,
        /// The person it duplicates.
        #[arg(long, value_name = "EMAIL")]
        of: Email,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Merge a duplicate into the person kept; the duplicate is retired.
    ///
    /// Their memberships, and their places as a named approver of policies
    /// (and of the pending orders those hold) and in delegations of
    /// deciding orders, pass to the person kept. Support's (the
    /// operator's) alone: members flag duplicates with `flag-duplicate`.
    Merge {
        /// The duplicate.
        email: Email,
        /// The person kept.
        #[arg(long, value_name = "EMAIL")]
        into: Email,
    },
    /// Make another active member the account's owner.
    TransferOwnership {
        /// The new owner.
        #[arg(long, value_name = "EMAIL")]
        to: Email,
        /// The role the former owner is left with; by default what the
        /// catalog says (customer-area: `member` with `account-admin`), else
        /// the role they hold.
        #[arg(long, value_name = "ROLE")]
        former_owner_role: Option<String>,
        #[command(flatten)]
        account: AccountArg,
    },
}

#[derive(Debug, Args)]
pub(crate) struct Target {
    /// The member.
    email: Email,
    #[command(flatten)]
    account: AccountArg,
}

#[derive(Debug, Args)]
pub(crate) struct Leaving {
    /// The member.
    email: Email,
    #[command(flatten)]
    account: AccountArg,
    #[command(flatten)]
    services: ServicesGo,
}

impl Leaving {
    fn handover(&self) -> Handover {
        self.services.handover()
    }
}

// Where the services of a member who loses access go: deactivated,
// marked as left, or given a role that blocks all access. No doc comment:
// clap would take it for the help of each command flattening it.
#[derive(Debug, Args)]
pub(crate) struct ServicesGo {
    /// Give their services to this active member, as they lose access.
    #[arg(long, value_name = "EMAIL", conflicts_with = "unassign")]
    reassign_to: Option<Email>,
    /// Leave their services unassigned, as they lose access.
    #[arg(long)]
    unassign: bool,
}

impl ServicesGo {
    fn handover(&self) -> Handover {
        match (&self.reassign_to, self.unassign) {
            (Some(to), _) => Handover::ReassignTo(to.clone()),
            (None, true) => Handover::Unassign,
            (None, false) => Handover::Refuse,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct GrantArgs {
    /// The member.
    email: Email,
    /// Comma-separated capabilities or areas.
    #[arg(value_name = "GRANT,..", value_delimiter = ',', required = true)]
    grants: Vec<String>,
    #[command(flatten)]
    account: AccountArg,
}

#[derive(Debug, Args)]
pub(crate) struct EditArgs {
    /// The member.
    email: Email,
    #[command(flatten)]
    account: AccountArg,
    /// Their full name.
    #[arg(long, value_parser = TextArg)]
    name: Option<Text>,
    /// Their city; with --country, it gives the timezone unless
    /// --timezone is passed.
    #[arg(long, value_parser = TextArg, requires = "country")]
    city: Option<Text>,
    /// ISO 3166 alpha-2 country code, such as GB.
    #[arg(long, value_name = "COUNTRY", requires = "city")]
    country: Option<String>,
    /// IANA timezone, such as Europe/London: a zone of their country.
    #[arg(long, value_name = "TIMEZONE")]
    timezone: Option<String>,
    /// Their new email address, the login of every account they belong to.
    #[arg(long, value_name = "EMAIL")]
    new_email: Option<Email>,
}

#[derive(Debug, Args)]
// Not required: on a terminal a missing email is asked for; without one
// `invite` says which argument is missing (exit 2).
#[command(group(clap::ArgGroup::new("subject").args(["email", "email_flag"])))]
pub(crate) struct InviteArgs {
    /// Their email.
    #[arg(value_name = "EMAIL")]
    email: Option<Email>,
    /// Their email, as an option: the same as EMAIL (one of the two).
    #[arg(long = "email", value_name = "EMAIL")]
    email_flag: Option<Email>,
    /// The name this account knows them by until they accept, when
    /// someone new takes it unless they give their own.
    #[arg(long, value_parser = TextArg)]
    name: Option<Text>,
    /// The role to give; the catalog's default role (customer-area:
    /// `member`) when left out.
    #[arg(long)]
    role: Option<String>,
    #[command(flatten)]
    account: AccountArg,
    /// Do not email them now ("invite later"); `resend-invite` sends one.
    #[arg(long)]
    no_send: bool,
    /// Comma-separated areas (or capabilities, where the catalog allows)
    /// on top of the role.
    #[arg(long, value_name = "GRANT,..", value_delimiter = ',')]
    grant: Vec<String>,
    /// City (required by some presets, such as `moodle`).
    #[arg(long, value_parser = TextArg)]
    city: Option<Text>,
    /// ISO 3166 alpha-2 country code, such as GB.
    #[arg(long, value_name = "COUNTRY")]
    country: Option<String>,
    /// IANA timezone, such as Europe/London, a zone of --country; derived
    /// from --city and --country when left out.
    #[arg(long)]
    timezone: Option<String>,
    /// How long the invitation lasts: 7 days unless given, and with
    /// --until no longer than the access it gives (one given that ends
    /// after it is refused).
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    expires_in: Option<chrono::Duration>,
    /// Give access only until this moment, as for a temporary contractor:
    /// the role then lapses to the catalog's role that holds nothing (such
    /// as `no-access`) and the grants lapse. An RFC 3339 time, a date (its
    /// first second), or how long from now (30d). The invitation expires
    /// by then too.
    #[arg(long, value_name = "WHEN", value_parser = until)]
    until: Option<Until>,
}

pub(crate) fn run(s: &Session, cmd: UserCommand) -> Result<()> {
    let mut portal = s.portal()?;
    let out = s.out;
    match cmd {
        UserCommand::Invite(a) => {
            let email = match a.email.or(a.email_flag) {
                Some(email) => email,
                None if s.interactive => ask_email()?,
                None => {
                    return Err(Error::invalid(
                        "the email of the person to invite is missing: EMAIL (or --email EMAIL)",
                    )
                    .help("name them, as in `portalctl user invite ann@example.com`; on a terminal portalctl asks"))
                }
            };
            // On a terminal, a role left out that the catalog does not give
            // by default is asked for; without one the domain says to pass
            // --role. So are a city and a country the catalog needs.
            let role = match a.role {
                None if s.interactive => pick_role(&mut portal, Some(&email))?,
                role => role,
            };
            let (mut city, mut country) = (a.city, a.country);
            if s.interactive
                && (city.is_none() || country.is_none())
                && portal.invite_needs_location()?
            {
                if city.is_none() {
                    city = Some(ask_city(&email)?);
                }
                if country.is_none() {
                    country = Some(ask_country(&email)?);
                }
            }
            let req = InviteRequest {
                email: Some(email),
                name: a.name,
                invited_name: None,
                invited_email: None,
                role,
                account: a.account.into_name(),
                send: !a.no_send,
                grants: listed(a.grant),
                city,
                country,
                timezone: a.timezone,
                expires_in: a.expires_in,
                until: a.until.map(|u| u.at(portal.now())).transpose()?,
                invited_at: None,
            };
            let view = portal.invite(&req)?;
            if let Some(warning) = &view.timezone_warning {
                out.warn(warning);
            }
            out.note(&format!(
                "invited `{}` to `{}` as `{}`",
                view.member.email, view.member.account, view.member.role
            ));
            out.note(if view.email_queued {
                "if the invitation does not arrive, ask them to check their junk mail or spam folder; `portalctl user resend-invite` sends a new one"
            } else {
                "no email was sent; `portalctl user resend-invite` sends one"
            });
            out.change(&view)
        }
        UserCommand::Accept { token, name } => {
            let view = portal.accept(&token, name.as_ref())?;
            out.note(&format!(
                "`{}` is now active in `{}`",
                view.email, view.account
            ));
            out.change(&view)
        }
        UserCommand::ResendInvite {
            email: e,
            account,
            expires_in,
            no_send,
        } => {
            let view = portal.resend_invite(&e, account.name(), expires_in, !no_send)?;
            out.note(&if view.email_queued {
                format!(
                    "sent a new invitation to `{}`; the old token no longer works",
                    view.member.email
                )
            } else {
                format!(
                    "issued a new token for `{}` and sent no email; the old token no longer works",
                    view.member.email
                )
            });
            out.change(&view)
        }
        UserCommand::RevokeInvite(t) => {
            let (e, account) = (&t.email, t.account.name());
            s.confirm_checked(
                &mut portal,
                |p| p.check(|p| p.revoke_invite(e, account)),
                &format!("revoke the invitation of `{e}`? their token stops working"),
            )?;
            out.change(&portal.revoke_invite(e, account)?)
        }
        UserCommand::List {
            account,
            status,
            role,
            expiring,
            can,
            expired,
            limit,
        } => {
            let filter = MemberFilter {
                account,
                status,
                role,
                expiring,
                can,
                expired,
                limit: limit.limit,
            };
            let mut list = out.stream("members match");
            portal.member_pages(&filter, &mut |page| list.page(page))?;
            list.finish()
        }
        UserCommand::Show { email, account, at } => match at {
            Some(at) => {
                let at = at.at(portal.now())?;
                out.item(&portal.member_show_at(&email, account.name(), at)?)
            }
            None => out.item(&portal.member_show(&email, account.name())?),
        },
        UserCommand::History { email, account } => {
            out.list(&portal.member_history(&email, account.name())?, "events")
        }
        UserCommand::Courses {
            email: e,
            account,
            history,
        } => out.list(
            &portal.member_courses(&e, account.name(), history)?,
            "courses",
        ),
        UserCommand::Edit(a) => {
            let edit = PersonEdit {
                name: a.name,
                location: LocationInput {
                    city: a.city,
                    country: a.country,
                    timezone: a.timezone,
                },
                new_email: a.new_email,
            };
            let edited = portal.edit_person(&a.email, a.account.name(), &edit)?;
            for warning in &edited.warnings {
                out.warn(warning);
            }
            if !edited.changed {
                out.note("nothing changed: it was so already");
            }
            out.change(&edited.member)
        }
        UserCommand::SetRole {
            email: e,
            role,
            account,
            until,
            services,
        } => {
            let until = until.map(|u| u.at(portal.now())).transpose()?;
            // A partner member given less keeps no external access that
            // gives more: said as a deactivation says it.
            let view = portal.set_role_handing_over(
                &e,
                &role,
                account.name(),
                until,
                &services.handover(),
            )?;
            note_external_ended(s, &view);
            out.change(&view)
        }
        UserCommand::Grant { grant: g, until } => {
            let until = until.map(|u| u.at(portal.now())).transpose()?;
            out.change(&portal.grant(&g.email, &listed(g.grants), g.account.name(), until)?)
        }
        UserCommand::Revoke(g) => {
            out.change(&portal.revoke(&g.email, &listed(g.grants), g.account.name())?)
        }
        UserCommand::Deactivate(t) => {
            let (e, account, handover) = (&t.email, t.account.name(), t.handover());
            s.confirm_checked(
                &mut portal,
                |p| p.check(|p| p.deactivate(e, account, &handover)),
                &format!("deactivate `{e}`? they lose access"),
            )?;
            let view = portal.deactivate(e, account, &handover)?;
            note_external_ended(s, &view);
            out.change(&view)
        }
        UserCommand::Activate(t) => out.change(&portal.activate(&t.email, t.account.name())?),
        UserCommand::LeftCompany(t) => {
            let (e, account, handover) = (&t.email, t.account.name(), t.handover());
            s.confirm_checked(
                &mut portal,
                |p| p.check(|p| p.left_company(e, account, &handover)),
                &format!("mark `{e}` as left the company? they lose access"),
            )?;
            let view = portal.left_company(e, account, &handover)?;
            note_external_ended(s, &view);
            out.change(&view)
        }
        UserCommand::FlagDuplicate {
            email: e,
            of,
            account,
        } => out.change(&portal.flag_duplicate(&e, &of, account.name())?),
        UserCommand::Merge { email: e, into } => {
            let (dup, kept) = (e, into);
            s.confirm_rehearsed(
                &mut portal,
                |p| p.rehearse(|p| p.merge(&dup, &kept)),
                |merge| {
                    // An owner's duplicate hands their accounts to the
                    // person kept: asked by name (findings A14).
                    let owns = match merge.owner_of.as_slice() {
                        [] => String::new(),
                        accounts => format!(
                            " and `{kept}` will own {}",
                            accounts
                                .iter()
                                .map(|a| format!("`{a}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    format!("merge `{dup}` into `{kept}`? `{dup}` will be retired{owns}")
                },
            )?;
            out.change(&portal.merge(&dup, &kept)?)
        }
        UserCommand::TransferOwnership {
            to,
            former_owner_role,
            account,
        } => {
            let handover = OwnershipTransfer {
                to: &to,
                former_owner_role: former_owner_role.as_deref(),
                account: account.name(),
            };
            s.confirm_checked(
                &mut portal,
                |p| p.check(|p| p.transfer_ownership(&handover)),
                &format!("make `{to}` the owner?"),
            )?;
            out.change(&portal.transfer_ownership(&handover)?)
        }
    }
}

/// The items of a comma-separated list that say something: `a,,b` and a
/// trailing comma name two grants, and an empty `--grant ""` none.
fn listed(items: Vec<String>) -> Vec<String> {
    items
        .into_iter()
        .map(|item| item.trim().to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

/// Says which external admin memberships ended with a deactivation, a
/// departure or a lesser role, and warns about customers left without an
/// admin.
fn note_external_ended(s: &Session, view: &MemberView) {
    for ended in &view.external_ended {
        s.out.note(&format!(
            "ended `{}`'s external access to `{}`",
            view.email, ended.customer
        ));
        if ended.services_unassigned > 0 {
            s.out.warn(&format!(
                "{} service(s) of `{}` were assigned to `{}` and are unassigned now; an admin of `{}` can assign them again",
                ended.services_unassigned, ended.customer, view.email, ended.customer
            ));
        }
        if ended.left_without_admin {
            s.out.warn(&format!(
                "`{}` has no active member holding `users.manage` now; add one with `{}`",
                ended.customer,
                Paste::new("external-admin add")
                    .opt("--customer", &ended.customer)
                    .words("--email EMAIL --role ROLE")
            ));
        }
    }
}

/// The role picked on the terminal for an invitation, among the catalog's
/// roles; `None` when the catalog gives one by default.
fn pick_role(portal: &mut crate::domain::Portal, email: Option<&Email>) -> Result<Option<String>> {
    let roles = portal.invite_role_choices()?;
    if roles.is_empty() {
        return Ok(None);
    }
    let whom = email.map_or_else(String::new, |e| format!(" for `{e}`"));
    crate::prompt::pick(&escape(&format!("role{whom}")), &roles).map(Some)
}

/// Asks for the email of the person to invite, read as EMAIL would be.
fn ask_email() -> Result<Email> {
    let text = crate::prompt::input("email of the person to invite", |t| {
        t.parse::<Email>().map(|_| ())
    })?;
    text.parse()
}

/// Asks for the city of `email`, read as --city would be.
fn ask_city(email: &Email) -> Result<Text> {
    let check = |t: &str| Text::parse("--city", t).and_then(|c| c.required("the city").map(|_| ()));
    let text = crate::prompt::input(&escape(&format!("city of `{email}`")), check)?;
    Text::parse("--city", &text)
}

/// Asks for the country of `email`, read as --country would be.
fn ask_country(email: &Email) -> Result<String> {
    crate::prompt::input(
        &escape(&format!(
            "country of `{email}` (ISO 3166 alpha-2, such as GB)"
        )),
        |t| crate::domain::check_country(t).map(|_| ()),
    )
}
