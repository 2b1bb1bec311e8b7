#!/usr/bin/python3
"""Render docs/openapi.yaml as JSON and write it as a C string for the binary.

Usage: embed_openapi.py openapi.yaml out.c
Fails (exit 1) when the YAML does not parse or is not an OpenAPI 3 document.
"""
import json
import sys

import yaml


def main() -> int:
    src, out = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3."):
        print(f"{src}: not an OpenAPI 3 document", file=sys.stderr)
        return 1
    text = json.dumps(doc, separators=(",", ":"), sort_keys=False)
    lines = ["/* Generated from docs/openapi.yaml by scripts/embed_openapi.py. */",
             "const char pko_openapi_json[] ="]
    for i in range(0, len(text), 100):
        chunk = text[i:i + 100].replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'    "{chunk}"')
    lines[-1] += ";"
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
