/**
 * What `adomix simulate` leaves next to its step log (`sim.json`): the scenario, the policy,
 * the true final losses and the oracle's, so a report of a simulated run can say how far the
 * policy was from the best possible mixture. Validated on read; a report without it is fine.
 */
import { z } from 'zod';

export const SIM_INFO_FORMAT = 'adomix-sim/1';

const num = z.number();
export const SimInfoSchema = z.object({
  adomix: z.literal(SIM_INFO_FORMAT),
  scenario: z.string(),
  description: z.string().optional(),
  policy: z.string(),
  seed: num,
  steps: num,
  batchSize: num,
  /** Mean true loss over domains at the end (the objective). */
  objective: num,
  natural: z.object({ objective: num }).optional(),
  oracle: z.object({
    objective: num,
    schedule: z.object({ objective: num, meanOverRun: num }).optional(),
  }),
  domains: z.array(
    z.object({
      name: z.string(),
      prior: num,
      meanWeight: num,
      examples: num,
      finalLoss: num,
      oracleWeight: num,
      oracleLoss: num,
      exhaustedAt: num.nullable(),
    }),
  ),
});

export type SimInfo = z.infer<typeof SimInfoSchema>;

/** Parses sim.json content; throws naming the file and field on a bad one. */
export function parseSimInfo(value: unknown, source: string): SimInfo {
  const r = SimInfoSchema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${source}: ${i.path.join('.') || '(top level)'}: ${i.message}`);
  }
  return r.data;
}
