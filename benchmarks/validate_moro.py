"""Cross-validate the ideation model family on the UCI Facebook metrics data (Moro et al. 2016).

Moro, Rita & Vala (2016, J. Business Research 69(9)) modelled 12 performance metrics of 500 posts
of a cosmetics brand's Facebook Page from the features known before publishing (page total likes,
type, category, month, weekday, hour, paid) and report a mean absolute percentage error (MAPE) of
about 27% for their best models, with post type the most relevant input.

This script fits the socialnb ideation model family to the same inputs: a penalised negative
binomial regression (``socialnb._model.fit_penalised``) with ``log(page total likes)`` as the
exposure offset (the follower count), type (the "format") under a fixed weakly informative prior,
type x category combinations pooled by empirical Bayes (as platform:format:pillar in ideation),
hour-of-day bins, weekday, month and paid as controls. It reports, with seeded 10-fold
cross-validation, the MAPE of the model's predictive median and mean next to the paper's 27% and
a naive baseline (the training folds' median), for four outcomes. Posts with a zero outcome are
left out of MAPE (it is undefined there); the count is printed.

Reproduce (from the project root)::

    .venv/bin/python benchmarks/validate_moro.py

It prints a Markdown table (the one in BENCHMARKS.md, "Model validation").
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from socialnb import _model  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets" / "facebook_metrics" / "dataset_Facebook.csv"
OUTCOMES = (
    "Total Interactions",
    "Lifetime Post Consumers",
    "Lifetime Engaged Users",
    "Lifetime Post Total Reach",
)
SEED = 20160901
FOLDS = 10
PAPER_MAPE = 0.27


def _hour_bin(h: pd.Series) -> pd.Series:
    return pd.cut(h, [-1, 5, 10, 14, 18, 24], labels=["night", "morning", "midday", "afternoon",
                                                      "evening"]).astype(str)  # fmt: skip


def design(d: pd.DataFrame) -> tuple[np.ndarray, list[str], list[str]]:
    """One-hot design with a group name per column (the groups carry the priors)."""
    parts: list[tuple[str, pd.Series]] = [
        ("format", d["Type"].str.lower()),
        ("pfp", d["Type"].str.lower() + "|cat" + d["Category"].astype(str)),
        ("pillar", "cat" + d["Category"].astype(str)),
        ("hour", _hour_bin(d["Post Hour"])),
        ("weekday", d["Post Weekday"].astype(str)),
        ("month", d["Post Month"].astype(str)),
        ("paid", d["Paid"].fillna(0).astype(int).astype(str)),
    ]
    cols, groups, names = [np.ones((len(d), 1))], ["platform"], ["intercept"]
    for g, s in parts:
        dummies = pd.get_dummies(s, dtype=float)
        cols.append(dummies.to_numpy())
        groups += [g] * dummies.shape[1]
        names += [f"{g}:{c}" for c in dummies.columns]
    return np.hstack(cols), groups, names


PRIOR_SD = {"platform": None, "format": 1.0, "pillar": 1.0, "pfp": 0.3, "hour": 0.5,
            "weekday": 0.5, "month": 0.5, "paid": 1.0}  # fmt: skip


def nb_median(mu: np.ndarray, alpha: float) -> np.ndarray:
    n = 1.0 / alpha
    return stats.nbinom.median(n, n / (n + mu))


def cross_validate(d: pd.DataFrame, outcome: str) -> dict:
    d = d.dropna(subset=[outcome]).reset_index(drop=True)
    X, groups, _ = design(d)
    y = d[outcome].to_numpy(float)
    offset = np.log(d["Page total likes"].to_numpy(float))
    folds = np.random.default_rng(SEED).permutation(len(d)) % FOLDS
    pred_med, pred_mean, base = (np.zeros(len(d)) for _ in range(3))
    for k in range(FOLDS):
        tr, te = folds != k, folds == k
        fit = _model.fit_penalised(
            y[tr], X[tr], groups, PRIOR_SD, family="nb", offset=offset[tr], eb_groups=("pfp",)
        )
        mu = np.exp(X[te] @ fit.coef + offset[te])
        pred_mean[te] = mu
        pred_med[te] = nb_median(mu, fit.alpha)
        base[te] = np.median(y[tr])
    pos = y > 0

    def mape(p):
        return float(np.mean(np.abs(y[pos] - p[pos]) / y[pos]))

    def mdape(p):
        return float(np.median(np.abs(y[pos] - p[pos]) / y[pos]))

    return {
        "outcome": outcome,
        "posts": int(pos.sum()),
        "zeros left out": int((~pos).sum()),
        "MAPE model (predictive median)": mape(pred_med),
        "MAPE model (mean)": mape(pred_mean),
        "MAPE naive (training median)": mape(base),
        "MdAPE model (predictive median)": mdape(pred_med),
        "MdAPE naive": mdape(base),
        "Moro et al. 2016 best": PAPER_MAPE,
    }


def main() -> pd.DataFrame:
    d = pd.read_csv(DATA, sep=";")
    rows = [cross_validate(d, o) for o in OUTCOMES]
    table = pd.DataFrame(rows)
    fmt = table.copy()
    for c in fmt.columns:
        if c.startswith(("MAPE", "MdAPE", "Moro")):
            fmt[c] = (100 * fmt[c]).map("{:.1f}%".format)
    print(f"{FOLDS}-fold CV (seed {SEED}), {DATA.name}, {len(d)} posts\n")
    cells = [list(map(str, fmt.columns))] + fmt.astype(str).to_numpy().tolist()
    print("| " + " | ".join(cells[0]) + " |")
    print("|" + "---|" * len(cells[0]))
    for row in cells[1:]:
        print("| " + " | ".join(row) + " |")
    return table


if __name__ == "__main__":
    main()
