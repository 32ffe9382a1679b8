//! Plain data: the names, records and views that every layer shares.
//!
//! Records mirror what the store keeps; views are what commands print.
//! Parsing of user-typed names (emails, statuses, kinds, capabilities) lives
//! here so that every layer agrees on one spelling. Each concept has its own
//! file; everything is re-exported here, so callers name `crate::model::X`.

mod canonical_json;
mod capability;
mod fixture;
mod keywords;
mod mailbox;
mod money;
mod names;
mod network;
mod order_key;
mod order_type;
mod payment;
mod percent;
mod plain;
mod records;
mod shell;
mod suggest;
mod text;
mod time;

pub(crate) use canonical_json::CanonicalJson;
pub(crate) use capability::{caps, Capability, Need, CAPABILITIES};
pub(crate) use fixture::{
    Fixture, FixtureAccount, FixtureAddress, FixtureAllocation, FixtureCostCentre, FixtureCourse,
    FixtureDecision, FixtureDelegation, FixtureExternalAdmin, FixtureHold, FixtureLicense,
    FixtureOrder, FixturePartnerConfig, FixturePayment, FixturePerson, FixturePolicy, FixturePrice,
    FixtureProfile, FixtureRole, FixtureService, FixtureStatus, FixtureUser,
};
pub(crate) use keywords::{
    AccountKind, GrantRule, InvitationState, MemberStanding, MemberStatus, OrderStatus, OutboxState,
};
pub(crate) use mailbox::Mailbox;
pub(crate) use money::{parse_currency, Money};
pub(crate) use names::{
    letters_problem, look_alike, loose_skeleton, name_key, name_readings, name_skeleton,
    one_script_per_word, parse_name, reference_loose, references_look_alike, same_name, Email,
};
pub(crate) use network::{IpDirection, IpNetwork, Smarthost};
pub(crate) use order_key::{OrderKey, MAX_ORDER_NUMBER};
pub(crate) use order_type::{order_type_key, parse_order_type, same_order_type};
pub(crate) use payment::{Iban, PaymentMethod};
pub(crate) use percent::Percent;
pub(crate) use records::{
    lapsed, Account, Address, Allocation, AuditEvent, ContractPrice, CostCentre, Course,
    CourseProgress, Delegation, Enrolment, Grant, GrantBundle, Holding, Invitation, License,
    ListedMember, MatchedPolicy, MemberQuery, Membership, Order, OrderDecision, OrderDetails,
    OrderQuery, OutboxMessage, PartnerConfig, PartnerIp, PaymentDetails, Person, Policy, Profile,
    RecordedDeciders, Role, Service, ShippingAddress, MAX_SERVICE_NUMBER,
};
pub(crate) use shell::{backslash_escape, quote, Paste};
pub(crate) use suggest::{closest_few, did_you_mean};
pub(crate) use text::{composed, escape, refused, reveal, unsafe_to_print, unseen, Text};
pub(crate) use time::{parse_duration, Timestamp, DURATION_FORMS};
