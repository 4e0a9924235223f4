"""The stand-in's control API (`/v3/…`, as docs/mediamtx.md documents it) and its test controls (`/_fake/…`).

`/_fake/…` is not part of MediaMTX: tests use it to put a path online, add readers, crash the
process or make it ignore SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
from typing import Any

from aiohttp import web
from fake_mediamtx_conf import ConfigError, validate_global, validate_path_conf, validate_path_name
from fake_mediamtx_state import FakeState

VERSION = "v1.20.1"
STATE_KEY = web.AppKey("state", FakeState)


def ok() -> web.Response:
    """MediaMTX's success body."""
    return web.json_response({"status": "ok"})


def error(status: int, message: str) -> web.Response:
    """MediaMTX's error body."""
    return web.json_response({"status": "error", "error": message}, status=status)


class BadRequest(Exception):
    """Turns into a 400 with the message."""


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """Decode the body as a JSON object, strictly."""
    try:
        body = json.loads(await request.text())
    except json.JSONDecodeError as err:
        raise BadRequest(f"invalid JSON: {err}") from err
    if not isinstance(body, dict):
        raise BadRequest("json: cannot unmarshal into Go value of type conf.OptionalPath")
    return body


def paginate(request: web.Request, items: list[dict[str, Any]]) -> web.Response:
    """Apply `itemsPerPage` (default 100) and `page` (default 0)."""
    try:
        per_page = int(request.query.get("itemsPerPage", "100"))
        page = int(request.query.get("page", "0"))
    except ValueError:
        return error(400, "invalid pagination parameters")
    if per_page <= 0 or page < 0:
        return error(400, "invalid pagination parameters")
    return web.json_response(
        {
            "itemCount": len(items),
            "pageCount": math.ceil(len(items) / per_page),
            "items": items[page * per_page : (page + 1) * per_page],
        }
    )


@web.middleware
async def bad_request_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Map validation failures to MediaMTX's 400 body."""
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except (BadRequest, ConfigError) as err:
        return error(400, str(err))


def state_of(request: web.Request) -> FakeState:
    """The shared state."""
    return request.app[STATE_KEY]


async def info(request: web.Request) -> web.Response:
    return web.json_response({"version": VERSION, "started": state_of(request).started})


async def global_get(request: web.Request) -> web.Response:
    return web.json_response(state_of(request).settings)


async def global_patch(request: web.Request) -> web.Response:
    state_of(request).settings.update(validate_global(await read_json_object(request)))
    return ok()


async def defaults_get(request: web.Request) -> web.Response:
    return web.json_response(state_of(request).defaults)


async def defaults_patch(request: web.Request) -> web.Response:
    state_of(request).defaults.update(validate_path_conf(await read_json_object(request)))
    return ok()


async def paths_conf_list(request: web.Request) -> web.Response:
    confs = state_of(request).path_confs
    return paginate(request, [{"name": name, **confs[name]} for name in sorted(confs)])


