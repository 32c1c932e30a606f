"""The web UI in a real browser (issue 8): Playwright for Python driving Debian's chromium
against a real uvicorn server with an embedded worker, authentication on, and a trained model.

Screenshots of every page go to test-artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from autotriage.app import create_app
from autotriage.config import Settings
from autotriage.ml.model import TriageModel
from autotriage.ml.store import ModelStore
from autotriage.runtime import Runtime
from autotriage.storage import migrate
from tests.conftest import FIELDS
from tests.security_helpers import bearer, make_key

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"
PAGES = ("/", "/submit", "/tickets", "/review", "/models", "/monitoring")


def _browser_missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing (pip install -e '.[test]')"
    if shutil.which(CHROMIUM) is None:
        return f"{CHROMIUM} is missing (.ci/run installs it: apt-get install chromium)"
    return None


if (_missing := _browser_missing()) is not None:
    if os.environ.get("CI"):  # CI must run the browser tests, not skip them
        pytest.fail(_missing, pytrace=False)
    pytest.skip(_missing, allow_module_level=True)

from playwright import sync_api as playwright_sync  # noqa: E402 - only once it is known present


@dataclass
class Server:
    url: str
    key: str
    runtime: Runtime

    def submit(self, subject: str, body: str) -> int:
        response = httpx.post(f"{self.url}/api/v1/tickets", headers=bearer(self.key),
                              json={"subject": subject, "body": body})
        assert response.status_code in (201, 202), response.text
        return int(response.json()["id"])

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        return httpx.get(f"{self.url}/api/v1/tickets/{ticket_id}",
                         headers=bearer(self.key)).json()

    def wait_classified(self, ticket_id: int, timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ticket = self.ticket(ticket_id)
            if ticket["status"] != "received":
                return ticket
            time.sleep(0.05)
        raise AssertionError(f"ticket {ticket_id} was not classified in {timeout} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_model: TriageModel) -> Iterator[Server]:
    settings = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path_factory.mktemp("ui") / "data", label_fields=FIELDS, _env_file=None,
        auth_enabled=True, embedded_workers=1, drift_check_interval_seconds=0,
        worker_batch_size=16,
    )
    migrate.upgrade(settings.resolved_database_url)
    store = ModelStore(settings.resolved_model_dir)
    store.save(demo_model)
    store.set_champion(demo_model.version)
    runtime = Runtime(settings)
    key = make_key(runtime.sessions, "alice", password=PASSWORD)
    port = _free_port()
    app = create_app(settings, runtime=runtime, background=True)
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, name="ui-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", key, runtime)
    uv.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_sync.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def storage_state(server: Server, browser: Any) -> dict[str, Any]:
    """Log in once through the real login form; every test's browser context reuses the
    session cookie."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/review")
    assert page.url.startswith(f"{server.url}/login"), "an anonymous page view must go to login"
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/review")
    _screenshot(page, "login-done")
    state: dict[str, Any] = context.storage_state()
    context.close()
    return state


@pytest.fixture
def page(browser: Any, storage_state: dict[str, Any]) -> Iterator[Any]:
    context = browser.new_context(storage_state=storage_state, viewport={"width": 1280,
                                                                          "height": 900})
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda m: m.type == "error" and tab.console_errors.append(m.text))
    tab.on("pageerror", lambda e: tab.console_errors.append(str(e)))
    yield tab
    context.close()


