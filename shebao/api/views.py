"""The unit's API access tokens on the web (单位首页 › 接口访问令牌).

GET  /unit/api-tokens/                      the tokens that still work: when and from
                                            where each was issued, until when, with
                                            which certificate
POST /unit/api-tokens/<handle>/revoke/      revoke one (handle: the first characters
                                            of its hash; another unit's is a 404)
POST /unit/api-tokens/revoke-all/           revoke every one of the unit's tokens

Tokens are issued to programs (the enterprise client) by `POST /api/v1/auth/token`;
a clerk who suspects a leaked token, or retires a client, stops it here at once.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from shebao.accounts.principal import principal_of
from shebao.certauth.access import unit_session_required
from shebao.certauth.selectors import UnitSession

from .tokens import handle_of, tokens_revoke, unit_tokens_active

# A unit's client may log in every few hours: a page shows the newest this many.
SHOWN = 200


@require_GET
@unit_session_required()
def tokens(request: HttpRequest, session: UnitSession) -> HttpResponse:
    active = unit_tokens_active(session.unit)
    rows = [(handle_of(t), t) for t in active[:SHOWN]]
    return render(request, "api/tokens.html", {
        "unit": session.unit, "rows": rows, "count": active.count(), "shown": SHOWN})


@require_POST
@unit_session_required()
def token_revoke(request: HttpRequest, session: UnitSession, handle: str) -> HttpResponse:
    actor = principal_of(request).actor(request)
    if not tokens_revoke(session.unit, actor=actor, handle=handle):
        raise Http404
    messages.success(request, f"已注销访问令牌 {handle}，使用该令牌的程序须重新登录")
    return redirect("apitokens:tokens")


@require_POST
@unit_session_required()
def tokens_revoke_all(request: HttpRequest, session: UnitSession) -> HttpResponse:
    count = tokens_revoke(session.unit, actor=principal_of(request).actor(request))
    if count:
        messages.success(request, f"已注销本单位全部 {count} 个访问令牌")
    else:
        messages.info(request, "本单位没有有效的访问令牌")
    return redirect("apitokens:tokens")
