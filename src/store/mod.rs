//! Storage: the only module that speaks SQL.
//!
//! The domain sees two traits: [`Store`] opens transactions and [`Tx`] is the
//! narrow set of reads and writes the rules need, grouped by table. They are
//! the one seam: [`SqliteStore`] implements them here, with one file of SQL
//! per table group, and a server database can implement the same two traits
//! without the domain changing.

mod accounts;
mod addresses;
mod audit;
mod columns;
mod courses;
mod database;
mod delegations;
mod file;
mod invitations;
mod licenses;
mod member_events;
mod orders;
mod partners;
mod people;
mod roles;
#[cfg(test)]
mod seam_tests;
mod services;
mod status;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rusqlite::Connection;

use self::columns::{at, json_col, keyword, keyword_col, limit, qualified};
pub(crate) use self::database::{default_path, known_version, Damaged, NewFile};
pub(crate) use self::status::{HeldName, MailCounts, StatusCounts};
use crate::error::Result;
use crate::model::{
    Account, Address, Allocation, AuditEvent, CanonicalJson, ContractPrice, CostCentre, Course,
    CourseProgress, Delegation, Enrolment, Grant, GrantBundle, Holding, Invitation,
    InvitationState, IpDirection, IpNetwork, License, ListedMember, MatchedPolicy, MemberQuery,
    Membership, Order, OrderDecision, OrderDetails, OrderQuery, OutboxMessage, OutboxState,
    PartnerConfig, PartnerIp, PaymentDetails, Person, Policy, RecordedDeciders, Role, Service,
    ShippingAddress, Timestamp,
};

/// How long a writer waits for another process's lock before giving up,
/// unless the caller says otherwise.
pub(crate) const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens transactions on some database.
pub(crate) trait Store {
    /// A read-only view, consistent for its lifetime.
    fn read(&mut self) -> Result<Box<dyn Tx + '_>>;
    /// A write transaction that holds the write lock from its first statement.
    fn write(&mut self) -> Result<Box<dyn Tx + '_>>;
    /// Opens a batch: until [`Store::end_batch`], the transactions `read`
    /// and `write` give are savepoints inside one outer write transaction,
    /// so that many writes, each checked on its own, commit or roll back
    /// as one (`apply`). Batches nest.
    fn begin_batch(&mut self) -> Result<()>;
    /// Ends the batch, committing everything it wrote or rolling it back.
    fn end_batch(&mut self, commit: bool) -> Result<()>;
    /// Makes every transaction read time-bound access as it stands at
    /// `at` (the command's clock): memberships, grants and service
    /// assignments come back with what has lapsed by then lapsed (see
    /// `Membership::in_force`). Until it is set they read as stored.
    fn set_moment(&mut self, at: Timestamp);
}

