/**
 * The auditor's timeline (infra/timeline.ts) built from recorded histories of real rounds
 * (test/histories/, read back with the SDK's historyFromJSON as the replay test reads them): who
 * did what and when, with the hash of what they submitted; emails with their Message-IDs; due
 * moments that deemed a silent bureau; and "was every bureau heard" with its evidence.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it } from 'vitest';
import { canonicalSha256 } from '../../domain/replyHash.js';
import { buildTimeline, eventUrl, filterEntries, type Timeline } from '../../infra/timeline.js';
import { HISTORIES_DIR } from '../support/recordHistory.js';

const history = (name: string): History =>
  historyFromJSON(JSON.parse(readFileSync(new URL(`${name}.json`, HISTORIES_DIR), 'utf8')));
const timeline = (name: string): Timeline => buildTimeline('round:test:1', history(name));

/** The request an Update event carried, decoded as the builder decodes it. */
function updateRequest(h: History, eventId: number): Record<string, unknown> {
  const e = h.events!.find((x) => Number(x.eventId) === eventId)!;
  const p = e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.args!.payloads![0]!;
  return defaultPayloadConverter.fromPayload(p);
}

describe('the timeline of an approved round (approval.json)', () => {
  const h = history('approval');
  const t = buildTimeline('round:test-04b45af3:1', h);
  const actions = t.entries.filter((e) => e.category === 'action');

  it('lists every human action in order, with who acted, in what role, and the hash of the request as recorded', () => {
    expect(actions.map((e) => [e.kind, e.actor?.name, e.actor?.role, e.status])).toEqual([
      ['submitReply', '王明', 'bureau', 'done'],
      ['submitReply', '王明', 'bureau', 'done'],
      ['waiveBureau', '测试协调人', 'coordinator', 'done'],
      ['closeConsultation', '测试协调人', 'coordinator', 'done'],
      ['disposeComment', '测试协调人', 'coordinator', 'done'],
      ['publishDispositions', '测试协调人', 'coordinator', 'done'],
      ['approveCandidate', '区政府审批人', 'approver', 'done'],
    ]);
    for (const e of actions) {
      expect(e.submittedSha256).toBe(canonicalSha256(updateRequest(h, e.eventId)));
      expect(e.updateId).toBe(updateRequest(h, e.eventId).requestId);
    }
    expect(t.entries.map((e) => e.eventId)).toEqual([...t.entries.map((e) => e.eventId)].sort((a, b) => a - b));
  });

  it('starts with who started the round and the documents it circulated, by hash', () => {
    const start = t.entries[0]!;
    expect(start).toMatchObject({ eventId: 1, category: 'round', kind: 'started', actor: { name: '测试协调人' } });
    expect(start.hashes).toEqual({
      'document:plan:v1': '11e25c2ede1d52587cb2baef5ad96989599b7e6595ae20465f1f84ab9da26d7c',
    });
    expect(start.what.zh).toContain('征求 3 个单位意见');
    expect(start.what.en).toContain('deadline 2026-12-14 23:07 北京时间 (UTC+8)');
    expect(t.documents).toEqual([
      expect.objectContaining({
        key: 'plan',
        versions: [expect.objectContaining({ n: 1, sha256: start.hashes['document:plan:v1'] })],
      }),
    ]);
    expect(t).toMatchObject({ title: '测试规划', timeZone: 'Asia/Shanghai', runId: expect.any(String) });
  });

  it('gives each reply its receipt: number, version and the hash of the reply record', () => {
    const science = actions[0]!;
    expect(science.bureaus).toEqual(['science']);
    expect(science.hashes.replyContent).toBe('f3161aac438be9853e144e6dff472312c3c03cc4f6c41fb535469568d608590c');
    expect(science.what.zh).toBe('大同市新荣区科学技术局：回复 第1号（第1版），通过链接，1 条意见');
    expect(science.what.en).toBe(
      'Xinrong District Science and Technology Bureau: reply no. 1 (version 1), through the link, 1 comment(s)',
    );
    expect(actions[2]!.what.en).toBe('Xinrong District Forestry Bureau: waived; reason: 机构调整');
  });

  it('lists every email with its kind, recipients and Message-ID', () => {
    const emails = t.entries.filter((e) => e.category === 'email');
    expect(emails.map((e) => e.kind).sort()).toEqual(
      [
        'invitation',
        'invitation',
        'invitation',
        'replyConfirmation',
        'replyConfirmation',
        'replyNotice',
        'replyNotice',
        'deadlineSummary',
      ].sort(),
    );
    const invitation = emails.find((e) => e.bureaus[0] === 'finance' && e.kind === 'invitation')!;
    expect(invitation.email).toEqual({
      kind: 'invitation',
      messageId: '<round-test-04b45af3-1.finance.invitation.1@plan-review.test>',
      to: ['finance@bureaus.example.org'],
      accepted: ['finance@bureaus.example.org'],
      rejected: [],
      sentAt: '2026-11-30T15:07:12.154Z',
      attempts: 1,
    });
    expect(invitation.actor).toBeUndefined();
    expect(invitation.what.zh).toBe('征求意见邀请 → finance@bureaus.example.org');
  });

  it('names the candidate PDF rendered and the approved PDF by the hash in the approveCandidate Update', () => {
    const pdf = t.entries.find((e) => e.category === 'pdf')!;
    expect(pdf.hashes).toEqual({
      pdf: '7efbee8d577c8cfe72b687353498ac441d9b62c5cb5029024dda79c60ade0d72',
      record: 'b9150f6607e1a43069f079b5c30312066acffa46c176cf548d4db47c8903d73a',
    });
    expect(t.approved).toEqual({
      pdfSha256: pdf.hashes.pdf,
      eventId: 105,
      at: '2026-11-30T15:07:13.191Z',
      by: { name: '区政府审批人', role: 'approver' },
    });
    expect(t.pdfs).toEqual([{ eventId: pdf.eventId, pdfSha256: pdf.hashes.pdf, recordSha256: pdf.hashes.record }]);
    expect(t.entries.at(-1)).toMatchObject({ kind: 'completed', what: { en: 'The round ended: Approved' } });
    expect(t).toMatchObject({ workflowStatus: 'COMPLETED', stage: 'approved' });
  });

  it('says every bureau was heard, with the evidence', () => {
    expect(t.consults).toBe(true);
    expect(t.allHeard).toBe(true);
    expect(
      t.hearing.map((b) => [b.bureau.id, b.outcome, b.evidence.map((x) => [x.eventId, x.kind, x.sha256])]),
    ).toEqual([
      ['finance', 'noComments', [[43, 'reply', '6b77106b4618f77b1606f9a01213f3573212235f568abe9994267b562ffb6445']]],
      ['science', 'replied', [[36, 'reply', 'f3161aac438be9853e144e6dff472312c3c03cc4f6c41fb535469568d608590c']]],
      ['forestry', 'waived', [[61, 'waived', undefined]]],
    ]);
  });

  it('is the same, entry for entry, every time it is built', () => {
    expect(buildTimeline('round:test-04b45af3:1', history('approval'))).toEqual(t);
  });
});

