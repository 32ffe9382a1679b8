-- Migration 15: the CHECKs that list more than two values, as comparisons.
--
-- SQLite checks `x IN ('a', 'b', 'c')` by filling a temporary index with
-- the list each time a statement that writes the column runs: a
-- membership insert cost four times a person's, a tenth of a bulk
-- `apply`. Written as comparisons, the same rule costs a few steps. No
-- row changes and the rules are the same, so each table's stored
-- statement is rewritten in place, SQLite's own way for a change that
-- leaves the file's content as it is, rather than the table rebuilt.
-- `RESET` makes this connection read the schema again.
PRAGMA writable_schema = ON;
UPDATE sqlite_master
   SET sql = replace(sql,
       'CHECK (status IN (''invited'', ''active'', ''deactivated'', ''left''))',
       'CHECK (status = ''invited'' OR status = ''active'' OR status = ''deactivated'' OR status = ''left'')')
 WHERE type = 'table' AND name = 'memberships';
UPDATE sqlite_master
   SET sql = replace(sql,
       'CHECK (state IN (''pending'', ''accepted'', ''revoked'', ''replaced''))',
       'CHECK (state = ''pending'' OR state = ''accepted'' OR state = ''revoked'' OR state = ''replaced'')')
 WHERE type = 'table' AND name = 'invitations';
UPDATE sqlite_master
   SET sql = replace(sql,
       'CHECK (state IN (''pending'', ''sent'', ''failed'', ''cancelled''))',
       'CHECK (state = ''pending'' OR state = ''sent'' OR state = ''failed'' OR state = ''cancelled'')')
 WHERE type = 'table' AND name = 'outbox';
UPDATE sqlite_master
   SET sql = replace(sql,
       'CHECK (status IN (''pending'', ''approved'', ''rejected'', ''cancelled''))',
       'CHECK (status = ''pending'' OR status = ''approved'' OR status = ''rejected'' OR status = ''cancelled'')')
 WHERE type = 'table' AND name = 'orders';
UPDATE sqlite_master
   SET sql = replace(sql,
       'CHECK (method IN (''direct-debit'', ''bank-transfer'', ''card'', ''invoice''))',
       'CHECK (method = ''direct-debit'' OR method = ''bank-transfer'' OR method = ''card'' OR method = ''invoice'')')
 WHERE type = 'table' AND name = 'payment_details';
PRAGMA writable_schema = RESET;
