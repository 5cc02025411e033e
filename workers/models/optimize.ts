/**
 * Unconstrained minimisation for the small maximum-likelihood problems (BG/NBD: 4 parameters,
 * Gamma-Gamma: 3), always run on log-parameters so that positivity needs no constraint.
 *
 * `minimizeBfgs`: quasi-Newton BFGS on the inverse Hessian with a backtracking Armijo line search.
 * The first step is scaled by the steepest-descent length and the initial inverse Hessian is reset
 * to (s'y / y'y) I after the first step (Nocedal & Wright, eq. 6.20). An update is skipped when the
 * curvature condition s'y > 0 fails, so the inverse Hessian stays positive definite. A function
 * value that is NaN or infinite is treated as "too far" and the step is shortened.
 *
 * Convergence: the largest gradient component falls below gtol * (1 + |f|) (a relative test, since
 * log-likelihoods of large customer bases are in the tens of thousands), or f stops decreasing by
 * more than ftol * (1 + |f|) for 3 consecutive steps. `converged: false` is returned, not thrown:
 * the caller knows what the parameters mean and can say so in its error.
 */

export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

export interface MinimizeOptions {
  /** Relative gradient tolerance; default 1e-10. */
  readonly gtol?: number;
  /** Relative function-decrease tolerance; default 1e-15. */
  readonly ftol?: number;
  /** Default 500. */
  readonly maxIterations?: number;
}

export interface MinimizeResult {
  readonly x: Float64Array;
  readonly f: number;
  /** Largest absolute gradient component at x. */
  readonly gradMax: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
  readonly reason: 'gradient' | 'no-progress' | 'max-iterations' | 'line-search-failed';
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

export function minimizeBfgs(fg: ObjectiveWithGradient, x0: ArrayLike<number>, options: MinimizeOptions = {}): MinimizeResult {
  const gtol = options.gtol ?? 1e-10;
  const ftol = options.ftol ?? 1e-15;
  const maxIter = options.maxIterations ?? 500;
  const n = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const d = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  const hy = new Float64Array(n);
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) H[i * n + i] = 1;

  let evaluations = 1;
  let f = fg(x, g);
  if (!Number.isFinite(f)) throw new Error(`The objective is not finite at the starting point (${f}).`);
  let stalled = 0;
  let first = true;

  for (let iter = 1; iter <= maxIter; iter++) {
    if (maxAbs(g) <= gtol * (1 + Math.abs(f))) {
      return { x, f, gradMax: maxAbs(g), iterations: iter - 1, evaluations, converged: true, reason: 'gradient' };
    }
    // d = -H g
    let slope = 0;
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v -= H[i * n + j] * g[j];
      d[i] = v;
      slope += v * g[i];
    }
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      H.fill(0);
      for (let i = 0; i < n; i++) {
        H[i * n + i] = 1;
        d[i] = -g[i];
      }
      slope = 0;
      for (let i = 0; i < n; i++) slope -= g[i] * g[i];
      first = true;
    }
    let step = 1;
    if (first) {
      // Keep the first step short in parameter space: log-parameters move by at most 1.
      const dm = maxAbs(d);
      if (dm > 1) step = 1 / dm;
    }
    let fNew = NaN;
    let accepted = false;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = fg(xNew, gNew);
      evaluations++;
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      return { x, f, gradMax: maxAbs(g), iterations: iter, evaluations, converged: maxAbs(g) <= 1e3 * gtol * (1 + Math.abs(f)), reason: 'line-search-failed' };
    }
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
      sy += s[i] * y[i];
      yy += y[i] * y[i];
    }
    const decrease = f - fNew;
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    if (decrease <= ftol * (1 + Math.abs(f))) {
      if (++stalled >= 3) return { x, f, gradMax: maxAbs(g), iterations: iter, evaluations, converged: true, reason: 'no-progress' };
    } else {
      stalled = 0;
    }
    if (sy > 1e-300 && sy > 1e-12 * Math.sqrt(yy) * Math.sqrt(s.reduce((a, v) => a + v * v, 0))) {
      if (first) {
        H.fill(0);
        const scale = sy / yy;
        for (let i = 0; i < n; i++) H[i * n + i] = scale;
        first = false;
      }
      // H+ = (I - rho s y') H (I - rho y s') + rho s s', rho = 1 / s'y.
      const rho = 1 / sy;
      let yHy = 0;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += H[i * n + j] * y[j];
        hy[i] = v;
        yHy += y[i] * v;
      }
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          H[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yHy + rho) * s[i] * s[j];
        }
      }
    }
  }
  return { x, f, gradMax: maxAbs(g), iterations: maxIter, evaluations, converged: false, reason: 'max-iterations' };
}

/** Central-difference gradient, for tests that check an analytic gradient. */
export function numericGradient(f: (x: Float64Array) => number, x: ArrayLike<number>, h = 1e-6): Float64Array {
  const n = x.length;
  const g = new Float64Array(n);
  const p = Float64Array.from(x);
  for (let i = 0; i < n; i++) {
    const xi = p[i];
    const step = h * Math.max(1, Math.abs(xi));
    p[i] = xi + step;
    const fp = f(p);
    p[i] = xi - step;
    const fm = f(p);
    p[i] = xi;
    g[i] = (fp - fm) / (2 * step);
  }
  return g;
}
