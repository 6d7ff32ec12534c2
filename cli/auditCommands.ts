/**
 * The auditor's commands, read-only, built from the round's Temporal history fetched from the server:
 *   plan-review audit <id> [--bureau B] [--person P] [--kind K] [--since T] [--until T] [--json] [--raw]
 * Any user may run them (they take no action on the round); they need no PLAN_REVIEW_USER.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { z } from 'zod';
import { archiveName } from '../domain/archive.js';
import { Sha256 } from '../domain/records.js';
import type { History } from '../infra/roundHistory.js';
import type { Label } from '../domain/labels.js';
import { joined } from '../domain/messages.js';
import type { RoundHistories } from '../infra/roundHistory.js';
import { RoundGatewayError } from '../infra/roundGateway.js';
import type { ContentStore } from '../infra/store.js';
import { formatInstant } from '../infra/templates.js';
import { renderCertificate } from '../infra/certificate.js';
import { buildTrail, trailCsv, trailJson } from '../infra/trail.js';
import { verifyRound, type ArchiveSource, type Check } from '../infra/verify.js';
import {
  actorLabel,
  buildTimeline,
  CATEGORY_LABELS,
  eventUrl,
  filterEntries,
  outcomeLabel,
  readTimelineFilter,
  STATUS_LABELS,
  type Timeline,
  type TimelineEntry,
} from '../infra/timeline.js';
import { check, CliError, CliUsageError, parse, RoundIdArg } from './users.js';

export const AUDIT_USAGE = `  plan-review audit <id> [--bureau B] [--person P] [--kind K] [--since T] [--until T] [--json | --raw]
                   [--trail trail.json] [--csv trail.csv] [--certificate certificate.pdf]
                                       the round's timeline from its Temporal history: who did what and when,
                                       with the hash of what they submitted; whether every bureau was heard.
                                       --kind: action, email, due, document, pdf, round, outside or a kind
                                       (submitReply, invitation...); --since/--until: 2030-03-01 or
                                       2030-03-01T18:00 in the round's time zone; --raw: the history as JSON;
                                       --trail: the whole trail as JSON, each entry chained to the one before
                                       by SHA-256; --csv: the entries shown as CSV (UTF-8 with BOM);
                                       --certificate: the audit certificate as PDF (the round, the
                                       participants, the hashes and every entry, Chinese and English)
  plan-review verify <id> <file.pdf> [trail.json] [--archive <sha256>]
                                       whether the PDF is the round's approved PDF, every file the history
                                       names is in the store with its recorded hash, the round's archive is
                                       intact and the trail is intact (or which entry was altered); exit 0
                                       only when all of it holds. Once the server no longer has the round,
                                       from its archive alone: the one the store names for the round, or
                                       --archive (the archive's SHA-256, from the audit page or certificate)`;

/** Wrong arguments to an audit command (exit 2, with the audit commands' usage). */
export class AuditUsageError extends CliError {
  constructor(message: string) {
    super(message);
    this.name = 'AuditUsageError';
  }
}

/** How cli/run.ts reports a usage error of these commands; undefined for any other error. */
export function describeAuditError(err: unknown): { message: string; exitCode: number } | undefined {
  if (err instanceof AuditUsageError) return { message: `${err.message}\n\n${AUDIT_USAGE}`, exitCode: 2 };
  return undefined;
}

export interface AuditContext {
  /** Connects, hands the round histories to `fn`, and closes the connection. */
  withHistories<T>(fn: (histories: RoundHistories) => Promise<T>): Promise<T>;
  /** The document store the workers keep documents and PDFs in. */
  store: ContentStore;
  /** The Temporal Web UI, when one is configured: each entry links to its event there. */
  uiUrl?: string;
  namespace: string;
}

export interface CommandResult {
  output: string;
  exitCode: number;
}

/** The arguments, checked: a usage error names the audit commands' usage. */
function args<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof CliUsageError) throw new AuditUsageError(err.message);
    throw err;
  }
}

const line = (l: Label) => joined(l);

/** The round's history from the server, and its timeline. */
export async function fetchTimeline(ctx: AuditContext, roundId: string) {
  const fetched = await ctx.withHistories((h) => h.history(roundId));
  if (fetched.kind !== 'done') throw new RoundGatewayError(fetched);
  return { history: fetched.value, timeline: buildTimeline(roundId, fetched.value) };
}

