"""Tests of adomix_redis against a real redis-server and an ``adomix serve --redis`` replica on it.

    redis-server --port 6379 &
    node dist/src/cli/main.js serve --port 8470 --redis redis://127.0.0.1:6379 &
    ADOMIX_REDIS_URL=redis://127.0.0.1:6379 ADOMIX_URL=http://127.0.0.1:8470 \\
        python3 -m unittest -v clients/python/test_adomix_redis.py

Runs are created over HTTP (the replica leads them and applies their steps); reports and
weights go through Redis directly and are checked against what the HTTP client sees.
test/serve/pythonRedis.test.ts starts both and runs this file. Needs redis-py.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import threading
import time
import unittest
import uuid
from urllib.request import urlopen

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from adomix_client import AdomixClient, AdomixHTTPError, StepWeights, WeightsNotReady  # noqa: E402

try:
    import redis
    from adomix_redis import AdomixRedisClient, InvalidReport, ReportConflict, js_number, report_line  # noqa: E402
except ImportError:
    redis = None

try:
    import numpy
except ImportError:
    numpy = None

URL = os.environ.get("ADOMIX_URL")
REDIS_URL = os.environ.get("ADOMIX_REDIS_URL")
PREFIX = "adomix:"


def run_id(name: str) -> str:
    return "%s-%s" % (name, uuid.uuid4().hex[:12])


class FormatTest(unittest.TestCase):
    """The report line, without a server (the HTTP comparison below checks it against the server's)."""

    @unittest.skipIf(redis is None, "redis-py is not installed")
    def test_numbers_are_written_as_javascript_writes_them(self):
        cases = {
            0.1 + 0.2: "0.30000000000000004", 1e-7: "1e-7", 3.0: "3", -0.0: "0", 0.0: "0", 2.5: "2.5",
            1e21: "1e+21", 1e20: "100000000000000000000", 1.5e-6: "0.0000015", 1e-6: "0.000001",
            123456789.125: "123456789.125", 5e-324: "5e-324", 1.7976931348623157e308: "1.7976931348623157e+308",
            2.0**53: "9007199254740992", 1e16: "10000000000000000", 1.25e-10: "1.25e-10", 100.0: "100",
        }
        for value, text in cases.items():
            self.assertEqual(js_number(value), text, repr(value))
        self.assertEqual(js_number(2**53 - 1), "9007199254740991")
        with self.assertRaises(ValueError):
            js_number(float("nan"))

    @unittest.skipIf(redis is None, "redis-py is not installed")
    def test_report_line(self):
        self.assertEqual(report_line(3, 1, [0.5, 0.0, 3.0], [1, 0, 2]), '{"s":3,"r":1,"l":[0.5,0,3],"c":[1,0,2]}')
        self.assertEqual(report_line(3, 1, [1e-7], [7], based_on=-1), '{"s":3,"r":1,"l":[1e-7],"c":[7],"b":-1}')


@unittest.skipUnless(URL and REDIS_URL, "ADOMIX_URL and ADOMIX_REDIS_URL are not set")
@unittest.skipIf(redis is None, "redis-py is not installed")
class RedisClientTest(unittest.TestCase):
    def setUp(self) -> None:
        self.http = AdomixClient(URL, timeout=20.0)
        self.addCleanup(self.http.close)
        self.client = AdomixRedisClient(REDIS_URL)
        self.addCleanup(self.client.close)
        self.raw = redis.Redis.from_url(REDIS_URL, decode_responses=True)
        self.addCleanup(self.raw.close)

    def key(self, run: str, name: str) -> str:
        return "%srun:%s:%s" % (PREFIX, run, name)

    def steplog(self, run: str) -> list:
        with urlopen("%s/v1/runs/%s/steplog" % (URL, run), timeout=20) as response:
            lines = response.read().decode("utf-8").splitlines()
        return [json.loads(line) for line in lines[1:]]

    @contextlib.contextmanager
    def assertInvalid(self, *fragments: str):
        """The block must raise InvalidReport (a ValueError, and an AdomixHTTPError 400) naming every fragment."""
        with self.assertRaises(InvalidReport) as caught:
            yield caught
        err = caught.exception
        self.assertIsInstance(err, ValueError)
        self.assertIsInstance(err, AdomixHTTPError)
        self.assertEqual(err.status, 400)
        for fragment in fragments:
            self.assertIn(fragment, str(err))

    def test_two_ranks_through_redis_apply_and_serve_the_weights_http_serves(self):
        rid = run_id("redis-ranks")
        self.http.create_run(rid, ["a", "b", "c"], policy={"kind": "odm"}, ranks=2, lag=1)
        steps = 6
        sent = []
        for t in range(steps):
            w = self.client.weights(rid, t, wait=20)
            self.assertEqual((w.step, w.based_on, w.domains), (t, max(t - 2, -1), ["a", "b", "c"]))
            self.assertEqual(self.http.weights(rid, t, wait=20), w)  # the same numbers, bit for bit
            r0 = ([4, 2, 1], [2.0, 3.0, 4.5 - 0.25 * t])
            r1 = ([1, 3, 2], [0.5, 4.5 + 0.1 * t, 9.0 - 0.5 * t])
            self.assertEqual(self.client.report(rid, t, 0, r0[0], loss_sum=r0[1]), "accepted")
            self.assertEqual(self.client.report(rid, t, 1, r1[0], loss_sum=r1[1]), "accepted")
            sent.append((r0, r1))
        # Later steps' weights come from steps applied by the leader, through both clients.
        for t in (steps, steps + 1):
            w = self.client.weights(rid, t, wait=20)
            self.assertEqual((w.step, w.based_on), (t, t - 2))
            self.assertEqual(self.http.weights(rid, t, wait=20), w)
        self.assertAlmostEqual(sum(w.weights), 1.0, places=12)
        self.assertGreater(w.weights[2], w.weights[0])  # c's losses are the highest: ODM draws it most
        status = self.http.status(rid)
        self.assertEqual(status["applied"], steps - 1)
        self.assertEqual(status["weights"], w.weights)
        self.assertEqual(status.get("rejected", 0), 0)
        # The step log holds what both ranks sent, summed.
        log = self.steplog(rid)
        self.assertEqual([r["step"] for r in log], list(range(steps)))
        for record, (r0, r1) in zip(log, sent):
            count = [a + b for a, b in zip(r0[0], r1[0])]
            self.assertEqual(record["count"], count)
            for k in range(3):
                self.assertAlmostEqual(record["loss"][k], (r0[1][k] + r1[1][k]) / count[k], places=12)

    def test_duplicate_and_conflicting_reports(self):
        rid = run_id("redis-dup")
        self.http.create_run(rid, ["a", "b"], policy={"kind": "balanced"}, ranks=2)
        self.assertEqual(self.client.report(rid, 0, 1, [2, 1], loss_sum=[1.0, 0.5]), "accepted")
        self.assertEqual(self.client.report(rid, 0, 1, [2, 1], loss_sum=[1.0, 0.5]), "duplicate")
        with self.assertRaises(ReportConflict) as caught:
            self.client.report(rid, 0, 1, [2, 1], loss_sum=[1.0, 0.75])
        err = caught.exception
        self.assertIsInstance(err, AdomixHTTPError)
        self.assertEqual((err.status, err.step, err.rank), (409, 0, 1))
        self.assertIn("rank 1 already reported step 0 with different values", str(err))
        # Over HTTP too: the replica runs the same script on the same hash.
        with self.assertRaises(AdomixHTTPError) as caught:
            self.http.report(rid, 0, 1, [2, 1], loss_sum=[1.0, 0.25])
        self.assertEqual(caught.exception.status, 409)
        self.assertEqual(self.http.report(rid, 0, 1, [2, 1], loss_sum=[1.0, 0.5])["status"], "duplicate")
        self.assertEqual(self.client.report(rid, 0, 0, [1, 1], loss_sum=[0.5, 0.5]), "accepted")
        self.assertEqual(self.client.weights(rid, 1, wait=20).based_on, 0)
        self.assertEqual(self.client.report(rid, 0, 0, [1, 1], loss_sum=[0.5, 0.5]), "duplicate")
        self.assertEqual(self.raw.xlen(self.key(rid, "in")), 2)  # one entry per (step, rank)
        self.assertEqual(self.http.status(rid)["applied"], 0)

    def test_the_same_report_over_http_and_over_redis_is_one_report(self):
        # Same line, same digest: the client writes numbers exactly as the server's reportLine does.
        rid = run_id("redis-bytes")
        domains = ["a", "b", "c", "d", "e", "f"]
        self.http.create_run(rid, domains, policy={"kind": "balanced"}, ranks=4)
        big = 2**50 + 1  # the step's sum must stay below 2**53 (the step log refuses more)
        reports = [
            # (count, loss_sum, loss, based_on), sent first over HTTP then over Redis
            ([3, 1, 0, 123456789012, 7, 2], [0.1 + 0.2, 1e-7, None, 1e21, 123.0, 5e-324], None, None),
            ([1, 2, 3, 4, 5, big], None, [0.1, 1e-7 / 3, 2.5, 1.0 / 3, 7.0, 1e-300], None),
        ]
        reversed_reports = [
            # sent first over Redis then over HTTP
            ([10, 0, 5, 1, 999999999999, 3], [0.30000000000000004, float("nan"), 1.5e-6, 9.999999e-7, 1e16 + 2, 0.0], None, None),
            ([2, 0, 0, 1, 1, 1], None, [1.0 / 7, 3.7, None, 0.0, 2.0**-20, 1e20], None),
        ]
        for rank, (count, loss_sum, loss, _) in enumerate(reports):
            self.assertEqual(self.http.report(rid, 0, rank, count, loss_sum=loss_sum, loss=loss)["status"], "accepted")
            self.assertEqual(self.client.report(rid, 0, rank, count, loss_sum=loss_sum, loss=loss), "duplicate")
        for i, (count, loss_sum, loss, _) in enumerate(reversed_reports):
            rank = 2 + i
            self.assertEqual(self.client.report(rid, 0, rank, count, loss_sum=loss_sum, loss=loss), "accepted")
            self.assertEqual(self.http.report(rid, 0, rank, count, loss_sum=loss_sum, loss=loss)["status"], "duplicate")
        # based_on goes in the line too (the HTTP client does not send it): check it against the script's digest.
        one = ([1, 0, 0, 0, 0, 0], [0.5, 0, 0, 0, 0, 0])
        self.assertEqual(self.client.report(rid, 1, 0, one[0], loss_sum=one[1], based_on=-1), "accepted")
        line = '{"s":1,"r":0,"l":[0.5,0,0,0,0,0],"c":[1,0,0,0,0,0],"b":-1}'
        self.assertEqual(self.raw.hget(self.key(rid, "seen"), "1:0"), hashlib.sha1(line.encode("ascii")).hexdigest())
        with self.assertRaises(ReportConflict):  # without based_on it is another line
            self.client.report(rid, 1, 0, one[0], loss_sum=one[1])
        self.assertEqual(self.client.report(rid, 1, 0, one[0], loss_sum=one[1], based_on=-1), "duplicate")
        self.assertEqual(self.raw.xlen(self.key(rid, "in")), 5)
        self.assertEqual(self.client.weights(rid, 1, wait=20).based_on, 0)
        log = self.steplog(rid)
        self.assertEqual(log[0]["count"], [sum(r[0][k] for r in reports + reversed_reports) for k in range(6)])
        self.assertEqual(self.http.status(rid).get("rejected", 0), 0)
        # The largest count there is, alone in its step.
        top = run_id("redis-top")
        self.http.create_run(top, ["a", "b"], policy={"kind": "balanced"})
        self.assertEqual(self.http.report(top, 0, 0, [2**53 - 1, 1], loss_sum=[2.0**53 * 0.7, 1e-7])["status"], "accepted")
        self.assertEqual(self.client.report(top, 0, 0, [2**53 - 1, 1], loss_sum=[2.0**53 * 0.7, 1e-7]), "duplicate")
        self.assertEqual(self.client.weights(top, 1, wait=20).based_on, 0)
        self.assertEqual(self.steplog(top)[0]["count"], [2**53 - 1, 1])

    def test_bad_reports_raise_before_anything_is_sent(self):
        rid = run_id("redis-bad")
        self.http.create_run(rid, ["a", "b", "c"], policy={"kind": "balanced"}, ranks=2)
        with self.assertInvalid("count must have 3 entries", "a, b, c", "got 2"):
            self.client.report(rid, 0, 0, [1, 1], loss_sum=[1.0, 1.0])
        with self.assertInvalid("count must have 3 entries", "got 4"):
            self.client.report(rid, 0, 0, [1, 1, 1, 1], loss_sum=[1.0, 1.0, 1.0, 1.0])
        with self.assertInvalid("loss_sum has 2 entries, count has 3"):
            self.client.report(rid, 0, 0, [1, 1, 1], loss_sum=[1.0, 1.0])
        with self.assertInvalid("count[1] (domain b)", "integer >= 0", "-1"):
            self.client.report(rid, 0, 0, [1, -1, 1], loss_sum=[1.0, 1.0, 1.0])
        with self.assertInvalid("count[0] (domain a)", "1.5"):
            self.client.report(rid, 0, 0, [1.5, 1, 1], loss_sum=[1.0, 1.0, 1.0])
        with self.assertInvalid("count[2] (domain c)"):
            self.client.report(rid, 0, 0, [1, 1, 2**53], loss_sum=[1.0, 1.0, 1.0])
        with self.assertInvalid("count[0] (domain a)"):
            self.client.report(rid, 0, 0, [True, 1, 1], loss_sum=[1.0, 1.0, 1.0])
        with self.assertInvalid("loss_sum[2] (domain c)", "finite", "count is 1"):
            self.client.report(rid, 0, 0, [1, 1, 1], loss_sum=[1.0, 1.0, float("nan")])
        with self.assertInvalid("loss_sum[1] (domain b)", "finite"):
            self.client.report(rid, 0, 0, [1, 1, 1], loss_sum=[1.0, float("inf"), 1.0])
        with self.assertInvalid("loss[0] (domain a)", ">= 0"):
            self.client.report(rid, 0, 0, [1, 1, 1], loss=[-1.0, 1.0, 1.0])
        with self.assertInvalid("loss_sum[1] (domain b)", "None or 0 where the count is 0"):
            self.client.report(rid, 0, 0, [1, 0, 1], loss_sum=[1.0, 0.5, 1.0])
        with self.assertInvalid("loss_sum[0] (domain a)", "must be a number"):
            self.client.report(rid, 0, 0, [1, 1, 1], loss_sum=["1.0", 1.0, 1.0])
        with self.assertInvalid("loss[1] (domain b) times the count 3"):
            self.client.report(rid, 0, 0, [1, 3, 1], loss=[1.0, 1e308, 1.0])
        with self.assertInvalid("count must be a list"):
            self.client.report(rid, 0, 0, 3, loss_sum=[1.0, 1.0, 1.0])
        with self.assertInvalid("loss_sum must be a list"):
            self.client.report(rid, 0, 0, [1, 1, 1], loss_sum=1.0)
        with self.assertInvalid("exactly one of loss_sum"):
            self.client.report(rid, 0, 0, [1, 1, 1], loss_sum=[1, 1, 1], loss=[1, 1, 1])
        with self.assertInvalid("exactly one of loss_sum"):
            self.client.report(rid, 0, 0, [1, 1, 1])
        with self.assertInvalid("rank", "[0, 1]", "2 ranks", "got 2"):
            self.client.report(rid, 0, 2, [1, 1, 1], loss_sum=[1.0, 1.0, 1.0])
        with self.assertInvalid("rank", "got -1"):
            self.client.report(rid, 0, -1, [1, 1, 1], loss_sum=[1.0, 1.0, 1.0])
        with self.assertInvalid("step must be an integer >= 0", "got -1"):
            self.client.report(rid, -1, 0, [1, 1, 1], loss_sum=[1.0, 1.0, 1.0])
        with self.assertInvalid("step must be an integer >= 0", "0.5"):
            self.client.report(rid, 0.5, 0, [1, 1, 1], loss_sum=[1.0, 1.0, 1.0])
        with self.assertInvalid("count", "rank 0's step 0 has no examples"):
            self.client.report(rid, 0, 0, [0, 0, 0], loss_sum=[None, None, None])
        with self.assertInvalid("based_on", "from -1 to 2", "got 3"):
            self.client.report(rid, 3, 0, [1, 1, 1], loss_sum=[1.0, 1.0, 1.0], based_on=3)
        with self.assertInvalid("based_on", "got -2"):
            self.client.report(rid, 3, 0, [1, 1, 1], loss_sum=[1.0, 1.0, 1.0], based_on=-2)
        with self.assertRaises(ValueError):
            self.client.weights(rid, -1)
        missing = run_id("missing")
        with self.assertRaises(AdomixHTTPError) as caught:
            self.client.report(missing, 0, 0, [1, 1, 1], loss_sum=[1.0, 1.0, 1.0])
        self.assertEqual(caught.exception.status, 404)
        self.assertIn(missing, str(caught.exception))
        with self.assertRaises(AdomixHTTPError) as caught:
            self.client.weights(missing, 0, wait=0)
        self.assertEqual(caught.exception.status, 404)
        # None of them reached Redis.
        self.assertEqual(self.raw.xlen(self.key(rid, "in")), 0)
        self.assertEqual(self.raw.hlen(self.key(rid, "seen")), 0)
        self.assertFalse(self.raw.exists(self.key(missing, "in"), self.key(missing, "seen")))
        status = self.http.status(rid)
        self.assertEqual((status["applied"], status["waitingFor"]), (-1, None))

    def test_none_nan_and_zero_where_the_count_is_zero(self):
        rid = run_id("redis-zeros")
        self.http.create_run(rid, ["a", "b", "c"], policy={"kind": "balanced"})
        self.assertEqual(self.client.report(rid, 0, 0, [2, 0, 1], loss_sum=[1.0, None, 0.5]), "accepted")
        self.assertEqual(self.client.report(rid, 1, 0, [2, 0, 1], loss_sum=[1.0, 0, 0.5]), "accepted")
        self.assertEqual(self.client.report(rid, 2, 0, [2, 0, 1], loss_sum=[1.0, float("nan"), 0.5]), "accepted")
        self.assertEqual(self.client.report(rid, 3, 0, [2, 0, 1.0], loss=[0.5, 7.5, 0.5]), "accepted")  # a mean is fine there
        self.assertEqual(self.client.weights(rid, 4, wait=20).based_on, 3)
        # Every one of them holds 0 where the count is 0: the four lines are the same but for the step.
        lines = [fields["d"] for _, fields in self.raw.xrange(self.key(rid, "in"))]
        self.assertEqual(lines, ['{"s":%d,"r":0,"l":[1,0,0.5],"c":[2,0,1]}' % t for t in range(4)])
        # And the same reports over HTTP are duplicates.
        self.assertEqual(self.http.report(rid, 2, 0, [2, 0, 1], loss_sum=[1.0, float("nan"), 0.5])["status"], "duplicate")
        self.assertEqual(self.http.report(rid, 3, 0, [2, 0, 1], loss=[0.5, 7.5, 0.5])["status"], "duplicate")

    def test_loss_means_are_sums_divided_by_counts(self):
        rid = run_id("redis-means")
        self.http.create_run(rid, ["a", "b", "c"], policy={"kind": "odm"}, ranks=2)
        for t in range(4):
            for rank in (0, 1):
                count = [4, 0, 3] if rank == 0 else [2, 8, 1]
                mean = [0.1, None, 2.0 / 3] if rank == 0 else [1.25, 0.5 + t / 7, 4.1]
                if rank == 0:
                    self.assertEqual(self.http.report(rid, t, rank, count, loss=mean)["status"], "accepted")
                    self.assertEqual(self.client.report(rid, t, rank, count, loss=mean), "duplicate")
                else:
                    self.assertEqual(self.client.report(rid, t, rank, count, loss=mean), "accepted")
                    self.assertEqual(self.http.report(rid, t, rank, count, loss=mean)["status"], "duplicate")
        w = self.client.weights(rid, 4, wait=20)
        self.assertEqual(self.http.status(rid)["applied"], 3)
        self.assertEqual(self.http.weights(rid, 4), w)

    def test_weights_not_ready_carries_the_latest(self):
        rid = run_id("redis-notready")
        self.http.create_run(rid, ["a", "b", "c"], prior=[0.5, 0.3, 0.2], policy={"kind": "odm"}, ranks=2, lag=1)
        initial = self.client.weights(rid, 0, wait=20)  # the leader has taken the run up
        self.assertEqual((initial.step, initial.based_on), (0, -1))
        self.assertEqual(self.client.weights(rid, 1, wait=0), StepWeights(1, -1, initial.domains, initial.weights))
        started = time.monotonic()
        with self.assertRaises(WeightsNotReady) as caught:
            self.client.weights(rid, 2, wait=0.3)
        self.assertGreaterEqual(time.monotonic() - started, 0.25)
        err = caught.exception
        self.assertIsInstance(err, AdomixHTTPError)
        self.assertEqual((err.status, err.body["code"]), (503, "not_ready"))
        self.assertIn("the weights of step 2 are not ready: step 0 is not applied yet (applied: -1)", str(err))
        self.assertEqual(err.latest, StepWeights(1, -1, ["a", "b", "c"], initial.weights))  # nothing applied: the initial mixture
        self.client.report(rid, 0, 1, [1, 1, 1], loss_sum=[1.0, 2.0, 3.0])
        self.client.report(rid, 0, 0, [1, 1, 1], loss_sum=[1.0, 2.0, 4.0])
        w2 = self.client.weights(rid, 2, wait=20)
        self.assertEqual(w2.based_on, 0)
        with self.assertRaises(WeightsNotReady) as caught:
            self.client.weights(rid, 3, wait=0)
        err = caught.exception
        self.assertEqual(err.latest, w2)
        with self.assertRaises(WeightsNotReady) as over_http:
            self.http.weights(rid, 3, wait=0)
        self.assertEqual(over_http.exception.latest, err.latest)
        self.assertIn("step 1 is not applied yet (applied: 0)", str(err))
        self.client.report(rid, 1, 0, [1, 1, 1], loss_sum=[1.0, 1.0, 1.0])
        for _ in range(100):  # the leader's status names the rank that step 1 waits for
            with self.assertRaises(WeightsNotReady) as caught:
                self.client.weights(rid, 3, wait=0)
            if caught.exception.body["waitingFor"] and caught.exception.body["waitingFor"].get("step") == 1:
                break
            time.sleep(0.05)
        self.assertEqual(caught.exception.body["waitingFor"]["ranks"], [1])

    def test_latest_is_none_while_nothing_is_published(self):
        rid = run_id("redis-unled")
        # A spec no replica leads (it is not in the runs set): nothing is ever published for it.
        self.raw.set(self.key(rid, "spec"), json.dumps({"id": rid, "domains": ["a", "b"], "policy": {"kind": "balanced"},
                                                        "ranks": 1, "lag": 0, "unit": "examples", "checkpointEvery": 500, "rankTimeoutMs": 30000}))
        self.addCleanup(self.raw.delete, self.key(rid, "spec"))
        with self.assertRaises(WeightsNotReady) as caught:
            self.client.weights(rid, 0, wait=0.1)
        self.assertIsNone(caught.exception.latest)
        self.assertIn("step -1 is not applied yet", str(caught.exception))

    def test_weights_wait_for_the_step(self):
        rid = run_id("redis-wait")
        self.http.create_run(rid, ["a", "b"], policy={"kind": "balanced"}, ranks=2, lag=1)
        self.client.weights(rid, 0, wait=20)
        got = []

        def waiter():
            with AdomixRedisClient(REDIS_URL) as other:
                got.append(other.weights(rid, 3, wait=15))  # step 3 comes from step 1

        thread = threading.Thread(target=waiter)
        started = time.monotonic()
        thread.start()
        time.sleep(0.3)
        self.assertEqual(got, [])
        for t in (0, 1):
            self.client.report(rid, t, 0, [1, 1], loss_sum=[1.0, 1.0])
            self.client.report(rid, t, 1, [1, 3], loss_sum=[1.0, 1.5])
            if t == 0:
                time.sleep(0.3)
                self.assertEqual(got, [])  # step 0's publish woke it, but step 1's weights are not there yet
        thread.join(15)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(got, [StepWeights(3, 1, ["a", "b"], [0.5, 0.5])])

    def test_reports_with_a_domain_added(self):
        rid = run_id("redis-domains")
        self.http.create_run(rid, ["a", "b"], policy={"kind": "balanced"}, lag=1)
        self.assertEqual(self.client.weights(rid, 0, wait=20).domains, ["a", "b"])
        self.http.add_domain(rid, "c", 0.2, after_step=0)
        self.assertEqual(self.client.report(rid, 0, 0, [1, 1], loss_sum=[1.0, 1.0]), "accepted")
        w = self.client.weights(rid, 2, wait=20)  # lag 1: step 2's weights come from step 0, c added after it
        self.assertEqual((w.based_on, w.domains, w.weights), (0, ["a", "b", "c"], [1 / 3] * 3))
        # Step 1 was drawn with the initial weights (a, b): c may be left out; step 2's had c.
        with self.assertInvalid("count must have 2 to 3 entries", "a, b, c", "got 4"):
            self.client.report(rid, 1, 0, [1, 1, 1, 1], loss_sum=[1.0, 1.0, 1.0, 1.0])
        self.assertEqual(self.client.report(rid, 1, 0, [1, 1], loss_sum=[1.0, 1.0]), "accepted")
        with self.assertInvalid("count must have 3 entries", "got 2"):
            self.client.report(rid, 2, 0, [1, 1], loss_sum=[1.0, 1.0])
        self.assertEqual(self.client.report(rid, 2, 0, [1, 1, 2], loss_sum=[1.0, 1.0, 1.0]), "accepted")
        self.assertEqual(self.client.weights(rid, 4, wait=20).based_on, 2)
        self.assertEqual(sorted(self.raw.hkeys(self.key(rid, "seen"))), ["0:0", "1:0", "2:0"])  # nothing else reached Redis
        self.assertEqual([r["count"] for r in self.steplog(rid)], [[1, 1, 0], [1, 1, 0], [1, 1, 2]])

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_numpy_arrays(self):
        rid = run_id("redis-numpy")
        self.http.create_run(rid, ["a", "b", "c"], prior=[0.5, 0.25, 0.25], policy={"kind": "natural"})
        count = numpy.array([3, 1, 0], dtype=numpy.int64)
        loss_sum = numpy.array([1.5, 0.1, numpy.nan], dtype=numpy.float32)
        self.assertEqual(self.client.report(rid, 0, numpy.int64(0), count, loss_sum=loss_sum), "accepted")
        self.assertEqual(self.http.report(rid, 0, 0, count, loss_sum=loss_sum)["status"], "duplicate")
        self.assertEqual(self.client.report(rid, numpy.int64(1), 0, count.astype(numpy.float64), loss=[numpy.float64(0.5), 0.25, None]), "accepted")
        self.assertEqual(self.client.weights(rid, 2, wait=20).weights, [0.5, 0.25, 0.25])

    def test_password_overrides_the_urls(self):
        # The test server has no password: a wrong one in the URL fails, password="" overrides it.
        host = REDIS_URL.split("://", 1)[1].split("@")[-1]
        bad = "redis://:wrong@%s" % host
        with self.assertRaises(redis.exceptions.RedisError):
            with AdomixRedisClient(bad) as client:
                client.weights(run_id("x"), 0, wait=0)
        rid = run_id("redis-password")
        self.http.create_run(rid, ["a"], policy={"kind": "balanced"})
        with AdomixRedisClient(bad, password="") as client:
            self.assertEqual(client.weights(rid, 0, wait=20).weights, [1.0])
        with self.assertRaises(ValueError):
            AdomixRedisClient("http://127.0.0.1:6379")


if __name__ == "__main__":
    unittest.main()
