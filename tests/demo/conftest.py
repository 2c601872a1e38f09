import pytest

from opora.demo.generator import build_demo

SMALL = 0.05


@pytest.fixture
def demo(db):
    """A small demo region: every kind of row, a few dozen programs."""
    return build_demo(scale=SMALL)
