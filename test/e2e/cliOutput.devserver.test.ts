/**
 * The real CLI binary against the dev server: its output piped into another program all arrives (a
 * pipe takes 64 KiB at a time, so a CLI that exits before its output has left stops there); and
 * `round start` tells on stderr what it is doing, step by step, with the time in the round's zone,
 * named, while stdout keeps only its result for scripts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Bureau } from '../../domain/records.js';
import { RoundStatus } from '../../domain/round.js';
import { ROUND_LIMITS } from '../../domain/limits.js';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { LocalContentStore } from '../../infra/store.js';
import { formatInstant } from '../../infra/templates.js';
import { ensureInitialUsers } from '../../infra/users.js';
import { devServerWorker } from '../support/testWorker.js';
import { smallRoundInput } from '../support/rounds.js';
import { writeSeedRoundFile } from '../support/seedRoundFile.js';

const CLI = fileURLToPath(new URL('../../bin/plan-review', import.meta.url));
const TASK_QUEUE = `test-cli-output-${process.pid}`;
const PIPE_BUFFER = 64 * 1024;
let client: Client;
let stop: () => Promise<void>;
let dir: string;
let store: LocalContentStore;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-cli-output-'));
  store = new LocalContentStore(path.join(dir, 'store'));
  // The status is a query: it is answered only while a worker polls the round's task queue.
  ({ client, stop } = await devServerWorker({ taskQueue: TASK_QUEUE, store }));
});

afterAll(async () => {
  await stop?.();
  await rm(dir, { recursive: true, force: true });
});

/** The CLI's environment: this file's data folder, the dev server and its worker's task queue. */
const cliEnv = (more: Record<string, string> = {}) => ({
  ...process.env,
  PLAN_REVIEW_DATA_DIR: dir,
  TEMPORAL_ADDRESS: inject('temporalAddress'),
  TEMPORAL_TASK_QUEUE: TASK_QUEUE,
  ...more,
});

/** As many bureaus as a round takes, with long names, so the round's status as JSON is several times a pipe's buffer. */
function manyBureaus(count: number): Bureau[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `bureau-${i}`,
    nameZh: `大同市新荣区第${i}测试局`.padEnd(120, '局'),
    nameEn: `Xinrong District Test Bureau No. ${i}`.padEnd(180, '.'),
    contacts: [1, 2, 3, 4, 5, 6].map((k) => ({
      email: `bureau-${i}-contact-${k}@bureaus.example.org`,
      name: `第${i}测试局联系人${k}`.padEnd(60, '人'),
    })),
    contactPerson: `第${i}测试局办公室`.padEnd(100, '室'),
  }));
}

describe('the CLI piped into another program', () => {
  it('writes the whole round status (far beyond 64 KiB) before it exits', async () => {
    const bureaus = manyBureaus(ROUND_LIMITS.bureausPerRound);
    const rounds = roundCalls(client, store, TASK_QUEUE);
    const id = await rounds.start(await smallRoundInput(store, { bureaus }));
    await expect.poll(async () => (await rounds.status(id)).bureaus.length, { timeout: 30_000 }).toBe(bureaus.length);

    const { stdout } = await promisify(execFile)('sh', ['-c', '"$0" round status "$1" --json | cat', CLI, id], {
      env: cliEnv(),
      timeout: 60_000,
      maxBuffer: 64 << 20,
    });

    expect(Buffer.byteLength(stdout)).toBeGreaterThan(3 * PIPE_BUFFER);
    const status = RoundStatus.parse(JSON.parse(stdout));
    expect(status.id).toBe(id);
    expect(status.bureaus.map((b) => b.bureau.id)).toEqual(bureaus.map((b) => b.id));
  });
});

describe('plan-review round start', () => {
  it('prints its progress on stderr in order, the time local with its zone named, and only the result on stdout', async () => {
    // The seed's round under a plan id of its own: the dev server is shared by every test file.
    const planId = `cli-progress-${process.pid}`;
    const file = await writeSeedRoundFile(dir, planId);
    await ensureInitialUsers(path.join(dir, 'users.yaml'));
    const stamp = () => formatInstant(new Date().toISOString(), 'Asia/Shanghai', { seconds: true });

    const before = stamp();
    const { stdout, stderr } = await promisify(execFile)(CLI, ['round', 'start', file], {
      env: cliEnv({ PLAN_REVIEW_USER: 'coordinator' }),
      timeout: 60_000,
    });
    const after = stamp();

    const id = `round:${planId}:1`;
    expect(stdout).toBe(`started ${id}\n`);
    const steps = stderr.split('\n').filter((line) => /^\[\d\/3\]/.test(line));
    expect(steps).toEqual([
      `[1/3] reading ${file} and the documents it names…`,
      '[2/3] 2 document(s) stored by hash, 7 bureaus; starting the round…',
      expect.stringMatching(
        new RegExp(
          `^\\[3/3\\] started at (\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}) 北京时间 \\(UTC\\+8\\); the worker sends the invitations now \\(plan-review round status ${id}\\)$`,
        ),
      ),
    ]);
    // The time is now, in Beijing time (the seed round's zone): the same format sorts as the clock does.
    const at = /started at (\S+ \S+)/.exec(steps[2]!)![1]!;
    expect(at >= before.slice(0, 19) && at <= after.slice(0, 19), `${before} ≤ ${at} ≤ ${after}`).toBe(true);
    expect(stderr, 'a bare UTC time').not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z/);

    // What the second step says: the two drafts are in the store, by the hashes the round holds.
    const rounds = roundCalls(client, store, TASK_QUEUE);
    const status = await rounds.status(id);
    expect(status.bureaus).toHaveLength(7);
    for (const d of status.documents) expect(await store.has(d.versions[0]!.sha256), d.key).toBe(true);
  }, 120_000);
});
