"""The demo's mandates."""

from qunfang.core.demo import DemoContext


def step(context: DemoContext) -> None:
    pass
