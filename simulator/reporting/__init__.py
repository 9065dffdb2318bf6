"""Reports of a result file: figures (`summarise`), text, JSON, CSV tables and PNG plots."""

from .load import read_result
from .summary import summarise
from .tables import all_tables
from .text import render

__all__ = ["all_tables", "read_result", "render", "summarise"]
