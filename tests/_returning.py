"""A gate whose backward returns whatever it is told to, for tests of misfits."""

from __future__ import annotations

from typing import Any

from gates import Gate


class Returns(Gate):
    """Multiplies forward; backward returns ``gradients`` as given."""

    def __init__(self, gradients: Any) -> None:
        self.gradients = gradients

    def forward(self, x: Any, y: Any) -> Any:
        return x * y

    def backward(self, dz: Any) -> Any:
        return self.gradients
