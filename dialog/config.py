"""The run's configuration, resolved once at start — the command line's flags, then the environment, then
settings.yaml, then the defaults — and handed down as one frozen RunConfig.

This is the one module that reads the environment. The knowledge layer is told where its files live and
which model to load (`install`); the front ends are handed the RunConfig itself.

    MSB_DATA_DIR    transcripts, progress, added documents (--data-dir wins)
    MSB_CACHE_DIR   the search cache
    MSB_CONFIG_DIR  settings.yaml
    MSB_EMBEDDER    the search model (--embedder wins; settings.yaml's `embedder` comes after)
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from demos import logs
from dialog import settings
from dialog.errors import UserError
from knowledge import backends, storage

ENV = {"data": "MSB_DATA_DIR", "cache": "MSB_CACHE_DIR", "config": "MSB_CONFIG_DIR", "embedder": "MSB_EMBEDDER"}
# Everything ships in packages: a library that would reach for a model hub is told not to.
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


@dataclass(frozen=True)
class Flags:
    """What the command line said; None where it said nothing."""

    data_dir: str | None = None
    embedder: str | None = None
    lang: str | None = None
    device: str | None = None


@dataclass(frozen=True)
class RunConfig:
    data_dir: Path
    cache_dir: Path
    config_dir: Path
    embedder: str = backends.DEFAULT
    lang: str | None = None  # None: answer in the language of each question
    device: str | None = None  # None: the best one there is
    theme: str = ""
    pace: float = 1.0
    problems: tuple[str, ...] = ()  # what settings.yaml held that can't be used, each with its file and line
    origins: Mapping[str, str] = field(default_factory=dict)  # where each value came from, for messages

    @property
    def places(self) -> storage.Places:
        return storage.Places(self.data_dir, self.cache_dir, self.config_dir)

    @property
    def settings_file(self) -> Path:
        return self.config_dir / settings.FILE

    def origin(self, name: str) -> str:
        return self.origins.get(name, "the default")


class ConfigError(UserError):
    """A flag or an environment variable that can't be used: the run stops with its message."""


def resolve(flags: Flags = Flags(), environ: Mapping[str, str] | None = None) -> RunConfig:
    """The configuration of this run. Raises ConfigError for an unusable flag or environment variable;
    what settings.yaml holds that can't be used only costs a problem (and its default)."""
    env = os.environ if environ is None else environ
    default = storage.Places.platform()
    origins: dict[str, str] = {}

    def place(name: str, flag: str | None, fallback: Path) -> Path:
        if flag:
            origins[name] = f"--{name}-dir"
            return Path(os.path.abspath(os.path.expanduser(flag)))
        value = env.get(ENV[name], "").strip()
        if value:
            origins[name] = ENV[name]
            return Path(value).expanduser()
        return fallback

    data = place("data", flags.data_dir, default.data)
    cache = place("cache", None, default.cache)
    config_dir = place("config", None, default.config)
    saved = settings.read(config_dir / settings.FILE)
    problems = list(saved.problems)

    embedder = backends.DEFAULT
    for value, where, fatal in ((flags.embedder, "--embedder", True), (env.get(ENV["embedder"]), ENV["embedder"], True),
                                (saved.settings.embedder, saved.where("embedder"), False)):
        if not value or not value.strip():
            continue
        why = backends.problem(value)
        if why is None:
            embedder, origins["embedder"] = value.strip(), where
            break
        if fatal:
            raise ConfigError(f"{where} {storage.shown(value)!r}: {why}")
        problems.append(f"{where}: embedder {storage.shown(value)!r}: {why}; using {backends.DEFAULT}.")

    lang = flags.lang or saved.settings.lang or None
    origins["lang"] = "--lang" if flags.lang else saved.where("lang") if lang else "the default"
    for name in ("theme", "pace"):
        if name in saved.lines:
            origins[name] = saved.where(name)
    return RunConfig(data, cache, config_dir, embedder, lang, flags.device, saved.settings.theme,
                     saved.settings.pace, tuple(problems), origins)


def install(config: RunConfig, environ: "os._Environ[str] | None" = None) -> None:
    """Tell the layers below where the run's files live and which model it uses."""
    storage.use(config.places)
    backends.use(config.embedder)
    logs.use_log_dir(config.cache_dir / "demo-logs")
    env = os.environ if environ is None else environ
    for name, value in OFFLINE.items():
        env.setdefault(name, value)
