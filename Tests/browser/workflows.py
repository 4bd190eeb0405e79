#!/usr/bin/env python3
"""End-to-end test of issue #3's workflows in a real headless Chromium (Selenium).

Run by `make test` through scripts/browser-test.sh, which starts Jiliang with a demo province on a
throwaway SQLite file and passes its address. With --screenshots DIR it also saves PNGs of the main
pages at desktop and phone width (`make screenshots`).

Every page the workflows open is audited for accessibility with axe-core (see Accessibility); any
violation fails the run at its end. AXE=0 or --no-axe skips the audit, for debugging only.
"""
import argparse
import json
import subprocess
import time
import os
import re
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.remote.command import Command
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException


def gone(old):
    """A wait condition: the element `old` left the document. Chrome answers a lookup of a node
    that navigation replaced either with a stale-element error or, in a race, with "Node with given
    id does not belong to the document" (a plain WebDriverException that Selenium's staleness_of
    does not catch); both mean the page was replaced."""
    def check(_driver):
        try:
            old.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as e:
            if "does not belong to the document" in str(e) or "stale" in str(e).lower():
                return True
            raise
    return check

PASSWORD = "jiliang-demo-2026"


class Accessibility:
    """An axe-core audit of every page the browser opens, once per path (the address without its
    query: /app/instruments?sort=next_due is /app/instruments again). axe-core comes bundled in
    PyPI's axe-selenium-python (scripts/deps.sh pins it), so nothing is fetched at test time.

    Pages are reached by d.get, by links and buttons, by redirects after a form's POST and by
    d.back(), all over the workflows and often without Flow; so the hook is the driver itself
    (AuditedChrome): before each command with which the test looks at or leaves the page, check()
    asks whether this document is new and loaded, and audits it if its path is. A document is
    marked when it has been seen, so the question is one short script per look."""

    # WCAG 2.0 and 2.1 levels A and AA only: a failure here should mean a barrier by the standard
    # public-sector sites are held to, not axe's best-practice advice (landmarks, one h1, regions),
    # which would fail the run over layout choices. No "wcag21a": the bundled axe-core (3.1.1) has
    # no rule with that tag and refuses the whole run ("Could not find tags") when asked for it.
    OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}, "resultTypes": ["violations"]}
    # The package's Axe.run only resolves: a rejected axe.run would wait out the script timeout.
    RUN = ("const done = arguments[arguments.length - 1];"
           "axe.run(document, arguments[0]).then(r => done({violations: r.violations}), e => done({error: String(e)}))")
    NEW_PAGE = ("if (window.__axeSeen || document.readyState !== 'complete' || !location.protocol.startsWith('http')"
                " || document.contentType !== 'text/html') return null; window.__axeSeen = true; return location.href")

    def __init__(self):
        from axe_selenium_python import Axe  # imported here: AXE=0 runs without it
        self.axe_class, self.done, self.tries, self.failures, self.busy = Axe, set(), {}, [], False

    def check(self, d):
        """Audits the current page if it is a new, loaded document at a path not audited yet."""
        if self.busy:  # the audit's own commands pass through AuditedChrome.execute too
            return
        self.busy = True
        try:
            try:
                url = d.execute_script(self.NEW_PAGE)
            except WebDriverException:
                return  # the page is being replaced: the next look checks again
            if url and urllib.parse.urlsplit(url).path not in self.done:
                self.audit(d, url)
        finally:
            self.busy = False

    def audit(self, d, url):
        path = urllib.parse.urlsplit(url).path
        try:
            self.axe_class(d).inject()
            result = d.execute_async_script(self.RUN, self.OPTIONS)
            if "error" in result:
                raise WebDriverException(result["error"])
        except WebDriverException as e:
            # Most likely the page navigated away mid-audit: unmark it so that the next look
            # retries; a page on which axe keeps failing is a failure of its own.
            self.tries[path] = self.tries.get(path, 0) + 1
            if self.tries[path] >= 3:
                self.done.add(path)
                self.failures.append(f"{url}: axe did not run — {(e.msg or str(e)).splitlines()[0]}")
            else:
                try:
                    d.execute_script("window.__axeSeen = false")
                except WebDriverException:
                    pass
            return
        self.done.add(path)
        for v in result["violations"]:
            targets = ", ".join(" ".join(t if isinstance(t, str) else " >>> ".join(t) for t in n["target"]) for n in v["nodes"][:3])
            more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
            self.failures.append(f"{url}: {v['id']} — {v['help']} — {targets}{more}")

    def summary(self):
        if self.failures:
            print(f"accessibility: {len(self.failures)} axe violation(s) on {len(self.done)} page path(s) audited:", file=sys.stderr)
            for line in self.failures:
                print("  " + line, file=sys.stderr)
        else:
            print(f"accessibility: no axe violations on {len(self.done)} page path(s) audited")


class AuditedChrome(webdriver.Chrome):
    """Chrome whose accessibility audit (if one is attached) looks at each new page before the test
    reads it (finding elements, reading the address, source or title, running a script, taking a
    picture) and before the test leaves it (get, refresh, back, forward), so a page opened and
    left unread is audited too. Clicks, typing and waits on old elements pass straight through."""
    LOOKS = {Command.FIND_ELEMENT, Command.FIND_ELEMENTS, Command.GET_CURRENT_URL, Command.GET_PAGE_SOURCE, Command.GET_TITLE,
             Command.W3C_EXECUTE_SCRIPT, Command.W3C_EXECUTE_SCRIPT_ASYNC, Command.SCREENSHOT,
             Command.GET, Command.REFRESH, Command.GO_BACK, Command.GO_FORWARD}
    audit = None

    def execute(self, driver_command, params=None):
        if self.audit is not None and driver_command in self.LOOKS:
            self.audit.check(self)
        return super().execute(driver_command, params)


def browser():
    options = webdriver.ChromeOptions()
    for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=zh-CN"]:
        options.add_argument(a)
    options.binary_location = "/usr/bin/chromium"
    service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver")
    return AuditedChrome(options=options, service=service)


