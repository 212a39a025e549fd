-- Response attribute keys per survey, from which an export takes its columns without scanning every row. Ingest adds
-- the keys of each batch in the batch's transaction. Rows are never deleted, so a key once seen stays.
CREATE TABLE response_attribute_keys (
    survey_id text NOT NULL,
    key       text NOT NULL,
    PRIMARY KEY (survey_id, key)
);

INSERT INTO response_attribute_keys (survey_id, key)
SELECT DISTINCT r.survey_id, k FROM responses r, jsonb_object_keys(r.attributes) k;
