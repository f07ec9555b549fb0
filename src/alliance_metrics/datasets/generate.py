"""Seeded generator of synthetic WAI-SR session data (no real people).

The model is a small multilevel one, on the 1–5 response scale of the WAI-SR:

* each client has a starting alliance level, a gentle rise per session, and a small offset on each
  subscale (task, bond, goal); clients are nested in therapists, who add a shared offset;
* each session adds a little noise to the client's level;
* each answer is the session's subscale level plus a fixed item offset plus answer noise,
  rounded half up and clipped to 1–5, so every value is a valid integer response;
* answers go missing completely at random with probability ``missing_rate``.

Parameters are chosen to look like published WAI-SR data (item means near 3.7, a ceiling effect,
high internal consistency), not to reproduce any study.

Run ``python -m alliance_metrics.datasets.generate`` from the repository root to rewrite the
example file in ``examples/data/`` and its copy bundled in this package.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics.errors import InvalidParameterError

__all__ = [
    "EXAMPLE_FILENAME",
    "EXAMPLE_SEED",
    "ITEM_COLUMNS",
    "example_csv_text",
    "main",
    "make_wai_sr_sessions",
]

EXAMPLE_SEED: Final = 20240611
"""Seed of the bundled example (``make_wai_sr_sessions()`` with its defaults reproduces it)."""

EXAMPLE_FILENAME: Final = "wai_sr_example.csv"

ITEM_COLUMNS: Final[tuple[str, ...]] = tuple(f"wai_{n}" for n in range(1, 13))

# WAI-SR key (item number → subscale); see the wai-sr instrument definition.
_SUBSCALE_OF_ITEM: Final = (0, 0, 1, 2, 1, 2, 1, 2, 1, 0, 2, 0)  # 0 task, 1 bond, 2 goal
_LOW, _HIGH = 1, 5

# Model parameters on the 1–5 response scale.
_GRAND_MEAN = 3.85
_CLIENT_SD = 0.6
_THERAPIST_SD = 0.2
_SLOPE_MEAN = 0.08  # rise per session
_SLOPE_SD = 0.04
_SUBSCALE_SD = 0.2
_SESSION_SD = 0.12
_ITEM_SD = 0.15
_ANSWER_SD = 0.65

_DEFAULT_DIRS: Final = ("examples/data", "src/alliance_metrics/datasets/data")


def _check_count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise InvalidParameterError(
            f"The {name!r} parameter of make_wai_sr_sessions must be an int of at least 1. "
            f"Got {value!r} instead."
        )
    return int(value)


def _check_rate(value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.floating)
        or not 0.0 <= float(value) < 1.0
    ):
        raise InvalidParameterError(
            "The 'missing_rate' parameter of make_wai_sr_sessions must be a number in [0, 1). "
            f"Got {value!r} instead."
        )
    return float(value)


def make_wai_sr_sessions(
    n_clients: int = 40,
    n_sessions: int = 6,
    *,
    n_therapists: int = 8,
    seed: int | None = EXAMPLE_SEED,
    missing_rate: float = 0.03,
) -> pd.DataFrame:
    """Generate synthetic WAI-SR answers: one row per client and session.

    Parameters
    ----------
    n_clients
        Number of clients; ids are ``"C0001"``, ``"C0002"``, … (zero-padded to at least four
        digits).
    n_sessions
        Sessions per client, numbered from 1. Every client has every session.
    n_therapists
        Number of therapists (``"T01"``, …); each client is assigned to one at random.
    seed
        Seed of the random generator. The same arguments and seed always give the same frame
        (for a given numpy version). ``None`` draws fresh entropy.
    missing_rate
        Probability that any single answer is missing (completely at random), in [0, 1).
        Missingness is drawn after the answers, so with the same seed a different rate blanks
        cells of the very same answers.

    Returns
    -------
    pandas.DataFrame
        ``n_clients × n_sessions`` rows ordered by client then session, with columns
        ``client_id`` and ``therapist_id`` (text), ``session`` (int64) and ``wai_1`` …
        ``wai_12`` (float64 holding whole numbers 1–5, NaN for a missing answer). No value is
        ever invalid.

    Raises
    ------
    InvalidParameterError
        If a count is not a positive int, ``missing_rate`` is outside [0, 1) or ``seed`` is
        neither an int nor ``None``.

    Notes
    -----
    Alliance at session ``t`` for client ``i`` of therapist ``j`` on subscale ``s`` is
    ``3.85 + u_i + v_j + w_is + b_i (t − 1) + e_it`` with ``u ~ N(0, 0.6)``, ``v ~ N(0, 0.2)``,
    ``w ~ N(0, 0.2)``, ``b ~ N(0.08, 0.04)`` and ``e ~ N(0, 0.12)``. An answer adds a fixed item
    offset ``N(0, 0.15)`` and noise ``N(0, 0.65)``, is rounded half up and clipped to 1–5.
    The data are synthetic: they describe no real person and support no clinical claim.

    Examples
    --------
    >>> from alliance_metrics.datasets import make_wai_sr_sessions
    >>> df = make_wai_sr_sessions(n_clients=3, n_sessions=2, seed=1)
    >>> df.shape
    (6, 15)
    >>> df[["client_id", "therapist_id", "session"]].head(3)
      client_id therapist_id  session
    0     C0001          T04        1
    1     C0001          T04        2
    2     C0002          T01        1
    >>> bool(df.filter(like="wai_").stack().dropna().between(1, 5).all())
    True
    >>> make_wai_sr_sessions(n_clients=3, n_sessions=2, seed=1).equals(df)
    True
    """
    n_clients = _check_count("n_clients", n_clients)
    n_sessions = _check_count("n_sessions", n_sessions)
    n_therapists = _check_count("n_therapists", n_therapists)
    missing_rate = _check_rate(missing_rate)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise InvalidParameterError(
            "The 'seed' parameter of make_wai_sr_sessions must be an int or None. "
            f"Got {seed!r} instead."
        )
    rng = np.random.default_rng(seed)
    answers, therapist_of_client = _draw_answers(rng, n_clients, n_sessions, n_therapists)
    if missing_rate > 0:
        answers[rng.random(answers.shape) < missing_rate] = np.nan

    width = max(4, len(str(n_clients)))
    t_width = max(2, len(str(n_therapists)))
    client_ids = [f"C{i + 1:0{width}d}" for i in range(n_clients)]
    therapist_ids = [f"T{j + 1:0{t_width}d}" for j in therapist_of_client]
    frame = pd.DataFrame(
        {
            "client_id": np.repeat(np.asarray(client_ids, dtype=object), n_sessions),
            "therapist_id": np.repeat(np.asarray(therapist_ids, dtype=object), n_sessions),
            "session": np.tile(np.arange(1, n_sessions + 1, dtype=np.int64), n_clients),
        }
    )
    frame = frame.astype({"client_id": str, "therapist_id": str})
    items = pd.DataFrame(answers, columns=list(ITEM_COLUMNS), dtype=np.float64)
    return pd.concat([frame, items], axis=1)


def _draw_answers(
    rng: np.random.Generator, n_clients: int, n_sessions: int, n_therapists: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Draw complete answers (clients·sessions × 12, clients outer) and each client's therapist."""
    n_subscales = 3
    client = rng.normal(0.0, _CLIENT_SD, size=n_clients)
    therapist = rng.normal(0.0, _THERAPIST_SD, size=n_therapists)
    slope = rng.normal(_SLOPE_MEAN, _SLOPE_SD, size=n_clients)
    subscale = rng.normal(0.0, _SUBSCALE_SD, size=(n_clients, n_subscales))
    item_offset = rng.normal(0.0, _ITEM_SD, size=len(ITEM_COLUMNS))
    assigned = rng.integers(0, n_therapists, size=n_clients)
    session_noise = rng.normal(0.0, _SESSION_SD, size=(n_clients, n_sessions))

    sessions = np.arange(n_sessions, dtype=np.float64)
    level = (
        _GRAND_MEAN
        + client[:, None]
        + therapist[assigned][:, None]
        + slope[:, None] * sessions[None, :]
        + session_noise
    )  # clients × sessions
    by_item = np.asarray(_SUBSCALE_OF_ITEM)
    latent = level[:, :, None] + subscale[:, None, by_item] + item_offset[None, None, :]
    noise = rng.normal(0.0, _ANSWER_SD, size=latent.shape)
    answers = np.clip(np.floor(latent + noise + 0.5), _LOW, _HIGH)
    return answers.reshape(n_clients * n_sessions, len(ITEM_COLUMNS)), assigned


