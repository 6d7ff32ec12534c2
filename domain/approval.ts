/**
 * Approval of the candidate PDF: the round renders the plan from its own records, the approver
 * reads that file and approves it by its SHA-256 (the approved PDF is byte for byte what was read),
 * or rejects it with a reason, which returns the round to revision.
 * Imported by workflow code: no Node built-ins, no I/O.
 */
import { z } from 'zod';
import { ActionEnvelope } from './consultation.js';
import { Approval, Instant, Sha256, Slug, text } from './records.js';
import { REFUSALS, refusalText } from './refusals.js';

export const Candidate = z.object({
  docKey: Slug,
  pdfSha256: Sha256,
  /** The review record it was rendered from, in the document store. */
  recordSha256: Sha256,
  pages: z.number().int().positive(),
  renderedAt: Instant,
  /** The records it shows: a change to any of them makes it stale. */
  fingerprint: Sha256,
  /**
   * The issue date its record carries: the day it was rendered, in the round's time zone. At the next
   * midnight a new candidate is rendered, so an approval is never later than the issue date. Absent
   * in rounds recorded before candidates were dated.
   */
  issueDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});
export type Candidate = z.infer<typeof Candidate>;

/** Why approval is refused for now: a catalog code (domain/refusals.ts) and its parameters. */
export const Blocker = z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) });
export type Blocker = z.infer<typeof Blocker>;

/** A blocker in words, Chinese and English, from the refusal catalog (its code as it is, were it unknown). */
export function blockerText(b: Blocker): { zh: string; en: string } {
  return Object.hasOwn(REFUSALS, b.code)
    ? refusalText(b.code as keyof typeof REFUSALS, b.params)
    : { zh: b.code, en: b.code };
}

export const ApprovalState = z.object({
  candidate: Candidate.nullable(),
  blockers: z.array(Blocker),
  decisions: z.array(Approval),
  /** The records' fingerprint when the last candidate was rejected: a new candidate waits for a change. */
  rejectedFingerprint: Sha256.nullable(),
});
export type ApprovalState = z.infer<typeof ApprovalState>;

/** The approved PDF's hash: the round's last approval's (undefined until one). */
export function approvedPdf(approval: ApprovalState): string | undefined {
  return approval.decisions.findLast((d) => d.decision === 'approved')?.pdfSha256;
}

export const ApproveCandidateRequest = ActionEnvelope.extend({ pdfSha256: Sha256 });
export type ApproveCandidateRequest = z.infer<typeof ApproveCandidateRequest>;

export const RejectCandidateRequest = ActionEnvelope.extend({ pdfSha256: Sha256, reason: text(5000) });
export type RejectCandidateRequest = z.infer<typeof RejectCandidateRequest>;
