"""adomix_redis: ranks that talk to the Redis of ``adomix serve --redis`` directly, not over HTTP.

    from adomix_redis import AdomixRedisClient
    from adomix_client import WeightsNotReady

    with AdomixRedisClient("redis://10.0.0.5:6379") as client:       # the replicas' --redis URL
        for step in range(steps):
            w = client.weights("run-1", step)                         # draw the batch with w.weights
            client.report("run-1", step, rank, count, loss_sum=sums)  # what the batch cost

The run is created over HTTP (``adomix_client.AdomixClient.create_run``) and one of the
replicas, the leader, applies the steps; this client only does what a replica does for
``POST .../reports`` and ``GET .../weights``: a report goes into the run's input stream once
(through the REPORT script below, idempotent by (step, rank)), and the weights of step t are
read from the key the leader published for step ``max(t - 1 - lag, -1)``, waiting on the
run's ``applied`` channel when they are not there yet. The keys and the script are those of
``src/client/redisProtocol.ts``; the report line is the one ``reportLine`` there writes, byte
for byte, so a report sent over HTTP and the same report sent here are one report.

Needs redis-py (``pip install redis``, or Debian's ``python3-redis``); ``rediss://`` URLs use
TLS. Reports are checked here as the server checks them, before anything is sent.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import time
from typing import Any, Dict, List, Optional, Tuple

try:
    import redis
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        "adomix_redis needs redis-py: pip install redis (or apt-get install python3-redis); "
        "without it, use adomix_client.AdomixClient over HTTP"
    ) from err

from adomix_client import AdomixHTTPError, StepWeights, WeightsNotReady, _plain

__all__ = [
    "AdomixRedisClient",
    "InvalidReport",
    "ReportConflict",
    "REPORT_SCRIPT",
    "report_line",
    "js_number",
    "AdomixHTTPError",
    "StepWeights",
    "WeightsNotReady",
]

DEFAULT_PREFIX = "adomix:"

# The REPORT script: KEYS seen, in; ARGV "<step>:<rank>", the report line. Returns 0 (accepted:
# added to the stream), 1 (the same report again), -1 (a different one).
# It MUST stay identical to REPORT_SCRIPT in src/client/redisProtocol.ts (the same text, so the
# same SHA-1 for EVALSHA); this client evaluates no other script.
REPORT_SCRIPT = """
local h = redis.sha1hex(ARGV[2])
local d = redis.call('HGET', KEYS[1], ARGV[1])
if d then
  if d == h then return 1 else return -1 end
