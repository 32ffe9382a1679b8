//! Rendering: tables for people, one JSON document for scripts. The only
//! writer to stdout; notes and errors go to stderr.

use std::io::{self, Write};

use comfy_table::{presets, ContentArrangement, Table};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{format_time, AuditEvent, OutboxMessage, Timestamp};
use crate::view::{
    AccountDetailsView, AccountView, AddressView, CanView, CostCentreView, CourseView,
    EnrolmentView, InitView, InvitedView, IpView, LicenseView, MemberView, MergeView, OrderView,
    PartnerConfigView, PaymentView, PolicyView, PresetView, RoleView, ServiceView,
};

/// A view that prints as one row of a list.
pub trait Row {
    /// Column headers.
    fn headers() -> &'static [&'static str];
    /// This item's cells.
    fn cells(&self) -> Vec<String>;
}

/// A view that prints as a two-column table of fields.
pub trait Fields {
    /// Field names and values, in print order.
    fn fields(&self) -> Vec<(&'static str, String)>;
}

/// A view that prints as titled sections of fields (`account show`).
pub trait Sections {
    /// Section titles, each with its field names and values in print order.
    fn sections(&self) -> Vec<(&'static str, Vec<(String, String)>)>;
}

/// Where and how results are printed.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// One JSON document instead of tables.
    pub json: bool,
    /// Print notes for people ("invited ann@acme.test") on stderr.
    pub notes: bool,
}

impl Output {
    /// Prints a list: a table, or a JSON array.
    pub fn list<T: Serialize + Row>(&self, items: &[T]) -> Result<()> {
        if self.json {
            return self.print_json(&items);
        }
        let mut table = new_table();
        table.set_header(T::headers().to_vec());
        for item in items {
            table.add_row(item.cells());
        }
        if items.is_empty() {
            self.note("nothing to list");
            return Ok(());
        }
        write_table(&mut table)
    }

    /// Prints one object: a field table, or a JSON object.
    pub fn item<T: Serialize + Fields>(&self, item: &T) -> Result<()> {
        if self.json {
            return self.print_json(item);
        }
        let mut table = new_table();
        for (name, value) in item.fields() {
            table.add_row(vec![name.to_string(), value]);
        }
        write_table(&mut table)
    }

    /// Prints one object in sections: a title line, then its fields
    /// indented and aligned; or a JSON object.
    pub fn sections<T: Serialize + Sections>(&self, item: &T) -> Result<()> {
        if self.json {
            return self.print_json(item);
        }
        let sections = item.sections();
        let width = sections
            .iter()
            .flat_map(|(_, fields)| fields.iter().map(|(name, _)| name.chars().count()))
            .max()
            .unwrap_or(0);
        let mut text = String::new();
        for (title, fields) in sections {
            text.push_str(title);
            text.push('\n');
            if fields.is_empty() {
                text.push_str("  -\n");
            }
            for (name, value) in fields {
                let line = format!("  {name:<width$}  {value}");
                text.push_str(line.trim_end());
                text.push('\n');
            }
        }
        write_stdout(&text)
    }

    /// Prints text as it is (completion scripts).
    pub fn raw(&self, text: &str) -> Result<()> {
        write_stdout(text)
    }

    /// A line for people on stderr, such as "invited ann@acme.test"; only
    /// when stderr is a terminal and not under `--json`, so scripts see
    /// nothing but the result.
    #[allow(clippy::print_stderr)]
    pub fn note(&self, message: &str) {
        if self.notes {
            eprintln!("{message}");
        }
    }

    /// A `warning: ...` line on stderr, always: something succeeded but
    /// needs the user's attention.
    #[allow(clippy::print_stderr)]
    pub fn warn(&self, message: &str) {
        eprintln!("warning: {message}");
    }

    fn print_json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Error::Internal(anyhow::Error::new(e).context("cannot render JSON")))?;
        write_stdout(&format!("{text}\n"))
    }
}

/// Prints an error as `error: ...` and an optional `help: ...` on stderr.
#[allow(clippy::print_stderr)]
pub fn print_error(e: &Error) {
    match e {
        Error::Internal(inner) => eprintln!("error: {inner:#}"),
        other => eprintln!("error: {other}"),
    }
    if let Some(help) = e.help_text() {
        eprintln!("help: {help}");
    }
}

/// Writes a table as plain aligned columns, two spaces apart.
fn write_table(table: &mut Table) -> Result<()> {
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    let text: String = table
        .lines()
        .map(|line| format!("{}\n", line.trim_end()))
        .collect();
    write_stdout(&text)
}

