import os
from pathlib import Path

import pytest

# Tests never reach a model hub: everything they load is built here or shipped in the repo.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny random NLI-shaped classifier (tests/tiny_model.py), built once per session."""
    from tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-nli"))


@pytest.fixture(scope="module")
def one_torch_thread():
    """The tiny model's matrices are minute: on a shared CPU, thread hand-offs cost more than
    the arithmetic (5 ms per linear layer instead of microseconds)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def contradiction_model(tmp_path_factory):
    """Every pair gets softmax(0, 0, 5): P(contradiction) = e^5 / (2 + e^5) whatever the text."""
    from tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("always-contradiction"), bias=(0.0, 0.0, 5.0))
