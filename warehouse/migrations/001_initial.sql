-- The whole schema of the first release. Internal tables live in schema `internal`;
-- analysts use the views in `main`, whose names and columns are the stable API (README, For analysts).

CREATE SCHEMA internal;

-- Feeds: conditional-GET validators and health, one row per configured feed name.
CREATE TABLE internal.feed_state (
    feed                 VARCHAR PRIMARY KEY,
    url                  VARCHAR NOT NULL,
    etag                 VARCHAR,
    last_modified        VARCHAR,
    last_success_at      TIMESTAMPTZ,
    last_error_at        TIMESTAMPTZ,
    last_error           VARCHAR,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    retry_not_before     TIMESTAMPTZ   -- from Retry-After; the feed is skipped until then
);

CREATE TABLE internal.feed_fetches (
    pass_id      VARCHAR NOT NULL,
    feed         VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    fetched_at   TIMESTAMPTZ NOT NULL,
    status_code  INTEGER,
    not_modified BOOLEAN NOT NULL DEFAULT false,
    error        VARCHAR,
    items        INTEGER NOT NULL DEFAULT 0,
    new_articles INTEGER NOT NULL DEFAULT 0,
    duration_ms  INTEGER
);

-- Articles: one row per canonical URL. article_id is derived from canonical_url, so a
-- re-run computes the same id and can never insert the same article twice.
CREATE TABLE internal.articles (
    article_id    VARCHAR PRIMARY KEY,
    canonical_url VARCHAR NOT NULL UNIQUE,
    url           VARCHAR NOT NULL,       -- the link the feed listed (fetch URL)
    final_url     VARCHAR NOT NULL,       -- after redirects
    feed          VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,       -- outlet: site name, else host
    title         VARCHAR,
    author        VARCHAR,
    published_at  TIMESTAMPTZ,
    fetched_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,   -- last time the text changed
    language      VARCHAR,
    text          VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    duplicate_of  VARCHAR,                -- article_id of the first copy of this text
    similarity    DOUBLE,                 -- estimated Jaccard with duplicate_of
    revision      INTEGER NOT NULL DEFAULT 1,
    pass_id       VARCHAR NOT NULL,
    tracked_at    TIMESTAMPTZ             -- NULL until storyline tracking has seen it
);

-- Earlier versions of articles whose text changed at the same URL.
CREATE TABLE internal.article_revisions (
    article_id   VARCHAR NOT NULL,
    revision     INTEGER NOT NULL,
    fetched_at   TIMESTAMPTZ NOT NULL,
    title        VARCHAR,
    text         VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    PRIMARY KEY (article_id, revision)
);

-- Raw HTML (zlib), kept so text can be re-extracted with a better extractor later.
CREATE TABLE internal.pages (
    article_id   VARCHAR PRIMARY KEY,
    final_url    VARCHAR NOT NULL,
    status_code  INTEGER NOT NULL,
    content_type VARCHAR,
    encoding     VARCHAR,
    fetched_at   TIMESTAMPTZ NOT NULL,
    raw_bytes    INTEGER NOT NULL,
    raw_html_z   BLOB                    -- NULL once retention dropped it
);

-- Every link a feed listed that became an article; a listed link found here is not fetched again.
CREATE TABLE internal.links (
    url             VARCHAR PRIMARY KEY,
    article_id      VARCHAR NOT NULL,
    feed            VARCHAR NOT NULL,
    first_seen_at   TIMESTAMPTZ NOT NULL,
    item_updated_at TIMESTAMPTZ          -- the feed's <updated>; a newer one triggers a re-fetch
);

-- Pages that failed and should be tried again while their feed still lists them.
CREATE TABLE internal.page_failures (
    url             VARCHAR PRIMARY KEY,
    feed            VARCHAR NOT NULL,
    first_failed_at TIMESTAMPTZ NOT NULL,
    last_failed_at  TIMESTAMPTZ NOT NULL,
    attempts        INTEGER NOT NULL,
    kind            VARCHAR NOT NULL,
    error           VARCHAR NOT NULL,
    retryable       BOOLEAN NOT NULL
);