async def paths_conf_get(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    conf = state_of(request).path_confs.get(name)
    if conf is None:
        return error(404, "path not found")
    return web.json_response({"name": name, **conf})


async def paths_conf_add(request: web.Request) -> web.Response:
    state, name = state_of(request), request.match_info["name"]
    validate_path_name(name)
    body = validate_path_conf(await read_json_object(request))
    if name in state.path_confs:
        return error(400, "path already exists")
    state.set_path(name, {**state.defaults, **body})
    return ok()


async def paths_conf_patch(request: web.Request) -> web.Response:
    state, name = state_of(request), request.match_info["name"]
    body = validate_path_conf(await read_json_object(request))
    if name not in state.path_confs:
        return error(404, "path not found")
    state.set_path(name, {**state.path_confs[name], **body})
    return ok()


async def paths_conf_replace(request: web.Request) -> web.Response:
    state, name = state_of(request), request.match_info["name"]
    validate_path_name(name)
    body = validate_path_conf(await read_json_object(request))
    state.set_path(name, {**state.defaults, **body})
    return ok()


async def paths_conf_delete(request: web.Request) -> web.Response:
    state, name = state_of(request), request.match_info["name"]
    if name not in state.path_confs:
        return error(404, "path not found")
    state.remove_path(name)
    return ok()


async def paths_list(request: web.Request) -> web.Response:
    runtime = state_of(request).runtime
    return paginate(request, [runtime[name].as_item() for name in sorted(runtime)])


async def paths_get(request: web.Request) -> web.Response:
    path = state_of(request).runtime.get(request.match_info["name"])
    if path is None:
        return error(404, "path not found")
    return web.json_response(path.as_item())


async def sessions_list(request: web.Request) -> web.Response:
    sessions = state_of(request).sessions
    return paginate(
        request, [s.as_item() for s in sorted(sessions.values(), key=lambda s: s.created)]
    )


async def sessions_kick(request: web.Request) -> web.Response:
    if not state_of(request).close_session(request.match_info["id"]):
        return error(404, "session not found")
    return ok()


async def fake_online(request: web.Request) -> web.Response:
    state, name = state_of(request), request.match_info["name"]
    if name not in state.runtime:
        return error(404, "path not found")
    body = await read_json_object(request) if request.can_read_body else {}
    source = body.get("source") or {"type": "webRTCSession", "id": os.urandom(8).hex()}
    state.set_publisher(name, source)
    return ok()


async def fake_offline(request: web.Request) -> web.Response:
    state, name = state_of(request), request.match_info["name"]
    if name not in state.runtime:
        return error(404, "path not found")
    state.set_publisher(name, None)
    return ok()


async def fake_readers(request: web.Request) -> web.Response:
    state, name = state_of(request), request.match_info["name"]
    if name not in state.runtime:
        return error(404, "path not found")
    readers = (await read_json_object(request)).get("readers")
    if not isinstance(readers, list):
        raise BadRequest("readers must be a list")
    state.runtime[name].readers = list(readers)
    return ok()


async def fake_crash(request: web.Request) -> web.Response:
    # Leave time for this answer to go out, then die without any cleanup, like a crash.
    asyncio.get_running_loop().call_later(0.05, os._exit, 1)
    return ok()


async def fake_ignore_sigterm(request: web.Request) -> web.Response:
    state_of(request).ignore_sigterm = True
    return ok()


async def fake_env(request: web.Request) -> web.Response:
    overrides = {k: v for k, v in os.environ.items() if k.startswith(("MTX_", "RTSP_"))}
    return web.json_response(overrides)


def make_api_app(state: FakeState) -> web.Application:
    """Build the application served on `apiAddress`."""
    app = web.Application(middlewares=[bad_request_middleware])
    app[STATE_KEY] = state
    name = "{name:.+}"
    app.router.add_get("/v3/info", info)
    app.router.add_get("/v3/config/global/get", global_get)
    app.router.add_patch("/v3/config/global/patch", global_patch)
    app.router.add_get("/v3/config/pathdefaults/get", defaults_get)
    app.router.add_patch("/v3/config/pathdefaults/patch", defaults_patch)
    app.router.add_get("/v3/config/paths/list", paths_conf_list)
    app.router.add_get(f"/v3/config/paths/get/{name}", paths_conf_get)
    app.router.add_post(f"/v3/config/paths/add/{name}", paths_conf_add)
    app.router.add_patch(f"/v3/config/paths/patch/{name}", paths_conf_patch)
    app.router.add_post(f"/v3/config/paths/replace/{name}", paths_conf_replace)
    app.router.add_delete(f"/v3/config/paths/delete/{name}", paths_conf_delete)
    app.router.add_get("/v3/paths/list", paths_list)
    app.router.add_get(f"/v3/paths/get/{name}", paths_get)
    app.router.add_get("/v3/webrtcsessions/list", sessions_list)
    app.router.add_post("/v3/webrtcsessions/kick/{id}", sessions_kick)
    app.router.add_post(f"/_fake/paths/online/{name}", fake_online)
    app.router.add_post(f"/_fake/paths/offline/{name}", fake_offline)
    app.router.add_post(f"/_fake/paths/readers/{name}", fake_readers)
    app.router.add_post("/_fake/crash", fake_crash)
    app.router.add_post("/_fake/ignore-sigterm", fake_ignore_sigterm)
    app.router.add_get("/_fake/env", fake_env)
    return app
