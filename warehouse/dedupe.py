"""Syndicated copies: find the first stored article whose text a new one repeats.

Candidates come from LSH band keys (an index lookup, so the cost per article does not grow
with the corpus) and are verified on the full MinHash signature before being called copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from storywatch.warehouse.fingerprint import SCHEME, band_keys, fingerprint, similarity

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
        owners = con.execute(band_lookup_sql(keys)).fetchall()
        if not owners:
            return []
        ids = sorted({article_id for _, article_id in owners})
        # Looked up by primary key in the same way: a join would read every stored signature.
        details = {
            article_id: (signature, duplicate_of)
            for article_id, signature, duplicate_of in con.execute(
                f"""
                SELECT f.article_id, f.signature, a.duplicate_of
                FROM (SELECT article_id, signature FROM internal.fingerprints WHERE article_id IN ({sql_strings(ids)})) f
                JOIN (SELECT article_id, duplicate_of FROM internal.articles WHERE article_id IN ({sql_strings(ids)})) a
                USING (article_id)
                """
            ).fetchall()
        }
        return [(key, article_id, *details[article_id]) for key, article_id in owners if article_id in details]


def band_lookup_sql(keys: Sequence[int]) -> str:
    """The articles owning any of `keys`, as a query DuckDB answers from the band_key index.

    The keys are written into the SQL as a constant list on purpose: DuckDB uses an ART index
    only for constant filters, while `IN (SELECT unnest(?))` or `= ANY(?)` scan the whole band
    table (32 rows an article). With few stored rows DuckDB prefers a scan by itself.
    """
    constants = ", ".join(str(int(key)) for key in keys)  # ints only: nothing to quote
    return f"SELECT band_key, article_id FROM internal.fingerprint_bands WHERE band_key IN ({constants})"


def sql_strings(values: Sequence[str]) -> str:
    """`values` as a constant SQL list of quoted strings (for the index, see band_lookup_sql)."""
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)
