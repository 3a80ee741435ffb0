"""`ai-provider`: run the reference provider gateway for one provider registered on chain."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wallet.config import DataDir, Settings, default_data_dir
from wallet.errors import ProviderError, WalletError
from wallet.registry import ProviderInfo

if TYPE_CHECKING:
    from wallet.quote import QuoteEngine


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ai-provider", description="The reference AI-provider gateway.")
    p.add_argument("--provider-id", type=int, required=True, help="the provider's id in the registry")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8402)
    p.add_argument("--data-dir", metavar="DIR", help="wallet data dir holding the network settings")
    p.add_argument("--network", metavar="NAME", help="network profile (default: devnet)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from wallet.chain.client import ChainClient
    from wallet.chain.contracts import ProviderRegistry
    from wallet.devnet.manager import network_profile
    from wallet.quote import QuoteEngine

    args = build_parser().parse_args(argv)
    data_dir = DataDir(Path(args.data_dir) if args.data_dir else default_data_dir())
    try:
        # A gateway reads the registry and the chain; it never opens a user's wallet.
        profile = network_profile(data_dir, args.network or Settings.load(data_dir).network)
        client = ChainClient(profile)
        client.connect()
        quotes = QuoteEngine(ProviderRegistry(client, profile.contract("ProviderRegistry")).list_providers)
        entry = _lookup(quotes, args.provider_id)
    except WalletError as e:
        print(f"error: {e.user_message}", file=sys.stderr)
        return 2

    import uvicorn

    from provider.app import create_app

    def current() -> ProviderInfo:
        quotes.invalidate()  # the registry is the source of truth: prices may have changed
        return _lookup(quotes, args.provider_id)

    print(f"Serving {entry.name} (provider {entry.id}) on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(create_app(current), host=args.host, port=args.port, log_level="warning")
    return 0


def _lookup(quotes: QuoteEngine, provider_id: int) -> ProviderInfo:
    for p in quotes.providers():
        if p.id == provider_id:
            return p
    raise ProviderError(f"There is no active provider {provider_id} in the registry of this network.")


if __name__ == "__main__":
    sys.exit(main())