/// Declares [`Tx`] from its method list and implements it for [`SqliteTx`]
/// by calling `SqliteTx`'s inherent method of the same name, which the
/// table files define beside their SQL. So a signature is written twice:
/// here, where another database's store reads what it must provide, and
/// once beside the SQL that provides it.
macro_rules! seam {
    (
        $(#[$attr:meta])*
        pub trait Tx {
            $(#[$commit_attr:meta])*
            fn commit(self: Box<Self>) -> $commit_ret:ty;
            $(
                $(#[$method_attr:meta])*
                fn $method:ident(&self $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty;
            )*
        }
    ) => {
        $(#[$attr])*
        pub(crate) trait Tx {
            $(#[$commit_attr])*
            fn commit(self: Box<Self>) -> $commit_ret;
            $(
                $(#[$method_attr])*
                fn $method(&self $(, $arg: $ty)*) -> $ret;
            )*
        }

        // Were an inherent method missing, its delegate would call itself.
        #[deny(unconditional_recursion)]
        impl Tx for SqliteTx<'_> {
            fn commit(self: Box<Self>) -> $commit_ret {
                SqliteTx::commit(*self)
            }
            $(
                fn $method(&self $(, $arg: $ty)*) -> $ret {
                    SqliteTx::$method(self $(, $arg)*)
                }
            )*
        }
    };
}

seam! {
    /// One transaction: every read and write the domain needs, and all a
    /// second database (PostgreSQL) has to implement. Dropping it without
    /// [`Tx::commit`] rolls back.
    pub trait Tx {
        /// Makes the transaction's writes durable.
        fn commit(self: Box<Self>) -> Result<()>;

        /// What this transaction changed of the rows that decide who may do
        /// what, as they were before it first wrote them.
        fn journal(&self) -> Journal;
        /// The journal, handed over once: the write is done, and copying
        /// the rows of thousands of members cost a fixture's apply more
        /// than reading them.
        fn take_journal(&self) -> Journal;
        /// Which catalog this transaction reads: a catalog read under the
        /// same stamp is the same, so it need not be read again. `None`
        /// where the store cannot tell.
        fn catalog_stamp(&self) -> Result<Option<CatalogStamp>>;

        // Settings.

        /// A setting's value, if set.
        fn setting(&self, key: &str) -> Result<Option<String>>;
        /// Sets a setting.
        fn put_setting(&self, key: &str, value: &str) -> Result<()>;
        /// Removes a setting, so that it is unset (its default applies).
        fn delete_setting(&self, key: &str) -> Result<()>;

        // Roles and grant bundles.

        /// Every role, deleted ones too, oldest first.
        fn roles(&self) -> Result<Vec<Role>>;
        /// The roles made for any of `accounts`, deleted ones too, oldest
        /// first; for no accounts, the catalog's own (the preset's and the
        /// operator's, which serve every account).
        fn roles_made_for(&self, accounts: Option<&[i64]>) -> Result<Vec<Role>>;
        /// The role with this id.
        fn role(&self, id: i64) -> Result<Role>;
        /// The role with this exact name that a role made for `account`
        /// could not share it with: the catalog's (made for no account),
        /// else `account`'s own; for no account, any (the catalog's
        /// first). Custom roles' names are unique per account (see
        /// migration 24).
        fn role_named(&self, name: &str, account: Option<i64>) -> Result<Option<Role>>;
        /// Adds a role (its `id` is ignored) and returns its id.
        fn insert_role(&self, role: &Role, at: Timestamp) -> Result<i64>;
        /// Retires a role: it keeps its row, name and id, marked deleted.
        fn delete_role(&self, id: i64, at: Timestamp) -> Result<()>;
        /// `(person_id, account_id)` of every membership that holds the role
        /// now, or, unless it has ended (left, merged away), after a
        /// time-bound one or on `activate`. An ended membership's history
        /// still names the role, which is retired rather than erased.
        fn role_holders(&self, id: i64) -> Result<Vec<(i64, i64)>>;
        /// Every grant bundle, by name.
        fn bundles(&self) -> Result<Vec<GrantBundle>>;
        /// Adds a grant bundle.
        fn insert_bundle(&self, bundle: &GrantBundle) -> Result<()>;

        // Accounts.

        /// Every account, by name.
        fn accounts(&self) -> Result<Vec<Account>>;
        /// The accounts with these ids, in no particular order: one
        /// statement for any number.
        fn accounts_by_id(&self, ids: &[i64]) -> Result<Vec<Account>>;
        /// The account with this id.
        fn account(&self, id: i64) -> Result<Account>;
        /// The account with this name, compared without case.
        fn account_named(&self, name: &str) -> Result<Option<Account>>;
        /// The account `name` names (as [`Tx::account_named`]) other than
        /// the one with id `except`: whether a name is free for it.
        fn account_named_except(&self, name: &str, except: i64) -> Result<Option<Account>>;
        /// Adds an account (its `id` is ignored) and returns its id.
        fn insert_account(&self, account: &Account) -> Result<i64>;
        /// Writes every field of an existing account.
        fn update_account(&self, account: &Account) -> Result<()>;

        // People, memberships and grants.

        /// The person with this id.
        fn person(&self, id: i64) -> Result<Person>;
        /// The people with these ids, in no particular order; one
        /// statement.
        fn people_by_id(&self, ids: &[i64]) -> Result<Vec<Person>>;
        /// Everyone merged into this person, directly or through someone
        /// merged into them in turn.
        fn merged_into(&self, person_id: i64) -> Result<Vec<i64>>;
        /// The person with this email.
        fn person_by_email(&self, email: &str) -> Result<Option<Person>>;
        /// The first `limit` emails, in order, from `from` on that start
        /// with it, of people who belong to an account and were not
        /// merged away: what completes a member's email as it is typed.
        fn member_emails(&self, from: &str, limit: usize) -> Result<Vec<String>>;
        /// As [`Tx::member_emails`], of those who may act (`--as`): with
        /// a membership active at the transaction's moment under a role
        /// in force that does not block.
        fn acting_emails(&self, from: &str, limit: usize) -> Result<Vec<String>>;
        /// Every person flagged as a duplicate or merged away, by email:
        /// what an export says of people rather than of memberships.
        fn flagged_people(&self) -> Result<Vec<Person>>;
        /// Adds a person (its `id` is ignored) and returns its id.
        fn insert_person(&self, person: &Person) -> Result<i64>;
        /// Writes every field of an existing person.
        fn update_person(&self, person: &Person) -> Result<()>;
        /// Removes a person who belongs to no account and whom no row
        /// refers to (an order, an approver's place, a delegation, a
        /// duplicate flag); whether they were removed. One referred to
        /// stays, as the record of what they did.
        fn delete_person_unreferenced(&self, id: i64) -> Result<bool>;
        /// The memberships not yet accepted whose invitation went to
        /// `email` and bound to someone else's login (`invited_email`),
        /// oldest first.
        fn memberships_invited_as(&self, email: &str) -> Result<Vec<Membership>>;
        /// Whether some address names another person's login: a person
        /// merged into another, or an invitation that went to one address
        /// and bound to someone else's (`invited_email`). Asked of the two
        /// partial indexes that hold only those.
        fn addresses_bind_elsewhere(&self) -> Result<bool>;
        /// The membership with this id.
        fn membership(&self, id: i64) -> Result<Membership>;
        /// The membership with this id as stored, a time-bound role that
        /// has lapsed by the transaction's moment still with its end (what
        /// [`Tx::membership`] reads as the role after it): when it lapsed.
        fn membership_as_stored(&self, id: i64) -> Result<Membership>;
        /// The person's membership in the account, if any.
        fn membership_of(&self, person_id: i64, account_id: i64) -> Result<Option<Membership>>;
        /// Every membership of an account, oldest first.
        fn memberships_in(&self, account_id: i64) -> Result<Vec<Membership>>;
        /// The ids of an account's memberships that `query` selects, by
        /// email: the order of a list, whose pages [`Tx::members_by_id`]
        /// then reads.
        fn member_ids(&self, account_id: i64, query: &MemberQuery) -> Result<Vec<i64>>;
        /// The ids of the memberships that hold a capability in each of
        /// these accounts, each `(account, membership)`, with its
        /// account's holding (grants and blocking roles the first's, the
        /// same for all): by account name, then as [`Tx::member_ids`]
        /// orders them, `query`'s holding aside. One statement for a list
        /// across any number of accounts.
        fn holder_ids(
            &self,
            holdings: &[(i64, Holding)],
            query: &MemberQuery,
        ) -> Result<Vec<(i64, i64)>>;
        /// The memberships with these ids, in this order, each with what
        /// a list shows of it: one statement for a page of a list.
        fn members_by_id(&self, ids: &[i64]) -> Result<Vec<ListedMember>>;
        /// Up to `limit` active memberships of an account, oldest first,
        /// that hold a capability at `at` in one of the ways `holding`
        /// lists, as `user list --can` finds them: who may do something,
        /// found by index rather than by reading every member.
        fn active_holders(
            &self,
            account_id: i64,
            holding: &Holding,
            at: Timestamp,
            limit: usize,
        ) -> Result<Vec<Membership>>;
        /// How many active members an account has, counted by the index.
        fn active_member_count(&self, account_id: i64) -> Result<i64>;
        /// Every membership of a person, oldest first.
        fn memberships_of(&self, person_id: i64) -> Result<Vec<Membership>>;
        /// Adds a membership (its `id` is ignored) and returns its id.
        fn insert_membership(&self, membership: &Membership) -> Result<i64>;
        /// Writes every field of an existing membership.
        fn update_membership(&self, membership: &Membership) -> Result<()>;
        /// The grants of a membership, by name.
        fn grants(&self, membership_id: i64) -> Result<Vec<Grant>>;
        /// The memberships with these ids (each listed once), as they
        /// stand, each with its grants by name; in no particular order.
        /// What a write's review reads back of the seats it changed: two
        /// statements for a run of thousands.
        fn memberships_with_grants(&self, ids: &[i64]) -> Result<Vec<(Membership, Vec<Grant>)>>;
        /// Adds or replaces a grant.
        fn put_grant(&self, membership_id: i64, grant: &Grant) -> Result<()>;
        /// Removes a grant.
        fn delete_grant(&self, membership_id: i64, name: &str) -> Result<()>;

        // Invitations and the outbox.

        /// Adds an invitation (its `id` is ignored) and returns its id.
        fn insert_invitation(&self, invitation: &Invitation) -> Result<i64>;
        /// The invitation whose token hashes to this.
        fn invitation_by_hash(&self, token_hash: &str) -> Result<Option<Invitation>>;
        /// The pending invitation of a membership, if any.
        fn pending_invitation(&self, membership_id: i64) -> Result<Option<Invitation>>;
        /// The latest invitation of a membership, in whatever state.
        fn last_invitation(&self, membership_id: i64) -> Result<Option<Invitation>>;
        /// Ends a pending invitation.
        fn end_invitation(&self, id: i64, state: InvitationState, at: Timestamp) -> Result<()>;
        /// Sets when a pending invitation expires.
        fn set_invitation_expiry(&self, id: i64, expires_at: Timestamp) -> Result<()>;
        /// The invitation with this id.
        fn invitation(&self, id: i64) -> Result<Option<Invitation>>;
        /// Adds a further token of an invitation, by its hash: one minted
        /// into an email as it is sent.
        fn add_invitation_token(
            &self,
            invitation_id: i64,
            token_hash: &str,
            at: Timestamp,
        ) -> Result<()>;
        /// Withdraws a further token (its email was refused).
        fn remove_invitation_token(&self, token_hash: &str) -> Result<()>;
        /// Queues an email (its `id` is ignored) and returns its id.
        fn enqueue(&self, message: &OutboxMessage) -> Result<i64>;
        /// Queued emails, oldest first; only those in `state` if given, and at
        /// most `limit`.
        fn messages(
            &self,
            state: Option<OutboxState>,
            limit: Option<u32>,
        ) -> Result<Vec<OutboxMessage>>;
        /// The email with this id.
        fn message(&self, id: i64) -> Result<Option<OutboxMessage>>;
        /// The oldest pending email due at `now` (its next attempt time,
        /// if any, reached).
        fn next_due_message(&self, now: Timestamp) -> Result<Option<OutboxMessage>>;
        /// Writes an email's delivery fields (state, attempts, times, error) and
        /// its subject and body, as written when it is sent.
        fn update_message(&self, message: &OutboxMessage) -> Result<()>;
        /// Whether an email of this invitation was ever queued, in any
        /// state since.
        fn invitation_mailed(&self, invitation_id: i64) -> Result<bool>;
        /// Cancels the pending or failed emails of an invitation, giving
        /// `reason`; returns how many.
        fn cancel_invitation_messages(
            &self,
            invitation_id: i64,
            reason: &str,
            at: Timestamp,
        ) -> Result<usize>;

        // The audit log.

        /// The sequence number and hash of the newest event.
        fn audit_head(&self) -> Result<Option<(i64, String)>>;
        /// Appends events in order; the first's `seq` must follow the head.
        fn append_audit(&self, events: &[NewEvent]) -> Result<()>;
        /// Events matching the query, oldest first.
        fn audit_events(&self, query: &AuditQuery) -> Result<Vec<AuditEvent>>;
        /// The events whose target is `target` (a member's email) in the
        /// account, before event `below_seq`, oldest first, by the target
        /// index.
        fn target_events(&self, target: &str, account_id: i64, below_seq: i64) -> Result<Vec<AuditEvent>>;
        /// The events whose target is `target` (a person's email) in no
        /// account, such as a merge's own, oldest first, by the target
        /// index.
        fn person_events(&self, target: &str) -> Result<Vec<AuditEvent>>;
        /// The newest event up to `at` that records member `target`'s
        /// state in the account (its `after` is a member, or it is the
        /// `init` that made the account with them as its owner), by the
        /// target index.
        fn member_state_at(
            &self,
            target: &str,
            account_id: i64,
            at: Timestamp,
        ) -> Result<Option<AuditEvent>>;
        /// The events about `target` in the account after event `after_seq`
        /// and up to `at`, oldest first, by the target index.
        fn target_events_between(
            &self,
            target: &str,
            account_id: i64,
            after_seq: i64,
            at: Timestamp,
        ) -> Result<Vec<AuditEvent>>;
        /// Hands `each` every event with every column its hash may cover
        /// and the stored text of those read into values, oldest first,
        /// one at a time; a row that does not read as an event comes as
        /// what is wrong with it, in its place. (The lists of events above
        /// refuse such a row, naming it, as a conflict.) Stops at the
        /// first error `each` returns.
        fn audit_chain(&self, each: &mut dyn FnMut(StoredEvent) -> Result<()>) -> Result<()>;
        /// The guards that keep the audit log append-only (refusing to
        /// edit, delete or replace an event) that are not in place as this
        /// store made them, each by the name the database knows it by;
        /// empty when all are. How a guard is made is the store's business
        /// (SQLite: triggers), so a guard altered to let changes through
        /// counts as missing.
        fn audit_guards_missing(&self) -> Result<Vec<String>>;

        // The whole database, for `status`.

        /// Counts of the accounts with these ids (every account when `None`).
        fn status_counts(&self, accounts: Option<&[i64]>) -> Result<StatusCounts>;
        /// The outbox's pending and failed emails.
        fn mail_counts(&self) -> Result<MailCounts>;
        /// Every name a copy of the database reads again: accounts',
        /// policies', live addresses' labels, licences' products, people's.
        fn held_names(&self) -> Result<Vec<HeldName>>;
        /// Every distinct stored text holding a backquote (names,
        /// emails, labels, address lines, profile fields, descriptions),
        /// which only an older version let in: as the upgrade found them,
        /// in one lookup.
        fn backquoted_texts(&self) -> Result<Vec<String>>;
        /// Every spelling of `kind` (`account`, `policy`, `address`, a
        /// live address's label, `licence` or `price`, a product) with the
        /// key of `name`, in `account_id`
        /// (ignored for an account's own name), by id: more than one only
        /// where an older database holds two names that now read as one.
        fn spellings_of_key(&self, kind: &str, account_id: i64, name: &str) -> Result<Vec<String>>;
        /// A name of `kind` (`account`, `policy` or `address`, a live
        /// address's label, `cost centre`, `service`, `licence` or
        /// `price`, a product of the partner's licences and prices but
        /// one of `name`'s own key) in `account_id` (ignored for an
        /// account's own name), other than the row `except`, that looks
        /// like `name` (see [`look_alike`](crate::model::look_alike)),
        /// the oldest first; found by index, by equality on its
        /// [`loose_skeleton`](crate::model::loose_skeleton).
        fn look_alike(&self, kind: &str, account_id: i64, name: &str, except: i64) -> Result<Option<String>>;
        /// The schema version the database is at.
        fn schema_version(&self) -> Result<i64>;
        /// What the database's own integrity check finds wrong; empty when sound.
        fn integrity_problems(&self) -> Result<Vec<String>>;

        // Services and cost centres.

        /// Every service of an account, by name.
        fn services_in(&self, account_id: i64) -> Result<Vec<Service>>;
        /// The services assigned to a membership, by name.
        fn services_assigned_to(&self, membership_id: i64) -> Result<Vec<Service>>;
        /// The first `limit` services of an account by name (every one
        /// with `None`), read in the order of its index on the name.
        fn services_page(&self, account_id: i64, limit: Option<u32>) -> Result<Vec<Service>>;
        /// The first `limit` services assigned to a membership at the
        /// transaction's moment, by name, found by the index on the
        /// assignee.
        fn services_assigned_page(&self, membership_id: i64, limit: Option<u32>) -> Result<Vec<Service>>;
        /// The service with this id.
        fn service_by_id(&self, id: i64) -> Result<Option<Service>>;
        /// The account's service with this number, by index.
        fn service_numbered(&self, account_id: i64, number: i64) -> Result<Option<Service>>;
        /// The account's service with this exact name.
        fn service_named(&self, account_id: i64, name: &str) -> Result<Option<Service>>;
        /// Adds a service (its `id` is ignored) under its `number`, and
        /// returns its id.
        fn insert_service(&self, service: &Service) -> Result<i64>;
        /// The highest service number of an account, 0 when it has none:
        /// by index, never a count of its services.
        fn last_service_number(&self, account_id: i64) -> Result<i64>;
        /// Writes every field of an existing service.
        fn update_service(&self, service: &Service) -> Result<()>;
        /// Every cost centre of an account, by code.
        fn cost_centres_in(&self, account_id: i64) -> Result<Vec<CostCentre>>;
        /// The cost centre with this id.
        fn cost_centre(&self, id: i64) -> Result<Option<CostCentre>>;
        /// The account's cost centre with this code, compared without case.
        fn cost_centre_by_code(&self, account_id: i64, code: &str) -> Result<Option<CostCentre>>;
        /// The cost centre with this code, compared without case, of each
        /// of these accounts that has one: one statement for them all.
        fn cost_centres_by_code(&self, account_ids: &[i64], code: &str) -> Result<Vec<CostCentre>>;
        /// Adds a cost centre (its `id` is ignored) and returns its id.
        fn insert_cost_centre(&self, centre: &CostCentre) -> Result<i64>;
        /// Writes every field of an existing cost centre.
        fn update_cost_centre(&self, centre: &CostCentre) -> Result<()>;

        // Approval policies, orders and decisions.

        /// Every policy of an account, by name, with its approvers.
        fn policies_in(&self, account_id: i64) -> Result<Vec<Policy>>;
        /// The policy with this id.
        fn policy(&self, id: i64) -> Result<Policy>;
        /// The account's policy with this name, compared without case.
        fn policy_named(&self, account_id: i64, name: &str) -> Result<Option<Policy>>;
        /// Adds a policy and its approvers (its `id` is ignored); returns its id.
        fn insert_policy(&self, policy: &Policy) -> Result<i64>;
        /// Writes every field of an existing policy and its approvers.
        fn update_policy(&self, policy: &Policy) -> Result<()>;
        /// Every order of an account, oldest first.
        fn orders_in(&self, account_id: i64) -> Result<Vec<Order>>;
        /// The ids of the orders each of these accounts' `query` selects,
        /// each `(account, order)`, at most `most` in all: the accounts in
        /// this order, each one's oldest first (the order of a list, whose
        /// pages [`Tx::orders_by_id`] then reads). One statement for a
        /// list across any number of accounts.
        fn order_ids_in(
            &self,
            queries: &[(i64, OrderQuery)],
            most: Option<u32>,
        ) -> Result<Vec<(i64, i64)>>;
        /// The orders with these ids, by id: one statement for a page of
        /// a list.
        fn orders_by_id(&self, ids: &[i64]) -> Result<Vec<Order>>;
        /// Whether the account has a pending order, by index.
        fn has_pending_orders(&self, account_id: i64) -> Result<bool>;
        /// The pending orders of an account, oldest first.
        fn pending_orders_in(&self, account_id: i64) -> Result<Vec<Order>>;
        /// Up to `most` pending orders of an account numbered after
        /// `after`, oldest first: one page of them, read by index, for a
        /// reader that needs only the first few that pass its own test.
        fn pending_orders_after(&self, account_id: i64, after: i64, most: u32) -> Result<Vec<Order>>;
        /// The pending orders of an account that a policy they matched
        /// names `person_id` as an approver of, oldest first, by index.
        fn pending_orders_naming(&self, account_id: i64, person_id: i64) -> Result<Vec<Order>>;
        /// The pending orders of an account that a policy holds (matched
        /// and not released), oldest first, by index on the policy.
        fn pending_orders_held_by(&self, account_id: i64, policy_id: i64) -> Result<Vec<Order>>;
        /// The ids of the orders each of these accounts' `query` selects
        /// (its `limit` aside) among those held by a policy (not released)
        /// that names one of its people as an approver, each `(account,
        /// order)`: the accounts in this order, each one's oldest first,
        /// at most `most` in all. Found by the approvers' index, so it
        /// reads only the orders naming them, whatever the account's size.
        fn order_ids_naming(
            &self,
            queries: &[(i64, Vec<i64>, OrderQuery)],
            most: Option<u32>,
        ) -> Result<Vec<(i64, i64)>>;
        /// The order of an account with this external reference, compared
        /// by its [`name_key`](crate::model::name_key) (composed, case
        /// aside in every script): of two with one key (an older database
        /// may hold them, see migration 26), the one spelled exactly so,
        /// else the older. By index.
        fn order_by_reference(&self, account_id: i64, reference: &str) -> Result<Option<Order>>;
        /// The orders of an account whose reference shares the loose
        /// skeleton of `reference` (see migration 35) but not its key: the
        /// candidates for a look-alike, by index.
        fn orders_with_reference_like(&self, account_id: i64, reference: &str) -> Result<Vec<Order>>;
        /// The orders with this external reference in any of these
        /// accounts, by id: per account the one spelled exactly so, else
        /// every one with its key (two an older database holds, which a
        /// third spelling names alike). One look-up of the (account,
        /// reference) index per account, never a read of every order.
        fn orders_with_reference(&self, account_ids: &[i64], reference: &str) -> Result<Vec<Order>>;
        /// Which of these accounts hold an order placed by one of
        /// `people`: one statement, by the (creator, account) index, for a
        /// list across any number of accounts.
        fn accounts_with_orders_by(&self, account_ids: &[i64], people: &[i64]) -> Result<Vec<i64>>;
        /// The order with this id (its store key, never its number).
        fn order(&self, id: i64) -> Result<Option<Order>>;
        /// The orders numbered `number` in any of these accounts, by
        /// account: one look-up of the (account, number) index per
        /// account.
        fn orders_numbered(&self, account_ids: &[i64], number: i64) -> Result<Vec<Order>>;
        /// Adds an order (its `id` is ignored) under its `number`; returns
        /// its id.
        fn insert_order(&self, order: &Order) -> Result<i64>;
        /// The highest order number of an account, 0 when it has none: by
        /// index, never a count of its orders.
        fn last_order_number(&self, account_id: i64) -> Result<i64>;
        /// Writes an order's status, decision and cost centre.
        fn update_order(&self, order: &Order) -> Result<()>;
        /// Records a policy as an order matched it.
        fn insert_matched_policy(&self, order_id: i64, matched: &MatchedPolicy) -> Result<()>;
        /// The policies an order matched when placed, released ones too.
        fn matched_policies(&self, order_id: i64) -> Result<Vec<MatchedPolicy>>;
        /// Writes how a policy holds an order: its copied name, approvers
        /// and required approvals, and when it released the order.
        fn update_matched_policy(&self, order_id: i64, matched: &MatchedPolicy) -> Result<()>;
        /// The pending orders a policy holds (matched and not released),
        /// oldest first.
        fn orders_held_by(&self, policy_id: i64) -> Result<Vec<Order>>;
        /// Records that a person's approval of an order counts toward one
        /// of the policies it matched.
        fn count_approval(&self, order_id: i64, person_id: i64, policy_id: i64) -> Result<()>;
        /// `(policy_id, person_id)` of every approval of an order and the
        /// policies it counts toward.
        fn approval_counts(&self, order_id: i64) -> Result<Vec<(i64, i64)>>;
        /// Records one approver's decision.
        fn insert_decision(&self, order_id: i64, decision: &OrderDecision) -> Result<()>;
        /// An order's decisions, oldest first.
        fn decisions(&self, order_id: i64) -> Result<Vec<OrderDecision>>;
        /// The decisions, approval counts and matched policies of each of
        /// these orders, in their order: a few statements for a page of a
        /// list, whatever its length.
        fn order_details(&self, order_ids: &[i64]) -> Result<Vec<OrderDetails>>;
        /// Records, with a decision, who could decide the order then.
        fn record_deciders(
            &self,
            order_id: i64,
            person_id: i64,
            recorded: &RecordedDeciders,
        ) -> Result<()>;
        /// Who could decide the order when `person_id` decided it; `None`
        /// for a decision made before this was recorded.
        fn recorded_deciders(
            &self,
            order_id: i64,
            person_id: i64,
        ) -> Result<Option<RecordedDeciders>>;

        // Delegations of deciding orders.

        /// The delegation with this id.
        fn delegation(&self, id: i64) -> Result<Delegation>;
        /// Adds a delegation (its `id` is ignored) and returns its id.
        fn insert_delegation(&self, delegation: &Delegation) -> Result<i64>;
        /// Ends a delegation at `at` (not before it starts), by `by`.
        fn end_delegation(&self, id: i64, at: Timestamp, by: &str) -> Result<()>;
        /// The delegations to a delegate in an account that hold at `at`,
        /// oldest first, by index.
        fn delegations_to(
            &self,
            account_id: i64,
            delegate_id: i64,
            at: Timestamp,
        ) -> Result<Vec<Delegation>>;
        /// [`Tx::delegations_to`] in each of these accounts, by id: one
        /// statement for any number of accounts.
        fn delegations_to_in(
            &self,
            account_ids: &[i64],
            delegate_id: i64,
            at: Timestamp,
        ) -> Result<Vec<Delegation>>;
        /// A delegator's delegations in an account that end after `after`
        /// (holding or still to come), by start; not one ended before it
        /// began, which lends for no time at all.
        fn delegations_from(
            &self,
            account_id: i64,
            delegator_id: i64,
            after: Timestamp,
        ) -> Result<Vec<Delegation>>;
        /// Every delegation of an account that ends after `after`, by
        /// start; not one ended before it began.
        fn delegations_in(&self, account_id: i64, after: Timestamp) -> Result<Vec<Delegation>>;

        // Courses and enrolments.

        /// Every course, in catalog order.
        fn courses(&self) -> Result<Vec<Course>>;
        /// Adds a course with its roles and area (its `id` is ignored) and
        /// returns its id.
        fn insert_course(&self, course: &Course, at: Timestamp) -> Result<i64>;
        /// A membership's enrolments, oldest first; only current ones (at
        /// the transaction's moment) if `current_only`.
        fn enrolments(&self, membership_id: i64, current_only: bool) -> Result<Vec<Enrolment>>;
        /// `(membership_id, course_id)` of the current enrolments (at the
        /// transaction's moment) of these memberships: a page of a list's.
        fn current_courses_of(&self, ids: &[i64]) -> Result<Vec<(i64, i64)>>;
        /// Enrols a membership in a course from `at` (a later moment when
        /// a time-bound role will give the course).
        fn enrol(&self, membership_id: i64, course_id: i64, at: Timestamp) -> Result<i64>;
        /// Ends an enrolment at `at`, now or when a time-bound role lapses
        /// (`None`: it no longer ends); the row stays as history.
        fn end_enrolment(&self, id: i64, at: Option<Timestamp>) -> Result<()>;
        /// Removes an enrolment that has not begun: a time-bound role's
        /// plan replaced before it came about.
        fn cancel_enrolment(&self, id: i64, now: Timestamp) -> Result<()>;
        /// A membership's progress on each course it has any, by course id.
        /// Progress outlives enrolments: it stays when one ends.
        fn course_progress(&self, membership_id: i64) -> Result<Vec<CourseProgress>>;
        /// Sets a membership's progress on a course, replacing any.
        fn put_course_progress(&self, progress: &CourseProgress) -> Result<()>;

        // Licences partners bought and the seats their customers hold.

        /// The partner's licences, by product.
        fn licenses_of(&self, account_id: i64) -> Result<Vec<License>>;
        /// The partner's licence for a product, compared by its
        /// [`name_key`](crate::model::name_key) (migration 29): of two
        /// with one key an older database holds, the one spelled exactly so.
        fn license_for(&self, account_id: i64, product: &str) -> Result<Option<License>>;
        /// Adds a licence (its `id` is ignored) and returns its id.
        fn insert_license(&self, license: &License) -> Result<i64>;
        /// Writes the seats and `updated_at` of an existing licence.
        fn update_license(&self, license: &License) -> Result<()>;
        /// Every allocation of a licence, by customer id.
        fn allocations(&self, license_id: i64) -> Result<Vec<Allocation>>;
        /// Every allocation a customer holds, by licence id.
        fn allocations_of_customer(&self, customer_id: i64) -> Result<Vec<Allocation>>;
        /// Adds or replaces the allocation of a licence to a customer.
        fn put_allocation(&self, allocation: &Allocation) -> Result<()>;

        // Shipping addresses.

        /// The account's addresses that are not removed, by label.
        fn addresses(&self, account_id: i64) -> Result<Vec<Address>>;
        /// The account's address with this label that is not removed
        /// (compared without case).
        fn address_labelled(&self, account_id: i64, label: &str) -> Result<Option<Address>>;
        /// Adds an address and returns its id.
        fn insert_address(
            &self,
            account_id: i64,
            fields: &ShippingAddress,
            at: Timestamp,
        ) -> Result<i64>;
        /// Marks an address removed; the row stays.
        fn mark_address_removed(&self, id: i64, at: Timestamp) -> Result<()>;

        // Payment details and a partner's status, IP addresses, smarthost
        // and contracted prices.

        /// The account's payment details, if any were set.
        fn payment_details(&self, account_id: i64) -> Result<Option<PaymentDetails>>;
        /// Sets the account's payment details.
        fn put_payment_details(&self, details: &PaymentDetails) -> Result<()>;
        /// The partner's status and smarthost (empty when never set).
        fn partner_config(&self, account_id: i64) -> Result<PartnerConfig>;
        /// Sets the partner's status and smarthost.
        fn put_partner_config(
            &self,
            account_id: i64,
            config: &PartnerConfig,
            at: Timestamp,
        ) -> Result<()>;
        /// The partner's IP addresses, by direction then address.
        fn partner_ips(&self, account_id: i64) -> Result<Vec<PartnerIp>>;
        /// Adds an IP address; false if it was already there.
        fn insert_partner_ip(&self, ip: &PartnerIp) -> Result<bool>;
        /// Removes an IP address; false if it was not there.
        fn delete_partner_ip(
            &self,
            account_id: i64,
            direction: IpDirection,
            network: &IpNetwork,
        ) -> Result<bool>;
        /// The prices the partner agreed with the vendor, by product.
        fn partner_prices(&self, account_id: i64) -> Result<Vec<ContractPrice>>;
        /// The partner's agreed price of a product, compared as
        /// [`Tx::license_for`] compares it.
        fn partner_price(&self, account_id: i64, product: &str) -> Result<Option<ContractPrice>>;
        /// Adds or replaces the partner's price of a product.
        fn put_partner_price(&self, price: &ContractPrice) -> Result<()>;
        /// Removes the partner's price of a product; false if it had none.
        fn delete_partner_price(&self, account_id: i64, product: &str) -> Result<bool>;
    }
}

/// The rows a write transaction changed that decide who may do what, each
/// as it was before the transaction first wrote it (`None`: the
/// transaction created it). The store keeps it for every write, so the
/// domain's write gate sees every change of access, whichever command made
/// it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Journal {
    /// Memberships with their grants, by membership id.
    pub memberships: BTreeMap<i64, Option<(Membership, Vec<Grant>)>>,
    /// Accounts (their owner), by id.
    pub accounts: BTreeMap<i64, Option<Account>>,
    /// People (merges), by id.
    pub people: BTreeMap<i64, Option<Person>>,
    /// Approval policies (their approvers), by id.
    pub policies: BTreeMap<i64, Option<Policy>>,
    /// Delegations of deciding orders, by id.
    pub delegations: BTreeMap<i64, Option<Delegation>>,
    /// Services (who holds them), by id, as read at the transaction's
    /// moment. Apart from [`Journal::is_empty`]: who holds a service
    /// gives nobody access, but the gate checks every change of hands.
    pub services: BTreeMap<i64, Option<Service>>,
    /// Memberships (ids) an invitation token was minted for: whoever holds
    /// a token becomes that member, so minting one gives their access
    /// even where the membership's row stays as it was (a resend).
    pub tokens: BTreeSet<i64>,
    /// Whether the catalog changed (a setting, role, grant bundle or
    /// course): a catalog read before the change is stale.
    pub catalog: bool,
}

impl Journal {
    /// True when the transaction changed nothing that decides access.
    pub(crate) fn is_empty(&self) -> bool {
        self.memberships.is_empty()
            && self.accounts.is_empty()
            && self.people.is_empty()
            && self.policies.is_empty()
            && self.delegations.is_empty()
            && self.tokens.is_empty()
    }
}

/// An audit event as the log keeps it: the event `audit list` shows and
/// the columns beside it, all of which its hash may cover.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AuditRecord {
    /// The event, with its `prev_hash` and `hash`.
    pub event: AuditEvent,
    /// The account concerned, by id (`event.account` is its name then).
    pub account_id: Option<i64>,
    /// Which formula made `event.hash`: the domain's audit module knows
    /// each. Rows older than the column read 1.
    pub hash_version: i64,
}

/// An audit event to append: every column as it is written, `before` and
/// `after` as the text the hash read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewEvent {
    /// Position in the log.
    pub seq: i64,
    /// When the change was made.
    pub at: Timestamp,
    /// Who made it (see [`AuditEvent::actor`]).
    pub actor: String,
    /// The command, such as `user.invite`.
    pub action: String,
    /// The account concerned, by id.
    pub account_id: Option<i64>,
    /// The account concerned, by name at the time.
    pub account: Option<String>,
    /// The thing changed.
    pub target: Option<String>,
    /// State before; `None` is written as NULL.
    pub before: Option<CanonicalJson>,
    /// State after; `None` is written as NULL.
    pub after: Option<CanonicalJson>,
    /// Hash of the previous event.
    pub prev_hash: String,
    /// This event's hash, by the formula `hash_version` names.
    pub hash: String,
    /// Which formula made `hash`.
    pub hash_version: i64,
}

/// A read event written back as it was read, for tests that lay a log
/// of their own.
#[cfg(test)]
impl From<&AuditRecord> for NewEvent {
    fn from(r: &AuditRecord) -> Self {
        let e = &r.event;
        NewEvent {
            seq: e.seq,
            at: e.at,
            actor: e.actor.clone(),
            action: e.action.clone(),
            account_id: r.account_id,
            account: e.account.clone(),
            target: e.target.clone(),
            before: e.before.clone().map(CanonicalJson::from),
            after: e.after.clone().map(CanonicalJson::from),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
            hash_version: r.hash_version,
        }
    }
}

/// The stored text of an audit event's columns that are read into values
/// (a time, JSON documents) rather than taken as they are. A hash covers
/// the values, and more than one text reads as the same value (another
/// offset, a duplicate key, spacing), so `audit verify` holds this text to
/// the one form portalctl writes each value in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AuditText {
    /// `at` as stored.
    pub at: String,
    /// `before` as stored; `None` for SQL NULL.
    pub before: Option<String>,
    /// `after` as stored; `None` for SQL NULL.
    pub after: Option<String>,
}

/// A row of the audit log that does not read as an event: a column holds
/// what no event can (text that is not JSON or a time, a number out of
/// range, a blob, nothing where something belongs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnreadableEvent {
    /// The row's position in the log.
    pub seq: i64,
    /// Which column, and what is wrong with it; never the stored text,
    /// which whoever edited the row chose.
    pub why: String,
}

/// A row of the audit log as `audit verify` reads it: the event with its
/// stored text, or what keeps it from reading as one.
pub(crate) type StoredEvent = std::result::Result<(AuditRecord, AuditText), UnreadableEvent>;

/// Which audit events to list.
#[derive(Debug, Default, Clone)]
pub(crate) struct AuditQuery {
    /// Only events by this actor.
    pub actor: Option<String>,
    /// Only events about these accounts (`None`: all).
    pub accounts: Option<Vec<i64>>,
    /// Only events at or after this time.
    pub since: Option<Timestamp>,
    /// Only events at or before this time.
    pub until: Option<Timestamp>,
    /// Only events of one of these actions (`user.invite`), or of one
    /// beneath them (`user.merge` takes in `user.merge.order`); empty: any.
    pub actions: Vec<String>,
    /// Only events the reader may read (`None`: all): in each account (by
    /// id), those of one of its actions (`order.place`), and none of an
    /// account not listed.
    pub shown: Option<Vec<(i64, Vec<&'static str>)>>,
    /// Only events before this position in the log: the next page back.
    pub before_seq: Option<i64>,
    /// At most this many, the newest.
    pub limit: Option<u32>,
}

/// A portalctl database in one SQLite file.
pub(crate) struct SqliteStore {
    conn: Connection,
    /// How many batches are open, one inside another (see
    /// [`Store::begin_batch`]).
    batch: usize,
    /// The moment time-bound access is read as of ([`Store::set_moment`]).
    moment: Option<Timestamp>,
    /// How often this connection's writes changed the catalog.
    catalog: CatalogEpoch,
}

impl SqliteStore {
    fn on(conn: Connection) -> SqliteStore {
        static OPENED: AtomicU64 = AtomicU64::new(0);
        SqliteStore {
            conn,
            batch: 0,
            moment: None,
            catalog: CatalogEpoch {
                store: OPENED.fetch_add(1, Ordering::Relaxed),
                changes: Cell::new(0),
            },
        }
    }
}

/// Which catalog a connection reads. The catalog changes only by a write
/// that notes it ([`SqliteTx::note_catalog`]), by the undoing of such a
/// write, or by another connection's commit, which SQLite's
/// `data_version` tells of; so a catalog read under one [`CatalogStamp`]
/// holds for as long as the stamp stays the same.
struct CatalogEpoch {
    /// Which connection, of those this process opened.
    store: u64,
    /// Bumped at each change of the catalog, and at each undoing of one.
    changes: Cell<u64>,
}

impl CatalogEpoch {
    fn changed(&self) {
        self.changes.set(self.changes.get() + 1);
    }

    /// Writes that may have changed the catalog were rolled back: a
    /// catalog read after them is no more.
    fn undone(&self) {
        self.changed();
    }
}

/// What a catalog read is valid for: under the same stamp, the catalog
/// is the same (see [`Tx::catalog_stamp`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CatalogStamp {
    store: u64,
    changes: u64,
    data_version: i64,
}

/// A transaction on a [`SqliteStore`]. The table files give it an inherent
/// method for each [`Tx`] method, which the `impl Tx` calls.
pub(crate) struct SqliteTx<'c> {
    tx: Open<'c>,
    /// The connection's catalog changes, and whether this transaction
    /// made one (undone if it ends without its commit).
    catalog: CatalogChanges<'c>,
    journal: RefCell<Journal>,
    moment: Option<Timestamp>,
    /// How far each account's kept count of active members has moved in
    /// this transaction and is not yet written: written once, before the
    /// count is read and at the commit, so that a run of thousands of
    /// joiners updates the count's row once rather than once each.
    active_deltas: RefCell<BTreeMap<i64, i64>>,
}

