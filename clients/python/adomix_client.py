"""adomix_client: the Python client of ``adomix serve`` (one file, standard library only, Python >= 3.9).

    from adomix_client import AdomixClient, WeightsNotReady

    with AdomixClient("http://127.0.0.1:8470") as client:
        client.create_run("run-1", domains, prior=prior, ranks=8, lag=1)
        for step in range(steps):
            w = client.weights("run-1", step)                          # draw the batch with w.weights
            client.report("run-1", step, rank, count, loss_sum=sums)   # what the batch cost

Reports are idempotent: a retry resends the same report and the server answers
``duplicate``; ``report`` retries on connection errors itself. Each client keeps one
keep-alive connection and reopens it when the server has dropped it; its calls are
serialised, so give each thread its own client for calls in parallel.
"""
from __future__ import annotations

import http.client
import json
import math
import re
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional
from urllib.parse import quote, urlsplit

__all__ = ["AdomixClient", "AdomixHTTPError", "WeightsNotReady", "StepWeights"]

# What a dropped or refused connection raises (ConnectionError, BrokenPipeError and
# socket.timeout are OSErrors; RemoteDisconnected and BadStatusLine are HTTPExceptions).
_CONNECTION_ERRORS = (OSError, http.client.HTTPException)


class AdomixHTTPError(Exception):
    """A non-2xx answer: ``status`` (the HTTP status) and ``body`` (the server's ``{"error": ...}``)."""

    def __init__(self, status: int, body: Dict[str, Any], what: str):
        self.status = status
        self.body = body
        self.what = what
        super().__init__("%s: HTTP %d: %s" % (what, status, body.get("error", json.dumps(body))))

    @property
    def error(self) -> str:
        """The server's message (it names the field that was wrong)."""
        return str(self.body.get("error", ""))


@dataclass(frozen=True)
class StepWeights:
    """The mixture of one step: ``weights[k]`` is the share of ``domains[k]``.

    ``based_on`` is the step whose policy output the weights are (-1: the initial mixture).
    """

    step: int
    based_on: int
    domains: List[str]
    weights: List[float]

    @classmethod
    def from_json(cls, value: Dict[str, Any]) -> "StepWeights":
        return cls(int(value["step"]), int(value["basedOn"]), list(value["domains"]), [float(x) for x in value["weights"]])


class WeightsNotReady(AdomixHTTPError):
    """The weights of the step were not ready in time (503 ``not_ready``); ``latest`` holds the newest ones, to go on with."""

    @property
    def latest(self) -> StepWeights:
        return StepWeights.from_json(self.body["latest"])


def _plain(values: Any) -> list:
    """A list of Python scalars from a list, tuple, numpy array or torch tensor (any device)."""
    if hasattr(values, "tolist"):
        values = values.tolist()
    return [x.item() if hasattr(x, "item") else x for x in values]


def _losses(values: Any) -> Optional[list]:
    """Floats, with None (JSON null) for None, NaN and infinities."""
    if values is None:
        return None
    return [None if x is None or not math.isfinite(float(x)) else float(x) for x in _plain(values)]


def _counts(values: Any) -> list:
    """Integers where the value is integral (3.0 -> 3); anything else goes as it is, for the server to refuse."""
    out = []
    for x in _plain(values):
        if isinstance(x, float):
            x = int(x) if x.is_integer() else (x if math.isfinite(x) else None)
        out.append(x)
    return out


def _camel(key: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key)


