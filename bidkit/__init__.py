"""bidkit: assemble and check a city's bid for a funding competition."""

__version__ = "0.1.0"
