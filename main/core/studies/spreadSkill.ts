/**
 * Spread–skill ratio of an ensemble (Fortin et al. 2014): with n members x_k and the truth y at
 * each of P points,
 *   skill  RMSE  = √( mean_p (x̄_p − y_p)² ),         x̄_p = (1/n) Σ_k x_kp
 *   spread S     = √( mean_p (1/(n−1)) Σ_k (x_kp − x̄_p)² )
 *   ratio        = √((n + 1)/n) · S / RMSE,
 * which is 1 in expectation when the truth is statistically one more member (E[RMSE²] =
 * (n + 1)/n · E[S²]); below 1 the ensemble is over-confident, above 1 under-confident.
 */
export interface SpreadSkill {
  members: number;
  points: number;
  rmse: number;
  spread: number;
  ratio: number;
}

/** Accumulates ensembles of n members point set by point set (sample by sample). */
export class SpreadSkillAccumulator {
  readonly members: number;
  private points = 0;
  private squaredError = 0;
  private variance = 0;

  constructor(members: number) {
    if (!Number.isInteger(members) || members < 2) throw new RangeError(`A spread needs at least 2 ensemble members; got ${members}.`);
    this.members = members;
  }

  /** `ensemble` [n, P] (member-major), `truth` [P]. */
  add(ensemble: ArrayLike<number>, truth: ArrayLike<number>): void {
    const n = this.members;
    const p = truth.length;
    if (ensemble.length !== n * p) throw new RangeError(`An ensemble of ${n} members over ${p} points has ${n * p} values; got ${ensemble.length}.`);
    for (let i = 0; i < p; i += 1) {
      let sum = 0;
      for (let k = 0; k < n; k += 1) sum += ensemble[k * p + i];
      const mean = sum / n;
      let sq = 0;
      for (let k = 0; k < n; k += 1) sq += (ensemble[k * p + i] - mean) ** 2;
      this.variance += sq / (n - 1);
      this.squaredError += (mean - truth[i]) ** 2;
    }
    this.points += p;
  }

  result(): SpreadSkill {
    const rmse = Math.sqrt(this.squaredError / this.points);
    const spread = Math.sqrt(this.variance / this.points);
    return { members: this.members, points: this.points, rmse, spread, ratio: (Math.sqrt((this.members + 1) / this.members) * spread) / rmse };
  }
}
