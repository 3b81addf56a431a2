"""Syndicated copies: find the first stored article whose text a new one repeats.

Candidates come from LSH band keys (an index lookup, so the cost per article does not grow
with the corpus) and are verified on the full MinHash signature before being called copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from storywatch.extractors.fingerprint import SCHEME, band_keys, fingerprint, similarity

# Estimated Jaccard of word 5-shingles. Wire copies with a changed intro or a dropped
# paragraph stay above 0.5; two reports of the same event in their own words fall far below.
COPY_THRESHOLD = 0.5


@dataclass(frozen=True)
class Copy:
    duplicate_of: str
    similarity: float


def refresh_stale_fingerprints(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute signatures of an earlier MinHash scheme from the article text; returns how many.

    Runs once after an upgrade that changed the scheme (about 0.6 ms an article, mostly
    shingling); afterwards it is one query that DuckDB answers from the column's zone maps.
    """
    rows = con.execute(
        """
        SELECT f.article_id, a.text FROM internal.fingerprints f JOIN internal.articles a USING (article_id)
        WHERE f.scheme <> ?
        """,
        [SCHEME],
    ).fetchall()
    if not rows:
        return 0
    ids = [article_id for article_id, _ in rows]
    signatures = [fingerprint(text) for _, text in rows]
    con.execute(
        """
        UPDATE internal.fingerprints f SET signature = r.signature, scheme = ?
        FROM (SELECT unnest(?::VARCHAR[]) AS article_id, unnest(?::BLOB[]) AS signature) r
        WHERE f.article_id = r.article_id
        """,
        [SCHEME, ids, signatures],
    )
    con.execute("DELETE FROM internal.fingerprint_bands WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
    bands = [(key, article_id) for article_id, signature in zip(ids, signatures, strict=True)
             for key in band_keys(signature)]
    if bands:
        keys, owners = zip(*bands, strict=True)
        con.execute(
            "INSERT INTO internal.fingerprint_bands SELECT unnest(?::UBIGINT[]), unnest(?::VARCHAR[])",
            [list(keys), list(owners)],
        )
    return len(rows)


class CopyFinder:
    """Decides `duplicate_of` for a batch: stored articles first, then earlier ones in the batch.

    Stored candidates for the whole batch are fetched in one query up front.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, signatures: Sequence[bytes]):
        keys = sorted({key for signature in signatures for key in band_keys(signature)})
        self._bands: dict[int, list[str]] = {}
        self._signatures: dict[str, tuple[bytes, str | None]] = {}
        for key, article_id, signature, duplicate_of in self._stored(con, keys):
            self._bands.setdefault(key, []).append(article_id)
            self._signatures[article_id] = (bytes(signature), duplicate_of)

    def find(self, article_id: str, signature: bytes) -> Copy | None:
        keys = band_keys(signature)
        candidates = {other for key in keys for other in self._bands.get(key, ())}
        best: Copy | None = None
        for other in candidates:
            other_signature, other_duplicate_of = self._signatures[other]
            score = similarity(signature, other_signature)
            if score >= COPY_THRESHOLD and (best is None or score > best.similarity):
                # Point at the first copy, never at another copy of it.
                best = Copy(other_duplicate_of or other, score)
        self._signatures[article_id] = (signature, best.duplicate_of if best else None)
        for key in keys:
            self._bands.setdefault(key, []).append(article_id)
        return best

    @staticmethod
    def _stored(con: duckdb.DuckDBPyConnection, keys: Sequence[int]) -> list[tuple]:
        if not keys:
            return []
        return con.execute(
            """
            SELECT b.band_key, f.article_id, f.signature, a.duplicate_of
            FROM internal.fingerprint_bands b
            JOIN internal.fingerprints f USING (article_id)
            JOIN internal.articles a USING (article_id)
            WHERE b.band_key IN (SELECT unnest(?::UBIGINT[]))
            """,
            [list(keys)],
        ).fetchall()
