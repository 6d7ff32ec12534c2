/**
 * bin/plan-review starts a worker with the V8 flags of worker/node-flags, the preload that keeps the
 * SDK's workflow stack traces off and the environment of worker/env, and every other command without
 * them (`up`, with a worker inside, with the preload). A stand-in `node` first on the PATH prints the
 * arguments it was given, then the malloc settings it was started with.
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK_TRACES_PRELOAD, workerEnv, workerNodeFlags, workflowStackTraces } from '../../worker/launchSettings.js';

const BIN = fileURLToPath(new URL('../../bin/plan-review', import.meta.url));
const MALLOC_VARS = ['LD_PRELOAD', 'MALLOC_CONF', 'MALLOC_ARENA_MAX'] as const;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-launcher-'));
  const printed = MALLOC_VARS.map((v) => `"${v}=\${${v}-unset}"`).join(' ');
  await writeFile(path.join(dir, 'node'), `#!/bin/sh\nprintf "%s\\n" "$@" ${printed}\n`);
  await chmod(path.join(dir, 'node'), 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** What the stand-in node printed: its arguments, and the malloc variables it was given. */
async function launch(args: string[], env: Record<string, string> = {}, bin = BIN) {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !(MALLOC_VARS as readonly string[]).includes(k)),
  );
  const { stdout, stderr } = await promisify(execFile)(bin, args, {
    env: { ...base, ...env, PATH: `${dir}:${process.env.PATH}` },
  });
  const lines = stdout.trimEnd().split('\n');
  const malloc = Object.fromEntries(lines.slice(-MALLOC_VARS.length).map((l) => l.split(/=(.*)/s).slice(0, 2)));
  return { args: lines.slice(0, -MALLOC_VARS.length), malloc, stderr };
}

/** A copy of the launcher beside a worker/env of its own. */
async function launcherWithEnv(env: string): Promise<string> {
  const root = await mkdtemp(path.join(dir, 'tree-'));
  await mkdir(path.join(root, 'bin'));
  await mkdir(path.join(root, 'worker'));
  await copyFile(BIN, path.join(root, 'bin', 'plan-review'));
  await copyFile(
    fileURLToPath(new URL('../../worker/node-flags', import.meta.url)),
    path.join(root, 'worker', 'node-flags'),
  );
  await writeFile(path.join(root, 'worker', 'env'), env);
  return path.join(root, 'bin', 'plan-review');
}

describe('bin/plan-review', () => {
  it('starts a worker with the V8 flags of worker/node-flags and the stack-trace preload, before the program', async () => {
    const flags = workerNodeFlags();
    expect(flags).toContain('--max-semi-space-size=4');
    expect(flags.slice(-2)).toEqual(['--require', STACK_TRACES_PRELOAD]);
    const { args } = await launch(['worker']);
    expect(args.slice(0, flags.length)).toEqual(flags);
    expect(args.slice(-2)).toEqual([expect.stringMatching(/cli\/main\.ts$/), 'worker']);
  });

  it('starts `up`, whose worker runs inside it, with the stack-trace preload only', async () => {
    const { args, malloc } = await launch(['up', '--demo']);
    expect(args.slice(0, 3)).toEqual(['--require', STACK_TRACES_PRELOAD, '--import']);
    expect(args.slice(-3)).toEqual([expect.stringMatching(/cli\/main\.ts$/), 'up', '--demo']);
    expect(malloc).toEqual({ LD_PRELOAD: 'unset', MALLOC_CONF: 'unset', MALLOC_ARENA_MAX: 'unset' });
  });

  it("starts a worker with worker/env's malloc settings, the same as the benchmarks' workers", async () => {
    // scripts/setup.sh installs jemalloc, so the loader finds it here.
    const expected = { LD_PRELOAD: 'libjemalloc.so.2', MALLOC_CONF: 'background_thread:true', MALLOC_ARENA_MAX: '1' };
    expect(workerEnv({})).toEqual(expected);
    const { malloc, stderr } = await launch(['worker']);
    expect(malloc).toEqual(expected);
    expect(stderr).toBe('');
  });

  it("keeps the operator's own setting, an empty one included", async () => {
    const { malloc } = await launch(['worker'], { MALLOC_ARENA_MAX: '4', LD_PRELOAD: '' });
    expect(malloc).toMatchObject({ MALLOC_ARENA_MAX: '4', LD_PRELOAD: '' });
    expect(workerEnv({ MALLOC_ARENA_MAX: '4', LD_PRELOAD: '' })).toEqual({ MALLOC_CONF: 'background_thread:true' });
  });

  it('leaves out a library the loader cannot find, and says nothing about it', async () => {
    const env = '# a comment line\nLD_PRELOAD=libnot-installed-here.so.9\nMALLOC_ARENA_MAX=1';
    const { malloc, stderr } = await launch(['worker'], {}, await launcherWithEnv(env));
    expect(malloc).toEqual({ LD_PRELOAD: 'unset', MALLOC_CONF: 'unset', MALLOC_ARENA_MAX: '1' });
    expect(stderr).toBe('');
    const file = path.join(dir, 'env');
    await writeFile(file, env);
    expect(workerEnv({}, file)).toEqual({ MALLOC_ARENA_MAX: '1' });
  });

  it('starts every other command without them, its arguments as given', async () => {
    const { args, malloc } = await launch(['web', '--port', '8080 8081']);
    expect(args[0]).toBe('--import');
    expect(args.slice(-4)).toEqual([expect.stringMatching(/cli\/main\.ts$/), 'web', '--port', '8080 8081']);
    expect(malloc).toEqual({ LD_PRELOAD: 'unset', MALLOC_CONF: 'unset', MALLOC_ARENA_MAX: 'unset' });
  });
});

describe('workflowStackTraces', () => {
  it('is off only in a process started with the preload, unless set on', () => {
    expect(workflowStackTraces('off', ['--require', STACK_TRACES_PRELOAD])).toBe('off');
    expect(workflowStackTraces('off', [`--require=${STACK_TRACES_PRELOAD}`])).toBe('off');
    expect(workflowStackTraces('on', ['--require', STACK_TRACES_PRELOAD])).toBe('on');
    // A worker started another way (a container's own node command) keeps the SDK's default.
    expect(workflowStackTraces('off', ['--max-semi-space-size=4'])).toBe('on');
  });
});
