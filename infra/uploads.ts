/**
 * Uploads that may never be used: a scan a bureau attached to a reply it never submitted, a paper
 * reply's scan or a revised version the coordinator left unsent. The store keeps every upload (so a
 * form shown again keeps it), and records each one here with its round, size and time, so that
 *   - a round's uploads can be held to a byte quota when they arrive (web/replyRoutes.ts), and
 *   - a sweep can remove the ones nothing refers to once they are old enough (`plan-review store sweep`).
 *
 * Only bytes that were new to the store when uploaded are recorded: a file identical to a circulated
 * document or an earlier reply's scan is already kept for that reason and is never a candidate.
 * The sweep is conservative: it deletes nothing unless it could read every round, a blob whose hash
 * appears anywhere in any round's status stays, and an upload seen referenced once is forgotten by
 * the ledger (kept for good), so a round whose history later expires never loses its scans.
 */
import { z } from 'zod';
import { Sha256 } from '../domain/records.js';
import type { Outcome } from './roundGateway.js';
import { createHash } from 'node:crypto';
import type { ContentStore } from './store.js';

export const UploadRecord = z.object({
  sha256: Sha256,
  size: z.number().int().nonnegative(),
  roundId: z.string().min(1),
  /** When it was uploaded (ISO 8601). */
  at: z.iso.datetime({ offset: true }),
});
export type UploadRecord = z.infer<typeof UploadRecord>;

export interface UploadLedger {
  /** Records an upload (once per hash: a second record of the same bytes changes nothing). */
  recordUpload(record: UploadRecord): Promise<void>;
  /** The bytes of the uploads recorded for a round (and not yet forgotten). */
  uploadedBytes(roundId: string): Promise<number>;
  /** The uploads recorded before `cutoff`. */
  uploadsBefore(cutoff: Date): Promise<UploadRecord[]>;
  /** Forgets an upload's record; its bytes stay in the store. */
  forgetUpload(sha256: string): Promise<void>;
  /** Removes an upload's bytes from the store and its record. */
  deleteUpload(sha256: string): Promise<void>;
}

export type UploadStore = ContentStore & UploadLedger;

/** A round's uploads are refused past this many bytes (every link's together): twenty full-size scans per bureau of a large round. */
export const ROUND_UPLOAD_QUOTA_BYTES = 2 * 1024 * 1024 * 1024;

/** The message when a round's upload quota is used up (Chinese, then English). */
export function roundQuotaMessage(quotaBytes: number): string {
  const mib = Math.round(quotaBytes / 1024 / 1024);
  return (
    `本轮次上传的文件已达上限（共 ${mib} MiB），文件未保存；其他填写内容已保留。请联系协调人。 ` +
    `This round's uploads have reached their limit (${mib} MiB in all): the file was not kept. Everything else you typed is kept; please contact the coordinator.`
  );
}

/**
 * Stores an upload and records it (when its bytes were new to the store), unless the round's quota
 * would be exceeded: then nothing is stored.
 */
export async function putUpload(
  store: ContentStore,
  ledger: UploadLedger | undefined,
  roundId: string,
  bytes: Uint8Array,
  opts: { quotaBytes?: number; now?: Date } = {},
): Promise<{ ok: true; sha256: string } | { ok: false; reason: 'roundQuota'; quotaBytes: number }> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // Bytes the store already has take no room: no quota, no record (they are kept for another reason).
  if (await store.has(sha256)) return { ok: true, sha256 };
  if (ledger) {
    const quotaBytes = opts.quotaBytes ?? ROUND_UPLOAD_QUOTA_BYTES;
    if ((await ledger.uploadedBytes(roundId)) + bytes.byteLength > quotaBytes)
      return { ok: false, reason: 'roundQuota', quotaBytes };
  }
  await store.put(bytes);
  if (ledger)
    await ledger.recordUpload({ sha256, size: bytes.byteLength, roundId, at: (opts.now ?? new Date()).toISOString() });
  return { ok: true, sha256 };
}

/** Every SHA-256 that appears anywhere in a value (a round's status): what the round refers to, read generously. */
export function hashesIn(value: unknown, into = new Set<string>()): Set<string> {
  const text = JSON.stringify(value) ?? '';
  for (const m of text.matchAll(/[0-9a-f]{64}/g)) into.add(m[0]);
  return into;
}

/** What the sweep reads the rounds through (the round gateway, or a fake in tests). */
export interface RoundsToSweep {
  /** The rounds, each with what its listing names (the documents it was started with). */
  list(limit?: number): Promise<Outcome<{ id: string; documents?: string[] }[]>>;
  status(roundId: string): Promise<Outcome<unknown>>;
}

export interface SweepReport {
  rounds: number;
  candidates: number;
  deleted: { sha256: string; size: number; roundId: string; at: string }[];
  /** Uploads a round refers to: forgotten by the ledger, kept for good. */
  kept: number;
}

/** No round list is this long; a list that reaches it may have been cut short, so nothing is deleted. */
const MAX_ROUNDS = 100_000;

/**
 * Deletes the uploads recorded before `cutoff` that no round refers to. Nothing is deleted when a
 * round cannot be read (the list or any status): better a stale scan than a lost one.
 */
export async function sweepUploads(
  store: UploadLedger,
  rounds: RoundsToSweep,
  cutoff: Date,
  opts: { dryRun?: boolean } = {},
): Promise<SweepReport> {
  const listed = await rounds.list(MAX_ROUNDS);
  if (listed.kind !== 'done') throw new SweepError(`the rounds could not be listed (${listed.kind})`);
  if (listed.value.length >= MAX_ROUNDS) throw new SweepError(`more than ${MAX_ROUNDS} rounds: not all could be read`);
  // A round refers to its documents from its start, before its status has described them.
  const referenced = hashesIn(listed.value.map((r) => r.documents ?? []));
  for (const { id } of listed.value) {
    const status = await rounds.status(id);
    // A round listed but gone by now refers to nothing any more; any other answer stops the sweep.
    if (status.kind === 'notFound') continue;
    if (status.kind !== 'done') throw new SweepError(`round ${id} could not be read (${status.kind})`);
    hashesIn(status.value, referenced);
  }
  const candidates = await store.uploadsBefore(cutoff);
  const report: SweepReport = { rounds: listed.value.length, candidates: candidates.length, deleted: [], kept: 0 };
  for (const upload of candidates) {
    if (referenced.has(upload.sha256)) {
      report.kept++;
      if (!opts.dryRun) await store.forgetUpload(upload.sha256);
      continue;
    }
    if (!opts.dryRun) await store.deleteUpload(upload.sha256);
    report.deleted.push(upload);
  }
  return report;
}

export class SweepError extends Error {
  constructor(message: string) {
    super(`nothing was deleted: ${message}`);
    this.name = 'SweepError';
  }
}

/** `7d`, `12h`, `30m`: how old an upload must be before the sweep may remove it. */
export function parseAge(value: string): number | undefined {
  const m = /^(\d{1,5})([dhm])$/.exec(value);
  if (!m) return undefined;
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'];
  return Number(m[1]) * unit;
}
