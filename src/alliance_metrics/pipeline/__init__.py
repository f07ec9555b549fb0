"""File runs: ``score_csv`` and ``validate_csv`` over plain CSV files and exports.

* :mod:`.run` — the public functions;
* :mod:`.options` — the run's boundary: every option checked once into a ``FileRequest``;
* :mod:`.stream` — plain CSV in blocks, flat memory;
* :mod:`.whole` — exports read whole by their reader;
* :mod:`.report` — failures kept in memory and streamed to the errors file;
* :mod:`.tables` — Arrow tables of the output.
"""
