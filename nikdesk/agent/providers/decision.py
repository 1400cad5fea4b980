"""The decision a local model makes each turn, as a bounded JSON schema (for a grammar).

``{"action": <tool name | "answer">, "arguments": {...}}``: one alternative per offered tool,
tying the action to that tool's own arguments; every string and array is bounded so the
sampler can neither produce anything else nor ramble.
"""

from __future__ import annotations

from typing import Any

from nikdesk.agent.providers.base import ToolSpec

ANSWER = "answer"  # the decision action that means "write the answer now"
STRING_CHARS = 200  # bound for a string parameter whose spec gives none
ARRAY_ITEMS = 8  # bound for an array parameter whose spec gives none


def decision_schema(tools: list[ToolSpec]) -> dict[str, Any]:
    """Return the JSON schema of a decision: one alternative per tool, plus "answer"."""
    alternatives = [
        _alternative(spec["function"]["name"], spec["function"].get("parameters", {}))
        for spec in tools
    ]
    alternatives.append(_alternative(ANSWER, {"type": "object", "properties": {}}))
    return {"anyOf": alternatives}


def _alternative(action: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"action": {"const": action}, "arguments": bounded(arguments)},
        "required": ["action", "arguments"],
        "additionalProperties": False,
    }


def bounded(schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    """Return ``schema`` with every string, array and object bounded for the grammar."""
    out = {k: v for k, v in schema.items() if k != "description"}
    kind = out.get("type")
    if kind == "string" and "enum" not in out:
        out.setdefault("maxLength", STRING_CHARS)
        if required:  # an empty required string ("query": "") is a wasted tool call
            out.setdefault("minLength", 1)
    elif kind == "array":
        out.setdefault("maxItems", ARRAY_ITEMS)
        out["items"] = bounded(out.get("items", {"type": "string"}))
    elif kind == "object" or "properties" in out:
        must = set(out.get("required", ()))
        out["type"] = "object"
        out["properties"] = {
            name: bounded(sub, name in must) for name, sub in out.get("properties", {}).items()
        }
        out["additionalProperties"] = False  # free keys would make the output unbounded
    return out


def matches(value: Any, schema: dict[str, Any]) -> bool:
    """Check ``value`` against the schema subset :func:`decision_schema` produces."""
    if "anyOf" in schema:
        return any(matches(value, alt) for alt in schema["anyOf"])
    if "const" in schema:
        return bool(value == schema["const"])
    if "enum" in schema and value not in schema["enum"]:
        return False
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return (
            isinstance(value, dict)
            and all(key in value for key in schema.get("required", ()))
            and all(key in props and matches(v, props[key]) for key, v in value.items())
        )
    if kind == "string":
        return isinstance(value, str) and (
            schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value))
        )
    if kind == "array":
        return (
            isinstance(value, list)
            and len(value) <= schema.get("maxItems", len(value))
            and all(matches(item, schema.get("items", {})) for item in value)
        )
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return kind is None


def decision_instructions(tools: list[ToolSpec]) -> str:
    """Describe the tools and the decision format (German, like the rest of the prompt)."""
    lines = ["Werkzeuge:"]
    for spec in tools:
        function = spec["function"]
        params = function.get("parameters", {})
        must = set(params.get("required", ()))
        args = ", ".join(
            f'"{name}"' + (" (Pflicht)" if name in must else "")
            for name in params.get("properties", {})
        )
        lines.append(f"- {function['name']}: {function.get('description', '')} Argumente: {args}")
    lines += [
        "Entscheide den nächsten Schritt und antworte nur mit einem JSON-Objekt:",
        '{"action": "<Werkzeugname>", "arguments": {...}} ruft ein Werkzeug auf;',
        '{"action": "answer", "arguments": {}} heißt: Die Ergebnisse reichen, ich antworte jetzt.',
    ]
    return "\n".join(lines)