fn write_stdout(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::Internal(e.into()))
}

/// True for the error a closed pipe gives (`portalctl user list | head`).
pub fn is_broken_pipe(e: &Error) -> bool {
    match e {
        Error::Internal(inner) => inner
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe),
        _ => false,
    }
}

fn new_table() -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic);
    table
}

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "-".into())
}

fn opt_time(value: Option<Timestamp>) -> String {
    value.map(format_time).unwrap_or_else(|| "-".into())
}

fn list_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(", ")
    }
}

impl Row for MemberView {
    fn headers() -> &'static [&'static str] {
        &["EMAIL", "NAME", "ACCOUNT", "ROLE", "STATUS", "GRANTS"]
    }
    fn cells(&self) -> Vec<String> {
        let role = if self.owner {
            format!("{} (owner)", self.role)
        } else {
            self.role.clone()
        };
        vec![
            self.email.clone(),
            self.name.clone(),
            self.account.clone(),
            role,
            self.status.to_string(),
            list_or_dash(&self.grants),
        ]
    }
}

impl Fields for MemberView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("email", self.email.clone()),
            ("name", self.name.clone()),
            ("account", self.account.clone()),
            ("role", self.role.clone()),
            (
                "owner",
                if self.owner {
                    "yes".into()
                } else {
                    "no".into()
                },
            ),
            ("status", self.status.to_string()),
            ("grants", self.grants_text()),
            ("invited at", opt_time(self.invited_at)),
            ("accepted at", opt_time(self.accepted_at)),
            ("city", opt(&self.city)),
            ("country", opt(&self.country)),
            ("timezone", opt(&self.timezone)),
        ];
        if let Some(from) = &self.external_from {
            fields.push(("external from", from.clone()));
        }
        if let Some(of) = &self.duplicate_of {
            fields.push(("duplicate of", of.clone()));
        }
        if let Some(services) = &self.services {
            fields.push(("services", list_or_dash(services)));
        }
        if let Some(caps) = &self.capabilities {
            fields.push(("capabilities", list_or_dash(caps)));
        }
        if let Some(courses) = &self.courses {
            fields.push((
                "courses",
                if courses.is_empty() {
                    "-".into()
                } else {
                    courses.join("\n")
                },
            ));
        }
        for ended in &self.external_ended {
            let note = if ended.left_without_admin {
                " (it has no active admin now)"
            } else {
                ""
            };
            fields.push((
                "external access ended",
                format!("{} as {}{note}", ended.customer, ended.role),
            ));
        }
        fields
    }
}

impl MemberView {
    /// One grant per line with what it gives (`billing: billing.view,
    /// billing.payment`) where the details are known, else the names.
    fn grants_text(&self) -> String {
        match &self.grant_details {
            Some(details) if !details.is_empty() => details
                .iter()
                .map(|g| {
                    let until = g
                        .expires_at
                        .map(|t| format!(" (until {})", format_time(t)))
                        .unwrap_or_default();
                    if g.area {
                        format!("area {}: {}{until}", g.name, g.capabilities.join(", "))
                    } else {
                        format!("{}{until}", g.name)
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
            _ => list_or_dash(&self.grants),
        }
    }
}

impl Fields for InvitedView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = self.member.fields();
        fields.push(("token", format!("{} (shown only this once)", self.token)));
        fields.push(("expires at", format_time(self.expires_at)));
        fields.push((
            "invitation email",
            if self.email_queued {
                "queued in the outbox".into()
            } else {
                "not sent (--no-send)".into()
            },
        ));
        if self.existing_login {
            fields.push((
                "login",
                "existing login reused; no new identity or password".into(),
            ));
        }
        fields
    }
}

impl Row for AccountView {
    fn headers() -> &'static [&'static str] {
        &[
            "NAME",
            "KIND",
            "PARENT",
            "CURRENCY",
            "OWNER",
            "ACTIVE MEMBERS",
        ]
    }
    fn cells(&self) -> Vec<String> {
        let name = if self.parent.is_some() {
            format!("  {}", self.name)
        } else {
            self.name.clone()
        };
        vec![
            name,
            self.kind.to_string(),
            opt(&self.parent),
            self.currency.clone(),
            opt(&self.owner),
            self.active_members.to_string(),
        ]
    }
}

