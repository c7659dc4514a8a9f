"""After the library changes, and on a page opened since: every tab shows the documents of the current version."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import gradio as gr

    from index import CorpusIndex


@dataclass(frozen=True)
class Refresh:
    """What one part of the page updates: fn(current index, *input values) -> one value per output."""

    fn: Callable[..., Sequence[Any]]
    inputs: tuple[Any, ...] = ()
    outputs: tuple[Any, ...] = ()


def refresh_all(index: CorpusIndex, parts: Sequence[Refresh], *values: Any) -> list[Any]:
    """Every part's new values from the index's current version, the parts' input values given in order."""
    current, updates, at = index.current(), [], 0
    for part in parts:
        updates += list(part.fn(current, *values[at : at + len(part.inputs)]))
        at += len(part.inputs)
    return updates


def wire(demo: gr.Blocks, index: CorpusIndex, parts: Sequence[Refresh], changes: Sequence[Any]) -> None:
    """Refresh every part after each change (a library event's dependency), and when a page opens on a version
    newer than the one the page was built with."""
    import gradio as gr  # noqa: PLC0415

    built = index.current()
    inputs = [component for part in parts for component in part.inputs]
    outputs = [component for part in parts for component in part.outputs]

    def after_change(*values):
        return refresh_all(index, parts, *values)

    def on_load(*values):
        if index.current() is built:
            return [gr.skip()] * len(outputs)
        return refresh_all(index, parts, *values)

    for change in changes:
        change.then(after_change, inputs, outputs, show_progress="hidden")
    demo.load(on_load, inputs, outputs, show_progress="hidden")
