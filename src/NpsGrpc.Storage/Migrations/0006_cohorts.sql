-- Named cohorts: attribute conditions stored under a name and resolved by queries. Cohorts are global, not per
-- survey, because customers and their attributes are shared by every survey. conditions is a JSON array of
-- nps.v1.AttributeCondition messages in their protobuf JSON form, validated by the server before it is stored.
CREATE TABLE cohorts (
    name        text PRIMARY KEY,
    description text NOT NULL DEFAULT '',
    conditions  jsonb NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now()
);
