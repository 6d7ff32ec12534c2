/**
 * The audit certificate of a recorded approved round (test/histories/approval.json), rendered with
 * the plan's renderer and CJK fonts and read back with poppler: the round, every participant, the
 * approved PDF's hash, the trail's head, and every entry with its chain hash (in the monospaced
 * face), Chinese and English.
 */
import { describe, expect, it } from 'vitest';
import { participants, renderCertificate } from '../../infra/certificate.js';
import { buildTimeline } from '../../infra/timeline.js';
import { buildTrail } from '../../infra/trail.js';
import { APPROVED_ROUND, recordedHistory } from '../support/recordedHistories.js';
import { norm, pagesText, pdffonts, savePdf } from './helpers.js';

const timeline = buildTimeline(APPROVED_ROUND, recordedHistory('approval'));
const trail = buildTrail(timeline, new Date('2030-01-01T00:00:00Z'));

describe('the audit certificate', () => {
  it('names the round, its participants, the hashes and every entry of the trail, in Chinese and English', async () => {
    const { pdf, pages } = await renderCertificate({ timeline, trail });
    const file = savePdf(pdf);
    const text = pagesText(file);
    expect(text).toHaveLength(pages);
    const all = norm(text.join('\n'));

    expect(all).toContain(norm('审查过程证明书 Certificate of Completion of the Review'));
    expect(all).toContain(APPROVED_ROUND);
    expect(all).toContain(norm(trail.title));
    expect(all).toContain(norm(`批准稿 SHA-256 Approved PDF: ${trail.approved!.pdfSha256}`));
    expect(all).toContain(norm(`Approved by ${trail.approved!.by.name}`));
    expect(all).toContain(trail.head);
    for (const d of trail.documents) for (const v of d.versions) expect(all).toContain(v.sha256);

    const people = participants(trail);
    expect(people.map((p) => p.actor.role)).toEqual(expect.arrayContaining(['coordinator', 'approver', 'bureau']));
    for (const p of people) expect(all, p.actor.name).toContain(norm(p.actor.name));
    for (const h of trail.hearing) expect(all).toContain(norm(`${h.bureau.nameZh} ${h.bureau.nameEn}`));

    // Every entry, in order, with its chain hash and both wordings of what happened.
    let from = 0;
    for (const e of trail.entries) {
      const at = all.indexOf(norm(`sha256: ${e.sha256}`), from);
      expect(at, `entry ${e.n}`).toBeGreaterThan(from);
      const head = all.lastIndexOf(norm(`${e.n}.`), at);
      expect(all.slice(head, at)).toContain(norm(e.what.zh));
      expect(all.slice(head, at)).toContain(norm(e.what.en));
      from = at;
    }
    // The plan's own CJK faces, embedded as subsets; the hashes in the monospaced one.
    expect(pdffonts(file)).toMatch(/NotoSerifCJK/);
    expect(pdffonts(file)).toMatch(/NotoSansMonoCJKsc/);
  });

  it('renders the same bytes again', async () => {
    const a = await renderCertificate({ timeline, trail });
    const b = await renderCertificate({ timeline, trail });
    expect(a.sha256).toBe(b.sha256);
  });
});
