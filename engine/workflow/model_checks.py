"""Checks a model's text passes before it is parsed: safe XML, and every expression and script
inside the sandbox. A refused model names its file and element."""

from lxml import etree

from engine.errors import ProcessDefinitionError, english_half
from engine.workflow.expressions import SafeEnvironment, UnsafeExpression
from engine.workflow.properties import EXPRESSION_PROPERTIES

MAX_FILE_BYTES = 2 * 1024 * 1024
_EXPRESSION_TAGS = {"conditionExpression", "timeDate", "timeDuration", "timeCycle", "loopCardinality",
                    "completionCondition", "formalExpression", "messagePath"}
_SCRIPT_TAGS = {"script", "preScript", "postScript"}
_REFUSED_TAGS = {"serviceTask": ("服务任务：它会调用引擎之外的系统",
                                 "service tasks call out of the engine and are not supported")}
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                              huge_tree=False, remove_pis=True)


def parse_xml(text: str, filename: str) -> etree._Element:
    """Parse model XML defensively: no DTD, no entities, no network, bounded size."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ProcessDefinitionError(f"{filename}：超过 {MAX_FILE_BYTES // 1024} KiB "
                                     f"({filename}: larger than {MAX_FILE_BYTES // 1024} KiB)")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ProcessDefinitionError(f"{filename}：不允许 DOCTYPE 和 ENTITY 声明 "
                                     f"({filename}: DOCTYPE and ENTITY declarations are not allowed)")
    try:
        return etree.fromstring(text.encode("utf-8"), _XML_PARSER)
    except etree.XMLSyntaxError as error:
        reason = english_half(error)
        raise ProcessDefinitionError(f"{filename}：XML 格式不正确：{reason} "
                                     f"({filename}: not well-formed XML: {reason})") from None


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _element_label(element) -> str:
    owner = element
    while owner is not None and owner.get("id") is None:
        owner = owner.getparent()
    return owner.get("id") if owner is not None else _local(element.tag)


def check_model_expressions(root: etree._Element, filename: str, env: SafeEnvironment) -> None:
    """Refuse any expression or script in a BPMN/DMN document that the sandbox would refuse."""
    is_dmn = _local(root.tag) == "definitions" and root.nsmap.get(None, "").startswith("https://www.omg.org/spec/DMN") \
        or any(_local(el.tag) == "decision" for el in root.iter() if isinstance(el.tag, str))
    for element in root.iter():
        tag = _local(element.tag)
        if tag in _REFUSED_TAGS:
            zh, en = _REFUSED_TAGS[tag]
            raise ProcessDefinitionError(f"{filename}：{element.get('id')}：不支持{zh} "
                                         f"({filename}: {element.get('id')}: {en})")
        text = (element.text or "").strip()
        try:
            if tag in _EXPRESSION_TAGS and text:
                env.check_expression(text)
            elif tag in _SCRIPT_TAGS and text:
                env.check_script(text)
            elif tag == "property" and element.get("name") in EXPRESSION_PROPERTIES:
                env.check_expression(element.get("value", ""))
            elif is_dmn and tag == "text":
                _check_dmn_cell(element, text, env)
        except UnsafeExpression as error:
            reason = english_half(error)
            raise ProcessDefinitionError(f"{filename}：{_element_label(element)}：表达式不安全：{reason} "
                                         f"({filename}: {_element_label(element)}: {reason})") from None


def _check_dmn_cell(element, text: str, env: SafeEnvironment) -> None:
    cell = _local(element.getparent().tag)
    if cell == "inputEntry" and text in ("", "-"):
        return
    if cell == "inputEntry":
        # A cell is either a value compared with == or a comparison fragment like '> 0'.
        try:
            env.check_expression(text)
        except UnsafeExpression:
            env.check_expression(f"dmn_input {text}")
    elif cell in ("inputExpression", "outputEntry"):
        env.check_expression(text)
