-- Full-text search over comments. The expression must match the one in CommentSearchCommand exactly for the planner
-- to use the index: the 'simple' configuration lower-cases words and keeps them unstemmed, so a comment in any
-- language is indexed word by word. Rows without a comment are left out of the index.
CREATE INDEX responses_comment_search ON responses USING gin (to_tsvector('simple', comment)) WHERE comment IS NOT NULL;
