"""The demo's bulletins."""

from qunfang.core.demo import DemoContext


def step(context: DemoContext) -> None:
    pass
