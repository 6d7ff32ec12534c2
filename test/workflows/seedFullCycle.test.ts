/**
 * The seed's round, whole, on the time-skipping server: the round file in the seed's order
 * (seeds/rounds/xinrong-full-cycle.yaml), the experts' meeting scheduled then moved, their opinions
 * and revision notes, the seven bureaus' replies (seeds/review/replies.yaml), the consultation closed,
 * the approved text as the plan's second version, table 10-1's dispositions published and
 * acknowledged, the candidate PDF rendered and approved. Its history is the replay suite's complete
 * seed round (seed-full-cycle.json): the steps the seed demo takes on a running stack, as Updates.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { APPROVED_TEXT, FULL_CYCLE_ROUND_FILE } from '../../cli/seedDemo.js';
import type { Actor } from '../../domain/records.js';
import { commentIds } from '../../domain/replies.js';
import { loadRoundFile } from '../../infra/roundFile.js';
import { loadSeedReview, replyDraftOf } from '../../infra/seedReview.js';
import { MemoryContentStore } from '../../infra/store.js';
import { recordHistory } from '../support/recordHistory.js';
import { dayAfter, meetingOn } from '../support/rounds.js';
import { timeSkippingWorker } from '../support/testWorker.js';

const TASK_QUEUE = 'test-seed-full-cycle';
const DAY = 24 * 3600 * 1000;
const PLAN = 'xinrong-eco-plan';
let env: TestWorkflowEnvironment;
let stop: () => Promise<void>;
const store = new MemoryContentStore();
const rounds = () => roundCalls(env.client, store, TASK_QUEUE);
const coordinator: Actor = { name: '大同市生态环境局新荣分局', role: 'coordinator' };
const approver: Actor = { name: '新荣区人民政府', role: 'approver' };
const by = <T extends object>(actor: Actor, req: T) => ({ requestId: randomUUID(), actor, ...req });

beforeAll(async () => {
  ({ env, stop } = await timeSkippingWorker({ taskQueue: TASK_QUEUE, store }));
});

afterAll(async () => {
  await stop?.();
});

describe("the seed's round", () => {
  it('runs from the experts’ meeting to the approved PDF, every step by the person who takes it', async () => {
    const seed = await loadSeedReview();
    const er = seed.expertReview;
    const { input } = await loadRoundFile(FULL_CYCLE_ROUND_FILE, store, {
      startedBy: coordinator,
      messageIdDomain: 'xinrong.example.org',
    });
    const id = await rounds().start(input);
    const { startedAt } = await rounds().until(id, (s) => s.stage === 'expertReview');

    // The meeting, planned then moved a day earlier; held, then its opinions and their revision notes.
    const place = { place: er.meeting.place, organiser: er.meeting.organiser, timeZone: er.meeting.timeZone };
    await rounds().act(
      id,
      'scheduleMeeting',
      by(coordinator, { meeting: meetingOn(dayAfter(startedAt, 4), place), experts: er.experts }),
    );
    const movedTo = dayAfter(startedAt, 3);
    await rounds().act(
      id,
      'rescheduleMeeting',
      by(coordinator, { meeting: meetingOn(movedTo, place), reason: '专家时间冲突，会议提前一天' }),
    );
    expect((await rounds().status(id)).expertReview!.meeting).toMatchObject({ sequence: 1 });
    await env.sleep(5 * DAY);
    await rounds().act(
      id,
      'recordOpinions',
      by(coordinator, {
        opinions: er.opinions.map((o) => o.text),
        signedOn: movedTo,
        signedBy: er.signedBy,
        report: er.report,
      }),
    );
    for (const [i, o] of er.opinions.entries())
      await rounds().act(id, 'writeRevisionNote', by(coordinator, { n: i + 1, note: o.revisionNote }));

    // The consultation: each of the seven bureaus replies through its link, then the coordinator closes it.
    let s = await rounds().until(
      id,
      (x) => x.stage === 'consultation' && x.bureaus.every((b) => b.invitation?.sentAt),
      60_000,
    );
    expect(s.bureaus).toHaveLength(7);
    for (const b of s.bureaus) {
      const reply = seed.replies.find((r) => r.bureau === b.bureau.id);
      expect(reply, b.bureau.id).toBeDefined();
      await rounds().replyAs(s, b.bureau.id, replyDraftOf(reply!));
    }
    await rounds().until(id, (x) => x.bureaus.every((b) => b.outcome !== 'pending'));
    await rounds().act(id, 'closeConsultation', by(coordinator, {}));
    s = await rounds().until(id, (x) => x.stage === 'disposition');

    // The approved text as the plan's second version; table 10-1, anchored in it, published.
    const revised = await store.put(await readFile(APPROVED_TEXT));
    await rounds().act(
      id,
      'addDocumentVersion',
      by(coordinator, { docKey: PLAN, sha256: revised.sha256, note: '根据部门意见和专家意见修改' }),
    );
    s = await rounds().until(id, (x) => x.documents.find((d) => d.key === PLAN)!.versions.length === 2);
    for (const d of seed.dispositions) {
      const reply = s.bureaus.find((x) => x.bureau.id === d.bureau)!.replies.at(-1)!;
      await rounds().act(
        id,
        'disposeComment',
        by(coordinator, {
          disposition: {
            commentId: commentIds(reply)[d.comment - 1]!,
            decision: d.decision,
            ...(d.rationale && { rationale: d.rationale }),
            changedAt: d.changedAt,
          },
        }),
      );
    }
    await rounds().act(id, 'publishDispositions', by(coordinator, {}));
    s = await rounds().until(id, (x) => x.notices.length > 0 && x.notices.every((n) => n.sentAt), 60_000);

    // Each bureau with comments acknowledges its outcome notice through its link.
    for (const n of s.notices) {
      const b = s.bureaus.find((x) => x.bureau.id === n.bureauId)!;
      await rounds().act(id, 'respondToOutcome', {
        requestId: randomUUID(),
        actor: { name: b.bureau.contactPerson, role: 'bureau' },
        bureauId: n.bureauId,
        linkId: b.invitation!.linkId,
        response: 'acknowledge',
      });
    }

    // The candidate PDF, rendered from the round's records, approved by its hash.
    s = await rounds().until(id, (x) => x.approval.candidate !== null, 300_000, 500);
    const candidate = s.approval.candidate!;
    await rounds().act(id, 'approveCandidate', by(approver, { pdfSha256: candidate.pdfSha256 }));
    const done = await env.client.workflow.getHandle(id).result();
    expect(done.stage).toBe('approved');
    s = await rounds().status(id);
    expect(s.notices.map((n) => n.response)).toEqual(s.notices.map(() => 'acknowledged'));
    expect(s.dispositions).toHaveLength(seed.dispositions.length);
    expect(s.approval.decisions).toEqual([
      expect.objectContaining({ by: approver, decision: 'approved', pdfSha256: candidate.pdfSha256 }),
    ]);
    await recordHistory(env.client.workflow.getHandle(id), 'seed-full-cycle');
  }, 600_000);
});
