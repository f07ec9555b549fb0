"""Registry of instrument definitions.

Built-in definitions are JSON files beside this module, read with :mod:`importlib.resources` the
first time they are asked for (never on import). User definitions are added with
:func:`register` or read with :func:`load_instrument`.
"""

from __future__ import annotations

import difflib
import json
import threading
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from alliance_metrics.errors import InstrumentError, InvalidParameterError, UnknownInstrumentError
from alliance_metrics.schemas import Instrument

__all__ = [
    "get_instrument",
    "list_instruments",
    "load_instrument",
    "lookup",
    "register",
    "resolve_instrument",
]

_PACKAGE = "alliance_metrics.instruments"
_lock = threading.Lock()
_builtin: dict[str, Instrument] | None = None
_user: dict[str, Instrument] = {}


def _format_validation_error(error: ValidationError) -> str:
    parts = []
    for detail in error.errors():
        where = ".".join(str(p) for p in detail["loc"]) or "definition"
        message = detail["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def _parse(text: str, source: str) -> Instrument:
    try:
        return Instrument.model_validate_json(text)
    except ValidationError as error:
        raise InstrumentError(
            f"{source} is not a valid instrument definition: {_format_validation_error(error)}"
        ) from None
    except RecursionError:
        raise InstrumentError(f"{source} is nested too deeply to be a definition.") from None


def _builtins() -> dict[str, Instrument]:
    global _builtin
    with _lock:
        if _builtin is None:
            found: dict[str, Instrument] = {}
            for entry in resources.files(_PACKAGE).iterdir():
                if entry.name.endswith(".json"):
                    instrument = _parse(entry.read_text(encoding="utf-8"), entry.name)
                    found[instrument.id] = instrument
            _builtin = found
        return _builtin


def list_instruments() -> list[str]:
    """Return the ids of every available instrument, sorted.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> "wai-sr" in am.list_instruments()
    True
    """
    return sorted({*_builtins(), *_user})


def get_instrument(instrument_id: str) -> Instrument:
    """Return the instrument registered under ``instrument_id``.

    Parameters
    ----------
    instrument_id
        An id such as ``"wai-sr"`` (case-insensitive; ``_`` may stand for ``-``).

    Raises
    ------
    UnknownInstrumentError
        If no such instrument exists; the message suggests close ids.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> am.get_instrument("WAI_SR").short_name
    'WAI-SR'
    """
    return lookup(instrument_id, "get_instrument", "instrument_id")


def lookup(instrument_id: object, func: str, parameter: str) -> Instrument:
    """Find a registered instrument for the public function ``func`` (messages name both)."""
    if not isinstance(instrument_id, str):
        raise InvalidParameterError(
            f"The {parameter!r} parameter of {func} must be an instrument id (str) or an "
            f"Instrument. Got {type(instrument_id).__name__} instead.",
            parameter=parameter,
            function=func,
        )
    key = instrument_id.strip().lower().replace("_", "-")
    found = _user.get(key) or _builtins().get(key)
    if found is not None:
        return found
    known = list_instruments()
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownInstrumentError(
        f"The {parameter!r} parameter of {func}: unknown instrument {instrument_id!r}.{hint} "
        f"Available: {', '.join(known)}.",
        parameter=parameter,
        function=func,
    )


def resolve_instrument(instrument: str | Instrument) -> Instrument:
    """Return ``instrument`` itself, or the registered instrument with that id."""
    if isinstance(instrument, Instrument):
        return instrument
    return get_instrument(instrument)


MAX_DEFINITION_BYTES = 16 << 20
"""Largest instrument definition file read (the largest built-in one is a few kilobytes)."""


def load_instrument(path: str | Path) -> Instrument:
    """Read and validate a user-defined instrument from a JSON file.

    The file uses the same format as the built-in definitions; its JSON Schema is
    ``am.Instrument.model_json_schema()``. The instrument is returned, not registered.

    Raises
    ------
    InputFormatError
        If the file cannot be read.
    InstrumentError
        If the definition is invalid; the message names each offending field.

    Examples
    --------
    >>> import alliance_metrics as am, tempfile, pathlib
    >>> text = am.get_instrument("wai-b3").model_dump_json()
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mine.json"
    >>> _ = path.write_text(text.replace('"wai-b3"', '"my-b3"'))
    >>> am.load_instrument(path).id
    'my-b3'
    """
    from alliance_metrics.errors import InputFormatError

    path = Path(path)
    try:
        with open(path, "rb") as handle:  # bounded: a device or endless pipe cannot fill memory
            data = handle.read(MAX_DEFINITION_BYTES + 1)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputFormatError(f"Cannot read instrument file '{path}': {error}") from None
    if len(data) > MAX_DEFINITION_BYTES:
        raise InstrumentError(
            f"'{path}' is larger than {MAX_DEFINITION_BYTES // (1 << 20)} MiB: not an instrument "
            "definition (a definition is a few kilobytes)."
        )
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise InstrumentError(f"'{path}' is not valid JSON: {error}") from None
    except RecursionError:
        raise InstrumentError(f"'{path}' is nested too deeply to be a definition.") from None
    return _parse(text, f"'{path}'")


def register(instrument: Instrument, *, replace: bool = False) -> None:
    """Make a user-defined instrument available by id to every function of the library.

    Parameters
    ----------
    instrument
        A validated :class:`Instrument` (e.g. from :func:`load_instrument`).
    replace
        Allow replacing a user instrument registered earlier under the same id. Built-in
        instruments can never be replaced.

    Raises
    ------
    InstrumentError
        If the id belongs to a built-in instrument, or is taken and ``replace`` is false.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> text = am.get_instrument("wai-b3").model_dump_json().replace('"wai-b3"', '"my-b3-demo"')
    >>> am.register(am.Instrument.model_validate_json(text), replace=True)
    >>> am.get_instrument("my-b3-demo").n_items
    3
    """
    if not isinstance(instrument, Instrument):
        raise InvalidParameterError(
            "register() takes an Instrument (see load_instrument). "
            f"Got {type(instrument).__name__} instead."
        )
    # model_copy(update=...) bypasses validation: check the definition again before sharing it.
    _parse(instrument.model_dump_json(), f"instrument {instrument.id!r}")
    if instrument.id in _builtins():
        raise InstrumentError(
            f"{instrument.id!r} is a built-in instrument and cannot be replaced; "
            "give your definition another id."
        )
    with _lock:
        if instrument.id in _user and not replace:
            raise InstrumentError(
                f"An instrument {instrument.id!r} is already registered; pass replace=True "
                "to replace it."
            )
        _user[instrument.id] = instrument
