/**
 * Domain colours: Tableau 10 for up to ten domains (distinct and print-safe), else d3's
 * category20 (ten hues, dark and light) plus four darker tones from category20b, so 22 Pile
 * domains stay distinguishable; beyond 24, evenly spread hues by the golden angle. The same
 * domain keeps its colour in every chart and table of a report.
 */
const TABLEAU10 = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const CATEGORY24 = [
  '#1f77b4', '#aec7e8', '#ff7f0e', '#ffbb78', '#2ca02c', '#98df8a', '#d62728', '#ff9896', '#9467bd', '#c5b0d5',
  '#8c564b', '#c49c94', '#e377c2', '#f7b6d2', '#7f7f7f', '#c7c7c7', '#bcbd22', '#dbdb8d', '#17becf', '#9edae5',
  '#393b79', '#637939', '#8c6d31', '#843c39',
];

export function domainColors(k: number): string[] {
  if (k <= TABLEAU10.length) return TABLEAU10.slice(0, k);
  if (k <= CATEGORY24.length) return CATEGORY24.slice(0, k);
  const out: string[] = [];
  for (let i = 0; i < k; i++) out.push(hslToHex((i * 137.508) % 360, 65, [45, 62, 32, 55][i % 4]));
  return out;
}

function hslToHex(h: number, s: number, l: number): string {
  const sat = s / 100;
  const lig = l / 100;
  const a = sat * Math.min(lig, 1 - lig);
  const f = (n: number): string => {
    const k = (n + h / 30) % 12;
    const c = lig - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(255 * c)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}
