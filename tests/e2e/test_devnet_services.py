"""`devnet up` serves the demo providers (their gateways and the facilitator as background processes on the
registered endpoints) and `devnet down` stops them, checked in the process table. Two devnets on one machine
never collide: the second moves its providers to free ports and says so in its own registry."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from clirun import run_cli
from gatewaykit import processes_mentioning

from provider.network import GatewayChain, load_profile
from wallet.config import DataDir
from wallet.devnet.anvil import free_port

pytestmark = pytest.mark.chain


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "wd"
    yield d
    run_cli(d, "devnet", "down")


def services(status: dict) -> dict[str, dict]:
    return {s["name"]: s for s in status["services"]}


def registry_endpoints(data_dir: Path) -> dict[int, str]:
    chain = GatewayChain.connect(load_profile(DataDir(data_dir), "devnet"))
    return {p.id: p.endpoint for p in chain.registry().list_providers()}


def test_up_serves_the_demo_providers_and_down_stops_them(data_dir: Path) -> None:
    up = run_cli(data_dir, "devnet", "up", "--port", str(free_port()), "--json")
    assert up.code == 0, up.err
    running = services(up.json())
    assert set(running) == {"facilitator", "gateway-1", "gateway-2"}
    endpoints = registry_endpoints(data_dir)
    for pid in (1, 2):
        assert running[f"gateway-{pid}"]["url"] == endpoints[pid]
        health = httpx.get(endpoints[pid] + "/health", timeout=10).json()
        assert health["provider_id"] == pid and health["demo"] is True
    facilitator = httpx.get(running["facilitator"]["url"] + "/health", timeout=10).json()
    assert facilitator["network"] == "eip155:31337" and len(facilitator["payees"]) == 2

    table = processes_mentioning(data_dir.resolve())
    for s in running.values():
        assert b"provider.main" in table[s["pid"]]
    assert not any(b"AI_FACILITATOR_KEY" in a or (a.startswith(b"0x") and len(a) == 66)
                   for argv in table.values() for a in argv)  # the key never rides on a command line

    assert run_cli(data_dir, "devnet", "down").code == 0
    assert processes_mentioning(data_dir.resolve()) == {}
    assert run_cli(data_dir, "devnet", "status", "--json").json()["services"] == []


def test_a_later_up_restarts_what_died_and_keeps_what_runs(data_dir: Path) -> None:
    first = services(run_cli(data_dir, "devnet", "up", "--port", str(free_port()), "--json").json())
    again = services(run_cli(data_dir, "devnet", "up", "--json").json())
    assert {n: s["pid"] for n, s in again.items()} == {n: s["pid"] for n, s in first.items()}

    os.kill(first["gateway-1"]["pid"], signal.SIGKILL)
    restarted = services(run_cli(data_dir, "devnet", "up", "--json").json())
    assert set(restarted) == set(first) and restarted["gateway-1"]["pid"] != first["gateway-1"]["pid"]
    assert httpx.get(registry_endpoints(data_dir)[1] + "/health", timeout=10).json()["provider_id"] == 1
    assert set(processes_mentioning(data_dir.resolve())) >= {s["pid"] for s in restarted.values()}
    assert first["gateway-1"]["pid"] not in processes_mentioning(data_dir.resolve())


def test_two_devnets_never_collide_on_ports(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    try:
        up_a = run_cli(a, "devnet", "up", "--port", str(free_port()), "--json")
        up_b = run_cli(b, "devnet", "up", "--port", str(free_port()), "--json")
        assert up_a.code == 0 and up_b.code == 0, up_a.err + up_b.err
        urls_a = {n: s["url"] for n, s in services(up_a.json()).items()}
        urls_b = {n: s["url"] for n, s in services(up_b.json()).items()}
        assert not set(urls_a.values()) & set(urls_b.values())
        for d, urls in ((a, urls_a), (b, urls_b)):  # each registry names its own devnet's gateways
            assert registry_endpoints(d) == {1: urls["gateway-1"], 2: urls["gateway-2"]}
            assert httpx.get(urls["gateway-1"] + "/health", timeout=10).json()["provider_id"] == 1
        providers_b = run_cli(b, "providers", "--json").json()
        assert next(p for p in providers_b if p["id"] == 1)["verified"] is True  # a moved endpoint stays vouched
    finally:
        run_cli(a, "devnet", "down")
        run_cli(b, "devnet", "down")
    assert processes_mentioning(a.resolve()) == {} and processes_mentioning(b.resolve()) == {}


def test_down_never_kills_a_process_that_reused_a_service_pid(data_dir: Path) -> None:
    (data_dir / "devnet").mkdir(parents=True)
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        record = [{"name": "gateway-1", "pid": bystander.pid, "port": free_port(), "start_ticks": None,
                   "provider_id": 1}]
        (data_dir / "devnet" / "services.json").write_text(json.dumps(record))
        assert run_cli(data_dir, "devnet", "down").code == 0
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_without_waiting_a_request_sent_at_once_is_answered_when_ready(tmp_path: Path) -> None:
    """What the app does (its first screen does not wait for the providers): the ports are bound before the
    processes start, so a request sent right away waits in the queue instead of failing."""
    from wallet.devnet.manager import DevnetManager

    manager = DevnetManager(DataDir(tmp_path / "app"))
    try:
        status, started = manager.up(free_port(), wait_for_services=False)
        assert started and {s.name for s in status.services} == {"facilitator", "gateway-1", "gateway-2"}
        gateway = next(s for s in status.services if s.name == "gateway-1")
        assert httpx.get(gateway.url + "/health", timeout=90).json()["provider_id"] == 1
        assert {s.name for s in manager.services.wait()} == {"facilitator", "gateway-1", "gateway-2"}
    finally:
        manager.down()
    assert processes_mentioning((tmp_path / "app").resolve()) == {}


def test_an_up_while_the_providers_load_waits_for_them_rather_than_starting_others(tmp_path: Path) -> None:
    from wallet.devnet.manager import DevnetManager

    manager = DevnetManager(DataDir(tmp_path / "app"))
    try:
        status, _ = manager.up(free_port(), wait_for_services=False)  # as the app does
        again, started = DevnetManager(DataDir(tmp_path / "app")).up()  # then `ai-wallet devnet up`, at once
        assert not started and {s.pid for s in again.services} == {s.pid for s in status.services}
        assert all(httpx.get(s.url + "/health", timeout=5).status_code == 200 for s in again.services)
    finally:
        manager.down()
    assert processes_mentioning((tmp_path / "app").resolve()) == {}
