-- Broadcast extras on the outbox: send order, and an index the worker's "next due row" query uses.
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;   -- higher first: emergency alerts, replies
CREATE INDEX outbox_next ON outbox(channel, state, priority DESC, id);

-- A reply answers someone who is waiting: it goes ahead of any broadcast, whoever queued it.
CREATE TRIGGER outbox_reply_first AFTER INSERT ON outbox WHEN NEW.purpose = 'reply' AND NEW.priority = 0
BEGIN
    UPDATE outbox SET priority = 9 WHERE id = NEW.id;
END;
