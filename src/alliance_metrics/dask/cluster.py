"""Where a distributed run computes: the caller's client, a running cluster, or a local one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alliance_metrics._params import bad_parameter, check_int
from alliance_metrics.dask._modules import distributed

__all__ = ["connect"]


@contextmanager
def connect(
    client: Any = None, scheduler: object = None, workers: object = None, func: str = "score_files"
) -> Iterator[Any]:
    """Yield a ``distributed.Client``; close only what was opened here.

    Parameters
    ----------
    client
        An existing ``distributed.Client`` (used as it is).
    scheduler
        Address of a running scheduler (``tcp://host:8786``): a cluster on many machines
        (dask-jobqueue, dask-kubernetes, dask-gateway, ``dask scheduler``).
    workers
        Without either: a local cluster of this many worker processes, one thread each
        (default: one per CPU).
    """
    if client is not None:
        yield client
        return
    library = distributed()
    if scheduler is not None:
        if not isinstance(scheduler, str):
            raise bad_parameter(
                "scheduler", func, "be a scheduler address such as 'tcp://host:8786'", scheduler
            )
        with library.Client(scheduler, set_as_default=False) as opened:
            yield opened
        return
    count = (
        (os.cpu_count() or 1) if workers is None else check_int(workers, "workers", func, minimum=1)
    )
    cluster = library.LocalCluster(
        n_workers=count, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    try:
        with library.Client(cluster, set_as_default=False) as opened:
            yield opened
    finally:
        cluster.close()
