"""Imported once, by the extraction workers' fork server: what every worker needs, loaded before it forks.

Workers then start with trafilatura imported and py3langid's model in memory (0.7 s of CPU
to load, paid once instead of per worker; forked pages are shared until written).
"""

import py3langid

from . import crawl  # noqa: F401  (extract_in_worker and all it imports)

py3langid.classify("warm up")
