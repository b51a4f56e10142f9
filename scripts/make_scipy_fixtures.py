"""Golden values for adomix's tests, computed with SciPy (run by hand; output committed).

    python3 scripts/make_scipy_fixtures.py > test/fixtures/scipy.json

- savgol: scipy.signal.savgol_filter (mode='interp', the default) on fixed noisy series.
- adoReference: the ADO reference fit (DESIGN.md): SUM of Huber(delta=1e-3) of
  logsumexp(a - alpha*log n, e) - log y, plus the unscaled linear penalties, minimised by
  L-BFGS-B (tolerance 1e-5, 200 iterations) from the reference's 512-start grid; the best
  objective wins. adomix must reach an objective no worse than this.
"""
import json
import numpy as np
from scipy.optimize import minimize
from scipy.signal import savgol_filter
from scipy.special import logsumexp

rng = np.random.default_rng(20261123)
out = {"savgol": [], "adoReference": []}

for length, window, order in [(300, 101, 3), (60, 59, 3), (7, 7, 3), (12, 5, 2)]:
    t = np.arange(length, dtype=float)
    y = 3.0 + 2.0 * (t + 1.0) ** -0.4 + 0.05 * rng.standard_normal(length)
    out["savgol"].append({
        "window": window, "order": order, "y": y.tolist(),
        "smoothed": savgol_filter(y, window_length=window, polyorder=order).tolist(),
    })

def objective(p, logn, logy):
    a, e, alpha = p
    pred = logsumexp(np.stack([a - alpha * logn, np.full_like(logn, e)]), axis=0)
    r = np.abs(pred - logy)
    delta = 1e-3
    hub = np.where(r <= delta, 0.5 * r * r, delta * (r - 0.5 * delta))
    pen = max(0, alpha - 0.8) + max(0, 0.001 - alpha) + max(0, a - 6.5) + max(0, 0.5 - e)
    return hub.sum() + pen

cases = [
    ("eps2.5", 2.5, 40.0, 0.45, 0.01, 200),
    ("eps1.0", 1.0, 30.0, 0.35, 0.01, 200),
    ("eps3.2-slow", 3.2, 6.0, 0.15, 0.02, 150),
]
for name, eps, beta, alpha, noise, points in cases:
    n = 32.0 * (1000 + 10 * np.arange(points))
    y = (eps + beta * n ** -alpha) * np.exp(noise * rng.standard_normal(points))
    logn, logy = np.log(n), np.log(y)
    best = None
    for a0 in range(-2, 6):
        for e0 in np.arange(-2, 2, 0.5):
            for al0 in np.arange(0, 0.8, 0.1):
                res = minimize(objective, [a0, e0, al0], args=(logn, logy), method="L-BFGS-B",
                               tol=1e-5, options={"maxiter": 200})
                if np.all(np.isfinite(res.x)) and (best is None or res.fun < best.fun):
                    best = res
    out["adoReference"].append({
        "name": name, "n": n.tolist(), "loss": y.tolist(),
        "truth": {"epsilon": eps, "beta": beta, "alpha": alpha},
        "objective": float(best.fun), "a": float(best.x[0]), "e": float(best.x[1]),
        "alpha": float(best.x[2]),
    })

print(json.dumps(out))
