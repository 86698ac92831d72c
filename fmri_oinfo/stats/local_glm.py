"""Task contrasts on local O-information: a first-level GLM per set, and a group level.

Each set's local O-information (:func:`fmri_oinfo.local_oinfo`, one value per
volume) is the response of a general linear model whose regressors are the
task events convolved with a haemodynamic response, with cosine drifts and a
constant (nilearn's :func:`~nilearn.glm.first_level.make_first_level_design_matrix`).
Inference follows nilearn's first level, with a bias-corrected noise
model: ordinary least squares, an AR(1) coefficient per set from its
residuals, a generalised least-squares refit under that AR(1) model
(nilearn's :class:`~nilearn.glm.regression.ARModel`), and
:func:`~nilearn.glm.contrasts.compute_contrast` for each contrast's effect,
standard error and t statistic.  p-values here are two-sided (nilearn's are
one-sided) and Benjamini-Hochberg q-values are taken over the sets, per
contrast.

The AR(1) coefficient is not the residuals' lag-1 autocorrelation (what
:func:`~nilearn.glm.first_level.run_glm` uses): residuals of a design with
many drift regressors (48 cosines for 40 minutes at 0.01 Hz) are less
autocorrelated than the noise, so that estimate is biased towards 0, the
standard error of a slow block contrast too small, and null p-values too
small (8.0 % below 0.05 on AR(1) noise with phi = 0.5, T = 1,200; 6.4 % on
null local O-information; ``benchmarks/task_contrast.py --calibration``).  Here the coefficient is the ``phi`` whose AR(1)
noise gives, in expectation, the residual autocorrelation observed:
``E[r' S r] / E[r' r] = tr(S R V R) / tr(R V R)`` with ``R`` the design's
residual-forming matrix, ``S`` the lag-1 shift and ``V`` the AR(1)
correlation matrix (the moment correction of Worsley et al. 2002, solved
for the AR(1) model exactly rather than by truncating the autocovariances
at lag 1 as fmristat does).  Measured on the same nulls: 5.4 % and 4.7 %.
Local O-information of AR(1) regions is itself close to AR(1) (its
bias-corrected lag-2 partial autocorrelation is about 0), which is why one
lag is modelled.

A contrast's label names the direction in which its positive side moves the
set's local O-information: ``"synergistic"`` when the effect is negative
(e.g. for ``"task - rest"``: more synergy during task than during rest),
``"redundant"`` when positive, ``"n.s."`` unless ``q < alpha``.

:func:`group_local_contrasts` tests each (set, contrast) across subjects with
a one-sample t test of the subjects' effects (the summary-statistics random
effects model).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from nilearn.glm.contrasts import compute_contrast, expression_to_contrast_vector
from nilearn.glm.first_level import make_first_level_design_matrix, run_glm
from nilearn.glm.regression import ARModel
from scipy import signal, stats

from fmri_oinfo.inputs.events import read_events
from fmri_oinfo.stats.fdr import benjamini_hochberg
from fmri_oinfo.stats.labels import label_sets

#: Columns of a contrast table, subject or group level.
CONTRAST_COLUMNS: tuple[str, ...] = ("set", "contrast", "effect", "se", "t", "dof", "z", "p", "q", "label")

#: Noise models of the first-level GLM (nilearn's names).
NOISE_MODELS: tuple[str, ...] = ("ar1", "ols")

#: AR(1) coefficients on which the residuals' expected lag-1 autocorrelation is tabulated.
_AR1_GRID = np.linspace(-0.99, 0.99, 199)

#: Width of the bins of AR(1) coefficients that share one whitened fit.
_AR1_BIN = 0.005


def task_design(
    events: pd.DataFrame | str | Path,
    n_volumes: int,
    t_r: float,
    hrf_model: str = "glover",
    drift_model: str | None = "cosine",
    high_pass: float = 0.01,
    confounds: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The first-level design matrix of a run: HRF-convolved events, drifts, constant.

    Parameters
    ----------
    events : pandas.DataFrame or path
        BIDS events (``onset``, ``duration``, ``trial_type``, seconds), or the
        path of a ``*_events.tsv`` (read with
        :func:`fmri_oinfo.inputs.events.read_events`).
    n_volumes : int
    t_r : float
        Repetition time, seconds; volume ``t`` is acquired at ``t * t_r``.
    hrf_model : str, default="glover"
        nilearn's HRF models (``"glover"``, ``"spm"``, ``"glover + derivative"``...).
    drift_model : {"cosine", "polynomial", None}, default="cosine"
    high_pass : float, default=0.01
        Cut-off of the cosine drifts, Hz.
    confounds : pandas.DataFrame, optional
        Extra regressors (``n_volumes`` rows), e.g. motion.

    Returns
    -------
    pandas.DataFrame, shape (n_volumes, K)
        One column per condition (named by its ``trial_type``), drift and
        ``constant``, indexed by frame time.
    """
    if isinstance(events, (str, Path)):
        events = read_events(events, n_volumes, t_r)
    if not t_r > 0:
        raise ValueError(f"t_r={t_r!r}; give the repetition time in seconds (> 0).")
    if confounds is not None and len(confounds) != n_volumes:
        raise ValueError(f"confounds have {len(confounds)} rows for {n_volumes} volumes; give one row per volume.")
    frame_times = np.arange(n_volumes) * float(t_r)
    return make_first_level_design_matrix(
        frame_times, events, hrf_model=hrf_model, drift_model=drift_model, high_pass=high_pass,
        add_regs=None if confounds is None else confounds.to_numpy(dtype=float),
        add_reg_names=None if confounds is None else [str(c) for c in confounds.columns],
    )


