"""Where a distributed run computes: the caller's client, a running cluster, or a local one.

A scheduler address is checked for its form before any connection (scheme, host and port); a
connection gets :data:`CONNECT_TIMEOUT` seconds, and a refused or silent address is one
:class:`~alliance_metrics.InvalidParameterError` naming ``scheduler``. While a run the library
connected itself is on, Dask's own logging is silenced in this process (and in the workers of a
local cluster it started); the levels are restored afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any

from alliance_metrics._params import bad_parameter, check_int
from alliance_metrics.dask._modules import dask_delayed, distributed
from alliance_metrics.errors import InvalidParameterError

__all__ = ["CONNECT_TIMEOUT", "check_client", "check_scheduler", "connect", "quiet_dask"]

CONNECT_TIMEOUT = 10.0
"""Seconds to reach a scheduler given by address before the run fails."""

_ADDRESS = "be a scheduler address such as 'tcp://host:8786' (tcp, tls, ws or wss; host and port)"
_HOST_PORT = ("tcp", "tls", "ws", "wss")
_SILENT = logging.CRITICAL + 1
_LOGGERS = ("distributed", "tornado", "bokeh")
_WORKER_LOGS = "DASK_LOGGING__DISTRIBUTED"  # read by distributed when a worker process starts


def check_scheduler(scheduler: object, func: str) -> str:
    """Return ``scheduler`` if it has the form of a scheduler address (no connection made).

    Examples
    --------
    >>> check_scheduler("tcp://10.0.0.5:8786", "score_files")
    'tcp://10.0.0.5:8786'
    >>> check_scheduler("nonsense", "score_files")
    Traceback (most recent call last):
    ...
    alliance_metrics.errors.InvalidParameterError: The 'scheduler' parameter of score_files must \
be a scheduler address such as 'tcp://host:8786' (tcp, tls, ws or wss; host and port). Got \
'nonsense' instead.
    """
    if not isinstance(scheduler, str) or "://" not in scheduler:
        raise bad_parameter("scheduler", func, _ADDRESS, scheduler)
    comm = distributed().comm
    try:
        scheme, location = comm.parse_address(scheduler)
        comm.registry.get_backend(scheme)  # an unknown scheme raises
        host, port = comm.get_address_host_port(scheduler) if scheme in _HOST_PORT else ("", 1)
    except Exception:
        raise bad_parameter("scheduler", func, _ADDRESS, scheduler) from None
    if not location or (scheme in _HOST_PORT and (not host or not 0 < port < 65536)):
        raise bad_parameter("scheduler", func, _ADDRESS, scheduler)
    return scheduler


def check_client(client: object, func: str) -> Any:
    """Return ``client`` if it is ``None`` or a ``distributed.Client``."""
    if client is not None and not isinstance(client, distributed().Client):
        raise bad_parameter("client", func, "be a distributed.Client or None", client)
    return client


def _unreachable(scheduler: str, func: str, why: str) -> InvalidParameterError:
    return InvalidParameterError(
        f"The 'scheduler' parameter of {func}: no Dask scheduler answered at {scheduler!r} "
        f"within {CONNECT_TIMEOUT:g} s ({why}).",
        parameter="scheduler",
        function=func,
    )


def _probe(scheduler: str, func: str) -> None:
    """Fail at once when nothing listens at the address (the client would retry until timeout)."""
    comm = distributed().comm
    if comm.parse_address(scheduler)[0] not in _HOST_PORT:
        return  # inproc:// (this process) or ucx://: no TCP port to try
    host, port = comm.get_address_host_port(scheduler)
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            pass
    except TimeoutError:
        raise _unreachable(scheduler, func, "timed out") from None
    except OSError as error:
        raise _unreachable(scheduler, func, error.strerror or type(error).__name__) from None


async def _identity(library: Any, scheduler: str) -> object:
    """Ask the server at ``scheduler`` what it is, over Dask's protocol (bounded in time)."""
    arguments = library.Security().get_connection_args("client")  # TLS from Dask's configuration
    comm = await library.comm.connect(scheduler, timeout=CONNECT_TIMEOUT, **arguments)
    try:
        await comm.write({"op": "identity"})
        reply = await asyncio.wait_for(comm.read(), CONNECT_TIMEOUT)
    finally:
        comm.abort()
    return reply.get("type") if isinstance(reply, dict) else None


