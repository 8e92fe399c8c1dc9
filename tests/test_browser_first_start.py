"""Issue 18's acceptance test: the whole first start of a real center in a real browser.

On a database with no demo staff the administrator is created on the command line, signs in, creates a
department and an item, a clerk (and a second clerk for the B post), an approver of the department and
a comprehensive window; the clerk signs in with the one-time password, chooses a new one and registers an
application for the new item; the approver does the same, claims the task from his inbox and approves;
the case then shows its next step. Screenshots go to test-artifacts/browser/first-start-NN-*.png."""

from tests.helpers import resident_id
from tests.test_browser import ARTIFACTS
from tests.test_browser_accounts import ADMIN_PASSWORD, _create, _sign_in, server  # noqa: F401

DEPARTMENT, ITEM = "WSJ", "WSJ-001"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"first-start-{name}.png"), full_page=True)


def _choose_password(browser, url, username, one_time, new_password, shot):  # noqa: F811
    """Sign in with the one-time password; every page leads to /password until a new one is chosen."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    _sign_in(page, url, username, one_time)
    assert page.url.endswith("/password"), page.url
    _shot(page, shot)
    page.fill("input[name=old_password]", one_time)
    page.fill("input[name=new_password]", new_password)
    page.fill("input[name=new_password_confirm]", new_password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert not page.url.endswith("/password") and not page.url.endswith("/login"), page.url
    return page


def test_the_first_start_of_a_center(server, browser):  # noqa: F811
    admin = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    _sign_in(admin, server, "center_admin", ADMIN_PASSWORD)
    assert admin.url.endswith("/admin/staff"), admin.url
    _shot(admin, "01-admin-signed-in")

    admin.goto(f"{server}/admin/catalogue")
    admin.fill("#department-form input[name=code]", DEPARTMENT)
    admin.fill("#department-form input[name=name]", "示范市卫生健康委员会")
    admin.fill("#department-form input[name=short_name]", "卫健委")
    admin.click("#department-form button[type=submit]")
    admin.wait_for_load_state()
    assert "已保存部门 示范市卫生健康委员会" in admin.content()
    _shot(admin, "02-department")

    admin.click("text=新增事项")
    admin.wait_for_load_state()
    form = "#item-form"
    admin.fill(f"{form} input[name=code]", ITEM)
    admin.fill(f"{form} input[name=name]", "公共场所卫生许可")
    admin.select_option(f"{form} select[name=department]", DEPARTMENT)
    admin.select_option(f"{form} select[name=case_type]", "承诺件")
    admin.fill(f"{form} input[name=legal_limit_days]", "20")
    admin.fill(f"{form} input[name=promised_limit_days]", "10")
    admin.fill(f"{form} textarea[name=legal_basis]", "《公共场所卫生管理条例》第八条")
    admin.fill(f"{form} textarea[name=conditions]", "有符合卫生要求的经营场所和设施")
    admin.fill(f"{form} input[name=result_name]", "公共场所卫生许可证")
    admin.fill(f"{form} input[name='materials-0-code']", "M01")
    admin.fill(f"{form} input[name='materials-0-name']", "公共场所卫生许可申请书")
    admin.check(f"{form} input[name='materials-0-mandatory']")
    admin.click(f"{form} button[type=submit]")
    admin.wait_for_load_state()
    assert admin.url.endswith(f"/admin/catalogue/items/{ITEM}"), admin.url
    assert "公共场所卫生许可 · v1" in admin.content()
    _shot(admin, "03-item")

    clerk_one_time = _create(admin, server, "window_li", "李窗口", "clerk")
    backup_one_time = _create(admin, server, "window_chen", "陈窗口", "clerk")
    approver_one_time = _create(admin, server, "wsj_sun", "孙审批", "approver", DEPARTMENT)
    assert clerk_one_time and backup_one_time and approver_one_time
    admin.goto(f"{server}/admin/staff")
    content = admin.content()
    assert "李窗口" in content and "陈窗口" in content and "孙审批" in content
    _shot(admin, "04-staff")

    admin.goto(f"{server}/admin/windows")
    window = "#save-window form"
    admin.fill(f"{window} input[name=code]", "C01")
    admin.fill(f"{window} input[name=name]", "综合受理1号窗口")
    admin.select_option(f"{window} select[name=kind]", "comprehensive")
    admin.select_option(f"{window} select[name=a_staff]", "window_li")
    admin.select_option(f"{window} select[name=b_staff]", "window_chen")
    admin.click(f"{window} button[type=submit]")
    admin.wait_for_load_state()
    assert admin.url.endswith("/admin/windows"), admin.url
    content = admin.content()
    assert "已保存窗口 综合受理1号窗口" in content and "李窗口（window_li）" in content
    _shot(admin, "05-window")

    clerk = _choose_password(browser, server, "window_li", clerk_one_time, "Window-lotus-morning-42",
                             "06-clerk-chooses-password")
    clerk.goto(f"{server}/cases/new/{ITEM}")
    assert "公共场所卫生许可" in clerk.content()
    clerk.fill("input[name='applicant.name']", "刘小芳")
    clerk.fill("input[name='applicant.id_number']", resident_id(serial="789"))
    clerk.fill("input[name='applicant.phone']", "13912345670")
    materials = clerk.locator("input[name=received_materials]")
    assert materials.count() == 1
    materials.nth(0).check()
    clerk.check("input[name=acceptable]")
    clerk.check("input[name=delivery_method][value=pickup]")
    _shot(clerk, "07-intake-form")
    clerk.click("form.intake button[type=submit]")
    clerk.wait_for_load_state()
    number = clerk.locator("h1").inner_text().split()[1]
    assert number.startswith("ZW"), number
    assert "受理通知书" in clerk.content() and "— → 已受理" in clerk.locator("main").inner_text()
    _shot(clerk, "08-accepted")

    approver = _choose_password(browser, server, "wsj_sun", approver_one_time, "Approver-cedar-noon-73",
                                "09-approver-chooses-password")
    approver.goto(f"{server}/tasks/")
    assert number in approver.content()
    _shot(approver, "10-approver-inbox")
    approver.click(f"text={number}")
    approver.wait_for_load_state()
    approver.click("form[action$='/claim'] button")
    approver.wait_for_load_state()
    approver.check("input[name=decision][value=approve]")
    approver.fill("[name=opinion]", "经审查，申请材料齐全，符合法定条件，准予许可")
    _shot(approver, "11-review")
    approver.click("form.task-form button[type=submit]")
    approver.wait_for_load_state()

    approver.goto(f"{server}/tasks/")
    assert number not in approver.content()  # the task is done, it left the inbox

    clerk.goto(f"{server}/cases/{number}")
    assert "正常办结" in clerk.locator("h1").inner_text()
    content = clerk.locator("main").inner_text()
    assert "已受理 → 正常办结" in content and "（准予）" in content, content
    assert "当前环节\t窗口出件" in content and "结果送达：窗口领取" in content, content  # the window hands it out
    _shot(clerk, "12-case-after-approval")
    print(f"screenshots in {ARTIFACTS}")
