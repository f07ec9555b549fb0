"""Growth models (SESSION-SERIES §5): GLS/BLUP identities checked with dense per-client matrices,
statsmodels' own random effects, the optimiser fallback, warnings and errors."""

from __future__ import annotations

import functools
import importlib
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.regression.mixed_linear_model import MixedLM

import alliance_metrics as am
from alliance_metrics.longitudinal import growth


def _synthetic(seed: int = 11, n_clients: int = 60, slope_sd: float = 0.3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    clients = np.repeat(np.arange(n_clients), 10)
    sessions = np.tile(np.arange(1, 11), n_clients)
    intercept = rng.normal(40, 5, n_clients)[clients]
    slope = rng.normal(0.5, slope_sd, n_clients)[clients]
    score = intercept + slope * sessions + rng.normal(0, 2.5, len(clients))
    df = pd.DataFrame(
        {"client_id": [f"p{c:03d}" for c in clients], "session": sessions, "wai": score}
    )
    df.loc[rng.random(len(df)) < 0.15, "wai"] = np.nan  # missing sessions
    return df.sample(frac=1.0, random_state=3)  # any row order


@functools.cache
def _fit(random_slope: bool = True, reml: bool = True) -> am.GrowthModelResult:
    return am.growth_model(_synthetic(), score="wai", random_slope=random_slope, reml=reml)


def _dense_oracle(df: pd.DataFrame, g: np.ndarray, s2: float) -> tuple[Any, ...]:
    """GLS estimates, their covariance and the BLUPs with explicit V_i per client."""
    valid = df.dropna(subset=["wai"])
    q = g.shape[0]
    information, right, pieces = np.zeros((2, 2)), np.zeros(2), {}
    for client, rows in valid.groupby("client_id"):
        x = np.column_stack([np.ones(len(rows)), rows["session"]])
        z = x[:, :q]
        v_inverse = np.linalg.inv(z @ g @ z.T + s2 * np.eye(len(rows)))
        information += x.T @ v_inverse @ x
        right += x.T @ v_inverse @ rows["wai"].to_numpy()
        pieces[client] = (x, z, v_inverse, rows["wai"].to_numpy())
    beta = np.linalg.solve(information, right)
    blups = {c: g @ z.T @ vi @ (y - x @ beta) for c, (x, z, vi, y) in pieces.items()}
    return beta, np.linalg.inv(information), blups


@pytest.mark.parametrize("random_slope", [True, False])
def test_estimates_satisfy_the_gls_and_blup_identities(random_slope: bool) -> None:
    fit = _fit(random_slope)
    g = fit.random_effects_cov.to_numpy()
    beta, cov, blups = _dense_oracle(_synthetic(), g, fit.residual_variance)
    assert_allclose(fit.fixed_effects["estimate"], beta, rtol=1e-8)
    assert_allclose(fit.fixed_effects["se"], np.sqrt(np.diag(cov)), rtol=1e-10)
    assert_allclose(fit.fixed_effects["t"], beta / np.sqrt(np.diag(cov)), rtol=1e-8)
    predictions = fit.predictions.set_index("client_id")
    expected = np.array([blups[c] for c in predictions.index])
    assert_allclose(predictions["ranef_intercept"], expected[:, 0], rtol=1e-7, atol=1e-9)
    assert_allclose(predictions["intercept"], beta[0] + expected[:, 0], rtol=1e-8)
    if random_slope:
        assert_allclose(predictions["ranef_session"], expected[:, 1], rtol=1e-7, atol=1e-9)
        assert_allclose(predictions["slope"], beta[1] + expected[:, 1], rtol=1e-8)
    else:
        assert predictions["ranef_session"].isna().all()
        assert_allclose(predictions["slope"], beta[1], rtol=1e-8)


def test_blups_match_statsmodels_and_the_fit_is_the_best_attempt() -> None:
    fit = _fit()
    df = _synthetic().dropna(subset=["wai"])
    x = np.column_stack([np.ones(len(df)), df["session"]])
    model = MixedLM(df["wai"].to_numpy(), x, groups=df["client_id"].to_numpy(), exog_re=x)
    reference = model.fit(reml=True, method="lbfgs")
    assert reference.converged
    assert fit.converged
    assert fit.log_likelihood >= reference.llf - 1e-8
    assert fit.log_likelihood == fit.attempts["log_likelihood"].max()
    assert_allclose(fit.random_effects_cov, reference.cov_re, rtol=5e-3)
    ranef = pd.DataFrame(reference.random_effects).T.sort_index()
    predictions = fit.predictions.set_index("client_id")
    assert_allclose(predictions["ranef_intercept"], ranef.iloc[:, 0], rtol=1e-3, atol=1e-3)
    assert (fit.n_clients, fit.n_observations) == (60, len(df))
    assert predictions["n_sessions"].sum() == len(df)


def test_ml_fit_and_result_is_frozen() -> None:
    ml, reml = _fit(reml=False), _fit()
    assert (ml.reml, reml.reml) == (False, True)
    assert ml.log_likelihood != reml.log_likelihood
    # ML shrinks the variance components relative to REML
    assert ml.random_effects_cov.iloc[0, 0] < reml.random_effects_cov.iloc[0, 0]
    with pytest.raises(AttributeError):
        reml.converged = False  # type: ignore[misc]


def test_non_convergence_becomes_our_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    original = MixedLM.fit

    def one_step(self: MixedLM, *args: Any, **kwargs: Any) -> Any:
        kwargs["maxiter"] = 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MixedLM, "fit", one_step)
    with pytest.warns(am.AllianceMetricsWarning, match="no optimiser converged"):
        fit = am.growth_model(_synthetic(), score="wai")  # raw ConvergenceWarnings would error
    assert fit.converged is False
    assert not fit.attempts["converged"].any()
    assert fit.attempts["optimizer"].tolist() == ["nm", "powell", "lbfgs", "bfgs"]
    assert any("converge" in m for m in fit.messages)


