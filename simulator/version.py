"""The installed version of neurochip."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("neurochip")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
