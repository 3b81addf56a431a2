-- The day a development's event happened, as its first report's lead names it ("on Sunday",
-- "March 23"), resolved against the publication time. Reports of one event name the same day
-- whenever they are published, so it anchors the development; timelines are ordered by it.
ALTER TABLE internal.developments ADD COLUMN reported_on DATE;

CREATE OR REPLACE VIEW developments AS
SELECT d.development_id, d.storyline_id, d.headline, d.first_article_id, d.first_seen_at,
       coalesce(max(coalesce(a.published_at, a.fetched_at)), d.first_seen_at) AS last_seen_at,
       count(sa.article_id) AS article_count,
       count(DISTINCT a.source) FILTER (WHERE a.duplicate_of IS NULL) AS source_count,
       d.explanation,
       d.nearest_development_id, d.distance, d.new_facts,
       list(DISTINCT a.source ORDER BY a.source) FILTER (WHERE a.duplicate_of IS NULL) AS sources,
       coalesce(d.reported_on, d.first_seen_at::DATE) AS reported_on
FROM internal.developments d
LEFT JOIN internal.storyline_articles sa USING (development_id)
LEFT JOIN internal.articles a ON a.article_id = sa.article_id
GROUP BY d.development_id, d.storyline_id, d.headline, d.first_article_id, d.first_seen_at, d.explanation,
         d.nearest_development_id, d.distance, d.new_facts, d.reported_on;
