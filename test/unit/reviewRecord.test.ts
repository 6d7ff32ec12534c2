/**
 * The renderer's record is assembled from a round's summaries and the reply texts in the store:
 * the seed round's replies, recorded as a round records them, come back exactly as the seed's
 * record holds them (their receipts' hashes included), and a text changed in the store is caught.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { draftFromReply } from '../../domain/consultation.js';
import { ReviewRecord } from '../../domain/records.js';
import { DraftMismatchError, draftBytes, summarizeReply } from '../../domain/replies.js';
import { freshRoundRecords, newBureauStatus, type RoundStatus } from '../../domain/round.js';
import { createPdfActivities } from '../../activities/pdf.js';
import { assembleReviewRecord } from '../../infra/reviewRecord.js';
import { storeReplyDraft } from '../../infra/replyStore.js';
import { MemoryContentStore } from '../../infra/store.js';

const SEED = ReviewRecord.parse(
  JSON.parse(readFileSync(new URL('../../seeds/records/xinrong-round-1.json', import.meta.url), 'utf8')),
);

async function seedRound(store: MemoryContentStore): Promise<RoundStatus> {
  const bureaus = SEED.bureaus.map((b) => ({
    ...newBureauStatus(b, '2022-02-17T10:00:00.000Z'),
    outcome: SEED.outcomes[b.id]!,
  }));
  for (const reply of SEED.replies) {
    const draft = draftFromReply(reply);
    await storeReplyDraft(store, draft);
    const { perDocument: _texts, contentSha256: _hash, ...meta } = reply;
    // The bureaus read the first versions (the drafts).
    const versions = SEED.documents.map((d) => ({ key: d.key, version: d.versions[0]!.n }));
    bureaus.find((b) => b.bureau.id === reply.bureauId)!.replies.push(summarizeReply(meta, draft, versions));
  }
  return {
    id: SEED.round.id,
    planId: SEED.round.planId,
    n: SEED.round.n,
    title: SEED.round.title,
    timeZone: 'Asia/Shanghai',
    stage: 'completed',
    coordinator: { name: '规划编制组', role: 'coordinator' },
    startedAt: '2022-02-10T00:00:00.000Z',
    startedBy: { name: '规划编制组', role: 'coordinator' },
    graceMs: 0,
    reminderOffsetsMs: [],
    consultationEndsAt: '2022-02-17T10:00:00.000Z',
    documents: SEED.documents,
    bureaus,
    consultation: { closed: null, endedAt: '2022-02-17T10:00:00.000Z' },
    mailInFlight: [],
    ...freshRoundRecords(),
  };
}

describe('the review record assembled from a round', () => {
  it("gives back the seed's replies word for word, with the receipts' hashes, from summaries and stored texts", async () => {
    const store = new MemoryContentStore();
    const status = await seedRound(store);
    const record = await assembleReviewRecord(status, store, {
      issueDate: SEED.round.issueDate,
      coordinatorOrg: SEED.round.coordinatorOrg,
    });
    expect(record.replies).toEqual(SEED.replies);
    expect(record.outcomes).toEqual(SEED.outcomes);
    expect(record.round).toEqual(SEED.round);
  });

  it('refuses a reply whose stored texts are not the ones the round recorded', async () => {
    const store = new MemoryContentStore();
    const status = await seedRound(store);
    const forestry = status.bureaus.find((b) => b.bureau.id === 'forestry')!.replies[0]!;
    const tampered = draftFromReply(SEED.replies.find((r) => r.bureauId === 'forestry')!);
    const first = tampered.perDocument['xinrong-eco-plan'];
    if (first?.kind === 'comments') first.comments[0]!.text = '改过的意见';
    const { sha256 } = await store.put(draftBytes(tampered));
    forestry.draftSha256 = sha256;
    await expect(assembleReviewRecord(status, store)).rejects.toThrow(DraftMismatchError);
  });

  it("renders the round's plan from the round itself, keeping the record and the PDF by hash, the same bytes each time", async () => {
    const store = new MemoryContentStore();
    const status = await seedRound(store);
    for (const d of SEED.documents) {
      const source =
        d.key === 'xinrong-eco-plan'
          ? readFileSync(new URL('../../seeds/plan/xinrong-eco-plan.md', import.meta.url))
          : null;
      if (source) expect((await store.put(source)).sha256).toBe(d.versions[d.versions.length - 1]!.sha256);
    }
    const { renderRoundPdf } = createPdfActivities({ store });
    const req = {
      status,
      docKey: 'xinrong-eco-plan',
      mode: 'approved' as const,
      extras: { issueDate: SEED.round.issueDate },
    };
    const first = await renderRoundPdf(req);
    const second = await renderRoundPdf(req);
    expect(second.pdfSha256).toBe(first.pdfSha256);
    expect(first.pages).toBeGreaterThan(90);
    expect(ReviewRecord.parse(JSON.parse((await store.get(first.recordSha256)).toString('utf8'))).replies).toHaveLength(
      SEED.replies.length,
    );
    expect((await store.get(first.pdfSha256)).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('carries the expert review (meeting, report, opinions with their revision notes) once it is recorded', async () => {
    const store = new MemoryContentStore();
    const status = await seedRound(store);
    const seed = SEED.expertReview!;
    const stamp = { by: { name: '规划编制组', role: 'coordinator' as const }, at: '2021-11-25T06:00:00.000Z' };
    status.expertReview = {
      meeting: seed.meeting,
      experts: seed.experts,
      meetings: 1,
      scheduled: stamp,
      cancelled: null,
      reminderDueAt: null,
      reminders: [],
      opinions: seed.opinions,
      signed: { on: '2021-11-25', by: '专家组' },
      opinionsRecorded: stamp,
      report: null,
    };
    expect((await assembleReviewRecord(status, store)).expertReview).toBeUndefined(); // no report yet
    status.expertReview.report = seed.report;
    expect((await assembleReviewRecord(status, store)).expertReview).toEqual(seed);
  });
});
