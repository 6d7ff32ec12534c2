/**
 * Verification of a real approved round (time-skipping server, documents and PDFs in a store on
 * disk): `plan-review verify` over the history fetched from the server says plainly that the
 * approved PDF is the one approved, that the stored files match their recorded hashes and that the
 * exported trail is intact, and exits 0; then each kind of tampering is reported precisely, with
 * exit 1: a byte changed in the PDF, a line edited in the JSON trail (and the same file re-chained),
 * a document blob replaced in the store.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { verifyCommand, type AuditContext } from '../../cli/auditCommands.js';
import type { Actor } from '../../domain/records.js';
import { TemporalHistories } from '../../infra/roundHistory.js';
import { LocalContentStore, sha256Hex } from '../../infra/store.js';
import { buildTimeline } from '../../infra/timeline.js';
import { buildTrail, entrySha256, trailJson, type Trail } from '../../infra/trail.js';
import { approvalEdited, rechained } from '../support/tamperedTrail.js';
import { recordHistory } from '../support/recordHistory.js';
import { roundInApproval } from '../support/roundInApproval.js';
import { SMALL_PLAN } from '../support/rounds.js';
import { timeSkippingWorker } from '../support/testWorker.js';

const TASK_QUEUE = 'test-audit';
const approver: Actor = { name: '区政府审批人', role: 'approver' };
let env: TestWorkflowEnvironment;
let stop: () => Promise<void>;
let dir: string;
let store: LocalContentStore;
let roundId: string;
let approvedPdf: Buffer;
let trail: Trail;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-verify-'));
  store = new LocalContentStore(path.join(dir, 'store'));
  ({ env, stop } = await timeSkippingWorker({ taskQueue: TASK_QUEUE, store }));
  const rounds = roundCalls(env.client, store, TASK_QUEUE);
  ({ id: roundId } = await roundInApproval(rounds, store));
  const s = await rounds.until(roundId, (x) => x.approval.candidate !== null, 60_000);
  const pdfSha256 = s.approval.candidate!.pdfSha256;
  await rounds.act(roundId, 'approveCandidate', { requestId: randomUUID(), actor: approver, pdfSha256 });
  await env.client.workflow.getHandle(roundId).result();
  approvedPdf = await store.get(pdfSha256);
  const history = await env.client.workflow.getHandle(roundId).fetchHistory();
  trail = buildTrail(buildTimeline(roundId, history));
  // A round approved, archived and completed since the archive-at-approval patch (replay.test.ts).
  await recordHistory(env.client.workflow.getHandle(roundId), 'approval-archived');
});

afterAll(async () => {
  await stop?.();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ctx = (): AuditContext => ({
  withHistories: (fn) => fn(new TemporalHistories(env.client)),
  store,
  namespace: 'default',
});

async function verify(pdf: Uint8Array, trailText?: string) {
  const pdfFile = path.join(dir, `${randomUUID()}.pdf`);
  await writeFile(pdfFile, pdf);
  const args = [roundId, pdfFile];
  if (trailText !== undefined) {
    const trailFile = path.join(dir, `${randomUUID()}.json`);
    await writeFile(trailFile, trailText);
    args.push(trailFile);
  }
  return verifyCommand(ctx(), args);
}

describe('plan-review verify', () => {
  it('says that everything holds for the approved PDF and the trail as exported, and exits 0', async () => {
    const out = await verify(approvedPdf, trailJson(trail));
    expect(out.exitCode).toBe(0);
    expect(out.output).toMatch(/✓ .* Is [\w-]+\.pdf the approved PDF of round:/);
    expect(out.output).toContain(`Yes: SHA-256 ${sha256Hex(approvedPdf)} is the PDF 区政府审批人 approved in event #`);
    expect(out.output).toMatch(/Yes: all \d+ files match their recorded SHA-256/);
    expect(out.output).toContain(`Yes: all ${trail.entries.length} entries match the history`);
    expect(out.output).toContain('全部成立。Everything holds.');
    expect(out.output).not.toContain('✗');
  });

  it('a byte changed in the PDF: not the approved PDF, naming both hashes', async () => {
    const changed = Buffer.from(approvedPdf);
    const at = Math.floor(changed.length / 2);
    changed[at] = changed[at]! ^ 0x01;
    const out = await verify(changed);
    expect(out.exitCode).toBe(1);
    expect(out.output).toMatch(/✗ .* Is [\w-]+\.pdf the approved PDF of round:/);
    expect(out.output).toContain(
      `No: the file's SHA-256 is ${sha256Hex(changed)}; the approved PDF's (event #${trail.approved!.eventId}) is ${sha256Hex(approvedPdf)}`,
    );
    expect(out.output).toContain('有不成立之处');
  });

  it('a line edited in the JSON trail: names the entry that was altered; re-chained, names it against the history', async () => {
    const json = trailJson(trail);
    const approval = trail.entries.find((e) => e.kind === 'approveCandidate')!;
    // One line of the approval's entry: what it says was done.
    const edited = approvalEdited(json);
    expect(edited).not.toBe(json);
    const out = await verify(approvedPdf, edited);
    expect(out.exitCode).toBe(1);
    expect(out.output).toContain(
      `Entry ${approval.n} (event #${approval.eventId}) was altered: its content no longer hashes to its sha256`,
    );

    // The same edit with every hash after it computed again: the file's chain holds, the history does not.
    const again = await verify(approvedPdf, rechained(edited));
    expect(again.exitCode).toBe(1);
    // The head the archiving recorded in the history no longer closes the archived entries.
    const archived = trail.entries.find((e) => e.kind === 'archiveRound')!;
    const recorded = archived.hashes.trailHead!;
    const n = trail.entries.findIndex((e) => e.sha256 === recorded) + 1;
    expect(n).toBeGreaterThanOrEqual(approval.n);
    expect(again.output).toContain(
      `No: entry ${n}'s sha256 is not the head recorded in the round's history, event #${archived.eventId} (the file was edited and re-chained)`,
    );
    expect(again.output).toContain(`Recorded head ${recorded}`);
  });

  it('an entry after the archived head edited and re-chained: named against the history', async () => {
    const file = JSON.parse(trailJson(trail)) as Trail;
    const last = file.entries.at(-1)!;
    expect(last.kind).toBe('completed');
    last.what = { zh: '本轮结束：已取消', en: 'The round ended: cancelled' };
    last.sha256 = entrySha256(last);
    file.head = last.sha256;
    const out = await verify(approvedPdf, JSON.stringify(file, null, 2));
    expect(out.exitCode).toBe(1);
    expect(out.output).toContain(
      `No: Entry ${last.n} (event #${last.eventId}) differs from the round's history (the file was edited and re-chained)`,
    );
    expect(out.output).toContain('Fields that differ: what');
  });

  it('the round archived itself at approval: the history records the archive and the trail head, the store names it', async () => {
    const history = await env.client.workflow.getHandle(roundId).fetchHistory();
    const t = buildTimeline(roundId, history);
    const a = t.archive!;
    expect(a.archiveSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.getName(`archive/${roundId}`)).toBe(a.archiveSha256);
    // The archive covers the round up to its archiving: every entry before it, closed by the recorded head.
    const before = trail.entries.filter((e) => e.eventId <= a.throughEventId);
    expect(before).toHaveLength(a.trailEntries);
    expect(before.at(-1)!.sha256).toBe(a.trailHead);
    expect(trail.entries.slice(a.trailEntries).map((e) => e.kind)).toEqual(['archiveRound', 'completed']);
    const manifest = JSON.parse((await store.get(a.archiveSha256)).toString('utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      format: 'plan-review-archive/1',
      roundId,
      approvedPdf: { sha256: sha256Hex(approvedPdf) },
      trail: { sha256: a.trailSha256, head: a.trailHead, entries: a.trailEntries },
      certificate: { sha256: a.certificateSha256 },
      history: { sha256: a.historySha256 },
    });
    const archivedTrail = JSON.parse((await store.get(a.trailSha256)).toString('utf8')) as Trail;
    expect(archivedTrail.entries).toEqual(before);
    expect((await store.get(a.certificateSha256)).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('a line of the trail’s header edited: entry 1 no longer links to it', async () => {
    const edited = trailJson(trail).replace('"outcome": "waived"', '"outcome": "noComments"');
    const out = await verify(approvedPdf, edited);
    expect(out.exitCode).toBe(1);
    expect(out.output).toContain(
      'The header (the round, the hearing, the approved PDF, the documents) or entry 1 was altered',
    );
  });

  it('a document blob replaced in the store: names the document version and both hashes', async () => {
    const plan = sha256Hex(SMALL_PLAN);
    expect(trail.documents[0]!.versions[0]!.sha256).toBe(plan);
    const file = path.join(dir, 'store', plan.slice(0, 2), plan);
    const original = await readFile(file);
    const forged = Buffer.from(SMALL_PLAN.replace('区域概况', '区域情况'));
    await writeFile(file, forged);
    try {
      const out = await verify(approvedPdf, trailJson(trail));
      expect(out.exitCode).toBe(1);
      expect(out.output).toContain(
        `《${trail.documents[0]!.title}》 version 1: the stored bytes were replaced (recorded ${plan}, they hash to ${sha256Hex(forged)})`,
      );
      expect(out.output).toMatch(/No: 1 of \d+ files do not match/);
      // The PDF and the trail still hold.
      expect(out.output).toContain(`Yes: all ${trail.entries.length} entries match the history`);
    } finally {
      await writeFile(file, original);
    }
  });

  it('answers for a round the server does not have', async () => {
    const h = await new TemporalHistories(env.client).history('round:nobody:1');
    expect(h).toEqual({ kind: 'notFound', roundId: 'round:nobody:1' });
  });
});