class Flow:
    def __init__(self, base, driver):
        self.base, self.d = base, driver

    def go(self, path):
        self.d.get(self.base + path)

    def text(self, css):
        return self.d.find_element(By.CSS_SELECTOR, css).text

    def click(self, css):
        self.d.find_element(By.CSS_SELECTOR, css).click()

    def submit(self, css):
        """Clicks a form's button and waits for the next page to replace this one: a wait on the
        address alone passes at once when this page's address already says flash=done."""
        old = self.d.find_element(By.TAG_NAME, "html")
        self.click(css)
        WebDriverWait(self.d, 10).until(gone(old))

    def sign_in(self, login):
        self.d.delete_all_cookies()
        self.go("/login")
        self.d.find_element(By.ID, "login").send_keys(login)
        self.d.find_element(By.ID, "password").send_keys(PASSWORD)
        self.click("#sign-in")
        WebDriverWait(self.d, 10).until(lambda d: d.current_url.endswith("/app"))
        assert login in self.text("#who"), self.d.page_source

    def reload_until(self, css, tries=30):
        """The elements matching css, reloading the page until there are some (background work
        such as the ledger lands within seconds)."""
        for _ in range(tries):
            found = self.d.find_elements(By.CSS_SELECTOR, css)
            if found:
                return found
            time.sleep(0.5)
            self.d.refresh()
        raise AssertionError(f"{css} never appeared on {self.d.current_url}")

    def sign_out(self):
        # Waits for the page to be whole first: a button found on a page being replaced goes stale.
        WebDriverWait(self.d, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
        self.click("#sign-out")
        WebDriverWait(self.d, 10).until(lambda d: "/login" in d.current_url)


def api_admin(base, path):
    req = urllib.request.Request(base + "/api/v1/auth/sign-in", data=json.dumps({"login": "admin", "password": PASSWORD}).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    token = json.load(urllib.request.urlopen(req))["token"]
    return json.load(urllib.request.urlopen(urllib.request.Request(base + path, headers={"authorization": f"Bearer {token}"})))


def import_csv(f, d, base):
    """The bureau imports a file with one good and one bad row, watching the progress bar."""
    owner = api_admin(base, "/api/v1/owners?region=350102&limit=1")["items"][0]
    path = os.path.join(tempfile.mkdtemp(), "import.csv")
    with open(path, "w", encoding="utf-8") as out:
        out.write("种别序号,器具名称,出厂编号,用途,行政区划代码,安装地点,统一社会信用代码,启用日期\n")
        out.write(f"2,电子计价秤,IMPORT-OK,贸易结算,350102,农贸市场C3,{owner['credit_code']},2026-10-01\n")
        out.write(f"2,电子计价秤,IMPORT-BAD,贸易结算,350102,农贸市场C4,{owner['credit_code']},someday\n")
    f.go("/app/import")
    d.find_element(By.ID, "file").send_keys(path)
    Select(d.find_element(By.ID, "mode")).select_by_value("valid_rows_only")
    f.click("#start-import")
    WebDriverWait(d, 60).until(lambda d: d.find_element(By.ID, "import-status").text != "")
    status = f.text("#import-status")
    assert ": 1" in status and d.find_element(By.ID, "bar").get_attribute("value") == "100", status
    assert d.find_element(By.ID, "error-report").is_displayed()
    report = d.find_element(By.ID, "error-report").get_attribute("href")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in d.get_cookies())
    text = urllib.request.urlopen(urllib.request.Request(report, headers={"cookie": cookies})).read().decode("utf-8-sig")
    assert "3,启用日期," in text, text


def api_instrument_outside(base, region):
    """An instrument of another region, found through the API as the administrator."""
    req = urllib.request.Request(base + "/api/v1/auth/sign-in", data=json.dumps({"login": "admin", "password": PASSWORD}).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    token = json.load(urllib.request.urlopen(req))["token"]
    req = urllib.request.Request(base + f"/api/v1/instruments?region={region}&limit=1", headers={"authorization": f"Bearer {token}"})
    item = json.load(urllib.request.urlopen(req))["items"][0]
    return item["id"], item["name"], item["serial_no"]


def workflow(base, d):
    f = Flow(base, d)
    # The owner registers a draft and submits it for filing.
    f.sign_in("owner")
    f.go("/app/instruments/new")
    Select(d.find_element(By.ID, "sub_no")).select_by_value("2")
    d.find_element(By.ID, "name").send_keys("电子计价秤")
    d.find_element(By.ID, "serial_no").send_keys("BROWSER-1")
    d.find_element(By.ID, "address").send_keys("鼓楼区农贸市场 B12")
    d.execute_script("document.getElementById('in_service_date').value = '2026-11-01'")
    f.click("#save-draft")
    WebDriverWait(d, 10).until(lambda d: "/app/instruments/" in d.current_url and "new" not in d.current_url)
    instrument = d.current_url.split("/app/instruments/")[1].split("?")[0]
    assert f.text("#lifecycle") == "draft"
    old = d.find_element(By.TAG_NAME, "html")
    f.click("#submit-filing")
    WebDriverWait(d, 10).until(gone(old))
    WebDriverWait(d, 10).until(lambda d: "flash=" in d.current_url)
    f.sign_out()

    # The bureau approves it.
    f.sign_in("gulou")
    f.go("/app/filings")
    row = [r for r in d.find_elements(By.CSS_SELECTOR, "tbody tr") if "BROWSER-1" in r.text][0]
    old = d.find_element(By.TAG_NAME, "html")
    row.find_element(By.CSS_SELECTOR, "button.approve").click()
    WebDriverWait(d, 10).until(gone(old))
    WebDriverWait(d, 10).until(lambda d: "flash=" in d.current_url)
    import_csv(f, d, base)
    # Another region's instrument is refused, and nothing of it shows.
    other_id, other_name, other_serial = api_instrument_outside(base, "350203")
    f.go(f"/app/instruments/{other_id}")
    assert f.text("#error-title") in ("未找到", "Not found"), d.page_source
    assert other_serial not in d.page_source and other_name not in d.page_source
    f.sign_out()

    # The owner applies to the city institute for a laboratory verification.
    f.sign_in("owner")
    f.go(f"/app/instruments/{instrument}")
    assert f.text("#lifecycle") == "filed"
    Select(d.find_element(By.ID, "institution")).select_by_visible_text("福州市计量所")
    Select(d.find_element(By.ID, "mode")).select_by_value("laboratory")
    old = d.find_element(By.TAG_NAME, "html")
    f.click("#apply")
    WebDriverWait(d, 10).until(gone(old))
    WebDriverWait(d, 10).until(lambda d: "flash=" in d.current_url)
    f.sign_out()

    # The institute accepts and records a pass.
    f.sign_in("institute")
    f.go("/app/requests")
    row = [r for r in d.find_elements(By.CSS_SELECTOR, "tbody tr") if "BROWSER-1" in r.text][0]
    old = d.find_element(By.TAG_NAME, "html")
    row.find_element(By.CSS_SELECTOR, "button.accept").click()
    WebDriverWait(d, 10).until(gone(old))
    WebDriverWait(d, 10).until(lambda d: "flash=" in d.current_url)
    row = [r for r in d.find_elements(By.CSS_SELECTOR, "tbody tr") if "BROWSER-1" in r.text][0]
    row.find_element(By.NAME, "number").send_keys("JD2026-BROWSER")
    old = d.find_element(By.TAG_NAME, "html")
    row.find_element(By.CSS_SELECTOR, "button.record").click()
    WebDriverWait(d, 10).until(gone(old))
    WebDriverWait(d, 10).until(lambda d: "flash=" in d.current_url)
    f.sign_out()

    # The owner sees the status change at once.
    f.sign_in("owner")
    f.go(f"/app/instruments/{instrument}")
    assert f.text("#instrument-status") == "有效", f.text("#instrument-status")
    assert "JD2026-BROWSER" in f.text("#history")
    # Within seconds the record is in the tamper-evident ledger: its certificate page shows the
    # QR code of (record, leaf, checkpoint) and the logged entry.
    assert d.find_element(By.CSS_SELECTOR, "#instrument-qr svg").is_displayed()
    f.reload_until("#history a.ledger")[-1].click()
    WebDriverWait(d, 10).until(lambda d: "/certificate" in d.current_url)
    assert f.reload_until("#certificate-qr svg")[0].is_displayed(), d.page_source
    assert "certificate-no JD2026-BROWSER" in f.text("#ledger-entry")
    f.go(f"/app/instruments/{instrument}")
    f.sign_out()

    # The province administrator: the list sorted by next due date, the drill-down's catalogue
    # item × status table leading to its list, and registering an institution.
    f.sign_in("admin")
    f.go("/app/instruments")
    Select(d.find_element(By.ID, "sort")).select_by_value("next_due")
    f.click("#filter")
    WebDriverWait(d, 10).until(lambda d: "sort=next_due" in d.current_url)
    dues = [c.text for c in d.find_elements(By.CSS_SELECTOR, "tbody tr td:last-child") if c.text]
    assert dues == sorted(dues), dues
    f.go("/app/regions/350000")
    d.find_element(By.CSS_SELECTOR, "#by-item a[href*='sub_no=']").click()
    WebDriverWait(d, 10).until(lambda d: "sub_no=" in d.current_url)
    assert d.find_elements(By.CSS_SELECTOR, "tbody tr a[href^='/app/instruments/']"), d.page_source
    f.go("/app/admin/institutions")
    d.find_element(By.ID, "inst-name").send_keys("福清市计量检定所")
    d.find_element(By.ID, "inst-region").send_keys("350181")
    d.find_element(By.ID, "inst-address").send_keys("福清市音西街道1号")
    Select(d.find_element(By.ID, "scope-sub")).select_by_value("2")
    d.find_element(By.ID, "scope-region").send_keys("350181")
    d.execute_script("document.getElementById('scope-from').value = '2026-01-01';"
                     "document.getElementById('scope-until').value = '2030-12-31'")
    f.click("#create-institution")
    WebDriverWait(d, 10).until(lambda d: "/app/institutions/" in d.current_url)
    assert "福清市计量检定所" in f.text("h1") and "350181" in d.page_source
    f.sign_out()

    # The English switch, and the page at phone width.
    f.sign_in("owner")
    f.go(f"/app/instruments/{instrument}")
    f.click("#lang-switch")
    WebDriverWait(d, 10).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    assert f.text("#instrument-status") == "Valid"
    d.set_window_size(390, 844)
    f.go("/app")
    assert d.find_element(By.ID, "sign-out").is_displayed()
    assert d.execute_script("return document.documentElement.scrollWidth") <= 390 + 1, "the dashboard scrolls sideways on a phone"
    return instrument


def scan(element):
    """Reads a QR code the way a phone camera would: a picture of it, decoded by zbar (Debian's
    zbar-tools), not the text the page put into it."""
    path = os.path.join(tempfile.mkdtemp(), "label.png")
    with open(path, "wb") as out:
        out.write(element.screenshot_as_png)
    return subprocess.run(["zbarimg", "--raw", "-q", path], capture_output=True, text=True, check=True).stdout.strip(), path


def public_service(base, d):
    """Issue #6: print a label sheet, scan a label at phone width, see the status; file a complaint
    and follow it to its close; book a free check and read its result."""
    f = Flow(base, d)
    d.set_window_size(1280, 900)
    # The start page, in the public frame: the registry's counts by status.
    d.get(base + "/")
    assert d.find_element(By.ID, "registry-counts").text, "the start page shows no counts"
    f.sign_in("gulou")
    f.go("/app/instruments?region=350102&status=valid")
    f.click("#print-labels")
    WebDriverWait(d, 10).until(lambda d: "/app/labels" in d.current_url)
    assert int(f.text("#label-count")) > 0
    pdf_type = d.execute_async_script(
        "const done = arguments[0]; fetch(document.getElementById('labels-pdf').href)"
        ".then(r => r.arrayBuffer().then(b => done(r.headers.get('content-type') + ' ' + String.fromCharCode(...new Uint8Array(b.slice(0, 5))))))")
    assert pdf_type == "application/pdf %PDF-", pdf_type
    # Make the first label's QR code large enough for a clean picture, then scan it.
    # (The label is 37 mm high and clips overflow: draw the page's own SVG alone, larger.)
    svg = d.find_element(By.CSS_SELECTOR, ".label svg").get_attribute("outerHTML")
    d.execute_script("document.body.innerHTML = arguments[0]; const s = document.querySelector('svg');"
                     "s.setAttribute('width', 300); s.setAttribute('height', 300)", svg)
    url, picture = scan(d.find_element(By.TAG_NAME, "svg"))
    assert url.startswith(base + "/p/i/"), url

    # A citizen's phone opens the scanned address: the status in words and colour, no sign-in.
    d.delete_all_cookies()
    d.set_window_size(390, 844)
    d.get(url)
    status = d.find_element(By.ID, "status")
    assert status.text == "检定有效" and status.get_attribute("data-status") == "valid", status.text
    assert status.value_of_css_property("background-color") == "rgba(27, 127, 59, 1)"
    assert d.execute_script("return document.documentElement.scrollWidth") <= 390 + 1, "the public page scrolls sideways on a phone"
    owner = f.text("#owner")
    # The citizen complains about it, with a photo.
    f.click("#complain")
    WebDriverWait(d, 10).until(lambda d: "/p/complaints/new" in d.current_url)
    Select(d.find_element(By.ID, "category")).select_by_value("short_weight")
    d.find_element(By.ID, "text").send_keys("称了一斤苹果，回家复称少了二两。")
    d.find_element(By.ID, "photo").send_keys(picture)
    d.find_element(By.ID, "contact").send_keys("13912345678")
    f.click("#submit")
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "tracking-code"))
    code = f.text("#tracking-code")
    follow = d.find_element(By.ID, "follow").get_attribute("href")
    d.get(follow)
    assert d.find_element(By.ID, "state").get_attribute("data-state") == "received"

    # The bureau of that county assigns, answers and closes it.
    d.set_window_size(1280, 900)
    f.sign_in("gulou")
    f.go("/app/complaints?state=received")
    row = [r for r in d.find_elements(By.CSS_SELECTOR, "#complaints tbody tr") if owner in r.text][0]
    row.find_element(By.CSS_SELECTOR, "a").click()
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "assignee-input"))
    assert "13912345678" in d.page_source and d.find_element(By.ID, "photo")
    d.find_element(By.ID, "assignee-input").send_keys("gulou")
    old = d.find_element(By.TAG_NAME, "html")
    f.click("#assign")
    WebDriverWait(d, 10).until(gone(old))
    WebDriverWait(d, 10).until(lambda d: "flash=" in d.current_url)
    d.find_element(By.ID, "reply-text").send_keys("经现场核查，该摊位电子秤已送检并责令整改。")
    f.click("#send-reply")
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "close"))
    Select(d.find_element(By.ID, "outcome-select")).select_by_value("upheld")
    f.click("#close")
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "outcome"))
    f.sign_out()

    # The citizen follows it to its close with the tracking code typed by hand.
    d.delete_all_cookies()
    d.set_window_size(390, 844)
    f.go("/p/complaints/track")
    d.find_element(By.ID, "code").send_keys(code.lower())
    f.click("#track")
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "state"))
    assert d.find_element(By.ID, "state").get_attribute("data-state") == "closed"
    assert "责令整改" in f.text("#reply") and "13912345678" not in d.page_source

    # The institute opens a free-check session; a citizen books it; the institute records the result.
    d.set_window_size(1280, 900)
    f.sign_in("institute")
    f.go("/app/checks")
    d.execute_script("document.getElementById('slot-day').value = '2026-12-20'")
    d.find_element(By.ID, "slot-place").send_keys("福州市计量所一楼大厅")
    old = d.find_element(By.TAG_NAME, "html")
    f.click("#open-slot")
    WebDriverWait(d, 10).until(gone(old))
    WebDriverWait(d, 10).until(lambda d: "flash=" in d.current_url)
    f.sign_out()
    d.delete_all_cookies()
    d.set_window_size(390, 844)
    f.go("/p/checks")
    slot = [l for l in d.find_elements(By.CSS_SELECTOR, "#book-form .radio label") if "福州市计量所一楼大厅" in l.text][0]
    slot.find_element(By.TAG_NAME, "input").click()
    d.find_element(By.ID, "item").send_keys("电子血压计")
    f.click("#book")
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "tracking-code"))
    booking = d.find_element(By.ID, "follow").get_attribute("href")
    d.set_window_size(1280, 900)
    f.sign_in("institute")
    f.go("/app/checks")
    row = [r for r in d.find_elements(By.CSS_SELECTOR, "#checks tbody tr") if "电子血压计" in r.text][0]
    row.find_element(By.NAME, "result_note").send_keys("示值误差 +2 mmHg，合格")
    old = d.find_element(By.TAG_NAME, "html")
    row.find_element(By.CSS_SELECTOR, "button.record-check").click()
    WebDriverWait(d, 10).until(gone(old))
    WebDriverWait(d, 10).until(lambda d: "flash=" in d.current_url)
    f.sign_out()
    d.delete_all_cookies()
    d.get(booking)
    assert "合格" in f.text("#result") and "示值误差" in f.text("#note"), d.page_source

    # A campaign page and its quiz, and the public list of institutes with their authorisations.
    f.go("/p/campaigns")
    d.find_element(By.CSS_SELECTOR, "a[href='/p/campaigns/world-metrology-day-2027']").click()
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "quiz"))
    for fieldset in d.find_elements(By.CSS_SELECTOR, "#quiz fieldset"):
        fieldset.find_element(By.CSS_SELECTOR, "input[type=radio]").click()
    f.click("#answer")
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "score"))
    assert "/ 4" in f.text("#score"), f.text("#score")
    f.go("/p/institutions")
    assert "福州市计量所" in d.page_source and d.find_elements(By.CSS_SELECTOR, ".card table tr td")
    return code


