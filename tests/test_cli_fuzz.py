"""Hostile input to the command line: random bytes and random option values, in-process.

Whatever arrives, the command ends with exit status 0, 1 or 2, prints no traceback, and a run
that ends with 2 leaves nothing behind but the input.
"""

from __future__ import annotations

import contextlib
import io
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from alliance_metrics.cli import main

HEADER = b"id,wai_1,wai_2,wai_3\n"
OPTION_VALUES: dict[str, st.SearchStrategy[str]] = {
    "--columns": st.sampled_from(["wai_{n}", "wai_{n.x}", "wai_{n[0]}", "{", "x{n:q}", "q{n:02d}"]),
    "--encoding": st.sampled_from(["utf-8", "cp1252", "utf_16_le", "UTF-32", "nope", "latin-1"]),
    "--delimiter": st.sampled_from([",", ";", "tab", "ab", '"', "|"]),
    "--missing-values": st.text(alphabet=string.printable, max_size=6),
    "--precision": st.sampled_from(["0", "3", "17", "18", "308", "99999999999", "-1", "x"]),
    "--min-answered": st.sampled_from(["1", "0", "0.5", "2", "1.5", "nan", "inf", "x"]),
    "--aggregate": st.sampled_from(["mean", "sum", "avg"]),
    "--on-invalid": st.sampled_from(["missing", "raise", "ignore"]),
    "--source": st.sampled_from(["auto", "csv", "redcap", "qualtrics", "spss", "excel"]),
    "--coding": st.sampled_from(["label", "position", "tick"]),
    "--prefix": st.text(alphabet="ab_=+-@", max_size=4),
    "--format": st.sampled_from(["csv", "parquet", "xlsx"]),
    "--id-column": st.sampled_from(["id", "absent", ""]),
}
TOKENS = [b"4", b"5", b"1", b"", b"x", b"Always", b" 3 ", b"-99", b"=cmd", b"-nan", b"1e999",
          b"\xe9", b"\xff", b'"a,b"', b'6\'2"', b"\x00", b"3.5", b"007"]  # fmt: skip


@st.composite
def tables(draw: st.DrawFn) -> bytes:
    """CSV-shaped bytes: a header and rows of random tokens, random delimiter and line ends."""
    delimiter = draw(st.sampled_from([b",", b";", b"\t", b"|"]))
    end = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    header = delimiter.join([b"id", b"wai_1", b"wai_2", b"wai_3"])
    rows = draw(
        st.lists(
            st.lists(st.sampled_from(TOKENS), min_size=3, max_size=5).map(delimiter.join),
            max_size=8,
        )
    )
    text = end.join([header, *rows]) + draw(st.sampled_from([end, b""]))
    if draw(st.booleans()):  # corrupt a few bytes
        spots = draw(st.lists(st.integers(0, max(len(text) - 1, 0)), max_size=3))
        mangled = bytearray(text)
        for spot in spots:
            if mangled:
                mangled[spot] = draw(st.integers(0, 255))
        text = bytes(mangled)
    return text


BYTES = st.one_of(st.binary(max_size=300), tables(), tables(), tables())


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    data=BYTES,
    command=st.sampled_from(["score", "validate", "reliability"]),
    options=st.dictionaries(st.sampled_from(sorted(OPTION_VALUES)), st.just(""), max_size=4),
    values=st.data(),
)
@example(data=b"a,b\r1,2\r", command="score", options={}, values=None)
@example(data=b"wai_1,wai_2,wai_3\r\n4,5,4\r3,2\n", command="score", options={}, values=None)
@example(data=bytes(range(256)) * 3, command="score", options={}, values=None)
def test_any_input_ends_with_0_1_or_2_and_no_traceback(
    tmp_path_factory: pytest.TempPathFactory,
    data: bytes,
    command: str,
    options: dict[str, str],
    values: st.DataObject | None,
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    source = folder / "in.csv"
    source.write_bytes(data)
    argv = [command, str(source), "-i", "wai-b3"]
    for flag in options:
        if command != "score" and flag in {
            "--precision", "--aggregate", "--min-answered", "--prefix", "--format",
        }:  # fmt: skip
            continue
        if command == "reliability" and flag in {"--id-column", "--coding"}:
            continue
        value = values.draw(OPTION_VALUES[flag], label=flag) if values is not None else ""
        argv += [flag, value]
    if command == "score":
        argv += ["-o", str(folder / "out.csv")]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse rejects an option value: usage error
            code = int(stop.code or 0)
    event(f"exit {code}")
    assert code in (0, 1, 2), (code, argv, err.getvalue())
    assert "Traceback" not in err.getvalue(), (argv, err.getvalue())
    if code == 2:
        assert sorted(p.name for p in folder.iterdir()) == ["in.csv"], (argv, err.getvalue())


def _check(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())
