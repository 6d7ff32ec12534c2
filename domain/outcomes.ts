/** How outcomes read to people: "deemed no comments" is never shown as "no comments". */
import type { BureauOutcome } from './records.js';

export const OUTCOME_TEXT: Record<BureauOutcome, { zh: string; en: string }> = {
  pending: { zh: '未回复', en: 'Pending' },
  replied: { zh: '已回复（有意见）', en: 'Replied with comments' },
  noComments: { zh: '无意见', en: 'No comments' },
  deemedNoComments: { zh: '逾期未回复，视为无意见', en: 'No reply: deemed no comments' },
  waived: { zh: '已免于回复', en: 'Waived' },
};

export function outcomeText(outcome: BureauOutcome): string {
  const t = OUTCOME_TEXT[outcome];
  return `${t.zh} ${t.en}`;
}
