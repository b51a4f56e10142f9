/**
 * Valid snapshots of every policy kind with every part of their state in use (laws, a
 * pending refit, history, an added and an exhausted domain), for the restore tests.
 */
import { AdoPolicy, OdmPolicy, StaticPolicy, type PolicySnapshot } from '../../src/mixing/index.js';
import { drive, SyntheticRun } from './helpers.js';

export const ADO_OPTIONS = { domains: ['a', 'b', 'c'], prior: [0.5, 0.3, 0.2], startStep: 40, refitInterval: 20, ignoreSteps: 0, minPoints: 5, lag: 7 };

/**
 * ADO after steps 0…104 with the real fitting engine: refits at 40, 60, 80 applied, the one
 * started after 100 pending; domain d added after step 59, b exhausted after step 89.
 */
export function adoSnapshot(options: Partial<typeof ADO_OPTIONS> & Record<string, unknown> = {}): PolicySnapshot {
  const p = new AdoPolicy({ ...ADO_OPTIONS, ...options });
  const run = new SyntheticRun(3, 4);
  drive(p, run, 60);
  p.addDomain('d', 0.1);
  drive(p, run, 30);
  p.markExhausted('b');
  drive(p, run, 15);
  return JSON.parse(JSON.stringify(p.snapshot())) as PolicySnapshot;
}

/** ADO before its first refit (after 30 steps, domain c exhausted): weights are still μ. */
export function adoEarlySnapshot(): PolicySnapshot {
  const p = new AdoPolicy({ ...ADO_OPTIONS });
  const run = new SyntheticRun(6, 3);
  drive(p, run, 20);
  p.markExhausted('c');
  drive(p, run, 10);
  return JSON.parse(JSON.stringify(p.snapshot())) as PolicySnapshot;
}

/** ODM (smoothed or exp3) after 50 steps, with domain w added and y exhausted. */
export function odmSnapshot(variant: 'exp3' | 'smoothed' = 'exp3'): PolicySnapshot {
  const p = new OdmPolicy({ domains: ['x', 'y', 'z'], variant });
  const run = new SyntheticRun(4, 4);
  drive(p, run, 30);
  p.addDomain('w', 0.2);
  p.markExhausted('y');
  drive(p, run, 20);
  return JSON.parse(JSON.stringify(p.snapshot())) as PolicySnapshot;
}

/** natural, balanced and static policies after a few steps, with a domain added and one exhausted. */
export function staticSnapshots(): PolicySnapshot[] {
  const make = [
    () => StaticPolicy.natural(['a', 'b', 'c'], [3, 2, 1]),
    () => StaticPolicy.balanced(['a', 'b', 'c']),
    () => new StaticPolicy({ domains: ['a', 'b', 'c'], weights: [0.1, 0.6, 0.3] }),
  ];
  return make.map((m) => {
    const p = m();
    const run = new SyntheticRun(5, 4);
    drive(p, run, 5);
    p.addDomain('d', 0.25);
    p.markExhausted('a');
    drive(p, run, 5);
    return JSON.parse(JSON.stringify(p.snapshot())) as PolicySnapshot;
  });
}
