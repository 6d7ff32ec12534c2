/** What a bureau's link may show of its round (domain/linkView.ts). */
import { describe, expect, it } from 'vitest';
import { linkView } from '../../domain/linkView.js';
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
});
