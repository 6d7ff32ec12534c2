/**
 * Verification of a round's records, in plain words: whether a PDF is the round's approved PDF (the
 * hash in the round's approveCandidate Update), whether every file the history names by hash
 * (document versions, scans, rendered PDFs and their records) is in the store with those very bytes,
 * and whether an exported trail is intact, or which entry was altered. Everything is checked against
 * the timeline built from the round's history, fetched from the server by the caller.
 */
import type { Label } from '../domain/labels.js';
import { ContentCorruptError, ContentNotFoundError, sha256Hex, type ContentStore } from './store.js';
import { bilingual, type Timeline } from './timeline.js';
import {
  buildTrail,
  entrySha256,
  genesis,
  TRAIL_FORMAT,
  trailHeader,
  type TrailEntry,
  type TrailHeader,
} from './trail.js';

export interface Check {
  /** What was checked. */
  subject: Label;
  ok: boolean;
  /** The finding, in a sentence. */
  finding: Label;
  /** Further findings (one per file or entry at fault). */
  details: Label[];
}

export interface Verification {
  ok: boolean;
  checks: Check[];
}

const short = (sha: string) => sha.slice(0, 16);

/** Whether `pdf` is the round's approved PDF, or else what it is. */
export function checkApprovedPdf(t: Timeline, pdf: Uint8Array, name = 'PDF'): Check {
  const subject = bilingual(`${name} 是否本轮批准稿`, `Is ${name} the approved PDF of ${t.roundId}`);
  const sha = sha256Hex(pdf);
  if (!t.approved) {
    return {
      subject,
      ok: false,
      finding: bilingual(
        `否：${t.roundId} 尚无批准稿（历史中没有 approveCandidate）。文件 SHA-256 ${sha}`,
        `No: ${t.roundId} has no approved PDF (no approveCandidate in its history). The file's SHA-256 is ${sha}`,
      ),
      details: [],
    };
  }
  const a = t.approved;
  if (sha === a.pdfSha256) {
    return {
      subject,
      ok: true,
      finding: bilingual(
        `是：SHA-256 ${sha} 即 ${a.by.name} 于事件 #${a.eventId}（${a.at}）批准的 PDF`,
        `Yes: SHA-256 ${sha} is the PDF ${a.by.name} approved in event #${a.eventId} (${a.at})`,
      ),
      details: [],
    };
  }
  const rendered = t.pdfs.find((p) => p.pdfSha256 === sha);
  return {
    subject,
    ok: false,
    finding: bilingual(
      `否：文件 SHA-256 为 ${sha}，批准稿（事件 #${a.eventId}）为 ${a.pdfSha256}`,
      `No: the file's SHA-256 is ${sha}; the approved PDF's (event #${a.eventId}) is ${a.pdfSha256}`,
    ),
    details: rendered
      ? [
          bilingual(
            `该文件是事件 #${rendered.eventId} 生成的候选 PDF，未被批准`,
            `The file is the candidate rendered in event #${rendered.eventId}, which was not approved`,
          ),
        ]
      : [],
  };
}

