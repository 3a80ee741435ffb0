"""`ai-wallet account ...`: create, import, list, back up and re-key the wallet's accounts.

Secrets (passwords, recovery phrases, private keys) are read from files or a terminal prompt, never from the
command line, where other users could see them in the process list and shells keep them in history.

A CLI process is short-lived, so it holds nothing unlocked between invocations: every command that needs a
key takes the password (``--password-file`` or a prompt) and the keys leave memory when the process exits.
``account lock`` and ``account unlock`` exist for symmetry with the desktop app, where the wallet stays
unlocked until locked or idle: here ``unlock`` only checks the password and ``lock`` has nothing to drop.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from wallet.cli.context import CliContext, read_secret
from wallet.errors import InvalidInput

PHRASE_WARNING = (
    "Write these words down, in order, and keep them offline. Anyone who has them controls this wallet's "
    "funds; without them (or your password and this computer's keyring) the funds cannot be recovered."
)


def register(sub: argparse._SubParsersAction) -> None:
    from wallet.cli.main import global_parent

    p = sub.add_parser("account", help="create, import, list and back up accounts", parents=[global_parent()])
    asub = p.add_subparsers(dest="account_command", metavar="ACTION", required=True)

    def add(name: str, help_text: str, func, *, password: bool = True, json_flag: bool = True):  # type: ignore[no-untyped-def]
        sp = asub.add_parser(name, help=help_text, description=help_text, parents=[global_parent()])
        if password:
            sp.add_argument("--password-file", metavar="F", help="read the wallet password from file F")
        if json_flag:
            sp.add_argument("--json", action="store_true", help="machine-readable output")
        sp.set_defaults(func=func)
        return sp

    c = add("create", "create a wallet with a new recovery phrase (shown once)", cmd_create)
    c.add_argument("--words", type=int, choices=(12, 24), default=12, help="phrase length (default 12)")

    i = add("import", "import a recovery phrase, a private key or a keystore file", cmd_import)
    src = i.add_mutually_exclusive_group(required=True)
    src.add_argument("--mnemonic-file", metavar="F", help="file whose first line is the recovery phrase")
    src.add_argument("--private-key-file", metavar="F", help="file whose first line is a hex private key")
    src.add_argument("--keystore", metavar="F", help="a v3 keystore JSON file (Geth, MetaMask, MyEtherWallet)")
    i.add_argument("--keystore-password-file", metavar="F", help="the keystore file's own password")
    i.add_argument("--label", metavar="L", help="a name for the imported account")

    a = add("add", "add the next account derived from the recovery phrase", cmd_add)
    a.add_argument("--label", metavar="L", help="a name for the new account")

    add("list", "list the accounts (no password needed)", cmd_list, password=False)

    r = add("rename", "change an account's label", cmd_rename, password=False)
    r.add_argument("address")
    r.add_argument("label")

    e = add("export", "write an account's key as a v3 keystore file (MetaMask/Geth)", cmd_export)
    e.add_argument("address")
    e.add_argument("--keystore", metavar="OUT", required=True, help="file to write (created mode 0600)")
    e.add_argument("--keystore-password-file", metavar="F",
                   help="encrypt the file with this password instead of the wallet password")
    e.add_argument("--force", action="store_true", help="overwrite OUT if it exists")

    add("lock", "lock the wallet (the CLI keeps nothing unlocked between commands)", cmd_lock, password=False)
    add("unlock", "check the wallet password (the CLI asks for it on every command that signs)", cmd_unlock)

    cp = add("change-password", "re-encrypt every secret under a new password", cmd_change_password)
    cp.add_argument("--new-password-file", metavar="NEW", help="read the new password from file NEW")

    add("reveal-mnemonic", "show the recovery phrase again (asks for the password)", cmd_reveal)


def _password(args: argparse.Namespace, prompt: str = "Wallet password: ", *, new: bool = False) -> str:
    return read_secret(args.password_file, prompt, confirm=new)


def _print_account(ctx: CliContext, args: argparse.Namespace, info, verb: str) -> None:  # type: ignore[no-untyped-def]
    if args.json:
        ctx.print_json(info.to_json())
    else:
        where = f" (index {info.index})" if info.index is not None else ""
        print(f"{verb} {info.address}{where}  {info.label}")


def cmd_create(args: argparse.Namespace, ctx: CliContext) -> int:
    svc = ctx.service
    if svc.has_wallet():
        raise InvalidInput(f"A wallet already exists in {ctx.data_dir.root}. Use another --data-dir for a second one.")
    password = _password(args, "New wallet password: ", new=True)
    phrase = svc.create_wallet(password, words=args.words)
    address = svc.accounts()[0].address
    svc.close()
    print(PHRASE_WARNING, file=sys.stderr)
    if args.json:
        ctx.print_json({"address": address, "mnemonic": phrase})
    else:
        print(phrase)
        print(f"First account: {address}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    svc = ctx.service
    new = not svc.has_wallet()
    prompt = "New wallet password: " if new else "Wallet password: "
    if args.mnemonic_file:
        phrase = read_secret(args.mnemonic_file, "Recovery phrase: ")
        info = svc.import_mnemonic(phrase, _password(args, prompt, new=new))
        if args.label:
            info = svc.rename_account(info.address, args.label)
    elif args.private_key_file:
        key_text = read_secret(args.private_key_file, "Private key (hex): ")
        info = svc.import_private_key(key_text, _password(args, prompt, new=new), label=args.label)
    else:
        try:
            with open(args.keystore, encoding="utf-8") as f:
                text = f.read(1_000_000)
        except (OSError, UnicodeDecodeError) as e:
            raise InvalidInput(f"Cannot read {args.keystore}: {getattr(e, 'strerror', None) or e}.") from None
        ks_password = read_secret(args.keystore_password_file, "Keystore file password: ")
        info = svc.import_keystore(text, ks_password, _password(args, prompt, new=new), label=args.label)
    svc.close()
    _print_account(ctx, args, info, "Imported")
    return 0


def cmd_add(args: argparse.Namespace, ctx: CliContext) -> int:
    svc = ctx.service
    svc.unlock(_password(args))
    info = svc.add_account(args.label)
    svc.close()
    _print_account(ctx, args, info, "Added")
    return 0


def cmd_list(args: argparse.Namespace, ctx: CliContext) -> int:
    accounts = ctx.service.accounts()
    if args.json:
        ctx.print_json([a.to_json() for a in accounts])
        return 0
    if not accounts:
        print("No accounts yet: run `ai-wallet account create` or `ai-wallet account import`.")
    for a in accounts:
        index = str(a.index) if a.index is not None else "-"
        print(f"{index:>5}  {a.address}  {a.kind:<8}  {a.label}")
    return 0


def cmd_rename(args: argparse.Namespace, ctx: CliContext) -> int:
    info = ctx.service.rename_account(args.address, args.label)
    _print_account(ctx, args, info, "Renamed")
    return 0


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    svc = ctx.service
    out = args.keystore
    if os.path.exists(out) and not args.force:
        raise InvalidInput(f"{out} already exists; choose another file or add --force.")
    password = _password(args)
    ks_password = None
    if args.keystore_password_file:
        ks_password = read_secret(args.keystore_password_file, "Keystore file password: ")
    text = svc.export_keystore(args.address, password, keystore_password=ks_password)
    _write_private(out, text)
    if args.json:
        ctx.print_json({"address": args.address, "keystore": os.path.abspath(out)})
    else:
        print(f"Wrote the keystore of {args.address} to {out}.")
    return 0


def _write_private(path: str, text: str) -> None:
    from wallet.files import write_private_text

    try:
        write_private_text(Path(path), text)
    except OSError as e:
        raise InvalidInput(f"Cannot write {path}: {e.strerror}.") from None


def cmd_lock(args: argparse.Namespace, ctx: CliContext) -> int:
    note = ("Nothing to lock: the command line never keeps the wallet unlocked between commands. "
            "In the desktop app, lock from the toolbar; it also locks by itself when idle.")
    if args.json:
        ctx.print_json({"locked": True, "note": note})
    else:
        print(note)
    return 0


def cmd_unlock(args: argparse.Namespace, ctx: CliContext) -> int:
    svc = ctx.service
    svc.unlock(_password(args))
    missing = svc.missing_secrets()
    svc.close()
    note = "Password accepted. The command line keeps nothing unlocked: commands that sign ask for it again."
    if args.json:
        ctx.print_json({"ok": True, "missing": missing, "note": note})
    else:
        print(note)
        for address in missing:
            print(f"warning: the key of {address} is missing from the keyring.", file=sys.stderr)
    return 0


def cmd_change_password(args: argparse.Namespace, ctx: CliContext) -> int:
    svc = ctx.service
    old = _password(args, "Current password: ")
    new = read_secret(args.new_password_file, "New password: ", confirm=True)
    svc.change_password(old, new)
    svc.close()
    if args.json:
        ctx.print_json({"ok": True})
    else:
        print("Password changed; every secret is now encrypted under the new one.")
    return 0


def cmd_reveal(args: argparse.Namespace, ctx: CliContext) -> int:
    svc = ctx.service
    phrase = svc.reveal_mnemonic(_password(args))
    svc.close()
    print(PHRASE_WARNING, file=sys.stderr)
    if args.json:
        ctx.print_json({"mnemonic": phrase})
    else:
        print(phrase)
    return 0
