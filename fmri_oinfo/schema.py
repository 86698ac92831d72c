"""Configuration schema: frozen dataclasses, checked by their type hints, read from TOML tables.

A configuration section is a frozen dataclass whose fields carry the defaults
and whose type hints are the schema.  Its ``__post_init__`` calls
:func:`normalise`, which checks every field against its hint (the same check
whether the section comes from TOML or from Python) and converts lists to
tuples; range checks follow in the section itself.  :func:`build` reads a
parsed TOML table into a section, refusing unknown keys with their close
matches.  A field whose type is itself a dataclass is a nested table
(``[estimation.fmmi]``).  Adding a key to a section is adding a field with
its default: nothing here changes.

Types understood: ``bool``, ``int``, ``float`` (an integer is accepted),
``str``, ``tuple[str, ...]``, ``tuple[int, ...]``, ``str | None`` (``""`` in
TOML means None, TOML having no null), ``Mapping[str, Any]`` (a free table),
and nested dataclasses.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")

_DESCRIPTIONS = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


@functools.cache
def field_types(cls: type) -> dict[str, Any]:
    """Resolved type hints of a dataclass's fields."""
    return typing.get_type_hints(cls)


def _unwrap_optional(hint: Any) -> tuple[Any, bool]:
    """``(X, True)`` for ``X | None``, else ``(hint, False)``."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        rest = [a for a in args if a is not type(None)]
        if len(args) == 2 and len(rest) == 1:
            return rest[0], True
    return hint, False


def describe(hint: Any) -> str:
    """What a value of type ``hint`` looks like in TOML, for error messages."""
    hint, optional = _unwrap_optional(hint)
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        return f"a list of {'integers' if item is int else 'numbers' if item is float else 'strings'}"
    if hint in _DESCRIPTIONS:
        return _DESCRIPTIONS[hint] + (' ("" for none)' if optional else "")
    return "a table"


def _is_instance(value: Any, hint: Any) -> bool:
    if hint is bool:
        return isinstance(value, bool)
    if hint in (int, float) and isinstance(value, bool):
        return False
    if hint is float:
        return isinstance(value, (int, float))
    return isinstance(value, hint)


def convert(key: str, value: Any, hint: Any) -> Any:
    """Check ``value`` against the type ``hint``; return it in the dataclass's form.

    Lists become tuples, integers given for a float become floats, ``""``
    given for an optional string becomes None, and a table given for a
    dataclass field becomes that dataclass (:func:`build`).

    Raises
    ------
    ValueError
        ``"<key> = <value>: expected <type>."``
    """
    inner, optional = _unwrap_optional(hint)
    if optional and value is None:
        return None
    if dataclasses.is_dataclass(inner):
        if isinstance(value, inner):
            return value
        if isinstance(value, Mapping):
            return build(inner, value, key)
    elif typing.get_origin(inner) is tuple:
        item = typing.get_args(inner)[0]
        if isinstance(value, (list, tuple)) and all(_is_instance(v, item) for v in value):
            return tuple(float(v) if item is float else v for v in value)
    elif inner is Mapping or typing.get_origin(inner) in (dict, Mapping):
        if isinstance(value, Mapping):
            return dict(value)
    elif _is_instance(value, inner):
        if optional and value == "":
            return None
        return float(value) if inner is float else value
    raise ValueError(f"{key} = {value!r}: expected {describe(hint)}.")


def normalise(section: Any, where: str) -> None:
    """Check and convert every field of a frozen dataclass in place (call it in ``__post_init__``).

    Parameters
    ----------
    section : dataclass instance
    where : str
        Dotted name of its table (``"statistics"``), used in messages.
    """
    hints = field_types(type(section))
    for f in dataclasses.fields(section):
        value = convert(f"{where}.{f.name}", getattr(section, f.name), hints[f.name])
        object.__setattr__(section, f.name, value)


def unknown_key_message(where: str, key: str, known: list[str]) -> str:
    """``unknown key <where>.<key> (did you mean ...?); known keys of [<where>]: [...]``."""
    near = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(near)}?)" if near else ""
    return f"unknown key {where}.{key}{hint}; known keys of [{where}]: {known}."


def build(cls: type[T], table: Any, where: str, **preset: Any) -> T:
    """Read a parsed TOML table into the frozen dataclass ``cls``; missing keys take its defaults.

    Parameters
    ----------
    cls : dataclass type
    table : mapping
        The parsed table.
    where : str
        Dotted name of the table (``"statistics"``, ``"estimation.fmmi"``).
    **preset
        Field values given by the caller rather than read from the table.

    Returns
    -------
    An instance of ``cls``.

    Raises
    ------
    ValueError
        Naming an unknown key (with close matches) or a key of the wrong type
        (with the expected type); range checks of ``cls`` raise their own.
    """
    if not isinstance(table, Mapping):
        raise ValueError(f"[{where}] must be a table, found {table!r}.")
    known = [f.name for f in dataclasses.fields(cls) if f.init and f.name not in preset]
    for key in table:
        if key not in known:
            raise ValueError(unknown_key_message(where, str(key), known))
    hints = field_types(cls)
    values = {key: convert(f"{where}.{key}", value, hints[key]) for key, value in table.items()}
    return cls(**values, **preset)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_table(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return "" if value is None else value


def to_table(section: Any) -> dict[str, Any]:
    """A section as a plain nested dict, as TOML holds it (tuples as lists, None as ``""``)."""
    return {f.name: _plain(getattr(section, f.name)) for f in dataclasses.fields(section)}


def differences(expected: Mapping[str, Any], found: Mapping[str, Any], where: str = "") -> list[str]:
    """Dotted keys that are missing, extra or different (in value or type) between two nested tables."""
    out = []
    for key in sorted(set(expected) | set(found)):
        name = f"{where}.{key}" if where else str(key)
        if key not in found:
            out.append(f"{name}: missing (the schema's default is {expected[key]!r})")
        elif key not in expected:
            out.append(f"{name}: not in the schema")
        elif isinstance(expected[key], Mapping) and isinstance(found[key], Mapping):
            out.extend(differences(expected[key], found[key], name))
        elif expected[key] != found[key] or type(expected[key]) is not type(found[key]):
            out.append(f"{name}: {found[key]!r}, but the schema's default is {expected[key]!r}")
    return out
