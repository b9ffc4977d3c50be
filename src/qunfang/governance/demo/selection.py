"""The demo's selection."""

from qunfang.core.demo import DemoContext


def step(context: DemoContext) -> None:
    pass