SECTORS = {"market": "market", "trader": "market", "supermarket": "supermarket", "fuel_station": "fuel_station", "hospital": "hospital",
           "optician": "optician", "prepackager": "prepackager", "water_utility": "utility", "gas_utility": "utility", "power_utility": "utility"}


def credit(base, d):
    """Issue #7: the owner signs a commitment (shown on its public page); a bureau runs a
    demonstration round that awards it; a penalty with evidence is recorded and published, the
    party is proposed for the serious-dishonesty list, objects, a second person decides, the listing
    is published; repair is refused before a year; staff see the class and why."""
    f = Flow(base, d)
    d.set_window_size(1280, 900)
    # the administrator maintains the letters
    f.sign_in("admin")
    f.go("/app/admin/commitment-templates")
    assert len(d.find_elements(By.CSS_SELECTOR, "form.stacked textarea")) >= 8
    # the owner signs its sector's letter
    f.sign_in("owner")
    f.click("#nav-credit")
    owner_id = Select(d.find_element(By.ID, "sign-owner")).first_selected_option.get_attribute("value")
    f.click("#sign")  # empty names: the browser's own check stops it; send bad input past it
    d.execute_script("document.getElementById('signer-name').removeAttribute('required'); document.getElementById('signer-title').removeAttribute('required')")
    f.click("#sign")
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "error"))
    assert "signer_name" in f.text("#error"), f.text("#error")
    d.find_element(By.ID, "signer-name").send_keys("张经理")
    d.find_element(By.ID, "signer-title").send_keys("负责人")
    f.click("#sign")
    WebDriverWait(d, 10).until(lambda d: "/app/commitments/" in d.current_url)
    assert "12315" in f.text("#letter-phone")
    f.click("#public-letter")
    assert "张经理" in d.page_source and "/p/commitments/" in d.current_url
    owner = api_admin(base, f"/api/v1/owners/{owner_id}")
    f.go(f"/p/b/{owner['credit_code']}")
    assert f.text("#honesty-commitment"), d.page_source
    # a bureau opens a demonstration round for the owner's sector; the owner applies
    f.sign_in("gulou")
    f.go("/app/demo-rounds")
    d.find_element(By.ID, "round-title").send_keys("2026年度诚信计量示范单位（浏览器测试）")
    Select(d.find_element(By.ID, "round-sector")).select_by_value(SECTORS.get(owner["industry"], "general"))
    d.execute_script("document.getElementById('round-criteria').value = ''")
    d.execute_script("document.getElementById('round-opens').value = '2026-11-01'; document.getElementById('round-closes').value = '2026-12-31'")
    f.click("#open-round")
    WebDriverWait(d, 10).until(lambda d: "/app/demo-rounds/" in d.current_url)
    round_url = d.current_url.split("?")[0]
    assert len(d.find_elements(By.CSS_SELECTOR, "#criteria tr")) >= 3
    f.sign_in("owner")
    d.get(round_url)
    d.find_element(By.ID, "apply-statement").send_keys("全部器具按期检定，设公平秤")
    f.submit("#apply")
    WebDriverWait(d, 10).until(lambda d: "flash=done" in d.current_url)
    # staff score with evidence (full marks) and publish; the public list shows the unit
    f.sign_in("gulou")
    d.get(round_url)
    form = d.find_element(By.CSS_SELECTOR, "form.score-form")
    for row in form.find_elements(By.CSS_SELECTOR, "tr"):
        weight = row.find_element(By.CSS_SELECTOR, "td").text.split("≤")[1].strip(" )")
        row.find_element(By.NAME, "points").send_keys(weight)
        row.find_element(By.NAME, "evidence").send_keys("现场核查")
    form.find_element(By.CSS_SELECTOR, "button.score").click()
    WebDriverWait(d, 10).until(lambda d: "flash=done" in d.current_url)
    assert f.text(".app-total") == "100"
    f.submit("#publish-round")
    WebDriverWait(d, 10).until(lambda d: "flash=done" in d.current_url)
    f.go(f"/p/honest?q={owner['credit_code']}")
    assert owner["name"] in f.text("#demo-units"), d.page_source
    # a heavy penalty with a PDF of the decision; published; proposed for the list
    f.go(f"/app/penalties?owner={owner_id}")
    evidence = os.path.join(tempfile.mkdtemp(), "决定书.pdf")
    with open(evidence, "wb") as out:
        out.write(b"%PDF-1.4\n% decision\n")
    d.find_element(By.ID, "penalty-no").send_keys("榕鼓市监罚〔2026〕88号")
    Select(d.find_element(By.ID, "penalty-kind")).select_by_value("fine")
    d.find_element(By.ID, "penalty-amount").send_keys("200000")
    f.click("#penalty-heavy")
    d.find_element(By.ID, "penalty-basis").send_keys("《计量法》第二十七条")
    d.find_element(By.ID, "penalty-facts").send_keys("使用作弊电子秤")
    d.execute_script("document.getElementById('penalty-decided').value = '2026-11-20'")
    d.find_element(By.ID, "penalty-evidence").send_keys(evidence)
    f.click("#record-penalty")
    WebDriverWait(d, 10).until(lambda d: "/app/penalties/" in d.current_url and "flash=done" in d.current_url)
    assert "决定书.pdf" in f.text("#evidence") and f.text("#heavy")
    f.submit("#publish")
    WebDriverWait(d, 10).until(lambda d: "flash=done" in d.current_url)
    assert f.text("#display-until") == "2029-11-25", f.text("#display-until")
    d.find_element(By.ID, "propose-reason").send_keys("多次使用作弊电子秤，社会影响恶劣")
    f.click("#propose")
    WebDriverWait(d, 10).until(lambda d: "/app/listings/" in d.current_url)
    listing_url = d.current_url.split("?")[0]
    f.submit("#notify")
    WebDriverWait(d, 10).until(lambda d: "flash=done" in d.current_url)
    assert f.text("#objection-until") == "2026-12-10", f.text("#objection-until")
    assert f.text("#second-person")  # the proposer may not decide
    assert not d.find_elements(By.ID, "decide")
    # the party objects within the window
    f.sign_in("owner")
    d.get(listing_url)
    d.find_element(By.ID, "objection-text").send_keys("已整改，请求从轻")
    f.submit("#object")
    WebDriverWait(d, 10).until(lambda d: "flash=done" in d.current_url)
    assert "已整改" in f.text("#objection")
    # a second person decides; the listing is published
    f.sign_in("fuzhou")
    d.get(listing_url)
    Select(d.find_element(By.ID, "decision")).select_by_value("list")
    f.submit("#decide")
    WebDriverWait(d, 10).until(lambda d: "flash=done" in d.current_url)
    # decided by the city bureau: the provincial bureau consents before publication
    assert f.text("#consent-needed") and not d.find_elements(By.ID, "publish-listing")
    f.sign_in("admin")
    d.get(listing_url)
    f.submit("#give-consent")
    WebDriverWait(d, 10).until(lambda d: "flash=done" in d.current_url)
    assert f.text("#consented")
    f.sign_in("fuzhou")
    d.get(listing_url)
    f.submit("#publish-listing")
    WebDriverWait(d, 10).until(lambda d: "flash=done" in d.current_url)
    assert d.find_element(By.ID, "listing-state").get_attribute("data-state") == "listed"
    assert f.text("#repair-eligible") == "2027-11-26"
    f.go(f"/p/dishonest?q={owner['name']}")
    assert owner["credit_code"] in f.text("#listed-parties"), d.page_source
    f.go(f"/p/b/{owner['credit_code']}?after=listing")  # the page is cacheable for 60 s: ask for a fresh copy
    assert f.text("#honesty-listed") and "榕鼓市监罚〔2026〕88号" in f.text("#penalties")
    assert not d.find_elements(By.ID, "honesty-demo")  # the penalty took the title away
    # repair is refused before a year on the list
    f.sign_in("owner")
    d.get(listing_url)
    f.click("#fulfilled")
    f.click("#remedied")
    d.find_element(By.ID, "repair-text").send_keys("罚款已缴清")
    f.click("#apply-repair")
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "error"))
    assert "2027-11-26" in f.text("#error"), f.text("#error")
    # the class is for staff only, with each fact's contribution
    f.go(f"/app/credit/owners/{owner_id}")
    assert f.text("#error-title") == "无权操作", d.page_source[:500]
    f.sign_in("gulou")
    f.go(f"/app/credit/owners/{owner_id}")
    assert f.text("#credit-class") == "D" and f.text("#internal-note")
    assert len(d.find_elements(By.CSS_SELECTOR, "#contributions tr")) >= 4
    # issue #4's first view: the rates of the county with their definitions
    f.click("#nav-statistics")
    WebDriverWait(d, 10).until(lambda d: "/app/statistics" in d.current_url)
    assert "/" in d.find_element(By.CSS_SELECTOR, "#rate-onTime td:nth-child(2)").text
    assert len(d.find_elements(By.CSS_SELECTOR, "#rates tbody tr")) == 9
    return listing_url


