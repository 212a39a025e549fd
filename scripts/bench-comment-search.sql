-- Measures SearchComments on 200,000 responses in the scratch survey 'bench-search': run with psql against a
-- database that has the NpsGrpc migrations applied (scripts/bench-comment-search.sh sets one up). It prints EXPLAIN
-- ANALYZE of the statement the server runs for one page of 50 matches and deletes the scratch rows at the end.
\set ON_ERROR_STOP on
INSERT INTO responses (survey_id, response_id, customer_id, score, responded_at, received_at, comment, attributes, content_hash)
SELECT 'bench-search',
       'r' || i,
       'c' || (i % 50000),
       i % 11,
       timestamptz '2026-01-01' + i * interval '1 minute',
       now(),
       (ARRAY['The board loads slowly when many people edit',
              'Great templates and easy sharing with the team',
              'Export to PDF fails with large frames',
              'Любим шаблоны и совместную работу',
              'ボードの読み込みが遅い',
              'Sticky notes are handy but search is weak'])[1 + i % 6]
           || ' #' || i || ' ' || md5(i::text),
       jsonb_build_object('channel', (ARRAY['web', 'app', 'email'])[1 + i % 3]),
       '\x00'::bytea
FROM generate_series(1, 200000) AS i;
VACUUM ANALYZE responses;

-- The statement of CommentStore.SearchAsync for one page of 50 (51 rows, one to see whether another page follows).
PREPARE search(text) AS
SELECT m.survey_id, m.response_id, ts_headline('simple', m.comment, m.query, 'MaxFragments=2, MaxWords=20, MinWords=8')
FROM (
    SELECT r.survey_id, r.response_id, r.comment, r.responded_at, q.query
    FROM responses r, websearch_to_tsquery('simple', $1) q(query)
    WHERE r.survey_id = ANY('{bench-search}') AND r.comment IS NOT NULL AND to_tsvector('simple', r.comment) @@ q.query
    ORDER BY r.responded_at DESC, r.survey_id, r.response_id
    LIMIT 51
) m
ORDER BY m.responded_at DESC, m.survey_id, m.response_id;

-- A common phrase: one comment in six mentions "pdf" and "frames" (33,333 matches).
EXPLAIN (ANALYZE, BUFFERS) EXECUTE search('pdf frames');

-- A word of a single comment (the md5 of 77777).
EXPLAIN (ANALYZE, BUFFERS) EXECUTE search(md5('77777'));

DELETE FROM responses WHERE survey_id = 'bench-search';