class AdomixClient:
    """A client of one ``adomix serve`` server.

    ``url``: the server, e.g. ``http://127.0.0.1:8470`` (https works too). ``token``: sent as
    ``Authorization: Bearer <token>``. ``timeout``: seconds a request may take (a ``weights``
    call gets its wait on top). ``retries``: how often ``report`` retries after a connection
    error, 0.2 s apart.
    """

    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 30.0, retries: int = 5):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("url must be http://HOST[:PORT] or https://HOST[:PORT], got %r" % (url,))
        self.url = url
        self.timeout = timeout
        self.retries = retries
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._headers = {"Accept": "application/json"}
        if token:
            self._headers["Authorization"] = "Bearer " + token
        self._conn: Optional[http.client.HTTPConnection] = None
        self._reused = False
        self._lock = threading.Lock()

    # -- runs ---------------------------------------------------------------------------

    def create_run(self, id: str, domains: List[str], prior: Any = None, policy: Optional[Dict[str, Any]] = None,
                   ranks: int = 1, lag: int = 0, **extra: Any) -> Dict[str, Any]:
        """Creates a run, or finds the same one (idempotent by id; another spec under the id is a 409).

        ``policy``: ``{"kind": "ado" | "natural" | "balanced" | "static" | "odm", ...options}``
        (default ADO). ``extra``: ``unit``, ``checkpoint_every``, ``rank_timeout_ms`` (or their
        camelCase names). Returns the run's status with ``created`` (True: new, False: found).
        """
        body: Dict[str, Any] = {"id": id, "domains": list(domains), "ranks": ranks, "lag": lag}
        if prior is not None:
            body["prior"] = _losses(prior)
        if policy is not None:
            body["policy"] = policy
        for key, value in extra.items():
            body[_camel(key)] = value
        return self._call("POST", "/v1/runs", body, "create run %s" % id)

    def status(self, run: str) -> Dict[str, Any]:
        """The run's status: ``applied``, ``waitingFor``, ``stalled``, ``weights``, ``laws``, ``counts``, ..."""
        return self._call("GET", "/v1/runs/%s" % quote(run, safe=""), None, "status of %s" % run)

    def report(self, run: str, step: int, rank: int, count: Any, loss_sum: Any = None, loss: Any = None) -> Dict[str, Any]:
        """Reports one rank's part of step ``step``: per-domain ``count`` and either ``loss_sum``
        (sums of the per-example losses) or ``loss`` (means); null or 0 where the count is 0.

        Lists, numpy arrays and torch tensors are taken; NaN goes as null. Retried on
        connection errors (the server deduplicates). Returns ``{"status": "accepted" |
        "duplicate", "applied": <last applied step>}``.
        """
        body: Dict[str, Any] = {"step": int(step), "rank": int(rank), "count": _counts(count)}
        if loss_sum is not None:
            body["lossSum"] = _losses(loss_sum)
        if loss is not None:
            body["loss"] = _losses(loss)
        path = "/v1/runs/%s/reports" % quote(run, safe="")
        what = "report step %d rank %d" % (step, rank)
        attempt = 0
        while True:
            try:
                return self._call("POST", path, body, what)
            except _CONNECTION_ERRORS:
                if attempt >= self.retries:
                    raise
                attempt += 1
                time.sleep(0.2)

    def weights(self, run: str, step: int, wait: Optional[float] = None) -> StepWeights:
        """The weights for ``step``, waiting up to ``wait`` seconds (server default 10 s) for the
        step they come from to be applied. Raises ``WeightsNotReady`` (with ``latest``) when
        they are not there in time.
        """
        query = "step=%d" % step
        if wait is not None:
            query += "&wait=%d" % round(wait * 1000)
        waits = 10.0 if wait is None else wait
        value = self._call("GET", "/v1/runs/%s/weights?%s" % (quote(run, safe=""), query), None,
                           "weights of step %d" % step, timeout=self.timeout + waits)
        return StepWeights.from_json(value)

    def add_domain(self, run: str, name: str, prior: float, after_step: Optional[int] = None) -> Dict[str, Any]:
        """Adds domain ``name`` with prior share ``prior`` in (0, 1) right after step ``after_step``
        (default: after the next step). Returns the queued event."""
        body: Dict[str, Any] = {"name": name, "prior": float(prior)}
        if after_step is not None:
            body["afterStep"] = after_step
        return self._call("POST", "/v1/runs/%s/domains" % quote(run, safe=""), body, "add domain %s" % name)["event"]

    def mark_exhausted(self, run: str, domain: str, after_step: Optional[int] = None) -> Dict[str, Any]:
        """Marks ``domain`` exhausted (weight 0 from then on) right after step ``after_step``
        (default: after the next step). Returns the queued event."""
        body: Dict[str, Any] = {"domain": domain}
        if after_step is not None:
            body["afterStep"] = after_step
        return self._call("POST", "/v1/runs/%s/exhausted" % quote(run, safe=""), body, "mark %s exhausted" % domain)["event"]

    # -- connection ---------------------------------------------------------------------

    def close(self) -> None:
        """Closes the connection (a later call opens a new one)."""
        with self._lock:
            self._drop()

    def __enter__(self) -> "AdomixClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self._reused = False

    def _call(self, method: str, path: str, body: Any, what: str, timeout: Optional[float] = None) -> Dict[str, Any]:
        payload = None if body is None else json.dumps(body, allow_nan=False).encode("utf-8")
        headers = dict(self._headers)
        if payload is not None:
            headers["Content-Type"] = "application/json"
        seconds = self.timeout if timeout is None else timeout
        with self._lock:
            while True:
                if self._conn is None:
                    cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
                    self._conn = cls(self._host, self._port, timeout=seconds)
                reused = self._reused
                conn = self._conn
                conn.timeout = seconds
                if conn.sock is not None:
                    conn.sock.settimeout(seconds)
                try:
                    conn.request(method, self._prefix + path, body=payload, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                except socket.timeout:
                    self._drop()
                    raise
                except _CONNECTION_ERRORS:
                    # A kept-alive connection the server has closed fails like this: once more on a new one.
                    self._drop()
                    if reused:
                        continue
                    raise
                if response.will_close:
                    self._drop()
                else:
                    self._reused = True
                break
        status = response.status
        try:
            value = json.loads(data.decode("utf-8")) if data else {}
        except ValueError:
            value = {"error": data[:500].decode("utf-8", "replace")}
        if not isinstance(value, dict):
            value = {"error": str(value)[:500]}
        if 200 <= status < 300:
            return value
        if status == 503 and value.get("code") == "not_ready":
            raise WeightsNotReady(status, value, what)
        raise AdomixHTTPError(status, value, what)
