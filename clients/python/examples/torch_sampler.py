"""PyTorch example: a batch sampler whose batches follow the mixture `adomix serve` schedules.

Run it from the repository root against a server:

    node dist/src/cli/main.js serve --port 8470 --state /tmp/adomix-state &     # or: adomix serve
    python3 clients/python/examples/torch_sampler.py --url http://127.0.0.1:8470 --steps 200 --ranks 2

A small MLP learns four synthetic regression domains generated here (offline, seeded):
`linear` (easy), `noisy` (mostly irreducible noise), `sine` and `product` (harder). Each step,
every (simulated) data-parallel rank's `AdomixBatchSampler` fetches the weights of that step,
draws its batch's domain composition from them with its own seeded generator and yields the
example indices; after the optimiser step every rank reports its per-domain loss sums and
counts (losses with reduction='none'). The run has lag 1, so the weights of a step are there
as soon as the step before was reported; should they not be, the sampler goes on with
`WeightsNotReady.latest`. Without torch it prints that torch is not installed and exits 0.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from adomix_client import AdomixClient, WeightsNotReady  # noqa: E402

try:
    import torch
    import torch.nn.functional as F
    from torch.utils.data import DataLoader, Sampler, TensorDataset
except ImportError:
    torch = None
    Sampler = object

DOMAINS = ["linear", "noisy", "sine", "product"]
SIZES = [4096, 4096, 2048, 2048]
DIM = 8


class AdomixBatchSampler(Sampler):
    """Yields `steps` batches of `batch_size` dataset indices; the domains of batch t are drawn from adomix's weights for step t.

    `pools[k]`: the dataset indices of `domains[k]`. `wait`: seconds to wait for the weights
    (0 with lag >= 1: they are there, or the latest ones are used).
    """

    def __init__(self, client, run, domains, pools, batch_size, steps, seed=0, start_step=0, wait=0.0):
        self.client, self.run, self.domains, self.pools = client, run, list(domains), pools
        self.batch_size, self.steps, self.start_step, self.wait = batch_size, steps, start_step, wait
        self.generator = torch.Generator().manual_seed(seed)
        self.fallbacks = 0
        self.drawn = torch.zeros(len(self.domains), dtype=torch.long)

    def __len__(self):
        return self.steps

    def __iter__(self):
        for step in range(self.start_step, self.start_step + self.steps):
            try:
                w = self.client.weights(self.run, step, wait=self.wait)
            except WeightsNotReady as err:
                w = err.latest
                self.fallbacks += 1
            share = dict(zip(w.domains, w.weights))
            p = torch.tensor([share.get(name, 0.0) for name in self.domains], dtype=torch.float64)
            which = torch.multinomial(p, self.batch_size, replacement=True, generator=self.generator)
            n = torch.bincount(which, minlength=len(self.domains))
            self.drawn += n
            batch = [pool[torch.randint(len(pool), (int(n[k]),), generator=self.generator)] for k, pool in enumerate(self.pools) if n[k] > 0]
            yield torch.cat(batch).tolist()


def make_domain(kind, n, task, draw):
    """n examples (x, y) of one synthetic task; `task` seeds the task itself, `draw` the examples."""
    w = torch.randn(DIM, generator=torch.Generator().manual_seed(task)) / math.sqrt(DIM)
    g = torch.Generator().manual_seed(draw)
    x = torch.randn(n, DIM, generator=g)
    noise = torch.randn(n, generator=g)
    if kind == "linear":
        y = x @ w + 0.05 * noise
    elif kind == "noisy":
        y = 0.5 * (x @ w) + 1.0 * noise
    elif kind == "sine":
        y = torch.sin(2.5 * (x @ w)) + 0.05 * noise
    else:
        y = x[:, 0] * x[:, 1] - x[:, 2] * x[:, 3] + 0.5 * x[:, 4] * x[:, 5] + 0.05 * noise
    return x, y


def make_data(n_per_domain, seed, draw):
    """Inputs (x, one-hot domain), targets and domain ids of all domains, concatenated."""
    xs, ys, ds = [], [], []
    for k, (kind, n) in enumerate(zip(DOMAINS, n_per_domain)):
        x, y = make_domain(kind, n, seed * 100 + k, seed * 100 + 10 * draw + k + 50)
        onehot = torch.zeros(n, len(DOMAINS))
        onehot[:, k] = 1
        xs.append(torch.cat([x, onehot], 1))
        ys.append(y)
        ds.append(torch.full((n,), k, dtype=torch.long))
    return torch.cat(xs), torch.cat(ys), torch.cat(ds)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default=os.environ.get("ADOMIX_URL", "http://127.0.0.1:8470"), help="the server (default: $ADOMIX_URL)")
    ap.add_argument("--token", default=os.environ.get("ADOMIX_TOKEN"), help="bearer token (default: $ADOMIX_TOKEN)")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--ranks", type=int, default=1, help="simulated data-parallel ranks, each with its own sampler")
    ap.add_argument("--batch-size", type=int, default=64, help="examples per rank and step")
    ap.add_argument("--run", default=None, help="run id (default: torch-example-<random>)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if torch is None:
        print("torch is not installed: this PyTorch example needs it (pip install torch)")
        return 0
    torch.manual_seed(args.seed)
    run = args.run or "torch-example-" + uuid.uuid4().hex[:8]
    K = len(DOMAINS)

    x, y, d = make_data(SIZES, args.seed, draw=0)
    x_eval, y_eval, d_eval = make_data([512] * K, args.seed, draw=1)  # held out: the same tasks, new examples
    dataset = TensorDataset(x, y, d)
    pools = [torch.nonzero(d == k).squeeze(1) for k in range(K)]

    client = AdomixClient(args.url, token=args.token)
    # ADO's refit schedule scaled down to a short run: fit the learning curves after step `start`
    # and every `start` steps, on every 2nd step's losses, applied 5 steps later.
    start = max(30, args.steps // 4)
    policy = {"kind": "ado", "startStep": start, "ignoreSteps": 5, "refitInterval": start, "lag": 5, "minPoints": 12, "fit": {"subsample": 2}}
    client.create_run(run, DOMAINS, prior=[n / sum(SIZES) for n in SIZES], policy=policy, ranks=args.ranks, lag=1)

    samplers = [AdomixBatchSampler(client, run, DOMAINS, pools, args.batch_size, args.steps, seed=args.seed * 1009 + r) for r in range(args.ranks)]
    loaders = [DataLoader(dataset, batch_sampler=s) for s in samplers]
    model = torch.nn.Sequential(torch.nn.Linear(DIM + K, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)

    for step, parts in enumerate(zip(*loaders)):
        xb, yb = torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])
        losses = F.mse_loss(model(xb).squeeze(1), yb, reduction="none")
        opt.zero_grad()
        losses.mean().backward()  # the mean over all ranks' examples, as DDP's averaged gradient
        opt.step()
        losses = losses.detach().double()
        offset = 0
        for rank, (_, _, dr) in enumerate(parts):
            part = losses[offset:offset + len(dr)]
            offset += len(dr)
            loss_sum = torch.zeros(K, dtype=torch.float64).index_add_(0, dr, part)
            client.report(run, step, rank, torch.bincount(dr, minlength=K), loss_sum=loss_sum)

    with torch.no_grad():
        eval_losses = F.mse_loss(model(x_eval).squeeze(1), y_eval, reduction="none")
    status = client.status(run)
    drawn = sum(s.drawn for s in samplers).double()
    fitted = sum(1 for law in (status["laws"] or []) if law is not None)
    print("adomix run %s: %d steps applied, %d rank(s), policy %s (laws fitted: %d of %d)" % (run, status["applied"] + 1, args.ranks, status["policy"], fitted, K))
    print("%-8s %8s %8s %10s" % ("domain", "weight", "drawn", "eval loss"))
    for k, name in enumerate(DOMAINS):
        print("%-8s %8.3f %8.3f %10.4f" % (name, status["weights"][k], drawn[k] / drawn.sum(), eval_losses[d_eval == k].mean()))
    print("mean eval loss %.4f; fell back to the latest weights %d time(s)" % (eval_losses.mean(), sum(s.fallbacks for s in samplers)))
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
