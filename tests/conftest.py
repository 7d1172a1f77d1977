"""Shared fixtures: an isolated cache and data dir for every test; knowledge bases fake and real."""
from __future__ import annotations

import os
import socket

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """No test reads or writes the user's real cache, documents or transcripts."""
    base = tmp_path_factory.mktemp("msb")
    _place(monkeypatch, data=base / "data", cache=base / "cache", config=base / "config")
    yield


def _place(mp, **dirs) -> None:
    """Where this test's data, cache and config live: for this process (storage) and the ones it starts
    (the environment app.py reads)."""
    from dataclasses import replace

    from knowledge import storage

    mp.setattr(storage, "_places", replace(storage.places(), **dirs))
    for name, path in dirs.items():
        mp.setenv(f"MSB_{name.upper()}_DIR", str(path))


class NetworkBlocked(RuntimeError):
    pass


def _blocked(*args, **kwargs):
    raise NetworkBlocked(f"network access attempted: {args!r}")


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test (loopback included: nothing here needs it)."""
    monkeypatch.setattr(socket.socket, "connect", _blocked)
    monkeypatch.setattr(socket.socket, "connect_ex", _blocked)
    monkeypatch.setattr(socket, "create_connection", _blocked)
    monkeypatch.setattr(socket, "getaddrinfo", _blocked)
    yield


@pytest.fixture(scope="session")
def lexical_kb(tmp_path_factory):
    """The real knowledge base before warm-up: lexical search only (how the app answers while loading)."""
    from knowledge.base import KnowledgeBase

    mp = pytest.MonkeyPatch()
    _place(mp, cache=tmp_path_factory.mktemp("kbcache"), data=tmp_path_factory.mktemp("kbdata"))
    kb = KnowledgeBase.load()
    mp.undo()
    return kb


@pytest.fixture(scope="session")
def real_kb(tmp_path_factory):
    """The real knowledge base with the real embedding model (loaded once per test session, network blocked)."""
    from knowledge.base import KnowledgeBase

    mp = pytest.MonkeyPatch()
    _place(mp, cache=tmp_path_factory.mktemp("realcache"), data=tmp_path_factory.mktemp("realdata"))
    mp.setattr(socket.socket, "connect", _blocked)
    mp.setattr(socket, "create_connection", _blocked)
    try:
        kb = KnowledgeBase.load()
        kb.warm_up()
    finally:
        mp.undo()
    return kb