def fetch_with_session(base, d, href):
    """Downloads a link with the browser's session cookie (Chromium headless does not hand over files)."""
    import urllib.request
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in d.get_cookies())
    url = href if href.startswith("http") else base + href
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie})) as r:
        return r.headers.get("Content-Type"), r.read()


def statistics(base, d):
    """Issue #4: drill down from the province to a city through the chart, open the records behind a
    figure (split by city at the province), open the 三表 通报 and download it as XLSX and PDF,
    register a social public measurement standard."""
    f = Flow(base, d)
    f.sign_in("admin")
    f.go("/app/statistics?region=350000&period=year&day=2026-11-26")
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "chart-regions"))
    assert len(d.find_elements(By.CSS_SELECTOR, "#chart-regions rect.bar")) >= 9, d.page_source[:2000]
    assert d.find_elements(By.CSS_SELECTOR, "#chart-trend polyline.series")
    # the province holds more instruments than a page lists (the server runs with
    # --plain-path-limit 150): the records behind a figure come split by city, and a city's
    # number opens that city's own records
    d.find_element(By.CSS_SELECTOR, "#rate-onTime a.missed").click()
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "behind-split"))
    cities = d.find_elements(By.CSS_SELECTOR, "#behind-split tbody tr")
    assert len(cities) >= 9, d.page_source[:2000]
    cities[0].find_element(By.TAG_NAME, "a").click()
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "behind-total"))
    assert not d.find_elements(By.ID, "behind-split") and "region=35" in d.current_url
    d.back()
    d.back()
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "chart-regions"))
    # drill down through the first city's row
    d.find_element(By.CSS_SELECTOR, "#children a.drill").click()
    WebDriverWait(d, 10).until(lambda d: "region=3501" in d.current_url)
    assert len(d.find_elements(By.CSS_SELECTOR, "#children tbody tr")) >= 2
    # the records behind the on-time figure, the missed ones
    d.find_element(By.CSS_SELECTOR, "#rate-onTime a.missed").click()
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "behind-total"))
    missed = int(f.text("#behind-total"))
    assert missed == len(d.find_elements(By.CSS_SELECTOR, "#behind tbody tr")) or missed > 200, missed
    d.back()
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "link-utilities"))
    f.click("#link-utilities")
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "utility-report"))
    assert "三表首次检定与到期轮换通报" in f.text("#utility-report h1")
    assert len(d.find_elements(By.CSS_SELECTOR, "#utility-report-table-0 tbody tr")) >= 1
    kind, body = fetch_with_session(base, d, d.find_element(By.ID, "download-xlsx").get_attribute("href"))
    assert kind.startswith("application/vnd.openxmlformats") and body[:2] == b"PK", kind
    kind, body = fetch_with_session(base, d, d.find_element(By.ID, "download-pdf").get_attribute("href"))
    assert kind == "application/pdf" and body[:5] == b"%PDF-", kind
    # the annual report opens as a page too
    f.go("/app/statistics/annual?region=350100&year=2026")
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "annual-report"))
    assert "年度计量监管统计报告" in f.text("#annual-report h1")
    # register a standard; the targets note says the list is unconfirmed
    f.go("/app/standards")
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, "standard-form"))
    assert "未确认" in d.page_source
    form = d.find_element(By.ID, "standard-form")
    for name, value in [("name", "出租汽车计价器检定装置"), ("certificate_no", "[2026]闽社标证字第9001号"), ("valid_from", "2026-01-01"),
                        ("valid_until", "2030-12-31"), ("measuring_range", "(0~999.9)km"), ("uncertainty", "MPE ±0.2%"),
                        ("sub_nos", "18"), ("region_codes", "350102")]:
        field = form.find_element(By.NAME, name)
        if field.get_attribute("type") == "date":
            d.execute_script("arguments[0].value = arguments[1]", field, value)
        else:
            field.send_keys(value)
    f.click("#create-standard")
    WebDriverWait(d, 10).until(lambda d: re.search(r"/app/standards/\d+", d.current_url))
    assert "[2026]闽社标证字第9001号" in f.text("#standard")
    return d.current_url


