/** Uploads never used: the per-round byte quota and the sweep, on the local folder and in memory (PostgreSQL: postgresStore.test.ts). */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalContentStore, MemoryContentStore } from '../../infra/store.js';
import { parseAge, roundQuotaMessage, sweepUploads, type RoundsToSweep } from '../../infra/uploads.js';
import { replyFixture } from '../support/replyFixture.js';
import { quotaScenario, sweepScenario, unreadableScenario } from '../support/uploadScenarios.js';

const dirs: string[] = [];
async function localStore() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-uploads-'));
  dirs.push(dir);
  return new LocalContentStore(dir);
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe.each([
  ['the local folder', localStore],
  ['memory', async () => new MemoryContentStore()],
])('uploads in %s', (_name, open) => {
  it("refuses an upload past the round's byte quota, storing nothing", async () => {
    await quotaScenario(await open(), 'round:test-plan:1');
  });
  it('sweeps old uploads no round refers to, and keeps the used, the recent and what was stored before', async () => {
    await sweepScenario(await open(), (await replyFixture()).status);
  });
  it('deletes nothing when a round cannot be read', async () => {
    await unreadableScenario(await open(), (await replyFixture()).status);
  });
});

describe('a round just started', () => {
  it('keeps the documents it was started with while its status has not described them yet', async () => {
    const store = new MemoryContentStore();
    const week = 8 * 86_400_000;
    const doc = await store.put(Buffer.from('# 第一章\n'));
    const unused = await store.put(Buffer.from('a scan never submitted'));
    for (const u of [doc, unused])
      await store.recordUpload({ ...u, roundId: 'round:test-plan:1', at: new Date(Date.now() - week).toISOString() });
    // As Temporal answers for a round whose first task has not run: listed with its start's documents, no documents yet in its status.
    const starting: RoundsToSweep = {
      list: async () => ({ kind: 'done', value: [{ id: 'round:test-plan:1', documents: [doc.sha256] }] }),
      status: async () => ({ kind: 'done', value: { id: 'round:test-plan:1', documents: [] } }),
    };
    const swept = await sweepUploads(store, starting, new Date());
    expect(swept.deleted.map((d) => d.sha256)).toEqual([unused.sha256]);
    expect(await store.has(doc.sha256)).toBe(true);
  });
});

describe('the sweep command', () => {
  it('reads ages in days, hours or minutes', () => {
    expect(parseAge('7d')).toBe(7 * 86_400_000);
    expect(parseAge('12h')).toBe(12 * 3_600_000);
    expect(parseAge('30m')).toBe(30 * 60_000);
    for (const bad of ['7', 'd', '-1d', '7w', '7d ', '']) expect(parseAge(bad), bad).toBeUndefined();
  });
  it('says the quota in Chinese and English', () => {
    const m = roundQuotaMessage(2 * 1024 ** 3);
    expect(m).toContain('本轮次上传的文件已达上限（共 2048 MiB）');
    expect(m).toContain("This round's uploads have reached their limit (2048 MiB in all)");
  });
});
