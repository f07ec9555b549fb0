"""Hypothesis properties on random valid instruments: one kernel, two paths, same answers."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import alliance_metrics as am
from strategies import frame_of, instruments, invalid_values, response_matrices, valid_values

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _as_python(value: float) -> float | None:
    return None if math.isnan(value) else value


def _same(a: float | None, b: float) -> bool:
    """Exactly equal: the kernel adds a scale's items left to right in the scale's order, as
    the oracle does, so there is no rounding to forgive."""
    if a is None:
        return math.isnan(b)
    return not math.isnan(b) and a == b


def _needed(rule: int | float, size: int) -> int:
    """Answers a scale of ``size`` items needs, by exact rational arithmetic (not the kernel's
    float formula): a count as given; a proportion p needs the least c ≥ 1 with c ≥ p·size,
    reading p as the decimal it was written as (0.7 is 7/10, not 0.69999…) and forgiving the
    documented 1e-9 of float noise."""
    if isinstance(rule, int):
        return rule
    exact = Fraction(repr(rule)) * size - Fraction(1, 10**9)
    return max(1, next(c for c in range(size + 1) if c >= exact))


def _oracle_scores(
    inst: am.Instrument, values: np.ndarray, aggregate: str
) -> dict[str, list[float | None]]:
    """Scale scores computed row by row in plain Python, from the definitions of DESIGN.md."""
    lo, hi = inst.response_scale.min, inst.response_scale.max
    rule = inst.missing_policy.min_answered
    position = {item.id: j for j, item in enumerate(inst.items)}
    out: dict[str, list[float | None]] = {}
    for scale in inst.scales:
        column: list[float | None] = []
        for row in values.tolist():
            keyed = []
            for item_id in scale.items:
                value = row[position[item_id]]
                if value == value:  # answered
                    keyed.append(lo + hi - value if inst.item(item_id).reverse else value)
            if len(keyed) < _needed(rule, len(scale.items)):
                column.append(None)
            elif aggregate == "mean":
                column.append(sum(keyed) / len(keyed))
            elif len(keyed) == len(scale.items):
                column.append(sum(keyed))
            else:
                column.append(sum(keyed) / len(keyed) * len(scale.items))
        out[scale.id] = column
    return out


@st.composite
def instrument_and_values(draw: st.DrawFn) -> tuple[am.Instrument, np.ndarray]:
    inst = draw(instruments())
    return inst, draw(response_matrices(inst))


@SETTINGS
@given(case=instrument_and_values(), aggregate=st.sampled_from([None, "mean", "sum"]))
def test_score_equals_score_frame_row_by_row(
    case: tuple[am.Instrument, np.ndarray], aggregate: str | None
) -> None:
    inst, values = case
    df = frame_of(inst, values)
    out = am.score_frame(df, inst, aggregate=aggregate, prefix="s_")  # type: ignore[arg-type]
    assert len(out) == len(df)
    pd.testing.assert_index_equal(out.index, df.index)
    for r in range(len(df)):
        answers = {item.id: _as_python(values[r, j]) for j, item in enumerate(inst.items)}
        single = am.score(answers, inst, aggregate=aggregate)  # type: ignore[arg-type]
        assert single.status == out["s_status"].iloc[r]
        for scale in inst.scales:
            got = single.scales[scale.id]
            assert _same(got.value, out[f"s_{scale.id}"].iloc[r]), (scale.id, r)
            assert got.answered == out[f"s_{scale.id}_answered"].iloc[r]


@SETTINGS
@given(case=instrument_and_values(), aggregate=st.sampled_from(["mean", "sum"]))
def test_scores_equal_a_plain_python_oracle(
    case: tuple[am.Instrument, np.ndarray], aggregate: str
) -> None:
    inst, values = case
    out = am.score_frame(frame_of(inst, values), inst, aggregate=aggregate, prefix="")  # type: ignore[arg-type]
    expected = _oracle_scores(inst, values, aggregate)
    for scale in inst.scales:
        for r, want in enumerate(expected[scale.id]):
            assert _same(want, out[scale.id].iloc[r]), (scale.id, r, want, out[scale.id].iloc[r])


@SETTINGS
@given(case=instrument_and_values(), aggregate=st.sampled_from(["mean", "sum"]))
def test_scores_within_scale_bounds(case: tuple[am.Instrument, np.ndarray], aggregate: str) -> None:
    inst, values = case
    out = am.score_frame(frame_of(inst, values), inst, aggregate=aggregate, prefix="")  # type: ignore[arg-type]
    lo, hi = inst.response_scale.min, inst.response_scale.max
    for scale in inst.scales:
        factor = 1 if aggregate == "mean" else len(scale.items)
        scores = out[scale.id].dropna().to_numpy()
        tol = 1e-9 * max(1.0, abs(lo), abs(hi)) * factor
        assert (scores >= lo * factor - tol).all()
        assert (scores <= hi * factor + tol).all()
        answered = out[f"{scale.id}_answered"].to_numpy()
        assert ((answered >= 0) & (answered <= len(scale.items))).all()


@SETTINGS
@given(case=instrument_and_values())
def test_missing_scores_exactly_where_too_few_answers(
    case: tuple[am.Instrument, np.ndarray],
) -> None:
    inst, values = case
    out = am.score_frame(frame_of(inst, values), inst, prefix="")
    rule = inst.missing_policy.min_answered
    for scale in inst.scales:
        needed = _needed(rule, len(scale.items))
        members = [j for j, item in enumerate(inst.items) if item.id in scale.items]
        answered = (~np.isnan(values[:, members])).sum(axis=1)
        np.testing.assert_array_equal(out[f"{scale.id}_answered"].to_numpy(), answered)
        np.testing.assert_array_equal(out[scale.id].isna().to_numpy(), answered < needed)


@SETTINGS
@given(case=instrument_and_values(), data=st.data())
def test_shuffling_rows_permutes_results(
    case: tuple[am.Instrument, np.ndarray], data: st.DataObject
) -> None:
    inst, values = case
    df = frame_of(inst, values)
    df.index = pd.Index([f"r{i}" for i in range(len(df))])
    order = data.draw(st.permutations(range(len(df))), label="order")
    shuffled = am.score_frame(df.iloc[list(order)], inst)
    expected = am.score_frame(df, inst).iloc[list(order)]
    pd.testing.assert_frame_equal(shuffled, expected, check_exact=True)


@SETTINGS
@given(case=instrument_and_values(), data=st.data())
def test_injected_invalid_cells_are_all_reported(
    case: tuple[am.Instrument, np.ndarray], data: st.DataObject
) -> None:
    inst, values = case
    n, k = values.shape
    df = frame_of(inst, values).astype({item.id: object for item in inst.items})
    as_text = data.draw(st.lists(st.booleans(), min_size=n * k, max_size=n * k), label="as text")
    for r in range(n):  # some valid numbers become numeric strings
        for j, item in enumerate(inst.items):
            if as_text[r * k + j] and not math.isnan(values[r, j]):
                df.iat[r, df.columns.get_loc(item.id)] = f" {float(values[r, j])!r} "
    cells = data.draw(
        st.sets(st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, k - 1)), max_size=2 * n)
        if n
        else st.just(set()),
        label="invalid cells",
    )
    for r, j in cells:
        df.iat[r, df.columns.get_loc(inst.items[j].id)] = data.draw(
            invalid_values(inst), label="bad"
        )
    report = am.validate_frame(df, inst)
    reported = set(zip(report.failure_cases["row"], report.failure_cases["column"], strict=True))
    assert reported == {(r, inst.items[j].id) for r, j in cells}
    assert report.n_rows_affected == len({r for r, _ in cells})
    assert set(report.failure_cases["code"]) <= {"not_a_number", "out_of_range", "not_on_step"}

    # on_invalid="missing" scores as if the invalid cells were blank, and flags their rows
    out = am.score_frame(df, inst, on_invalid="missing", prefix="")
    blanked = values.copy()
    for r, j in cells:
        blanked[r, j] = np.nan
    clean = am.score_frame(frame_of(inst, blanked), inst, prefix="")
    for scale in inst.scales:
        np.testing.assert_allclose(
            out[scale.id], clean[scale.id], rtol=1e-12, atol=1e-12, equal_nan=True
        )
    bad_rows = {r for r, _ in cells}
    for r in range(n):
        expected = "invalid" if r in bad_rows else clean["status"].iloc[r]
        assert out["status"].iloc[r] == expected


@SETTINGS
@given(inst=instruments(), data=st.data())
def test_single_valid_answer_is_scored_with_count_rule_one(
    inst: am.Instrument, data: st.DataObject
) -> None:
    j = data.draw(st.integers(0, inst.n_items - 1), label="item")
    value = data.draw(valid_values(inst), label="value")
    answers: list[object] = [None] * inst.n_items
    answers[j] = value
    result = am.score(answers, inst, aggregate="mean", min_answered=1)
    lo, hi = inst.response_scale.min, inst.response_scale.max
    keyed = lo + hi - value if inst.items[j].reverse else value
    for scale in inst.scales:
        got = result.scales[scale.id]
        if inst.items[j].id in scale.items:
            assert got.value is not None
            assert math.isclose(got.value, keyed, rel_tol=1e-12, abs_tol=1e-12)
            assert got.answered == 1
        else:
            assert got.value is None
            assert got.status == "insufficient"


TEXT_CELLS = st.one_of(
    st.text(max_size=6),
    st.text(alphabet="0123456789 .-+eE_,naifNAIF\t١٣４²", max_size=6),
    st.sampled_from(
        ["Always", " very  OFTEN ", "NA", "n/a", "null", "nan", "inf", "1e0", "+3", "3."]
    ),
    st.none(),
    st.integers(-2, 8),
    st.floats(allow_nan=True, allow_infinity=True),
)


@SETTINGS
@given(cells=st.lists(TEXT_CELLS, min_size=3, max_size=3))
@example(cells=["١", "٣", "４"])  # non-ASCII digits: rejected on both paths
@example(cells=["1_0", "infinity", " Always "])
@example(cells=["NA", "null", "nan"])
def test_single_and_batch_paths_parse_cells_alike(cells: list[object]) -> None:
    inst = am.get_instrument("wai-b3")
    single = am.score(cells, inst, on_invalid="missing", aggregate="mean", min_answered=1)
    df = pd.DataFrame(
        {f"item{n}": pd.Series([cell], dtype=object) for n, cell in enumerate(cells, 1)}
    )
    report = am.validate_frame(df, inst)
    assert single.invalid_items == tuple(report.failure_cases["column"])
    batch = am.score_frame(
        df, inst, on_invalid="missing", aggregate="mean", min_answered=1, prefix=""
    )
    assert single.status == batch["status"].iloc[0]
    for scale in inst.scales:
        assert _same(single.scales[scale.id].value, batch[scale.id].iloc[0]), scale.id
    if single.invalid_items:
        with pytest.raises(am.ResponseValidationError) as info:
            am.score(cells, inst)
        pd.testing.assert_frame_equal(info.value.report.failure_cases, report.failure_cases)


@SETTINGS
@given(case=instrument_and_values(), data=st.data())
def test_a_rows_scores_do_not_depend_on_its_batch(
    case: tuple[am.Instrument, np.ndarray], data: st.DataObject
) -> None:
    """Scoring in pieces (as the streaming path does) gives the whole batch's bits exactly."""
    inst, values = case
    df = frame_of(inst, values)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(df)), max_size=4), label="cuts"))
    bounds = [0, *cuts, len(df)]
    pieces = [am.score_frame(df.iloc[a:b], inst) for a, b in itertools.pairwise(bounds)]
    pd.testing.assert_frame_equal(pd.concat(pieces), am.score_frame(df, inst), check_exact=True)


