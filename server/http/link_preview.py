"""Recognising the robots that fetch a link to draw its preview in a chat or a feed.

Messengers fetch a pasted link (HEAD, then GET) to show its title. An invite link is spent by
the GET that redeems it, so a preview would use up a single-use invite before the interpreter
ever taps it. `/join` answers these agents with a page that asks for a confirming press instead.

The list errs on the side of catching too much: a person whose browser matches only has to press
one button, while a missed robot spends the invite.
"""

from __future__ import annotations

import re

PREVIEW_AGENT_MARKERS = (
    "whatsapp",
    "slackbot",
    "slack-imgproxy",
    "telegrambot",
    "discordbot",
    "facebookexternalhit",
    "facebot",
    "meta-externalagent",
    "twitterbot",
    "linkedinbot",
    "skypeuripreview",
    "microsoftpreview",
    "mattermost",
    "rocket.chat",
    "zoombot",
    "viber",
    "snapchat",
    "pinterest",
    "redditbot",
    "embedly",
    "iframely",
    "google-pagerenderer",
    "googlebot",
    "bingbot",
    "applebot",
    "yandex",
    "duckduckbot",
    "bitlybot",
    "vkshare",
    "xing-contenttabreceiver",
)
"""Lower-case substrings of the User-Agent of well-known preview and crawler robots."""

_GENERIC_ROBOT = re.compile(r"bot\b|crawler|spider|preview", re.IGNORECASE)
"""Robots not named above usually say so; a browser's User-Agent never does."""


def is_link_preview(user_agent: str) -> bool:
    """True when the User-Agent looks like a link-preview robot or another crawler."""
    agent = user_agent.lower()
    return any(marker in agent for marker in PREVIEW_AGENT_MARKERS) or bool(
        _GENERIC_ROBOT.search(agent)
    )