impl Fields for AccountView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name.clone()),
            ("kind", self.kind.to_string()),
            ("parent", opt(&self.parent)),
            ("currency", self.currency.clone()),
            ("owner", opt(&self.owner)),
            ("phone", opt(&self.phone)),
            ("website", opt(&self.website)),
            ("marketing", opt(&self.marketing)),
            ("sectors", opt(&self.sectors)),
            ("partner status", opt(&self.partner_status)),
            ("active members", self.active_members.to_string()),
            ("created at", format_time(self.created_at)),
        ]
    }
}

fn role_capabilities(role: &RoleView) -> String {
    if role.blocking {
        "none (blocks all access)".into()
    } else if role.all_capabilities {
        "all".into()
    } else {
        list_or_dash(&role.capabilities)
    }
}

impl Row for RoleView {
    fn headers() -> &'static [&'static str] {
        &["ROLE", "MEMBERS", "CAPABILITIES", "DESCRIPTION"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.members.map_or_else(|| "-".into(), |n| n.to_string()),
            role_capabilities(self),
            self.description.clone(),
        ]
    }
}

impl Fields for RoleView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name.clone()),
            ("description", self.description.clone()),
            (
                "kind",
                if self.builtin {
                    "from the preset".into()
                } else {
                    "custom".into()
                },
            ),
            (
                "members",
                self.members.map_or_else(|| "-".into(), |n| n.to_string()),
            ),
            (
                "capabilities",
                if self.blocking {
                    role_capabilities(self)
                } else {
                    self.capabilities.join("\n")
                },
            ),
        ]
        .into_iter()
        .chain(self.courses.as_ref().map(|c| ("courses", list_lines(c))))
        .collect()
    }
}

fn list_lines(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join("\n")
    }
}

impl Row for CourseView {
    fn headers() -> &'static [&'static str] {
        &["COURSE", "ROLES", "AREA", "DESCRIPTION"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            course_roles(self),
            list_or_dash(&self.area_capabilities),
            self.description.clone(),
        ]
    }
}

fn course_roles(course: &CourseView) -> String {
    if course.all_roles {
        "every role but the blocking one".into()
    } else {
        list_or_dash(&course.roles)
    }
}

impl Row for EnrolmentView {
    fn headers() -> &'static [&'static str] {
        &["COURSE", "ENROLLED", "ENDED", "ACCESS IN THE AREA"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.course.clone(),
            format_time(self.enrolled_at),
            opt_time(self.ended_at),
            match &self.area_access {
                Some(held) if held.is_empty() => "none".into(),
                Some(held) => held.join(", "),
                None => "-".into(),
            },
        ]
    }
}

impl Row for PresetView {
    fn headers() -> &'static [&'static str] {
        &["PRESET", "ROLES", "TITLE"]
    }
    fn cells(&self) -> Vec<String> {
        let roles: Vec<String> = self.roles.iter().map(|r| r.name.clone()).collect();
        vec![self.name.clone(), roles.join(", "), self.title.clone()]
    }
}

impl Fields for PresetView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("preset", self.name.clone()),
            ("title", self.title.clone()),
            ("owner role", self.owner_role.clone()),
            ("account kind", self.account_kind.to_string()),
        ];
        if self.require_location {
            fields.push((
                "location",
                "city and country required; timezone given or derived".into(),
            ));
        }
        for role in &self.roles {
            fields.push((
                "role",
                format!("{}: {}", role.name, role_capabilities(role)),
            ));
        }
        for bundle in &self.grant_bundles {
            fields.push((
                "area",
                format!("{}: {}", bundle.name, bundle.capabilities.join(", ")),
            ));
        }
        for course in &self.courses {
            fields.push((
                "course",
                format!("{}: {}", course.name, course_roles(course)),
            ));
        }
        fields
    }
}

impl Fields for CanView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "allowed",
                if self.allowed {
                    "yes".into()
                } else {
                    "no".into()
                },
            ),
            ("email", self.email.clone()),
            ("account", self.account.clone()),
            ("capability", self.capability.clone()),
            ("reason", self.reason.clone()),
        ]
    }
}

impl Fields for MergeView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("merged", self.merged.clone()),
            ("into", self.into.clone()),
            ("moved", list_or_dash(&self.moved)),
            ("ended", list_or_dash(&self.ended)),
        ]
    }
}

impl Fields for InitView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("preset", self.preset.clone()),
            ("account", self.account.name.clone()),
            ("kind", self.account.kind.to_string()),
            ("currency", self.account.currency.clone()),
            ("owner", self.owner.email.clone()),
            ("owner role", self.owner.role.clone()),
        ]
    }
}