end
redis.call('HSET', KEYS[1], ARGV[1], h)
redis.call('XADD', KEYS[2], '*', 'd', ARGV[2])
return 0
"""
_REPORT_SHA = hashlib.sha1(REPORT_SCRIPT.encode("utf-8")).hexdigest()

# Number.MAX_SAFE_INTEGER: the largest count the server takes.
_MAX_SAFE_INTEGER = 2**53 - 1
# How long the domains of a run are taken as known (as a replica caches them).
_DOMAINS_TTL_S = 1.0
_DEFAULT_WAIT_S = 10.0
_REPR = re.compile(r"(\d+)(?:\.(\d*))?(?:e([+-]?\d+))?")


class InvalidReport(AdomixHTTPError, ValueError):
    """A report the server would refuse (what it answers with HTTP 400); nothing was sent."""

    def __init__(self, message: str, what: str):
        super().__init__(400, {"error": message}, what)


class ReportConflict(AdomixHTTPError):
    """The rank already reported the step with different values (HTTP's 409)."""

    def __init__(self, run: str, step: int, rank: int):
        self.run = run
        self.step = step
        self.rank = rank
        message = "rank %d already reported step %d with different values (a retry must resend the same report)" % (rank, step)
        super().__init__(409, {"error": message}, "report step %d rank %d of run %s" % (step, rank, run))


class _NotReady(WeightsNotReady):
    """WeightsNotReady whose ``latest`` is None while the leader has published nothing for the run."""

    @property
    def latest(self) -> Optional[StepWeights]:  # type: ignore[override]
        value = self.body.get("latest")
        return None if value is None else StepWeights.from_json(value)


def js_number(x: float) -> str:
    """``x`` as JavaScript's ``JSON.stringify`` writes a finite double (``3`` for 3.0, ``1e-7``, ``1e+21``)."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError("%r has no JSON form" % (x,))
    if x == 0:
        return "0"  # -0 too
    text = repr(abs(x))  # the shortest digits that read back as x, as JavaScript picks them
    m = _REPR.fullmatch(text)
    if m is None:  # pragma: no cover - repr of a finite float always matches
        raise ValueError("unexpected float repr %r" % (text,))
    whole, frac, exp = m.group(1), m.group(2) or "", int(m.group(3) or 0)
    digits = (whole + frac).lstrip("0")
    e10 = exp - len(frac)  # abs(x) = int(digits) * 10**e10
    stripped = digits.rstrip("0")
    e10 += len(digits) - len(stripped)
    digits = stripped
    k = len(digits)
    n = e10 + k  # abs(x) = 0.<digits> * 10**n (ECMAScript's Number::toString)
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        out = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return ("-" if x < 0 else "") + out


def report_line(step: int, rank: int, loss_sum: List[float], count: List[int], based_on: Optional[int] = None) -> str:
    """The report as the run's stream holds it: ``{"s":…,"r":…,"l":[…],"c":[…][,"b":…]}``
    (``reportLine`` of src/client/redisProtocol.ts)."""
    based = "" if based_on is None else ',"b":%d' % based_on
    return '{"s":%d,"r":%d,"l":[%s],"c":[%s]%s}' % (
        step, rank, ",".join(js_number(v) for v in loss_sum), ",".join(js_number(c) for c in count), based)


def _int_arg(value: Any) -> Optional[int]:
    """An integer from an int, an integral float or a numpy/torch scalar; None for anything else."""
    if hasattr(value, "item") and not isinstance(value, (int, float)):
        value = value.item()
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


_NOT_A_NUMBER = object()


def _float_or_none(value: Any) -> Any:
    """A finite float; None for None, NaN and infinities (they go as null over HTTP); _NOT_A_NUMBER for the rest."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _NOT_A_NUMBER
    try:
        v = float(value)
    except OverflowError:
        return None
    return v if math.isfinite(v) else None


def _list(values: Any, field: str, what: str) -> list:
    """``values`` as a list of Python scalars (lists, tuples, numpy arrays, torch tensors)."""
    if isinstance(values, list) and not any(hasattr(x, "item") for x in values):
        return values
    if values is None or isinstance(values, (str, bytes, dict)):
        raise InvalidReport("%s must be a list with one entry per domain, got %r" % (field, values), what)
    try:
        return _plain(values)
    except TypeError:
        raise InvalidReport("%s must be a list with one entry per domain, got %r" % (field, values), what) from None


def check_report(step: Any, rank: Any, count: Any, loss_sum: Any, loss: Any, based_on: Any,
                 ranks: int, domains: List[str], least: int, what: str) -> Tuple[int, int, List[float], List[int], Optional[int]]:
    """The report as the server checks it (src/serve/checkReport.ts): returns (step, rank, sums, counts,
    based_on), sums being 0 where the count is 0 and mean × count where means were given. Raises
    InvalidReport naming the field (and the domain) that is wrong."""

    def bad(message: str) -> InvalidReport:
        return InvalidReport(message, what)

    s = _int_arg(step)
    if s is None or s < 0:
        raise bad("step must be an integer >= 0, got %r" % (step,))
    r = _int_arg(rank)
    if r is None or r < 0 or r >= ranks:
        raise bad("rank must be an integer in [0, %d] (the run has %d rank%s), got %r" % (ranks - 1, ranks, "" if ranks == 1 else "s", rank))
    if (loss_sum is None) == (loss is None):
        raise bad("give exactly one of loss_sum (per-domain sums) and loss (per-domain means)")
    field = "loss_sum" if loss_sum is not None else "loss"
    values = _list(loss_sum if loss_sum is not None else loss, field, what)
    counts_in = _list(count, "count", what)
    K = len(domains)
    if not (least <= len(counts_in) <= K):
        wanted = str(K) if least == K else "%d to %d" % (least, K)
        raise bad("count must have %s entries (one per domain: %s), got %d" % (wanted, ", ".join(domains), len(counts_in)))
    if len(values) != len(counts_in):
        raise bad("%s has %d entries, count has %d" % (field, len(values), len(counts_in)))
    sums: List[float] = []
    counts: List[int] = []
    for k, (c_raw, v_raw) in enumerate(zip(counts_in, values)):
        c = _int_arg(c_raw)
        if c is None or c < 0 or c > _MAX_SAFE_INTEGER:
            raise bad("count[%d] (domain %s) must be an integer >= 0, got %r" % (k, domains[k], c_raw))
        v = _float_or_none(v_raw)
        if v is _NOT_A_NUMBER:
            raise bad("%s[%d] (domain %s) must be a number, got %r" % (field, k, domains[k], v_raw))
        if c == 0:
            # None/NaN would go as null over HTTP: fine where the count is 0, and stored as 0.
            if v is not None and v != 0 and field == "loss_sum":
                raise bad("loss_sum[%d] (domain %s) must be None or 0 where the count is 0, got %r" % (k, domains[k], v_raw))
            sums.append(0.0)
        else:
            if v is None or v < 0:
                raise bad("%s[%d] (domain %s) must be a finite number >= 0 where the count is %d, got %r" % (field, k, domains[k], c, v_raw))
            total = v if field == "loss_sum" else v * c
            if not math.isfinite(total):
                raise bad("loss[%d] (domain %s) times the count %d is not a finite number, got %r" % (k, domains[k], c, v_raw))
            sums.append(total)
        counts.append(c)
    if sum(counts) <= 0:
        raise bad("count: rank %d's step %d has no examples at all" % (r, s))
    b: Optional[int] = None
    if based_on is not None:
        b = _int_arg(based_on)
        if b is None or b < -1 or b > s - 1:
            raise bad("based_on must be an integer from -1 to %d (the weights of step %d come from an earlier step), got %r" % (s - 1, s, based_on))
    return s, r, sums, counts, b


class AdomixRedisClient:
    """Reports and weights of runs served by ``adomix serve --redis``, through that Redis.

    ``url``: the replicas' ``--redis`` URL (``redis://[user:password@]host:port[/db]``, or
    ``rediss://`` for TLS). ``prefix``: their ``--redis-prefix`` (default ``adomix:``).
    ``password``: overrides the URL's. ``timeout``: seconds a Redis command may take.
    ``retries``: how often ``report`` retries after a connection error, 0.2 s apart (the
    REPORT script is idempotent). Thread-safe (redis-py's connection pool).
    """

    def __init__(self, url: str = "redis://127.0.0.1:6379", prefix: str = DEFAULT_PREFIX, password: Optional[str] = None,
                 timeout: float = 30.0, retries: int = 5):
        if not re.match(r"^(redis|rediss|unix)://", url):
            raise ValueError("url must be redis://HOST[:PORT][/DB] or rediss://..., got %r" % (url,))
        self.url = url
        self.prefix = prefix
        self.retries = retries
        pool = redis.ConnectionPool.from_url(url, decode_responses=True, socket_timeout=timeout, socket_connect_timeout=timeout)
        if password is not None:
            pool.connection_kwargs["password"] = password  # from_url lets the URL's win over keyword arguments
        self._redis = redis.Redis(connection_pool=pool)
        self._specs: Dict[str, Dict[str, Any]] = {}
        self._domains: Dict[str, Tuple[List[str], float]] = {}
        self._served: Dict[str, Dict[int, int]] = {}

    # -- keys ---------------------------------------------------------------------------

    def _key(self, run: str, name: str) -> str:
        return "%srun:%s:%s" % (self.prefix, run, name)

    # -- reports ------------------------------------------------------------------------

    def report(self, run: str, step: int, rank: int, count: Any, loss_sum: Any = None, loss: Any = None,
               based_on: Optional[int] = None) -> str:
        """Reports one rank's part of step ``step``: per-domain ``count`` and either ``loss_sum``
        (sums of the per-example losses) or ``loss`` (means); None, NaN or 0 where the count is 0.
        ``based_on``: the ``based_on`` of the weights the batch was drawn with, when the rank went
        on with older ones.

        Lists, numpy arrays and torch tensors are taken. Returns ``"accepted"`` or ``"duplicate"``
        (the same report again). Raises InvalidReport (nothing sent) for a report the server
        would refuse, ReportConflict when the rank reported the step with other values.
        """
        what = "report step %s rank %s of run %s" % (step, rank, run)
        spec = self._spec(run)
        domains = self._domain_names(run, False)
        count = _list(count, "count", what)
        n = len(count)
        if n > len(domains):  # a domain added since we last looked?
            domains = self._domain_names(run, True)
        least = len(spec["domains"])
        if least <= n < len(domains):
            least = self._domains_served(run, step, spec, least)
        s, r, sums, counts, b = check_report(step, rank, count, loss_sum, loss, based_on,
                                             int(spec["ranks"]), domains, least, what)
        line = report_line(s, r, sums, counts, b)
        keys = [self._key(run, "seen"), self._key(run, "in")]
        res = self._with_retries(lambda: self._report_script(keys, ["%d:%d" % (s, r), line]))
        if res == -1:
            raise ReportConflict(run, s, r)
        if res not in (0, 1):  # pragma: no cover - the script returns nothing else
            raise RuntimeError("the REPORT script answered %r" % (res,))
        return "duplicate" if res == 1 else "accepted"

    def _report_script(self, keys: List[str], args: List[str]) -> int:
        try:
            return int(self._redis.evalsha(_REPORT_SHA, len(keys), *keys, *args))
        except redis.exceptions.NoScriptError:
            return int(self._redis.eval(REPORT_SCRIPT, len(keys), *keys, *args))

    def _with_retries(self, fn: Any) -> Any:
        attempt = 0
        while True:
            try:
                return fn()
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
                if attempt >= self.retries:
                    raise
                attempt += 1
                time.sleep(0.2)

    # -- weights ------------------------------------------------------------------------

    def weights(self, run: str, step: int, wait: Optional[float] = None) -> StepWeights:
        """The weights for ``step``, waiting up to ``wait`` seconds (default 10 s, as the server's)
        for the step they come from to be applied. Raises ``WeightsNotReady`` when they are not
        there in time; its ``latest`` is the newest mixture to go on with (None only while the
        leader has published nothing for the run yet).
        """
        t = _int_arg(step)
        if t is None or t < 0:
            raise ValueError("step must be an integer >= 0, got %r" % (step,))
        waits = _DEFAULT_WAIT_S if wait is None else float(wait)
        if not waits >= 0:
            raise ValueError("wait must be a number of seconds >= 0, got %r" % (wait,))
        spec = self._spec(run)
        lag = int(spec["lag"])
        based_on = max(t - 1 - lag, -1)
        key = self._key(run, "w:%d" % based_on)
        value = self._redis.get(key)
        if value is None and waits > 0:
            value = self._wait_for(run, key, based_on, waits)
        if value is not None:
            w = json.loads(value)
            return StepWeights(t, based_on, list(w["domains"]), [float(x) for x in w["weights"]])
        raise self._not_ready(run, t, lag, spec)

    def _wait_for(self, run: str, key: str, based_on: int, seconds: float) -> Optional[str]:
        """Waits on the run's applied channel for a step >= based_on (subscribed before reading the key again)."""
        deadline = time.monotonic() + seconds
        pubsub = self._redis.pubsub()
        try:
            pubsub.subscribe(self._key(run, "applied"))
            # Only once Redis confirmed the subscription is a publish after our read sure to reach us.
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return self._redis.get(key)
                message = pubsub.get_message(timeout=left)
                if message is not None and message["type"] == "subscribe":
                    break
            value = self._redis.get(key)
            while value is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                message = pubsub.get_message(timeout=left)
                if message is None or message["type"] != "message":
                    continue
                try:
                    applied = int(message["data"])
                except (TypeError, ValueError):
                    continue
                if applied >= based_on:
                    value = self._redis.get(key)
            return value
        finally:
            pubsub.close()

    def _not_ready(self, run: str, step: int, lag: int, spec: Dict[str, Any]) -> WeightsNotReady:
        latest_text, status_text, initial_text = self._redis.mget(
            self._key(run, "latest"), self._key(run, "status"), self._key(run, "w:-1"))
        latest: Optional[Dict[str, Any]] = None
        applied = -1
        if latest_text is not None:
            lv = json.loads(latest_text)
            applied = int(lv["applied"])
            latest = {"step": applied + 1 + lag, "basedOn": applied, "domains": lv["domains"], "weights": lv["weights"]}
        elif initial_text is not None:  # no step applied yet: the initial mixture
            iv = json.loads(initial_text)
            latest = {"step": lag, "basedOn": -1, "domains": iv["domains"], "weights": iv["weights"]}
        status = json.loads(status_text) if status_text is not None else {}
        body = {
            "error": "the weights of step %d are not ready: step %d is not applied yet (applied: %d)" % (step, max(step - 1 - lag, -1), applied),
            "code": "not_ready",
            "waitingFor": status.get("waitingFor"),
            "stalled": status.get("stalled", []),
            "latest": latest,
        }
        return _NotReady(503, body, "weights of step %d of run %s" % (step, run))

    # -- the run ------------------------------------------------------------------------

    def _spec(self, run: str) -> Dict[str, Any]:
        spec = self._specs.get(run)
        if spec is None:
            text = self._redis.get(self._key(run, "spec"))
            if text is None:
                raise AdomixHTTPError(404, {"error": "no run %s in Redis under prefix %r (create it over HTTP with create_run)" % (json.dumps(run), self.prefix)}, "run %s" % run)
            spec = json.loads(text)
            self._specs[run] = spec
        return spec

    def _domain_names(self, run: str, fresh: bool) -> List[str]:
        """The run's current domains (cached for a second, or read now), as a replica knows them."""
        cached = self._domains.get(run)
        now = time.monotonic()
        if not fresh and cached is not None and now - cached[1] < _DOMAINS_TTL_S:
            return cached[0]
        text = self._redis.get(self._key(run, "latest"))
        names = list(json.loads(text)["domains"]) if text is not None else list(self._spec(run)["domains"])
        self._domains[run] = (names, now)
        return names

    def _domains_served(self, run: str, step: Any, spec: Dict[str, Any], least: int) -> int:
        """How many domains the weights of ``step`` had: a report may leave out only domains added
        after them. The leader checks this (ServedRun's domainsAt); a replica checks only the run's
        first domains, so a report leaving out more would be answered "accepted" there and then
        dropped by the leader. Unknown while those weights are not published: then the spec's."""
        t = _int_arg(step)
        if t is None or t < 0:
            return least  # check_report names the step
        cache = self._served.setdefault(run, {})
        based_on = max(t - 1 - int(spec["lag"]), -1)
        if based_on not in cache:
            text = self._redis.get(self._key(run, "w:%d" % based_on))
            if text is None:
                return least
            if len(cache) > 1024:
                cache.clear()
            cache[based_on] = len(json.loads(text)["domains"])
        return max(least, cache[based_on])

    # -- connection ---------------------------------------------------------------------

    def close(self) -> None:
        """Closes the connections (a later call opens new ones)."""
        self._redis.connection_pool.disconnect()

    def __enter__(self) -> "AdomixRedisClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
