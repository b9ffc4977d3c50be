"""The demo's leadership."""

from qunfang.core.demo import DemoContext


def step(context: DemoContext) -> None:
    pass