describe('due moments', () => {
  it('shows the deadline that deemed a silent bureau, never as "no comments", and the reminders before it', () => {
    const t = timeline('silent-bureau-deadline');
    const forestry = t.hearing.find((b) => b.bureau.id === 'forestry')!;
    expect(forestry.outcome).toBe('deemedNoComments');
    expect(forestry.evidence).toEqual([
      {
        eventId: 94,
        at: '2026-12-27T13:54:58.543Z',
        kind: 'deadline',
        what: {
          zh: '截止时间 2026-12-27 21:54 北京时间 (UTC+8) 已到，未回复，视为无意见',
          en: 'Deadline 2026-12-27 21:54 北京时间 (UTC+8) reached with no reply: deemed no comments',
        },
      },
    ]);
    const due = t.entries.find((e) => e.eventId === 94)!;
    expect(due).toMatchObject({ category: 'due', bureaus: ['forestry'] });
    expect(due.what.en).toBe('Deadline reached, deemed no comments: Xinrong District Forestry Bureau');
    const reminders = filterEntries(t.entries, { kind: 'reminder' });
    expect(reminders.map((e) => e.email?.messageId)).toEqual(
      [1, 2, 3].map((n) => `<round-test-87148703-1.forestry.reminder.${n}@plan-review.test>`),
    );
    expect(t.allHeard).toBe(true);
  });

  it('shows an extension that revives a deemed bureau, and its reply afterwards', () => {
    const t = timeline('extension-revives-deemed');
    const science = t.hearing.find((b) => b.bureau.id === 'science')!;
    expect(science.evidence.map((x) => x.kind)).toEqual(['deadline', 'extended', 'reply']);
    expect(science.outcome).toBe('noComments');
    // A running round whose finance bureau still has time: not everyone is heard yet.
    expect(t.workflowStatus).toBe('RUNNING');
    expect(t.hearing.find((b) => b.bureau.id === 'finance')!.outcome).toBe('pending');
    expect(t.allHeard).toBe(false);
  });

  it('shows an outcome notice left unanswered as deemed acknowledged, and an objection with its resolution', () => {
    const t = timeline('outcome-objection');
    const objection = t.entries.find((e) => e.kind === 'respondToOutcome')!;
    expect(objection.what.en).toBe('Xinrong District Science and Technology Bureau: Objected: 不采纳的理由不充分');
    expect(objection.actor?.role).toBe('bureau');
    const silent = t.entries.find((e) => e.category === 'due')!;
    expect(silent.what.en).toBe(
      'Outcome notice unanswered in time, deemed acknowledged: Xinrong District Forestry Bureau',
    );
    expect(t.entries.find((e) => e.kind === 'resolveObjection')!.what.zh).toBe(
      '大同市新荣区科学技术局的异议已处理：已与科技局沟通，维持原处理意见',
    );
  });
});