@SETTINGS
@given(
    case=instrument_and_values(),
    aggregate=st.sampled_from(["mean", "sum"]),
    rule=st.sampled_from([1, 2, 0.5, 0.75, 1.0]),
)
def test_the_one_row_kernel_equals_the_matrix_kernel_to_the_bit(
    case: tuple[am.Instrument, np.ndarray], aggregate: str, rule: int | float
) -> None:
    """``score()`` uses ``score_row`` (plain Python); batches use ``score_matrix``."""
    from alliance_metrics.scoring.kernel import compile_instrument, score_matrix, score_row

    inst, values = case
    plan = compile_instrument(inst)
    if isinstance(rule, int) and rule > int(plan.scale_sizes.min()):
        rule = 1
    required = np.array([_needed(rule, int(n)) for n in plan.scale_sizes], dtype=np.int64)
    scores, answered, status = score_matrix(plan, values, aggregate, required)
    for r in range(len(values)):
        row = score_row(plan, values[r].tolist(), aggregate, required)
        got = np.array([value for value, _, _ in row])
        assert got.tobytes() == scores[:, r].tobytes() or (
            np.array_equal(got, scores[:, r], equal_nan=True)
            and (np.signbit(got) == np.signbit(scores[:, r])).all()
        ), (r, got, scores[:, r])
        assert [count for _, count, _ in row] == answered[:, r].tolist()
        assert [code for _, _, code in row] == status[:, r].tolist()


