-- MinHash signatures now come from rensa instead of datasketch: another hash family, so a
-- signature of one scheme says nothing about one of the other. Rows stored before this
-- migration are scheme 1; the next batch write recomputes them from the stored text
-- (warehouse.dedupe.refresh_stale_fingerprints) before it looks for copies.
ALTER TABLE internal.fingerprints ADD COLUMN scheme SMALLINT DEFAULT 1;
