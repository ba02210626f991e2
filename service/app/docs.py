"""``/openapi.json`` and ``/docs``, served with a bundled Swagger UI (no CDN, works offline)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from service.access.actions import Action
from service.app.routing import PublicRoute, operation

router = APIRouter(route_class=PublicRoute, include_in_schema=False)

DOCS_STATIC = "/docs/static"


def static_files() -> StaticFiles:
    from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

    return StaticFiles(directory=swagger_ui_path)


@router.get("/openapi.json", **operation(Action.OPS_DOCS))
def openapi_schema(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs", **operation(Action.OPS_DOCS))
def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Strongroom API",
        swagger_js_url=f"{DOCS_STATIC}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_STATIC}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_STATIC}/favicon-32x32.png",
    )
