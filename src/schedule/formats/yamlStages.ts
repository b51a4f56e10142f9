/**
 * YAML files of one document per stage (OLMo-core, MosaicML): each document is exactly
 * what the engine reads, so a one-stage file loads as it is, and a file of several yields
 * one config per document (`yaml.safe_load_all`). Written with the `yaml` library
 * (eemeli/yaml), floats always with a decimal point (`1.0`, not `1`), so that a loader
 * typing them by their text reads floats.
 */
import { Document, isScalar, visit, type Scalar } from 'yaml';
import type { PlannedStage, SchedulePlan } from '../plan.js';
import { comments, stageWords } from './common.js';

/** A placeholder comment on the scalar at `path` of `doc`. */
export function fillIn(doc: Document, path: (string | number)[], text: string): void {
  const node = doc.getIn(path, true);
  if (isScalar(node)) node.comment = ` ${text}`;
}

/** Numbers as floats: at least one digit after the point. */
function floatsWithPoint(doc: Document): void {
  visit(doc, {
    Scalar(key, node: Scalar) {
      if (key === 'value' && typeof node.value === 'number') node.minFractionDigits = 1;
    },
  });
}

/** The file: header comments, then `---`, the stage's comment and its document, per stage. */
export function yamlStages(plan: SchedulePlan, header: readonly string[], stageDocument: (s: PlannedStage) => Document): string {
  let out = comments(header);
  for (const s of plan.stages) {
    const doc = stageDocument(s);
    floatsWithPoint(doc);
    out += `---\n${comments([stageWords(plan, s)])}${doc.toString({ lineWidth: 0 })}`;
  }
  return out;
}
