"""Default output names beside the input: ``data.csv`` → ``data.scored.csv``, ``.errors.csv``."""

from __future__ import annotations

from pathlib import Path

__all__ = ["default_errors_path", "default_output_path", "stem"]

_COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".zst")


def stem(path: Path) -> str:
    """``data.csv.gz`` → ``data``; ``wai.sav`` → ``wai``; ``export`` → ``export``.

    Examples
    --------
    >>> stem(Path("a/data.csv.gz")), stem(Path("export"))
    ('data', 'export')
    """
    name = path.name
    for suffix in _COMPRESSION_SUFFIXES:
        name = name.removesuffix(suffix)
    return Path(name).stem if Path(name).suffix else name


def default_output_path(source: Path, output_format: str = "csv") -> Path:
    """Scored output beside the input: ``data.csv`` → ``data.scored.csv`` (or ``.parquet``).

    Examples
    --------
    >>> default_output_path(Path("exports/wai.csv.gz")).as_posix()
    'exports/wai.scored.csv'
    """
    return source.with_name(f"{stem(source)}.scored.{output_format}")


def default_errors_path(output: Path | None, source: Path | None) -> Path | None:
    """Errors report beside the output (else the input); ``None`` when both are streams.

    Examples
    --------
    >>> default_errors_path(Path("out/data.scored.csv"), None).as_posix()
    'out/data.errors.csv'
    """
    base = output if output is not None else source
    if base is None:
        return None
    return base.with_name(f"{stem(base).removesuffix('.scored')}.errors.csv")
