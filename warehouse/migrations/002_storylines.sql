-- Storyline tracking state: what clustering remembers between passes, kept small and
-- looked up by key so a pass never scans all stored articles.

-- Why a development counts as new, in columns (the sentence is in `explanation`).
ALTER TABLE internal.developments ADD COLUMN nearest_development_id VARCHAR;
ALTER TABLE internal.developments ADD COLUMN distance DOUBLE;
ALTER TABLE internal.developments ADD COLUMN new_facts VARCHAR[];

-- Articles whose terms are in term_stats: each is counted once, however often it is tracked.
CREATE TABLE internal.counted_articles (
    article_id VARCHAR PRIMARY KEY,
    counted_at TIMESTAMPTZ NOT NULL
);

-- Document frequencies over tracked non-duplicate articles, for IDF weighting.
CREATE TABLE internal.term_stats (
    term VARCHAR PRIMARY KEY,
    df   BIGINT NOT NULL
);
CREATE TABLE internal.corpus_stats (
    singleton BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),
    documents BIGINT NOT NULL
);
INSERT INTO internal.corpus_stats VALUES (true, 0);

-- Each development's clustering profile: mean term vectors (JSON: space -> term -> weight),
-- the facts its articles reported, and when it was last reported.
CREATE TABLE internal.development_profiles (
    development_id VARCHAR PRIMARY KEY,
    storyline_id   VARCHAR NOT NULL,
    last_seen_at   TIMESTAMPTZ NOT NULL,
    article_count  INTEGER NOT NULL,
    vectors        JSON NOT NULL,
    facts          VARCHAR[] NOT NULL
);
CREATE INDEX development_profiles_recent ON internal.development_profiles (storyline_id, last_seen_at);

CREATE OR REPLACE VIEW developments AS
SELECT d.development_id, d.storyline_id, d.headline, d.first_article_id, d.first_seen_at,
       coalesce(max(coalesce(a.published_at, a.fetched_at)), d.first_seen_at) AS last_seen_at,
       count(sa.article_id) AS article_count,
       count(DISTINCT a.source) FILTER (WHERE a.duplicate_of IS NULL) AS source_count,
       d.explanation,
       d.nearest_development_id, d.distance, d.new_facts,
       list(DISTINCT a.source ORDER BY a.source) FILTER (WHERE a.duplicate_of IS NULL) AS sources
FROM internal.developments d
LEFT JOIN internal.storyline_articles sa USING (development_id)
LEFT JOIN internal.articles a ON a.article_id = sa.article_id
GROUP BY d.development_id, d.storyline_id, d.headline, d.first_article_id, d.first_seen_at, d.explanation,
         d.nearest_development_id, d.distance, d.new_facts;
