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
    through_position  BIGINT NOT NULL,
    brain             TEXT    NOT NULL,
    model             TEXT,
    observations      TEXT    NOT NULL,
    -- What it chose, one line per action.
    actions           TEXT    NOT NULL,
    action_count      BIGINT NOT NULL,
    input_tokens      BIGINT NOT NULL,
    output_tokens     BIGINT NOT NULL,
    cost_micro_usd    BIGINT NOT NULL,
    duration_ms       BIGINT NOT NULL,
    -- UTC, RFC 3339.
    taken_at          TEXT    NOT NULL,
    last_position     BIGINT NOT NULL
);
CREATE INDEX agent_steps_by_agent ON agent_steps (agent, last_position);
