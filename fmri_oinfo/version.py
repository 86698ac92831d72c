"""The package version, in a leaf module: anything may import it without loading the package's other parts."""

__version__ = "0.1.0"
