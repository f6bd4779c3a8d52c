"""Tests for mathcore.derivations.latex: every step's LaTeX is well formed, compiles, and shows its parameters.

The expected formulas (from shared/reference/math.md) are typed here, as the
independent expectation; the module under test must derive them.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import sympy as sp

from mathcore import derivations as D
from tests.mathcore.derivations.helpers import ALL


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
    for expr, tex, caption, _key in d.steps:
        assert isinstance(expr, sp.Basic)
        assert isinstance(tex, str) and tex.strip()
        assert isinstance(caption, str) and caption.strip()
        assert "$" not in tex and "&" not in tex
        assert tex.count("{") == tex.count("}"), tex
        assert tex.count(r"\left") == tex.count(r"\right"), tex
        assert "~" not in tex, tex  # internal symbol names never leak
        assert _visible_width(tex) <= 62, (tex, _visible_width(tex))


@pytest.mark.skipif(shutil.which("latex") is None, reason="latex not installed")
def test_all_steps_compile_with_latex(tmp_path) -> None:
    body = "\n".join(
        f"\\begin{{align*}}\n{s.latex}\n\\end{{align*}}" for f in ALL.values() for s in f().steps
    )
    doc = (
        "\\documentclass[preview]{standalone}\n\\usepackage[english]{babel}\n"
        f"\\usepackage{{amsmath}}\n\\usepackage{{amssymb}}\n\\begin{{document}}\n{body}\n\\end{{document}}\n"
    )
    (tmp_path / "steps.tex").write_text(doc)
    proc = subprocess.run(
        ["latex", "-interaction=nonstopmode", "-halt-on-error", "steps.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]


#: The LaTeX of each parameter of the theorems: a step whose formula involves one must show it.
PARAMETERS = {D.eta: r"\eta", D.lam: r"\lambda", D.gamma: r"\gamma", D.alpha: r"\alpha"}


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_parameter_of_a_step_is_shown(name: str) -> None:
    for step in ALL[name]().steps:
        for symbol, tex in PARAMETERS.items():
            if symbol in step.expr.free_symbols:
                assert tex in step.latex, (step.key, tex, step.latex)


def test_sums_read_constant_first_and_negative_terms_last() -> None:
    assert D.to_latex(1 - D.eta * D.lam) == r"1 - \eta \lambda"
    assert D.to_latex(D.gamma - 1 + D.eta) == r"\eta + \gamma - 1"
    assert sp.latex(1 - D.eta * D.lam) != D.to_latex(1 - D.eta * D.lam)  # sympy's own order is -eta*lambda + 1
