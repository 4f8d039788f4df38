"""Issues: open, list (state, labels, since, creator, pages with Link headers), read, comment, close."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .rest import TOKEN, base_url, error, json_body, login_of, not_found, repo_for, state_of, user_json
from .state import Comment, Issue, Repo, User

STATE_REASONS = ("completed", "not_planned", "reopened")


def _author(request: web.Request) -> str:
    if request.get(TOKEN) is None:
        raise error(401, "Requires authentication")
    return login_of(request) or ""


def _user(request: web.Request, login: str) -> dict[str, Any]:
    user = state_of(request).users.get(login) or User(login, 0)
    return user_json(user, base_url(request))


def issue_json(request: web.Request, repo: Repo, issue: Issue) -> dict[str, Any]:
    url = f"{base_url(request)}/repos/{repo.full_name}/issues/{issue.number}"
    return {
        "id": issue.id,
        "node_id": f"I_{issue.id}",
        "number": issue.number,
        "title": issue.title,
        "body": issue.body,
        "user": _user(request, issue.user),
        "labels": [{"name": label} for label in issue.labels],
        "state": issue.state,
        "state_reason": issue.state_reason,
        "locked": False,
        "comments": len(issue.comments),
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "closed_at": issue.closed_at,
        "author_association": "OWNER" if issue.user == repo.owner else "NONE",
        "url": url,
        "comments_url": f"{url}/comments",
        "html_url": f"{base_url(request)}/{repo.full_name}/issues/{issue.number}",
    }


def _issue(request: web.Request, repo: Repo) -> Issue:
    number = request.match_info["number"]
    found = next((i for i in repo.issues if str(i.number) == number), None)
    if found is None:
        raise not_found()
    return found


async def create_issue(request: web.Request) -> web.Response:
    """``POST /repos/{o}/{r}/issues``: the author is the token's login; labels only from collaborators."""
    repo = repo_for(request)
    login = _author(request)
    if not repo.has_issues:
        raise error(410, "Issues are disabled for this repo")
    body = await json_body(request)
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        raise error(422, "Validation Failed", errors=[{"resource": "Issue", "code": "missing_field", "field": "title"}])
    text = body.get("body")
    labels = body.get("labels") if repo.can_push(login) else None  # GitHub drops them silently otherwise
    state = state_of(request)
    now = state.now_iso()
    issue = Issue(
        id=state.next_id(),
        number=len(repo.issues) + 1,
        title=title,
        body=text if isinstance(text, str) else None,
        user=login,
        created_at=now,
        updated_at=now,
        labels=[str(label) for label in labels] if isinstance(labels, list) else [],
    )
    repo.issues.append(issue)
    return web.json_response(issue_json(request, repo, issue), status=201)


def _page_links(request: web.Request, page: int, last: int) -> str:
    def link(number: int, rel: str) -> str:
        return f'<{request.url.update_query(page=str(number))}>; rel="{rel}"'

    links = []
    if page > 1:
        links += [link(page - 1, "prev"), link(1, "first")]
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    return ", ".join(links)


async def list_issues(request: web.Request) -> web.Response:
    """``GET /repos/{o}/{r}/issues?state=&labels=&since=&creator=&per_page=&page=``, newest first like GitHub."""
    repo = repo_for(request)
    query = request.query
    wanted_state = query.get("state", "open")
    if wanted_state not in ("open", "closed", "all"):
        raise error(422, "Validation Failed", errors=[{"resource": "Issue", "code": "invalid", "field": "state"}])
    labels = {label for label in query.get("labels", "").split(",") if label}
    since = query.get("since", "")
    creator = query.get("creator", "").lower()
    try:
        per_page = min(max(int(query.get("per_page", "30")), 1), 100)
        page = max(int(query.get("page", "1")), 1)
    except ValueError as err:
        raise error(400, "Invalid page parameters") from err
    chosen = [
        i
        for i in repo.issues
        if wanted_state in ("all", i.state)
        and labels <= set(i.labels)
        and (not since or i.updated_at >= since)
        and (not creator or i.user.lower() == creator)
    ]
    ascending = query.get("direction") == "asc"
    chosen.sort(key=lambda i: i.number, reverse=not ascending)
    last = max((len(chosen) + per_page - 1) // per_page, 1)
    shown = chosen[(page - 1) * per_page : page * per_page]
    response = web.json_response([issue_json(request, repo, i) for i in shown])
    if links := _page_links(request, page, last):
        response.headers["Link"] = links
    return response


async def get_issue(request: web.Request) -> web.Response:
    repo = repo_for(request)
    return web.json_response(issue_json(request, repo, _issue(request, repo)))


async def update_issue(request: web.Request) -> web.Response:
    """``PATCH .../issues/{n}``: state and state_reason (collaborators or the issue's author), title, body."""
    repo = repo_for(request)
    login = _author(request)
    issue = _issue(request, repo)
    if not repo.can_push(login) and login != issue.user:
        raise error(403, "Must have push access to update this issue.")
    body = await json_body(request)
    new_state, reason = body.get("state"), body.get("state_reason")
    if new_state not in (None, "open", "closed") or reason not in (None, *STATE_REASONS):
        raise error(422, "Validation Failed", errors=[{"resource": "Issue", "code": "invalid", "field": "state"}])
    now = state_of(request).now_iso()
    if new_state == "closed" and issue.state == "open":
        issue.state, issue.closed_at, issue.state_reason = "closed", now, reason or "completed"
    elif new_state == "open" and issue.state == "closed":
        issue.state, issue.closed_at, issue.state_reason = "open", None, "reopened"
    if isinstance(body.get("title"), str):
        issue.title = body["title"]
    if isinstance(body.get("body"), str):
        issue.body = body["body"]
    issue.updated_at = now
    return web.json_response(issue_json(request, repo, issue))


def _comment_json(request: web.Request, repo: Repo, issue: Issue, comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "body": comment.body,
        "user": _user(request, comment.user),
        "created_at": comment.created_at,
        "updated_at": comment.created_at,
        "issue_url": f"{base_url(request)}/repos/{repo.full_name}/issues/{issue.number}",
    }


async def create_comment(request: web.Request) -> web.Response:
    repo = repo_for(request)
    login = _author(request)
    issue = _issue(request, repo)
    body = await json_body(request)
    text = body.get("body")
    if not isinstance(text, str) or not text:
        raise error(
            422, "Validation Failed", errors=[{"resource": "IssueComment", "code": "missing_field", "field": "body"}]
        )
    state = state_of(request)
    comment = Comment(state.next_id(), login, text, state.now_iso())
    issue.comments.append(comment)
    issue.updated_at = comment.created_at
    return web.json_response(_comment_json(request, repo, issue, comment), status=201)


async def list_comments(request: web.Request) -> web.Response:
    repo = repo_for(request)
    issue = _issue(request, repo)
    return web.json_response([_comment_json(request, repo, issue, c) for c in issue.comments])


def routes() -> list[web.RouteDef]:
    issues = "/repos/{owner}/{repo}/issues"
    return [
        web.post(issues, create_issue),
        web.get(issues, list_issues),
        web.get(issues + "/{number}", get_issue),
        web.patch(issues + "/{number}", update_issue),
        web.post(issues + "/{number}/comments", create_comment),
        web.get(issues + "/{number}/comments", list_comments),
    ]
