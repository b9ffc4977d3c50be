"""The demo's reports."""

from qunfang.core.demo import DemoContext


def step(context: DemoContext) -> None:
    pass
