-- Surveys, responses and customer attributes.

CREATE TABLE surveys (
    survey_id    text PRIMARY KEY,
    display_name text NOT NULL,
    description  text NOT NULL DEFAULT '',
    create_time  timestamptz NOT NULL DEFAULT now()
);

-- One row per response; (survey_id, response_id) is the client's idempotency key. content_hash is a
-- fingerprint of everything but the ids, so a redelivery can be distinguished from a conflicting reuse of an id.
-- There is no foreign key to surveys: the ingest path checks the survey once per batch instead of once
-- per row, and surveys are never deleted.
CREATE TABLE responses (
    survey_id    text NOT NULL,
    response_id  text NOT NULL,
    customer_id  text NOT NULL,
    score        smallint NOT NULL CHECK (score BETWEEN 0 AND 10),
    responded_at timestamptz NOT NULL,
    received_at  timestamptz NOT NULL,
    comment      text,
    attributes   jsonb NOT NULL DEFAULT '{}'::jsonb,
    weight       double precision CHECK (weight > 0),
    content_hash bytea NOT NULL,
    PRIMARY KEY (survey_id, response_id)
);

CREATE INDEX responses_survey_responded_at ON responses (survey_id, responded_at);

CREATE TABLE customers (
    customer_id text PRIMARY KEY,
    update_time timestamptz NOT NULL
);

-- One row per value: a tag-like attribute has several rows under one key.
CREATE TABLE customer_attributes (
    customer_id text NOT NULL REFERENCES customers ON DELETE CASCADE,
    key         text NOT NULL,
    value       text NOT NULL,
    PRIMARY KEY (customer_id, key, value)
);