/** Every file the history names by hash, with its own bytes in the store. */
export async function checkStoredFiles(t: Timeline, store: ContentStore): Promise<Check> {
  const files: Array<{ sha256: string; what: Label }> = [];
  for (const d of t.documents)
    for (const v of d.versions)
      files.push({ sha256: v.sha256, what: bilingual(`《${d.title}》第 ${v.n} 版`, `《${d.title}》 version ${v.n}`) });
  for (const s of t.scans)
    files.push({
      sha256: s.sha256,
      what: bilingual(`${s.bureauId} 的扫描件（事件 #${s.eventId}）`, `${s.bureauId}'s scan (event #${s.eventId})`),
    });
  for (const p of t.pdfs) {
    files.push({
      sha256: p.pdfSha256,
      what: bilingual(`事件 #${p.eventId} 生成的 PDF`, `PDF rendered in event #${p.eventId}`),
    });
    if (p.recordSha256)
      files.push({
        sha256: p.recordSha256,
        what: bilingual(`事件 #${p.eventId} 所依据的审查记录`, `Review record of the PDF of event #${p.eventId}`),
      });
  }
  const seen = new Set<string>();
  const details: Label[] = [];
  let checked = 0;
  for (const f of files) {
    if (seen.has(f.sha256)) continue;
    seen.add(f.sha256);
    checked++;
    const mismatch = (actual: string) =>
      details.push(
        bilingual(
          `${f.what.zh}：存储中的内容已被替换（记录 ${f.sha256}，实际 ${actual}）`,
          `${f.what.en}: the stored bytes were replaced (recorded ${f.sha256}, they hash to ${actual})`,
        ),
      );
    try {
      // A store may check the hash itself (ContentCorruptError); one that does not is checked here.
      const actual = sha256Hex(await store.get(f.sha256));
      if (actual !== f.sha256) mismatch(actual);
    } catch (err) {
      if (err instanceof ContentCorruptError) mismatch(err.actual);
      else if (err instanceof ContentNotFoundError)
        details.push(
          bilingual(`${f.what.zh}：存储中没有 ${f.sha256}`, `${f.what.en}: ${f.sha256} is missing from the store`),
        );
      else throw err;
    }
  }
  const ok = details.length === 0;
  return {
    subject: bilingual('存储的文件与历史记录的摘要是否一致', 'Do the stored files match the hashes in the history'),
    ok,
    finding: ok
      ? bilingual(
          `是：${checked} 个文件均与记录的 SHA-256 一致`,
          `Yes: all ${checked} files match their recorded SHA-256`,
        )
      : bilingual(
          `否：${details.length} / ${checked} 个文件不一致`,
          `No: ${details.length} of ${checked} files do not match`,
        ),
    details,
  };
}

