/**
 * Verification from the archive alone, on the real dev server: a round is approved (and archives
 * itself), its trail is exported from its history, and then its workflow execution is really deleted
 * from the server (DeleteWorkflowExecution, as a namespace's retention does). `plan-review verify`
 * then finds the round's archive by the name the document store keeps for it, and says that the PDF
 * and the trail hold; each kind of tampering is reported precisely: a byte of the PDF, a line of the
 * exported JSON (also chained again), a document blob replaced, the archive's own trail replaced, and
 * the store's name pointed at another round's archive.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { verifyCommand, type AuditContext } from '../../cli/auditCommands.js';
import type { Actor } from '../../domain/records.js';
import { TemporalHistories } from '../../infra/roundHistory.js';
import { LocalContentStore, sha256Hex } from '../../infra/store.js';
import { buildTimeline, type Timeline } from '../../infra/timeline.js';
import { buildTrail, trailJson, type Trail } from '../../infra/trail.js';
import { approvalEdited, rechained } from '../support/tamperedTrail.js';
import { roundInApproval } from '../support/roundInApproval.js';
import { SMALL_PLAN } from '../support/rounds.js';
import { devServerWorker } from '../support/testWorker.js';

const TASK_QUEUE = `test-archive-${process.pid}`;
const approver: Actor = { name: '区政府审批人', role: 'approver' };
let client: Client;
let stop: () => Promise<void>;
let dir: string;
let store: LocalContentStore;
let rounds: ReturnType<typeof roundCalls>;
let roundId: string;
let approvedPdf: Buffer;
let trail: Trail;
let recorded: NonNullable<Timeline['archive']>;

/** Approves a fresh round and waits for it to complete (it archives itself first). */
async function approvedRound(): Promise<{ id: string; pdf: Buffer }> {
  const { id } = await roundInApproval(rounds, store);
  const s = await rounds.until(id, (x) => x.approval.candidate !== null, 120_000);
  const pdfSha256 = s.approval.candidate!.pdfSha256;
  await rounds.act(id, 'approveCandidate', { requestId: randomUUID(), actor: approver, pdfSha256 });
  await client.workflow.getHandle(id).result();
  return { id, pdf: await store.get(pdfSha256) };
}

