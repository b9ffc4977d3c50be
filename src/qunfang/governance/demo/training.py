"""The demo's training."""

from qunfang.core.demo import DemoContext


def step(context: DemoContext) -> None:
    pass