def test_decimal_steps_score_the_same_alone_and_in_a_batch() -> None:
    """The case that once differed in the last bit: a 0.1-step scale, reversed items, gaps."""
    inst = am.Instrument.model_validate(
        {
            "id": "tenths",
            "name": "Tenths",
            "short_name": "T",
            "version": "0",
            "rater": "client",
            "citations": [{"text": "test"}],
            "response_scale": {"min": -1.0, "max": 2.0, "step": 0.1},
            "items": [{"id": f"i{n}", "number": n, "reverse": n in (5, 6)} for n in range(1, 11)],
            "scales": [
                {
                    "id": "total",
                    "name": "Total",
                    "kind": "total",
                    "items": [f"i{n}" for n in range(1, 11)],
                }
            ],
            "default_aggregate": "mean",
            "missing_policy": {"min_answered": 1},
            "licence": "none",
            "status": {"level": "verified"},
        }
    )
    rows = [[-1.0] * 10 for _ in range(4)]
    rows[3] = [-1.0] * 6 + [np.nan, -0.9, np.nan, np.nan]
    df = pd.DataFrame(rows, columns=[f"i{n}" for n in range(1, 11)])
    whole = am.score_frame(df, inst)["tenths_total"].iloc[3]
    alone = am.score_frame(df.iloc[3:], inst)["tenths_total"].iloc[0]
    assert whole == alone == am.score(df.iloc[3].to_dict(), inst).scales["total"].value
    assert whole == (-4.0 + 2.0 + 2.0 - 0.9) / 7
    # the kernel sums a large batch item by item and a small one in one call: same bits
    large = am.score_frame(pd.concat([df] * 50, ignore_index=True), inst)["tenths_total"]
    assert (large.iloc[3::4] == whole).all()


@given(
    values=st.lists(
        st.one_of(
            st.floats(allow_nan=False, allow_infinity=False),
            st.floats(min_value=-1e6, max_value=1e6),
            st.integers(-(10**6), 10**6).map(lambda n: n / 8),
            st.integers(-(10**9), 10**9).map(lambda n: n / 1000),
        ),
        min_size=1,
        max_size=20,
    ),
    decimals=st.integers(0, 22),
)
def test_round_half_even_is_pythons_round(values: list[float], decimals: int) -> None:
    """The output's rounding equals Python's correctly rounded round(x, n), sign of zero too."""
    from alliance_metrics._arrays import round_half_even

    got = round_half_even(np.array(values), decimals)
    for x, g in zip(values, got.tolist(), strict=True):
        want = round(x, decimals)
        assert g == want, (x, decimals, g, want)
        assert math.copysign(1.0, g) == math.copysign(1.0, want)
