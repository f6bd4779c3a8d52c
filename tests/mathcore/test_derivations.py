"""Tests for mathcore.derivations.

The expected formulas (from shared/reference/math.md) are typed here, as the
independent expectation; the module under test must derive them.
"""

from __future__ import annotations

import math
import random
import re
import shutil
import subprocess
import time

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from mathcore import derivations as D

ALL = {
    "lemma_1": lambda: D.lemma_1(2),
    "lemma_1_n3": lambda: D.lemma_1(3),
    "pythagoras": D.pythagoras,
    "theorem_2_1": D.theorem_2_1,
    "momentum_theorem": D.momentum_theorem,
    "equilibrium": D.equilibrium,
}


def by_name(expr: sp.Basic) -> dict[str, sp.Symbol]:
    return {s.name: s for s in expr.free_symbols}


def is_zero(expr: sp.Basic) -> bool:
    return sp.simplify(expr) == 0


# ---------------------------------------------------------------- symbols
def test_public_symbols_have_the_documented_names() -> None:
    assert (D.eta.name, D.lam.name, D.t.name, D.gamma.name, D.alpha.name) == (
        "eta", "lambda", "t", "gamma", "alpha")
    assert D.eta.is_positive and D.alpha.is_positive
    assert D.t.is_integer and D.t.is_nonnegative
    assert D.lam.is_nonnegative and D.gamma.is_nonnegative


# ---------------------------------------------------------------- Lemma 1
@pytest.mark.parametrize("n", [2, 3])
def test_lemma1_scalings_and_orthogonality(n: int) -> None:
    d = D.lemma_1(n)
    c = d.c
    assert is_zero(d.gradient_scaling - 1 / c)
    assert is_zero(d.hessian_scaling - 1 / c**2)
    assert not is_zero(d.gradient_scaling - 1)  # the scaling is not trivial
    # <grad L(theta), theta> written out in standard sympy derivatives
    expected = sum(v * sp.Derivative(d.L(*d.theta), v) for v in d.theta)
    assert sp.expand(d.orthogonality - expected) == 0
    assert len(d.gradient_identities) == n
    assert len(d.hessian_identities) == n * (n + 1) // 2
    for eq in d.gradient_identities:
        assert isinstance(eq.lhs, sp.Subs)
        assert tuple(eq.lhs.point) == tuple(c * v for v in d.theta)
        assert is_zero(eq.rhs - eq.lhs.expr / c)
    for eq in d.hessian_identities:
        assert is_zero(eq.rhs - eq.lhs.expr / c**2)


@pytest.mark.parametrize("n", [2, 3])
def test_lemma1_concrete_loss_residuals_vanish(n: int) -> None:
    d = D.lemma_1(n)
    assert set(d.concrete_residuals) == {"invariance", "orthogonality", "gradient", "hessian", "pythagoras"}
    for key, vals in d.concrete_residuals.items():
        assert all(v == 0 for v in vals), key
    # the concrete loss really is scale invariant (independent check)
    c = sp.Symbol("c", positive=True)
    scaled = d.concrete_loss.subs({v: c * v for v in d.theta}, simultaneous=True)
    assert sp.cancel(scaled - d.concrete_loss) == 0


def test_lemma1_facts_hold_for_an_independent_loss_with_roots() -> None:
    x, y = sp.symbols("x y", real=True)
    rr = sp.sqrt(x**2 + y**2)
    loss = (x * y + 2 * y**2) / (x**2 + y**2) + x / rr + (x / rr) ** 3
    res = D.scale_invariance_residuals(loss, (x, y))
    for key, vals in res.items():
        assert all(v == 0 for v in vals), key


def test_lemma1_facts_fail_for_a_loss_that_is_not_scale_invariant() -> None:
    x, y = sp.symbols("x y", real=True)
    res = D.scale_invariance_residuals(x**2 + y**3, (x, y))
    for key in ("invariance", "orthogonality", "gradient", "hessian", "pythagoras"):
        assert any(v != 0 for v in res[key]), key