def catalogue(base, d):
    """Issue #18: the administrator completes the catalogue on its page — a bad row names its
    fields, a missing row is added with its first rule, a name is taught for imports — and a bureau
    sees what is unconfirmed and has no forms."""
    f = Flow(base, d)
    f.sign_in("gulou")
    f.go("/app/catalogue")
    assert "未核实" in f.text("#catalogue") and not d.find_elements(By.ID, "catalogue-form")
    f.sign_in("admin")
    f.go("/app/catalogue")
    d.find_element(By.ID, "cat-item-no").send_keys("abc")
    d.find_element(By.ID, "cat-item-name").send_keys("新一级")
    d.find_element(By.ID, "cat-sub-no").send_keys("40")
    d.find_element(By.ID, "cat-sub-name").send_keys("浏览器测试器具")
    f.submit("#add-catalogue-row")
    assert "item_no" in f.text("#form-error"), f.text("#form-error")
    item = d.find_element(By.ID, "cat-item-no")
    item.clear()
    item.send_keys("40")
    Select(d.find_element(By.ID, "cat-mode")).select_by_value("P+V")
    Select(d.find_element(By.ID, "cat-form")).select_by_value("periodic")
    d.find_element(By.ID, "cat-source").send_keys("目录PDF")
    d.execute_script("document.getElementById('cat-rule-from').value = '2020-01-01'")
    Select(d.find_element(By.ID, "cat-rule-form")).select_by_value("periodic")
    d.find_element(By.ID, "cat-rule-cycle").send_keys("12")
    f.submit("#add-catalogue-row")
    WebDriverWait(d, 10).until(lambda d: "/app/catalogue/40" in d.current_url)
    assert "12个月" in f.text("#rules") or "12 months" in f.text("#rules"), f.text("#rules")
    d.find_element(By.ID, "instrument-name").send_keys("浏览器秤")
    f.submit("#add-name")
    assert "浏览器秤" in f.text("#names")
    # Day one (issue #19, item 7): what reference data is unconfirmed, and the holiday years loaded.
    f.go("/app/admin/reference")
    assert "987" in f.text("#ref-catalogue") and "JJG 539-2016" in f.text("#ref-rules"), f.text("#ref-rules")[:500]
    years = f.text("#calendar-years")
    assert "2025" in years and "2026" in years and "国办发明电〔2024〕12号" in years, years
    return d.current_url


