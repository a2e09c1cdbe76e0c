"""A minimal PEP 517 / PEP 660 build backend, served by the index double as a wheel.

It reads [project] from pyproject.toml (a PEP 639 `license = "MIT"` string included, which
Debian's setuptools 66 rejects) and writes wheels; build isolation fetches it from the index.
"""
import base64
import hashlib
import os
import tomllib
import zipfile


def _project():
    with open("pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def _metadata(p):
    lines = ["Metadata-Version: 2.4", f"Name: {p['name']}", f"Version: {p['version']}"]
    if isinstance(p.get("license"), str):
        lines.append(f"License-Expression: {p['license']}")
    if p.get("requires-python"):
        lines.append(f"Requires-Python: {p['requires-python']}")
    lines += [f"Requires-Dist: {r}" for r in p.get("dependencies", [])]
    for extra, reqs in p.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {r}; extra == "{extra}"' for r in reqs]
    return "\n".join(lines) + "\n"


def _wheel(directory, files):
    p = _project()
    dist = p["name"].replace("-", "_")
    info = f"{dist}-{p['version']}.dist-info"
    files = dict(files)
    files[f"{info}/METADATA"] = _metadata(p).encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: legobackend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    h = lambda d: "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode()
    files[f"{info}/RECORD"] = ("\n".join([f"{k},{h(v)},{len(v)}" for k, v in files.items()] + [f"{info}/RECORD,,"]) + "\n").encode()
    name = f"{dist}-{p['version']}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w") as z:
        for k, v in files.items():
            z.writestr(k, v)
    return name


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    pkg = _project()["name"].replace("-", "_")
    files = {}
    for root, _, names in os.walk(pkg):
        for n in names:
            if n.endswith(".py"):
                path = os.path.join(root, n)
                with open(path, "rb") as f:
                    files[path] = f.read()
    return _wheel(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    pkg = _project()["name"].replace("-", "_")
    return _wheel(wheel_directory, {f"__editable__.{pkg}.pth": (os.getcwd() + "\n").encode()})
