"""Fixtures for the contract tests (helpers live in chainkit.py)."""

from __future__ import annotations

import pytest
from chainkit import Chain, deploy_all

from wallet.devnet.anvil import AnvilProcess


@pytest.fixture
def chain(anvil: AnvilProcess, dev_keys: list[str]) -> Chain:
    """A fresh anvil with the three contracts deployed (see ``Chain``)."""
    return deploy_all(anvil.rpc_url, dev_keys)
