/**
 * What every upload ledger does, whichever store keeps it (a folder, memory, PostgreSQL): the
 * per-round byte quota when a file arrives, and the sweep of old uploads no round refers to.
 */
import { expect } from 'vitest';
import type { RoundStatus } from '../../domain/round.js';
import { sha256Hex, type ContentStore } from '../../infra/store.js';
import { putUpload, sweepUploads, type UploadLedger, type RoundsToSweep } from '../../infra/uploads.js';
import { FakeRounds } from './fakeRounds.js';

const DAY = 86_400_000;

/** A PNG's first bytes with a tag of the test's own, so that every scan is new to the store. */
export const scan = (tag: string) =>
  Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from(`${tag}:${Math.random()}`)]);

/** A round (the reply tests' or another) whose first bureau's latest reply carries `scanSha256`. */
export function withScan(round: RoundStatus, scanSha256: string): RoundStatus {
  const copy = structuredClone(round);
  copy.bureaus[0]!.replies.push({
    n: 1,
    version: 1,
    submittedAt: '2022-02-05T02:00:00.000Z',
    channel: 'link',
    sha256: sha256Hex('reply'),
    scanSha256,
    comments: 0,
  } as unknown as RoundStatus['bureaus'][number]['replies'][number]);
  return copy;
}

export async function quotaScenario(store: ContentStore & UploadLedger, roundId: string): Promise<void> {
  const a = scan('a');
  const first = await putUpload(store, store, roundId, a, { quotaBytes: a.byteLength + 10 });
  expect(first.ok).toBe(true);
  expect(await store.uploadedBytes(roundId)).toBe(a.byteLength);
  // The same bytes again are not a second upload.
  expect(await putUpload(store, store, roundId, a, { quotaBytes: a.byteLength + 10 })).toEqual(first);
  expect(await store.uploadedBytes(roundId)).toBe(a.byteLength);
  // Past the quota: refused, and nothing stored.
  const b = scan('b');
  expect(await putUpload(store, store, roundId, b, { quotaBytes: a.byteLength + 10 })).toEqual({
    ok: false,
    reason: 'roundQuota',
    quotaBytes: a.byteLength + 10,
  });
  expect(await store.has(sha256Hex(b))).toBe(false);
  // Another round has its own.
  expect((await putUpload(store, store, `${roundId}-other`, b, { quotaBytes: b.byteLength })).ok).toBe(true);
}

/**
 * Four uploads to `round`: an old one no round refers to (deleted), an old one the round's reply
 * refers to (kept, and forgotten by the ledger), a recent unused one (kept), and bytes that were in
 * the store before they were uploaded (a circulated document: never recorded, never deleted).
 */
export async function sweepScenario(store: ContentStore & UploadLedger, round: RoundStatus): Promise<void> {
  const now = Date.now();
  const old = new Date(now - 8 * DAY);
  const unused = scan('unused');
  const used = scan('used');
  const recent = scan('recent');
  const doc = Buffer.from(`# 第一章\n\n${Math.random()}\n`);
  await store.put(doc);
  for (const [bytes, at] of [
    [unused, old],
    [used, old],
    [recent, new Date(now - DAY)],
    [doc, old],
  ] as const)
    expect((await putUpload(store, store, round.id, bytes, { now: at })).ok).toBe(true);
  const rounds = new FakeRounds(store, withScan(round, sha256Hex(used)));
  const cutoff = new Date(now - 7 * DAY);

  const dry = await sweepUploads(store, rounds, cutoff, { dryRun: true });
  expect(dry.deleted.map((d) => d.sha256)).toEqual([sha256Hex(unused)]);
  expect(await store.has(sha256Hex(unused))).toBe(true);

  const swept = await sweepUploads(store, rounds, cutoff);
  expect(swept.deleted.map((d) => d.sha256)).toEqual([sha256Hex(unused)]);
  expect(swept.kept).toBe(1);
  expect(await store.has(sha256Hex(unused))).toBe(false);
  for (const b of [used, recent, doc]) expect(await store.has(sha256Hex(b))).toBe(true);
  // The used scan is kept for good: even once no round lists it (its history expired), it is no candidate.
  const gone = new FakeRounds(store, []);
  // (A ledger shared with other tests may hold their uploads too: only this scenario's are looked at.)
  const last = (await sweepUploads(store, gone, new Date(now))).deleted.map((d) => d.sha256);
  expect(last).toContain(sha256Hex(recent));
  for (const b of [used, doc]) expect(last).not.toContain(sha256Hex(b));
  expect(await store.has(sha256Hex(used))).toBe(true);
  expect(await store.has(sha256Hex(doc))).toBe(true);
}

/** When a round cannot be read, nothing is deleted. */
export async function unreadableScenario(store: ContentStore & UploadLedger, round: RoundStatus): Promise<void> {
  const bytes = scan('unreadable');
  await putUpload(store, store, round.id, bytes, { now: new Date(Date.now() - 30 * DAY) });
  const rounds = new FakeRounds(store, round);
  rounds.unavailable = true;
  await expect(sweepUploads(store, rounds as RoundsToSweep, new Date())).rejects.toThrow(/nothing was deleted/);
  expect(await store.has(sha256Hex(bytes))).toBe(true);
}
