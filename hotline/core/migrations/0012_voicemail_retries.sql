-- A voicemail whose audio could not be downloaded from Twilio is tried again by the worker, on a
-- growing schedule (hotline/voicemail.py RETRY_MINUTES), until it is stored, the tries run out, or
-- the retention would delete it anyway; then it is marked as finally failed for the officials.
ALTER TABLE voicemails ADD COLUMN fetch_attempts INTEGER NOT NULL DEFAULT 0;   -- failed downloads so far
ALTER TABLE voicemails ADD COLUMN fetch_next_at TEXT;    -- when the worker tries next; NULL = nothing to try
ALTER TABLE voicemails ADD COLUMN fetch_failed_at TEXT;  -- when we gave up on the audio
-- Audio that failed (or never finished) before this migration is due at once; the retention check
-- gives up on what is too old.
UPDATE voicemails
   SET fetch_attempts = CASE WHEN fetch_error IS NULL THEN 0 ELSE 1 END, fetch_next_at = created_at
 WHERE audio_path IS NULL AND purged_at IS NULL;
CREATE INDEX voicemails_fetch_due ON voicemails(fetch_next_at) WHERE fetch_next_at IS NOT NULL;
