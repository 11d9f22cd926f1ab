"""socialnb.record: headline results travel inside the executed notebook and come back intact."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pytest

from socialnb._record import RECORD_MIMETYPE, record, to_jsonable
from socialnb.report import collect_records


def _notebook_with(name: str, value) -> nbformat.NotebookNode:
    plain = to_jsonable(value)
    payload = {"name": name, "value": plain, "value_json": json.dumps(plain)}
    cell = nbformat.v4.new_code_cell("socialnb.record(...)")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={RECORD_MIMETYPE: payload, "text/plain": "x"})
    ]
    return nbformat.v4.new_notebook(cells=[cell])


def test_recorded_values_keep_their_key_order_through_a_saved_notebook(tmp_path):
    value = [{"id": "t1", "design": "posts", "effect": 1.4, "ci_low": 1.2, "decision": "winner"}]
    path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook_with("tests", value), path)  # nbformat sorts keys on save
    results = collect_records(nbformat.read(path, as_version=4))
    assert results == {"tests": value}
    assert list(results["tests"][0]) == ["id", "design", "effect", "ci_low", "decision"]


def test_numpy_values_and_nan_become_plain_json():
    assert to_jsonable({"a": np.int64(3), "b": np.float64("nan"), "c": np.array([1.5, 2.0])}) == {
        "a": 3,
        "b": None,
        "c": [1.5, 2.0],
    }


def test_record_outside_a_notebook_returns_the_value_and_refuses_what_json_cannot_hold():
    assert record("delivery_rate", 0.92) == 0.92
    with pytest.raises(TypeError, match="cannot store"):
        record("bad", object())
