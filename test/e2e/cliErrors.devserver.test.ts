/**
 * The real CLI binary when the Temporal server refuses it: one line with the cause and what to do,
 * the client library's trace only behind --debug, and a non-zero exit.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../infra/ports.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../bin/plan-review', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-cli-errors-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the binary against the suite's dev server in a namespace that server does not have. */
function cliInMissingNamespace(args: string[]): Promise<Run> {
  return cli(args, { TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: 'no-such-namespace' });
}

function cli(args: string[], temporal: Record<string, string>): Promise<Run> {
  const env = { ...process.env, PLAN_REVIEW_DATA_DIR: dir, PLAN_REVIEW_USER: 'coordinator', ...temporal };
  return new Promise((resolve) => {
    execFile(CLI, args, { env, timeout: 90_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A line of a JavaScript stack trace. */
const TRACE_LINE = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

describe('the CLI when the server refuses', () => {
  it('prints one line with the cause and the way to the details, and exits 1', async () => {
    const run = await cliInMissingNamespace(['round', 'status', 'round:xinrong-eco-plan:1']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(TRACE_LINE);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.startsWith('plan-review: '))).toBe(true);
    // The cause, in the server's words, and what to check.
    expect(lines[0]).toContain("'no-such-namespace'");
    expect(lines[0]).toContain('is TEMPORAL_NAMESPACE right?');
    expect(lines[1]).toContain('--debug');
  });

  it('says in one line that nothing answers at the address, and what to check', async () => {
    const run = await cli(['round', 'status', 'round:xinrong-eco-plan:1'], {
      // A port free a moment ago: nothing listens there.
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    });

    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(TRACE_LINE);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^plan-review: cannot reach Temporal at 127\.0\.0\.1:\d+ .*TEMPORAL_ADDRESS/);
  });

  it('shows the trace behind the same line with --debug', async () => {
    const run = await cliInMissingNamespace(['round', 'status', 'round:xinrong-eco-plan:1', '--debug']);

    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toContain('no-such-namespace');
    expect(run.stderr).toMatch(/NamespaceNotFoundError/);
    expect(run.stderr).toMatch(TRACE_LINE);
  });
});
