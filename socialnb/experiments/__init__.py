"""A/B content tests (moved from socialnb/experiments.py; cut into modules next)."""

from .registry import *  # noqa: F403
from .registry import __all__, _meta_analysis, _PowerSimulation, guardrail_status  # noqa: F401
