"""Property tests: mutated real-world files never crash nodelint, and fixes never break them.

CI runs a bounded number of examples; scripts/fuzz runs as many as you like.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from .conftest import CORPUS, needs_corpus
from .fuzzing import check_property, check_shaped, corpus_files, mutated, shaped

FILES = corpus_files(CORPUS) if CORPUS else []


@needs_corpus
@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=mutated(CORPUS, FILES) if CORPUS else mutated)
def test_mutated_corpus_files(case):
    check_property(*case)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=shaped(max_n=200))
def test_pathological_shapes(case):
    check_shaped(*case)