impl Row for AuditEvent {
    fn headers() -> &'static [&'static str] {
        &["SEQ", "AT", "ACTOR", "ACTION", "ACCOUNT", "TARGET"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.seq.to_string(),
            format_time(self.at),
            self.actor.clone(),
            self.action.clone(),
            opt(&self.account),
            opt(&self.target),
        ]
    }
}

impl Row for OutboxMessage {
    fn headers() -> &'static [&'static str] {
        &["ID", "QUEUED", "TO", "SUBJECT", "SENT"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            format_time(self.created_at),
            self.recipient.clone(),
            self.subject.clone(),
            opt_time(self.sent_at),
        ]
    }
}

impl Row for ServiceView {
    fn headers() -> &'static [&'static str] {
        &["ID", "SERVICE", "KIND", "ASSIGNED TO"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone(),
            opt(&self.kind),
            opt(&self.assigned_to),
        ]
    }
}

impl Fields for ServiceView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("id", self.id.to_string()),
            ("name", self.name.clone()),
            ("kind", opt(&self.kind)),
            ("account", self.account.clone()),
            ("assigned to", opt(&self.assigned_to)),
        ]
    }
}

impl Row for CostCentreView {
    fn headers() -> &'static [&'static str] {
        &["CODE", "NAME", "ARCHIVED"]
    }
    fn cells(&self) -> Vec<String> {
        vec![self.code.clone(), self.name.clone(), yes_no(self.archived)]
    }
}

impl Fields for CostCentreView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("code", self.code.clone()),
            ("name", self.name.clone()),
            ("account", self.account.clone()),
            ("archived", yes_no(self.archived)),
        ]
    }
}

fn approvers(p: &PolicyView) -> String {
    if p.approvers.is_empty() {
        "every holder of orders.approve".into()
    } else {
        p.approvers.join(", ")
    }
}

impl Row for PolicyView {
    fn headers() -> &'static [&'static str] {
        &["POLICY", "OVER", "TYPE", "APPROVERS", "NEEDS", "ENABLED"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            format!("{} {}", self.threshold, self.currency),
            opt(&self.order_type),
            approvers(self),
            self.required_approvals.to_string(),
            yes_no(self.enabled),
        ]
    }
}

impl Fields for PolicyView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name.clone()),
            ("account", self.account.clone()),
            ("threshold", format!("{} {}", self.threshold, self.currency)),
            ("order type", opt(&self.order_type)),
            ("approvers", approvers(self)),
            ("required approvals", self.required_approvals.to_string()),
            ("enabled", yes_no(self.enabled)),
        ]
    }
}

impl Row for OrderView {
    fn headers() -> &'static [&'static str] {
        &[
            "ID",
            "CREATED BY",
            "DESCRIPTION",
            "AMOUNT",
            "STATUS",
            "APPROVALS",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.created_by.clone(),
            self.description.clone(),
            format!("{} {}", self.amount, self.currency),
            self.status.to_string(),
            list_or_dash(&self.approvals),
        ]
    }
}

impl Fields for OrderView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("id", self.id.to_string()),
            ("account", self.account.clone()),
            ("ref", opt(&self.reference)),
            ("created by", self.created_by.clone()),
            ("description", self.description.clone()),
            ("type", opt(&self.order_type)),
            ("amount", format!("{} {}", self.amount, self.currency)),
            ("cost centre", opt(&self.cost_centre)),
            (
                "ship to",
                self.ship_to.as_ref().map_or_else(|| "-".into(), one_line),
            ),
            ("status", self.status.to_string()),
            ("approvals", list_or_dash(&self.approvals)),
        ];
        for p in &self.policies {
            fields.push((
                "policy",
                format!(
                    "{}: {} of {} approvals",
                    p.name, p.approvals, p.required_approvals
                ),
            ));
        }
        if let Some(by) = &self.rejected_by {
            fields.push(("rejected by", by.clone()));
            fields.push(("reason", opt(&self.rejected_reason)));
        }
        fields.push(("placed at", format_time(self.created_at)));
        fields.push(("decided at", opt_time(self.decided_at)));
        fields
    }
}

fn yes_no(flag: bool) -> String {
    if flag { "yes" } else { "no" }.into()
}

fn one_line(a: &crate::model::ShippingAddress) -> String {
    let mut parts = vec![a.line1.clone()];
    parts.extend(a.line2.clone());
    parts.extend([a.city.clone(), a.postcode.clone(), a.country.clone()]);
    parts.join(", ")
}