def test_lemma1_numeric_gradient_scaling() -> None:
    d = D.lemma_1(3)
    grad = [sp.lambdify(d.theta, sp.diff(d.concrete_loss, v)) for v in d.theta]
    k = sp.lambdify(d.c, d.gradient_scaling)
    rng = random.Random(1)
    for _ in range(20):
        p = [rng.uniform(-2, 2) for _ in range(3)]
        cc = rng.uniform(0.1, 10)
        g_p = [f(*p) for f in grad]
        g_cp = [f(*[cc * v for v in p]) for f in grad]
        assert abs(sum(a * b for a, b in zip(g_p, p))) < 1e-9
        for a, b in zip(g_cp, g_p):
            assert math.isclose(a, k(cc) * b, rel_tol=1e-9, abs_tol=1e-12)
        assert not math.isclose(g_cp[0], g_p[0], rel_tol=1e-6) or abs(cc - 1) < 1e-3


def test_lemma1_rejects_n_below_2() -> None:
    with pytest.raises(ValueError):
        D.lemma_1(1)


# ---------------------------------------------------------------- Pythagoras
def test_pythagoras() -> None:
    p = D.pythagoras()
    eta = D.eta
    assert sp.expand(p.expanded - (p.theta_sq - 2 * eta * p.inner + eta**2 * p.grad_sq)) == 0
    assert sp.expand(p.norm_sq - (p.theta_sq + eta**2 * p.grad_sq)) == 0
    assert sp.expand(p.increase - eta**2 * p.grad_sq) == 0
    assert p.increase.is_nonnegative
    # numeric: random theta and an orthogonal g
    rng = random.Random(2)
    f = sp.lambdify((p.theta_sq, p.grad_sq, eta), p.norm_sq)
    for _ in range(10):
        th = [rng.uniform(-1, 1) for _ in range(3)]
        u = [rng.uniform(-1, 1) for _ in range(3)]
        proj = sum(a * b for a, b in zip(u, th)) / sum(a * a for a in th)
        g = [a - proj * b for a, b in zip(u, th)]
        e = rng.uniform(0.01, 2)
        new = [a - e * b for a, b in zip(th, g)]
        lhs = sum(a * a for a in new)
        assert math.isclose(lhs, f(sum(a * a for a in th), sum(a * a for a in g), e), rel_tol=1e-12)


# ---------------------------------------------------------------- Theorem 2.1
def test_theorem_2_1_matches_math_md() -> None:
    d = D.theorem_2_1()
    names = by_name(d.schedule)
    assert set(names) == {"eta", "lambda", "t"}
    eta, lam, t = names["eta"], names["lambda"], names["t"]
    assert sp.simplify(d.schedule - eta * (1 - eta * lam) ** (-2 * t - 1)) == 0
    assert sp.simplify(d.scale - (1 - eta * lam) ** t) == 0
    assert sp.simplify(d.schedule - eta * (1 - eta * lam) ** (-2 * t)) != 0  # the test can fail
    assert d.residual == 0
    s = sp.Function("s")
    assert sp.simplify(d.scale_recurrence.rhs - (1 - eta * lam) * s(t)) == 0
    et = sp.Function("etatilde")
    assert d.lr_from_scale.lhs == et(t)
    assert sp.simplify(d.lr_from_scale.rhs - eta / (s(t) * s(t + 1))) == 0


def _quadform(A):
    """Normalised quadratic form L = th^T A th / th^T th and its gradient."""

    def grad(th):
        n2 = sum(v * v for v in th)
        Ath = [sum(A[i][j] * th[j] for j in range(len(th))) for i in range(len(th))]
        L = sum(a * b for a, b in zip(th, Ath)) / n2
        return [2 * (a - L * b) / n2 for a, b in zip(Ath, th)]

    return grad


def _rel(a, b) -> float:
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b))) / math.sqrt(sum(x * x for x in a))


