"""Putting a center into service in a real browser: the administrator created on the command line signs
in, creates a clerk and an approver, and each signs in with the one-time password and must choose a new one."""

import os
import subprocess

import pytest

from tests.test_browser import ARTIFACTS, ONEWINDOW, serving

ADMIN_PASSWORD = "Harbour-lights-ninety-7"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = f"sqlite:///{tmp_path_factory.mktemp('accounts') / 'accounts.sqlite'}"
    env = {**os.environ, "ONEWINDOW_DATABASE_URL": database}
    subprocess.run([*ONEWINDOW, "db", "upgrade"], env=env, check=True, capture_output=True)
    created = subprocess.run([*ONEWINDOW, "admin", "create", "center_admin", "--name", "张管理", "--password-stdin"],
                             env=env, input=ADMIN_PASSWORD + "\n", text=True, capture_output=True)
    assert created.returncode == 0, created.stdout + created.stderr
    with serving(database) as url:
        yield url


def _sign_in(page, url, username, password):
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _create(page, url, username, name, role, department=None) -> str:
    page.goto(f"{url}/admin/staff")
    form = page.locator("#new-staff form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=name]").fill(name)
    form.locator(f"input[name=roles][value={role}]").check()
    if department:
        form.locator("select[name=department]").select_option(department)
    form.locator("input[name=seconding_unit]").fill("示范市市场监督管理局")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    return page.locator("#one-time-password").inner_text().strip()


def _first_sign_in(browser, url, username, one_time, new_password, name):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    _sign_in(page, url, username, one_time)
    assert page.url.endswith("/password"), page.url  # every page leads here until a password is chosen
    page.goto(f"{url}/")
    assert page.url.endswith("/password")
    page.screenshot(path=str(ARTIFACTS / f"accounts-choose-password-{username}.png"), full_page=True)
    page.fill("input[name=old_password]", one_time)
    page.fill("input[name=new_password]", new_password)
    page.fill("input[name=new_password_confirm]", new_password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert not page.url.endswith("/password") and name in page.content()
    page.close()
    page = browser.new_page()
    _sign_in(page, url, username, new_password)  # the chosen password works, the one-time one is gone
    assert not page.url.endswith("/login") and not page.url.endswith("/password")
    page.close()


def test_the_first_administrator_puts_staff_into_service(server, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    admin = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    _sign_in(admin, server, "center_admin", ADMIN_PASSWORD)
    assert admin.url.endswith("/admin/staff")
    clerk_password = _create(admin, server, "window_wang", "王窗口", "clerk")
    approver_password = _create(admin, server, "scjg_zhao", "赵审批", "approver", "SCJG")
    admin.goto(f"{server}/admin/staff")
    admin.screenshot(path=str(ARTIFACTS / "accounts-staff-list.png"), full_page=True)
    assert "王窗口" in admin.content() and "赵审批" in admin.content()
    _first_sign_in(browser, server, "window_wang", clerk_password, "Window-willow-morning-31", "王窗口")
    _first_sign_in(browser, server, "scjg_zhao", approver_password, "Approver-pine-evening-58", "赵审批")