def onboarding(base, d):
    """Issue #19: a bureau loads its county roll as Excel keeps it — a merged title above the header,
    dates as dates, the county in a column named 辖区 that no import knows. The preview stores
    nothing and offers the columns; the bureau maps 辖区, previews again, saves the mapping as a
    profile and imports; a citizen then finds an imported instrument's status as its record implies."""
    import datetime
    import openpyxl
    f = Flow(base, d)
    owner = api_admin(base, "/api/v1/owners?region=350102&limit=1")["items"][0]
    labs = api_admin(base, "/api/v1/institutions?limit=1")
    lab = (labs["items"] if isinstance(labs, dict) else labs)[0]["name"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "强检台账"
    header = ["序号", "器具名称", "出厂编号", "使用单位", "统一社会信用代码", "安装地点", "辖区", "用途", "启用日期", "最近检定日期", "检定结论", "证书编号"]
    sheet["A1"] = "鼓楼区强制检定计量器具台账（浏览器测试）"
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append([])
    sheet.append(header)
    for n, (last, result) in enumerate([(datetime.date(2026, 6, 1), "合格"), (datetime.date(2026, 5, 10), "不合格")], start=1):
        sheet.append([n, "电子秤", f"ONBOARD-{n}", owner["name"], owner["credit_code"], f"农贸市场D{n}", "鼓楼区", "贸易结算",
                      datetime.date(2025, 3, 1), last, result, f"JD-ONBOARD-{n}"])
    path = os.path.join(tempfile.mkdtemp(), "鼓楼区台账.xlsx")
    book.save(path)

    f.sign_in("gulou")
    f.go("/app/import")
    d.find_element(By.ID, "file").send_keys(path)
    d.find_element(By.ID, "verified-by").send_keys(lab)
    f.click("#preview-import")
    WebDriverWait(d, 60).until(lambda d: d.find_element(By.ID, "preview").is_displayed())
    county = Select(d.find_element(By.CSS_SELECTOR, 'select.column-field[data-header="辖区"]'))
    assert county.first_selected_option.get_attribute("value") == "", "辖区 should read as nothing yet"
    assert "region_code" in f.text("#error-summary"), f.text("#error-summary")
    assert "xlsx" in f.text("#preview-summary") and "3" in f.text("#preview-summary"), f.text("#preview-summary")
    county.select_by_value("region_code")
    f.click("#preview-again")
    WebDriverWait(d, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#sample tbody tr")) == 2)
    sample = f.text("#sample")
    assert "ONBOARD-1" in sample and "有效" in sample and "不合格" in sample and "2027-05-31" in sample, sample
    assert not any(i["serial_no"].startswith("ONBOARD") for i in all_instruments(base, owner["id"])), "the preview stored rows"
    d.find_element(By.ID, "profile-name").send_keys("鼓楼区台账")
    f.click("#save-profile")
    WebDriverWait(d, 10).until(lambda d: "鼓楼区台账" in d.find_element(By.ID, "profile-status").text)
    f.click("#start-import")
    WebDriverWait(d, 60).until(lambda d: d.find_element(By.ID, "import-status").text != "")
    status = f.text("#import-status")
    assert ": 2," in status and ": 0" in status, status
    f.go("/app/import")
    assert "鼓楼区台账" in [o.text for o in Select(d.find_element(By.ID, "profile")).options]

    imported = {i["serial_no"]: i for i in all_instruments(base, owner["id"]) if i["serial_no"].startswith("ONBOARD")}
    d.delete_all_cookies()
    d.get(base + "/p/i/" + imported["ONBOARD-1"]["code"])
    shown = d.find_element(By.ID, "status")
    assert shown.get_attribute("data-status") == "valid" and shown.text == "检定有效", shown.text
    d.get(base + "/p/i/" + imported["ONBOARD-2"]["code"])
    assert d.find_element(By.ID, "status").get_attribute("data-status") == "failed"
    return imported["ONBOARD-1"]["code"]


def survey(base, d):
    """Issue #19, item 6: the survey of users (使用单位摸排) from invitation to filed drafts. The
    bureau opens a survey of the demo owner's industry in its county; the owner finds the invitation
    in its inbox, opens the link on a phone (no sign-in) and declares an instrument; the bureau sees
    the answer in the progress, approves the filing, sees it filed, and chases the silent ones."""
    f = Flow(base, d)
    req = urllib.request.Request(base + "/api/v1/auth/sign-in", data=json.dumps({"login": "owner", "password": PASSWORD}).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    me = json.load(urllib.request.urlopen(req))["me"]
    owner = api_admin(base, f"/api/v1/owners/{me['owner_ids'][0]}")
    f.sign_in("gulou")
    f.go("/app/surveys")
    d.find_element(By.ID, "sv-title").send_keys("浏览器测试摸排")
    Select(d.find_element(By.ID, "sv-industry")).select_by_value(owner["industry"])
    region = d.find_element(By.ID, "sv-region")
    region.clear()
    region.send_keys(owner["region_code"])
    d.execute_script("document.getElementById('sv-closes').value = '2026-12-31'")
    f.submit("#open-survey")
    WebDriverWait(d, 10).until(lambda d: re.search(r"/app/surveys/\d+", d.current_url))
    survey_url = d.current_url.split("?")[0]
    assert owner["name"] in f.text("#silent"), f.text("#silent")

    # The owner's inbox has the invitation; its link opens on a phone without signing in.
    f.sign_in("owner")
    # The message is worded in the reader's language, its link a link (not a raw address in the text).
    links = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "a[href*='/p/survey/']")]
    link = next((re.match(r"https?://\S+/p/survey/[0-9A-Z]{16}$", h) for h in links), None)
    assert link, d.find_element(By.TAG_NAME, "body").text
    assert "计量器具摸排" in d.find_element(By.TAG_NAME, "body").text and "Survey of instruments" not in d.find_element(By.TAG_NAME, "body").text
    d.delete_all_cookies()
    d.set_window_size(390, 844)
    d.get(link.group(0))
    d.find_element(By.ID, "name-1").send_keys("电子秤")
    d.find_element(By.ID, "serial-1").send_keys("SURVEY-1")
    d.find_element(By.ID, "address-1").send_keys("农贸市场 S1")
    d.execute_script("document.getElementById('in-service-1').value = '2026-10-01'")
    f.submit("#declare")
    assert "SURVEY-1" in f.text("#declared") and f.text("#declared-now"), d.page_source[:2000]
    assert d.execute_script("return document.documentElement.scrollWidth") <= 390 + 1, "the survey page scrolls sideways on a phone"
    d.set_window_size(1280, 900)

    # The bureau: answered and declared; the filing approved, the instrument counts as filed.
    f.sign_in("gulou")
    d.get(survey_url)
    cells = d.find_element(By.ID, "progress-total").find_elements(By.TAG_NAME, "th")
    assert int(cells[2].text) >= 1 and int(cells[4].text) >= 1, [c.text for c in cells]
    f.go("/app/filings")
    row = [r for r in d.find_elements(By.CSS_SELECTOR, "tbody tr") if "SURVEY-1" in r.text][0]
    old = d.find_element(By.TAG_NAME, "html")
    row.find_element(By.CSS_SELECTOR, "button.approve").click()
    WebDriverWait(d, 10).until(gone(old))
    d.get(survey_url)
    cells = d.find_element(By.ID, "progress-total").find_elements(By.TAG_NAME, "th")
    declared, filed = int(cells[4].text), int(cells[5].text)
    assert declared >= 1 and filed >= 1, [c.text for c in cells]
    if d.find_elements(By.ID, "chase"):
        f.submit("#chase")
        assert d.find_element(By.ID, "chased").text, d.page_source[:2000]
    return survey_url


def telemetry(base, d):
    """Issue #21, item 5: the county bureau's telemetry alerts. The demo's fleet (and the one the
    script drove through the API) left alerts; the queue ranks them, an alert's page shows its
    evidence, the readings and the instrument's standing; the bureau confirms one with a reason, and
    the confirmed alert shows its evidence digest and the inspection task it opened."""
    f = Flow(base, d)
    f.sign_in("gulou")
    f.click("#nav-telemetry")
    WebDriverWait(d, 10).until(lambda d: "/app/telemetry" in d.current_url)
    rows = d.find_elements(By.CSS_SELECTOR, "#alerts tbody tr a")
    assert rows, d.find_element(By.TAG_NAME, "body").text[:2000]
    # Highest priority first: the badges never rise down the list.
    badges = [int(b.text) for b in d.find_elements(By.CSS_SELECTOR, "#alerts .badge")]
    assert badges == sorted(badges, reverse=True), badges
    href = rows[0].get_attribute("href")
    d.get(href)
    assert d.find_elements(By.CSS_SELECTOR, "#evidence tr") and d.find_elements(By.CSS_SELECTOR, "#readings tr"), d.page_source[:2000]
    assert f.text("#instrument-status")
    # No reason: the page again with the refusal, nothing decided.
    f.click("#decision-confirm")
    d.execute_script("document.getElementById('decision-reason').removeAttribute('required')")
    f.submit("#decide")
    assert f.text("#form-error") and d.find_elements(By.ID, "decision-form"), d.page_source[:2000]
    f.click("#decision-confirm")
    d.find_element(By.ID, "decision-reason").send_keys("浏览器测试：现场核实属实")
    f.submit("#decide")
    assert "flash=done" in d.current_url, d.current_url
    assert f.text("#evidence-hash").startswith("sha256:") and f.text("#inspection-task").startswith("#"), d.page_source[:2000]
    assert not d.find_elements(By.ID, "decision-form")
    f.go("/app/telemetry?state=confirmed")
    assert href.split("/")[-1] in " ".join(a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "#alerts tbody tr a"))
    assert d.find_elements(By.CSS_SELECTOR, "#tasks tbody tr a"), d.find_element(By.TAG_NAME, "body").text[:2000]
    # The English page: the same alert, in English.
    f.go(href.replace(base, "") + "?lang=en")
    assert "Decision" in d.find_element(By.TAG_NAME, "body").text
    f.go("/app/telemetry?lang=zh")
    return href