def test_theorem_2_1_numerically_equivalent_runs() -> None:
    d = D.theorem_2_1()
    e, l = 0.1, 0.05
    sched = sp.lambdify(D.t, d.schedule.subs({D.eta: e, D.lam: l}))
    scale = sp.lambdify(D.t, d.scale.subs({D.eta: e, D.lam: l}))
    grad = _quadform([[1.0, 0.3], [0.3, -0.5]])

    def run(lr_fn):
        th, tt = [1.2, -1.6], [1.2, -1.6]
        worst = 0.0
        for k in range(300):
            g = grad(th)
            th = [(1 - e * l) * a - e * b for a, b in zip(th, g)]
            gt = grad(tt)
            tt = [a - lr_fn(k) * b for a, b in zip(tt, gt)]
            worst = max(worst, _rel(th, [scale(k + 1) * a for a in tt]))
        return worst

    assert run(sched) < 1e-10
    assert run(lambda k: e * (1 - e * l) ** (-2 * k)) > 1e-4  # a wrong schedule is detected


# ---------------------------------------------------------------- momentum
def test_momentum_characteristic_and_schedule() -> None:
    d = D.momentum_theorem()
    eta, lam, gamma, alpha, t = D.eta, D.lam, D.gamma, D.alpha, D.t
    assert sp.expand(d.characteristic - (alpha**2 - (1 + gamma - lam * eta) * alpha + gamma)) == 0
    assert {s.name for s in d.schedule.free_symbols} == {"eta", "alpha", "t"}
    assert sp.simplify(d.schedule - eta * alpha ** (-2 * t - 1)) == 0
    assert sp.simplify(d.scale - alpha**t) == 0
    assert len(d.alpha_roots) == 2
    assert {s.name for r in d.alpha_roots for s in r.free_symbols} == {"eta", "lambda", "gamma"}
    for root in d.alpha_roots:
        assert sp.simplify(sp.expand(d.characteristic.subs(alpha, root))) == 0
    assert d.alpha_principal == d.alpha_roots[0]
    s = sp.Function("s")
    assert sp.expand(d.scale_recurrence.rhs - ((1 + gamma - eta * lam) * s(t) - gamma * s(t - 1))) == 0
    assert sp.expand(d.discriminant - ((1 + gamma - eta * lam) ** 2 - 4 * gamma)) == 0


@settings(max_examples=40, deadline=None)
@given(
    e=st.floats(0.001, 1.0),
    l=st.floats(0.0, 0.5),
    g=st.floats(0.0, 0.99),
)
def test_momentum_roots_numerically(e: float, l: float, g: float) -> None:
    d = D.momentum_theorem()
    vals = {D.eta: e, D.lam: l, D.gamma: g}
    roots = [complex(r.subs(vals).evalf()) for r in d.alpha_roots]
    for z in roots:
        assert abs(z * z - (1 + g - e * l) * z + g) < 1e-9
    assert abs(roots[0] * roots[1] - g) < 1e-9
    real = e * l <= (1 - math.sqrt(g)) ** 2
    cond = d.real_alpha_condition.subs(vals)
    assert bool(cond) == real
    if real:
        assert all(abs(z.imag) < 1e-9 for z in roots)
        assert roots[0].real >= roots[1].real - 1e-12
    elif e * l < (1 + math.sqrt(g)) ** 2:
        assert all(abs(z.imag) > 0 for z in roots)


def test_real_alpha_condition_matches_math_md_and_its_boundary() -> None:
    d = D.momentum_theorem()
    cond = d.real_alpha_condition
    assert isinstance(cond, sp.Le)
    assert sp.simplify(cond.lhs - D.eta * D.lam) == 0
    assert sp.simplify(cond.rhs - (1 - sp.sqrt(D.gamma)) ** 2) == 0
    for g in (0.04, 0.25, 0.81, 0.9):  # (at gamma = 0 the two branches touch)
        bound = (1 - math.sqrt(g)) ** 2
        for el, real in ((bound * 0.999, True), (bound * 1.001, False)):
            vals = {D.eta: 0.5, D.lam: el / 0.5, D.gamma: g}
            disc = float(d.discriminant.subs(vals))
            assert (disc >= 0) == real
            assert bool(cond.subs(vals)) == real


def test_initial_velocity_matches_math_md() -> None:
    d = D.momentum_theorem()
    eta, alpha, th0 = D.eta, D.alpha, D.theta0
    assert {s.name for s in d.initial_velocity.free_symbols} == {"eta", "alpha", "theta_0"}
    assert sp.simplify(d.initial_velocity - (-(1 - alpha) * th0 / (eta * alpha))) == 0
    assert sp.simplify(d.initial_velocity) != 0


