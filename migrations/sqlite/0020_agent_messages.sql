-- Every message one function's agent sent another's. Owned by
-- app/src/functions/platform_manager/projection.rs (AGENT_MESSAGES).
CREATE TABLE agent_messages (
    message_id       TEXT    PRIMARY KEY,
    conversation_id  TEXT    NOT NULL,
    -- Function slugs.
    from_function    TEXT    NOT NULL,
    to_function      TEXT    NOT NULL,
    text             TEXT    NOT NULL,
    -- The decision the message is about, if any (dec-...).
    about_decision   TEXT,
    -- The actor that sent it, e.g. agent:category or integration:tok-...
    sent_by          TEXT    NOT NULL,
    -- UTC, RFC 3339.
    sent_at          TEXT    NOT NULL,
    last_position    INTEGER NOT NULL
);
CREATE INDEX agent_messages_by_conversation ON agent_messages (conversation_id);
CREATE INDEX agent_messages_from ON agent_messages (from_function);
CREATE INDEX agent_messages_to ON agent_messages (to_function);
