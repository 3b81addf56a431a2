"""MinHash fingerprints of article text, for finding syndicated copies: dedupe's scheme.

It lives with dedupe, in the warehouse; the extraction workers compute it (CPU work on the
text, done where the text is) by importing it from here. The warehouse stores the signature and its LSH band keys and looks candidates up by key,
so the cost per article does not grow with the number of stored articles. Signatures come
from rensa (MinHash in Rust: ~0.013 ms against datasketch's ~1.2 ms, and no scipy import);
they are comparable only with signatures of the same SCHEME.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
from rensa import RMinHash

SCHEME = 2                   # 1: datasketch (before migration 005); 2: rensa RMinHash, seed 7
NUM_PERM = 128
SEED = 7                     # one seed everywhere: signatures stay comparable
BANDS = 32                   # 32 bands x 4 rows: pairs above ~0.42 Jaccard usually share a band
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
MIN_SHINGLES = 25            # shorter texts (teasers) are too short to call copies
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str) -> set[str]:
    words = _WORD.findall(text.lower())
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def fingerprint(text: str) -> bytes:
    """The MinHash signature of `text` as bytes; empty when the text is too short to compare."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return b""
    minhash = RMinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update(list(grams))
    return np.asarray(minhash.digest(), dtype=np.uint32).tobytes()


def band_keys(signature: bytes) -> list[int]:
    """One 64-bit key per band; two signatures sharing a key are duplicate candidates."""
    if not signature:
        return []
    values = np.frombuffer(signature, dtype=np.uint32)
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big"))
    return keys


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    if not a or not b:
        return 0.0
    return float(np.mean(np.frombuffer(a, dtype=np.uint32) == np.frombuffer(b, dtype=np.uint32)))