def _screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_login_page_renders_and_refuses_a_wrong_password(server: Server, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/login")
    _screenshot(page, "login")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text() == "wrong username or password"
    context.close()


def test_every_page_renders_without_console_errors_and_labels_its_inputs(
        server: Server, page: Any) -> None:
    server.wait_classified(server.submit("Printer on fire", "The office printer is on fire."))
    for path in PAGES:
        response = page.goto(f"{server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        name = path.strip("/") or "dashboard"
        _screenshot(page, name)
        unlabelled = page.evaluate("""() => [...document.querySelectorAll(
            'input:not([type=hidden]), select, textarea')].filter(
            (e) => !e.labels?.length && !e.getAttribute('aria-label')).map((e) => e.outerHTML)""")
        assert unlabelled == [], (path, unlabelled)
        assert page.console_errors == [], (path, page.console_errors)
    page.goto(f"{server.url}/tickets")
    page.get_by_role("link", name=re.compile(r"^\d+$")).first.click()
    page.wait_for_url(re.compile(r"/tickets/\d+$"))
    assert page.get_by_role("heading", name="Predictions").is_visible()
    _screenshot(page, "ticket")
    assert page.console_errors == []


def test_submit_a_ticket_and_watch_it_get_classified(server: Server, page: Any) -> None:
    page.goto(f"{server.url}/submit")
    page.get_by_label("Subject").fill("Refund for a broken blender")
    page.get_by_label(re.compile("^Description")).fill(
        "The blender I ordered arrived broken, I want my money back for order 5512.")
    page.get_by_role("button", name="Submit ticket").click()
    status = page.locator("#result-status")
    status.wait_for()
    page.wait_for_function(
        "() => !['', 'received'].includes(document.getElementById('result-status').textContent)",
        timeout=20_000)
    rows = page.locator("#result-predictions tbody tr")
    assert rows.count() == len(FIELDS)
    assert "·" in rows.first.locator("td").nth(2).inner_text()  # top 3 with confidences
    assert "decision" in page.locator("#result-decision").inner_text()
    _screenshot(page, "submit-classified")
    ticket_id = int(page.locator("#result-id").inner_text())
    assert server.ticket(ticket_id)["status"] in ("auto_routed", "in_review", "escalated")
    assert page.console_errors == []


def test_review_a_ticket_using_only_the_keyboard(server: Server, page: Any) -> None:
    ids = [server.submit(f"Keyboard review {n}", f"My invoice {n} was charged twice, help")
           for n in range(3)]
    tickets = [server.wait_classified(i) for i in ids]
    assert all(t["status"] == "in_review" for t in tickets), "the demo model routes nothing"
    page.goto(f"{server.url}/review?order=oldest")
    first = page.locator("#queue > li.item").first
    first_id = int(first.get_attribute("data-id"))
    # focus is on the current ticket and visibly so
    assert page.evaluate("() => document.activeElement.dataset.id") == str(first_id)
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
    assert outline not in ("0px", ""), outline
    field = first.locator(".field.primary")
    second_label = field.locator(".suggestion").nth(1).get_attribute("data-label")

    page.keyboard.press("2")  # pick the second suggestion...
    page.keyboard.press("Enter")  # ...and accept it: a correction
    page.wait_for_function(f"() => document.querySelector('li[data-id=\"{first_id}\"]')"
                           ".classList.contains('done')")
    reviewed = server.ticket(first_id)
    assert reviewed["status"] == "reviewed"
    assert {(lb["field"], lb["value"]) for lb in reviewed["labels"]} >= {
        (FIELDS[0], second_label)}
    # focus moved on to the next ticket; its similar past tickets include the one just labelled
    second_id = int(page.evaluate("() => document.activeElement.dataset.id"))
    assert second_id != first_id
    page.wait_for_function(f"() => [...document.querySelectorAll('#similar-list a')]"
                           f".some((a) => a.textContent === '#{first_id}')")
    _screenshot(page, "review-after-verdict")

    page.keyboard.press("e")  # escalate the second
    page.wait_for_function(f"() => document.querySelector('li[data-id=\"{second_id}\"]')"
                           ".classList.contains('done')")
    assert server.ticket(second_id)["status"] == "escalated"
    page.keyboard.press("u")  # undo: the escalation is taken back
    page.wait_for_function(f"() => !document.querySelector('li[data-id=\"{second_id}\"]')"
                           ".classList.contains('done')")
    assert server.ticket(second_id)["status"] == "in_review"
    # J/K move; X selects two tickets and A accepts them together
    page.keyboard.press("k")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    chosen = page.evaluate("() => [...document.querySelectorAll('#queue .pick:checked')]"
                           ".map((b) => Number(b.closest('li').dataset.id))")
    assert len(chosen) == 2 and first_id not in chosen
    page.keyboard.press("a")
    page.wait_for_function("() => document.querySelectorAll('#queue .pick:checked').length === 0"
                           " && document.getElementById('review-status').textContent"
                           ".startsWith('Accepted 2')")
    assert all(server.ticket(i)["status"] == "reviewed" for i in chosen)
    assert page.console_errors == []


def test_dashboard_numbers_change(server: Server, page: Any) -> None:
    page.goto(f"{server.url}/")
    today = int(page.locator("#fig-today").inner_text())
    backlog = int(page.locator("#fig-backlog").inner_text())
    server.wait_classified(server.submit("Dashboard", "Where is my parcel? It is late."))
    page.reload()
    assert int(page.locator("#fig-today").inner_text()) == today + 1
    assert int(page.locator("#fig-backlog").inner_text()) == backlog + 1
    assert page.locator("#chart-volume svg rect").count() >= 1
    _screenshot(page, "dashboard-after")
    assert page.console_errors == []


def test_api_docs_render_offline_without_console_errors(server: Server, page: Any) -> None:
    page.goto(f"{server.url}/docs")
    page.wait_for_load_state("networkidle")
    # Swagger UI, served from the packaged bundle, has read our OpenAPI document.
    page.get_by_text("/api/v1/tickets/batch").first.wait_for(timeout=15_000)
    _screenshot(page, "docs")
    assert page.console_errors == [], page.console_errors