def _momentum_runs(e, l, g, alpha_val, v0_coef, steps, A, th0):
    """Max relative gap between theta_t and alpha^t thetatilde_t."""
    grad = _quadform(A)
    th, v = list(th0), [0.0] * len(th0)
    tt = list(th0)
    vt = [v0_coef * a for a in th0]
    worst = 0.0
    for k in range(steps):
        gr = grad(th)
        v = [g * a + b + l * c for a, b, c in zip(v, gr, th)]
        th = [a - e * b for a, b in zip(th, v)]
        lr = e * alpha_val ** (-2 * k - 1)
        grt = grad(tt)
        vt = [g * a + b for a, b in zip(vt, grt)]
        tt = [a - lr * b for a, b in zip(tt, vt)]
        worst = max(worst, _rel(th, [alpha_val ** (k + 1) * a for a in tt]))
    return worst


def test_momentum_numerically_equivalent_runs() -> None:
    d = D.momentum_theorem()
    e, l, g = 0.05, 0.01, 0.9
    vals = {D.eta: e, D.lam: l, D.gamma: g}
    A = [[1.0, 0.2, 0.0], [0.2, 0.5, 0.1], [0.0, 0.1, 0.2]]
    th0 = [0.3, -0.5, 0.8]
    coef = sp.diff(d.initial_velocity, D.theta0)
    for root, steps in ((d.alpha_roots[0], 200), (d.alpha_roots[1], 40)):
        a = float(root.subs(vals))
        c = float(coef.subs({D.eta: e, D.alpha: a}))
        assert _momentum_runs(e, l, g, a, c, steps, A, th0) < 1e-9
    # with both buffers zero the runs differ at O(1)
    a = float(d.alpha_roots[0].subs(vals))
    assert _momentum_runs(e, l, g, a, 0.0, 200, A, th0) > 1e-2


def test_initial_velocity_by_brute_force_two_steps() -> None:
    """Solve for v~_0 (two unknown components) from theta_1 = alpha thetatilde_1
    on a concrete loss, then check theta_2 = alpha^2 thetatilde_2."""
    d = D.momentum_theorem()
    e, l, g = 0.1, 0.02, 0.8
    a = float(d.alpha_roots[0].subs({D.eta: e, D.lam: l, D.gamma: g}))
    x, y = sp.symbols("x y", real=True)
    loss = (x**2 + 3 * x * y - y**2) / (x**2 + y**2)
    gx, gy = (sp.lambdify((x, y), sp.diff(loss, v)) for v in (x, y))

    def grad(p):
        return [gx(*p), gy(*p)]

    th0 = [0.7, -0.4]
    p, q = sp.symbols("p q")
    vt0 = [p, q]
    g0 = grad(th0)
    v1 = [b + l * cc for b, cc in zip(g0, th0)]  # gamma * 0 + grad + lam theta
    th1 = [cc - e * b for cc, b in zip(th0, v1)]
    lr0 = e * a**-1
    vt1 = [g * v + b for v, b in zip(vt0, g0)]
    tt1 = [cc - lr0 * b for cc, b in zip(th0, vt1)]
    sol = sp.solve([th1[i] - a * tt1[i] for i in range(2)], [p, q], dict=True)[0]
    coef = float(sp.diff(d.initial_velocity, D.theta0).subs({D.eta: e, D.alpha: a}))
    assert math.isclose(float(sol[p]), coef * th0[0], rel_tol=1e-9)
    assert math.isclose(float(sol[q]), coef * th0[1], rel_tol=1e-9)
    # second step with the solved buffer
    vt1n = [float(v.subs(sol)) for v in vt1]
    tt1n = [float(v.subs(sol)) for v in tt1]
    v2 = [g * v + b + l * cc for v, b, cc in zip(v1, grad(th1), th1)]
    th2 = [cc - e * v for cc, v in zip(th1, v2)]
    vt2 = [g * v + b for v, b in zip(vt1n, grad(tt1n))]
    tt2 = [cc - e * a**-3 * v for cc, v in zip(tt1n, vt2)]
    assert _rel(th2, [a**2 * v for v in tt2]) < 1e-12


