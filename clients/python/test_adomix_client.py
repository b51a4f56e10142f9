"""Tests of adomix_client against a real ``adomix serve``.

    ADOMIX_URL=http://127.0.0.1:8470 python3 -m unittest -v clients/python/test_adomix_client.py

ADOMIX_TOKEN_URL and ADOMIX_TOKEN name a second server that requires that bearer token (its
tests are skipped without them). test/serve/pythonClient.test.ts starts both and runs this file.
"""
from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from adomix_client import AdomixClient, AdomixHTTPError, StepWeights, WeightsNotReady  # noqa: E402

URL = os.environ.get("ADOMIX_URL")

try:
    import numpy
except ImportError:
    numpy = None


def run_id(name: str) -> str:
    return "%s-%s" % (name, uuid.uuid4().hex[:12])


@unittest.skipUnless(URL, "ADOMIX_URL is not set")
class ClientTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = AdomixClient(URL, timeout=20.0)
        self.addCleanup(self.client.close)

    @contextlib.contextmanager
    def assertHTTPError(self, status: int, *fragments: str):
        """The block must raise AdomixHTTPError with this status and a message holding every fragment."""
        with self.assertRaises(AdomixHTTPError) as caught:
            yield caught
        err = caught.exception
        self.assertEqual(err.status, status, str(err))
        for fragment in fragments:
            self.assertIn(fragment, err.error)
            self.assertIn(fragment, str(err))

    def test_create_is_idempotent_by_id(self):
        rid = run_id("create")
        first = self.client.create_run(rid, ["a", "b"], prior=[0.7, 0.3], policy={"kind": "natural"}, ranks=2, lag=1)
        self.assertIs(first["created"], True)
        self.assertEqual(first["domains"], ["a", "b"])
        self.assertEqual((first["ranks"], first["lag"], first["applied"], first["policy"]), (2, 1, -1, "natural"))
        self.assertAlmostEqual(first["weights"][0], 0.7)
        again = self.client.create_run(rid, ["a", "b"], prior=[0.7, 0.3], policy={"kind": "natural"}, ranks=2, lag=1)
        self.assertIs(again["created"], False)
        with self.assertHTTPError(409, rid, "different spec"):
            self.client.create_run(rid, ["a", "b"], prior=[0.7, 0.3], policy={"kind": "natural"}, ranks=3, lag=1)
        # Defaults sent explicitly are the same spec as defaults left out.
        rid2 = run_id("defaults")
        self.assertIs(self.client.create_run(rid2, ["a"], policy={"kind": "balanced"})["created"], True)
        self.assertIs(self.client.create_run(rid2, ["a"], policy={"kind": "balanced"}, unit="examples",
                                             checkpoint_every=500, rank_timeout_ms=30000)["created"], False)

    def test_bad_create_bodies_name_the_field(self):
        with self.assertHTTPError(400, "body/prior has 1 entries for 2 domains"):
            self.client.create_run(run_id("bad"), ["a", "b"], prior=[1.0])
        with self.assertHTTPError(400, "body/domains/1", '"a" is listed twice'):
            self.client.create_run(run_id("bad"), ["a", "a"])
        with self.assertHTTPError(400, 'unknown field "bogus"'):
            self.client.create_run(run_id("bad"), ["a"], bogus=1)
        with self.assertHTTPError(400, "body/id"):
            self.client.create_run("no spaces allowed", ["a"])

    def test_two_ranks_step_applies_once_both_reported(self):
        rid = run_id("ranks")
        self.client.create_run(rid, ["a", "b", "c"], policy={"kind": "odm"}, ranks=2)
        one = run_id("summed")  # the same steps, summed over the ranks by hand, from one rank
        self.client.create_run(one, ["a", "b", "c"], policy={"kind": "odm"}, ranks=1)
        initial = self.client.weights(rid, 0)
        self.assertEqual((initial.step, initial.based_on, initial.domains), (0, -1, ["a", "b", "c"]))
        self.assertEqual(initial.weights, [1 / 3] * 3)
        for t in range(5):
            r0 = ([4, 2, 1], [2.0, 3.0, 4.5 - 0.25 * t])
            r1 = ([1, 3, 2], [0.5, 4.5, 9.0 - 0.5 * t])
            self.assertEqual(self.client.report(rid, t, 0, r0[0], loss_sum=r0[1]), {"status": "accepted", "applied": t - 1})
            status = self.client.status(rid)
            self.assertEqual(status["applied"], t - 1)
            self.assertEqual(status["waitingFor"]["step"], t)
            self.assertEqual(status["waitingFor"]["ranks"], [1])
            with self.assertRaises(WeightsNotReady):
                self.client.weights(rid, t + 1, wait=0)
            self.assertEqual(self.client.report(rid, t, 1, r1[0], loss_sum=r1[1]), {"status": "accepted", "applied": t})
            self.client.report(one, t, 0, [a + b for a, b in zip(r0[0], r1[0])], loss_sum=[a + b for a, b in zip(r0[1], r1[1])])
            w = self.client.weights(rid, t + 1, wait=0)
            self.assertEqual((w.step, w.based_on), (t + 1, t))
            status = self.client.status(rid)
            self.assertEqual(status["applied"], t)
            self.assertIsNone(status["waitingFor"])
            self.assertEqual(status["weights"], w.weights)
            self.assertEqual(self.client.weights(one, t + 1).weights, w.weights)
        self.assertAlmostEqual(sum(w.weights), 1.0, places=12)
        self.assertGreater(w.weights[2], w.weights[1])  # c's losses are the highest: ODM draws it most
        self.assertGreater(w.weights[1], w.weights[0])
        self.assertEqual(self.client.status(rid)["counts"]["reports"], 10)

    def test_duplicate_and_conflicting_reports(self):
        rid = run_id("dup")
        self.client.create_run(rid, ["a", "b"], policy={"kind": "balanced"}, ranks=2)
        self.assertEqual(self.client.report(rid, 0, 1, [2, 1], loss_sum=[1.0, 0.5])["status"], "accepted")
        self.assertEqual(self.client.report(rid, 0, 1, [2, 1], loss_sum=[1.0, 0.5]), {"status": "duplicate", "applied": -1})
        with self.assertHTTPError(409, "rank 1 already reported step 0"):
            self.client.report(rid, 0, 1, [2, 1], loss_sum=[1.0, 0.75])
        self.assertEqual(self.client.report(rid, 0, 0, [1, 1], loss_sum=[0.5, 0.5]), {"status": "accepted", "applied": 0})
        self.assertEqual(self.client.report(rid, 0, 0, [1, 1], loss_sum=[0.5, 0.5]), {"status": "duplicate", "applied": 0})
        counts = self.client.status(rid)["counts"]
        self.assertEqual((counts["reports"], counts["duplicates"], counts["stepsApplied"]), (2, 2, 1))

    def test_bad_reports_name_the_field(self):
        rid = run_id("bad")
        self.client.create_run(rid, ["a", "b", "c"], policy={"kind": "balanced"}, ranks=2)
        with self.assertHTTPError(400, "body/count must have 3 entries", "got 2"):
            self.client.report(rid, 0, 0, [1, 1], loss_sum=[1.0, 1.0])
        with self.assertHTTPError(400, "body/lossSum has 2 entries, body/count has 3"):
            self.client.report(rid, 0, 0, [1, 1, 1], loss_sum=[1.0, 1.0])
        with self.assertHTTPError(400, "body/count/1"):
            self.client.report(rid, 0, 0, [1, -1, 1], loss_sum=[1.0, 1.0, 1.0])
        with self.assertHTTPError(400, "body/count/0"):
            self.client.report(rid, 0, 0, [1.5, 1, 1], loss_sum=[1.0, 1.0, 1.0])
        with self.assertHTTPError(400, "body/lossSum/2 (domain c)", "finite"):
            self.client.report(rid, 0, 0, [1, 1, 1], loss_sum=[1.0, 1.0, float("nan")])
        with self.assertHTTPError(400, "body/loss/0 (domain a)"):
            self.client.report(rid, 0, 0, [1, 1, 1], loss=[-1.0, 1.0, 1.0])
        with self.assertHTTPError(400, "exactly one of lossSum"):
            self.client.report(rid, 0, 0, [1, 1, 1], loss_sum=[1, 1, 1], loss=[1, 1, 1])
        with self.assertHTTPError(400, "exactly one of lossSum"):
            self.client.report(rid, 0, 0, [1, 1, 1])
        with self.assertHTTPError(400, "body/rank", "[0, 1]"):
            self.client.report(rid, 0, 2, [1, 1, 1], loss_sum=[1.0, 1.0, 1.0])
        with self.assertHTTPError(400, "body/count", "no examples"):
            self.client.report(rid, 0, 0, [0, 0, 0], loss_sum=[None, None, None])
        with self.assertHTTPError(400, "querystring/step"):
            self.client.weights(rid, -1)
        missing = run_id("missing")
        with self.assertHTTPError(404, missing):
            self.client.report(missing, 0, 0, [1, 1, 1], loss_sum=[1.0, 1.0, 1.0])
        with self.assertHTTPError(404, missing):
            self.client.status(missing)
        with self.assertHTTPError(404, missing):
            self.client.weights(missing, 0)
        # None of them was taken.
        status = self.client.status(rid)
        self.assertEqual((status["applied"], status["counts"]["reports"], status["waitingFor"]), (-1, 0, None))

    def test_null_and_zero_where_the_count_is_zero(self):
        rid = run_id("zeros")
        self.client.create_run(rid, ["a", "b", "c"], policy={"kind": "balanced"})
        self.assertEqual(self.client.report(rid, 0, 0, [2, 0, 1], loss_sum=[1.0, None, 0.5])["applied"], 0)
        self.assertEqual(self.client.report(rid, 1, 0, [2, 0, 1], loss_sum=[1.0, 0, 0.5])["applied"], 1)
        self.assertEqual(self.client.report(rid, 2, 0, [2, 0, 1], loss_sum=[1.0, float("nan"), 0.5])["applied"], 2)

    def test_weights_not_ready_carries_the_latest(self):
        rid = run_id("notready")
        self.client.create_run(rid, ["a", "b", "c"], prior=[0.5, 0.3, 0.2], policy={"kind": "natural"}, ranks=2)
        started = time.monotonic()
        with self.assertRaises(WeightsNotReady) as caught:
            self.client.weights(rid, 1, wait=0.3)
        self.assertGreaterEqual(time.monotonic() - started, 0.25)
        err = caught.exception
        self.assertIsInstance(err, AdomixHTTPError)
        self.assertEqual(err.status, 503)
        self.assertEqual(err.body["code"], "not_ready")
        self.assertIn("step 0 is not applied yet", str(err))
        self.assertIsNone(err.body["waitingFor"])
        latest = err.latest
        self.assertIsInstance(latest, StepWeights)
        self.assertEqual((latest.step, latest.based_on, latest.domains), (0, -1, ["a", "b", "c"]))
        self.assertAlmostEqual(sum(latest.weights), 1.0, places=12)
        self.assertEqual([round(x, 12) for x in latest.weights], [0.5, 0.3, 0.2])
        self.client.report(rid, 0, 1, [1, 1, 1], loss_sum=[1.0, 1.0, 1.0])
        with self.assertRaises(WeightsNotReady) as caught:
            self.client.weights(rid, 1, wait=0)
        self.assertEqual(caught.exception.body["waitingFor"]["ranks"], [0])

    def test_weights_wait_for_the_step(self):
        rid = run_id("wait")
        self.client.create_run(rid, ["a", "b"], policy={"kind": "balanced"})
        got = []

        def waiter():
            with AdomixClient(URL) as other:
                got.append(other.weights(rid, 1, wait=10))

        thread = threading.Thread(target=waiter)
        started = time.monotonic()
        thread.start()
        time.sleep(0.3)
        self.assertEqual(got, [])
        self.client.report(rid, 0, 0, [1, 1], loss_sum=[1.0, 1.0])
        thread.join(10)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(got, [StepWeights(1, 0, ["a", "b"], [0.5, 0.5])])

    def test_lag_one_serves_step_t_once_step_t_minus_2_is_applied(self):
        rid = run_id("lag")
        self.client.create_run(rid, ["a", "b", "c"], policy={"kind": "odm"}, lag=1)
        self.assertEqual(self.client.weights(rid, 0, wait=0).based_on, -1)
        self.assertEqual(self.client.weights(rid, 1, wait=0).based_on, -1)
        with self.assertRaises(WeightsNotReady) as caught:
            self.client.weights(rid, 2, wait=0)
        self.assertEqual(caught.exception.latest.step, 1)
        for t in range(6):
            self.client.report(rid, t, 0, [1, 2, 3], loss_sum=[0.5, 2.0, 9.0])
            w = self.client.weights(rid, t + 2, wait=0)
            self.assertEqual((w.step, w.based_on), (t + 2, t))
            self.assertEqual(self.client.status(rid)["weights"], w.weights)
            with self.assertRaises(WeightsNotReady) as caught:
                self.client.weights(rid, t + 3, wait=0)
            self.assertEqual(caught.exception.latest, w)
        # With lag 1 the weights of step t + 1 are those lag 0 serves for step t.
        same = run_id("lag0")
        self.client.create_run(same, ["a", "b", "c"], policy={"kind": "odm"})
        for t in range(6):
            self.client.report(same, t, 0, [1, 2, 3], loss_sum=[0.5, 2.0, 9.0])
            self.assertEqual(self.client.weights(same, t + 1).weights, self.client.weights(rid, t + 2).weights)
        self.assertNotEqual(w.weights, [1 / 3] * 3)

    def test_loss_means_and_loss_sums_apply_the_same(self):
        sums, means = run_id("sums"), run_id("means")
        for rid in (sums, means):
            self.client.create_run(rid, ["a", "b", "c"], policy={"kind": "odm"}, ranks=2)
        for t in range(6):
            for rank in (0, 1):
                count = [4, 0, 2] if rank == 0 else [2, 8, 1]
                mean = [0.75, None, 2.5] if rank == 0 else [1.25, 0.5 + t / 8, 4.0]
                total = [None if m is None else m * c for m, c in zip(mean, count)]
                a = self.client.report(sums, t, rank, count, loss_sum=total)
                b = self.client.report(means, t, rank, count, loss=mean)
                self.assertEqual(a, b)
        a, b = self.client.status(sums), self.client.status(means)
        self.assertEqual(a["applied"], 5)
        self.assertEqual(a["weights"], b["weights"])
        self.assertEqual(self.client.weights(sums, 6), self.client.weights(means, 6))
        self.assertNotEqual(a["weights"], [1 / 3] * 3)

    def test_domain_events(self):
        rid = run_id("events")
        self.client.create_run(rid, ["a", "b"], policy={"kind": "balanced"})
        event = self.client.add_domain(rid, "c", 0.2, after_step=0)
        self.assertEqual((event["type"], event["name"], event["afterStep"], event["seq"]), ("add", "c", 0, 1))
        with self.assertHTTPError(409, 'domain "c" already exists'):
            self.client.add_domain(rid, "c", 0.2)
        with self.assertHTTPError(400, "body/prior"):
            self.client.add_domain(rid, "d", 1.5)
        self.client.report(rid, 0, 0, [1, 1], loss_sum=[1.0, 1.0])
        w = self.client.weights(rid, 1)
        self.assertEqual(w.domains, ["a", "b", "c"])
        self.assertEqual(w.weights, [1 / 3] * 3)
        event = self.client.mark_exhausted(rid, "a")
        self.assertEqual((event["type"], event["domain"], event["afterStep"]), ("exhaust", "a", 1))
        with self.assertHTTPError(404, '"zzz"'):
            self.client.mark_exhausted(rid, "zzz")
        with self.assertHTTPError(409, "body/afterStep"):
            self.client.mark_exhausted(rid, "b", after_step=0)
        self.client.report(rid, 1, 0, [1, 1, 1], loss_sum=[1.0, 1.0, 1.0])
        self.assertEqual(self.client.weights(rid, 2).weights, [0.0, 0.5, 0.5])
        self.assertEqual(self.client.status(rid)["events"], [])

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_numpy_arrays(self):
        rid = run_id("numpy")
        self.client.create_run(rid, ["a", "b", "c"], prior=numpy.array([0.5, 0.25, 0.25]), policy={"kind": "natural"})
        count = numpy.array([3, 1, 0], dtype=numpy.int64)
        loss_sum = numpy.array([1.5, 0.25, numpy.nan], dtype=numpy.float32)
        self.assertEqual(self.client.report(rid, 0, 0, count, loss_sum=loss_sum), {"status": "accepted", "applied": 0})
        self.assertEqual(self.client.report(rid, 1, 0, count.astype(numpy.float64), loss=[numpy.float64(0.5), 0.25, None])["applied"], 1)
        self.assertEqual(self.client.weights(rid, 2).weights, [0.5, 0.25, 0.25])

    def test_reconnects_after_a_dropped_connection(self):
        rid = run_id("reconnect")
        self.client.create_run(rid, ["a", "b"], policy={"kind": "balanced"})
        conn = self.client._conn
        self.assertIsNotNone(conn.sock)  # kept alive
        conn.sock.shutdown(socket.SHUT_RDWR)
        self.assertEqual(self.client.report(rid, 0, 0, [1, 1], loss_sum=[1.0, 1.0]), {"status": "accepted", "applied": 0})
        self.assertIsNot(self.client._conn, conn)
        self.assertEqual(self.client.status(rid)["applied"], 0)

    def test_report_retries_a_refused_connection_then_raises(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]  # nothing listens here once closed
        client = AdomixClient("http://127.0.0.1:%d" % port, retries=2)
        started = time.monotonic()
        with self.assertRaises(ConnectionError):
            client.report("x", 0, 0, [1], loss_sum=[1.0])
        self.assertGreaterEqual(time.monotonic() - started, 0.4)  # two retries, 0.2 s apart
        with self.assertRaises(ValueError):
            AdomixClient("ftp://example.org")


@unittest.skipUnless(os.environ.get("ADOMIX_TOKEN_URL") and os.environ.get("ADOMIX_TOKEN"), "ADOMIX_TOKEN_URL and ADOMIX_TOKEN are not set")
class TokenTest(unittest.TestCase):
    def test_token_is_required(self):
        url, token = os.environ["ADOMIX_TOKEN_URL"], os.environ["ADOMIX_TOKEN"]
        rid = run_id("token")
        for bad in (None, token + "x"):
            with AdomixClient(url, token=bad) as client:
                with self.assertRaises(AdomixHTTPError) as caught:
                    client.create_run(rid, ["a", "b"])
                self.assertEqual(caught.exception.status, 401)
                self.assertIn("bearer token", str(caught.exception))
        with AdomixClient(url, token=token) as client:
            self.assertIs(client.create_run(rid, ["a", "b"], policy={"kind": "balanced"})["created"], True)
            self.assertEqual(client.report(rid, 0, 0, [1, 1], loss_sum=[1.0, 1.0])["applied"], 0)
            self.assertEqual(client.weights(rid, 1).weights, [0.5, 0.5])


if __name__ == "__main__":
    unittest.main()