def contrast_vectors(contrasts: Sequence[str] | Mapping[str, str] | str, design: pd.DataFrame) -> dict[str, np.ndarray]:
    """Contrast vectors from nilearn expressions (``"task - rest"``) over the design's columns.

    Parameters
    ----------
    contrasts : str, sequence of str or mapping of name to expression
    design : pandas.DataFrame, shape (T, K)

    Returns
    -------
    dict of str to numpy.ndarray of shape (K,)

    Raises
    ------
    ValueError
        For an expression that names no column of the design (the message
        lists them), a zero contrast, or a contrast that is not estimable
        (not a combination of the design's rows: e.g. ``"task"`` when task
        and rest blocks fill the run and the constant is modelled).
    """
    columns = list(design.columns)
    matrix = design.to_numpy(dtype=float)
    row_space = np.linalg.pinv(matrix) @ matrix  # (K, K): projector onto the estimable contrasts
    if isinstance(contrasts, str):
        contrasts = [contrasts]
    named = dict(contrasts) if isinstance(contrasts, Mapping) else {c: c for c in contrasts}
    if not named:
        raise ValueError("no contrast given; give at least one, e.g. contrasts=['task - rest'].")
    out = {}
    for name, expression in named.items():
        try:
            vector = np.asarray(expression_to_contrast_vector(expression, columns), dtype=float)
        except ValueError as error:
            raise ValueError(
                f"contrast {expression!r} is not an expression of the design's columns {columns}; "
                "use condition names (trial_type values) joined by + - and numbers, e.g. 'task - rest'."
            ) from error
        if not np.any(vector):
            raise ValueError(f"contrast {expression!r} is zero; name at least one condition.")
        if np.linalg.norm(row_space @ vector - vector) > 1e-6 * np.linalg.norm(vector):
            raise ValueError(
                f"contrast {expression!r} is not estimable: the design's columns are collinear (conditions that "
                "fill the run add up to the constant); contrast conditions with each other, e.g. 'task - rest'."
            )
        out[name] = vector
    return out


