-- portalctl schema, migration 1.
--
-- Times are RFC 3339 UTC text ("2026-11-25T09:30:00Z"), so they sort as text.
-- Nothing that an audit event, order or service refers to is ever deleted:
-- people are retired (merged_into), memberships change status, invitations
-- change state. Later migrations append; this file is never edited once
-- released.

-- Database-wide settings: the preset, the owner role, the blocking role.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE roles (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    description      TEXT NOT NULL DEFAULT '',
    -- Holds every capability of the catalog, including ones added later.
    all_capabilities INTEGER NOT NULL DEFAULT 0 CHECK (all_capabilities IN (0, 1)),
    -- The blocking role holds nothing, not even portal.access.
    blocking         INTEGER NOT NULL DEFAULT 0 CHECK (blocking IN (0, 1)),
    builtin          INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
    created_at       TEXT NOT NULL,
    -- A role no longer offered. Roles are never hard-deleted: audit events
    -- name them, and a name is not reused for something else.
    deleted_at       TEXT,
    CHECK (NOT (blocking AND all_capabilities))
);
CREATE UNIQUE INDEX roles_one_blocking ON roles (blocking) WHERE blocking = 1;

CREATE TABLE role_capabilities (
    role_id    INTEGER NOT NULL REFERENCES roles (id),
    capability TEXT NOT NULL,
    PRIMARY KEY (role_id, capability)
) WITHOUT ROWID;

-- Named bundles of capabilities ("areas") granted as one.
CREATE TABLE grant_bundles (
    name        TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE TABLE grant_bundle_capabilities (
    bundle     TEXT NOT NULL REFERENCES grant_bundles (name),
    capability TEXT NOT NULL,
    PRIMARY KEY (bundle, capability)
) WITHOUT ROWID;

CREATE TABLE people (
    id           INTEGER PRIMARY KEY,
    email        TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    duplicate_of INTEGER REFERENCES people (id),
    merged_into  INTEGER REFERENCES people (id),
    created_at   TEXT NOT NULL
);

CREATE TABLE accounts (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind       TEXT NOT NULL CHECK (kind IN ('partner', 'customer')),
    parent_id  INTEGER REFERENCES accounts (id),
    currency   TEXT NOT NULL CHECK (length(currency) = 3),
    owner_id   INTEGER REFERENCES people (id),
    phone      TEXT,
    website    TEXT,
    marketing  TEXT,
    sectors    TEXT,
    created_at TEXT NOT NULL,
    CHECK (kind = 'customer' OR parent_id IS NULL)
);
CREATE INDEX accounts_by_parent ON accounts (parent_id);

CREATE TABLE memberships (
    id               INTEGER PRIMARY KEY,
    person_id        INTEGER NOT NULL REFERENCES people (id),
    account_id       INTEGER NOT NULL REFERENCES accounts (id),
    role_id          INTEGER NOT NULL REFERENCES roles (id),
    -- The role held before left-company, restored by activate.
    previous_role_id INTEGER REFERENCES roles (id),
    status           TEXT NOT NULL CHECK (status IN ('invited', 'active', 'deactivated', 'left')),
    city             TEXT,
    country          TEXT,
    timezone         TEXT,
    -- The partner account an external admin comes from.
    external_from    INTEGER REFERENCES accounts (id),
    invited_at       TEXT,
    accepted_at      TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (person_id, account_id)
);
CREATE INDEX memberships_by_account ON memberships (account_id, status);
CREATE INDEX memberships_by_role ON memberships (role_id);

-- Capabilities or bundles on top of a membership's role. expires_at is for
-- time-bound access: a grant past it no longer counts.
CREATE TABLE membership_grants (
    membership_id INTEGER NOT NULL REFERENCES memberships (id),
    grant_name    TEXT NOT NULL,
    granted_at    TEXT NOT NULL,
    expires_at    TEXT,
    PRIMARY KEY (membership_id, grant_name)
) WITHOUT ROWID;

-- Only a SHA-256 of each token is kept.
CREATE TABLE invitations (
    id            INTEGER PRIMARY KEY,
    membership_id INTEGER NOT NULL REFERENCES memberships (id),
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'revoked', 'replaced')),
    ended_at      TEXT,
    resend_count  INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX invitations_one_pending ON invitations (membership_id) WHERE state = 'pending';