def test_momentum_reduces_to_theorem_2_1_when_gamma_is_zero() -> None:
    d = D.momentum_theorem()
    thm = D.theorem_2_1()
    eta, lam, gamma, alpha = D.eta, D.lam, D.gamma, D.alpha
    assert sp.simplify(d.alpha_gamma0 - (1 - eta * lam)) == 0
    assert sp.simplify(d.schedule.subs(alpha, d.alpha_gamma0) - thm.schedule) == 0
    assert sp.simplify(d.scale.subs(alpha, d.alpha_gamma0) - thm.scale) == 0
    assert sp.simplify(d.scale_recurrence.rhs.subs(gamma, 0) - thm.scale_recurrence.rhs) == 0
    roots0 = sp.solve(d.characteristic.subs(gamma, 0).subs(alpha, sp.Symbol("x")), sp.Symbol("x"))
    assert any(sp.simplify(z - (1 - eta * lam)) == 0 for z in roots0)
    for e, l in ((0.1, 0.05), (0.5, 1.0), (0.01, 3.0)):
        vals = {eta: e, lam: l, gamma: 0}
        assert math.isclose(float(d.alpha_principal.subs(vals)), 1 - e * l, rel_tol=1e-12)


# ---------------------------------------------------------------- equilibrium
def test_equilibrium_formulas_match_math_md() -> None:
    d = D.equilibrium()
    eta, lam, G, r = D.eta, D.lam, D.G, D.r
    assert sp.simplify(d.norm_recurrence - ((1 - eta * lam) ** 2 * r**2 + eta**2 * G**2 / r**2)) == 0
    assert sp.simplify(d.norm4 - eta**2 * G**2 / (1 - (1 - eta * lam) ** 2)) == 0
    assert sp.simplify(d.norm4_leading - eta * G**2 / (2 * lam)) == 0
    assert sp.simplify(d.angular_step - sp.sqrt(2 * eta * lam)) == 0
    assert sp.simplify(d.cos2_step_eq - (1 - eta * lam) ** 2) == 0
    assert sp.simplify(d.tan_step - eta * G / ((1 - eta * lam) * r**2)) == 0
    assert sp.simplify(d.effective_lr - eta / r**2) == 0
    assert sp.limit(d.angular_step_exact / d.angular_step, lam, 0) == 1
    assert sp.limit(d.norm4 / d.norm4_leading, lam, 0) == 1


def test_equilibrium_numerically() -> None:
    d = D.equilibrium()
    e, l, Gv = 0.1, 0.02, 1.3
    vals = {D.eta: e, D.lam: l, D.G: Gv}
    th = [1.0, 0.0]
    for _ in range(6000):
        n2 = th[0] ** 2 + th[1] ** 2
        g = [-Gv * th[1] / n2, Gv * th[0] / n2]  # grad of G*atan2(y, x): orthogonal, norm G/r
        th = [(1 - e * l) * a - e * b for a, b in zip(th, g)]
    r4 = (th[0] ** 2 + th[1] ** 2) ** 2
    assert math.isclose(r4, float(d.norm4.subs(vals)), rel_tol=1e-9)
    n2 = th[0] ** 2 + th[1] ** 2
    g = [-Gv * th[1] / n2, Gv * th[0] / n2]
    nxt = [(1 - e * l) * a - e * b for a, b in zip(th, g)]
    step = abs(math.atan2(nxt[1], nxt[0]) - math.atan2(th[1], th[0]))
    step = min(step, 2 * math.pi - step)
    assert math.isclose(step, float(d.angular_step_exact.subs(vals)), rel_tol=1e-9)
    assert math.isclose(step, float(d.angular_step.subs(vals)), rel_tol=5e-3)
    assert math.isclose(math.cos(step) ** 2, float(d.cos2_step_eq.subs(vals)), rel_tol=1e-9)


