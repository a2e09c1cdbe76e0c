// Plain `python -m unittest` has no report file option, so its tests run through this small
// runner of ours instead: the same `unittest.main` (`python -m unittest` with the same words:
// discovery, module names, -v, -p, -s, -t; same exit status, same printed output), with a result
// class that records each test's status and writes them, one JSON line per test and an end line,
// to the run's report path (a per-run nonce the code under test is not given; the runner takes
// it out of the environment before any test module loads and writes the whole report once the
// tests have run, so a run killed or exited early leaves none). Ids are the ones the verbose output
// names (`mod.Class.test_x`, `mod.Class.setUpClass` for a class fixture's error,
// `unittest.loader._FailedTest.mod` for a module that does not import), read from the same
// description text the old parser read (sandbox/test-logs/unittest.ts), so stored tasks keep
// their ids; a failing subtest fails its test. With LEGO_UNITTEST_ONLY naming a file of ids, only
// those tests run (after the same discovery or names), a class fixture's id selecting its class.
// The printed `... ok` lines are only claims, checked against the report (report.ts).
import { shQuote } from "../quote.js";
import { REPORT_PLACEHOLDER } from "./report.js";

/** Where the test command writes the runner before starting it. */
export const UNITTEST_RUNNER_PATH = "/tmp/lego-unittest-runner.py";

/** The environment variable the runner reads the report path from (and deletes). */
export const UNITTEST_REPORT_ENV = "LEGO_UNITTEST_REPORT";

/** The environment variable naming a file of test ids, one a line, to run alone (and deleted). */
export const UNITTEST_ONLY_ENV = "LEGO_UNITTEST_ONLY";

export const UNITTEST_RUNNER_SOURCE = String.raw`import json, os, re, sys, unittest

_HEADER = re.compile(r'\s*([A-Za-z_]\w*) \(([A-Za-z_][\w.]*)\)')
_FIXTURES = ('setUpClass', 'tearDownClass', 'setUpModule', 'tearDownModule')
_out = os.environ.pop('LEGO_UNITTEST_REPORT', None)
_only_file = os.environ.pop('LEGO_UNITTEST_ONLY', None)
_only = None
# lego synth's per-test coverage map (src/synthetic/coverage.ts): the same measuring module the
# pytest plugin drives, on the path synth gives; measured from before the test modules load.
_cov = None
if os.environ.get('LEGO_COVERAGE_OUT'):
    import lego_coverage_core as _cov
    _cov.start()
if _only_file:
    with open(_only_file, encoding='utf-8', errors='surrogateescape') as f:
        _only = set(line.rstrip('\n') for line in f if line.strip())


def _lego_id(test):
    # The id the verbose output shows: "name (dotted)" read as the log parser reads it.
    try:
        text = str(test)
    except Exception:
        text = ''
    m = _HEADER.match(text)
    if m:
        name, dotted = m.group(1), m.group(2)
        return dotted if dotted.endswith('.' + name) else dotted + '.' + name
    return test.id()


def _selected(test_id):
    if test_id in _only:
        return True
    for wanted in _only:
        head, _, last = wanted.rpartition('.')
        if last in _FIXTURES and test_id.startswith(head + '.'):
            return True
    return False


def _filter(suite):
    if not isinstance(suite, unittest.TestSuite):
        return suite if _selected(_lego_id(suite)) else None
    kept = [t for t in (_filter(t) for t in suite) if t is not None]
    return suite.__class__(kept) if kept else None


class _Result(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lego = {}

    def startTest(self, test):
        if _cov is not None:
            _cov.begin(_lego_id(test))
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        if _cov is not None:
            _cov.end()

    def _lego(self, test, status):
        test_id = _lego_id(test)
        if status == 'PASSED' and self.lego.get(test_id) in ('FAILED', 'ERROR'):
            return
        self.lego[test_id] = status

    def addSuccess(self, test):
        super().addSuccess(test)
        self._lego(test, 'PASSED')

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._lego(test, 'FAILED')

    def addError(self, test, err):
        super().addError(test, err)
        self._lego(test, 'ERROR')

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._lego(test, 'SKIPPED')

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._lego(test, 'XFAIL')

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._lego(test, 'FAILED')

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._lego(test, 'FAILED' if issubclass(err[0], test.failureException) else 'ERROR')


class _Runner(unittest.TextTestRunner):
    resultclass = _Result

    def run(self, test):
        if _only is not None:
            test = _filter(test) or unittest.TestSuite()
        result = super().run(test)
        if _cov is not None:
            _cov.finish()
        if _out:
            lines = [json.dumps({'id': i, 'status': s}) for i, s in result.lego.items()]
            lines.append(json.dumps({'end': True, 'tests': len(result.lego), 'testsRun': result.testsRun}))
            data = ('\n'.join(lines) + '\n').encode('ascii')
            fd = os.open(_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                while data:
                    data = data[os.write(fd, data):]
            finally:
                os.close(fd)
        return result


if __name__ == '__main__':
    __unittest = True
    sys.argv[0] = 'python -m unittest'
    sys.path[0] = os.getcwd()
    unittest.main(module=None, testRunner=_Runner)
`;

/** Where a repeat's chosen ids are written for the runner. */
const ONLY_PATH = "/tmp/lego-unittest-only";

/** Ids beyond this size go unselected (the whole command repeats): one shell word holds 128 KiB at most. */
const MAX_SELECTION_BYTES = 96 * 1024;

/**
 * The shell command that writes the runner and starts it with `args` (the words that would
 * follow `python3 -m unittest`) after the `env` assignments, its report at REPORT_PLACEHOLDER.
 */
export function unittestRunnerCommand(env: string[], args: string[]): string {
  return [`printf '%s' ${shQuote(UNITTEST_RUNNER_SOURCE)} > ${UNITTEST_RUNNER_PATH} &&`, ...env, `${UNITTEST_REPORT_ENV}=${REPORT_PLACEHOLDER}`, "python3", UNITTEST_RUNNER_PATH, ...args].join(" ");
}

/**
 * The same runner command restricted to these test ids (same discovery or names, so the same
 * ids); the unchanged command when the ids are too many to pass.
 */
export function unittestSelectCommand(ids: string[], command: string): string {
  const list = ids.map(shQuote).join(" ");
  if (Buffer.byteLength(list) > MAX_SELECTION_BYTES || ids.some((id) => id.includes("\n"))) return command;
  return `printf '%s\\n' ${list} > ${ONLY_PATH} && export ${UNITTEST_ONLY_ENV}=${ONLY_PATH} && ${command}`;
}
