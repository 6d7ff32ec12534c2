/** Where a change lands in the revised version, as the outcome notices print it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { changePages } from '../../activities/pdf.js';
import { renderPlan } from '../../pdf/render.js';
import { loadSeedRecord, seedPlanPath } from './helpers.js';

describe('the pages of changes in a version', () => {
  it('are the pages the approved PDF prints for the same anchors (the review tables come after them)', async () => {
    const source = readFileSync(seedPlanPath, 'utf8');
    const record = loadSeedRecord();
    const approved = await renderPlan({ source, record, mode: 'approved' });
    const pageOf = changePages();
    const doc = { source, sourceSha256: 'seed', docKey: 'xinrong-eco-plan' };
    for (const d of record.dispositions) {
      const a = d.changedAt[0]!;
      const printed = approved.anchors.find((x) => x.anchor === a || JSON.stringify(x.anchor) === JSON.stringify(a))!;
      expect(await pageOf(doc, { section: a.section!, ...(a.quote && { quote: a.quote }) }), d.commentId).toBe(
        printed.pages,
      );
    }
    expect(await pageOf(doc, { section: '没有这一节' })).toBe('—');
  }, 120_000);
});