describe('what else a round records', () => {
  it('the expert review: the meeting scheduled and moved, opinions and revision notes (a round that consults no one)', () => {
    const t = timeline('expert-review');
    expect(filterEntries(t.entries, { kind: 'action' }).map((e) => e.kind)).toEqual([
      'scheduleMeeting',
      'rescheduleMeeting',
      'recordOpinions',
      'writeRevisionNote',
      'writeRevisionNote',
    ]);
    expect(t.entries.find((e) => e.kind === 'rescheduleMeeting')!.what.en).toBe(
      'Expert meeting moved: 2026-12-12 09:00–12:00 北京时间 (UTC+8), 新荣区政府三楼会议室; reason: 专家行程调整',
    );
    // Two experts and the coordinator.
    expect(filterEntries(t.entries, { kind: 'meetingUpdate' })).toHaveLength(3);
    expect(t.consults).toBe(false);
  });

  it('a refused action: shown as refused, with the round’s reason, and no version added', () => {
    const t = timeline('revised-version');
    const [refused, added] = t.entries.filter((e) => e.kind === 'addDocumentVersion');
    expect(refused!.status).toBe('refused');
    expect(refused!.what.en).toMatch(/^Revised version added: refused \(sha256: the file cannot be read/);
    expect(added!.status).toBe('done');
    expect(t.documents[0]!.versions.map((v) => [v.n, v.sha256, v.by?.name])).toEqual([
      [1, '11e25c2ede1d52587cb2baef5ad96989599b7e6595ae20465f1f84ab9da26d7c', '测试协调人'],
      [2, '4b08c039095db16067c36dcede89818e7cfbc0cf3f9ab947360ba3331cece004', '测试协调人'],
    ]);
    expect(added!.hashes).toEqual({ 'document:plan:v2': t.documents[0]!.versions[1]!.sha256 });
  });

  it('a permanent delivery failure: the email failed with the server’s answer', () => {
    const t = timeline('permanent-smtp-failure');
    const failed = t.entries.find((e) => e.status === 'failed')!;
    expect(failed).toMatchObject({ category: 'email', kind: 'invitation', bureaus: ['forestry'] });
    expect(failed.email!.error).toContain('550 5.1.1');
    expect(filterEntries(t.entries, { kind: 'deliveryFailure' })).toHaveLength(1);
  });

  it('a cancellation requested in Temporal itself, outside the app', () => {
    const t = timeline('cancel-from-temporal');
    expect(filterEntries(t.entries, { kind: 'outside' }).map((e) => e.kind)).toEqual(['cancelRequested']);
    expect(t.workflowStatus).toBe('CANCELLED');
  });

  it('every recorded history builds, one action entry per accepted Update', () => {
    for (const file of readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'))) {
      const h = history(file.replace(/\.json$/, ''));
      const t = buildTimeline('round:test:1', h);
      const accepted = h.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
      expect(
        t.entries.filter((e) => e.category === 'action'),
        file,
      ).toHaveLength(accepted);
      expect(
        t.entries.every((e) => e.what.zh && e.what.en && e.label.zh && e.label.en),
        file,
      ).toBe(true);
    }
  });
});

describe('filters', () => {
  const t = timeline('approval');

  it('by bureau, person, kind and time span', () => {
    expect(filterEntries(t.entries, { bureau: 'forestry' }).map((e) => e.kind)).toEqual([
      'started',
      'invitation',
      'waiveBureau',
    ]);
    expect(filterEntries(t.entries, { person: '审批' }).map((e) => e.kind)).toEqual(['approveCandidate']);
    expect(filterEntries(t.entries, { person: 'COORDINATOR@xinrong' }).length).toBeGreaterThan(4);
    expect(filterEntries(t.entries, { kind: 'pdf' })).toHaveLength(1);
    const span = filterEntries(t.entries, { since: '2026-11-30T15:07:12.500Z', until: '2026-11-30T15:07:12.600Z' });
    expect(span.map((e) => e.kind)).toEqual(['waiveBureau', 'closeConsultation', 'deadlineSummary']);
  });

  it('links an entry to its event in the Temporal Web UI when one is configured', () => {
    expect(eventUrl(undefined, 'default', t, 36)).toBeUndefined();
    expect(eventUrl('http://localhost:8233/', 'default', { roundId: 'round:p:1', runId: 'r1' }, 36)).toBe(
      'http://localhost:8233/namespaces/default/workflows/round%3Ap%3A1/r1/history/events/36',
    );
  });
});
