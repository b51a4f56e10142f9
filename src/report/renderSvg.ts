/**
 * Vega-Lite → Vega → SVG, headless in Node: renderer 'none' (no canvas, no DOM), text
 * widths estimated by Vega. The result is a standalone SVG document with no external
 * references.
 *
 * Vega and Vega-Lite are loaded on first use (they take most of a second to import), so
 * commands that never draw a chart do not pay for them.
 */
import type { TopLevelSpec } from 'vega-lite';

type Renderer = { vega: typeof import('vega'); compile: typeof import('vega-lite').compile };
let loaded: Promise<Renderer> | undefined;

function load(): Promise<Renderer> {
  loaded ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, compile: vl.compile }));
  return loaded;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, compile } = await load();
  // Vega-Lite's warnings (e.g. merged legends) are not the user's business: stay quiet on stderr.
  const compiled = compile(spec, { logger: vega.logger(vega.None) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.None });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** An SVG for inlining into HTML: HTML5 puts <svg> in its namespace, so the xmlns URLs go. */
export function inlineSvg(svg: string): string {
  return svg.replace(/\s+xmlns(:xlink)?="[^"]*"/g, '');
}
