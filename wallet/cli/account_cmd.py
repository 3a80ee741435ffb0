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
    from wallet.cli.main import global_parent, nonempty

    p = sub.add_parser("account", help="create, import, list and back up accounts", parents=[global_parent()])
    asub = p.add_subparsers(dest="account_command", metavar="ACTION", required=True)

    def add(name: str, help_text: str, func, *, password: bool = True):  # type: ignore[no-untyped-def]
        sp = asub.add_parser(name, help=help_text, description=help_text, parents=[global_parent()])
        if password:
            sp.add_argument("--password-file", metavar="F", type=nonempty,
                            help="read the wallet password from file F (one line)")
        sp.set_defaults(func=func)
        return sp

    c = add("create", "create a wallet with a new recovery phrase (shown once)", cmd_create)
    c.add_argument("--words", type=int, choices=(12, 24), default=12, help="phrase length (default 12)")

    i = add("import", "import a recovery phrase, a private key or a keystore file", cmd_import)
    src = i.add_mutually_exclusive_group(required=True)
    src.add_argument("--mnemonic-file", metavar="F", type=nonempty, help="file holding the recovery phrase")
    src.add_argument("--private-key-file", metavar="F", type=nonempty,
                     help="file holding a hex private key (one line)")
    src.add_argument("--keystore", metavar="F", type=nonempty,
                     help="a v3 keystore JSON file (Geth, MetaMask, MyEtherWallet)")
    i.add_argument("--keystore-password-file", metavar="F", type=nonempty, help="the keystore file's own password")
    i.add_argument("--label", metavar="L", type=nonempty, help="a name for the imported account")

    a = add("add", "add the next account derived from the recovery phrase", cmd_add)
    a.add_argument("--label", metavar="L", type=nonempty, help="a name for the new account")

    add("list", "list the accounts, the current one marked * (no password needed)", cmd_list, password=False)

    u = add("use", "make an account the current one: the one commands and the app pay and send from",
            cmd_use, password=False)
    u.add_argument("address", type=nonempty)

    r = add("rename", "change an account's label", cmd_rename, password=False)
    r.add_argument("address", type=nonempty)
    r.add_argument("label", type=nonempty)

    e = add("export", "write an account's key as a v3 keystore file (MetaMask/Geth)", cmd_export)
    e.add_argument("address", type=nonempty)
    e.add_argument("--keystore", metavar="OUT", required=True, type=nonempty,
                   help="file to create (mode 0600); never an existing one unless --force")
    e.add_argument("--keystore-password-file", metavar="F", type=nonempty,
                   help="encrypt the file with this password (8 characters at least) instead of the wallet's")
    e.add_argument("--force", action="store_true", help="replace OUT if it is an existing regular file")

    add("lock", "lock the wallet (the CLI keeps nothing unlocked between commands)", cmd_lock, password=False)
    add("unlock", "check the wallet password (the CLI asks for it on every command that signs)", cmd_unlock)

    cp = add("change-password", "re-encrypt every secret under a new password", cmd_change_password)
    cp.add_argument("--new-password-file", metavar="NEW", type=nonempty, help="read the new password from file NEW")

    add("reveal-mnemonic", "show the recovery phrase again (asks for the password)", cmd_reveal)


def _password(args: argparse.Namespace, prompt: str = "Wallet password: ", *, new: bool = False) -> str:
    return read_secret(args.password_file, prompt, what="the password file", confirm=new)


def _print_account(ctx: CliContext, args: argparse.Namespace, info, verb: str) -> None:  # type: ignore[no-untyped-def]
    if args.json:
        ctx.print_json(info.to_json())
    else:
        where = f" (index {info.index})" if info.index is not None else ""
        print(f"{verb} {info.address}{where}  {info.label}")
        if ctx.service.current_account() == info.address and len(ctx.service.accounts()) > 1:
            print("It is now the current account (`ai-wallet account use ADDRESS` chooses another).")


def cmd_create(args: argparse.Namespace, ctx: CliContext) -> int:
    svc = ctx.service
    if svc.has_wallet():
        raise InvalidInput(f"A wallet already exists in {ctx.data_dir.root}. To add an account to it: "
                           "`ai-wallet account add`; for a second wallet, use another --data-dir.")
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
    from wallet.accounts import clean_label

    label = clean_label(args.label)  # every argument is checked before anything is read, asked or written
    svc = ctx.service
    new = not svc.has_wallet()
    prompt = "New wallet password: " if new else "Wallet password: "
    if args.mnemonic_file:
        phrase = read_secret(args.mnemonic_file, "Recovery phrase: ", what="the recovery phrase file", multiline=True)
        info = svc.import_mnemonic(phrase, _password(args, prompt, new=new), label=label)
    elif args.private_key_file:
        key_text = read_secret(args.private_key_file, "Private key (hex): ", what="the private key file")
        info = svc.import_private_key(key_text, _password(args, prompt, new=new), label=label)
    else:
        from wallet.accounts import MAX_KEYSTORE_BYTES
        from wallet.safe_io import read_text

        text = read_text(args.keystore, max_bytes=MAX_KEYSTORE_BYTES, what="the keystore file", streams=True)
        ks_password = read_secret(args.keystore_password_file, "Keystore file password: ",
                                  what="the keystore password file")
        info = svc.import_keystore(text, ks_password, _password(args, prompt, new=new), label=label)
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
    current = ctx.service.current_account()
    if args.json:
        ctx.print_json([{**a.to_json(), "current": a.address == current} for a in accounts])
        return 0
    if not accounts:
        print("No accounts yet: run `ai-wallet account create` or `ai-wallet account import`.")
    for a in accounts:
        index = str(a.index) if a.index is not None else "-"
        mark = "*" if a.address == current else " "
        print(f"{mark} {index:>3}  {a.address}  {a.kind:<8}  {a.label}")
    return 0


def cmd_use(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.service.select_account(args.address)
    address = ctx.service.current_account()
    if args.json:
        ctx.print_json({"current": address})
    else:
        print(f"Current account: {address}")
    return 0


def cmd_rename(args: argparse.Namespace, ctx: CliContext) -> int:
    info = ctx.service.rename_account(args.address, args.label)
    _print_account(ctx, args, info, "Renamed")
    return 0


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    from wallet.accounts import check_new_password
    from wallet.addresses import parse_address
    from wallet.files import check_new_file_target

    # Everything that can be refused is refused before the password is asked and scrypt runs.
    address = parse_address(args.address)
    out = Path(args.keystore).expanduser()
    check_new_file_target(out, replace=args.force)
    ks_password = None
    if args.keystore_password_file:
        ks_password = read_secret(args.keystore_password_file, "Keystore file password: ",
                                  what="the keystore password file")
        check_new_password(ks_password, what="The keystore file's password")
    svc = ctx.service
    text = svc.export_keystore(address, _password(args), keystore_password=ks_password)
    svc.save_keystore(out, text, replace=args.force)
    if args.json:
        ctx.print_json({"address": address, "keystore": os.path.abspath(out)})
    else:
        print(f"Wrote the keystore of {address} to {out}.")
    return 0


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
    new = read_secret(args.new_password_file, "New password: ", what="the new password file", confirm=True)
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
