"""The parameter protocol of scikit-learn's estimators, without depending on scikit-learn.

An estimator's parameters are the arguments of its constructor, stored
unchanged as attributes of the same name; :meth:`ParamsMixin.get_params`
reads them from the constructor's signature and :meth:`ParamsMixin.set_params`
writes them back, so ``type(e)(**e.get_params())`` is an unfitted copy
(:func:`clone`) and ``sklearn.base.clone`` works when scikit-learn is
installed.  Fitted state lives in attributes ending with ``_``.
"""

from __future__ import annotations

from inspect import Parameter, signature
from typing import Any, TypeVar

Self = TypeVar("Self", bound="ParamsMixin")


class ParamsMixin:
    """``get_params`` / ``set_params`` from the constructor's signature, and a repr of the set parameters."""

    @classmethod
    def _param_names(cls) -> list[str]:
        """Constructor parameters, sorted (no ``*args``; ``**kwargs`` is not a parameter)."""
        names = []
        for parameter in signature(cls.__init__).parameters.values():
            if parameter.name == "self" or parameter.kind == Parameter.VAR_KEYWORD:
                continue
            if parameter.kind == Parameter.VAR_POSITIONAL:
                raise TypeError(f"{cls.__name__}'s constructor takes *args; parameters must be named.")
            names.append(parameter.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters of this estimator, by name (``deep`` is accepted for scikit-learn; there are no nested ones)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self: Self, **params: Any) -> Self:
        """Set parameters by name; an unknown name is a ``ValueError`` listing the valid ones."""
        valid = self._param_names()
        unknown = sorted(set(params) - set(valid))
        if unknown:
            raise ValueError(f"{type(self).__name__} has no parameter(s) {unknown}; its parameters are {valid}.")
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in signature(type(self).__init__).parameters.values()}
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if defaults.get(k, Parameter.empty) != v]
        return f"{type(self).__name__}({', '.join(changed)})"


def clone(estimator: Self) -> Self:
    """An unfitted estimator with the same parameters (``sklearn.base.clone`` for :class:`ParamsMixin`)."""
    return type(estimator)(**estimator.get_params(deep=False))
