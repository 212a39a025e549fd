-- Follow-up items (detractors and customers whose latest score dropped) and advocacy candidates (promoters who left
-- a comment). Ingest opens them in the same transaction as their response, so an item exists exactly when its
-- response does, and it carries the batch's load_seq so that a subscriber can find the settled items in commit-safe
-- order (see FollowUpFeed).
CREATE TABLE outreach_items (
    item_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('follow_up', 'advocacy')),
    survey_id      text NOT NULL,
    response_id    text NOT NULL,
    customer_id    text NOT NULL,
    reason         text NOT NULL CHECK (reason IN ('detractor', 'score_drop', 'promoter_comment')),
    score          smallint NOT NULL,
    previous_score smallint,
    responded_at   timestamptz NOT NULL,
    load_seq       bigint NOT NULL,
    status         text NOT NULL,
    owner          text NOT NULL DEFAULT '',
    note           text NOT NULL DEFAULT '',
    version        bigint NOT NULL DEFAULT 1,
    create_time    timestamptz NOT NULL,
    update_time    timestamptz NOT NULL,
    status_time    timestamptz NOT NULL,
    UNIQUE (kind, survey_id, response_id)
);

CREATE INDEX outreach_items_feed ON outreach_items (kind, load_seq, item_id);
CREATE INDEX outreach_items_survey ON outreach_items (kind, survey_id, item_id);

-- A customer's responses in one survey in (responded_at, response_id) order: the previous and the latest score
-- of a customer are index lookups when a batch opens score-drop items.
CREATE INDEX responses_customer_history ON responses (survey_id, customer_id, responded_at, response_id) INCLUDE (score);

-- NPS goals. definition is the goal as the API defines it (a serialized nps.v1.Goal message), so the segment's
-- conditions keep the exact form of GetNps filters. survey_id is copied out of it for listing by survey.
CREATE TABLE nps_goals (
    goal_id     text PRIMARY KEY,
    survey_id   text NOT NULL,
    definition  bytea NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX nps_goals_survey ON nps_goals (survey_id, goal_id);