/** "Was every bureau heard", then the entries, as text. */
export function formatTimeline(t: Timeline, entries: TimelineEntry[], link?: (eventId: number) => string | undefined) {
  const time = (at: string) => formatInstant(at, t.timeZone, { seconds: true });
  const out: string[] = [];
  out.push(`${t.roundId} ${t.title} · ${t.workflowStatus}${t.runId ? ` · run ${t.runId}` : ''}`);
  if (t.approved)
    out.push(`批准稿 Approved PDF: ${t.approved.pdfSha256} (#${t.approved.eventId}, ${t.approved.by.name})`);
  out.push('');
  if (!t.consults) out.push('本轮不征求各单位意见。This round does not consult the bureaus.');
  else
    out.push(
      t.allHeard
        ? '每个单位的意见都已听取：是。Was every bureau heard: yes.'
        : '每个单位的意见都已听取：否（仍有待回复的单位）。Was every bureau heard: not yet (some are pending).',
    );
  for (const h of t.hearing) {
    out.push(`  ${h.bureau.nameZh} ${h.bureau.nameEn} (${h.bureau.id}): ${line(outcomeLabel(h.outcome))}`);
    for (const x of h.evidence) out.push(`    #${x.eventId} ${time(x.at)} ${line(x.what)}`);
  }
  out.push('', `时间线 Timeline: ${entries.length} / ${t.entries.length}`);
  for (const e of entries) {
    const status = e.status === 'done' ? '' : ` [${line(STATUS_LABELS[e.status])}]`;
    out.push(
      `#${e.eventId} ${time(e.at)} ${line(CATEGORY_LABELS[e.category])} · ${line(e.label)} · ${line(actorLabel(e.actor))}${status}`,
    );
    out.push(`    ${e.what.zh}`, `    ${e.what.en}`);
    if (e.submittedSha256) out.push(`    submitted SHA-256: ${e.submittedSha256}`);
    for (const [name, sha] of Object.entries(e.hashes)) out.push(`    ${name}: ${sha}`);
    if (e.email) out.push(`    Message-ID: ${e.email.messageId}`);
    const url = link?.(e.eventId);
    if (url) out.push(`    Temporal: ${url}`);
  }
  return out.join('\n');
}

const Text = z.string().max(500).optional();
const OutFile = z.string().min(1, 'name the file to write').optional();

async function writeOut(file: string, content: string | Uint8Array): Promise<void> {
  try {
    await writeFile(file, content);
  } catch (err) {
    throw new CliError(`${file}: cannot write: ${(err as Error).message}`);
  }
}

export async function auditCommand(ctx: AuditContext, argv: string[]): Promise<CommandResult> {
  const opts = args(() => {
    const { values, positionals } = parse(argv, {
      bureau: { type: 'string' },
      person: { type: 'string' },
      kind: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      json: { type: 'boolean' },
      raw: { type: 'boolean' },
      trail: { type: 'string' },
      csv: { type: 'string' },
      certificate: { type: 'string' },
    });
    if (positionals.length !== 1) throw new CliUsageError('audit takes one round id');
    if (values.json && values.raw) throw new CliUsageError('--json and --raw: choose one');
    for (const k of ['bureau', 'person', 'kind', 'since', 'until'] as const) check(Text, values[k], `--${k}`);
    for (const k of ['trail', 'csv', 'certificate'] as const) check(OutFile, values[k], `--${k} (the file to write)`);
    return { roundId: check(RoundIdArg, positionals[0], 'round id'), ...values };
  });
  const { history, timeline } = await fetchTimeline(ctx, opts.roundId);
  if (opts.raw) return { output: historyToJSON(history), exitCode: 0 };
  const { filter, problems } = readTimelineFilter(opts, timeline);
  if (problems.length > 0)
    throw new AuditUsageError(problems.map((p) => `--${p.field}: ${line(p.message)}`).join('\n'));
  const entries = filterEntries(timeline.entries, filter);
  const written: string[] = [];
  if (opts.trail !== undefined || opts.csv !== undefined || opts.certificate !== undefined) {
    const trail = buildTrail(timeline);
    if (opts.trail !== undefined) {
      await writeOut(opts.trail, trailJson(trail));
      written.push(`${opts.trail}: 审计链 the trail, ${trail.entries.length} entries, head ${trail.head}`);
    }
    if (opts.csv !== undefined) {
      const shown = new Set(entries);
      await writeOut(
        opts.csv,
        trailCsv(
          trail,
          trail.entries.filter((_, i) => shown.has(timeline.entries[i]!)),
        ),
      );
      written.push(`${opts.csv}: CSV, ${entries.length} entries`);
    }
    if (opts.certificate !== undefined) {
      const cert = await renderCertificate({ timeline, trail });
      await writeOut(opts.certificate, cert.pdf);
      written.push(
        `${opts.certificate}: 审计证明书 the audit certificate, ${cert.pages} pages, SHA-256 ${cert.sha256}`,
      );
    }
  }
  if (opts.json) return { output: JSON.stringify({ ...timeline, entries }, null, 2), exitCode: 0 };
  const link = (eventId: number) => eventUrl(ctx.uiUrl, ctx.namespace, timeline, eventId);
  return {
    output: [formatTimeline(timeline, entries, link), ...(written.length ? ['', ...written] : [])].join('\n'),
    exitCode: 0,
  };
}