def test_singular_fit_is_reported() -> None:
    # lme4 1.1-31 on these data (written with to_csv, rows without a score dropped):
    #   lmer(wai ~ session + (session | client_id), d, control = lmerControl(
    #        optimizer = "bobyqa", optCtrl = list(rhoend = 1e-14, maxfun = 1e5)))
    # gives isSingular TRUE, logLik −662.5125 (REML), var(intercept) 19.292174900 and
    # var(session) 1.916837e-06. statsmodels' lbfgs stops at −662.5618 and says it converged,
    # so only trying several optimisers finds the optimum.
    fit = am.growth_model(_synthetic(seed=11, slope_sd=0.0, n_clients=30), score="wai")
    assert fit.converged
    assert fit.singular is True
    assert_allclose(fit.log_likelihood, -662.5125, atol=5e-5)
    assert_allclose(fit.random_effects_cov.iloc[0, 0], 19.292174900, atol=1e-3)
    assert fit.optimizer in ("nm", "powell")


def test_missing_statsmodels(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def refuse(name: str, *args: Any) -> Any:
        if name.startswith("statsmodels"):
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(growth.importlib, "import_module", refuse)
    with pytest.raises(
        am.MissingDependencyError, match=r'pip install "alliance-metrics\[models\]"'
    ):
        am.growth_model(_synthetic(), score="wai")


def test_bad_options_and_data() -> None:
    df = _synthetic()
    with pytest.raises(am.InvalidParameterError, match="'random_slope' parameter of growth_model"):
        am.growth_model(df, score="wai", random_slope="yes")  # type: ignore[arg-type]
    with pytest.raises(am.InvalidParameterError, match="'reml' parameter of growth_model"):
        am.growth_model(df, score="wai", reml=1)  # type: ignore[arg-type]
    one = df[df["client_id"] == "p000"]
    with pytest.raises(am.InputFormatError, match="at least two clients"):
        am.growth_model(one, score="wai")
    with pytest.raises(am.InputFormatError, match="at least two different sessions"):
        am.growth_model(df[df["session"] == 1], score="wai")


def test_every_optimiser_failing_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(self: MixedLM, *args: Any, **kwargs: Any) -> Any:
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(MixedLM, "fit", fail)
    with pytest.raises(am.InputFormatError, match=r"could not fit the model \(nm: LinAlgError"):
        am.growth_model(_synthetic(), score="wai")


def test_singular_rule_on_degenerate_covariances() -> None:
    assert growth._is_singular(np.zeros((2, 2)), 1.0)  # not positive definite
    assert growth._is_singular(np.diag([4.0, 1e-9]), 1.0)  # relative SD 3e-5 < 1e-4
    assert not growth._is_singular(np.diag([4.0, 1e-6]), 1.0)  # relative SD 1e-3
