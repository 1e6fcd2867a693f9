-- The peer-to-peer protocol on agents' messages, and the guards that hold
-- agents back. Owned by app/src/functions/platform_manager/projection/
-- agent_messages.rs (AGENT_MESSAGES) and guards.rs (GUARD_FIRINGS).

-- The message's step in the protocol: note, ask, answer, agree, disagree
-- or escalate (messages from before the protocol are notes).
ALTER TABLE agent_messages ADD COLUMN intent TEXT NOT NULL DEFAULT 'note';
-- The stream the conversation is about, e.g. product-TBL-PASTA-8.
ALTER TABLE agent_messages ADD COLUMN subject TEXT;
-- The data an answer consulted: a JSON array of {label, href}.
ALTER TABLE agent_messages ADD COLUMN consulted TEXT NOT NULL DEFAULT '[]';
CREATE INDEX agent_messages_by_subject ON agent_messages (subject);

-- Every time a guard of the agent runtime refused what an agent tried.
CREATE TABLE guard_firings (
    -- The key of the refused action (its step's key and its index).
    firing_key       TEXT    PRIMARY KEY,
    -- The function slug of the agent held back.
    agent            TEXT    NOT NULL,
    -- hop_limit, repeated_message, rate_limit or budget.
    guard            TEXT    NOT NULL,
    conversation_id  TEXT,
    refused          TEXT    NOT NULL,
    -- UTC, RFC 3339.
    fired_at         TEXT    NOT NULL,
    last_position    BIGINT  NOT NULL
);
CREATE INDEX guard_firings_by_agent ON guard_firings (agent, last_position);
