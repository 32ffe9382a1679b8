//! The lower-case keywords of kinds and statuses, as stored and typed.

/// Generates `FromStr`, `Display` and `as_str` for a lower-case keyword enum.
///
/// Paths are absolute so the macro works in any module of `model`.
macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub(crate) enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every keyword, in order: what a shell completes.
            #[allow(dead_code)]
            pub(crate) const NAMES: &'static [&'static str] = &[$($text),+];

            /// The keyword as stored and printed.
            pub(crate) fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::error::Error;
            fn from_str(s: &str) -> $crate::error::Result<Self> {
                match s.trim().to_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::error::Error::invalid(format!(concat!("unknown ", $what, " `{}`"), s.trim()))
                        .help($crate::model::did_you_mean(s, [$($text),+], format!("use one of: {}", [$($text),+].join(", "))))),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

pub(super) use keyword_enum;

keyword_enum!(
    /// Whether an account is a partner or a customer.
    AccountKind, "account kind" {
        /// Resells or manages customers.
        Partner = "partner",
        /// Buys; may have a parent partner.
        Customer = "customer",
    }
);

keyword_enum!(
    /// Where a membership stands.
    MemberStatus, "status" {
        /// Invitation sent, not accepted yet.
        Invited = "invited",
        /// Can use the portal.
        Active = "active",
        /// Disabled by an admin; history kept.
        Deactivated = "deactivated",
        /// Left the company: blocking role, no access.
        Left = "left",
    }
);

keyword_enum!(
    /// Where a membership stands as shown and filtered on: its stored
    /// status, except that one deactivated before it was ever accepted
    /// because its invitation was withdrawn shows as `revoked`. Not a stored
    /// status: the invitation's own state says it, so no schema change.
    MemberStanding, "status" {
        /// Invitation sent, not accepted yet.
        Invited = "invited",
        /// Can use the portal.
        Active = "active",
        /// Disabled by an admin; history kept.
        Deactivated = "deactivated",
        /// Never accepted: the invitation was withdrawn (`user revoke-invite`,
        /// or deactivating an invitee); `user resend-invite` reopens it.
        Revoked = "revoked",
        /// Left the company: blocking role, no access.
        Left = "left",
    }
);

impl From<MemberStatus> for MemberStanding {
    fn from(status: MemberStatus) -> Self {
        match status {
            MemberStatus::Invited => MemberStanding::Invited,
            MemberStatus::Active => MemberStanding::Active,
            MemberStatus::Deactivated => MemberStanding::Deactivated,
            MemberStatus::Left => MemberStanding::Left,
        }
    }
}

keyword_enum!(
    /// The life of one invitation token.
    InvitationState, "invitation state" {
        /// Can be accepted until it expires.
        Pending = "pending",
        /// Used.
        Accepted = "accepted",
        /// Withdrawn by an admin.
        Revoked = "revoked",
        /// A resend issued a new token in its place.
        Replaced = "replaced",
    }
);

keyword_enum!(
    /// Where an order stands.
    OrderStatus, "order status" {
        /// Waiting for approvals.
        Pending = "pending",
        /// Approved by every matching policy, or matched none.
        Approved = "approved",
        /// Rejected by an eligible approver.
        Rejected = "rejected",
        /// Withdrawn while pending, by its creator or one who could decide it.
        Cancelled = "cancelled",
    }
);

keyword_enum!(
    /// What a role catalog lets admins grant on top of a member's role
    /// (the catalog file's `grants` field).
    GrantRule, "grant rule" {
        /// Access comes from the role alone: one role per user, nothing on top.
        None = "none",
        /// The catalog's areas (grant bundles), each given as one.
        Areas = "areas",
        /// The catalog's areas and any single capability.
        Capabilities = "capabilities",
    }
);

keyword_enum!(
    /// Where an email of the outbox stands.
    OutboxState, "outbox state" {
        /// Waiting for delivery, or for its next attempt.
        Pending = "pending",
        /// Accepted by the mail server (or written as a file).
        Sent = "sent",
        /// Refused on every attempt allowed; `outbox retry` tries again.
        Failed = "failed",
        /// No longer to be sent: its invitation ended, or an admin cancelled it.
        Cancelled = "cancelled",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_parse_without_case() {
        assert_eq!(
            "Active".parse::<MemberStatus>().ok(),
            Some(MemberStatus::Active)
        );
        assert!("gone".parse::<MemberStatus>().is_err());
    }
}
