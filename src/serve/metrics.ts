/**
 * Prometheus metrics (prom-client), one registry per server. Counters and per-domain gauges
 * are read from the runs when scraped, so the request path only feeds two histograms.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunBackend, RunMetrics } from './backend.js';

export interface ServeMetrics {
  registry: Registry;
  reportSeconds: Histogram<'run'>;
  weightsSeconds: Histogram<'run'>;
  waitSeconds: Histogram<'run'>;
}

const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5];

export function createMetrics(backend: RunBackend): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const perRun = (name: string, help: string, value: (r: RunMetrics) => number): void => {
    new Counter({
      name,
      help,
      labelNames: ['run'],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of backend.metricRuns()) this.inc({ run: r.id }, value(r));
      },
    });
  };
  perRun('adomix_steps_applied_total', 'Steps applied (all ranks reported).', (r) => r.counts.stepsApplied);
  perRun('adomix_reports_total', 'Rank reports accepted.', (r) => r.counts.reports);
  perRun('adomix_duplicate_reports_total', 'Rank reports that were retries of one already held or applied.', (r) => r.counts.duplicates);
  perRun('adomix_weight_waits_total', 'Weight requests that had to wait for their step.', (r) => r.counts.waits);
  perRun('adomix_stale_weight_reports_total', 'Rank reports whose batch was drawn with older weights than the step was served (the rank went on without waiting).', (r) => r.counts.staleWeights);
  perRun('adomix_refits_total', 'ADO refits computed.', (r) => r.refits);
  perRun('adomix_collapse_alerts_total', 'ADO collapse alerts raised (a domain pinned at δ_min while its loss falls; low mixture entropy).', (r) => r.alerts ?? 0);
  new Gauge({
    name: 'adomix_mixture_entropy',
    help: 'Entropy of the newest ADO mixture over the live domains, divided by ln K (1: uniform).',
    labelNames: ['run'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of backend.metricRuns()) if (r.entropy !== undefined) this.set({ run: r.id }, r.entropy);
    },
  });
  new Gauge({
    name: 'adomix_refit_seconds',
    help: 'Compute time of the last ADO refit.',
    labelNames: ['run'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of backend.metricRuns()) if (r.lastRefitMs !== undefined) this.set({ run: r.id }, r.lastRefitMs / 1000);
    },
  });
  new Gauge({
    name: 'adomix_stalled_ranks',
    help: 'Ranks the next step has waited for longer than the run\'s rankTimeoutMs.',
    labelNames: ['run'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of backend.metricRuns()) this.set({ run: r.id }, r.stalled);
    },
  });
  const perDomain = (name: string, help: string, value: (r: RunMetrics) => (number | undefined)[]): void => {
    new Gauge({
      name,
      help,
      labelNames: ['run', 'domain'],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of backend.metricRuns()) {
          const v = value(r);
          r.domains.forEach((d, k) => {
            if (v[k] !== undefined && Number.isFinite(v[k])) this.set({ run: r.id, domain: d }, v[k]!);
          });
        }
      },
    });
  };
  perDomain('adomix_domain_weight', 'The newest published weight of each domain.', (r) => Array.from(r.weights));
  perDomain('adomix_law_alpha', 'Fitted α of each domain\'s law L(n) = ε + β·n^(−α).', (r) => r.laws.map((l) => l?.[2]));
  perDomain('adomix_law_epsilon', 'Fitted ε (the irreducible loss) of each domain.', (r) => r.laws.map((l) => (l ? Math.exp(l[1]) : undefined)));
  perDomain('adomix_law_beta', 'Fitted β of each domain.', (r) => r.laws.map((l) => (l ? Math.exp(l[0]) : undefined)));
  const histogram = (name: string, help: string) => new Histogram({ name, help, labelNames: ['run'], buckets: BUCKETS, registers: [registry] });
  return {
    registry,
    reportSeconds: histogram('adomix_report_seconds', 'Time to take a rank report (server side).'),
    weightsSeconds: histogram('adomix_weights_seconds', 'Time to answer a weights request, waits included (server side).'),
    waitSeconds: histogram('adomix_weight_wait_seconds', 'Time a weights request waited for its step.'),
  };
}
