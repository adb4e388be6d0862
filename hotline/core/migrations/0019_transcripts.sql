-- Transcripts in the background (issue 17): the worker writes what the speech recogniser heard in an official's
-- recorded announcement (its text, the start of its SMS notice) and in a resident's voicemail (for the call-back).
ALTER TABLE announcements ADD COLUMN transcribed_at TEXT;   -- the recogniser ran on the current recording; NULL = due
ALTER TABLE voicemails ADD COLUMN transcript TEXT;          -- what the resident said, as heard; deleted with the audio
ALTER TABLE voicemails ADD COLUMN transcribed_at TEXT;
-- Announcements that have words already (transcribed by the old thread, or typed) keep them.
UPDATE announcements SET transcribed_at = created_at WHERE text IS NOT NULL OR audio_path IS NULL;
CREATE INDEX announcements_untranscribed ON announcements(id) WHERE transcribed_at IS NULL;
CREATE INDEX voicemails_untranscribed ON voicemails(id) WHERE transcribed_at IS NULL AND audio_path IS NOT NULL;
