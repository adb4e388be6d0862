-- Warnings first (issue 13): the send order lives in hotline/outbox.py PRIORITY, no longer in a trigger that
-- put every reply (9) ahead of the emergency warnings (8), so a flood of texts delayed a level-5 warning.
DROP TRIGGER outbox_reply_first;

-- Whether a row is one an opted-out number still gets (a warning from HOTLINE_EMERGENCY_LEVEL, a check-in
-- after one, a need-help notice): opting out cancels what is already queued, but never these.
ALTER TABLE outbox ADD COLUMN emergency INTEGER NOT NULL DEFAULT 0;
-- Rows waiting now: the old emergency levels (8 warnings, 9 head notices), and anything but a reply queued
-- for a number that had opted out, which only an emergency could be.
UPDATE outbox SET emergency = 1 WHERE state IN ('queued', 'claimed') AND purpose != 'reply'
    AND (priority >= 8 OR to_phone IN (SELECT phone FROM residents WHERE opted_out_at IS NOT NULL));
UPDATE outbox SET priority = CASE
        WHEN purpose IN ('reply', 'guide', 'callback') THEN 5
        WHEN purpose = 'notice' AND priority = 9 THEN 10
        WHEN priority = 8 THEN 9
        WHEN purpose IN ('announcement', 'notice') THEN 3
        WHEN purpose = 'reminder' THEN 2
        ELSE priority END
    WHERE state IN ('queued', 'claimed');

-- Opting out looks up the number's queued rows: only queued rows are indexed, so sending keeps it small.
CREATE INDEX outbox_queued_to ON outbox(to_phone) WHERE state = 'queued';

-- The commune-wide reply cap counts every reply of the last hour on each inbound text (stopping at cap + 1),
-- and /health and the first warning of the hour look for texts it left unanswered.
CREATE INDEX sms_inbox_replies_all ON sms_inbox(received_at) WHERE reply IS NOT NULL;
CREATE INDEX sms_inbox_commune_capped ON sms_inbox(received_at) WHERE reply_status = 'commune_cap';
