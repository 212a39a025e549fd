-- Monthly counts by rollup attribute values, and survey totals (no attribute values) per hour, day and month.
-- Queries without attribute conditions read the totals, which are one row per period; whole UTC months read the
-- monthly tables. Both are filled from the existing rollups here and maintained by ingest from now on.

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

LOCK TABLE response_rollup_hourly, response_rollup_daily IN SHARE MODE;

INSERT INTO response_rollup_monthly
SELECT survey_id, date_trunc('month', day)::date, dims, sum(promoters), sum(passives), sum(detractors),
       sum(promoter_weight), sum(passive_weight), sum(detractor_weight), sum(weight_squares)
FROM response_rollup_daily GROUP BY 1, 2, 3;

INSERT INTO survey_rollup_hourly
SELECT survey_id, hour, sum(promoters), sum(passives), sum(detractors),
       sum(promoter_weight), sum(passive_weight), sum(detractor_weight), sum(weight_squares)
FROM response_rollup_hourly GROUP BY 1, 2;

INSERT INTO survey_rollup_daily
SELECT survey_id, day, sum(promoters), sum(passives), sum(detractors),
       sum(promoter_weight), sum(passive_weight), sum(detractor_weight), sum(weight_squares)
FROM response_rollup_daily GROUP BY 1, 2;

INSERT INTO survey_rollup_monthly
SELECT survey_id, date_trunc('month', day)::date, sum(promoters), sum(passives), sum(detractors),
       sum(promoter_weight), sum(passive_weight), sum(detractor_weight), sum(weight_squares)
FROM response_rollup_daily GROUP BY 1, 2;
