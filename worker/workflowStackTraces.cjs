/**
 * Loaded with --require by a worker process (bin/plan-review, worker/launchSettings.ts), so that it
 * runs first in each of the Temporal SDK's workflow threads, which inherit the process's flags.
 *
 * Unless WORKFLOW_STACK_TRACES=on, the SDK's workflow threads skip installing its promise hook and
 * run as they do on a runtime without promise hooks: no workflow stack traces (the Temporal UI's
 * Stack Trace tab and `temporal workflow stack` answer "Workflow stack traces are not enabled on
 * this worker"). With the hook, the SDK captures and source-maps a stack trace for every promise a
 * round makes, which was 15-18% of a worker's CPU (BENCHMARKS.md). Turn them on to see where a
 * round is waiting while debugging.
 *
 * Only the SDK's own hook is left out (GlobalHandlers.setPromiseHook, in the module its workflow
 * threads load): Node's AsyncLocalStorage, which the SDK's cancellation scopes use, installs promise
 * hooks of its own through the same v8.promiseHooks and needs them. The module is patched when a
 * thread loads it, so other threads (the TypeScript loader's) load nothing more; the main thread
 * runs no workflow code and is left alone.
 */
'use strict';
const path = require('node:path');
const { isMainThread } = require('node:worker_threads');
const { Hook } = require('require-in-the-middle');

const VM_SHARED = path.join('@temporalio', 'worker', 'lib', 'workflow', 'vm-shared.js');

if (!isMainThread && process.env.WORKFLOW_STACK_TRACES !== 'on') {
  const hook = new Hook(['@temporalio/worker'], { internals: true }, (exports, name) => {
    if (name !== VM_SHARED) return exports;
    hook.unhook();
    const handlers = exports.GlobalHandlers && exports.GlobalHandlers.prototype;
    if (handlers && typeof handlers.setPromiseHook === 'function') {
      handlers.setPromiseHook = function withoutStackTraces() {};
    } else {
      process.emitWarning(
        'this release of @temporalio/worker has no GlobalHandlers.setPromiseHook: workflow stack traces stay on',
      );
    }
    return exports;
  });
}
