"""Builds cpxd answers into dataclasses typed as the upstream OpenCPX Python SDK types them.

A client of that SDK constructs each dataclass from the parsed JSON, so a key the class does not
declare is a TypeError and a missing required one too. Each field's value is also checked against
its annotation. With --yaml, each YAML file must read (PyYAML, safe_load) as exactly its JSON twin.
usage: python3 decode.py FILE.json...   |   python3 decode.py --yaml FILE.json FILE.yaml ...
"""
import json
import sys
import typing
from dataclasses import dataclass, field, fields
from typing import Any, Optional


@dataclass
class Organization:
    name: str
    domain: Optional[str] = None
    contact: Optional[str] = None


@dataclass
class EvidenceRef:
    url: str
    type: Optional[str] = None
    description: Optional[str] = None
    expires: Optional[str] = None
    hash: Optional[str] = None
    size_bytes: Optional[int] = None


@dataclass
class Control:
    id: str
    status: str
    title: Optional[str] = None
    reason: Optional[str] = None
    remediation_date: Optional[str] = None
    evidence_refs: list[str] = field(default_factory=list)


@dataclass
class Framework:
    name: str
    status: str
    score: float
    version: Optional[str] = None
    last_audit: Optional[str] = None
    auditor: Optional[str] = None
    report_ref: Optional[str] = None
    certificate_ref: Optional[str] = None
    controls: list[Control] = field(default_factory=list)


@dataclass
class Posture:
    compliance_posture: str
    version: str = "v1"
    timestamp: Optional[str] = None
    organization: Optional[Organization] = None
    frameworks: list[Framework] = field(default_factory=list)
    evidence_refs: list[Any] = field(default_factory=list)
    extensions: dict[str, Any] = field(default_factory=dict)


def typed(instance):
    """Every field's value is of its annotated type (dataclasses do not check this themselves)."""
    hints = typing.get_type_hints(type(instance))
    for f in fields(instance):
        value, hint = getattr(instance, f.name), hints[f.name]
        if typing.get_origin(hint) is typing.Union:
            if value is None:
                continue
            hint = typing.get_args(hint)[0]
        origin = typing.get_origin(hint) or hint
        if hint is Any:
            continue
        if hint is float and isinstance(value, int) and not isinstance(value, bool):
            continue
        if not isinstance(value, origin):
            raise TypeError(f"{type(instance).__name__}.{f.name} is {type(value).__name__}, not {hint}")
        if origin is list and typing.get_args(hint)[0] is str and not all(isinstance(v, str) for v in value):
            raise TypeError(f"{type(instance).__name__}.{f.name} holds a non-string")
    return instance


def build(data):
    frameworks = [
        typed(Framework(**{**f, "controls": [typed(Control(**c)) for c in f.get("controls", [])]}))
        for f in data.get("frameworks", [])
    ]
    refs = [typed(EvidenceRef(**r)) if isinstance(r, dict) else r for r in data.get("evidence_refs", [])]
    organization = typed(Organization(**data["organization"])) if "organization" in data else None
    posture = typed(Posture(**{**data, "organization": organization, "frameworks": frameworks, "evidence_refs": refs}))
    named = set()
    for ref in refs:
        if not isinstance(ref, EvidenceRef) or not ref.url:
            raise TypeError(f"a top-level evidence entry without a url: {ref!r}")
        named.update(v for v in (ref.url, ref.hash) if v)
    count = 0
    for framework in frameworks:
        for control in framework.controls:
            for ref in control.evidence_refs:
                if ref not in named:
                    raise TypeError(f"{framework.name} {control.id}: evidence ref {ref!r} names no top-level entry")
                count += 1
    return f"{len(posture.frameworks)} frameworks, {len(refs)} evidence entries, {count} control refs"


def main(args):
    if args and args[0] == "--yaml":
        import yaml
        pairs = args[1:]
        for json_file, yaml_file in zip(pairs[0::2], pairs[1::2]):
            with open(json_file) as j, open(yaml_file) as y:
                if json.load(j) != yaml.safe_load(y):
                    print(f"FAILED {yaml_file}: PyYAML reads other data than {json_file}")
                    return 1
            print(f"same data {yaml_file}")
        return 0
    for file in args:
        try:
            with open(file) as f:
                print(f"decoded {file}: {build(json.load(f))}")
        except (TypeError, KeyError) as err:
            print(f"FAILED {file}: {err}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
