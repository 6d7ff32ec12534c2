/**
 * `plan-review up` against an existing Temporal (TEMPORAL_ADDRESS set, as with a cluster): it must
 * use that server instead of starting the embedded one, serve the web pages, and stop cleanly on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../../infra/ports.js';

const CLI = fileURLToPath(new URL('../../bin/plan-review', import.meta.url));

describe('plan-review up with TEMPORAL_ADDRESS', () => {
  it('uses the given Temporal, serves the web pages and the mail sink, and stops on SIGINT', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-up-'));
    const webPort = await freePort();
    const child = spawn(CLI, ['up'], {
      env: {
        ...process.env,
        PLAN_REVIEW_DATA_DIR: dir,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: `up-${process.pid}`,
        WEB_PORT: String(webPort),
        PUBLIC_URL: `http://127.0.0.1:${webPort}`,
        SMTP_SINK_PORT: String(await freePort()),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => out, { timeout: 60_000, interval: 200 }).toContain('running; press Ctrl-C to stop');
      expect(out).not.toContain('starting the Temporal dev server');
      expect(out).not.toContain('Temporal Web UI');
      expect(out).toMatch(/mail sink listening on 127\.0\.0\.1:\d+/);
      expect(out).toContain(`created users in ${path.join(dir, 'users.yaml')}`);
      const health = await fetch(`http://127.0.0.1:${webPort}/healthz`);
      expect(await health.json()).toEqual({ ok: true });
      expect((await fetch(`http://127.0.0.1:${webPort}/`, { redirect: 'manual' })).status).toBe(302);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('[up] stopping');
    await rm(dir, { recursive: true, force: true });
  }, 120_000);
});
