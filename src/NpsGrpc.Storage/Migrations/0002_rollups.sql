-- Pre-aggregated counts per survey, UTC hour or UTC day, and the values of the rollup attribute keys (dims).
-- Ingest maintains both tables in the same transaction as the response rows. Queries use them when every filter
-- and grouping attribute is a rollup key, and read raw rows for partial hours.

CREATE TABLE rollup_settings (
    singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    attribute_keys text[] NOT NULL
);

INSERT INTO rollup_settings (attribute_keys) VALUES ('{}');

CREATE TABLE response_rollup_hourly (
    survey_id        text NOT NULL,
    hour             timestamptz NOT NULL,
    dims             jsonb NOT NULL,
    promoters        bigint NOT NULL,
    passives         bigint NOT NULL,
    detractors       bigint NOT NULL,
    promoter_weight  double precision NOT NULL,
    passive_weight   double precision NOT NULL,
    detractor_weight double precision NOT NULL,
    weight_squares   double precision NOT NULL,
    PRIMARY KEY (survey_id, hour, dims)
);

CREATE TABLE response_rollup_daily (
    survey_id        text NOT NULL,
    day              date NOT NULL,
    dims             jsonb NOT NULL,
    promoters        bigint NOT NULL,
    passives         bigint NOT NULL,
    detractors       bigint NOT NULL,
    promoter_weight  double precision NOT NULL,
    passive_weight   double precision NOT NULL,
    detractor_weight double precision NOT NULL,
    weight_squares   double precision NOT NULL,
    PRIMARY KEY (survey_id, day, dims)
);
