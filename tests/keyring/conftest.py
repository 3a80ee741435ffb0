"""The keyring tests need a real Secret Service. Without one they fail (never skip) and say how to run them."""

from __future__ import annotations

import functools

import pytest

HOW_TO_RUN = (
    "Run them inside a private Secret Service session: `scripts/with-secret-service.sh pytest tests/keyring` "
    "(needs: apt-get install -y --no-install-recommends gnome-keyring libsecret-tools dbus)."
)
PROBE_SERVICE = "ai-token-wallet-test-probe"


@functools.cache
def secret_service_problem() -> str | None:
    import keyring
    from keyring.backends import SecretService

    backend = keyring.get_keyring()
    if not isinstance(backend, SecretService.Keyring):
        return f"the keyring backend is {type(backend).__module__}.{type(backend).__name__}"
    try:
        backend.set_password(PROBE_SERVICE, "probe", "x")
        ok = backend.get_password(PROBE_SERVICE, "probe") == "x"
        backend.delete_password(PROBE_SERVICE, "probe")
    except Exception as e:
        return f"{type(e).__name__}: {e}"
    return None if ok else "a value written to it did not read back"


@pytest.fixture(autouse=True)
def os_keyring_selected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AI_WALLET_KEYRING", raising=False)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    # In the call phase, not a fixture, so that a missing service reports each test as FAILED, not ERROR.
    problem = secret_service_problem()
    if problem:
        pytest.fail(f"No Secret Service is reachable ({problem}). {HOW_TO_RUN}", pytrace=False)
