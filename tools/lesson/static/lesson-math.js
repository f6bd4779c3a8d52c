// The explorable's arithmetic, done the way mathcore does it, operation for operation, so that the browser's
// numbers agree with mathcore's (the lesson page's tests check every step of cases mathcore computed):
//   the toy loss      mathcore/losses.py, AngularLoss: L = f(φ), ∇L = f'(φ)·(−y, x)/r²
//   a run             mathcore/trajectories.py, iterate: v ← γv + ∇L(θ) + λθ;  θ ← θ − η_t·v
//   the twin          mathcore/recipe.py: α, η̃_t = η·α^(−2t−1), s_t = α^t, ṽ_0 (window.LessonFormulas,
//                     printed from the sympy derivations by tools/lesson/explorable.py)
// A setting the theorems forbid, or one float64 cannot carry, is refused with a reason, never run.
(function (global) {
  "use strict";
  const F = global.LessonFormulas;

  // f'(φ) = Σ_i d_i·κ_i·sin(φ − μ_i)·exp(κ_i(cos(φ − μ_i) − 1)), summed in the wells' order as numpy does.
  function profileSlope(wells, phi) {
    let total = 0;
    for (const w of wells) {
      const offset = phi - w.centre;
      total += w.depth * w.concentration * Math.sin(offset) * Math.exp(w.concentration * (Math.cos(offset) - 1.0));
    }
    return total;
  }

  // ∇L(x, y) = f'(atan2(y, x))·(−y, x)/(x² + y²)
  function gradient(wells, x, y) {
    const slopeOverR2 = profileSlope(wells, Math.atan2(y, x)) / (x * x + y * y);
    return [-y * slopeOverR2, x * slopeOverR2];
  }

  // Why a recipe cannot be run, as mathcore.recipe.Recipe refuses it; null when it can.
  function refusal(recipe) {
    const { lr, weight_decay: lam, momentum: gamma, steps } = recipe;
    if (!(Number.isFinite(lr) && lr > 0)) return { kind: "lr" };
    if (!(Number.isFinite(lam) && lam >= 0)) return { kind: "weight_decay" };
    if (!(Number.isFinite(gamma) && gamma >= 0 && gamma < 1)) return { kind: "momentum" };
    if (!(Number.isInteger(steps) && steps >= 0)) return { kind: "steps" };
    if (!F.scalePositive(lr, lam)) return { kind: "lr_weight_decay", product: lr * lam };
    if (!F.realAlpha(lr, lam, gamma)) {
      return { kind: "no_real_alpha", product: lr * lam, limit: Math.pow(1 - Math.sqrt(gamma), 2) };
    }
    return null;
  }

  // α, as Recipe.alpha: the double root when the discriminant is zero (or rounds below it), never above 1.
  function alpha(recipe) {
    const { lr, weight_decay: lam, momentum: gamma } = recipe;
    const b = 1 + gamma - lr * lam;
    if (b * b - 4 * gamma <= 0) return b / 2;
    const root = F.alpha(lr, lam, gamma);
    return Number.isFinite(root) ? Math.min(root, 1.0) : b / 2;
  }

  // η̃_t for t = 0..steps−1, or the first step where float64 overflows.
  function schedule(recipe, a) {
    const rates = new Float64Array(recipe.steps);
    for (let t = 0; t < recipe.steps; t++) {
      rates[t] = F.schedule(recipe.lr, a, t);
      if (!Number.isFinite(rates[t])) return { overflow: t };
    }
    return { rates };
  }

  // θ_0..θ_steps (x, y interleaved) of v ← γv + ∇L(θ) + λθ; θ ← θ − η_t·v from (θ_0, v_0).
  function iterate(wells, theta0, rate, steps, lam, gamma, velocity0) {
    const path = new Float64Array(2 * (steps + 1));
    let [x, y] = theta0;
    let [vx, vy] = velocity0 || [0, 0];
    path[0] = x;
    path[1] = y;
    for (let t = 0; t < steps; t++) {
      const eta = typeof rate === "number" ? rate : rate[t];
      const [gx, gy] = gradient(wells, x, y);
      vx = gamma * vx + gx + lam * x;
      vy = gamma * vy + gy + lam * y;
      x = x - eta * vx;
      y = y - eta * vy;
      if (!Number.isFinite(x) || !Number.isFinite(y)) return { overflow: t + 1 };
      path[2 * t + 2] = x;
      path[2 * t + 3] = y;
    }
    return { path };
  }

  // The weight-decay run and its exponential-LR twin from ṽ_0, the scale α^t and the relative gap
  // ‖θ_wd − α^t θ_exp‖/‖θ_wd‖ per step (mathcore.trajectories.twin_runs and Comparison); or a refusal.
  function twinRuns(wells, theta0, recipe) {
    const refused = refusal(recipe);
    if (refused) return { refused };
    const a = alpha(recipe);
    const planned = schedule(recipe, a);
    if (planned.overflow !== undefined) return { refused: { kind: "overflow", step: planned.overflow } };
    const v0 = [F.velocity0(recipe.lr, a, theta0[0]), F.velocity0(recipe.lr, a, theta0[1])];
    const decayed = iterate(wells, theta0, recipe.lr, recipe.steps, recipe.weight_decay, recipe.momentum);
    const exploded = iterate(wells, theta0, planned.rates, recipe.steps, 0.0, recipe.momentum, v0);
    for (const run of [decayed, exploded]) {
      if (run.overflow !== undefined) return { refused: { kind: "overflow", step: run.overflow } };
    }
    const n = recipe.steps + 1;
    const scale = new Float64Array(n);
    const gap = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      scale[t] = F.scale(a, t);
      const x = decayed.path[2 * t], y = decayed.path[2 * t + 1];
      const dx = x - scale[t] * exploded.path[2 * t], dy = y - scale[t] * exploded.path[2 * t + 1];
      gap[t] = Math.sqrt(dx * dx + dy * dy) / Math.sqrt(x * x + y * y);
    }
    return { alpha: a, rates: planned.rates, scale, decayed: decayed.path, exploded: exploded.path, gap };
  }

  global.LessonMath = { profileSlope, gradient, refusal, alpha, schedule, iterate, twinRuns };
})(window);