# ---------------------------------------------------------------- steps / LaTeX
def _visible_width(tex: str) -> float:
    """Rough count of rendered characters (fractions count their wider part)."""
    tex = re.sub(r"\\(left|right|quad|,|;|!)", " ", tex)
    tex = tex.replace(r"\mathrm", "")

    def frac(m: re.Match) -> str:
        return "x" * int(max(_visible_width(m.group(1)), _visible_width(m.group(2))) + 0.5)

    inner = r"\{((?:[^{}]|\{[^{}]*\})*)\}"
    prev = None
    while prev != tex:
        prev = tex
        tex = re.sub(r"\\frac" + inner + inner, frac, tex)
    tex = re.sub(r"\\[A-Za-z]+", "x", tex)
    tex = re.sub(r"[{}\s]", "", tex)
    return len(tex)


@pytest.mark.parametrize("name", sorted(ALL))
def test_steps_are_well_formed(name: str) -> None:
    d = ALL[name]()
    assert len(d.steps) >= 4
    assert d.latex_steps() == [s.latex for s in d.steps]
    for expr, tex, caption in d.steps:
        assert isinstance(expr, sp.Basic)
        assert isinstance(tex, str) and tex.strip()
        assert isinstance(caption, str) and caption.strip()
        assert "$" not in tex and "&" not in tex
        assert tex.count("{") == tex.count("}"), tex
        assert tex.count(r"\left") == tex.count(r"\right"), tex
        assert "~" not in tex, tex  # internal symbol names never leak
        assert _visible_width(tex) <= 62, (tex, _visible_width(tex))


def test_results_are_cached() -> None:
    assert D.theorem_2_1() is D.theorem_2_1()
    assert D.lemma_1(3) is D.lemma_1(3)
    assert D.momentum_theorem() is D.momentum_theorem()


def test_each_derivation_is_fast() -> None:
    funcs = [D.lemma_1, D.pythagoras, D.theorem_2_1, D.momentum_theorem, D.equilibrium]
    for f in funcs:
        f.cache_clear()
    for name in ("pythagoras", "lemma_1", "lemma_1_n3", "theorem_2_1", "momentum_theorem", "equilibrium"):
        t0 = time.perf_counter()
        ALL[name]()
        assert time.perf_counter() - t0 < 5.0, name


