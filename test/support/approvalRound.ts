/**
 * A round in the approval stage for the edges' tests (web pages, CLI), held by the typed fake
 * rounds: the disposition round (test/support/dispositionRound.ts) with every comment decided and
 * published, nothing blocking approval, and a candidate PDF in the store whose fingerprint is the
 * records' own, so the fake's approval rules take it. `newCandidate` stands for a re-render after a
 * change to the records.
 */
import PDFDocument from 'pdfkit';
import { freshRoundRecords, type RoundStatus } from '../../domain/round.js';
import { storeReplyDraft } from '../../infra/replyStore.js';
import { sha256Hex, type ContentStore } from '../../infra/store.js';
import { recordFingerprint } from '../../workflows/stages/approval/rules.js';
import { DISPOSITION_ROUND_ID, dispositionRound, FINANCE, FORESTRY, NONE } from './dispositionRound.js';

export const APPROVAL_ROUND_ID = DISPOSITION_ROUND_ID;
const coordinatorActor = { name: '起草人', role: 'coordinator' as const };

/** A small real PDF (Chromium can show it), with a line of text that tells one candidate from another. */
export function smallPdf(line: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', info: { CreationDate: new Date('2030-01-20T00:00:00Z') } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(14).text(line);
    doc.end();
  });
}

/** Puts a new candidate PDF in the store and in the round, rendered from the records as they stand. */
export async function newCandidate(round: RoundStatus, store: ContentStore, line: string): Promise<string> {
  const { sha256 } = await store.put(await smallPdf(line));
  round.approval.candidate = {
    docKey: 'plan',
    pdfSha256: sha256,
    recordSha256: sha256Hex(`record of ${line}`),
    pages: 1,
    renderedAt: '2030-01-20T01:00:00.000Z',
    fingerprint: recordFingerprint(round),
  };
  return sha256;
}

export async function approvalRound(store: ContentStore): Promise<RoundStatus> {
  for (const d of [FINANCE, FORESTRY, NONE]) await storeReplyDraft(store, d);
  const round: RoundStatus = { ...dispositionRound(), ...freshRoundRecords(), stage: 'approval' };
  const decidedAt = '2030-01-16T02:00:00.000Z';
  round.dispositions = ['finance-1-1', 'finance-1-2', 'forestry-2-1'].map((commentId) => ({
    commentId,
    decision: 'adopted' as const,
    changedAt: [],
    decidedBy: coordinatorActor,
    decidedAt,
    published: true,
  }));
  round.dispositionsPublished = { by: coordinatorActor, at: decidedAt };
  await newCandidate(round, store, 'candidate 1');
  return round;
}
