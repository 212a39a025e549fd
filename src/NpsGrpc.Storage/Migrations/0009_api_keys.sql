-- API keys. A key is "nps_<key_id>_<secret part>"; only its SHA-256 hash is stored, so a database dump does not
-- reveal usable keys. key_id is the non-secret lookup key. scopes contains the names ingest, query, export and admin;
-- an empty survey_ids array means the key is not limited to surveys.
CREATE TABLE api_keys (
    key_id         text PRIMARY KEY,
    display_name   text NOT NULL,
    key_hash       bytea NOT NULL CHECK (octet_length(key_hash) = 32),
    scopes         text[] NOT NULL CHECK (cardinality(scopes) > 0),
    survey_ids     text[] NOT NULL DEFAULT '{}',
    create_time    timestamptz NOT NULL DEFAULT now(),
    expire_time    timestamptz,
    revoke_time    timestamptz,
    last_used_time timestamptz
);

-- Keys in use have distinct names, so an operator can tell them apart; a revoked key's name may be reused.
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (display_name) WHERE revoke_time IS NULL;
