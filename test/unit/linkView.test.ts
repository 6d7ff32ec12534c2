/** What a bureau's link may show of its round (domain/linkView.ts). */
import { describe, expect, it } from 'vitest';
import { linkView, linkViewFingerprint, linkViewFingerprints } from '../../domain/linkView.js';
import type { RoundStatus } from '../../domain/round.js';
import { publishedRound } from '../support/dispositionRound.js';

describe("a bureau's link view of its round", () => {
  const round = publishedRound();
  round.mailInFlight = [
    { messageId: '<a@x>', kind: 'outcomeNotice', recipient: 'finance', to: ['f@x'], since: round.startedAt },
    { messageId: '<b@x>', kind: 'outcomeNotice', recipient: 'forestry', to: ['g@x'], since: round.startedAt },
    { messageId: '<c@x>', kind: 'replyNotice', recipient: 'coordinator', to: ['c@x'], since: round.startedAt },
  ];
  round.problems = [{ at: round.startedAt, message: 'delivery to g@x failed' }];

  it("holds the bureau's own part and nobody else's", () => {
    const view = linkView(round, 'finance');
    expect(view.bureaus.map((b) => b.bureau.id)).toEqual(['finance']);
    expect(view.notices.map((n) => n.bureauId)).toEqual(['finance']);
    expect(view.dispositions.map((d) => d.commentId)).toEqual(['finance-1-1', 'finance-1-2']);
    expect(view.mailInFlight.map((m) => m.messageId)).toEqual(['<a@x>']);
    expect(view.problems).toEqual([]);
    expect(JSON.stringify(view)).not.toContain('forestry-2-1');
    expect(JSON.stringify(view)).not.toContain('森林覆盖率');
  });

  it('keeps what belongs to the round as a whole', () => {
    const view = linkView(round, 'forestry');
    const bureauParts = ['bureaus', 'notices', 'dispositions', 'mailInFlight', 'problems'];
    for (const [field, value] of Object.entries(round))
      if (!bureauParts.includes(field)) expect(view[field as keyof RoundStatus], field).toEqual(value);
    expect(view.dispositions.map((d) => d.commentId)).toEqual(['forestry-2-1']);
    expect(view.notices[0]?.objection).toContain('森林覆盖率');
  });

  it('is empty of bureau parts for a bureau the round does not have, and leaves the status as it was', () => {
    const before = structuredClone(round);
    const view = linkView(round, 'nobody');
    expect([view.bureaus, view.notices, view.dispositions, view.mailInFlight]).toEqual([[], [], [], []]);
    expect(round).toEqual(before);
  });

  describe('fingerprints', () => {
    const ids = round.bureaus.map((b) => b.bureau.id);

    it("are one per bureau, each the fingerprint of that bureau's view alone", () => {
      const all = linkViewFingerprints(round);
      expect(Object.keys(all)).toEqual(ids);
      expect(new Set(Object.values(all)).size).toBe(ids.length);
      for (const id of ids) {
        expect(all[id]).toMatch(/^[0-9a-f]{16}$/);
        expect(linkViewFingerprint(round, id)).toBe(all[id]);
        // What a web server holds after a query (JSON) or after projecting it gives the same.
        expect(linkViewFingerprint(JSON.parse(JSON.stringify(round)) as RoundStatus, id)).toBe(all[id]);
        expect(linkViewFingerprint(linkView(round, id), id)).toBe(all[id]);
      }
    });

    it("stay the same when another bureau's part or the coordinator's worklist changes", () => {
      const before = linkViewFingerprints(round);
      const changed = structuredClone(round);
      const forestry = changed.bureaus.find((b) => b.bureau.id === 'forestry')!;
      forestry.replies.push({ ...forestry.replies[0]!, n: 9 });
      changed.notices.find((n) => n.bureauId === 'forestry')!.objection = '另一条异议';
      changed.dispositions.find((d) => d.commentId === 'forestry-2-1')!.rationale = '改过的理由';
      changed.mailInFlight.pop();
      changed.problems.push({ at: round.startedAt, message: 'another failure' });
      const after = linkViewFingerprints(changed);
      expect(after.forestry).not.toBe(before.forestry);
      for (const id of ids.filter((x) => x !== 'forestry')) expect(after[id], id).toBe(before[id]);
    });

    it("move for every bureau when the round as a whole changes, and for one when that bureau's part does", () => {
      const before = linkViewFingerprints(round);
      const staged = { ...structuredClone(round), stage: 'approval' as const };
      for (const id of ids) expect(linkViewFingerprint(staged, id), id).not.toBe(before[id]);
      const finance = structuredClone(round);
      finance.dispositions.find((d) => d.commentId === 'finance-1-2')!.rationale = '改过的理由';
      expect(linkViewFingerprint(finance, 'finance')).not.toBe(before.finance);
      expect(linkViewFingerprint(finance, 'forestry')).toBe(before.forestry);
    });
  });
});
