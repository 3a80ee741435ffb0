"""`ai-provider`: run the reference provider gateway, its facilitator, or register a provider.

    ai-provider serve --provider-id N [--port P] --facilitator-url URL [--backend demo|openai]
    ai-provider serve --provider-id N --with-facilitator            (the facilitator on its own port too)
    ai-provider facilitator [--port P] [--key-file F] [--settlement-keys-file F]
    ai-provider register --key-file F --name NAME --endpoint URL --pay-to ADDR --prices FILE [--provider-id N]

``ai-provider --provider-id N ...`` (no command) is ``serve``. Keys come from files or the environment, never
from the command line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from wallet.errors import ConfigError, WalletError

if TYPE_CHECKING:  # the commands import these when they run, so --help stays fast
    from eth_account.signers.local import LocalAccount

    from provider.backends import Backend
    from provider.keys import PayeeKeys
    from provider.network import GatewayChain

COMMANDS = ("serve", "facilitator", "register")
FACILITATOR_URL_ENV = "AI_PROVIDER_FACILITATOR_URL"
DEFAULT_GATEWAY_PORT = 8402
DEFAULT_FACILITATOR_PORT = 8400


def _chain_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", metavar="DIR", help="wallet data dir holding the network settings")
    p.add_argument("--network", metavar="NAME", help="network profile (default: the data dir's network)")


def _listen_options(p: argparse.ArgumentParser, default_port: int | None) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=default_port,
                   help=f"port (default: {default_port or 'the registered endpoint’s, else 8402'})")
    # A listening socket handed over already bound (by the devnet, which must never lose the port to a race).
    p.add_argument("--listen-fd", type=int, help=argparse.SUPPRESS)


def _facilitator_key_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--key-file", "--facilitator-key-file", dest="key_file", metavar="FILE",
                   help="the facilitator's own key, which pays settlement gas (else $AI_FACILITATOR_KEY)")
    p.add_argument("--settlement-keys-file", metavar="FILE",
                   help="payTo keys, one per line, for schemes only the payee may settle "
                        "(else $AI_FACILITATOR_SETTLEMENT_KEYS)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ai-provider", description="The reference AI-provider gateway.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser("serve", help="serve a registered provider's paid, OpenAI-compatible API")
    serve.add_argument("--provider-id", type=int, required=True, help="the provider's id in the registry")
    _listen_options(serve, None)
    serve.add_argument("--facilitator-url", metavar="URL",
                       help=f"the facilitator that verifies and settles payments (else ${FACILITATOR_URL_ENV})")
    serve.add_argument("--with-facilitator", action="store_true",
                       help="also run a facilitator in this process, on a port of its own")
    serve.add_argument("--backend", choices=("demo", "openai"),
                       help="demo (offline generated text) or openai (an OpenAI-compatible upstream); default: "
                            "openai when an upstream is configured, else demo")
    serve.add_argument("--upstream-config", metavar="FILE",
                       help='JSON {"upstream": {"base_url", "api_key"}} (else $AI_PROVIDER_UPSTREAM_URL and '
                            "$AI_PROVIDER_UPSTREAM_KEY)")
    _chain_options(serve)
    _facilitator_key_options(serve)
    serve.set_defaults(func=cmd_serve)

    fac = sub.add_parser("facilitator", help="verify and settle x402 payments on chain")
    _listen_options(fac, DEFAULT_FACILITATOR_PORT)
    _chain_options(fac)
    _facilitator_key_options(fac)
    fac.set_defaults(func=cmd_facilitator)

    reg = sub.add_parser("register", help="write a provider and its price sheet to the registry")
    reg.add_argument("--key-file", required=True, metavar="FILE", help="the provider owner's private key")
    reg.add_argument("--name", required=True)
    reg.add_argument("--endpoint", required=True, metavar="URL", help="where the gateway answers")
    reg.add_argument("--pay-to", required=True, metavar="ADDRESS", help="where payments go")
    reg.add_argument("--prices", required=True, metavar="FILE", help="the price sheet (JSON; see docs/provider.md)")
    reg.add_argument("--provider-id", type=int, help="update this provider instead of registering a new one")
    reg.add_argument("--json", action="store_true", help="print the result as JSON")
    _chain_options(reg)
    reg.set_defaults(func=cmd_register)
    return parser


def _chain(args: argparse.Namespace) -> GatewayChain:
    from provider.network import GatewayChain

    return GatewayChain.from_data_dir(args.data_dir, args.network)


def _facilitator_keys(args: argparse.Namespace) -> tuple[LocalAccount, PayeeKeys]:
    from provider.keys import (
        FACILITATOR_KEY_ENV,
        SETTLEMENT_KEYS_ENV,
        PayeeKeys,
        key_from_file,
        keys_from_file,
        take_env_key,
        take_env_keys,
    )

    fee = key_from_file(args.key_file, "facilitator key file") if args.key_file else None
    env_fee = take_env_key(FACILITATOR_KEY_ENV, "facilitator key")
    fee = fee or env_fee
    if fee is None:
        raise ConfigError(f"The facilitator needs its own key (it pays the gas of settlements): give --key-file "
                          f"or set ${FACILITATOR_KEY_ENV}.")
    payees = (keys_from_file(args.settlement_keys_file, "settlement keys file") if args.settlement_keys_file
              else take_env_keys(SETTLEMENT_KEYS_ENV, "settlement key"))
    return fee, PayeeKeys(payees)


def cmd_facilitator(args: argparse.Namespace) -> int:
    from provider.serve import build_facilitator, run

    fee, payees = _facilitator_keys(args)
    chain = _chain(args)
    app = build_facilitator(chain, fee, payees)
    print(f"Facilitator for {chain.network} on http://{args.host}:{args.port} (pays gas from {fee.address}; "
          f"settlement keys for {len(payees)} payee(s))", flush=True)
    run(app, args.host, args.port, args.listen_fd)
    return 0


def _backend(args: argparse.Namespace) -> Backend:
    from provider.backends import OpenAIProxy, UpstreamConfig
    from provider.demo_backend import DemoBackend

    upstream = UpstreamConfig.load(args.upstream_config)
    kind = args.backend or ("openai" if upstream else "demo")
    if kind == "demo":
        return DemoBackend()
    if upstream is None:
        raise ConfigError("The openai backend needs an upstream: give --upstream-config or set "
                          "$AI_PROVIDER_UPSTREAM_URL.")
    return OpenAIProxy(upstream)


def cmd_serve(args: argparse.Namespace) -> int:
    from provider.serve import ServerThread, build_facilitator, build_gateway, endpoint_port, run
    from wallet.tokenizers import SUPPORTED_ENCODINGS, warm_up

    backend = _backend(args)
    chain = _chain(args)
    entry = chain.registry().get_provider(args.provider_id)
    if not entry.active:
        raise ConfigError(f"Provider {args.provider_id} is not active in the registry of this network.")
    facilitator_url = args.facilitator_url or os.environ.get(FACILITATOR_URL_ENV)
    local_facilitator = None
    if args.with_facilitator:
        fee, payees = _facilitator_keys(args)
        local_facilitator = ServerThread(build_facilitator(chain, fee, payees), args.host, name="facilitator")
        facilitator_url = local_facilitator.start().url
    port = args.port or endpoint_port(entry.endpoint) or DEFAULT_GATEWAY_PORT
    gateway = build_gateway(chain, args.provider_id, backend, facilitator_url)
    warm_up({m.encoding for m in entry.models} & set(SUPPORTED_ENCODINGS))  # the first request need not wait
    print(f"Serving {entry.name} (provider {entry.id}) on http://{args.host}:{port} — backend: {backend.name}; "
          f"facilitator: {facilitator_url or 'none (paid requests are refused)'}", flush=True)
    try:
        run(gateway.app, args.host, port, args.listen_fd)
    finally:
        if local_facilitator is not None:
            local_facilitator.stop()
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    from provider.keys import key_from_file
    from provider.register import load_price_sheet, register

    owner = key_from_file(args.key_file, "owner key file")
    models = load_price_sheet(args.prices)
    result = register(_chain(args), owner, name=args.name, endpoint=args.endpoint, pay_to=args.pay_to,
                      models=models, provider_id=args.provider_id)
    if args.json:
        print(json.dumps(result.to_json()))
    else:
        verb = "Registered" if result.created else "Updated"
        print(f"{verb} provider {result.provider_id}: {len(result.models_set)} price(s) set, "
              f"{len(result.models_removed)} removed{', details updated' if result.details_updated else ''}.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] not in (*COMMANDS, "-h", "--help"):
        args_list.insert(0, "serve")  # `ai-provider --provider-id N --port P` as before
    args = build_parser().parse_args(args_list)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for noisy in ("httpx", "web3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return int(args.func(args))
    except WalletError as e:
        print(f"error: {e.user_message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
