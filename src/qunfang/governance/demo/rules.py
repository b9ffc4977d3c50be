"""The demo's rules."""

from qunfang.core.demo import DemoContext


def step(context: DemoContext) -> None:
    pass
