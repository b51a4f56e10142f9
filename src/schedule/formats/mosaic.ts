/**
 * MosaicML: a `streams:` block per stage, for llm-foundry and mosaicml/streaming.
 *
 * mosaicml/streaming, streaming/base/stream.py: `Stream(remote=…, local=…, split=…,
 * proportion=…)`; at least one of remote and local; proportions are relative (every stream
 * of a dataset gives one, none negative) and `Stream.apply_weights` normalises them.
 * mosaicml/llm-foundry, llmfoundry/data/text_data.py: `build_streams` makes one
 * `Stream(**fields)` per entry of the mapping `train_loader.dataset.streams`, keyed by a
 * name of your choice. A path with a scheme (`s3://…`, `gs://…`, `oci://…`) is a remote,
 * given a local cache directory too (`mds-cache/<domain>`): without one, Stream makes a
 * temporary directory named after the remote and refuses to start when it already exists,
 * as it does for every stage after the first. Any other path is the local directory of
 * its MDS shards.
 */
import { Document } from 'yaml';
import type { PlannedStage, SchedulePlan } from '../plan.js';
import { missingPaths, runLines } from './common.js';
import { fillIn, yamlStages } from './yamlStages.js';

/** `remote` for a URL, `local` for anything else. */
export function streamLocation(path: string): 'remote' | 'local' {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ? 'remote' : 'local';
}

function stageDocument(plan: SchedulePlan, s: PlannedStage): Document {
  const streams: Record<string, Record<string, string | number>> = {};
  plan.domains.forEach((d, k) => {
    const path = plan.paths[k];
    streams[d] = path === null ? { local: d } : streamLocation(path) === 'remote' ? { remote: path, local: `mds-cache/${d}` } : { local: path };
    streams[d].proportion = Number(s.decimals[k]);
  });
  const doc = new Document({ streams });
  plan.domains.forEach((d, k) => {
    const path = plan.paths[k];
    if (path === null) fillIn(doc, ['streams', d, 'local'], `fill in: the local directory of "${d}"'s MDS shards, or remote: its URL`);
    else if (streamLocation(path) === 'remote') fillIn(doc, ['streams', d, 'local'], 'the cache of its shards, kept from stage to stage');
  });
  return doc;
}

function header(plan: SchedulePlan): string[] {
  const missing = missingPaths(plan);
  const lines = [
    ...runLines(plan, 'MosaicML streaming / llm-foundry (streams)'),
    '',
    'Each YAML document below is one stage\'s streams: block: put it under train_loader.dataset of an llm-foundry',
    'YAML (llmfoundry/data/text_data.py makes Stream(**fields) of each entry), or pass Stream(**fields) per entry to',
    'a StreamingDataset (mosaicml/streaming, streaming/base/stream.py; proportions are relative, normalised there).',
    'Train one run per stage (max_duration: its steps, in ba), each loading the checkpoint of the one before.',
  ];
  if (missing.length > 0) lines.push(`Fill in: the locations of ${missing.join(', ')} (their domain names stand in as local), or export again with --paths NAME=PATH,….`);
  return lines;
}

/** The MosaicML file: one `streams:` document per stage. */
export function formatMosaic(plan: SchedulePlan): string {
  return yamlStages(plan, header(plan), (s) => stageDocument(plan, s));
}