-- History of every page failure (page_failures holds only the current ones).
CREATE TABLE internal.page_errors (
    pass_id      VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    feed         VARCHAR NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL,
    kind         VARCHAR NOT NULL,
    error        VARCHAR NOT NULL
);

-- MinHash signatures and their LSH band keys for near-duplicate (syndication) lookup.
CREATE TABLE internal.fingerprints (
    article_id VARCHAR PRIMARY KEY,
    signature  BLOB NOT NULL
);
CREATE TABLE internal.fingerprint_bands (
    band_key   UBIGINT NOT NULL,
    article_id VARCHAR NOT NULL
);
CREATE INDEX fingerprint_bands_key ON internal.fingerprint_bands (band_key);

-- Storyline tracking.
CREATE TABLE internal.developments (
    development_id   VARCHAR PRIMARY KEY,
    storyline_id     VARCHAR NOT NULL,
    headline         VARCHAR NOT NULL,
    first_article_id VARCHAR NOT NULL,
    first_seen_at    TIMESTAMPTZ NOT NULL,
    explanation      VARCHAR NOT NULL     -- why it counts as new, one readable sentence
);

CREATE TABLE internal.storyline_articles (
    storyline_id   VARCHAR NOT NULL,
    article_id     VARCHAR NOT NULL,
    development_id VARCHAR,
    score          DOUBLE NOT NULL,
    explanation    VARCHAR NOT NULL,
    assigned_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (storyline_id, article_id)
);

-- The alert outbox: written in the transaction that opens a development, delivered after commit.
CREATE TABLE internal.alerts (
    alert_id        VARCHAR PRIMARY KEY,
    development_id  VARCHAR,
    target          VARCHAR NOT NULL,     -- redacted Apprise URL, safe to show
    status          VARCHAR NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    last_error      VARCHAR,
    next_attempt_at TIMESTAMPTZ
);

-- One row per pass, for `status` and the analysts.
CREATE TABLE internal.passes (
    pass_id     VARCHAR PRIMARY KEY,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    summary     JSON
);

CREATE VIEW articles AS
SELECT article_id, url, canonical_url, feed, source, title, author, published_at, fetched_at,
       language, text, content_hash, duplicate_of, similarity, revision, updated_at, final_url
FROM internal.articles;

CREATE VIEW article_revisions AS SELECT * FROM internal.article_revisions;

CREATE VIEW feed_fetches AS
SELECT feed, url, fetched_at, status_code, error, items, new_articles, not_modified, duration_ms, pass_id
FROM internal.feed_fetches;

CREATE VIEW page_errors AS
SELECT url, feed, attempted_at, kind, error, pass_id FROM internal.page_errors;

CREATE VIEW feeds AS
SELECT feed, url, last_success_at, last_error_at, last_error, consecutive_failures
FROM internal.feed_state;

CREATE VIEW storyline_articles AS
SELECT storyline_id, article_id, development_id, score, explanation, assigned_at
FROM internal.storyline_articles;

CREATE VIEW developments AS
SELECT d.development_id, d.storyline_id, d.headline, d.first_article_id, d.first_seen_at,
       coalesce(max(coalesce(a.published_at, a.fetched_at)), d.first_seen_at) AS last_seen_at,
       count(sa.article_id) AS article_count,
       count(DISTINCT a.source) FILTER (WHERE a.duplicate_of IS NULL) AS source_count,
       d.explanation
FROM internal.developments d
LEFT JOIN internal.storyline_articles sa USING (development_id)
LEFT JOIN internal.articles a ON a.article_id = sa.article_id
GROUP BY d.development_id, d.storyline_id, d.headline, d.first_article_id, d.first_seen_at, d.explanation;

CREATE VIEW alerts AS
SELECT alert_id, development_id, target, status, attempts, created_at, sent_at, last_error, next_attempt_at
FROM internal.alerts;
