-- A resident's own choice of accents (CO DAU / KHONG DAU, or an official changing the flag for them)
-- outranks HOTLINE_SMS_ACCENTS; without a choice the commune's setting decides. Before this column a
-- resident could turn accents on but not off when the setting was on. Every 1 so far was a choice.
ALTER TABLE residents ADD COLUMN sms_accents_chosen INTEGER NOT NULL DEFAULT 0;
UPDATE residents SET sms_accents_chosen = 1 WHERE sms_accents = 1;
