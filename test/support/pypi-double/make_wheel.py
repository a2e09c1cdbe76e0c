"""Writes one pure-Python wheel: python3 make_wheel.py SPEC_JSON OUT_DIR.

SPEC_JSON: {"name", "version", "requires": [...], "files": {path: text}, "requires_python"?}.
The wheel is what pip expects (dist-info with METADATA, WHEEL and RECORD with hashes), nothing more.
"""
import base64
import hashlib
import json
import os
import sys
import zipfile


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def main() -> None:
    spec = json.loads(sys.argv[1])
    out = sys.argv[2]
    name, version = spec["name"], spec["version"]
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if spec.get("requires_python"):
        meta.append(f"Requires-Python: {spec['requires_python']}")
    meta += [f"Requires-Dist: {r}" for r in spec.get("requires", [])]
    files = {path: text.encode() for path, text in spec.get("files", {}).items()}
    files[f"{info}/METADATA"] = ("\n".join(meta) + "\n").encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: lego-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = [f"{p},{record_hash(d)},{len(d)}" for p, d in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = os.path.join(out, f"{dist}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for p, d in files.items():
            z.writestr(p, d)
    print(path)


main()