def api_send(base, login, method, path, body, content_type="application/json"):
    """One API call as a demo account (a session token), returning the status and the JSON."""
    req = urllib.request.Request(base + "/api/v1/auth/sign-in", data=json.dumps({"login": login, "password": PASSWORD}).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    token = json.load(urllib.request.urlopen(req))["token"]
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"authorization": f"Bearer {token}", "content-type": content_type})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def live_screen(base, d):
    """Issue #21, item 6: the county's live supervision screen. Its figures come from the server's
    event stream: a gateway reports a scale's case opened, and the open-alert count rises and a
    notice appears — without reloading the page. On a phone it does not scroll sideways. A device's
    timeline shows the reading."""
    f = Flow(base, d)
    f.sign_in("gulou")
    # The detectors' thresholds as they apply in the county, unconfirmed figures marked (issue #21, item 4).
    f.go("/app/telemetry")
    f.click("#to-thresholds")
    WebDriverWait(d, 10).until(lambda d: "/app/telemetry/thresholds" in d.current_url)
    assert d.find_elements(By.CSS_SELECTOR, "#setting-tank_short_rate .badge.warn"), d.find_element(By.TAG_NAME, "body").text[:1000]
    f.go("/app/telemetry")
    f.click("#to-live")
    WebDriverWait(d, 10).until(lambda d: d.current_url.endswith("/app/telemetry/live"))
    before = int(f.text("#live-open"))
    assert int(f.text("#live-devices")) > 0, d.find_element(By.TAG_NAME, "body").text[:2000]
    # A new gateway on an instrument of the county that a device already reports for sends one
    # reading its kind's rule refuses (a case opened, an overcharge, an inflated trip, a meter
    # running backwards).
    req = urllib.request.Request(base + "/api/v1/auth/sign-in", data=json.dumps({"login": "gulou", "password": PASSWORD}).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    token = json.load(urllib.request.urlopen(req))["token"]
    devices = json.load(urllib.request.urlopen(urllib.request.Request(base + "/api/v1/telemetry/devices", headers={"authorization": f"Bearer {token}"})))["items"]
    assert devices, "the demo fleet has no device in the county"
    kind, instrument = devices[0]["kind"], devices[0]["instrument_id"]
    status, made = api_send(base, "gulou", "POST", "/api/v1/telemetry/devices", {"name": "BROWSER-LIVE-1", "instrument_id": instrument, "kind": kind})
    assert status == 201, made
    at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 30))
    start = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 90))
    base_line = {"device": "BROWSER-LIVE-1", "at": at}
    bad = {
        "scale": [{"seq": 1, "type": "scale_event", "event": "case_opened"}],
        "fuel_dispenser": [{"seq": 1, "type": "delivery", "nozzle": 1, "volume": 40, "amount": 310.4, "unit_price": 7.51, "start": start, "end": at}],
        "taximeter": [{"seq": 1, "type": "trip", "meter_km": 12, "meter_seconds": 1200, "gnss_km": 10, "fare": 30}],
        "utility_meter": [{"seq": 1, "type": "meter_index", "index": 100}, {"seq": 2, "type": "meter_index", "index": 90}],
    }[kind]
    body = "\n".join(json.dumps({**base_line, **x}) for x in bad).encode()
    status, sent = api_send(base, "gulou", "POST", "/api/v1/telemetry/readings", body, "application/x-ndjson")
    assert status == 200 and sent["accepted"] == len(bad), sent
    # (the job worker may add silences meanwhile: the count rises by at least this one)
    WebDriverWait(d, 15).until(lambda d: int(d.find_element(By.ID, "live-open").text) > before)
    assert d.find_element(By.ID, "live-new").is_displayed()
    d.set_window_size(390, 844)
    assert d.execute_script("return document.documentElement.scrollWidth") <= 390 + 1, "the live screen scrolls sideways on a phone"
    d.set_window_size(1280, 900)
    f.go(f"/app/telemetry/devices/{made['id']}")
    assert bad[0]["type"] in f.text("#timeline") and d.find_elements(By.CSS_SELECTOR, "#device-findings a"), d.page_source[:2000]
    return made["id"]


