/**
 * Verification of a round's records, in plain words: whether a PDF is the round's approved PDF (the
 * hash in the round's approveCandidate Update), whether every file the history names by hash
 * (document versions, scans, rendered PDFs and their records) is in the store with those very bytes,
 * and whether an exported trail is intact, or which entry was altered. Everything is checked against
 * the timeline built from the round's history, fetched from the server by the caller.
 */
import type { History } from '@temporalio/common/lib/proto-utils.js';
import type { Label } from '../domain/labels.js';
import { ArchiveError, historyThrough, openArchive, type OpenedArchive } from './archive.js';
import { ContentCorruptError, ContentNotFoundError, sha256Hex, type ContentStore } from './store.js';
import { bilingual, buildTimeline, type Timeline } from './timeline.js';
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

export interface TrailAnchor {
  /** The trail's head as recorded when the round was archived, and how many entries it closes. */
  head: string;
  entries: number;
  /** Where it was recorded (the archiving's event, or the archive). */
  where: Label;
}

/**
 * Whether an exported trail is intact: its own chain, then its entries up to the recorded head (the
 * archive's), then entry by entry against the trail built again from `t`. `t` may be the timeline of
 * an archive (the history up to the archiving, when the server no longer has the round): the entries
 * after the archive's (its own archiving, the round's end) are then checked by their chain only.
 */
