"""The demo's meetings."""

from qunfang.core.demo import DemoContext


def step(context: DemoContext) -> None:
    pass