/** Deletes the round's execution on the server, and waits until the server no longer has its history. */
async function deleteRound(id: string): Promise<void> {
  const { runId } = await client.workflow.getHandle(id).describe();
  await client.workflowService.deleteWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId: id, runId },
  });
  const histories = new TemporalHistories(client);
  for (const until = Date.now() + 60_000; Date.now() < until;) {
    if ((await histories.history(id)).kind === 'notFound') return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${id} still on the server a minute after its deletion`);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-archive-'));
  store = new LocalContentStore(path.join(dir, 'store'));
  ({ client, stop } = await devServerWorker({ taskQueue: TASK_QUEUE, store }));
  rounds = roundCalls(client, store, TASK_QUEUE);
  ({ id: roundId, pdf: approvedPdf } = await approvedRound());
  const timeline = buildTimeline(roundId, await client.workflow.getHandle(roundId).fetchHistory());
  recorded = timeline.archive!;
  trail = buildTrail(timeline);
  await deleteRound(roundId);
}, 300_000);

afterAll(async () => {
  await stop?.();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ctx = (): AuditContext => ({
  withHistories: (fn) => fn(new TemporalHistories(client)),
  store,
  namespace: 'default',
});

async function verify(pdf: Uint8Array, trailText?: string, ...extra: string[]) {
  const pdfFile = path.join(dir, `${randomUUID()}.pdf`);
  await writeFile(pdfFile, pdf);
  const args = [roundId, pdfFile];
  if (trailText !== undefined) {
    const trailFile = path.join(dir, `${randomUUID()}.json`);
    await writeFile(trailFile, trailText);
    args.push(trailFile);
  }
  return verifyCommand(ctx(), [...args, ...extra]);
}

/** Replaces a stored blob's bytes on disk for the duration of `fn`. */
async function replacedBlob<T>(sha256: string, bytes: Buffer, fn: () => Promise<T>): Promise<T> {
  const file = path.join(dir, 'store', sha256.slice(0, 2), sha256);
  const original = await readFile(file);
  await writeFile(file, bytes);
  try {
    return await fn();
  } finally {
    await writeFile(file, original);
  }
}

describe('plan-review verify once the server has deleted the round', () => {
  it('works from the archive the store names for the round: the PDF, the stored files, the archive and the trail hold', async () => {
    expect((await new TemporalHistories(client).history(roundId)).kind).toBe('notFound');
    const out = await verify(approvedPdf, trailJson(trail));
    expect(out.output).toContain(
      `Checked against: the archive ${recorded.archiveSha256} (the server no longer has the round's history)`,
    );
    expect(out.output).toContain(`Yes: SHA-256 ${sha256Hex(approvedPdf)} is the PDF 区政府审批人 approved in event #`);
    expect(out.output).toMatch(/Yes: all \d+ files match their recorded SHA-256/);
    expect(out.output).toContain(
      `Yes: it covers the history through event #${recorded.throughEventId}, a trail of ${recorded.trailEntries} entries with head ${recorded.trailHead}; found as the archive the document store names for the round`,
    );
    expect(out.output).toContain(
      `Yes: the first ${recorded.trailEntries} entries match the archive (head ${recorded.trailHead.slice(0, 16)}…); the 2 after them (the archiving itself, the round's end) came after the archive and are checked by their chain only`,
    );
    expect(out.output).toContain('全部成立。Everything holds.');
    expect(out.exitCode).toBe(0);
    // The archive's own copy of the trail holds too.
    const archived = (await store.get(recorded.trailSha256)).toString('utf8');
    expect((await verify(approvedPdf, archived)).exitCode).toBe(0);
  });

  it('a byte of the PDF changed: not the approved PDF, both hashes named', async () => {
    const changed = Buffer.from(approvedPdf);
    changed[changed.length >> 1] = changed[changed.length >> 1]! ^ 0x01;
    const out = await verify(changed, trailJson(trail));
    expect(out.exitCode).toBe(1);
    expect(out.output).toContain(
      `No: the file's SHA-256 is ${sha256Hex(changed)}; the approved PDF's (event #${trail.approved!.eventId}) is ${sha256Hex(approvedPdf)}`,
    );
  });

  it('a line of the exported JSON edited: the entry named; chained again: the archive’s head refuses it', async () => {
    const json = trailJson(trail);
    const approval = trail.entries.find((e) => e.kind === 'approveCandidate')!;
    const edited = approvalEdited(json);
    expect(edited).not.toBe(json);
    const out = await verify(approvedPdf, edited);
    expect(out.exitCode).toBe(1);
    expect(out.output).toContain(
      `Entry ${approval.n} (event #${approval.eventId}) was altered: its content no longer hashes to its sha256`,
    );

    const again = await verify(approvedPdf, rechained(edited));
    expect(again.exitCode).toBe(1);
    expect(again.output).toContain(
      `No: entry ${recorded.trailEntries}'s sha256 is not the head recorded in the archive ${recorded.archiveSha256.slice(0, 16)}… (the file was edited and re-chained)`,
    );
  });

  it('a document blob replaced in the store: the document version and both hashes named', async () => {
    const plan = sha256Hex(SMALL_PLAN);
    const forged = Buffer.from(SMALL_PLAN.replace('区域概况', '区域情况'));
    const out = await replacedBlob(plan, forged, () => verify(approvedPdf, trailJson(trail)));
    expect(out.exitCode).toBe(1);
    expect(out.output).toContain(
      `《${trail.documents[0]!.title}》 version 1: the stored bytes were replaced (recorded ${plan}, they hash to ${sha256Hex(forged)})`,
    );
  });

  it('the archive’s own trail replaced in the store: the archive is reported, with both hashes', async () => {
    const archived = JSON.parse((await store.get(recorded.trailSha256)).toString('utf8')) as Trail;
    archived.entries[0]!.what = { zh: '伪造', en: 'forged' };
    const forged = Buffer.from(trailJson(archived));
    const out = await replacedBlob(recorded.trailSha256, forged, () => verify(approvedPdf));
    expect(out.exitCode).toBe(1);
    expect(out.output).toContain(
      `No: the archive's trail ${recorded.trailSha256} was replaced (its bytes hash to ${sha256Hex(forged)})`,
    );
  });

  it('the store’s name pointed at another round’s archive: refused; the archive’s hash given instead still verifies', async () => {
    const other = await approvedRound();
    const otherArchive = (await store.getName(`archive/${other.id}`))!;
    await store.setName(`archive/${roundId}`, otherArchive);
    try {
      const out = await verify(approvedPdf);
      expect(out.exitCode).toBe(1);
      expect(out.output).toContain(`No: ${otherArchive} is the archive of ${other.id}, not of ${roundId}`);
      const given = await verify(approvedPdf, trailJson(trail), '--archive', recorded.archiveSha256);
      expect(given.output).toContain('found as the archive given on the command line');
      expect(given.exitCode).toBe(0);
    } finally {
      await store.setName(`archive/${roundId}`, recorded.archiveSha256);
    }
  });

  it('says what is missing when neither the server nor the store has the round', async () => {
    await expect(
      verifyCommand(ctx(), ['round:nobody-archived:1', path.join(dir, 'none.pdf')]).catch((e: Error) => e.message),
    ).resolves.toContain('cannot read');
    const pdfFile = path.join(dir, 'any.pdf');
    await writeFile(pdfFile, approvedPdf);
    await expect(verifyCommand(ctx(), ['round:nobody-archived:1', pdfFile])).rejects.toThrow(
      'The server has no history of round:nobody-archived:1 and the document store names no archive for it',
    );
  });
});
