// uvu has no reporter option and prints results per suite, naming only the tests that failed.
// This preload (given to the uvu process through NODE_OPTIONS=--require) writes one TAP line per
// test to the run's report path: it learns the running test from uvu itself and its result from
// the mark (`•` pass, `✘` fail) uvu writes right after it, counted only when the write comes from
// uvu's module (the stack's calling frame), so a test printing a mark changes nothing. uvu 0.4 and
// later name the running test in `state.__test__` / `state.__suite__` (CJS and ESM test files);
// uvu 0.3 names nothing, so there the `test` / `suite` functions of the runner module the CLI
// itself loads (its `require('.')`, CJS only as 0.3 is) are wrapped before any test file loads:
// each registered handler names its test when uvu calls it. Files are named from the working
// directory whatever directory uvu was given (uvu/parse exports `parse` from 0.5, the function
// itself in 0.3 and 0.4; uvu 0.0.x has no uvu/parse, its bin.js requires each file it found by
// absolute path), so ids match between a full run and a run of chosen files. The report path is
// taken out of the environment before any test file loads. Checked against uvu 0.3.3 (CJS, and
// ESM syntax through `-r esm`) and 0.5.6 (CJS and ESM test files); printed output is only a claim
// (sandbox/test-logs/uvu.ts reads it).

/** Where the test command writes the preload before starting uvu. */
export const UVU_HOOK_PATH = "/tmp/lego-uvu-hook.cjs";

/** The environment variable the preload reads the report path from (and deletes). */
export const UVU_REPORT_ENV = "LEGO_UVU_REPORT";

export const UVU_HOOK_SOURCE = String.raw`'use strict';
(function () {
  var out = process.env.LEGO_UVU_REPORT;
  if (!out || !/[\\/](?:uvu[\\/]bin\.js|\.bin[\\/]uvu)$/.test(process.argv[1] || '')) return;
  delete process.env.LEGO_UVU_REPORT;
  var fs = require('fs'), path = require('path');
  var names = new WeakMap(), suites = new WeakMap();
  var known = [], current = null, file = '', n = 0, counts = { pass: 0, fail: 0 };
  var put = function (line) { fs.appendFileSync(out, line + '\n'); };
  var esc = function (s) { return String(s).replace(/[\r\n]+/g, ' ').replace(/[\\#]/g, '\\$&'); };
  var rename = function (parse) {
    return function () {
      return parse.apply(this, arguments).then(function (ctx) {
        ctx.suites.forEach(function (s) { s.name = path.relative(process.cwd(), s.file).split(path.sep).join('/'); known.push(s.name); });
        return ctx;
      });
    };
  };
  var parsed = false;
  try {
    var parsePath = require.resolve('uvu/parse', { paths: [process.cwd()] });
    var parser = require(parsePath);
    if (typeof parser === 'function') require.cache[parsePath].exports = rename(parser);
    else parser.parse = rename(parser.parse);
    parsed = true;
  } catch (e) {}
  var named = function (suite, name, handler) {
    if (typeof handler !== 'function') return handler;
    return function () { current = { suite: String(suite || ''), test: String(name) }; return handler.apply(this, arguments); };
  };
  var wrap = function (test, suite) {
    var wrapped = function (name, handler) { return test.call(this, name, named(suite, name, handler)); };
    Object.keys(test).forEach(function (k) { wrapped[k] = test[k]; });
    if (typeof test.only === 'function') wrapped.only = function (name, handler) { return test.only.call(this, name, named(suite, name, handler)); };
    return wrapped;
  };
  try {
    var root = path.dirname(fs.realpathSync(process.argv[1]));
    if (/^0\.[0-3]\./.test(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version)) {
      var uvu = require(root), suite = uvu.suite;
      uvu.test = wrap(uvu.test, '');
      uvu.suite = function (name) { return wrap(suite.apply(this, arguments), name); };
      if (!parsed) {
        // uvu 0.0.x finds its files in bin.js (no uvu/parse): each file's group is pushed on the
        // queue, then the file is required by its absolute path; the group is renamed then.
        var Module = require('module'), load = Module._load, pending = null;
        uvu.QUEUE.push = function (group) { pending = group; return Array.prototype.push.apply(this, arguments); };
        Module._load = function (request) {
          if (pending && typeof request === 'string' && path.isAbsolute(request)) {
            pending[0] = path.relative(process.cwd(), request).split(path.sep).join('/');
            known.push(pending[0]);
            pending = null;
          }
          return load.apply(this, arguments);
        };
      }
    }
  } catch (e) {}
  Object.defineProperty(Object.prototype, '__suite__', { configurable: true, get: function () { return suites.get(this); }, set: function (v) { suites.set(this, v); } });
  Object.defineProperty(Object.prototype, '__test__', { configurable: true, get: function () { return names.get(this); }, set: function (v) {
    names.set(this, v);
    current = v ? { suite: suites.get(this) || '', test: String(v) } : null;
  } });
  var write = process.stdout.write;
  process.stdout.write = function (chunk) {
    var plain = String(chunk).replace(/\x1b\[[0-9;]*m/g, '');
    var caller = (new Error().stack || '').split('\n')[2] || '';
    if (/[\\/]uvu[\\/]dist[\\/]index\.m?js/.test(caller)) {
      var header = plain.slice(0, -1);
      if (plain.slice(-1) === '\n' && known.indexOf(header) !== -1) file = header;
      else if (current && (plain === '\u2022 ' || plain === '\u2718 ')) {
        var ok = plain === '\u2022 ';
        counts[ok ? 'pass' : 'fail']++;
        put((ok ? 'ok ' : 'not ok ') + (++n) + ' - ' + esc([file, current.suite, current.test].filter(Boolean).join(' > ')));
        current = null;
      }
    }
    return write.apply(this, arguments);
  };
  process.on('exit', function () { put('1..' + n); put('# pass ' + counts.pass); put('# fail ' + counts.fail); });
})();
`;
