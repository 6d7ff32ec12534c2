/**
 * A round's audit trail as files an auditor keeps: JSON, complete and machine-readable, each entry
 * chained to the one before it by SHA-256; and CSV, one row per entry, UTF-8 with a byte-order mark
 * so that a spreadsheet opens the Chinese text cleanly.
 *
 * The chain (TRAIL_CANONICAL_FORM says it in the file itself):
 * - an entry's `sha256` is the SHA-256 of the RFC 8785 canonical JSON (UTF-8) of the entry without
 *   its `sha256` field, `n` and `prev` included;
 * - `prev` is the `sha256` of the entry before it; the first entry's `prev` is the SHA-256 of the
 *   canonical JSON of the file's header (every field but `entries`, `head` and `exportedAt`: the
 *   round, the hearing, the approved PDF, the documents), binding the chain to its round;
 * - `head` is the last entry's `sha256`.
 * Editing an entry breaks its hash; re-hashing it breaks the next entry's `prev`; re-chaining the
 * whole file is caught by comparing it with the trail built again from the round's history.
 */
import { canonicalSha256 } from '../domain/replyHash.js';
import { formatInstant } from './templates.js';
import { type Timeline, type TimelineEntry } from './timeline.js';

export const TRAIL_FORMAT = 'plan-review-trail/1';
export const TRAIL_CANONICAL_FORM =
  "Each entry's sha256 is the SHA-256 (hex) of the RFC 8785 canonical JSON, UTF-8, of the entry without its sha256 field. " +
  "Its prev is the sha256 of the entry before it; the first entry's prev is the SHA-256 of the canonical JSON of this " +
  "file without entries, head and exportedAt. head is the last entry's sha256. plan-review verify checks the chain, " +
  "then rebuilds the trail from the round's history and compares them.";

export type TrailEntry = TimelineEntry & { n: number; prev: string; sha256: string };

export interface Trail {
  format: typeof TRAIL_FORMAT;
  canonicalForm: string;
  roundId: string;
  runId?: string;
  title: string;
  timeZone: string;
  /** When the file was written (not chained: two exports of the same history differ only here). */
  exportedAt: string;
  head: string;
  hearing: Timeline['hearing'];
  approved?: Timeline['approved'];
  documents: Timeline['documents'];
  entries: TrailEntry[];
}

export type TrailHeader = Omit<Trail, 'entries' | 'head' | 'exportedAt'>;

/** The first entry's `prev`: the hash of the file's header (the round, its hearing, approved PDF and documents). */
export function genesis(header: TrailHeader): string {
  const { entries: _e, head: _h, exportedAt: _x, ...rest } = header as Partial<Trail>;
  return canonicalSha256(JSON.parse(JSON.stringify(rest)));
}

/** The header of a timeline's trail. */
export function trailHeader(t: Timeline): TrailHeader {
  return {
    format: TRAIL_FORMAT,
    canonicalForm: TRAIL_CANONICAL_FORM,
    roundId: t.roundId,
    ...(t.runId && { runId: t.runId }),
    title: t.title,
    timeZone: t.timeZone,
    hearing: t.hearing,
    ...(t.approved && { approved: t.approved }),
    documents: t.documents,
  };
}

/** An entry's own hash: over its canonical JSON without the `sha256` field. */
export function entrySha256(entry: Omit<TrailEntry, 'sha256'> & { sha256?: string }): string {
  const { sha256: _own, ...rest } = entry;
  // JSON's own view of the entry (undefined fields dropped), as it is written to and read from the file.
  return canonicalSha256(JSON.parse(JSON.stringify(rest)));
}

/** Chains the timeline's entries, in order, after the header. */
export function chainEntries(header: TrailHeader, entries: TimelineEntry[]): TrailEntry[] {
  let prev = genesis(header);
  return entries.map((e, i) => {
    const unsealed = { ...e, n: i + 1, prev };
    const sha256 = entrySha256(unsealed);
    prev = sha256;
    return { ...unsealed, sha256 };
  });
}

export function buildTrail(t: Timeline, exportedAt: Date = new Date()): Trail {
  const header = trailHeader(t);
  const entries = chainEntries(header, t.entries);
  return {
    ...header,
    exportedAt: exportedAt.toISOString(),
    head: entries.at(-1)?.sha256 ?? genesis(header),
    entries,
  };
}

export const trailJson = (trail: Trail) => `${JSON.stringify(trail, null, 2)}\n`;

// -------------------------------------------------------------------------------------------------
// CSV

const CSV_COLUMNS = [
  'n',
  'event',
  'time (UTC)',
  'time (local)',
  'category',
  'kind',
  '类别',
  'label',
  '人员 who',
  'role',
  'username',
  'bureaus',
  '内容',
  'what',
  'status',
  'submitted SHA-256',
  'hashes',
  'Message-ID',
  'recipients',
  'prev SHA-256',
  'SHA-256',
] as const;

/**
 * One field as RFC 4180 writes it; a field a spreadsheet would read as a formula (= + - @, tab,
 * carriage return first) is shown as text with a leading apostrophe.
 */
function csvField(value: string | number | undefined): string {
  let s = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The trail's entries (or some of them) as CSV: UTF-8 with a BOM, CRLF line ends, one row per entry. */
export function trailCsv(trail: Pick<Trail, 'timeZone'>, entries: TrailEntry[]): string {
  const rows = entries.map((e) => [
    e.n,
    e.eventId,
    e.at,
    formatInstant(e.at, trail.timeZone, { seconds: true }),
    e.category,
    e.kind,
    e.label.zh,
    e.label.en,
    e.actor?.name,
    e.actor?.role ?? 'system',
    e.actor?.username,
    e.bureaus.join(' '),
    e.what.zh,
    e.what.en,
    e.status,
    e.submittedSha256,
    Object.entries(e.hashes)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
    e.email?.messageId,
    e.email?.to.join(' '),
    e.prev,
    e.sha256,
  ]);
  return `\ufeff${[CSV_COLUMNS as readonly (string | number | undefined)[], ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}
