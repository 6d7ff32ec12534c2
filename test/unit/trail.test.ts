/**
 * The exported trail (infra/trail.ts): each entry chained to the one before by SHA-256 in the
 * canonical form the file states, recomputable by anyone with an RFC 8785 implementation and
 * SHA-256; the same history gives the same chain; CSV that a spreadsheet opens cleanly.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../infra/timeline.js';
import { buildTrail, genesis, TRAIL_FORMAT, trailCsv, trailHeader, trailJson, type Trail } from '../../infra/trail.js';
import { APPROVED_ROUND, recordedHistory } from '../support/recordedHistories.js';

const timeline = buildTimeline(APPROVED_ROUND, recordedHistory('approval'));
const trail = buildTrail(timeline, new Date('2030-01-01T00:00:00Z'));

/** SHA-256 of RFC 8785 canonical JSON, computed here without the project's helpers. */
const sha = (value: unknown) => createHash('sha256').update(canonicalize(value)!, 'utf8').digest('hex');

describe('the JSON trail', () => {
  it('chains each entry to the one before it, as the file says: anyone can recompute it', () => {
    const file = JSON.parse(trailJson(trail)) as Trail;
    expect(file.format).toBe(TRAIL_FORMAT);
    expect(file.canonicalForm).toContain('RFC 8785 canonical JSON');
    expect(file.entries).toHaveLength(timeline.entries.length);
    // The first link: the header, that is the file without its entries, head and export time.
    const { entries: _entries, head: _head, exportedAt: _at, ...header } = file;
    expect(file.entries[0]!.prev).toBe(sha(header));
    expect(header.roundId).toBe(APPROVED_ROUND);
    file.entries.forEach((entry, i) => {
      const { sha256, ...rest } = entry;
      expect(entry.n).toBe(i + 1);
      expect(sha256).toBe(sha(rest));
      if (i > 0) expect(entry.prev).toBe(file.entries[i - 1]!.sha256);
    });
    expect(file.head).toBe(file.entries.at(-1)!.sha256);
    expect(file.entries[0]!.prev).toBe(genesis(trailHeader(timeline)));
  });

  it('is the same chain for the same history, whenever it is exported', () => {
    const later = buildTrail(
      buildTimeline(APPROVED_ROUND, recordedHistory('approval')),
      new Date('2031-06-01T00:00:00Z'),
    );
    expect(later.entries).toEqual(trail.entries);
    expect(later.head).toBe(trail.head);
    expect(later.exportedAt).not.toBe(trail.exportedAt);
  });

  it('carries the answer to "was every bureau heard", the approved PDF and the documents', () => {
    expect(trail.hearing.map((h) => [h.bureau.id, h.outcome])).toEqual([
      ['finance', 'noComments'],
      ['science', 'replied'],
      ['forestry', 'waived'],
    ]);
    expect(trail.approved?.pdfSha256).toBe('7efbee8d577c8cfe72b687353498ac441d9b62c5cb5029024dda79c60ade0d72');
    expect(trail.documents[0]!.versions[0]!.sha256).toBe(
      '11e25c2ede1d52587cb2baef5ad96989599b7e6595ae20465f1f84ab9da26d7c',
    );
  });
});

describe('the CSV', () => {
  const csv = trailCsv(trail, trail.entries);
  const lines = csv.slice(1).split('\r\n');

  it('is UTF-8 with a byte-order mark and CRLF line ends, one row per entry after the header', () => {
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(trail.entries.length + 2);
    expect(lines[0]).toBe(
      'n,event,time (UTC),time (local),category,kind,类别,label,人员 who,role,username,bureaus,内容,what,status,submitted SHA-256,hashes,Message-ID,recipients,prev SHA-256,SHA-256',
    );
  });

  it('writes the Chinese and English as they are, quoting what needs it, and the chain hashes of each row', () => {
    const waive = lines.find((l) => l.includes(',waiveBureau,'))!;
    const entry = trail.entries.find((e) => e.kind === 'waiveBureau')!;
    expect(waive).toBe(
      `${entry.n},61,2026-11-30T15:07:12.517Z,2026-11-30 23:07:12 北京时间 (UTC+8),action,waiveBureau,免于征求意见,Bureau waived,测试协调人,coordinator,,forestry,大同市新荣区林业局：免于征求意见；理由：机构调整,Xinrong District Forestry Bureau: waived; reason: 机构调整,done,${entry.submittedSha256},,,,${entry.prev},${entry.sha256}`,
    );
    // "Round started: 1 document(s) ..., stages: ..." holds commas: quoted.
    expect(lines.find((l) => l.includes(',started,'))).toContain(
      '"Round started: 1 document(s) circulated to 3 bureaus;',
    );
  });

  it('quotes quotes and line breaks, and keeps a formula from running in a spreadsheet', () => {
    const e = { ...trail.entries[0]!, what: { zh: '=HYPERLINK("x")', en: 'two\nlines, "quoted"' } };
    const row = trailCsv(trail, [e]).split('\r\n')[1]!;
    expect(row).toContain(`"'=HYPERLINK(""x"")","two\nlines, ""quoted"""`);
  });
});
