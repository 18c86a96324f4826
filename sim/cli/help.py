"""Help text in the usual command-line style, without the marks typer 0.29 adds.

typer writes a required argument as ``{SCENARIO}`` on the usage line, a type after every
argument (``<path>``, ``<list[Path]>``) and ``<bool>`` after its own ``--help`` flag, none
of which a user can type or needs: the metavar already says what an argument takes, and a
flag takes nothing. typer offers no setting for either (its rich help settings cover
colours and panels), so every command is made with ``cls=Command`` (the group with
``cls=Group``), the hook typer documents for changing how a command behaves.

Usage follows click's own convention: a required argument bare, an optional one in
brackets, ``...`` after one that takes several values.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup


class _Argument(TyperArgument):
    """An argument with a metavar shows no type beside it: ``FILE...`` says enough."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None if self.metavar is not None else super().display_type_rich(ctx)

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        if self.nargs != 1 and not name.endswith("..."):
            name += "..."
        return name if self.required else f"[{name}]"


def _plain_help_flag(option: Any) -> Any:
    """``--help`` takes no value, so it shows none (typer shows ``<bool>``)."""
    if option is not None:
        option.metavar = ""
    return option


class Command(TyperCommand):
    """A ``coalsim`` command whose help shows only what a user types."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if type(param) is TyperArgument:
                # typer builds the argument itself and takes no class for it; _Argument
                # only changes how it is shown, so the object is recast, not rebuilt.
                param.__class__ = _Argument

    def get_help_option(self, ctx: Any) -> Any:
        return _plain_help_flag(super().get_help_option(ctx))


class Group(TyperGroup):
    """The ``coalsim`` group, whose own ``--help`` shows no ``<bool>`` either."""

    def get_help_option(self, ctx: Any) -> Any:
        return _plain_help_flag(super().get_help_option(ctx))
