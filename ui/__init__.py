"""The desktop app (PySide6).

Importing PySide6.QtCore replaces ``builtins.__import__`` with a hook for ``from __feature__ import …``
(snake_case Qt names), and that hook reads the whole source of every module imported afterwards to see
whether it mentions PySide6. The app never uses ``__feature__``; behind its first screen it imports about 800
modules (web3, eth_account, tiktoken), and the hook kept all their sources in memory (~25 MiB resident) and
slowed their import. So the app imports Qt with Python's own ``__import__`` put back right after.
"""

import builtins
import sys

if "PySide6.QtCore" not in sys.modules:  # else someone imported Qt first (a test runner): leave it as it is
    _python_import = builtins.__import__
    import PySide6.QtCore  # noqa: F401

    builtins.__import__ = _python_import
