"""The performance model's design: which columns (terms) it has, the one-hot design matrix of
a frame of posts or ideas, and concluded content tests turned into evidence on those terms."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..schema import FORMATS, PLATFORMS

__all__: list[str] = []

_PRIOR_SD = {
    "platform": None,  # unpenalised: each platform has its own level
    # weakly informative (log reach per year): identified trends are barely moved, and a
    # platform whose posts all fall in one sprint gets no trend instead of a singular fit
    "trend": 1.0,
    "format": 1.0,  # weakly informative: a format main effect is rarely beyond e^{+-2}
    "pillar": 1.0,
    "hour": 0.5,
    "weekday": 0.5,
    "age": 1.0,
    "pf": 0.3,  # platform x format: start value, re-estimated (empirical Bayes)
    "pfp": 0.3,  # platform x format x pillar: start value, re-estimated
}


def _columns(levels: Mapping[str, Sequence[str]], *, with_controls: bool, with_trend: bool):
    cols: list[tuple[str, str]] = []
    cols += [("platform", p) for p in levels["platform"]]
    if with_trend:
        cols += [("trend", p) for p in levels["platform"]]
    cols += [("format", f) for f in levels["format"]]
    cols += [("pf", x) for x in levels["pf"]]
    if "pillar" in levels:
        cols += [("pillar", k) for k in levels["pillar"]]
        cols += [("pfp", x) for x in levels["pfp"]]
    if with_controls:
        cols += [("hour", h) for h in levels["hour"]]
        cols += [("weekday", d) for d in levels["weekday"]]
    if "age" in levels:
        cols += [("age", a) for a in levels["age"]]
    return cols


def _design(frame: pd.DataFrame, cols: list[tuple[str, str]], ref_month: int | None = None):
    """One-hot design matrix of ``frame`` on ``cols`` (a level not in ``cols`` gets no column);
    with ``ref_month`` (:func:`_month_ordinal`), the per-platform trend in years from it."""
    n = len(frame)
    index = {c: j for j, c in enumerate(cols)}
    X = np.zeros((n, len(cols)))
    plat = frame["platform"].to_numpy(str)
    fmt = frame["format"].to_numpy(str)
    keys = {
        "platform": plat,
        "format": fmt,
        "pf": np.char.add(np.char.add(plat, "|"), fmt),
    }
    if "pillar" in frame:
        pil = frame["pillar"].to_numpy(str)
        keys["pillar"] = pil
        keys["pfp"] = np.char.add(np.char.add(keys["pf"], "|"), pil)
    if "hour_bin" in frame:
        keys["hour"] = frame["hour_bin"].to_numpy(str)
        keys["weekday"] = frame["weekday"].to_numpy(str)
    if "age_bin" in frame:
        keys["age"] = frame["age_bin"].to_numpy(str)
    rows = np.arange(n)
    for g, vals in keys.items():
        j = np.array([index.get((g, v), -1) for v in vals], dtype=int)
        X[rows[j >= 0], j[j >= 0]] = 1.0
    if ref_month is not None and "sprint" in frame:
        months = _month_ordinal(frame["sprint"]) - ref_month
        j = np.array([index.get(("trend", p), -1) for p in plat], dtype=int)
        X[rows[j >= 0], j[j >= 0]] = months[j >= 0] / 12.0  # per year
    return X


def _month_ordinal(months: pd.Series | str) -> Any:
    """Months (``YYYY-MM``) as consecutive integers, so that differences count months."""
    if isinstance(months, str):
        return int(pd.Period(months, freq="M").ordinal)
    return pd.PeriodIndex(months.astype(str), freq="M").asi8.astype(float)


def _contrast_vector(cols: list[tuple[str, str]], platform: str, a: str, b: str) -> np.ndarray:
    c = np.zeros(len(cols))
    idx = {x: j for j, x in enumerate(cols)}
    for sign, f in ((1.0, a), (-1.0, b)):
        for key in (("format", f), ("pf", f"{platform}|{f}")):
            if key in idx:
                c[idx[key]] += sign
    return c


def _records(experiments: Any) -> list:
    """Concluded test results as a list of records (from an analysis, a frame or records)."""
    if experiments is None:
        return []
    if hasattr(experiments, "to_frame") and not isinstance(experiments, pd.DataFrame):
        experiments = experiments.to_frame()
    if isinstance(experiments, pd.DataFrame):
        return experiments.to_dict("records")
    return list(experiments)


def _experiment_terms(
    experiments: Any, columns: list[tuple[str, str]]
) -> tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray, np.ndarray] | None, dict]:
    from scipy import stats

    if experiments is None:
        return pd.DataFrame(columns=["id", "use", "why"]), None, {}
    z = float(stats.norm.ppf(0.975))
    log, C, t, v, notes = [], [], [], [], {}
    for r in _records(experiments):
        if not isinstance(r, Mapping) or "id" not in r:
            raise ParameterError(
                "experiments: every record needs at least 'id', 'effect', 'ci_low', 'ci_high' "
                "(ExperimentsAnalysis.records() or .to_frame() give them)."
            )
        rid = str(r["id"])
        try:
            eff, lo, hi = (float(r.get(k)) for k in ("effect", "ci_low", "ci_high"))
        except (TypeError, ValueError):
            eff = lo = hi = float("nan")
        if r.get("decision") == "not analysed" or r.get("status") in ("planned", "running"):
            log.append({"id": rid, "use": "ignored", "why": "not a concluded, analysed test"})
            continue
        if not all(np.isfinite([eff, lo, hi])) or min(eff, lo, hi) <= 0 or hi <= lo:
            log.append({"id": rid, "use": "ignored", "why": "no finite effect and interval"})
            continue
        if r.get("metric") not in (None, "engagements") and not pd.isna(r.get("metric")):
            log.append({"id": rid, "use": "ignored", "why": f"metric {r.get('metric')!r} is not engagements"})  # fmt: skip
            continue
        var = ((math.log(hi) - math.log(lo)) / (2 * z)) ** 2
        base, var_name, plat = r.get("baseline"), r.get("variant"), r.get("platform")
        if base in FORMATS and var_name in FORMATS and plat in PLATFORMS:
            c = _contrast_vector(columns, str(plat), str(var_name), str(base))
            if np.any(c != 0):
                C.append(c)
                t.append(math.log(eff))
                v.append(var)
                log.append(
                    {"id": rid, "use": f"format contrast {plat}: {var_name} vs {base}",
                     "why": f"effect {eff:.2f} ({lo:.2f} to {hi:.2f}) added as an observation"}
                )  # fmt: skip
                continue
        notes[rid] = (math.log(eff), var)
        log.append(
            {"id": rid, "use": "ideas whose notes name it",
             "why": f"predicted rate multiplied by {eff:.2f} ({lo:.2f} to {hi:.2f})"}
        )  # fmt: skip
    pseudo = (np.array(C), np.array(t), np.array(v)) if C else None
    return pd.DataFrame(log, columns=["id", "use", "why"]), pseudo, notes
