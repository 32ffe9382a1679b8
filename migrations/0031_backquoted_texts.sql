-- The texts an older version stored holding a backquote, which this
-- version refuses in every write: kept in one setting, so that a message
-- naming one writes its backquotes out (`\u{60}`) at the cost of one
-- lookup rather than a search of every table. Nothing adds to the list
-- after this; a text renamed away stays in it, harmlessly.
INSERT INTO settings (key, value)
SELECT 'backquoted_texts', json_group_array(text) FROM (
    SELECT name AS text FROM accounts WHERE instr(name, '`') > 0
    UNION SELECT phone AS text FROM accounts WHERE instr(phone, '`') > 0
    UNION SELECT website AS text FROM accounts WHERE instr(website, '`') > 0
    UNION SELECT marketing AS text FROM accounts WHERE instr(marketing, '`') > 0
    UNION SELECT sectors AS text FROM accounts WHERE instr(sectors, '`') > 0
    UNION SELECT billing_contact AS text FROM accounts WHERE instr(billing_contact, '`') > 0
    UNION SELECT name AS text FROM people WHERE instr(name, '`') > 0
    UNION SELECT email AS text FROM people WHERE instr(email, '`') > 0
    UNION SELECT invited_name AS text FROM memberships WHERE instr(invited_name, '`') > 0
    UNION SELECT invited_email AS text FROM memberships WHERE instr(invited_email, '`') > 0
    UNION SELECT name AS text FROM policies WHERE instr(name, '`') > 0
    UNION SELECT label AS text FROM addresses WHERE instr(label, '`') > 0
    UNION SELECT line1 AS text FROM addresses WHERE instr(line1, '`') > 0
    UNION SELECT line2 AS text FROM addresses WHERE instr(line2, '`') > 0
    UNION SELECT city AS text FROM addresses WHERE instr(city, '`') > 0
    UNION SELECT postcode AS text FROM addresses WHERE instr(postcode, '`') > 0
    UNION SELECT name AS text FROM services WHERE instr(name, '`') > 0
    UNION SELECT kind AS text FROM services WHERE instr(kind, '`') > 0
    UNION SELECT code AS text FROM cost_centres WHERE instr(code, '`') > 0
    UNION SELECT name AS text FROM cost_centres WHERE instr(name, '`') > 0
    UNION SELECT name AS text FROM roles WHERE instr(name, '`') > 0
    UNION SELECT description AS text FROM roles WHERE instr(description, '`') > 0
    UNION SELECT product AS text FROM licenses WHERE instr(product, '`') > 0
    UNION SELECT product AS text FROM partner_prices WHERE instr(product, '`') > 0
    UNION SELECT description AS text FROM orders WHERE instr(description, '`') > 0
    UNION SELECT ref AS text FROM orders WHERE instr(ref, '`') > 0
)
HAVING count(*) > 0;