def example_csv_text(frame: pd.DataFrame | None = None) -> str:
    """Return ``frame`` (default: the example's generation) as the text of the example CSV.

    Answers are written as whole numbers and missing answers as empty cells; lines end with a
    line feed on every platform, so the file is byte-for-byte reproducible.

    Examples
    --------
    >>> from alliance_metrics.datasets.generate import example_csv_text, make_wai_sr_sessions
    >>> print(example_csv_text(make_wai_sr_sessions(1, 1, seed=3)))  # doctest: +ELLIPSIS
    client_id,therapist_id,session,wai_1,wai_2,...,wai_12
    C0001,T...
    """
    if frame is None:
        frame = make_wai_sr_sessions()
    as_integers = frame.astype(dict.fromkeys(ITEM_COLUMNS, "Int64"))
    return as_integers.to_csv(index=False, lineterminator="\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate ``wai_sr_example.csv`` in each given directory (deterministically).

    Usage: ``python -m alliance_metrics.datasets.generate [DIRECTORY ...] [--check]``. Without
    directories it writes ``examples/data`` and ``src/alliance_metrics/datasets/data`` relative
    to the current directory (run it from the repository root). With ``--check`` it writes
    nothing and fails if a file differs from a fresh generation.

    Returns
    -------
    int
        0 on success, 1 if ``--check`` found a stale file, 2 if a directory does not exist.
    """
    parser = argparse.ArgumentParser(
        prog="python -m alliance_metrics.datasets.generate",
        description=f"Regenerate the synthetic example data ({EXAMPLE_FILENAME}).",
    )
    parser.add_argument(
        "directories",
        nargs="*",
        default=list(_DEFAULT_DIRS),
        help="directories to write into (default: %(default)s)",
    )
    parser.add_argument(
        "--check", action="store_true", help="only check that the files are up to date"
    )
    args = parser.parse_args(argv)
    text = example_csv_text()
    stale = False
    for directory in map(Path, args.directories):
        if not directory.is_dir():
            sys.stderr.write(f"error: directory '{directory}' does not exist\n")
            return 2
        target = directory / EXAMPLE_FILENAME
        if args.check:
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current != text:
                sys.stderr.write(f"stale: {target}\n")
                stale = True
            continue
        target.write_text(text, encoding="utf-8", newline="\n")
        sys.stdout.write(f"wrote {target}\n")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