export function checkTrail(
  t: Timeline,
  file: unknown,
  name = 'trail',
  opts: { anchor?: TrailAnchor; archiveOnly?: boolean } = {},
): Check {
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

  // 2. The head recorded when the round was archived: an edited file chained again cannot reach it.
  const anchor = opts.anchor;
  if (anchor && entries.length >= anchor.entries && anchor.entries > 0) {
    const e = entries[anchor.entries - 1]!;
    if (e.sha256 !== anchor.head)
      return fail(
        bilingual(
          `否：第 ${anchor.entries} 条的 sha256 不是${anchor.where.zh}中记录的链首（文件被改动后重新计算了哈希链）`,
          `No: entry ${anchor.entries}'s sha256 is not the head recorded in ${anchor.where.en} (the file was edited and re-chained)`,
        ),
        [
          bilingual(`记录的链首 ${anchor.head}`, `Recorded head ${anchor.head}`),
          bilingual(`文件中的 ${e.sha256}`, `The file's ${e.sha256}`),
        ],
      );
  }

  // 3. The header, then entry by entry, against the trail built again from the history (catches an edited file re-chained).
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
    if (!f && opts.archiveOnly)
      return {
        subject,
        ok: true,
        finding: bilingual(
          `是：前 ${i} 条与归档一致（链首 ${short(fresh.at(-1)?.sha256 ?? '')}…）；其后 ${entries.length - i} 条（归档本身、本轮结束）在归档之后，仅由哈希链核对`,
          `Yes: the first ${i} entries match the archive (head ${short(fresh.at(-1)?.sha256 ?? '')}…); the ${entries.length - i} after them (the archiving itself, the round's end) came after the archive and are checked by their chain only`,
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

/** Where the archive's hash came from, for the findings. */
export type ArchiveSource = 'history' | 'name' | 'argument';

const SOURCE_LABELS: Record<ArchiveSource, Label> = {
  history: bilingual('本轮历史中归档步骤的结果', "the archiving's result in the round's history"),
  name: bilingual('文档存储中以本轮编号登记的归档', 'the archive the document store names for the round'),
  argument: bilingual('命令行给出的归档', 'the archive given on the command line'),
};

/**
 * Whether the round's archive is intact: the manifest, history, trail and certificate it names are in
 * the store with their hashes, its trail's chain holds and is the trail of its history, and, while
 * the server still has the round, it is the archive the history records, of that very history.
 */
export async function checkArchive(opts: {
  roundId: string;
  store: ContentStore;
  sha256: string;
  source: ArchiveSource;
  /** The archiving's result in the round's history, when the server still has the round. */
  recorded?: Timeline['archive'];
  /** The round's history from the server, when it still has it. */
  history?: History;
}): Promise<{ check: Check; archive?: OpenedArchive }> {
  const subject = bilingual(`归档 ${short(opts.sha256)}… 是否完整`, `Is the archive ${short(opts.sha256)}… intact`);
  const fail = (finding: Label, details: Label[] = []) => ({ check: { subject, ok: false, finding, details } });
  const recorded = opts.recorded;
  if (recorded && recorded.archiveSha256 !== opts.sha256)
    return fail(
      bilingual(
        `否：这不是本轮历史（事件 #${recorded.eventId}）记录的归档 ${recorded.archiveSha256}`,
        `No: it is not the archive the round's history records (event #${recorded.eventId}): ${recorded.archiveSha256}`,
      ),
      [bilingual(`来源：${SOURCE_LABELS[opts.source].zh}`, `Found as ${SOURCE_LABELS[opts.source].en}`)],
    );
  let archive: OpenedArchive;
  try {
    archive = await openArchive(opts.store, opts.sha256, opts.roundId);
  } catch (err) {
    if (err instanceof ArchiveError) return fail(bilingual(`否：${err.label.zh}`, `No: ${err.label.en}`));
    throw err;
  }
  const m = archive.manifest;
  const details: Label[] = [];
  if (recorded) {
    const fields = (
      [
        ['throughEventId', recorded.throughEventId, m.throughEventId],
        ['trail', recorded.trailSha256, m.trail.sha256],
        ['trailHead', recorded.trailHead, m.trail.head],
        ['certificate', recorded.certificateSha256, m.certificate.sha256],
        ['history', recorded.historySha256, m.history.sha256],
      ] as const
    ).filter(([, a, b]) => a !== b);
    for (const [k, a, b] of fields)
      details.push(bilingual(`${k}：历史记录 ${a}，归档 ${b}`, `${k}: the history records ${a}, the archive has ${b}`));
  }
  if (opts.history) {
    const head = buildTrail(buildTimeline(opts.roundId, historyThrough(opts.history, m.throughEventId))).head;
    if (head !== m.trail.head)
      details.push(
        bilingual(
          `服务器上的历史至事件 #${m.throughEventId} 的链首为 ${head}，归档为 ${m.trail.head}`,
          `The server's history through event #${m.throughEventId} has head ${head}; the archive's is ${m.trail.head}`,
        ),
      );
  }
  const trail = checkTrail(archive.timeline, archive.trail, 'trail.json');
  if (!trail.ok)
    details.push(
      bilingual(`归档的审计链：${trail.finding.zh}`, `The archive's trail: ${trail.finding.en}`),
      ...trail.details,
    );
  if (archive.trail.head !== m.trail.head || archive.trail.entries?.length !== m.trail.entries)
    details.push(bilingual('归档的审计链与归档清单不符', "The archive's trail does not match its manifest"));
  if (archive.timeline.approved?.pdfSha256 !== m.approvedPdf.sha256)
    details.push(bilingual('归档清单中的批准稿与归档的历史不符', "The manifest's approved PDF is not its history's"));
  if (details.length > 0)
    return {
      check: {
        subject,
        ok: false,
        finding: bilingual('否：归档与记录不符', 'No: the archive does not match the record'),
        details,
      },
      archive,
    };
  return {
    check: {
      subject,
      ok: true,
      finding: bilingual(
        `是：归档涵盖历史至事件 #${m.throughEventId}，审计链 ${m.trail.entries} 条，链首 ${m.trail.head}；依据${SOURCE_LABELS[opts.source].zh}`,
        `Yes: it covers the history through event #${m.throughEventId}, a trail of ${m.trail.entries} entries with head ${m.trail.head}; found as ${SOURCE_LABELS[opts.source].en}`,
      ),
      details: [],
    },
    archive,
  };
}

/**
 * Verifies a PDF (and a trail) against the round's history, or against its archive alone when the
 * server no longer has the round (`history` absent, `archiveSha256` given).
 */
export async function verifyRound(opts: {
  roundId: string;
  /** The round's history from the server; absent once Temporal has deleted it. */
  history?: History;
  /** The archive to check: the one the history records, else one named in the store or given. */
  archiveSha256?: string;
  archiveSource?: ArchiveSource;
  pdf: Uint8Array;
  pdfName?: string;
  store: ContentStore;
  trail?: unknown;
  trailName?: string;
}): Promise<Verification & { title: string; basis: Label }> {
  const fromHistory = opts.history ? buildTimeline(opts.roundId, opts.history) : undefined;
  const recorded = fromHistory?.archive;
  const sha = recorded?.archiveSha256 ?? opts.archiveSha256;
  const source: ArchiveSource = recorded ? 'history' : (opts.archiveSource ?? 'argument');
  const checks: Check[] = [];
  let archived: OpenedArchive | undefined;
  if (sha) {
    if (recorded && opts.archiveSha256 && opts.archiveSha256 !== recorded.archiveSha256) {
      const given = await checkArchive({
        ...opts,
        sha256: opts.archiveSha256,
        source: opts.archiveSource ?? 'argument',
        recorded,
      });
      checks.push(given.check);
    }
    const r = await checkArchive({
      roundId: opts.roundId,
      store: opts.store,
      sha256: sha,
      source,
      recorded,
      history: opts.history,
    });
    checks.push(r.check);
    archived = r.archive;
  }
  const timeline = fromHistory ?? archived?.timeline;
  if (!timeline)
    // Without the history, an archive that cannot be read leaves nothing to check the PDF and trail against.
    return {
      ok: false,
      checks,
      title: '',
      basis: bilingual(
        `依据：归档 ${sha}（服务器上已没有本轮的历史），但归档无法读取，无法核对 PDF 和审计链`,
        `Checked against: the archive ${sha} (the server no longer has the round's history), which cannot be read: the PDF and the trail cannot be checked`,
      ),
    };
  const basis = fromHistory
    ? bilingual('依据：服务器上本轮的工作流历史', "Checked against: the round's workflow history on the server")
    : bilingual(
        `依据：归档 ${sha}（服务器上已没有本轮的历史）`,
        `Checked against: the archive ${sha} (the server no longer has the round's history)`,
      );
  const anchor: TrailAnchor | undefined = archived && {
    head: archived.manifest.trail.head,
    entries: archived.manifest.trail.entries,
    where: recorded
      ? bilingual(`本轮历史（事件 #${recorded.eventId}）`, `the round's history, event #${recorded.eventId}`)
      : bilingual(`归档 ${short(archived.sha256)}…`, `the archive ${short(archived.sha256)}…`),
  };
  checks.unshift(checkApprovedPdf(timeline, opts.pdf, opts.pdfName));
  checks.splice(1, 0, await checkStoredFiles(timeline, opts.store));
  if (opts.trail !== undefined)
    checks.push(checkTrail(timeline, opts.trail, opts.trailName, { anchor, archiveOnly: !fromHistory }));
  return { ok: checks.every((c) => c.ok), checks, title: timeline.title, basis };
}
