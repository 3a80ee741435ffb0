"""The Providers page against the real devnet registry: both demo providers with their models, prices,
payTo addresses and verified badges; endpoint checks in the background; Refresh re-reads the registry."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path

import pytest
from eth_account import Account
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shots import WINDOW_SIZE, save_shot

from ui import ops
from ui.controller import AppController
from ui.pages.providers import UNREACHABLE, ProvidersPage
from ui.theme import SUCCESS_DARK, apply_theme, colour
from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.demo import DEMO_PROVIDERS
from wallet.devnet.manager import DevnetStatus
from wallet.networks import NetworkProfile, save_custom_profile
from wallet.service import WalletService

pytestmark = [pytest.mark.gui, pytest.mark.chain]


@pytest.fixture
def service(devnet: tuple[DataDir, DevnetStatus]) -> Iterator[WalletService]:
    s = WalletService(devnet[0])
    yield s
    s.close()


def open_page(service: WalletService, qtbot: QtBot) -> ProvidersPage:
    page = ProvidersPage(AppController(service))
    qtbot.addWidget(page)
    page.resize(*WINDOW_SIZE)
    page.show()
    page.on_shown()
    qtbot.waitUntil(lambda: len(page.cards) >= 2, timeout=20_000)
    return page


def test_lists_both_demo_providers_with_models_and_prices(service: WalletService, qtbot: QtBot) -> None:
    apply_theme(QApplication.instance(), dark=False)  # type: ignore[arg-type]
    page = open_page(service, qtbot)
    demo, budget = page.cards[1], page.cards[2]
    assert demo.provider.name == "Demo AI" and budget.provider.name == "Budget AI"
    assert demo.badge.text() == "✓ verified" and budget.badge.text() == "not verified"
    assert demo.model_rows() == [
        ["gpt-4o-mini", "o200k_base", "0.15 AIT", "0.60 AIT", "128,000", "16,384"],
        ["gpt-4.1", "o200k_base", "2.00 AIT", "8.00 AIT", "1,047,576", "32,768"],
        ["gpt-3.5-turbo", "cl100k_base", "0.50 AIT", "1.50 AIT", "16,385", "4,096"],
    ]
    assert budget.model_rows() == [
        ["gpt-4o-mini", "o200k_base", "0.12 AIT", "0.70 AIT", "128,000", "16,384"],
        ["gpt-4", "cl100k_base", "30.00 AIT", "60.00 AIT", "8,192", "4,096"],
    ]
    registered = {p.id: p.endpoint for p in service.list_providers()}
    for card, demo_provider in ((demo, DEMO_PROVIDERS[0]), (budget, DEMO_PROVIDERS[1])):
        pay_to = Account.from_key(demo_provider.pay_to_key).address
        assert card.pay_to.address == pay_to
        assert card.pay_to.label.text() == pay_to  # whole, checksummed: this is whom the wallet pays
        # the registry's endpoint (the devnet moves a demo provider when another devnet holds its port)
        assert card.provider.endpoint == registered[card.provider.id]

    # Reachability is checked in the background and shown as it is: the devnet serves its demo providers.
    for card in (demo, budget):
        qtbot.waitUntil(lambda c=card: c.reach.text() != "checking…", timeout=15_000)
        ok, text = service.check_endpoint(card.provider.endpoint)
        assert ok and card.reach.text().split(" in ")[0] == text.split(" in ")[0] == "HTTP 200"
        assert colour("success") in card.dot.styleSheet() and not card.problem.isVisible()
    app = QApplication.instance()
    apply_theme(app, dark=True)  # type: ignore[arg-type]
    try:  # the dots and badges follow a theme switch
        app.processEvents()  # type: ignore[union-attr]
        assert colour("muted") in budget.badge.styleSheet() and SUCCESS_DARK in demo.badge.styleSheet()
        assert all(colour("success") in c.dot.styleSheet() or colour("danger") in c.dot.styleSheet()
                   for c in (demo, budget))
    finally:
        apply_theme(app, dark=False)  # type: ignore[arg-type]
    save_shot(page, "providers")


def test_a_reachable_endpoint_is_green(service: WalletService, qtbot: QtBot) -> None:
    """The registry's demo gateways may be down; a real HTTP server stands in for one endpoint."""
    server = HTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = open_page(service, qtbot)
        sheet = service.price_sheet()
        url = f"http://127.0.0.1:{server.server_port}/"
        page.show_providers([replace(sheet[0], endpoint=url), *sheet[1:]])
        card = page.cards[1]
        qtbot.waitUntil(lambda: card.reach.text() != "checking…", timeout=15_000)
        assert card.reach.text().startswith("HTTP 200 in ")
        assert colour("success") in card.dot.styleSheet()
    finally:
        server.shutdown()
        server.server_close()