async function readIn(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new CliError(`${file}: cannot read: ${(err as Error).message}`);
  }
}

/** One check as lines: its verdict and subject, the finding in both languages, the details. */
function formatCheck(c: Check): string[] {
  return [
    `${c.ok ? '✓' : '✗'} ${line(c.subject)}`,
    `    ${c.finding.zh}`,
    `    ${c.finding.en}`,
    ...c.details.flatMap((d) => [`    - ${d.zh}`, `      ${d.en}`]),
  ];
}

export async function verifyCommand(ctx: AuditContext, argv: string[]): Promise<CommandResult> {
  const { roundId, pdfFile, trailFile, archive } = args(() => {
    const { values, positionals } = parse(argv, { archive: { type: 'string' } });
    if (positionals.length < 2 || positionals.length > 3)
      throw new CliUsageError('verify takes <id> <file.pdf> [trail.json] [--archive <sha256>]');
    return {
      roundId: check(RoundIdArg, positionals[0], 'round id'),
      pdfFile: positionals[1]!,
      trailFile: positionals[2],
      archive: values.archive === undefined ? undefined : check(Sha256, values.archive, '--archive'),
    };
  });
  const pdf = await readIn(pdfFile);
  let trail: unknown;
  if (trailFile !== undefined) {
    const text = (await readIn(trailFile)).toString('utf8');
    try {
      trail = JSON.parse(text);
    } catch {
      trail = { notJson: true };
    }
  }
  const fetched = await ctx.withHistories((h) => h.history(roundId));
  if (fetched.kind !== 'done' && fetched.kind !== 'notFound') throw new RoundGatewayError(fetched);
  let history: History | undefined;
  let archiveSha256 = archive;
  let archiveSource: ArchiveSource = 'argument';
  if (fetched.kind === 'done') history = fetched.value;
  else if (!archiveSha256) {
    // The server no longer has the round (its retention ran out): its archive, by the name the store keeps.
    archiveSha256 = await ctx.store.getName(archiveName(roundId));
    archiveSource = 'name';
    if (!archiveSha256)
      throw new CliError(
        `服务器上没有 ${roundId} 的历史，文档存储中也没有它的归档；若您记有归档的 SHA-256，请用 --archive 给出。\n` +
          `The server has no history of ${roundId} and the document store names no archive for it; if you noted the archive's SHA-256, give it with --archive.`,
      );
  }
  const result = await verifyRound({
    roundId,
    ...(history && { history }),
    ...(archiveSha256 && { archiveSha256, archiveSource }),
    pdf,
    pdfName: path.basename(pdfFile),
    store: ctx.store,
    ...(trailFile !== undefined && { trail, trailName: path.basename(trailFile) }),
  });
  const verdict = result.ok
    ? '全部成立。Everything holds.'
    : '有不成立之处（见上面标 ✗ 的项）。Something does not hold (see the ✗ above).';
  return {
    output: [
      `${roundId} ${result.title}`.trim(),
      line(result.basis),
      ...result.checks.flatMap(formatCheck),
      '',
      verdict,
    ].join('\n'),
    exitCode: result.ok ? 0 : 1,
  };
}
