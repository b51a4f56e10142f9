/**
 * The Kaplan residual problem in centred coordinates, for judging the optimum's Hessian
 * (identifiability.ts). The fit itself runs in θ = (log N_c, log D_c, α_N, α_D), where
 * log N_c ≈ 30 sits far from the data's log N and the Hessian's condition number reaches
 * ~1e7 even for well-posed runs. With x̃ = log N − mean log N, ỹ = log D − mean log D and
 *
 *   φ = (k·(log N_c − x̄), log D_c − ȳ, k, α_D),  k = α_N/α_D,
 *   r_i = α_D·s_i − log L_i,  s_i = LSE(u_i, v_i),  u_i = φ₁ − k·x̃_i,  v_i = φ₂ − ỹ_i,
 *
 * the same law has the Jacobian (α_D·p_u, α_D·p_v, −α_D·p_u·x̃, s) and, with the rows
 * m_u = (1, 0, −x̃, 0), m_v = (0, 1, 0, 0) and g = p_u·m_u + p_v·m_v = ∇s,
 *
 *   ∇²r = α_D·(p_u·m_u m_uᵀ + p_v·m_v m_vᵀ − g gᵀ) + e₄ gᵀ + g e₄ᵀ.
 *
 * Internal to src/planning.
 */
import type { HuberProblem } from '../numerics/minimizeHuber.js';

export class KaplanCentredProblem implements HuberProblem {
  readonly n: number;
  readonly p = 4;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly xm: number;
  readonly ym: number;
  constructor(
    x: Float64Array,
    y: Float64Array,
    readonly t: Float64Array,
  ) {
    this.n = x.length;
    this.xm = x.reduce((s, v) => s + v, 0) / this.n;
    this.ym = y.reduce((s, v) => s + v, 0) / this.n;
    this.x = x.map((v) => v - this.xm);
    this.y = y.map((v) => v - this.ym);
  }

  /** φ of θ = (log N_c, log D_c, α_N, α_D). */
  centre(th: ArrayLike<number>): Float64Array {
    const k = th[2] / th[3];
    return Float64Array.of(k * (th[0] - this.xm), th[1] - this.ym, k, th[3]);
  }

  private terms(th: Float64Array, i: number): { s: number; pu: number; pv: number } {
    const u = th[0] - th[2] * this.x[i];
    const v = th[1] - this.y[i];
    const m = Math.max(u, v);
    const eu = Math.exp(u - m);
    const ev = Math.exp(v - m);
    return { s: m + Math.log(eu + ev), pu: eu / (eu + ev), pv: ev / (eu + ev) };
  }

  residuals(th: Float64Array, r: Float64Array, J: Float64Array): void {
    const aD = th[3];
    for (let i = 0; i < this.n; i++) {
      const { s, pu, pv } = this.terms(th, i);
      r[i] = aD * s - this.t[i];
      J.set([aD * pu, aD * pv, -aD * pu * this.x[i], s], i * 4);
    }
  }

  addCurvature(th: Float64Array, w: Float64Array, H: Float64Array): void {
    const aD = th[3];
    for (let i = 0; i < this.n; i++) {
      if (w[i] === 0) continue;
      const { pu, pv } = this.terms(th, i);
      const mu = [1, 0, -this.x[i], 0];
      const g = [pu, pv, -pu * this.x[i], 0];
      for (let j = 0; j < 4; j++) {
        for (let k = 0; k < 4; k++) {
          const mv = (j === 1 ? 1 : 0) * (k === 1 ? 1 : 0);
          let h = aD * (pu * mu[j] * mu[k] + pv * mv - g[j] * g[k]);
          if (j === 3) h += g[k];
          if (k === 3) h += g[j];
          H[j * 4 + k] += w[i] * h;
        }
      }
    }
  }
}
