#!/usr/bin/python3
"""Check data/catalogue/*.json and embed them in the binary as C strings.

Usage: embed_catalogue.py CATALOGUE_DIR out.c

The mission design module (src/modules/design) reads its catalogue -- the
study's 30 models, 6 modalities, 21 mandate components, threats, success
factors, the capability vocabulary, life cycle, mandate rules and rates --
from these strings, so the binary needs no file at run time. The build fails
(exit 1) when a file does not parse or breaks the invariants below, each
named in the message.
"""
import json
import os
import sys

FILES = ["models", "capabilities", "modalities", "mandate_components", "threats",
         "success_factors", "signals", "lifecycle", "mandate_rules", "rates"]


def fail(msg: str) -> None:
    print(f"embed_catalogue: {msg}", file=sys.stderr)
    sys.exit(1)


def has_source(obj, what: str) -> None:
    s = obj.get("source")
    if not isinstance(s, dict) or not isinstance(s.get("file"), str) or \
            not isinstance(s.get("line"), int) or s["line"] < 1:
        fail(f"{what}: no source {{file, line}}")


def check(cat: dict) -> None:
    models = cat["models"]["models"]
    if [m["id"] for m in models] != list(range(1, 31)):
        fail("models.json must hold the 30 models with ids 1..30 in order")
    vocab = {c["code"] for c in cat["capabilities"]["capabilities"]}
    raw_of = {c["code"]: set(c["raw"]) for c in cat["capabilities"]["capabilities"]}
    comps = {c["id"] for c in cat["mandate_components"]["components"]}
    signals = {s["code"] for s in cat["signals"]["signals"]}
    for m in models:
        has_source(m, f"model {m['id']}")
        for k in ("name", "purpose", "capabilities_raw"):
            if not isinstance(m.get(k), str) or not m[k]:
                fail(f"model {m['id']}: missing {k}")
        if not m.get("tasks"):
            fail(f"model {m['id']}: no tasks")
        for c in m["capabilities"]:
            for code in c["codes"]:
                if code not in vocab:
                    fail(f"model {m['id']}: capability code {code} not in capabilities.json")
                if c["raw"] not in raw_of[code]:
                    fail(f"model {m['id']}: raw '{c['raw']}' not listed under {code}")
        for c in m["mandate_components"]:
            if c not in comps:
                fail(f"model {m['id']}: unknown mandate component {c}")
        for s in m["signals"]:
            if s not in signals:
                fail(f"model {m['id']}: unknown signal {s}")
        for ln in m["links"]:
            if not 1 <= ln["model"] <= 30:
                fail(f"model {m['id']}: link to unknown model {ln['model']}")
    for c in cat["capabilities"]["capabilities"]:
        if not c.get("sources") or not all(isinstance(x.get("line"), int) for x in c["sources"]):
            fail(f"capability {c['code']}: no sources (the models' capability lines)")
    if len(cat["modalities"]["modalities"]) != 6:
        fail("modalities.json must hold the 6 modalities")
    for x in cat["modalities"]["modalities"]:
        has_source(x, f"modality {x['id']}")
    if sorted(comps) != list(range(1, 22)):
        fail("mandate_components.json must hold the 21 components")
    for c in cat["mandate_components"]["components"]:
        for code in c["delivered_by"]:
            if code not in vocab:
                fail(f"mandate component {c['id']}: unknown capability {code}")
    if len(cat["success_factors"]["factors"]) != 10:
        fail("success_factors.json must hold the ten success factors")
    for t in cat["threats"]["threats"]:
        has_source(t, f"threat {t['id']}")
    for r in cat["mandate_rules"]["rules"]:
        if not r.get("sources"):
            fail(f"mandate rule {r['id']}: no sources")


def main() -> int:
    src, out = sys.argv[1], sys.argv[2]
    cat = {}
    for name in FILES:
        path = os.path.join(src, name + ".json")
        try:
            with open(path, encoding="utf-8") as f:
                cat[name] = json.load(f)
        except (OSError, ValueError) as e:
            fail(f"{path}: {e}")
    check(cat)
    lines = ["/* Generated from the JSON files of data/catalogue by scripts/embed_catalogue.py. */",
             "#include <stddef.h>", ""]
    names = []
    for name in FILES:
        text = json.dumps(cat[name], separators=(",", ":"), ensure_ascii=True)
        lines.append(f"static const char cat_{name}[] =")
        for i in range(0, len(text), 100):
            chunk = text[i:i + 100].replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'    "{chunk}"')
        lines[-1] += ";"
        names.append(name)
    lines.append("const char *const design_catalogue_names[] = {" +
                 ", ".join(f'"{n}"' for n in names) + "};")
    lines.append("const char *const design_catalogue_texts[] = {" +
                 ", ".join(f"cat_{n}" for n in names) + "};")
    lines.append(f"const size_t design_catalogue_count = {len(names)};")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