def fit_local_glm(
    local_values: pd.DataFrame,
    design: pd.DataFrame,
    contrasts: Sequence[str] | Mapping[str, str] | str,
    noise_model: str = "ar1",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Contrasts of every set's local O-information under a first-level GLM.

    Parameters
    ----------
    local_values : pandas.DataFrame, shape (T, G)
        One column per set (e.g. ``local_oinfo(...)["o_info"]``), volumes in rows.
    design : pandas.DataFrame, shape (T, K)
        From :func:`task_design`.
    contrasts : str, sequence of str or mapping of name to expression
        nilearn expressions over the design's columns, e.g. ``"task - rest"``.
    noise_model : {"ar1", "ols"}, default="ar1"
        ``"ar1"``: a generalised least-squares refit per set under AR(1)
        noise whose coefficient is corrected for the design's bias
        (:func:`ar1_coefficients`); ``"ols"`` ignores autocorrelation.
    alpha : float, default=0.05
        FDR level of the labels.

    Returns
    -------
    pandas.DataFrame
        :data:`CONTRAST_COLUMNS`, one row per (contrast, set), contrasts in
        the given order and sets in column order.  ``p`` is two-sided; ``z``
        the standard normal score with the same two-sided p and the sign of
        the effect; ``q`` Benjamini-Hochberg over the sets, per contrast.
        Sets with a non-finite local value, or the same value in every
        volume, get NaN statistics and ``"n.s."``.
    """
    if noise_model not in NOISE_MODELS:
        raise ValueError(f"noise_model={noise_model!r} is not known; use one of {list(NOISE_MODELS)}.")
    if len(local_values) != len(design):
        raise ValueError(
            f"local values have {len(local_values)} volumes and the design {len(design)}; build the design "
            "with the run's number of volumes (after any volumes were dropped)."
        )
    vectors = contrast_vectors(contrasts, design)
    y = local_values.to_numpy(dtype=float)  # (T, G)
    finite = np.isfinite(y).all(axis=0)  # (G,)
    finite[finite] = np.ptp(y[:, finite], axis=0) > 0  # a constant set has nothing to test (t would be rounding noise)
    n_sets = y.shape[1]
    if finite.any():
        labels, results = _fit(y[:, finite], design.to_numpy(dtype=float), noise_model)
    rows = []
    for name, vector in vectors.items():
        effect, se, t_stat, dof = (np.full(n_sets, np.nan) for _ in range(4))
        if finite.any():
            contrast = compute_contrast(labels, results, vector, stat_type="t")
            effect[finite] = np.ravel(contrast.effect_size())
            se[finite] = np.sqrt(np.ravel(contrast.effect_variance()))
            t_stat[finite] = np.ravel(contrast.stat())
            dof[finite] = float(contrast.dof)
        p = np.full(n_sets, np.nan)
        p[finite] = 2.0 * stats.t.sf(np.abs(t_stat[finite]), dof[finite])
        rows.append(_table(local_values.columns, name, effect, se, t_stat, dof, p, alpha))
    return pd.concat(rows, ignore_index=True)


def _fit(y: np.ndarray, design: np.ndarray, noise_model: str) -> tuple[np.ndarray, dict]:
    """nilearn's (labels, results) of a first-level fit: one ARModel per bin of AR(1) coefficients."""
    if noise_model == "ols":
        return run_glm(y, design, noise_model="ols")
    keys = np.round(ar1_coefficients(y, design) / _AR1_BIN) * _AR1_BIN  # (G,)
    labels = np.array([f"{key:.3f}" for key in keys])
    results = {label: ARModel(design, float(keys[labels == label][0])).fit(y[:, labels == label])
               for label in np.unique(labels)}
    return labels, results


def ar1_coefficients(y: np.ndarray, design: np.ndarray) -> np.ndarray:
    """Each series' AR(1) coefficient, corrected for the bias the design's residuals carry.

    Parameters
    ----------
    y : numpy.ndarray, shape (T, G)
    design : numpy.ndarray, shape (T, K)

    Returns
    -------
    numpy.ndarray, shape (G,)
        The ``phi`` in ``[-0.99, 0.99]`` at which AR(1) noise of unit
        variance gives, in expectation, the lag-1 autocorrelation of the
        series' least-squares residuals (``sum r_t r_{t+1} / sum r_t^2``);
        see the module docstring.
    """
    basis = _column_basis(design)  # (T, r)
    residuals = y - basis @ (basis.T @ y)
    observed = np.sum(residuals[:-1] * residuals[1:], axis=0) / np.sum(residuals**2, axis=0)
    expected = expected_residual_autocorrelation(basis, _AR1_GRID)
    return np.interp(observed, expected, _AR1_GRID)


def expected_residual_autocorrelation(basis: np.ndarray, phis: np.ndarray) -> np.ndarray:
    """``tr(S R V R) / tr(R V R)`` for AR(1) noise of each coefficient in ``phis``.

    Parameters
    ----------
    basis : numpy.ndarray, shape (T, r)
        Orthonormal basis of the design's columns (``R = I - basis basis'``).
    phis : numpy.ndarray, shape (P,)

    Returns
    -------
    numpy.ndarray, shape (P,)
        The ratio of the expected lag-1 autocovariance of the residuals to
        their expected variance; increasing in ``phi`` for the designs used here.
    """
    n = len(basis)
    out = np.empty(len(phis))
    for i, phi in enumerate(phis):
        # V basis, V[s, t] = phi^|s - t|: forward and backward recursive sums less the double-counted diagonal
        forward = signal.lfilter([1.0], [1.0, -phi], basis, axis=0)
        backward = signal.lfilter([1.0], [1.0, -phi], basis[::-1], axis=0)[::-1]
        v_basis = forward + backward - basis  # (T, r)
        inner = basis.T @ v_basis  # (r, r), symmetric
        variance = n - np.trace(inner)  # tr(R V R) = tr(V) - tr(basis' V basis)
        lag1 = ((n - 1) * phi - np.sum(basis[:-1] * v_basis[1:]) - np.sum(v_basis[:-1] * basis[1:])
                + np.sum(basis[:-1] * (basis[1:] @ inner)))  # sum_t (R V R)[t, t + 1]
        out[i] = lag1 / variance
    return out


def _column_basis(design: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the design's column space (rank-deficient designs included)."""
    u, singular, _ = np.linalg.svd(design, full_matrices=False)
    return u[:, singular > singular[0] * max(design.shape) * np.finfo(float).eps]


def _table(sets: pd.Index, contrast: str, effect: np.ndarray, se: np.ndarray, t_stat: np.ndarray,
           dof: np.ndarray, p: np.ndarray, alpha: float) -> pd.DataFrame:
    """One contrast's rows: z from the two-sided p, q over the sets, labels."""
    z = np.sign(t_stat) * stats.norm.isf(p / 2.0)
    q = benjamini_hochberg(p)
    return pd.DataFrame({
        "set": list(sets), "contrast": contrast, "effect": effect, "se": se, "t": t_stat, "dof": dof,
        "z": z, "p": p, "q": q, "label": label_sets(effect, q, alpha),
    })


def local_contrasts(
    local_values: pd.DataFrame | Mapping[str, pd.DataFrame],
    events: pd.DataFrame | str | Path,
    t_r: float,
    contrasts: Sequence[str] | Mapping[str, str] | str,
    hrf_model: str = "glover",
    drift_model: str | None = "cosine",
    high_pass: float = 0.01,
    confounds: pd.DataFrame | None = None,
    noise_model: str = "ar1",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Task contrasts of local O-information, one row per set and contrast.

    Parameters
    ----------
    local_values : pandas.DataFrame of shape (T, G), or the dict from :func:`fmri_oinfo.local_oinfo`
        Local O-information, one column per set (of a dict, its ``"o_info"`` table).
    events : pandas.DataFrame or path
        BIDS events (``onset``, ``duration``, ``trial_type``) of the same run,
        or the path of its ``*_events.tsv``.
    t_r : float
        Repetition time, seconds.
    contrasts : str, sequence of str or mapping of name to expression
        nilearn expressions over the conditions, e.g. ``"task - rest"`` or
        ``"task"`` (against the implicit baseline).
    hrf_model, drift_model, high_pass, confounds
        The design matrix, as for :func:`task_design`.
    noise_model : {"ar1", "ols"}, default="ar1"
    alpha : float, default=0.05

    Returns
    -------
    pandas.DataFrame
        Columns ``set, contrast, effect, se, t, dof, z, p, q, label`` (see
        :func:`fit_local_glm` and the module docstring); ``effect`` is in the
        local values' units per unit of the regressor (the design matrix is
        :func:`task_design`'s with the same arguments).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from fmri_oinfo import local_contrasts, local_oinfo
    >>> x = np.random.default_rng(0).standard_normal((200, 4))
    >>> events = pd.DataFrame({"onset": [40.0, 200.0], "duration": [40.0, 40.0], "trial_type": "task"})
    >>> table = local_contrasts(local_oinfo(x, [(0, 1, 2)]), events, t_r=2.0, contrasts="task")
    >>> list(table.columns)
    ['set', 'contrast', 'effect', 'se', 't', 'dof', 'z', 'p', 'q', 'label']
    """
    if isinstance(local_values, Mapping):
        if "o_info" not in local_values:
            raise ValueError("local_values is a dict without 'o_info'; pass local_oinfo(...) or its 'o_info' table.")
        local_values = local_values["o_info"]
    if isinstance(events, (str, Path)):
        events = read_events(events, len(local_values), t_r)
    design = task_design(events, len(local_values), t_r, hrf_model, drift_model, high_pass, confounds)
    check_baseline(contrast_vectors(contrasts, design), design.columns, events, len(local_values), t_r)
    return fit_local_glm(local_values, design, contrasts, noise_model, alpha)


def check_baseline(vectors: Mapping[str, np.ndarray], columns: pd.Index, events: pd.DataFrame, n_volumes: int,
                    t_r: float) -> None:
    """Refuse a contrast against the implicit baseline when the conditions leave none.

    When every volume lies inside an event, the condition regressors add up
    to (nearly) the constant, and a contrast whose condition weights do not
    sum to zero (``"task"`` when task and rest blocks fill the run) is
    decided by the first volumes' haemodynamic ramp alone.
    """
    times = np.arange(n_volumes) * float(t_r)
    starts, ends = events["onset"].to_numpy(), (events["onset"] + events["duration"]).to_numpy()
    covered = ((times[:, None] >= starts[None, :]) & (times[:, None] < ends[None, :])).any(axis=1)  # (T,)
    if not covered.all():
        return
    conditions = np.isin(np.asarray(columns), events["trial_type"].unique())
    for name, vector in vectors.items():
        if abs(vector[conditions].sum()) > 1e-9:
            raise ValueError(
                f"contrast {name!r} compares a condition with the baseline, but the events fill the whole run "
                "and leave no baseline; contrast conditions with each other (weights summing to zero), "
                "e.g. 'task - rest'."
            )


def group_local_contrasts(subject_tables: Sequence[pd.DataFrame], alpha: float = 0.05) -> pd.DataFrame:
    """Group-level contrasts: a one-sample t test of the subjects' effects per (set, contrast).

    Parameters
    ----------
    subject_tables : sequence of pandas.DataFrame
        One :func:`local_contrasts` table per subject, with the same sets and
        contrasts (a set missing from a subject's table, or with a NaN
        effect there, is tested on the other subjects).
    alpha : float, default=0.05

    Returns
    -------
    pandas.DataFrame
        :data:`CONTRAST_COLUMNS` plus ``n_subjects``: ``effect`` is the mean
        of the subjects' effects, ``se`` its standard error, ``dof`` the
        number of subjects less one, ``p`` two-sided, ``q`` Benjamini-Hochberg
        over the sets, per contrast.

    Raises
    ------
    ValueError
        For fewer than two subjects.
    """
    if len(subject_tables) < 2:
        raise ValueError(f"{len(subject_tables)} subject table(s); a group contrast needs two or more subjects.")
    stacked = pd.concat([t.assign(subject=i) for i, t in enumerate(subject_tables)], ignore_index=True)
    stacked["key"] = stacked["set"].map(repr)  # sets are tuples or names: one hashable, ordered key
    wide = stacked.set_index(["contrast", "key", "subject"])["effect"].unstack("subject")  # (contrast x set, S)
    names = stacked.drop_duplicates("key").set_index("key")["set"]  # in order of first appearance
    rows = []
    for contrast in stacked["contrast"].drop_duplicates():
        keys = stacked.loc[stacked["contrast"] == contrast, "key"].drop_duplicates()
        values = wide.loc[contrast].reindex(keys).to_numpy(dtype=float)  # (G, S), NaN where a subject lacks it
        n = np.isfinite(values).sum(axis=1).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a set with fewer than two subjects: NaN
            mean = np.nanmean(values, axis=1)
            se = np.nanstd(values, axis=1, ddof=1) / np.sqrt(n)
            t_stat = np.where(n >= 2, mean / se, np.nan)
        dof = np.where(n >= 2, n - 1, np.nan)
        p = 2.0 * stats.t.sf(np.abs(t_stat), dof)
        table = _table(pd.Index(names.loc[keys].tolist(), tupleize_cols=False), contrast,
                       mean, se, t_stat, dof, p, alpha)
        table["n_subjects"] = n.astype(int)
        rows.append(table)
    return pd.concat(rows, ignore_index=True)
