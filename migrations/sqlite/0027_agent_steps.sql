-- Every step a function's agent took, a row each (the AgentStepTaken
-- events). Owned by app/src/functions/platform_manager/projection/agent_steps.rs
-- (AGENT_STEPS).
CREATE TABLE agent_steps (
    -- The step's idempotency key, e.g. agent:category:events-through-1204.
    step_key          TEXT    PRIMARY KEY,
    -- The function slug of the agent.
    agent             TEXT    NOT NULL,
    -- What woke it, as the page says it.
    trigger_text      TEXT    NOT NULL,
    -- The last log position the step considered.
    through_position  INTEGER NOT NULL,
    brain             TEXT    NOT NULL,
    model             TEXT,
    observations      TEXT    NOT NULL,
    -- What it chose, one line per action.
    actions           TEXT    NOT NULL,
    action_count      INTEGER NOT NULL,
    input_tokens      INTEGER NOT NULL,
    output_tokens     INTEGER NOT NULL,
    cost_micro_usd    INTEGER NOT NULL,
    duration_ms       INTEGER NOT NULL,
    -- UTC, RFC 3339.
    taken_at          TEXT    NOT NULL,
    last_position     INTEGER NOT NULL
);
CREATE INDEX agent_steps_by_agent ON agent_steps (agent, last_position);
