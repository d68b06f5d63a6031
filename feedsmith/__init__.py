"""feedsmith: turn news pages with no usable feed into clean RSS 2.0, Atom and JSON feeds.

The public API::

    from feedsmith import load_config, build, split_headlines

Nothing heavy happens at import time: the splitter's lexicon loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "build", "load_config", "split_headlines"]

if TYPE_CHECKING:
    from feedsmith.build import build
    from feedsmith.config import load_config
    from feedsmith.split import split_headlines


def __getattr__(name: str) -> Any:
    # Lazy so that `import feedsmith` stays cheap for the CLI's --help and --version.
    if name == "split_headlines":
        from feedsmith.split import split_headlines

        return split_headlines
    if name == "load_config":
        from feedsmith.config import load_config

        return load_config
    if name == "build":
        from feedsmith.build import build

        return build
    raise AttributeError(f"module 'feedsmith' has no attribute {name!r}")
