//! Plain data: the names, records and views that every layer shares.
//!
//! Records mirror what the store keeps; views are what commands print.
//! Parsing of user-typed names (emails, statuses, kinds, capabilities) lives
//! here so that every layer agrees on one spelling. Each concept has its own
//! file; everything is re-exported here, so callers name `crate::model::X`.

mod capability;
mod keywords;
mod money;
mod names;
mod network;
mod payment;
mod records;
mod time;

pub use capability::{caps, Capability, CAPABILITIES};
pub use keywords::{AccountKind, InvitationState, MemberStatus, OrderStatus};
pub use money::{parse_currency, Money};
pub use names::{parse_name, Email};
pub use network::{IpDirection, IpNetwork, Smarthost};
pub use payment::{Iban, PaymentMethod};
pub use records::{
    Account, Address, Allocation, AuditEvent, CostCentre, Course, Enrolment, Grant, GrantBundle,
    Invitation, License, MatchedPolicy, Membership, Order, OrderDecision, OutboxMessage,
    PartnerConfig, PartnerIp, PaymentDetails, Person, Policy, Profile, Role, Service,
    ShippingAddress,
};
pub use time::{format_time, parse_time, ser_opt_time, ser_time, Timestamp};
