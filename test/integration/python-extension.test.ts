// A Python project whose tests import a C extension (setup.py ext_modules), validated in the real
// Docker engine: the image's compiled copy is an untracked build output, so the clean tree removes
// it before every run, and each state rebuilds its own from its own sources (`build_ext
// --inplace`, Debian's python3-dev for the headers). The fix is in the C source, so FAIL_TO_PASS
// exists only if the Oracle state runs the extension built from the fixed source.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Files, repoWithFix } from "../support/fixture-repos.js";
import { openValidationBench, type ValidationBench } from "../support/validation-bench.js";

const speed = (op: string) => `#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a ${op} b);
}

static PyObject *mul(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a * b);
}

static PyMethodDef methods[] = {{"add", add, METH_VARARGS, NULL}, {"mul", mul, METH_VARARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speed", NULL, -1, methods};
PyMODINIT_FUNC PyInit__speed(void) { return PyModule_Create(&module); }
`;

const project: Files = {
  "setup.py": 'from setuptools import Extension, setup\n\nsetup(name="fastcalc", version="0.1.0", packages=["fastcalc"], ext_modules=[Extension("fastcalc._speed", ["fastcalc/_speed.c"])])\n',
  "fastcalc/__init__.py": "from fastcalc._speed import add, mul\n",
  "fastcalc/_speed.c": speed("-"),
  "tests/__init__.py": "",
  "tests/test_speed.py": "import unittest\n\nfrom fastcalc import mul\n\n\nclass Speed(unittest.TestCase):\n    def test_mul(self):\n        self.assertEqual(mul(2, 3), 6)\n",
};
const fix: Files = {
  "fastcalc/_speed.c": speed("+"),
  "tests/test_speed.py": "import unittest\n\nfrom fastcalc import add, mul\n\n\nclass Speed(unittest.TestCase):\n    def test_mul(self):\n        self.assertEqual(mul(2, 3), 6)\n\n    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n",
};

let bench: ValidationBench;

beforeAll(async () => {
  bench = await openValidationBench("lego-ext-");
  // No package index answers (refused at once rather than timing out): the image is built the
  // offline way, Debian's setuptools installing the project and compiling the extension.
  bench.deps.pipIndexUrl = "http://127.0.0.1:9/simple/";
}, 60_000);

afterAll(async () => {
  await bench?.close();
});

describe("a compiled extension rebuilt in each state", () => {
  it("validates a fix made in the C source: the Oracle runs the extension built from it", async () => {
    const fixture = repoWithFix(path.join(bench.work, "fastcalc"), project, fix);
    const { env, result } = await bench.validate("fastcalc", fixture, { runs: 1 });
    if (!env.ok) throw new Error(env.reason);
    expect(env.plan.build).toBe("python3 setup.py -q build_ext --inplace");
    expect(result.reason).toBeNull();
    expect(result.failToPass).toEqual(["tests.test_speed.Speed.test_add"]);
    expect(result.passToPass).toEqual(["tests.test_speed.Speed.test_mul"]);

    // Without the rebuild (same image), the clean tree leaves no extension to import: no task.
    const { result: unbuilt } = await bench.validate("fastcalc", fixture, { runs: 1, plan: { ...env.plan, build: undefined } });
    expect(unbuilt.valid).toBe(false);
    expect(unbuilt.runs.map((r) => r.logTail).join("\n")).toMatch(/No module named 'fastcalc\._speed'/);
  }, 600_000);

  it("builds it offline where pyproject.toml uses PEP 639 license fields Debian's setuptools 66 rejects (markupsafe at HEAD)", async () => {
    // As markupsafe 3.1: metadata in [project] with license = "<SPDX>" and license-files, setuptools>=77, the extension in setup.py.
    const pep639: Files = {
      ...project,
      "setup.py": 'from setuptools import Extension, setup\n\nsetup(ext_modules=[Extension("fastcalc._speed", ["fastcalc/_speed.c"])])\n',
      "pyproject.toml": '[project]\nname = "fastcalc"\nversion = "0.1.0"\nlicense = "MIT"\nlicense-files = ["LICENSE.txt"]\n\n[build-system]\nrequires = ["setuptools>=77"]\nbuild-backend = "setuptools.build_meta"\n\n[tool.setuptools]\npackages = ["fastcalc"]\n',
      "LICENSE.txt": "MIT\n",
    };
    const fixture = repoWithFix(path.join(bench.work, "fastcalc-pep639"), pep639, fix);
    const { env, result } = await bench.validate("fastcalc-pep639", fixture, { runs: 1 });
    if (!env.ok) throw new Error(env.reason);
    expect(env.plan.build).toMatch(/^python3 setup\.py -q build_ext --inplace \|\| /);
    expect(result.reason).toBeNull();
    expect(result.failToPass).toEqual(["tests.test_speed.Speed.test_add"]);
    expect(result.passToPass).toEqual(["tests.test_speed.Speed.test_mul"]);
    // Without the retry, the plain command fails on the license the way markupsafe's did.
    const { result: plain } = await bench.validate("fastcalc-pep639", fixture, { runs: 1, plan: { ...env.plan, build: "python3 setup.py -q build_ext --inplace" } });
    expect(plain.valid).toBe(false);
    expect(plain.reason).toMatch(/the build step `python3 setup\.py -q build_ext --inplace` failed .*project\.license/s);
  }, 600_000);
});