/** Whether an exported trail is intact: its own chain, then entry by entry against the history. */
export function checkTrail(t: Timeline, file: unknown, name = 'trail'): Check {
  const subject = bilingual(`审计链 ${name} 是否完整`, `Is the trail ${name} intact`);
  const fail = (finding: Label, details: Label[] = []): Check => ({ subject, ok: false, finding, details });
  const trail = file as { format?: unknown; roundId?: unknown; runId?: string; head?: unknown; entries?: unknown };
  if (!trail || typeof trail !== 'object' || trail.format !== TRAIL_FORMAT || !Array.isArray(trail.entries))
    return fail(bilingual(`否：不是审计链文件（${TRAIL_FORMAT}）`, `No: not a trail file (${TRAIL_FORMAT})`));
  if (trail.roundId !== t.roundId)
    return fail(
      bilingual(`否：这是 ${String(trail.roundId)} 的审计链`, `No: this is the trail of ${String(trail.roundId)}`),
    );
  const entries = trail.entries as TrailEntry[];
  const details: Label[] = [];
  const at = (e: TrailEntry, i: number) =>
    bilingual(`第 ${i + 1} 条（事件 #${e?.eventId}）`, `Entry ${i + 1} (event #${e?.eventId})`);

  // 1. The file's own chain.
  entries.forEach((e, i) => {
    const where = at(e, i);
    if (!e || typeof e !== 'object')
      return details.push(bilingual(`${where.zh}不是记录`, `${where.en} is not an entry`));
    if (entrySha256(e) !== e.sha256)
      details.push(
        bilingual(
          `${where.zh}已被改动：其内容的摘要与所记 sha256 不符`,
          `${where.en} was altered: its content no longer hashes to its sha256`,
        ),
      );
    const prev = i === 0 ? genesis(trail as TrailHeader) : entries[i - 1]?.sha256;
    if (e.prev !== prev)
      details.push(
        i === 0
          ? bilingual(
              '文件头（轮次、各单位结果、批准稿、文件）或第 1 条已被改动：第 1 条不再链接到文件头',
              'The header (the round, the hearing, the approved PDF, the documents) or entry 1 was altered: entry 1 no longer links to the header',
            )
          : bilingual(
              `${where.zh}与前一条的链接断开（有记录被删除、插入或重算了摘要）`,
              `${where.en} no longer links to the entry before it (an entry was removed, inserted or re-hashed)`,
            ),
      );
  });
  if (entries.length > 0 && trail.head !== entries.at(-1)!.sha256)
    details.push(bilingual('链首（head）与最后一条不符', "The head is not the last entry's sha256"));
  if (details.length > 0)
    return fail(bilingual('否：文件本身的哈希链已断开', "No: the file's own hash chain is broken"), details);

  // 2. The header, then entry by entry, against the trail built again from the history (catches an edited file re-chained).
  const rebuilt = buildTrail(t);
  const header = trailHeader(t);
  if (genesis(trail as TrailHeader) !== genesis(header)) {
    const fields = differing(trail as Record<string, unknown>, header as unknown as Record<string, unknown>, [
      'entries',
      'head',
      'exportedAt',
    ]);
    return fail(
      bilingual(
        '否：文件头与本轮历史不符（文件被改动后重新计算了哈希链）',
        "No: the header differs from the round's history (the file was edited and re-chained)",
      ),
      [bilingual(`不符的字段：${fields.join('、')}`, `Fields that differ: ${fields.join(', ')}`)],
    );
  }
  const fresh = rebuilt.entries;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const f = fresh[i];
    if (f && f.sha256 === e.sha256) continue;
    if (e.status === 'pending' && f)
      return {
        subject,
        ok: true,
        finding: bilingual(
          `是：前 ${i} 条与历史一致；导出时第 ${i + 1} 条仍在进行，此后本轮已有新的进展`,
          `Yes: the first ${i} entries match the history; entry ${i + 1} was still in progress when exported, and the round has moved on since`,
        ),
        details: [],
      };
    if (!f)
      return fail(
        bilingual(
          `否：第 ${i + 1} 条起的记录不在本轮历史中`,
          `No: entries from ${i + 1} on are not in the round's history`,
        ),
      );
    const fields = differing(e, f, ['n', 'prev', 'sha256']);
    return fail(
      bilingual(
        `否：${at(e, i).zh}与本轮历史不符（文件被改动后重新计算了哈希链）`,
        `No: ${at(e, i).en} differs from the round's history (the file was edited and re-chained)`,
      ),
      [bilingual(`不符的字段：${fields.join('、')}`, `Fields that differ: ${fields.join(', ')}`)],
    );
  }
  const added = fresh.length - entries.length;
  return {
    subject,
    ok: true,
    finding:
      added > 0
        ? bilingual(
            `是：${entries.length} 条均与历史一致；导出后本轮又有 ${added} 条记录`,
            `Yes: all ${entries.length} entries match the history; the round has ${added} more since the export`,
          )
        : bilingual(
            `是：${entries.length} 条均与历史一致，链首 ${short(String(trail.head))}…`,
            `Yes: all ${entries.length} entries match the history, head ${short(String(trail.head))}…`,
          ),
    details: [],
  };
}

/** The top-level fields in which two records differ (as JSON), but those skipped. */
function differing(a: object, b: object, skip: string[]): string[] {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  return Object.keys({ ...x, ...y }).filter((k) => !skip.includes(k) && JSON.stringify(x[k]) !== JSON.stringify(y[k]));
}

export async function verifyRound(opts: {
  timeline: Timeline;
  pdf: Uint8Array;
  pdfName?: string;
  store: ContentStore;
  trail?: unknown;
  trailName?: string;
}): Promise<Verification> {
  const checks = [
    checkApprovedPdf(opts.timeline, opts.pdf, opts.pdfName),
    await checkStoredFiles(opts.timeline, opts.store),
    ...(opts.trail !== undefined ? [checkTrail(opts.timeline, opts.trail, opts.trailName)] : []),
  ];
  return { ok: checks.every((c) => c.ok), checks };
}
