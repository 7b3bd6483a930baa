"""Solver back-ends: the only place that imports ortools.

``classes`` aggregates employees into interchangeable classes (no solver
import); ``cpsat`` is the CP-SAT model of the lexicographic problem;
``diagnose`` explains infeasibility.
"""
