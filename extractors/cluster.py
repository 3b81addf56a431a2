"""Extraction on a Dask cluster, for when one machine's cores are not enough.

A Dask client's `get_executor()` is a standard `concurrent.futures.Executor`, so the crawler
hands pages to cluster workers exactly as it hands them to its local process pool: fetching
and storing stay here (one writer for DuckDB), only the CPU-bound extraction fans out.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

LOCAL = "local"
LOCAL_WORKERS = 2


@contextmanager
def extraction_executor(address: str | None) -> Iterator[Executor | None]:
    """None without an address; `local` starts a throwaway cluster; else connect to a scheduler."""
    if not address:
        yield None
        return
    # Imported here: Dask is an optional extra (`pip install storywatch[dask]`).
    from distributed import Client, LocalCluster

    if address == LOCAL:
        with LocalCluster(n_workers=LOCAL_WORKERS, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            yield client.get_executor()
    else:
        with Client(address) as client:
            yield client.get_executor()
