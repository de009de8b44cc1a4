"""The "Report a problem with this page" link: a prefilled GitHub issue, or a prefilled e-mail.

Where it goes is the plugin option ``feedback`` (mkdocs.yml, under ``pathway:``):

* not given: the site's ``repo_url`` when it is a GitHub repository, else no link;
* ``https://github.com/OWNER/REPO``: issues on that repository;
* ``mailto:someone@example.org``: an e-mail to that address;
* ``off``: no link.

The link is built at build time and is an ordinary ``<a href>``: the page sends
nothing by itself (no script, no request), the reader's browser opens GitHub's
new-issue form (or their mail program) only when they click.  The GitHub link
names the issue form ``.github/ISSUE_TEMPLATE/page-problem.yml``, whose field
ids are the query parameters below, so GitHub fills them in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

ISSUE_FORM = "page-problem.yml"
#: The issue form's field ids, in the order the link gives them (also the mail body's lines).
FIELDS = ("pathway", "stage", "version", "page")
_LABELS = {"pathway": "Pathway", "stage": "Stage", "version": "Version", "page": "Page"}

_GITHUB_RE = re.compile(r"https://github\.com/([A-Za-z0-9-]{1,39})/([A-Za-z0-9._-]{1,100}?)(?:\.git)?/?\Z")
_MAIL_RE = re.compile(r"mailto:([^@\s?&<>()\[\]]+@[^@\s?&<>()\[\]]+\.[A-Za-z]{2,})\Z")


@dataclass(frozen=True)
class Feedback:
    """Where reports go: ``kind`` 'github' (target 'https://github.com/OWNER/REPO') or 'mailto' (an address)."""

    kind: str
    target: str


def resolve(option: str | None, repo_url: str | None) -> Feedback | None:
    """The feedback target from the plugin option and the site's ``repo_url``.

    Raises ``ValueError`` (a message for the user) for an option it cannot use.
    """
    if option is None or not option.strip():
        m = _GITHUB_RE.match((repo_url or "").strip())
        return Feedback("github", f"https://github.com/{m.group(1)}/{m.group(2)}") if m else None
    value = option.strip()
    if value.lower() == "off":
        return None
    m = _GITHUB_RE.match(value)
    if m:
        return Feedback("github", f"https://github.com/{m.group(1)}/{m.group(2)}")
    m = _MAIL_RE.match(value)
    if m:
        return Feedback("mailto", m.group(1))
    raise ValueError(f"the pathway plugin option 'feedback: {value}' is neither https://github.com/OWNER/REPO, "
                     "mailto:ADDRESS nor off")


def link(feedback: Feedback, *, pathway: str, stage: str, version: str, page: str) -> str:
    """The href of the report link, every value percent-encoded."""
    values = {"pathway": pathway, "stage": stage, "version": version, "page": page}
    title = f"Problem on the page {stage} (version {version})"
    if feedback.kind == "github":
        query = urlencode({"template": ISSUE_FORM, "title": title, **values}, quote_via=quote)
        return f"{feedback.target}/issues/new?{query}"
    body = "".join(f"{_LABELS[k]}: {values[k]}\n" for k in FIELDS) + "\nWhat is wrong:\n"
    return f"mailto:{feedback.target}?subject={quote(title, safe='')}&body={quote(body, safe='')}"
