/** A tiny `adomix train` config: a few steps of a 2k-parameter model take well under a second on cpu. */
export const TINY = {
  batchSize: 8,
  targetsPerExample: 4,
  evalEvery: 3,
  evalExamples: 4,
  checkpointEvery: 3,
  refit: 'inline',
  model: { context: 4, embedding: 4, hidden: 16, layers: 1 },
  data: { trainChars: { code: 2000, prose: 2000, json: 1000, random: 1500 }, heldOutChars: 300 },
  ado: { startStep: 3, refitInterval: 2, ignoreSteps: 0, minPoints: 3, lag: 1, subsample: 1 },
};
