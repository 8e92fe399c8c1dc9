"""The whole window-to-window path in a real browser (Debian's Chromium, driven by Playwright).

A clerk takes an incomplete application and prints the one-time notice, the applicant
returns with the missing material, an approver claims and approves, the clerk posts the
result with a waybill, the supervisor sees the board and the case; a joint case is countersigned;
an approver stops and resumes the clock and asks for more time, the chief approves. The server is
the real `onewindow serve` in its own process; screenshots of every page go to test-artifacts/browser/.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import DEMO_PASSWORD, resident_id, uscc

CHINA = ZoneInfo("Asia/Shanghai")  # the server runs on the real clock: "today" is China's
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"
ONEWINDOW = [sys.executable, "-c", "from cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(database_url: str):
    """``onewindow serve`` on a free port of this machine, its URL once it answers; stopped after."""
    port = _free_port()
    env = {**os.environ, "ONEWINDOW_DATABASE_URL": database_url, "ONEWINDOW_RUN_SCHEDULER": "false"}
    process = subprocess.Popen([*ONEWINDOW, "serve", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/login", timeout=1)
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"the server did not start: {process.stdout.read()}")
            time.sleep(0.5)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.sqlite'}") as url:
        yield url


class Person:
    """One member of staff at their own browser window."""

    def __init__(self, browser, url: str, username: str):
        self.page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.url, self.username = url, username
        self.page.goto(f"{url}/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def submit_task_form(self) -> None:
        self.page.click("form.task-form button[type=submit]")
        self.page.wait_for_load_state()

    def open_task(self, case_number: str) -> None:
        self.page.goto(f"{self.url}/tasks/")
        self.page.click(f"text={case_number}")
        self.page.wait_for_load_state()

    def claim_and_sign(self, case_number: str, position: str, opinion: str) -> None:
        """Countersign (会签) the department's part of a joint case."""
        self.open_task(case_number)
        self.page.click("form[action$='/claim'] button")
        self.page.wait_for_load_state()
        self.page.check(f"input[name=countersign_position][value={position}]")
        self.page.fill("[name=countersign_opinion]", opinion)
        self.submit_task_form()


