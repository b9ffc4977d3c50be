"""The demo's supervision."""

from qunfang.core.demo import DemoContext


def step(context: DemoContext) -> None:
    pass
