"""Device choice: the best available by default, an explicit request honoured or refused clearly."""
from __future__ import annotations

import pytest
import torch

from demos.device import configure_threads, resolve_device
from demos.errors import DemoError


@pytest.fixture
def fake_devices(monkeypatch):
    def fake(cuda: bool, mps: bool) -> None:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    return fake


@pytest.mark.parametrize("cuda, mps, expected", [
    (True, True, "cuda"), (True, False, "cuda"), (False, True, "mps"), (False, False, "cpu")])
def test_auto_prefers_cuda_then_mps_then_cpu(fake_devices, cuda, mps, expected):
    fake_devices(cuda, mps)
    assert resolve_device(None) == expected
    assert resolve_device("auto") == expected


def test_an_available_device_is_used_as_asked(fake_devices):
    fake_devices(True, False)
    assert resolve_device("cpu") == "cpu"
    assert resolve_device(" CUDA ") == "cuda"


def test_an_unavailable_device_is_refused_naming_what_is_available(fake_devices):
    fake_devices(False, False)
    with pytest.raises(DemoError, match=r"device 'cuda' is not available on this machine \(available: cpu\)"):
        resolve_device("cuda")
    with pytest.raises(DemoError, match="'mps' is not available"):
        resolve_device("mps")


def test_an_unknown_device_name_is_refused():
    with pytest.raises(DemoError, match=r"unknown device 'tpu' \(devices: auto, cuda, mps, cpu\)"):
        resolve_device("tpu")


def test_configure_threads_sets_the_calling_threads_torch_threads():
    before = torch.get_num_threads()
    try:
        assert configure_threads(1) == 1
        assert torch.get_num_threads() == 1
        assert configure_threads() >= 1
    finally:
        torch.set_num_threads(before)