def test_an_endpoint_that_does_not_answer_is_said_in_words(service: WalletService, qtbot: QtBot) -> None:
    page = open_page(service, qtbot)
    sheet = service.price_sheet()
    page.show_providers([replace(sheet[0], endpoint=f"http://127.0.0.1:{free_port()}/"), *sheet[1:]])
    card = page.cards[1]
    qtbot.waitUntil(lambda: card.reach.text() != "checking…", timeout=15_000)
    assert card.reach.text() == "not reachable"
    assert card.problem.isVisible() and card.problem.text().startswith("Nothing answers at this address")
    assert "Try again later, or use another provider." in card.problem.text()
    assert "Error" not in card.problem.text() and "(" not in card.problem.text()
    assert colour("danger") in card.dot.styleSheet() and colour("danger") in card.problem.styleSheet()


def test_endpoints_elsewhere_are_contacted_only_when_asked(service: WalletService, qtbot: QtBot) -> None:
    """Registration is permissionless: the page must not contact a stranger's URL (or the user's LAN) unasked."""
    from ui.pages.providers import checks_by_itself

    assert checks_by_itself("http://127.0.0.1:8402") and checks_by_itself("http://localhost/v1")
    assert not checks_by_itself("https://provider.example/v1") and not checks_by_itself("http://192.168.1.1/")
    assert not checks_by_itself("http://127.0.0.1.nip.example/") and checks_by_itself("http://[::1]:80/")

    hits: list[str] = []

    class Counting(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            super().do_GET()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = open_page(service, qtbot)
        sheet = service.price_sheet()
        # Looks local, is not: a DNS name the page must not contact unasked (it would not resolve anyway).
        far = f"http://127.0.0.1.nip.example:{server.server_port}/"
        page.show_providers([replace(sheet[0], endpoint=far), *sheet[1:]])
        card = page.cards[1]
        qtbot.waitUntil(ops.idle, timeout=15_000)  # every check the page started has finished
        assert card.reach.text() == "not checked" and card.check_button.isVisible() and hits == []
        page.show_providers([replace(sheet[0], endpoint=f"http://127.0.0.1:{server.server_port}/x"), *sheet[1:]])
        card = page.cards[1]
        qtbot.waitUntil(lambda: hits == ["/x"], timeout=15_000)  # on this computer: checked by itself
        assert not card.check_button.isVisible()
    finally:
        server.shutdown()
        server.server_close()


def test_refresh_rereads_the_registry(service: WalletService, qtbot: QtBot) -> None:
    page = open_page(service, qtbot)
    first = dict(page.cards)
    rows = first[1].model_rows()
    qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.refresh_button.isEnabled() and page.cards and page.cards[1] is not first[1],
                    timeout=20_000)
    assert sorted(page.cards) == [1, 2]
    assert page.cards[1].model_rows() == rows


def test_unreachable_registry(tmp_path: Path, devnet: tuple[DataDir, DevnetStatus], qtbot: QtBot) -> None:
    data_dir = DataDir(tmp_path / "offline").ensure()
    contracts = WalletService(devnet[0]).profile.contracts
    save_custom_profile(data_dir, NetworkProfile("offline", 31337, f"http://127.0.0.1:{free_port()}", contracts))
    service = WalletService(data_dir, network="offline")
    page = ProvidersPage(AppController(service))
    qtbot.addWidget(page)
    page.on_shown()
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.message_view
                    and page.message_view.text().startswith(UNREACHABLE + "\n"), timeout=30_000)
    assert not page.cards and page.refresh_button.isEnabled()
    service.close()