def all_instruments(base, owner_id):
    """Every instrument of an owner, through the API's pages."""
    items, cursor = [], None
    while True:
        page = api_admin(base, f"/api/v1/instruments?owner_id={owner_id}&limit=200" + (f"&cursor={cursor}" if cursor else ""))
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def screenshots(base, d, out):
    os.makedirs(out, exist_ok=True)
    f = Flow(base, d)
    pages = [("login", "/login", None), ("dashboard-bureau", "/app", "gulou"), ("instruments", "/app/instruments", "gulou"),
             ("filings", "/app/filings", "gulou"), ("requests", "/app/requests", "institute"), ("dashboard-owner", "/app", "owner"),
             ("public-home", "/p", None), ("public-checks", "/p/checks", None), ("public-campaign", "/p/campaigns/world-metrology-day-2027", None),
             ("credit-classes", "/app/credit", "gulou"), ("listings", "/app/listings", "gulou"), ("public-honest", "/p/honest", None),
             ("public-dishonest", "/p/dishonest", None), ("statistics", "/app/statistics?region=350100", "admin"),
             ("utility-report", "/app/statistics/utilities?region=350100", "admin"), ("standards", "/app/standards", "admin")]
    for width, height, tag in [(1280, 900, "desktop"), (390, 844, "phone")]:
        d.set_window_size(width, height)
        for name, path, login in pages:
            if login:
                f.sign_in(login)
            else:
                d.delete_all_cookies()
            f.go(path)
            d.save_screenshot(os.path.join(out, f"{name}-{tag}.png"))
    print(f"screenshots in {out}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("base")
    p.add_argument("--screenshots")
    p.add_argument("--no-axe", action="store_true", help="skip the accessibility audit (debugging only; so does AXE=0)")
    a = p.parse_args()
    # The screenshots are pictures for people, not a test: they run without the audit.
    audit = None if a.no_axe or a.screenshots or os.environ.get("AXE", "1") == "0" else Accessibility()
    d = browser()
    d.audit = audit
    try:
        if a.screenshots:
            screenshots(a.base, d, a.screenshots)
        else:
            instrument = workflow(a.base, d)
            print(f"browser workflow passed (instrument {instrument})")
            complaint = public_service(a.base, d)
            print(f"public-service workflow passed (complaint {complaint})")
            listing = credit(a.base, d)
            print(f"credit workflow passed ({listing})")
            standard = statistics(a.base, d)
            print(f"statistics workflow passed ({standard})")
            entry = catalogue(a.base, d)
            print(f"catalogue workflow passed ({entry})")
            code = onboarding(a.base, d)
            print(f"onboarding workflow passed (imported {code})")
            surveyed = survey(a.base, d)
            print(f"survey workflow passed ({surveyed})")
            alert = telemetry(a.base, d)
            print(f"telemetry workflow passed ({alert})")
            device = live_screen(a.base, d)
            print(f"live supervision workflow passed (device {device})")
            if audit:
                audit.check(d)  # the last page, should nothing have looked at it since it loaded
    except Exception:
        d.audit = None
        print(d.current_url, file=sys.stderr)
        print(d.page_source[:3000], file=sys.stderr)
        raise
    finally:
        d.quit()
        if audit:
            audit.summary()
    if audit and audit.failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
