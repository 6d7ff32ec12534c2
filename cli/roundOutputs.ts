/**
 * What a round produced, read back from the round itself: its records as one file, and its plan
 * rendered from those records (for an approved round, the same bytes as the PDF that was approved).
 */
import { writeFile } from 'node:fs/promises';
import { createPdfActivities } from '../activities/pdf.js';
import type { RoundStatus } from '../domain/round.js';
import { approvalOf, exportRoundRecords, recordExtrasOf } from '../infra/roundRecords.js';
import type { ContentStore } from '../infra/store.js';
import { planDocKey } from '../workflows/stages/approval/rules.js';

export async function writeRoundRecords(status: RoundStatus, store: ContentStore, out?: string): Promise<string> {
  const json = `${JSON.stringify(await exportRoundRecords(status, store), null, 2)}\n`;
  if (out) await writeFile(out, json);
  return json;
}

/** Renders the round's plan from its records into `out`; says whether it is the approved PDF, byte for byte. */
export async function renderRoundToFile(
  status: RoundStatus,
  store: ContentStore,
  out: string,
  mode: 'draft' | 'approved',
) {
  const docKey = status.approval.candidate?.docKey ?? planDocKey(status);
  const rendered = await createPdfActivities({ store }).renderRoundPdf({
    status,
    docKey,
    mode,
    extras: recordExtrasOf(status),
  });
  await writeFile(out, await store.get(rendered.pdfSha256));
  const approved = approvalOf(status)?.pdfSha256;
  return { ...rendered, approvedPdfSha256: approved, sameAsApproved: approved === rendered.pdfSha256 };
}