@pytest.mark.skipif(shutil.which("latex") is None, reason="latex not installed")
def test_all_steps_compile_with_latex(tmp_path) -> None:
    body = "\n".join(
        "\\begin{align*}\n%s\n\\end{align*}" % s.latex for f in ALL.values() for s in f().steps
    )
    doc = (
        "\\documentclass[preview]{standalone}\n\\usepackage[english]{babel}\n"
        "\\usepackage{amsmath}\n\\usepackage{amssymb}\n\\begin{document}\n%s\n\\end{document}\n" % body
    )
    (tmp_path / "steps.tex").write_text(doc)
    proc = subprocess.run(
        ["latex", "-interaction=nonstopmode", "-halt-on-error", "steps.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]


# ---------------------------------------------------------------- equilibrium with momentum
ALL["equilibrium_momentum"] = D.equilibrium_momentum  # also picked up by the LaTeX compile test


def test_equilibrium_momentum_steps_are_well_formed() -> None:
    test_steps_are_well_formed("equilibrium_momentum")
    captions = " ".join(D.equilibrium_momentum().captions()).lower()
    assert "steady" in captions and "uncorrelated" in captions  # the assumptions are on screen


def test_equilibrium_momentum_matches_smd() -> None:
    d = D.equilibrium_momentum()
    eta, lam, gamma, G, r = D.eta, D.lam, D.gamma, D.G, D.r
    assert is_zero(d.cos_step - (1 - eta * lam / (1 + gamma)))
    assert is_zero(d.angular_step - sp.sqrt(2 * eta * lam / (1 + gamma)))
    assert sp.limit(d.angular_step_exact / d.angular_step, lam, 0) == 1
    assert is_zero(d.radial_buffer - lam * r**2 / (1 + gamma))
    assert is_zero(d.buffer_inner + lam * r**2 / (1 + gamma))
    assert is_zero(eta * d.buffer_sq - 2 * lam * r**2 / (1 + gamma))
    assert is_zero(d.norm4 - eta * G**2 * (1 + gamma) / (lam * (1 - gamma) * (2 * (1 + gamma) - eta * lam)))
    assert is_zero(d.norm4_leading - eta * G**2 / (2 * lam * (1 - gamma)))
    # gamma = 0: the plain equilibrium (math.md)
    assert is_zero(d.norm4.subs(gamma, 0) - eta**2 * G**2 / (1 - (1 - eta * lam) ** 2))
    assert is_zero(d.angular_step.subs(gamma, 0) - sp.sqrt(2 * eta * lam))
    assert D.equilibrium_momentum() is D.equilibrium_momentum()


def test_equilibrium_momentum_exact_for_a_steady_rotation() -> None:
    """A 2-D loss G*atan2(y, x) (gradient orthogonal, norm G/r) drives momentum SGD into an
    exactly steady rotation: b, V, C and the angle must match the derived steady state to
    rounding, although the buffer is correlated with the gradient (C != 0), so the C = 0 norm
    formula must NOT hold here."""
    d = D.equilibrium_momentum()
    e, l, g, Gv = 0.1, 0.05, 0.9, 1.3
    th, v = [1.0, 0.0], [0.0, 0.0]
    for _ in range(20000):
        n2 = th[0] ** 2 + th[1] ** 2
        grad = [-Gv * th[1] / n2, Gv * th[0] / n2]
        v = [g * vi + gi + l * ti for vi, gi, ti in zip(v, grad, th)]
        prev, th = th, [ti - e * vi for ti, vi in zip(th, v)]
    n2 = th[0] ** 2 + th[1] ** 2
    grad = [-Gv * th[1] / n2, Gv * th[0] / n2]
    vals = {D.eta: e, D.lam: l, D.gamma: g, D.G: Gv, D.r: math.sqrt(n2)}
    dot = lambda a, b: a[0] * b[0] + a[1] * b[1]  # noqa: E731
    assert math.isclose(dot(prev, th) / math.sqrt(dot(prev, prev) * n2), float(d.cos_step.subs(vals)), rel_tol=1e-12)
    assert math.isclose(dot(th, v), float(d.buffer_inner.subs(vals)), rel_tol=1e-9)
    assert math.isclose(dot(v, v), float(d.buffer_sq.subs(vals)), rel_tol=1e-9)
    assert math.isclose(dot(v, grad), float(d.correlation.subs(vals)), rel_tol=1e-9)
    assert abs(dot(v, grad)) > 0.5
    assert not math.isclose(n2**2, float(d.norm4.subs(vals)), rel_tol=0.05)


def test_equilibrium_momentum_is_fast() -> None:
    D.equilibrium_momentum.cache_clear()
    t0 = time.perf_counter()
    D.equilibrium_momentum()
    assert time.perf_counter() - t0 < 5.0


# ---------------------------------------------------------------- parting step under chaos
ALL["parting_step_estimate"] = D.parting_step_estimate  # also picked up by the LaTeX compile test


def test_parting_step_estimate_steps_are_well_formed() -> None:
    test_steps_are_well_formed("parting_step_estimate")


def test_parting_step_estimate_matches_math() -> None:
    d = D.parting_step_estimate()
    digits, mu, tau = d.digits, d.exponent, d.tol
    assert is_zero(d.parting_step - (digits * sp.log(10) + sp.log(tau)) / mu)
    assert is_zero(d.slope - sp.log(10) / mu)
    assert is_zero(d.exponent_from_slope - sp.log(10) / d.slope_symbol)
    assert is_zero(d.gap.subs(D.t, d.parting_step) - tau)
    assert D.parting_step_estimate() is D.parting_step_estimate()


@pytest.mark.parametrize("digits, exponent, tol", [(16.0, 0.12, 1e-3), (64.0, 0.05, 1e-2), (7.0, 1.3, 0.5)])
def test_parting_step_estimate_agrees_with_chaos_module(digits: float, exponent: float, tol: float) -> None:
    from mathcore.chaos import predicted_parting_step

    d = D.parting_step_estimate()
    value = float(d.parting_step.subs({d.digits: digits, d.exponent: exponent, d.tol: tol}))
    assert math.isclose(value, predicted_parting_step(digits, exponent, tol), rel_tol=1e-12)
    # a gap 10^-d e^(mu t) really reaches tol there
    assert math.isclose(10**-digits * math.exp(exponent * value), tol, rel_tol=1e-9)
