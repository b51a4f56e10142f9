/**
 * Source-code domain: JavaScript/TypeScript-like functions built from a small grammar
 * (typed parameters, loops, conditionals, early returns, method calls), two-space indented.
 * Highly structured and repetitive in its keywords and punctuation, varied in identifiers.
 */
import type { Rng } from '../../random/index.js';
import { between, chance, pick } from './pick.js';

const VERBS = ['get', 'set', 'compute', 'update', 'parse', 'build', 'find', 'load', 'render', 'filter', 'merge', 'count', 'validate', 'format', 'create', 'apply', 'resolve', 'collect'];
const NOUNS = ['User', 'Item', 'Total', 'Config', 'Node', 'Value', 'Index', 'Buffer', 'Record', 'Score', 'Path', 'Token', 'Order', 'Event', 'Range', 'Cache', 'Entry', 'Batch'];
const VARS = ['items', 'value', 'options', 'index', 'count', 'key', 'data', 'list', 'name', 'limit', 'offset', 'total', 'result', 'node', 'entry', 'size'];
const TYPES = ['number', 'string', 'boolean', 'number[]', 'string[]', 'Record<string, number>', 'Map<string, Item>'];
const METHODS = ['push', 'set', 'get', 'has', 'add', 'delete', 'includes', 'indexOf'];
const OPS = ['+', '-', '*', '%'];
const CMPS = ['>', '<', '>=', '<=', '===', '!=='];

function identifier(rng: Rng): string {
  return pick(rng, VERBS) + pick(rng, NOUNS);
}

function expression(rng: Rng, vars: string[]): string {
  switch (rng.int(5)) {
    case 0:
      return `${pick(rng, vars)} ${pick(rng, OPS)} ${between(rng, 1, 64)}`;
    case 1:
      return `${pick(rng, vars)}.length`;
    case 2:
      return `${identifier(rng)}(${pick(rng, vars)})`;
    case 3:
      return `${pick(rng, vars)}[${pick(rng, ['i', 'index', '0', 'key'])}]`;
    default:
      return `${pick(rng, vars)} ${pick(rng, OPS)} ${pick(rng, vars)}`;
  }
}

function statements(rng: Rng, vars: string[], indent: string, depth: number, out: string[]): void {
  const n = between(rng, 1, depth === 0 ? 5 : 3);
  for (let s = 0; s < n; s++) {
    const kind = depth >= 2 ? rng.int(4) : rng.int(7);
    switch (kind) {
      case 0: {
        const v = pick(rng, VARS);
        out.push(`${indent}${chance(rng, 0.6) ? 'const' : 'let'} ${v} = ${expression(rng, vars)};`);
        vars.push(v);
        break;
      }
      case 1:
        out.push(`${indent}${pick(rng, vars)} ${pick(rng, ['+=', '-=', '='])} ${expression(rng, vars)};`);
        break;
      case 2:
        out.push(`${indent}${pick(rng, vars)}.${pick(rng, METHODS)}(${expression(rng, vars)});`);
        break;
      case 3:
        out.push(`${indent}console.log(${JSON.stringify(pick(rng, VERBS) + ' ' + pick(rng, NOUNS).toLowerCase())}, ${pick(rng, vars)});`);
        break;
      case 4: {
        out.push(`${indent}if (${pick(rng, vars)} ${pick(rng, CMPS)} ${expression(rng, vars)}) {`);
        statements(rng, vars, indent + '  ', depth + 1, out);
        if (chance(rng, 0.5)) out.push(`${indent}  return ${expression(rng, vars)};`);
        if (chance(rng, 0.3)) {
          out.push(`${indent}} else {`);
          statements(rng, vars, indent + '  ', depth + 1, out);
        }
        out.push(`${indent}}`);
        break;
      }
      case 5: {
        const arr = pick(rng, vars);
        out.push(`${indent}for (let i = 0; i < ${arr}.length; i++) {`);
        statements(rng, [...vars, 'i'], indent + '  ', depth + 1, out);
        out.push(`${indent}}`);
        break;
      }
      default: {
        const arr = pick(rng, vars);
        const el = pick(rng, ['item', 'entry', 'node', 'x']);
        out.push(`${indent}for (const ${el} of ${arr}) {`);
        statements(rng, [...vars, el], indent + '  ', depth + 1, out);
        out.push(`${indent}}`);
      }
    }
  }
}

/** One function, ending with a blank line. */
export function codeFunction(rng: Rng): string {
  const params: string[] = [];
  const nParams = between(rng, 1, 3);
  while (params.length < nParams) {
    const p = pick(rng, VARS);
    if (!params.includes(p)) params.push(p);
  }
  const lines: string[] = [];
  const exported = chance(rng, 0.4) ? 'export ' : '';
  const sig = params.map((p) => `${p}: ${pick(rng, TYPES)}`).join(', ');
  lines.push(`${exported}function ${identifier(rng)}(${sig}): ${pick(rng, TYPES)} {`);
  statements(rng, [...params], '  ', 0, lines);
  lines.push(`  return ${expression(rng, params)};`);
  lines.push('}', '');
  return lines.join('\n') + '\n';
}
