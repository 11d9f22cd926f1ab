"""Promises of the declared experiments.yaml schema (socialnb.experiments.registry): what a person
may write, and the structured error (file, key, value, fix) for what they may not."""

from __future__ import annotations

import datetime as dt
import textwrap

import numpy as np
import pytest

from socialnb.errors import ConfigError, ParameterError
from socialnb.experiments import load_experiments, select_experiments

SPLIT = """\
experiments:
  - id: cta
    design: split
    primary_metric: clicks
    status: running
    start: 2026-09-01
    variants:
      - {name: A, successes: 412, exposure: 20140}
      - {name: B, successes: 489, exposure: 19890}
"""


def _load(tmp_path, text: str):
    path = tmp_path / "experiments.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_experiments(path)


def _error(tmp_path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, text)
    assert err.value.path == tmp_path / "experiments.yaml" and err.value.fix
    return err.value


def test_post_ids_yaml_reads_as_numbers_are_kept_as_text(tmp_path):
    (exp,) = _load(
        tmp_path,
        """\
        experiments:
          - id: 7
            design: posts
            primary_metric: engagements
            exposure: reach
            status: running
            guardrails: saves
            variants:
              - {name: a, posts: [101, 102]}
              - {name: b, posts: ["103", 104]}
        """,
    )
    assert exp.id == "7" and exp.variants[0].posts == ("101", "102")
    assert exp.variants[1].posts == ("103", "104")
    assert exp.guardrails == ("saves",) and exp.guardrail_margins == (0.10,)


def test_a_planned_test_may_leave_out_its_posts_and_counts(tmp_path):
    exps = _load(
        tmp_path,
        """\
        experiments:
          - {id: p, design: posts, primary_metric: saves, variants: [{name: a}, {name: b, posts: []}]}
          - {id: s, design: split, primary_metric: clicks, variants: [{name: A}, {name: B}]}
        """,
    )
    assert [e.status for e in exps] == ["planned", "planned"]
    assert exps[0].post_ids == () and exps[1].variants[0].successes is None
    assert (
        select_experiments(exps) == () and len(select_experiments(exps, include_planned=True)) == 2
    )


def test_a_registry_that_is_not_utf8_says_so(tmp_path):
    (tmp_path / "experiments.yaml").write_bytes("experiments: # caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8") as err:
        load_experiments(tmp_path)
    assert err.value.path == tmp_path / "experiments.yaml" and "UTF-8" in err.value.fix


def test_an_empty_registry_has_no_tests(tmp_path):
    assert _load(tmp_path, "experiments:\n") == ()
    assert _load(tmp_path, "# nothing yet\n") == ()
    assert _load(tmp_path, "experiments: []\n") == ()


def test_counts_written_as_whole_floats_are_counts_and_others_are_refused(tmp_path):
    (exp,) = _load(tmp_path, SPLIT.replace("successes: 489,", "successes: 489.0,"))
    assert exp.variants[1].successes == 489 and isinstance(exp.variants[1].successes, int)
    err = _error(tmp_path, SPLIT.replace("successes: 489,", "successes: 489.5,"))
    assert err.key == "experiments[0].variants[1].successes" and err.value == 489.5


def test_a_yes_no_answer_is_not_a_number(tmp_path):
    err = _error(tmp_path, SPLIT.replace("status: running", "status: running\n    min_effect: yes"))
    assert err.key == "experiments[0].min_effect" and err.value is True
    assert "0.10" in err.fix


def test_an_unknown_key_is_refused_by_name(tmp_path):
    err = _error(tmp_path, SPLIT.replace("status: running", "status: running\n    hypotesis: x"))
    assert err.key == "experiments[0].hypotesis" and "a typo?" in err.problem
    err = _error(tmp_path, SPLIT + "notes: hello\n")
    assert err.key == "notes"


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ("successes: 489,", "successes: 30000,", "experiments[0].variants[1].successes", "out of"),
        ("{name: B,", "{name: A,", "experiments[0].variants[1].name", "duplicate"),
        ("design: split", "design: posts", "experiments[0].variants[0].posts", "post list"),
        (
            "exposure: 20140}",
            "exposure: 20140, intended_share: 0.5}",
            "experiments[0].variants.intended_share",
            "every variant",
        ),
    ],
)
def test_checks_across_keys_report_the_key_at_fault(tmp_path, old, new, key, words):
    err = _error(tmp_path, SPLIT.replace(old, new, 1))
    assert err.key == key and words in err.problem and "experiment 'cta'" in str(err)


def test_a_post_level_tests_exposure_is_one_of_the_metrics_modules_denominators(tmp_path):
    text = SPLIT.replace("design: split", "design: posts").replace(
        "      - {name: A, successes: 412, exposure: 20140}\n"
        "      - {name: B, successes: 489, exposure: 19890}\n",
        '      - {name: A, posts: ["1"]}\n      - {name: B, posts: ["2"]}\n',
    )
    assert _load(tmp_path, text)[0].exposure == "impressions"
    err = _error(tmp_path, text.replace("status: running", "status: running\n    exposure: likes"))
    assert err.key == "experiments[0].exposure" and "reach" in err.fix and "views" in err.fix


def test_dates_are_read_by_periods_and_a_month_is_checked(tmp_path):
    (exp,) = _load(tmp_path, SPLIT)
    assert exp.start == dt.date(2026, 9, 1)
    assert select_experiments([exp], "2026-08") == ()
    assert select_experiments([exp], "2026-09") == (exp,)
    with pytest.raises(ParameterError, match="YYYY-MM"):
        select_experiments([exp], "2026-13")


def test_a_config_error_survives_pickling_with_its_fields(tmp_path):
    import pickle

    err = _error(tmp_path, SPLIT.replace("design: split", "design: ab"))
    back = pickle.loads(pickle.dumps(err))
    assert (back.path, back.key, back.value, back.fix) == (err.path, err.key, "ab", err.fix)
    assert np.char.find(str(back), "experiment 'cta'") >= 0


def test_checks_against_the_warehouse_name_the_test_and_its_key(tmp_path):
    import pandas as pd

    from socialnb.experiments import validate_against_posts

    exps = _load(
        tmp_path,
        """\
        experiments:
          - {id: hook, design: posts, primary_metric: engagements, exposure: reach,
             guardrails: [saves, follows], status: running, platform: instagram,
             variants: [{name: a, posts: ["1", "2"]}, {name: b, posts: ["3", "4"]}]}
        """,
    )
    posts = pd.DataFrame({"platform": "instagram", "post_id": ["1", "2", "3", "4"],
                          "likes": 5.0, "reach": 100.0, "saves": 1.0, "follows": np.nan})  # fmt: skip
    with pytest.raises(ConfigError) as err:
        validate_against_posts(exps, posts)
    assert err.value.path == tmp_path / "experiments.yaml"
    assert err.value.key == "experiments[0].guardrails[1]" and err.value.value == "follows"
    assert "experiment 'hook'" in str(err.value) and "does not report" in str(err.value)
    with pytest.raises(ConfigError) as err:
        validate_against_posts(exps, posts[posts["post_id"] != "4"])
    assert "1 post id(s) not found on instagram: 4" in str(err.value)
    assert "guardrails[1]" in str(err.value)  # every problem listed, one a line