-- Emails written in the same transaction as the change that causes them,
-- delivered later by `outbox send`.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at    TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

-- The audit log: append-only and hash-chained. Each hash covers the event
-- and the previous hash, so an edited or removed event breaks the chain.
CREATE TABLE audit_events (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    account_id INTEGER REFERENCES accounts (id),
    account    TEXT,
    target     TEXT,
    before     TEXT,
    after      TEXT,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_by_account ON audit_events (account_id, seq);
CREATE INDEX audit_by_actor ON audit_events (actor, seq);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- ---------------------------------------------------------------------------
-- Services, cost centres, approval policies and orders.
-- Money is always integer minor units (pence, cents).

CREATE TABLE services (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    name        TEXT NOT NULL,
    kind        TEXT,
    assigned_to INTEGER REFERENCES memberships (id),
    created_at  TEXT NOT NULL,
    UNIQUE (account_id, name)
);
CREATE INDEX services_by_assignee ON services (assigned_to);

CREATE TABLE cost_centres (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    archived_at TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (account_id, code)
);

CREATE TABLE policies (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts (id),
    name               TEXT NOT NULL,
    threshold          INTEGER NOT NULL CHECK (threshold >= 0),
    order_type         TEXT,
    required_approvals INTEGER NOT NULL CHECK (required_approvals >= 1),
    enabled            INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at         TEXT NOT NULL,
    UNIQUE (account_id, name)
);

-- Named approvers; none means every active holder of orders.approve.
CREATE TABLE policy_approvers (
    policy_id INTEGER NOT NULL REFERENCES policies (id),
    person_id INTEGER NOT NULL REFERENCES people (id),
    PRIMARY KEY (policy_id, person_id)
) WITHOUT ROWID;

CREATE TABLE orders (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    ref             TEXT,
    -- The person who placed it; NULL when the operator did.
    creator_id      INTEGER REFERENCES people (id),
    creator         TEXT NOT NULL,
    description     TEXT NOT NULL,
    order_type      TEXT,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL,
    cost_centre_id  INTEGER REFERENCES cost_centres (id),
    -- A copy of the shipping address (JSON), kept as it was when ordered.
    ship_to         TEXT,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    rejected_reason TEXT,
    decided_at      TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (account_id, ref)
);
CREATE INDEX orders_by_account ON orders (account_id, status);

-- The policies an order matched when placed, as they stood then.
CREATE TABLE order_policies (
    order_id           INTEGER NOT NULL REFERENCES orders (id),
    policy_id          INTEGER NOT NULL REFERENCES policies (id),
    name               TEXT NOT NULL,
    required_approvals INTEGER NOT NULL,
    PRIMARY KEY (order_id, policy_id)
) WITHOUT ROWID;

CREATE TABLE order_policy_approvers (
    order_id  INTEGER NOT NULL,
    policy_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people (id),
    PRIMARY KEY (order_id, policy_id, person_id),
    FOREIGN KEY (order_id, policy_id) REFERENCES order_policies (order_id, policy_id)
) WITHOUT ROWID;

CREATE TABLE order_decisions (
    order_id  INTEGER NOT NULL REFERENCES orders (id),
    person_id INTEGER NOT NULL REFERENCES people (id),
    approved  INTEGER NOT NULL CHECK (approved IN (0, 1)),
    reason    TEXT,
    at        TEXT NOT NULL,
    PRIMARY KEY (order_id, person_id)
) WITHOUT ROWID;
-- Courses and enrolments.

-- Courses of the catalog (the `moodle` preset's six main courses and
-- "Clients and Invoices"). A course is given by a member's role: to every
-- role but the blocking one when all_roles is set, else to the roles listed
-- in course_roles.
CREATE TABLE courses (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT NOT NULL DEFAULT '',
    all_roles   INTEGER NOT NULL DEFAULT 0 CHECK (all_roles IN (0, 1)),
    created_at  TEXT NOT NULL
);

CREATE TABLE course_roles (
    course_id INTEGER NOT NULL REFERENCES courses (id),
    role_id   INTEGER NOT NULL REFERENCES roles (id),
    PRIMARY KEY (course_id, role_id)
) WITHOUT ROWID;

-- The capabilities that make up the portal area a course opens (for
-- "Clients and Invoices": clients, invoices, partner details, my clicks);
-- `user courses` shows which of them a member holds.
CREATE TABLE course_area_capabilities (
    course_id  INTEGER NOT NULL REFERENCES courses (id),
    capability TEXT NOT NULL,
    PRIMARY KEY (course_id, capability)
) WITHOUT ROWID;

-- Enrolments follow the membership's role. They are ended, never deleted,
-- so the history of who was enrolled when stays.
CREATE TABLE enrolments (
    id            INTEGER PRIMARY KEY,
    membership_id INTEGER NOT NULL REFERENCES memberships (id),
    course_id     INTEGER NOT NULL REFERENCES courses (id),
    enrolled_at   TEXT NOT NULL,
    ended_at      TEXT,
    CHECK (ended_at IS NULL OR ended_at >= enrolled_at)
);
CREATE UNIQUE INDEX enrolments_one_current ON enrolments (membership_id, course_id) WHERE ended_at IS NULL;
-- ---------------------------------------------------------------------------
-- Partners and their customers: licences, shipping addresses,
-- payment details, partner config. External admins use
-- memberships.external_from above.
-- ---------------------------------------------------------------------------

-- Licences a partner bought, one row per product. Seats only grow by
-- purchase; allocations hand them to the partner's customers.
CREATE TABLE licenses (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    product    TEXT NOT NULL COLLATE NOCASE,
    seats      INTEGER NOT NULL CHECK (seats >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (account_id, product)
);

-- Seats of a licence held by one customer. A row is kept at 0 seats rather
-- than deleted, so the history of who held what stays in one place.
CREATE TABLE license_allocations (
    license_id  INTEGER NOT NULL REFERENCES licenses (id),
    customer_id INTEGER NOT NULL REFERENCES accounts (id),
    seats       INTEGER NOT NULL CHECK (seats >= 0),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (license_id, customer_id)
) WITHOUT ROWID;
CREATE INDEX license_allocations_by_customer ON license_allocations (customer_id);

-- A backstop for the domain's rule: allocations never exceed what was bought.
CREATE TRIGGER license_allocations_within_seats_insert AFTER INSERT ON license_allocations
WHEN (SELECT SUM(seats) FROM license_allocations WHERE license_id = NEW.license_id)
     > (SELECT seats FROM licenses WHERE id = NEW.license_id)
BEGIN
    SELECT RAISE(ABORT, 'license allocations exceed the seats bought');
END;
CREATE TRIGGER license_allocations_within_seats_update AFTER UPDATE ON license_allocations
WHEN (SELECT SUM(seats) FROM license_allocations WHERE license_id = NEW.license_id)
     > (SELECT seats FROM licenses WHERE id = NEW.license_id)
BEGIN
    SELECT RAISE(ABORT, 'license allocations exceed the seats bought');
END;

-- Shipping addresses. Orders keep their own copy; an address is never
-- deleted, only marked removed, so a label can be reused afterwards.
CREATE TABLE addresses (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    label      TEXT NOT NULL COLLATE NOCASE,
    line1      TEXT NOT NULL,
    line2      TEXT,
    city       TEXT NOT NULL,
    postcode   TEXT NOT NULL,
    country    TEXT NOT NULL CHECK (length(country) = 2),
    created_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE UNIQUE INDEX addresses_live_label ON addresses (account_id, label) WHERE removed_at IS NULL;

-- How an account pays. The IBAN is kept whole (it is needed to collect);
-- output and the audit log only ever show its last four characters.
CREATE TABLE payment_details (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
    method     TEXT NOT NULL CHECK (method IN ('direct-debit', 'bank-transfer', 'card', 'invoice')),
    iban       TEXT,
    updated_at TEXT NOT NULL
);

-- A partner's status (such as Technical or Sales) and mail smarthost.
CREATE TABLE partner_config (
    account_id     INTEGER PRIMARY KEY REFERENCES accounts (id),
    partner_status TEXT,
    smarthost_host TEXT,
    smarthost_port INTEGER CHECK (smarthost_port BETWEEN 1 AND 65535),
    updated_at     TEXT NOT NULL
);

-- A partner's inbound and outbound IP addresses: normalised text (an
-- address, or the network address and prefix of a range), so equal
-- addresses are one row.
CREATE TABLE partner_ips (
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    direction  TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    network    TEXT NOT NULL,
    added_at   TEXT NOT NULL,
    PRIMARY KEY (account_id, direction, network)
) WITHOUT ROWID;
