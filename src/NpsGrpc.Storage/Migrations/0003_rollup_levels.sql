-- Monthly counts by rollup attribute values, and survey totals (no attribute values) per hour, day and month.
-- Queries without attribute conditions read the totals, which are one row per period; whole UTC months read the
-- monthly tables. Ingest maintains them from now on.

CREATE TABLE response_rollup_monthly (
    survey_id        text NOT NULL,
    month            date NOT NULL,
    dims             jsonb NOT NULL,
    promoters        bigint NOT NULL,
    passives         bigint NOT NULL,
    detractors       bigint NOT NULL,
    promoter_weight  double precision NOT NULL,
    passive_weight   double precision NOT NULL,
    detractor_weight double precision NOT NULL,
    weight_squares   double precision NOT NULL,
    PRIMARY KEY (survey_id, month, dims)
);

CREATE TABLE survey_rollup_hourly (
    survey_id        text NOT NULL,
    hour             timestamptz NOT NULL,
    promoters        bigint NOT NULL,
    passives         bigint NOT NULL,
    detractors       bigint NOT NULL,
    promoter_weight  double precision NOT NULL,
    passive_weight   double precision NOT NULL,
    detractor_weight double precision NOT NULL,
    weight_squares   double precision NOT NULL,
    PRIMARY KEY (survey_id, hour)
);

CREATE TABLE survey_rollup_daily (
    survey_id        text NOT NULL,
    day              date NOT NULL,
    promoters        bigint NOT NULL,
    passives         bigint NOT NULL,
    detractors       bigint NOT NULL,
    promoter_weight  double precision NOT NULL,
    passive_weight   double precision NOT NULL,
    detractor_weight double precision NOT NULL,
    weight_squares   double precision NOT NULL,
    PRIMARY KEY (survey_id, day)
);

CREATE TABLE survey_rollup_monthly (
    survey_id        text NOT NULL,
    month            date NOT NULL,
    promoters        bigint NOT NULL,
    passives         bigint NOT NULL,
    detractors       bigint NOT NULL,
    promoter_weight  double precision NOT NULL,
    passive_weight   double precision NOT NULL,
    detractor_weight double precision NOT NULL,
    weight_squares   double precision NOT NULL,
    PRIMARY KEY (survey_id, month)
);

-- The tables are filled by the rollup synchronizer at start-up: migration 0002 left rollup_settings without
-- a layout marker, so the synchronizer rebuilds every rollup table from the raw rows once (see
-- rollup_settings.layout_version below), which also covers responses stored before the rollups existed.
ALTER TABLE rollup_settings ADD COLUMN layout_version integer NOT NULL DEFAULT 0;