/// A transaction of its own, or a savepoint inside a batch. Dropped
/// without a commit, either rolls back.
enum Open<'c> {
    Transaction(rusqlite::Transaction<'c>),
    Savepoint(rusqlite::Savepoint<'c>),
}

impl std::ops::Deref for Open<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            Open::Transaction(tx) => tx,
            Open::Savepoint(sp) => sp,
        }
    }
}

/// A transaction's part in its connection's [`CatalogEpoch`].
struct CatalogChanges<'c> {
    epoch: &'c CatalogEpoch,
    changed: Cell<bool>,
    committed: bool,
}

impl Drop for CatalogChanges<'_> {
    fn drop(&mut self) {
        if self.changed.get() && !self.committed {
            self.epoch.undone();
        }
    }
}

impl<'c> SqliteTx<'c> {
    fn new(tx: Open<'c>, moment: Option<Timestamp>, epoch: &'c CatalogEpoch) -> SqliteTx<'c> {
        SqliteTx {
            tx,
            catalog: CatalogChanges {
                epoch,
                changed: Cell::new(false),
                committed: false,
            },
            journal: RefCell::default(),
            moment,
            active_deltas: RefCell::default(),
        }
    }

    /// A membership as it stands at the transaction's moment.
    fn in_force(&self, m: Membership) -> Membership {
        match self.moment {
            Some(at) => m.in_force(at),
            None => m,
        }
    }

    /// A service as it stands at the transaction's moment.
    fn service_in_force(&self, s: Service) -> Service {
        match self.moment {
            Some(at) => s.in_force(at),
            None => s,
        }
    }

    /// Whether a grant counts at the transaction's moment.
    fn holds_at(&self, g: &Grant) -> bool {
        self.moment.is_none_or(|at| g.in_force(at))
    }

    /// The transaction's moment as SQL compares it: with none set, a time
    /// no `until` reaches, so nothing reads as lapsed.
    fn moment_or_never(&self) -> String {
        self.moment
            .unwrap_or_else(Timestamp::end_of_time)
            .to_string()
    }

    /// Notes that the catalog changed; see [`Journal::catalog`].
    fn note_catalog(&self) {
        self.journal.borrow_mut().catalog = true;
        self.catalog.changed.set(true);
        self.catalog.epoch.changed();
    }

    fn catalog_stamp(&self) -> Result<Option<CatalogStamp>> {
        let data_version = self
            .tx
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?;
        Ok(Some(CatalogStamp {
            store: self.catalog.epoch.store,
            changes: self.catalog.epoch.changes.get(),
            data_version,
        }))
    }

    /// Keeps a row's state before its first write in this transaction;
    /// `read` is `None` for a row the transaction has just created.
    fn note<T>(
        &self,
        table: fn(&mut Journal) -> &mut BTreeMap<i64, Option<T>>,
        id: i64,
        read: Option<&dyn Fn() -> Result<T>>,
    ) -> Result<()> {
        if table(&mut self.journal.borrow_mut()).contains_key(&id) {
            return Ok(());
        }
        let before = read.map(|r| r()).transpose()?;
        table(&mut self.journal.borrow_mut()).insert(id, before);
        Ok(())
    }

    fn journal(&self) -> Journal {
        self.journal.borrow().clone()
    }

    fn take_journal(&self) -> Journal {
        self.journal.take()
    }

    fn commit(mut self) -> Result<()> {
        self.write_active_counts()?;
        match self.tx {
            Open::Transaction(tx) => tx.commit()?,
            Open::Savepoint(sp) => sp.commit()?,
        }
        self.catalog.committed = true;
        Ok(())
    }

    /// Every row `sql` selects, each read by `map`.
    fn rows<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let rows = self
            .tx
            .prepare_cached(sql)?
            .query_map(params, map)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The row `sql` selects, if there is one, read by `map`.
    fn row<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        use rusqlite::OptionalExtension as _;
        Ok(self
            .tx
            .prepare_cached(sql)?
            .query_row(params, map)
            .optional()?)
    }

    /// Runs the `INSERT` in `sql` and returns the new row's id.
    fn insert(&self, sql: &str, params: impl rusqlite::Params) -> Result<i64> {
        self.tx.prepare_cached(sql)?.execute(params)?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Runs the statement in `sql`; returns how many rows it changed.
    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> Result<usize> {
        Ok(self.tx.prepare_cached(sql)?.execute(params)?)
    }

    /// Notes that a token for membership `id` was minted.
    fn note_token(&self, membership_id: i64) {
        self.journal.borrow_mut().tokens.insert(membership_id);
    }

    fn note_membership(&self, id: i64) -> Result<()> {
        self.note(
            |j| &mut j.memberships,
            id,
            Some(&|| Ok((self.membership(id)?, self.grants(id)?))),
        )
    }
}

/// Every event of the chain, as [`Tx::audit_chain`] hands them: for tests
/// that look at a few.
#[cfg(test)]
pub(crate) fn whole_chain(tx: &dyn Tx) -> Result<Vec<StoredEvent>> {
    let mut chain = Vec::new();
    tx.audit_chain(&mut |e| {
        chain.push(e);
        Ok(())
    })?;
    Ok(chain)
}
