"""Generate seeded synthetic input CSVs for the R `psych` golden reference files.

Run with:  /work/main/.venv/bin/python tests/golden/make_inputs.py
(numpy only; writes next to this file; missing values are written as ``NA``).

Files written
-------------
wai_s_items.csv   300 x 12 (item1..item12), 1..7, items 4 and 10 stored reversed,
                  ~8 % MCAR missing + 3 sparse rows (1-2 answers) + 1 all-missing row.
wai_sr_items.csv  300 x 12 (item1..item12), 1..5, no reversed items, ~8 % missing.
wai_c_items.csv   250 x 36 (item1..item36), 1..7, reversed items stored reversed
                  (1,3,7,9,10,11,12,15,20,27,29,31,33,34), ~6 % missing.
icc_ratings.csv   40 targets x 4 raters (rater1..rater4), complete, 1 decimal.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent
SEED = 20240611


def likert(rng, n_rows, n_items, lo, hi, loading, reversed_items=(), miss_rate=0.0):
    """Latent one-factor Likert data; returns float array with NaN for missing."""
    mid = (lo + hi) / 2.0
    latent = rng.standard_normal(n_rows)[:, None]
    noise = rng.standard_normal((n_rows, n_items))
    x = np.clip(np.round(mid + loading * latent + noise), lo, hi).astype(float)
    for j in reversed_items:  # 1-based item numbers, stored reversed on the form
        x[:, j - 1] = lo + hi - x[:, j - 1]
    if miss_rate > 0:
        mask = rng.random((n_rows, n_items)) < miss_rate
        x[mask] = np.nan
    return x


def make_sparse(rng, x, rows, all_missing_row):
    """Rows in `rows` keep only 1-2 answered items; `all_missing_row` becomes all NA."""
    n_items = x.shape[1]
    for r, k in zip(rows, [1, 2, 1], strict=False):
        keep = rng.choice(n_items, size=k, replace=False)
        original = x[r].copy()
        x[r] = np.nan
        # if the kept cells were already missing, fill with a valid midpoint value
        x[r, keep] = np.where(
            np.isnan(original[keep]), 4.0 if np.nanmax(x) > 5 else 3.0, original[keep]
        )
    x[all_missing_row] = np.nan
    return x


def write_csv(path, x, prefix):
    n_cols = x.shape[1]
    header = ",".join(f"{prefix}{j + 1}" for j in range(n_cols))
    with open(path, "w", newline="\n") as fh:
        fh.write(header + "\n")
        for row in x:
            cells = []
            for v in row:
                if np.isnan(v):
                    cells.append("NA")
                elif float(v).is_integer():
                    cells.append(str(int(v)))
                else:
                    cells.append(f"{v:.1f}")
            fh.write(",".join(cells) + "\n")


def main():
    rng = np.random.default_rng(SEED)

    # WAI-S: 1..7, items 4 and 10 reversed on the form
    wai_s = likert(rng, 300, 12, 1, 7, 1.2, reversed_items=(4, 10), miss_rate=0.08)
    wai_s = make_sparse(rng, wai_s, rows=[10, 50, 150], all_missing_row=200)
    write_csv(OUT / "wai_s_items.csv", wai_s, "item")

    # WAI-SR: 1..5, no reversed items
    wai_sr = likert(rng, 300, 12, 1, 5, 0.9, miss_rate=0.08)
    write_csv(OUT / "wai_sr_items.csv", wai_sr, "item")

    # WAI-C (36 items): 1..7
    wai_c_rev = (1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34)
    wai_c = likert(rng, 250, 36, 1, 7, 1.2, reversed_items=wai_c_rev, miss_rate=0.06)
    write_csv(OUT / "wai_c_items.csv", wai_c, "item")

    # ICC: 40 targets x 4 raters: target effect + rater bias + noise, 1 decimal
    target = rng.normal(5.0, 1.5, size=(40, 1))
    bias = np.array([[0.0, 0.4, -0.3, 0.2]])
    noise = rng.normal(0.0, 0.7, size=(40, 4))
    ratings = np.round(target + bias + noise, 1)
    write_csv(OUT / "icc_ratings.csv", ratings, "rater")

    print("wrote", [p.name for p in sorted(OUT.glob("*.csv"))])


if __name__ == "__main__":
    main()
