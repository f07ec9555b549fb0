"""A CSV whose header starts with a quote is opened at once, however long the file.

Regression: the first two bytes (read to detect gzip) were left out when the sample was checked
for a whole first record, so a quoted first header cell made every line break look quoted and
the sample grew, re-scanned each time, towards the 64 MiB limit (minutes on a 10 MB file).
"""

from __future__ import annotations

import time
from pathlib import Path

import alliance_metrics as am
from alliance_metrics.io.inputs import SNIFF_BYTES, open_input


def test_a_quoted_header_opens_at_once_and_scores(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    row = '"c-1","4","3","5"\n'
    path.write_text('"id","wai_1","wai_2","wai_3"\n' + row * (40 * SNIFF_BYTES // len(row)))
    started = time.perf_counter()
    opened = open_input(path)
    try:
        assert len(opened.sample) < 2 * SNIFF_BYTES  # not the whole file
    finally:
        opened.close()
    assert time.perf_counter() - started < 5
    summary = am.validate_csv(path, "wai-b3")
    assert summary.ok
    assert summary.rows == 40 * SNIFF_BYTES // len(row)
