-- The per-number reply cap counts replies in the last hour on every inbound text: an index of only the
-- rows that got a reply, so the count never reads the table (and stops at cap + 1, see inbox.py). It
-- replaces the index of every row by sender, which nothing else reads: one index less to write per text.
CREATE INDEX sms_inbox_replies ON sms_inbox(from_phone, received_at) WHERE reply IS NOT NULL;
DROP INDEX sms_inbox_sender;
