"""An accuracy bar with the 95% target marked on it."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class TargetGauge(Widget):
    """Renders ``label  [#########|..]  87%`` with ``|`` at the target; ``secondary`` draws it dim."""

    DEFAULT_CSS = """
    TargetGauge { height: 1; }
    """

    def __init__(self, label: str, value: float | None = None, target: float = 0.95, secondary: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.value = value
        self.target = target
        self.secondary = secondary

    def set_value(self, value: float | None) -> None:
        self.value = value
        self.refresh()

    def render(self) -> Text:
        label_width = 16
        figure = "  --" if self.value is None else f"{self.value:>4.0%}"
        width = max(10, self.size.width - label_width - len(figure) - 4)
        filled = 0 if self.value is None else round(width * self.value)
        mark = min(width - 1, round(width * self.target))
        reached = self.value is not None and self.value >= self.target
        text = Text(f"{self.label:<{label_width}}[")
        for i in range(width):
            if i == mark:
                text.append("|", style="bold")
            elif i < filled:
                text.append("█", style="green" if reached else "yellow")
            else:
                text.append("·", style="dim")
        text.append(f"] {figure}")
        if self.secondary:
            text.stylize("dim")
        return text
