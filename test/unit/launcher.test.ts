/**
 * bin/plan-review starts a worker with the V8 flags of worker/node-flags and every other command
 * without them. A stand-in `node` first on the PATH prints the arguments it was given.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerNodeFlags } from '../../worker/nodeFlags.js';

const BIN = fileURLToPath(new URL('../../bin/plan-review', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-launcher-'));
  await writeFile(path.join(dir, 'node'), '#!/bin/sh\nprintf "%s\\n" "$@"\n');
  await chmod(path.join(dir, 'node'), 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function nodeArgs(...args: string[]): Promise<string[]> {
  const { stdout } = await promisify(execFile)(BIN, args, {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
  });
  return stdout.trimEnd().split('\n');
}

describe('bin/plan-review', () => {
  it('starts a worker with the V8 flags of worker/node-flags, before the program', async () => {
    const flags = workerNodeFlags();
    expect(flags).toContain('--max-semi-space-size=4');
    const args = await nodeArgs('worker');
    expect(args.slice(0, flags.length)).toEqual(flags);
    expect(args.slice(-2)).toEqual([expect.stringMatching(/cli\/main\.ts$/), 'worker']);
  });

  it('starts every other command without them, its arguments as given', async () => {
    const args = await nodeArgs('web', '--port', '8080 8081');
    expect(args[0]).toBe('--import');
    expect(args.slice(-4)).toEqual([expect.stringMatching(/cli\/main\.ts$/), 'web', '--port', '8080 8081']);
  });
});
