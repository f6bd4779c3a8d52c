"""mathcore: the mathematics behind the video, with no manim import.

losses (scale-invariant losses), derivations (sympy), trajectories (numpy GD runs),
precision (mpmath runs), experiments (the runs the video shows).
"""
