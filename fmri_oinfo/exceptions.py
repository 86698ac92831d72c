"""Errors shared by the estimators and the engine (a leaf module: no numpy, torch or pandas)."""

from __future__ import annotations


class NotFittedError(ValueError, AttributeError):
    """A model was asked for answers before :meth:`fit`.

    A subclass of both ``ValueError`` and ``AttributeError``, as scikit-learn's
    ``NotFittedError``, so that code catching either keeps working.
    """


def check_is_fitted(model: object, attribute: str) -> None:
    """Raise :class:`NotFittedError` unless ``model`` has the attribute that ``fit`` sets.

    Parameters
    ----------
    model : object
    attribute : str
        A fitted attribute (trailing underscore) that ``fit`` sets last.

    Raises
    ------
    NotFittedError
        Naming the model and what to call first.
    """
    if not hasattr(model, attribute):
        raise NotFittedError(
            f"this {type(model).__name__} is not fitted yet; call its fit(data, sets=...) method before asking "
            "it for measures."
        )


class DependentRegionsWarning(RuntimeWarning):
    """Some sets hold regions that are exact functions of each other: their TC is infinite.

    Its own category so that a caller that scores the same sets on many
    resampled datasets can warn once, with the region names, rather than
    once per resample.
    """
