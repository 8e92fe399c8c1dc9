"""Plausible forms for every task of the one-window model, for the simulation and the benchmarks."""

import random

from engine.cases.documents import AGENT, APPLICANT_IN_PERSON, PERSON, RESIDENT_ID
from engine.simulation import people

RATINGS = [("非常满意", 55), ("满意", 28), ("基本满意", 8), ("不满意", 3), ("非常不满意", 1), ("未评价", 5)]
APPROVE = {"decision": "approve", "opinion": "申请材料齐全，符合法定条件，准予许可"}
REFUSE = {"decision": "reject", "opinion": "不符合法定条件",
          "refusal_reasons": "经审查，申请人提交的场所证明与实际经营场所不符，不予许可"}


def decision(rng: random.Random, approve_share: float) -> dict:
    return dict(APPROVE if rng.random() < approve_share else REFUSE)


def pickup(rng: random.Random, recipient: str, applicant: dict | None, in_person_share: float = 0.85) -> dict:
    """Most people collect their own result; an organization's always comes through its agent."""
    checked = {"id_checked": True}
    if applicant is not None and applicant["kind"] == PERSON and rng.random() < in_person_share:
        return {"recipient_role": APPLICANT_IN_PERSON, "recipient_name": applicant["name"],
                "recipient_id_type": applicant["id_type"], "recipient_id_number": applicant["id_number"], **checked}
    return {"recipient_role": AGENT, "recipient_name": recipient, "recipient_id_type": RESIDENT_ID,
            "recipient_id_number": people.resident_id(rng), "authorization_checked": True, **checked}


# What a task asks for, known by its form's fields (the model's data contract), never by its
# step id or form file; the first field that a form has names its kind.
KINDS = (("notice_remarks", "notice"), ("correction_action", "correction"), ("higher_reference", "higher_result"),
         ("decision", "decision"), ("countersign_position", "countersign"), ("preliminary_opinion", "report"),
         ("recipient_role", "pickup"), ("waybill_number", "postal"), ("resume_note", "resume"),
         ("extension_decision", "extension_decision"), ("commitment_outcome", "commitment"),
         ("release_decision", "release"), ("meeting_place", "meeting"), ("delivered_on", "delivery"),
         ("rating", "rating"))


def kind_of(fields, role: str) -> str:
    """The kind of work of a task whose form has ``fields`` and whose model role is ``role``."""
    kind = next((kind for field, kind in KINDS if field in fields), None)
    if kind is None:
        raise ValueError(f"no plausible form for a task asking for {sorted(fields)}")
    return "decision_at_window" if kind == "decision" and role == "clerk" else kind


def task_form(kind: str, rng: random.Random, *, mandatory_materials: list[str], recipient: str,
              applicant: dict | None = None, approve_share: float = 0.92, withdraw_share: float = 0.04,
              short_share: float = 0.08, today: str | None = None) -> dict:
    """The form a person would submit for a task of ``kind`` (``kind_of``); ``applicant`` (kind, name,
    id_type, id_number) may collect the result in person, else ``recipient`` does as the agent."""
    if kind == "notice":
        return {"notice_remarks": "请按告知书补齐材料后到综合窗口提交"}
    if kind == "correction":
        roll = rng.random()
        if roll < withdraw_share:
            return {"correction_action": "withdraw", "withdraw_reason": "申请人决定暂不办理"}
        received = list(mandatory_materials)
        if roll < withdraw_share + short_share:
            received = received[:-1]
        return {"correction_action": "submit", "received_materials": received, "material_defects": []}
    if kind == "decision":
        return decision(rng, approve_share)
    if kind == "decision_at_window":
        return decision(rng, (1 + approve_share) / 2)
    if kind == "countersign":
        if rng.random() < 0.9:
            return {"countersign_position": "agree", "countersign_opinion": "经审查，符合本部门审查要求，同意"}
        return {"countersign_position": "object", "countersign_opinion": "消防设计审查意见未附，建议补充后再行许可"}
    if kind == "report":
        return {"preliminary_opinion": "经初审，材料齐全，符合设置规划，拟同意上报",
                "report_reference": f"示卫报〔2026〕{rng.randint(1, 999)}号"}
    if kind == "higher_result":
        return {**decision(rng, approve_share), "higher_reference": f"省卫批〔2026〕{rng.randint(1, 999)}号"}
    if kind == "pickup":
        return pickup(rng, recipient, applicant)
    if kind == "postal":
        return {"carrier": "EMS", "waybill_number": people.waybill(rng), "handed_to": "邮政揽收员"}
    if kind == "resume":
        return {"resume_note": "现场勘察完毕，场所与申请材料一致"}
    if kind == "extension_decision":
        return {"extension_decision": "approve", "extension_decision_reason": "情况属实，同意延期"}
    if kind == "commitment":
        return {"commitment_outcome": "supplied", "commitment_note": "申请人已按承诺补交材料"}
    if kind == "release":
        return {"release_decision": "release", "release_reason": "材料不影响审批结果，准予出件"}
    if kind == "meeting":
        return {"meeting_date": today, "meeting_place": "三楼联审会议室", "participants": "牵头及协办部门审批人员",
                "minutes": "各部门意见一致，同意许可"}
    if kind == "delivery":
        return {"delivered_on": today, "signed_by": recipient}
    if kind == "rating":
        labels, weights = zip(*RATINGS, strict=True)
        return {"rating": rng.choices(labels, weights=weights)[0]}
    raise ValueError(f"no plausible form for task kind '{kind}'")
