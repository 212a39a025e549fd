-- Parquet export targets, their runs and the files they published, and the load sequence that makes runs
-- incremental.

-- Every ingest batch takes one value, after the shared rollup lock, and stores it on its rows. No cache: values must
-- be handed out in the order batches take them, across sessions. Rows stored before this migration keep 0.
CREATE SEQUENCE response_load_seq AS bigint CACHE 1;
ALTER TABLE responses ADD COLUMN load_seq bigint NOT NULL DEFAULT 0;
-- Batches append in sequence order, so a block range index finds a run's rows at almost no cost to ingest.
CREATE INDEX responses_load_seq ON responses USING brin (load_seq);

CREATE TABLE export_targets (
    target_id        text PRIMARY KEY,
    -- Small integer for the per-target advisory lock.
    lock_id          integer GENERATED ALWAYS AS IDENTITY UNIQUE,
    display_name     text NOT NULL,
    destination      text NOT NULL UNIQUE,
    survey_ids       text[] NOT NULL,
    schedule         text NOT NULL,
    time_zone        text NOT NULL,
    segment_keys     text[] NOT NULL,
    row_group_rows   integer NOT NULL,
    confidence_level double precision NOT NULL,
    paused           boolean NOT NULL,
    -- Load sequence covered by the last successful run; -1 before the first one.
    watermark        bigint NOT NULL DEFAULT -1,
    -- The latest scheduled slot already claimed; the schedule continues after it.
    last_slot        timestamptz,
    create_time      timestamptz NOT NULL,
    update_time      timestamptz NOT NULL
);

CREATE TABLE export_runs (
    run_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id     text NOT NULL REFERENCES export_targets ON DELETE CASCADE,
    trigger       text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    -- The scheduled slot; unique per target, so two instances cannot both claim one.
    slot          timestamptz,
    restate_from  date,
    restate_to    date,
    -- queued, running, committed (files recorded, manifest not yet published), succeeded, failed.
    state         text NOT NULL CHECK (state IN ('queued', 'running', 'committed', 'succeeded', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    low_mark      bigint,
    high_mark     bigint,
    -- Final paths an attempt moves files to, recorded before it moves them, so a redo can remove them.
    pending_paths text[] NOT NULL DEFAULT '{}',
    rows_written  bigint NOT NULL DEFAULT 0,
    files_written integer NOT NULL DEFAULT 0,
    bytes_written bigint NOT NULL DEFAULT 0,
    manifest_path text,
    error         text,
    instance      text,
    queue_time    timestamptz NOT NULL,
    start_time    timestamptz,
    end_time      timestamptz,
    UNIQUE (target_id, slot)
);

CREATE INDEX export_runs_unfinished ON export_runs (target_id, run_id) WHERE state IN ('queued', 'running', 'committed');

-- Every file a run published. A file leaves the export when a later run supersedes it, and is deleted after that
-- run's manifest is out.
CREATE TABLE export_files (
    target_id      text NOT NULL REFERENCES export_targets ON DELETE CASCADE,
    path           text NOT NULL,
    table_name     text NOT NULL,
    partition_date date,
    run_id         bigint NOT NULL,
    row_count      bigint NOT NULL,
    byte_count     bigint NOT NULL,
    sha256         text NOT NULL,
    superseded_by  bigint,
    deleted        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (target_id, path)
);

CREATE INDEX export_files_live ON export_files (target_id, table_name, partition_date) WHERE superseded_by IS NULL;

-- Attribute key to column mapping per table, in column order. A key keeps its column forever.
CREATE TABLE export_columns (
    target_id     text NOT NULL REFERENCES export_targets ON DELETE CASCADE,
    table_name    text NOT NULL,
    attribute_key text NOT NULL,
    column_name   text NOT NULL,
    ordinal       integer NOT NULL,
    PRIMARY KEY (target_id, table_name, attribute_key),
    UNIQUE (target_id, table_name, column_name)
);

-- Counts behind the daily NPS table, per local date, survey and segment values (NULL when the response lacks the
-- key), as of the target's watermark. An incremental run adds its rows' counts; a restatement replaces its dates.
CREATE TABLE export_daily_counts (
    target_id         text NOT NULL REFERENCES export_targets ON DELETE CASCADE,
    response_date     date NOT NULL,
    survey_id         text NOT NULL,
    segment           text[] NOT NULL,
    responses         bigint NOT NULL,
    promoters         bigint NOT NULL,
    passives          bigint NOT NULL,
    detractors        bigint NOT NULL,
    weight_sum        double precision NOT NULL,
    promoter_weight   double precision NOT NULL,
    detractor_weight  double precision NOT NULL,
    weight_square_sum double precision NOT NULL,
    PRIMARY KEY (target_id, response_date, survey_id, segment)
);
