"""One "line N is not UTF-8" error for the files people write (``socialnb._yaml.not_utf8``):
a YAML file and a sheet name the line and the byte at fault the same way, each with its own fix."""

from __future__ import annotations

import pytest

from socialnb._sheets import read_sheet
from socialnb._yaml import read_yaml_mapping
from socialnb.errors import ConfigError


def test_a_yaml_file_and_a_sheet_not_in_utf8_name_the_line_and_the_byte_alike(tmp_path):
    body = "title\nok\nbrand caf\xe9\n".encode("latin-1")  # é is byte 0xe9, on line 3
    sheet, yaml_file = tmp_path / "ideas.csv", tmp_path / "brand.yaml"
    sheet.write_bytes(body)
    yaml_file.write_bytes(body.replace(b"\n", b": x\n", 1))
    messages = []
    for read in (
        lambda: read_yaml_mapping(yaml_file),
        lambda: read_sheet(sheet, what="ideas", columns=("title",)),
    ):
        with pytest.raises(ConfigError) as err:
            read()
        messages.append(str(err.value))
    assert messages == [
        f"{yaml_file}: line 3 is not UTF-8 text (byte 0xe9). What to do: save it again as "
        "UTF-8 (most editors: 'Save with encoding').",
        f"{sheet}: line 3: is not UTF-8 text (byte 0xe9). What to do: save it again as "
        "'CSV UTF-8'.",
    ]


def test_an_experiments_registry_not_in_utf8_names_the_line_and_the_byte(tmp_path):
    from socialnb.errors import ConfigError
    from socialnb.experiments import load_experiments

    path = tmp_path / "experiments.yaml"
    path.write_bytes(b"experiments:\n  - id: t1\n    hypothesis: Caf\xe9 posts win\n")
    with pytest.raises(ConfigError) as err:
        load_experiments(path)
    assert str(err.value) == (
        f"{path}: line 3 is not UTF-8 text (byte 0xe9). What to do: save the file as UTF-8."
    )
