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
    monkeypatch.setenv("MSB_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("MSB_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("MSB_CONFIG_DIR", str(base / "config"))
    yield


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
    mp.setenv("MSB_CACHE_DIR", str(tmp_path_factory.mktemp("kbcache")))
    mp.setenv("MSB_DATA_DIR", str(tmp_path_factory.mktemp("kbdata")))
    kb = KnowledgeBase.load()
    mp.undo()
    return kb


@pytest.fixture(scope="session")
def real_kb(tmp_path_factory):
    """The real knowledge base with the real embedding model (loaded once per test session, network blocked)."""
    from knowledge.base import KnowledgeBase

    mp = pytest.MonkeyPatch()
    mp.setenv("MSB_CACHE_DIR", str(tmp_path_factory.mktemp("realcache")))
    mp.setenv("MSB_DATA_DIR", str(tmp_path_factory.mktemp("realdata")))
    mp.setattr(socket.socket, "connect", _blocked)
    mp.setattr(socket, "create_connection", _blocked)
    try:
        kb = KnowledgeBase.load()
        kb.warm_up()
    finally:
        mp.undo()
    return kb
