"""Like-for-like validation of the ideation model family on the UCI Facebook metrics data.

Moro, Rita & Vala (2016, J. Business Research 69(9)) predicted 12 performance metrics of 500 posts
of a cosmetics brand's Facebook Page from the 7 inputs known before posting (page total likes,
type, category, month, weekday, hour, paid), scored with the mean absolute percentage error
(MAPE) under repeated 10-fold cross-validation. This script follows that protocol as far as the
public file allows:

* inputs: the same 7, nothing known only after posting;
* outputs: all 12 (the 7 lifetime metrics, comment, like, share, total interactions, and the
  lifetime reach/impressions by people who like the Page);
* repeated seeded 10-fold cross-validation (``REPEATS`` x 10 folds);
* MAPE over the posts whose outcome is above 0 (it is undefined at 0; the count is printed).

Per output it reports three forecasters, each scored with a point forecast fit for MAPE (the
MAPE-optimal point of a distribution is its median under weights 1/y, not its mean or median):

* **model**: the project's penalised negative binomial regression
  (``socialnb._model.fit_penalised``, as in ideation: log page likes as the exposure offset, type
  under a weakly informative prior, type x category pooled by empirical Bayes, hour bin, weekday,
  month, paid); its point is the predicted mean times the MAPE-optimal multiplier of the
  training folds (the 1/y-weighted median of y / predicted mean);
* **model (NB point)**: the same fit, with the 1/y-weighted median of its own NB2 predictive
  distribution (for shape k = 1/alpha > 1 the median of Gamma(k - 1, mu / k); with k <= 1 the
  weighted mass piles up at the smallest positive count, 1: the fitted NB is then too
  dispersed for this point to be useful);
* **constant**: the training folds' 1/y-weighted median (the best constant for MAPE);
* **boosting**: scikit-learn's ``HistGradientBoostingRegressor`` with absolute-error loss and
  sample weights 1/y (which is exactly MAPE), type as a categorical feature.

The paper's own per-output figures are not in the data set's files and are not reproduced here;
the data set's readme only says "about 27% for its best models". So no paper figure is set beside
any output.

Reproduce (from the project root; needs scikit-learn, the ``bench`` extra; a few minutes)::

    .venv/bin/python benchmarks/validate_moro.py

It prints the Markdown table in BENCHMARKS.md ("Model validation").
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one thread: the machine is shared, fits are small

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from socialnb import _model  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets" / "facebook_metrics" / "dataset_Facebook.csv"
INPUTS = ("Page total likes", "Type", "Category", "Post Month", "Post Weekday", "Post Hour", "Paid")
OUTCOMES = (
    "Lifetime Post Total Reach",
    "Lifetime Post Total Impressions",
    "Lifetime Engaged Users",
    "Lifetime Post Consumers",
    "Lifetime Post Consumptions",
    "Lifetime Post Impressions by people who have liked your Page",
    "Lifetime Post reach by people who like your Page",
    "Lifetime People who have liked your Page and engaged with your post",
    "comment",
    "like",
    "share",
    "Total Interactions",
)
SEED = 20160901
FOLDS = 10
REPEATS = 3


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


def nb_mape_point(mu: np.ndarray, alpha: float) -> np.ndarray:
    """The MAPE-optimal point of NB2(mu, alpha): the median under weights 1/y (gamma part)."""
    k = 1.0 / alpha
    if k <= 1.0:
        return np.ones_like(mu)
    return np.maximum(stats.gamma.median(k - 1.0, scale=mu / k), 1.0)


def weighted_median(y: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(y)
    cw = np.cumsum(w[order])
    return float(y[order][np.searchsorted(cw, cw[-1] / 2)])


def _boosting(seed: int):
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(
        loss="absolute_error",
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=10,
        categorical_features=[1],
        random_state=seed,
    )


def _tabular(d: pd.DataFrame) -> np.ndarray:
    x = d[list(INPUTS)].copy()
    x["Type"] = x["Type"].astype("category").cat.codes
    return x.fillna(0).to_numpy(float)


def cross_validate(
    d: pd.DataFrame, outcome: str, *, folds: int = FOLDS, repeats: int = REPEATS, seed: int = SEED
) -> dict:
    """MAPE (over y > 0) of the model, the constant and boosting, pooled over the repeats."""
    d = d.dropna(subset=[outcome, *INPUTS]).reset_index(drop=True)
    X, groups, _ = design(d)
    T = _tabular(d)
    y = d[outcome].to_numpy(float)
    offset = np.log(d["Page total likes"].to_numpy(float))
    pos = y > 0
    errs: dict[str, list[float]] = {"model": [], "model (NB point)": [], "constant": [],
                                    "boosting": []}  # fmt: skip
    for r in range(repeats):
        fold = np.random.default_rng(seed + r).permutation(len(d)) % folds
        pred = {k: np.zeros(len(d)) for k in errs}
        for k in range(folds):
            tr, te = fold != k, fold == k
            fit = _model.fit_penalised(
                y[tr], X[tr], groups, PRIOR_SD, family="nb", offset=offset[tr], eb_groups=("pfp",)
            )
            mu = np.exp(X[te] @ fit.coef + offset[te])
            pred["model (NB point)"][te] = nb_mape_point(mu, fit.alpha)
            trp = tr & pos
            mu_tr = np.exp(X[trp] @ fit.coef + offset[trp])
            scale = weighted_median(y[trp] / mu_tr, 1.0 / y[trp])
            pred["model"][te] = mu * scale
            pred["constant"][te] = weighted_median(y[trp], 1.0 / y[trp])
            gb = _boosting(seed + r).fit(T[trp], y[trp], sample_weight=1.0 / y[trp])
            pred["boosting"][te] = gb.predict(T[te])
        for name in errs:
            errs[name].append(float(np.mean(np.abs(y[pos] - pred[name][pos]) / y[pos])))
    out = {"outcome": outcome, "posts": int(pos.sum()), "zeros left out": int((~pos).sum())}
    for name, v in errs.items():
        out[f"MAPE {name}"] = float(np.mean(v))
    out["model beats constant"] = out["MAPE model"] < out["MAPE constant"]
    out["model beats boosting"] = out["MAPE model"] < out["MAPE boosting"]
    return out


def main() -> pd.DataFrame:
    warnings.simplefilter("ignore", UserWarning)  # joblib's delayed-without-Parallel notice
    t0 = time.perf_counter()
    d = pd.read_csv(DATA, sep=";")
    table = pd.DataFrame([cross_validate(d, o) for o in OUTCOMES])
    fmt = table.copy()
    for c in fmt.columns:
        if c.startswith("MAPE"):
            fmt[c] = (100 * fmt[c]).map("{:.1f}%".format)
        if c.startswith("model beats"):
            fmt[c] = fmt[c].map({True: "yes", False: "no"})
    print(f"{REPEATS} x {FOLDS}-fold CV (seeds {SEED}..{SEED + REPEATS - 1}), {DATA.name}, "
          f"{len(d)} posts, 7 inputs known before posting, MAPE over y > 0\n")  # fmt: skip
    cells = [list(map(str, fmt.columns))] + fmt.astype(str).to_numpy().tolist()
    print("| " + " | ".join(cells[0]) + " |")
    print("|" + "---|" * len(cells[0]))
    for row in cells[1:]:
        print("| " + " | ".join(row) + " |")
    wins = int(table["model beats constant"].sum())
    print(f"\nmodel beats the constant on {wins} of {len(table)} outputs, boosting on "
          f"{int(table['model beats boosting'].sum())}; {time.perf_counter() - t0:.0f} s")  # fmt: skip
    return table


if __name__ == "__main__":
    main()
