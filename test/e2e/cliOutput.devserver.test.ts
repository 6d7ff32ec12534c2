/**
 * The real CLI binary, its output piped into another program: all of it arrives. A pipe takes
 * 64 KiB at a time, so a CLI that exits before its output has left stops there.
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
import { devServerWorker } from '../support/testWorker.js';
import { smallRoundInput } from '../support/rounds.js';

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

    const env = {
      ...process.env,
      PLAN_REVIEW_DATA_DIR: dir,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    };
    const { stdout } = await promisify(execFile)('sh', ['-c', '"$0" round status "$1" --json | cat', CLI, id], {
      env,
      timeout: 60_000,
      maxBuffer: 64 << 20,
    });

    expect(Buffer.byteLength(stdout)).toBeGreaterThan(3 * PIPE_BUFFER);
    const status = RoundStatus.parse(JSON.parse(stdout));
    expect(status.id).toBe(id);
    expect(status.bureaus.map((b) => b.bureau.id)).toEqual(bureaus.map((b) => b.id));
  });
});
