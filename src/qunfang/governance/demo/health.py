"""The demo's health."""

from qunfang.core.demo import DemoContext


def step(context: DemoContext) -> None:
    pass
