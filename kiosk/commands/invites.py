"""Invites: `invite create`, `invite list`, `invite revoke`."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from kiosk.commands import common
from server.config import Config
from server.identity import INVITE_ROLES
from server.manage import InviteRow, create_invite, invite_url, list_invite_rows, revoke_invite
from server.qr import qr_png, qr_svg, qr_terminal


def register(commands: Any) -> None:
    """Add the `invite` group."""
    invite = common.add_group(commands, "invite", "invite links for interpreters and technicians")
    create = common.add_command(invite, "create", invite_create, "create an invite link and QR")
    create.add_argument("booth", metavar="BOOTH_ID", type=common.booth_id, help="EVENT/ROOM/LANG")
    create.add_argument("--role", required=True, choices=[role.value for role in INVITE_ROLES])
    create.add_argument(
        "--hours",
        type=common.hours,
        help="lifetime in hours, decimals allowed (default: [auth] invite_hours)",
    )
    create.add_argument(
        "--uses", type=common.positive_int, default=1, help="how many times it works (default 1)"
    )
    create.add_argument("--label", default="", help="a note for lists, such as a name")
    create.add_argument(
        "--qr",
        metavar="FILE.png|FILE.svg",
        type=common.writable_file(".png", ".svg"),
        help="also save the QR code as an image",
    )

    listing = common.add_command(invite, "list", invite_list, "list invites, newest first")
    listing.add_argument("booth", metavar="BOOTH_ID", type=common.booth_id, nargs="?")

    revoke = common.add_command(invite, "revoke", invite_revoke, "revoke an invite")
    revoke.add_argument("token", metavar="TOKEN", help="the token, or its first characters")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def invite_create(args: argparse.Namespace, config: Config) -> int:
    """`invite create BOOTH_ID --role ROLE`: print the join URL and its QR code."""
    hours = args.hours if args.hours is not None else config.auth.invite_hours
    invite = common.with_database(
        config, lambda: create_invite(args.booth, args.role, hours, args.uses, args.label)
    )
    url = invite_url(config, invite.token)
    if args.qr is not None:
        data = qr_svg(url).encode("utf-8") if args.qr.suffix.lower() == ".svg" else qr_png(url)
        common.write_atomically(args.qr, data)
    uses = "1 use" if invite.max_uses == 1 else f"{invite.max_uses} uses"
    common.say(
        f"Invite for {args.booth} as {invite.role}: {uses}, expires {_when(invite.expires_at)}.",
        url,
        "",
        qr_terminal(url),
        "",
    )
    if args.qr is not None:
        common.say(f"QR code saved to {args.qr}")
    return 0


def _table(rows: list[InviteRow]) -> list[str]:
    header = ("TOKEN", "BOOTH", "ROLE", "USES", "EXPIRES", "STATUS", "LABEL")
    cells = [
        (
            f"{r.token_prefix}…",
            r.booth_id,
            r.role,
            f"{r.uses}/{r.max_uses}",
            _when(r.expires_at),
            r.status,
            r.label,
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *cells]
    ]


def invite_list(args: argparse.Namespace, config: Config) -> int:
    """`invite list [BOOTH_ID]`: a table of invites."""
    rows = common.with_database(config, lambda: list_invite_rows(args.booth))
    if not rows:
        common.say("No invites" + (f" for {args.booth}." if args.booth else "."))
        return 0
    common.say(*_table(rows))
    return 0


def invite_revoke(args: argparse.Namespace, config: Config) -> int:
    """`invite revoke TOKEN`: the invite and the sessions made from it stop working."""
    token, was_active = common.with_database(config, lambda: revoke_invite(args.token))
    if was_active:
        common.say(f"Revoked invite {token[:10]}…; its link and sessions no longer work.")
    else:
        common.say(f"Invite {token[:10]}… was already revoked.")
    return 0
