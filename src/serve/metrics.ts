/**
 * Prometheus metrics (prom-client), one registry per server. Counters and per-domain gauges
 * are read from the runs when scraped, so the request path only feeds two histograms.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AdoPolicy } from '../mixing/index.js';
import type { RunRegistry } from './RunRegistry.js';

export interface ServeMetrics {
  registry: Registry;
  reportSeconds: Histogram<'run'>;
  weightsSeconds: Histogram<'run'>;
  waitSeconds: Histogram<'run'>;
}

const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5];

export function createMetrics(runs: RunRegistry): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const perRun = (name: string, help: string, value: (e: ReturnType<RunRegistry['list']>[number]) => number): void => {
    new Counter({
      name,
      help,
      labelNames: ['run'],
      registers: [registry],
      collect() {
        this.reset();
        for (const e of runs.list()) this.inc({ run: e.run.id }, value(e));
      },
    });
  };
  perRun('adomix_steps_applied_total', 'Steps applied (all ranks reported).', (e) => e.run.counts.stepsApplied);
  perRun('adomix_reports_total', 'Rank reports accepted.', (e) => e.run.counts.reports);
  perRun('adomix_duplicate_reports_total', 'Rank reports that were retries of one already held or applied.', (e) => e.run.counts.duplicates);
  perRun('adomix_weight_waits_total', 'Weight requests that had to wait for their step.', (e) => e.run.counts.waits);
  perRun('adomix_refits_total', 'ADO refits computed.', (e) => e.runner?.stats.refits ?? 0);
  new Gauge({
    name: 'adomix_refit_seconds',
    help: 'Compute time of the last ADO refit.',
    labelNames: ['run'],
    registers: [registry],
    collect() {
      this.reset();
      for (const e of runs.list()) {
        const ms = e.runner?.stats.computeMs.at(-1);
        if (ms !== undefined) this.set({ run: e.run.id }, ms / 1000);
      }
    },
  });
  new Gauge({
    name: 'adomix_stalled_ranks',
    help: 'Ranks the next step has waited for longer than the run\'s rankTimeoutMs.',
    labelNames: ['run'],
    registers: [registry],
    collect() {
      this.reset();
      const now = Date.now();
      for (const e of runs.list()) this.set({ run: e.run.id }, (e.run.status(now).stalled as unknown[]).length);
    },
  });
  const perDomain = (name: string, help: string, value: (e: ReturnType<RunRegistry['list']>[number]) => (number | undefined)[]): void => {
    new Gauge({
      name,
      help,
      labelNames: ['run', 'domain'],
      registers: [registry],
      collect() {
        this.reset();
        for (const e of runs.list()) {
          const v = value(e);
          e.run.domains.forEach((d, k) => {
            if (v[k] !== undefined && Number.isFinite(v[k])) this.set({ run: e.run.id, domain: d }, v[k]!);
          });
        }
      },
    });
  };
  const laws = (e: ReturnType<RunRegistry['list']>[number]) => (e.run.policy instanceof AdoPolicy ? e.run.policy.laws() : []);
  perDomain('adomix_domain_weight', 'The newest published weight of each domain.', (e) => Array.from(e.run.policy.weights()));
  perDomain('adomix_law_alpha', 'Fitted α of each domain\'s law L(n) = ε + β·n^(−α).', (e) => laws(e).map((l) => l?.[2]));
  perDomain('adomix_law_epsilon', 'Fitted ε (the irreducible loss) of each domain.', (e) => laws(e).map((l) => (l ? Math.exp(l[1]) : undefined)));
  perDomain('adomix_law_beta', 'Fitted β of each domain.', (e) => laws(e).map((l) => (l ? Math.exp(l[0]) : undefined)));
  const histogram = (name: string, help: string) => new Histogram({ name, help, labelNames: ['run'], buckets: BUCKETS, registers: [registry] });
  return {
    registry,
    reportSeconds: histogram('adomix_report_seconds', 'Time to take a rank report (server side).'),
    weightsSeconds: histogram('adomix_weights_seconds', 'Time to answer a weights request, waits included (server side).'),
    waitSeconds: histogram('adomix_weight_wait_seconds', 'Time a weights request waited for its step.'),
  };
}
