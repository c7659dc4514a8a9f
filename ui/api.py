"""The HTTP API beside the chat: `POST /api/ask` and `GET /api/documents`, the CLI's JSON contract over HTTP."""

import base64
import binascii
import math
import secrets
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.budget import answer_in_time
from assistant.cli import answer_json, error_json
from corpus import Document
from ui.login import ThrottledLogin
from ui.ratelimit import QuestionRate, client_of, too_frequent

if TYPE_CHECKING:
    import fastapi

    from index import CorpusIndex

MAX_HISTORY = 20  # earlier questions a request may carry


@dataclass(frozen=True)
class ApiAccess:
    """Who may call the API: the login pairs of PQA_AUTH (HTTP basic) and a bearer token; open when both are empty."""

    logins: tuple[tuple[str, str], ...] = ()
    token: str = ""
    throttle: ThrottledLogin | None = None  # counts wrong logins per user name and wrong tokens per address

    @property
    def open(self) -> bool:
        return not self.logins and not self.token

    def allows(self, authorization: str, client: str = "") -> bool:
        """Whether an Authorization header ("Basic …" or "Bearer …") from a client address grants access."""
        if self.open:
            return True
        scheme, _, credentials = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and self.token:
            if self.throttle is not None:
                return self.throttle.token(client, credentials.strip(), self.token)
            return secrets.compare_digest(credentials.strip().encode(), self.token.encode())
        if scheme.lower() == "basic" and self.logins:
            try:
                user, _, password = base64.b64decode(credentials.strip(), validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            if self.throttle is not None:
                return self.throttle(user, password)
            return any(
                secrets.compare_digest(user.encode(), name.encode()) & secrets.compare_digest(password.encode(), word.encode())
                for name, word in self.logins
            )
        return False


def document_records(documents: Sequence[Document]) -> list[dict]:
    """What `docs list --json` prints: per document its id, title, file, clause count and when it was added."""
    records = []
    for document in documents:
        path = Path(document.source)
        try:
            added = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(path.stat().st_mtime))
        except OSError:
            added = ""
        records.append({
            "doc_id": document.doc_id, "title": document.title, "file": path.name, "clauses": len(document.clauses),
            "added": added, "place": document.place, "issuer": document.issuer, "doc_number": document.doc_number,
            "date": document.date,
        })  # fmt: skip
    return records


def build_api(index: "CorpusIndex", access: ApiAccess = ApiAccess(), rate: QuestionRate | None = None) -> "fastapi.APIRouter":
    """The /api routes over an opened index; every route asks for `access` when it is not open, and /api/ask
    answers a client at most as often as `rate` allows (HTTP 429 beyond; default a count of its own).

    (No `from __future__ import annotations` here: FastAPI reads the handlers' annotations at runtime.)
    """
    from fastapi import APIRouter, Depends, HTTPException, Request  # noqa: PLC0415
    from pydantic import BaseModel, Field  # noqa: PLC0415

    class AskRequest(BaseModel):
        question: str
        history: list[str] = Field(default_factory=list, max_length=MAX_HISTORY)
        doc_ids: list[str] | None = None

    def require_access(request: Request) -> None:
        if not access.allows(request.headers.get("authorization", ""), client_of(request)):
            raise HTTPException(
                status_code=401, detail="需要登录:请用 PQA_AUTH 的用户名和密码(HTTP Basic)或 PQA_API_TOKEN(Bearer)访问。",
                headers={"WWW-Authenticate": 'Basic realm="pqa", charset="UTF-8"'},
            )

    router = APIRouter(prefix="/api", dependencies=[Depends(require_access)])
    rate = rate or QuestionRate()

    @router.post("/ask")
    def ask(request: AskRequest, http: Request) -> dict:
        """The contract's JSON object for one question (with the conversation's earlier questions)."""
        wait = rate.wait(client_of(http))
        if wait:
            raise HTTPException(status_code=429, detail=too_frequent(wait), headers={"Retry-After": str(math.ceil(wait))})
        current = index.current()  # the version a `docs add|remove` or the 文件 tab switched in last
        unknown = sorted(set(request.doc_ids or ()) - {document.doc_id for document in current.documents})
        if unknown:
            raise HTTPException(status_code=422, detail=f"未知的文件编号:{'、'.join(unknown)}")
        try:
            result = answer_in_time(request.question, current, history=request.history, doc_ids=request.doc_ids or None)
        except Exception as error:  # the contract: a question that fails still yields its object, with `error`
            traceback.print_exc()
            return error_json(request.question, error)
        return answer_json(result)

    @router.get("/documents")
    def documents() -> list[dict]:
        """Every document of the library, as `docs list --json` prints them."""
        current = index.current()
        if current.corpus_dir is None or current.index_dir is None:  # an index built in memory, not opened
            return document_records(current.documents)
        from assistant.library import list_documents  # noqa: PLC0415

        return [asdict(row) for row in list_documents(current.corpus_dir, current.index_dir)]

    return router