def test_an_application_from_the_window_to_the_board(server, browser):
    clerk = Person(browser, server, "clerk1")
    assert "/cases/" in clerk.page.url
    clerk.shot("01-workspace")
    page = clerk.page
    page.goto(f"{server}/cases/new/SCJG-002")
    page.fill("input[name='applicant.name']", "王小明")
    page.fill("input[name='applicant.id_number']", resident_id())
    page.fill("input[name='applicant.phone']", "13912345678")
    materials = page.locator("input[name=received_materials]")
    for index in range(1, materials.count()):  # the first (mandatory) material is missing
        materials.nth(index).check()
    page.check("input[name=acceptable]")
    page.check("input[name=delivery_method][value=post]")
    page.fill("input[name='postal_address.recipient']", "王小明")
    page.fill("input[name='postal_address.phone']", "13912345678")
    page.fill("input[name='postal_address.address']", "示范市人民路1号3幢201室")
    page.select_option("select[name='postal_address.region']", index=1)
    clerk.shot("02-intake-form")
    page.click("form.intake button[type=submit]")
    page.wait_for_load_state()
    number = page.locator("h1").inner_text().split()[1]
    assert number.startswith("ZW")

    clerk.open_task(number)  # 出具一次性告知书
    clerk.shot("03-issue-notice")
    clerk.submit_task_form()
    page.goto(f"{server}/cases/{number}/notice")
    assert "一次性告知书" in page.content()
    clerk.shot("04-one-time-notice")

    clerk.open_task(number)  # the applicant returns: 补正材料
    page.check("input[name=correction_action][value=submit]")
    boxes = page.locator("input[name=received_materials]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    clerk.shot("05-correction")
    clerk.submit_task_form()

    approver = Person(browser, server, "scjg_approver1")
    approver.open_task(number)
    approver.page.click("form[action$='/claim'] button")
    approver.page.wait_for_load_state()
    approver.page.check("input[name=decision][value=approve]")
    approver.page.fill("[name=opinion]", "经审查，申请材料齐全，符合法定条件，准予许可")
    approver.shot("06-review")
    approver.submit_task_form()

    clerk.open_task(number)  # 邮寄送达
    page.check("input[name=carrier][value=EMS]")
    page.fill("input[name=waybill_number]", "1179834520012")
    page.fill("input[name=handed_to]", "邮政揽收员赵六")
    clerk.shot("07-postal-dispatch")
    clerk.submit_task_form()
    assert "确认妥投" in page.content()  # the next step opens at once: the parcel's delivery is confirmed later
    page.fill("input[name=delivered_on]", datetime.now(CHINA).date().isoformat())
    page.fill("input[name=signed_by]", "王小明")
    clerk.submit_task_form()

    supervisor = Person(browser, server, "supervisor")
    assert "/board/" in supervisor.page.url
    supervisor.shot("08-board")
    supervisor.page.goto(f"{server}/cases/{number}")
    content = supervisor.page.content()
    assert "正常办结" in content and "邮寄送达" in content
    supervisor.shot("09-case-seen-by-supervisor")


def test_a_joint_case_countersigned_by_two_departments(server, browser):
    """联办件: registered at the window, ZJJ (co) and ZRGH (lead) countersign, the lead approves
    seeing both opinions; the co-reviewing department reads only its own."""
    clerk = Person(browser, server, "clerk2")
    page = clerk.page
    page.goto(f"{server}/cases/new/ZRGH-001")
    page.fill("input[name='applicant.name']", "示范市城建开发有限公司")
    page.select_option("select[name='applicant.kind']", "organization")
    page.select_option("select[name='applicant.id_type']", "统一社会信用代码")
    page.fill("input[name='applicant.id_number']", uscc())
    page.fill("input[name='applicant.phone']", "0571-87654321")
    page.fill("input[name='applicant.contact_name']", "李四")
    materials = page.locator("input[name=received_materials]")
    for index in range(materials.count()):
        materials.nth(index).check()
    page.check("input[name=acceptable][value=yes]")
    page.click("form.intake button[type=submit]")
    page.wait_for_load_state()
    number = page.locator("h1").inner_text().split()[1]
    assert number.startswith("ZW") and "受理通知书" in page.content()

    co = Person(browser, server, "zjj_approver1")
    co.claim_and_sign(number, "object", "施工图设计文件未通过审查（《建筑法》第八条），暂不同意")
    lead_part = Person(browser, server, "zrgh_approver2")
    lead_part.claim_and_sign(number, "agree", "符合控制性详细规划，同意")

    co.page.goto(f"{server}/cases/{number}")
    seen_by_co = co.page.content()
    assert "暂不同意" in seen_by_co and "符合控制性详细规划" not in seen_by_co
    co.shot("10a-joint-case-seen-by-the-co-department")

    lead = Person(browser, server, "zrgh_approver1")
    lead.open_task(number)
    assert "牵头部门审查决定" in lead.page.content()
    lead.page.click("form[action$='/claim'] button")
    lead.page.wait_for_load_state()
    content = lead.page.content()
    assert "暂不同意" in content and "符合控制性详细规划" in content and "1 个部门提出异议" in content
    assert lead.page.locator("table.opinions tr.objection").count() == 1
    lead.page.check("input[name=decision][value=approve]")
    lead.page.fill("[name=opinion]", "住建部门意见已由申请人补充施工图审查合格书解决，准予许可")
    lead.shot("10-joint-lead-decision")
    lead.submit_task_form()
    lead.page.goto(f"{server}/cases/{number}")
    assert "准予" in lead.page.content() and "会签意见" in lead.page.content()


def test_the_clock_stopped_resumed_and_extended(server, browser):
    """An approver stops the clock (the decision form then waits), resumes it from the 恢复计时 page,
    asks for more time; the chief approves; the clerk prints the 延期告知书 from the case's notices."""
    clerk = Person(browser, server, "clerk3")
    page = clerk.page
    page.goto(f"{server}/cases/new/SCJG-002")
    page.fill("input[name='applicant.name']", "赵小红")
    page.fill("input[name='applicant.id_number']", resident_id(serial="456"))
    page.fill("input[name='applicant.phone']", "13912345679")
    materials = page.locator("input[name=received_materials]")
    for index in range(materials.count()):
        materials.nth(index).check()
    page.check("input[name=acceptable]")
    page.check("input[name=delivery_method][value=pickup]")
    page.click("form.intake button[type=submit]")
    page.wait_for_load_state()
    number = page.locator("h1").inner_text().split()[1]

    approver = Person(browser, server, "scjg_approver2")
    approver.open_task(number)
    approver.page.click("form[action$='/claim'] button")
    approver.page.wait_for_load_state()
    approver.page.select_option("form.suspend-form select[name=kind]", "现场勘察")
    approver.page.fill("form.suspend-form textarea[name=reason]", "约定现场勘察经营场所")
    approver.page.click("form.suspend-form button[type=submit]")
    approver.page.wait_for_load_state()
    assert "暂停计时中" in approver.page.content()
    assert approver.page.locator("form.task-form button[type=submit]").count() == 0
    approver.shot("11-review-while-the-clock-is-stopped")

    approver.page.click(".held-by a")  # to 恢复计时
    approver.page.wait_for_load_state()
    content = approver.page.content()
    assert "本环节结束的暂停计时" in content and "✓ 已收" in content and "窗口领取" in content
    approver.shot("12-resume-clock")
    approver.page.fill("[name=resume_note]", "现场勘察完毕")
    approver.submit_task_form()

    approver.open_task(number)
    approver.page.fill("form.extension-form textarea[name=reason]", "现场发现新问题需要核查。")
    approver.page.click("form.extension-form button[type=submit]")
    approver.page.wait_for_load_state()
    chief = Person(browser, server, "scjg_chief")
    chief.page.goto(f"{server}/tasks/")
    chief.page.click(f"tr:has-text('{number}'):has-text('延期') >> text={number}")
    chief.page.wait_for_load_state()
    content = chief.page.content()
    assert "待审批的延期申请" in content and "批准延期" in content and "✓ 已收" in content
    chief.page.check("input[name=extension_decision][value=approve]")
    chief.page.fill("[name=extension_decision_reason]", "同意延期")
    chief.shot("13-extension-decision")
    chief.submit_task_form()

    page.goto(f"{server}/cases/{number}")
    assert "已出具的通知书" in page.content()
    clerk.shot("14-case-with-its-notices")
    page.click(f"a[href='/cases/{number}/notices/extension/1']")
    page.wait_for_load_state()
    assert "因现场发现新问题需要核查，经本机关负责人批准" in page.content()
    clerk.shot("15-extension-notice")
    print(f"screenshots in {ARTIFACTS}")
