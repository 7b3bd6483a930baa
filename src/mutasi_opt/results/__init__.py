"""Frozen results: the plan, secondments, the state report, the frontier, history comparisons."""