def _open_client(library: Any, scheduler: str, func: str) -> Any:
    """Open a client of the scheduler at ``scheduler``, or fail with one line saying why.

    What answers is checked over Dask's protocol first, in a thread of its own (the caller may
    be running an event loop, as Jupyter does): a client that fails half-built leaves noise.
    """
    _probe(scheduler, func)
    with ThreadPoolExecutor(1) as thread:
        try:
            asked = asyncio.wait_for(_identity(library, scheduler), CONNECT_TIMEOUT)
            kind = thread.submit(asyncio.run, asked).result()
        except TimeoutError:
            raise _unreachable(scheduler, func, "timed out") from None
        except TypeError as error:
            if scheduler.startswith("tls://"):  # no ssl_context: TLS is not configured here
                raise _unreachable(scheduler, func, "TLS is not configured for Dask") from None
            raise _unreachable(scheduler, func, _reason(error)) from None
        except Exception as error:  # anything but a Dask server at the other end
            raise _unreachable(scheduler, func, _reason(error)) from None
    if kind != "Scheduler":
        raise _unreachable(scheduler, func, "what answered is not a Dask scheduler")
    try:
        return library.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except Exception as error:
        raise _unreachable(scheduler, func, _reason(error)) from None


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    if isinstance(error, OSError | TimeoutError):
        return "timed out" if "timed out" in str(error).lower() else "connection failed"
    return "what answered does not speak Dask's protocol"


def _silence() -> dict[str, int]:
    """Silence Dask's loggers in this process; return the levels to restore."""
    names = [
        name
        for name in logging.root.manager.loggerDict
        if name in _LOGGERS or name.startswith(tuple(f"{n}." for n in _LOGGERS))
    ]
    saved = {name: logging.getLogger(name).level for name in {*names, *_LOGGERS}}
    for name in saved:
        logging.getLogger(name).setLevel(_SILENT)
    return saved


@contextmanager
def quiet_dask() -> Iterator[None]:
    """Nothing of Dask's logging reaches stderr inside the block; levels restored after it.

    Examples
    --------
    >>> import logging
    >>> with quiet_dask():
    ...     logging.getLogger("distributed.worker").level > logging.CRITICAL
    True
    """
    saved = _silence()
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


@contextmanager
def connect(
    client: Any = None, scheduler: object = None, workers: object = None, func: str = "score_files"
) -> Iterator[Any]:
    """Yield a ``distributed.Client``; close only what was opened here.

    Parameters
    ----------
    client
        An existing ``distributed.Client`` (used as it is; its logging is the caller's).
    scheduler
        Address of a running scheduler (``tcp://host:8786``): a cluster on many machines
        (dask-jobqueue, dask-kubernetes, dask-gateway, ``dask scheduler``).
    workers
        Without either: a local cluster of this many worker processes, one thread each
        (default: one per CPU), silenced.
    """
    if client is not None:
        yield client
        return
    library = distributed()
    with ExitStack() as stack:
        stack.enter_context(quiet_dask())
        if scheduler is not None:
            opened = _open_client(library, check_scheduler(scheduler, func), func)
            stack.enter_context(opened)
            yield opened
            return
        count = (
            (os.cpu_count() or 1)
            if workers is None
            else check_int(workers, "workers", func, minimum=1)
        )
        quiet_workers = {f"distributed.nanny.pre-spawn-environ.{_WORKER_LOGS}": "critical"}
        with dask_delayed().config.set(quiet_workers):  # every worker process, restarts too
            cluster = library.LocalCluster(
                n_workers=count,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=_SILENT,
            )
        stack.enter_context(cluster)
        yield stack.enter_context(library.Client(cluster, set_as_default=False))
