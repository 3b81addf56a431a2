"""Syndicated copies: find the first stored article whose text a new one repeats.

Candidates come from LSH band keys (an index lookup, so the cost per article does not grow
with the corpus) and are verified on the full MinHash signature before being called copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from storywatch.extractors.fingerprint import band_keys, similarity

# Estimated Jaccard of word 5-shingles. Wire copies with a changed intro or a dropped
# paragraph stay above 0.5; two reports of the same event in their own words fall far below.
COPY_THRESHOLD = 0.5


@dataclass(frozen=True)
class Copy:
    duplicate_of: str
    similarity: float


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
