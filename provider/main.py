"""`ai-provider`: run the reference provider gateway for one provider registered on chain."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from wallet.config import DataDir, default_data_dir
from wallet.errors import ProviderError, WalletError
from wallet.registry import ProviderInfo
from wallet.service import WalletService


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ai-provider", description="The reference AI-provider gateway.")
    p.add_argument("--provider-id", type=int, required=True, help="the provider's id in the registry")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8402)
    p.add_argument("--data-dir", metavar="DIR", help="wallet data dir holding the network settings")
    p.add_argument("--network", metavar="NAME", help="network profile (default: devnet)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    service = WalletService(DataDir(Path(args.data_dir) if args.data_dir else default_data_dir()),
                            network=args.network)
    try:
        service.connect()
        entry = _lookup(service, args.provider_id)
    except WalletError as e:
        print(f"error: {e.user_message}", file=sys.stderr)
        return 2

    import uvicorn

    from provider.app import create_app

    def current() -> ProviderInfo:
        service.quotes.invalidate()  # the registry is the source of truth: prices may have changed
        return _lookup(service, args.provider_id)

    print(f"Serving {entry.name} (provider {entry.id}) on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(create_app(current), host=args.host, port=args.port, log_level="warning")
    return 0


def _lookup(service: WalletService, provider_id: int) -> ProviderInfo:
    for p in service.quotes.providers():
        if p.id == provider_id:
            return p
    raise ProviderError(f"There is no active provider {provider_id} in the registry of this network.")


if __name__ == "__main__":
    sys.exit(main())