impl Sections for AccountDetailsView {
    fn sections(&self) -> Vec<(&'static str, Vec<(String, String)>)> {
        let a = &self.account;
        let details = [
            ("name", a.name.clone()),
            ("kind", a.kind.to_string()),
            ("parent", opt(&a.parent)),
            ("currency", a.currency.clone()),
            ("owner", opt(&a.owner)),
            ("phone", opt(&a.phone)),
            ("website", opt(&a.website)),
            ("marketing", opt(&a.marketing)),
            ("sectors", opt(&a.sectors)),
            ("active members", a.active_members.to_string()),
            ("created at", format_time(a.created_at)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let mut sections = vec![("Details", details)];
        if a.kind == crate::model::AccountKind::Partner {
            sections.push((
                "Status",
                vec![("partner status".into(), opt(&a.partner_status))],
            ));
        }
        sections.push((
            "Address",
            self.addresses
                .iter()
                .map(|v| (v.address.label.clone(), one_line(&v.address)))
                .collect(),
        ));
        sections.push((
            "Products and prices",
            self.products
                .iter()
                .map(|p| {
                    let detail = match (p.allocated, p.available, &p.supplier) {
                        (Some(allocated), Some(available), _) => format!(
                            "{} seats bought, {allocated} allocated, {available} available",
                            p.seats
                        ),
                        (_, _, Some(supplier)) => format!("{} seats from {supplier}", p.seats),
                        _ => format!("{} seats", p.seats),
                    };
                    (p.product.clone(), detail)
                })
                .collect(),
        ));
        if let Some(config) = &self.config {
            sections.push((
                "Config",
                vec![
                    ("inbound IPs".into(), list_or_dash(&config.inbound)),
                    ("outbound IPs".into(), list_or_dash(&config.outbound)),
                    ("smarthost".into(), opt(&config.smarthost)),
                ],
            ));
        }
        sections
    }
}

fn allocations_text(v: &LicenseView) -> String {
    let parts: Vec<String> = v
        .allocations
        .iter()
        .map(|a| format!("{} {}", a.customer, a.seats))
        .collect();
    list_or_dash(&parts)
}

impl Row for LicenseView {
    fn headers() -> &'static [&'static str] {
        &[
            "PARTNER",
            "PRODUCT",
            "SEATS",
            "ALLOCATED",
            "AVAILABLE",
            "CUSTOMERS",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.account.clone(),
            self.product.clone(),
            self.seats.to_string(),
            self.allocated.to_string(),
            self.available.to_string(),
            allocations_text(self),
        ]
    }
}

impl Fields for LicenseView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("partner", self.account.clone()),
            ("product", self.product.clone()),
            ("seats", self.seats.to_string()),
            ("allocated", self.allocated.to_string()),
            ("available", self.available.to_string()),
            ("customers", allocations_text(self)),
        ]
    }
}

impl Row for AddressView {
    fn headers() -> &'static [&'static str] {
        &["LABEL", "LINE 1", "LINE 2", "CITY", "POSTCODE", "COUNTRY"]
    }
    fn cells(&self) -> Vec<String> {
        let a = &self.address;
        vec![
            a.label.clone(),
            a.line1.clone(),
            opt(&a.line2),
            a.city.clone(),
            a.postcode.clone(),
            a.country.clone(),
        ]
    }
}

impl Fields for AddressView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let a = &self.address;
        let mut fields = vec![
            ("account", self.account.clone()),
            ("label", a.label.clone()),
            ("line 1", a.line1.clone()),
            ("line 2", opt(&a.line2)),
            ("city", a.city.clone()),
            ("postcode", a.postcode.clone()),
            ("country", a.country.clone()),
            ("added at", format_time(self.created_at)),
        ];
        if let Some(removed) = self.removed_at {
            fields.push(("removed at", format_time(removed)));
        }
        fields
    }
}

impl Fields for PaymentView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("account", self.account.clone()),
            ("method", opt(&self.method)),
            ("iban", opt(&self.iban_masked)),
            ("updated at", opt_time(self.updated_at)),
        ]
    }
}

impl Row for IpView {
    fn headers() -> &'static [&'static str] {
        &["DIRECTION", "ADDRESS"]
    }
    fn cells(&self) -> Vec<String> {
        vec![self.direction.to_string(), self.address.clone()]
    }
}

impl Fields for PartnerConfigView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("account", self.account.clone()),
            ("inbound IPs", list_or_dash(&self.inbound)),
            ("outbound IPs", list_or_dash(&self.outbound)),
            ("smarthost", opt(&self.smarthost)),
        ]
    }
}
