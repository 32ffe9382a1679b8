-- Partner details (seed 002): "Details: Displays your account details,
-- including contact information and billing contact." and "Products and
-- Prices: Displays your agreed contracted pricing."

-- The account's billing contact: a normalised email address, NULL when
-- none was given.
ALTER TABLE accounts ADD COLUMN billing_contact TEXT;

-- The price per product a partner agreed with the vendor, in minor units
-- of `currency` (the partner's currency when it was set), never floating
-- point. One row per product; removing a price deletes its row, and the
-- audit log keeps what it was.
CREATE TABLE partner_prices (
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    product     TEXT NOT NULL COLLATE NOCASE,
    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (account_id, product)
) WITHOUT ROWID;
