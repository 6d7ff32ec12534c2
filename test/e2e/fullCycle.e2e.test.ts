/**
 * The seed's whole review cycle end to end, every component real: the Temporal dev server (global
 * setup), the worker and the web server as the stack runs them, the stack's SMTP sink, HTTP. It runs
 * the full demo (cli/seedDemo.ts) and checks it from what the round recorded, from the emails the
 * sink received (the .ics read back with ical.js) and against the committed seed records file.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { renderRoundToFile } from '../../cli/roundOutputs.js';
import { runSeedDemo, type SeedDemoResult } from '../../cli/seedDemo.js';
import { runWeb, runWorker } from '../../cli/stack.js';
import type { Client } from '@temporalio/client';
import { fetchTimeline } from '../../cli/auditCommands.js';
import { ReviewRecord, type Actor } from '../../domain/records.js';
import { TemporalHistories } from '../../infra/roundHistory.js';
import type { TimelineEntry } from '../../infra/timeline.js';
import { loadConfig, type Config } from '../../infra/config.js';
import { messageIdDomain } from '../../infra/mailer.js';
import { PATIENT_TIMEOUTS, RoundGateway, unwrap } from '../../infra/roundGateway.js';
import { loadSeedReview } from '../../infra/seedReview.js';
import { listOutbox, startSmtpSink, type SmtpSink } from '../../infra/smtpSink.js';
import { LocalContentStore, sha256Hex } from '../../infra/store.js';
import { connectClient } from '../../infra/temporal.js';
import { actorOf, ensureInitialUsers, loadUsers } from '../../infra/users.js';
import { freePort } from '../../infra/ports.js';

const SEED_RECORDS = new URL('../../seeds/records/xinrong-round-1.json', import.meta.url);
let dir: string;
let config: Config;
let sink: SmtpSink;
let stopWorker: () => Promise<void>;
let web: Awaited<ReturnType<typeof runWeb>>;
let rounds: RoundGateway;
let store: LocalContentStore;
let demo: SeedDemoResult;
let client: Client;
let coordinator: Actor;
let approver: Actor;
const log: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-full-cycle-'));
  const webPort = await freePort();
  config = loadConfig({
    PLAN_REVIEW_DATA_DIR: dir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `e2e-full-cycle-${process.pid}`,
    SMTP_SINK_PORT: String(await freePort()),
    WEB_PORT: String(webPort),
    // As `npm start` has it: the meeting's calendar UID carries this host, and the seed file has it.
    PUBLIC_URL: `http://localhost:${webPort}`,
  });
  sink = await startSmtpSink({ dir: config.paths.outbox, port: config.SMTP_SINK_PORT });
  await ensureInitialUsers(config.paths.users);
  stopWorker = await runWorker(config, () => undefined);
  web = await runWeb(config, config.paths.outbox);
  store = new LocalContentStore(config.paths.store);
  client = await connectClient(config);
  rounds = new RoundGateway(client, store, config.TEMPORAL_TASK_QUEUE, PATIENT_TIMEOUTS);
  const users = await loadUsers(config.paths.users);
  const userOf = (role: 'coordinator' | 'approver') =>
    actorOf(
      users.find((u) => u.username === role)!,
      role,
    );
  demo = await runSeedDemo({
    rounds,
    store,
    outboxDir: config.paths.outbox,
    outDir: path.join(dir, 'approved'),
    coordinator: (coordinator = userOf('coordinator')),
    approver: (approver = userOf('approver')),
    messageIdDomain: messageIdDomain(config),
    log: (l) => log.push(l),
    pollMs: 200,
  });
}, 600_000);

afterAll(async () => {
  await web?.stop();
  await stopWorker?.();
  await sink?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Every message of a kind the sink received for the round, parsed whole (attachments included). */
async function mailsOf(kind: string) {
  const out = [];
  for (const file of await listOutbox(config.paths.outbox)) {
    const m = await simpleParser(await readFile(path.join(config.paths.outbox, file)));
    if (m.headers.get('x-plan-review-round') === demo.roundId && m.headers.get('x-plan-review-kind') === kind)
      out.push(m);
  }
  return out;
}

function calendarOf(ics: string) {
  const cal = new ICAL.Component(ICAL.parse(ics));
  const event = cal.getFirstSubcomponent('vevent')!;
  return {
    method: cal.getFirstPropertyValue('method'),
    uid: event.getFirstPropertyValue('uid'),
    sequence: event.getFirstPropertyValue('sequence'),
  };
}

/**
 * The fields that the clock or a generated id fills, blanked before the export is compared with the
 * seed file: when each thing happened, the issue date (the day the candidate was rendered), and the
 * hashes that cover those times (a reply's receipt hash covers its submission time; the PDF prints its dates).
 */
function blankClockAndIds(record: ReviewRecord): unknown {
  const r = structuredClone(record);
  r.round.issueDate = undefined;
  for (const d of r.documents) for (const v of d.versions) v.createdAt = '-';
  for (const reply of r.replies) Object.assign(reply, { submittedAt: '-', contentSha256: '-' });
  for (const d of r.dispositions) d.decidedAt = '-';
  if (r.expertReview) Object.assign(r.expertReview.meeting, { start: '-', end: '-' });
  if (r.approval) Object.assign(r.approval, { at: '-', pdfSha256: '-' });
  return JSON.parse(JSON.stringify(r));
}

describe('the seed review cycle end to end (dev server, SMTP, HTTP)', () => {
  it('records every disposition, every opinion with its revision note, and the approval with the PDF hash', async () => {
    const status = unwrap(await rounds.status(demo.roundId));
    expect(status.stage).toBe('approved');
    const record = ReviewRecord.parse(JSON.parse(await readFile(demo.recordsPath, 'utf8')));
    const seed = await loadSeedReview();

    const comments = record.replies.flatMap((r) =>
      Object.values(r.perDocument).flatMap((a) => (a === 'noComments' ? [] : a.map((c) => c.id))),
    );
    expect(comments).toHaveLength(seed.dispositions.length);
    expect(record.dispositions.map((d) => d.commentId).sort()).toEqual([...comments].sort());
    for (const d of record.dispositions) expect(d).toMatchObject({ decision: 'adopted', published: true });
    expect(record.outcomes).toEqual({
      finance: 'noComments',
      science: 'noComments',
      forestry: 'replied',
      energy: 'replied',
      education: 'replied',
      water: 'replied',
      culture: 'replied',
    });

    const opinions = record.expertReview!.opinions;
    expect(opinions.map((o) => o.text)).toEqual(seed.expertReview.opinions.map((o) => o.text));
    for (const [i, o] of opinions.entries())
      expect(o.revisionNote?.text).toBe(seed.expertReview.opinions[i]!.revisionNote.text);

    const pdf = await readFile(demo.pdfPath);
    expect(sha256Hex(pdf)).toBe(demo.pdfSha256);
    expect(record.approval).toMatchObject({
      decision: 'approved',
      pdfSha256: demo.pdfSha256,
      by: { role: 'approver' },
    });
    // Dates keep their real order: the meeting, the replies, the dispositions, the approval on the issue date.
    const local = (at: string) => new Date(Date.parse(at) + 8 * 3600_000).toISOString().slice(0, 10);
    expect(record.round.issueDate).toBe(local(record.approval!.at));
    const times = [
      record.expertReview!.meeting.end,
      ...record.replies.map((r) => r.submittedAt),
      ...record.dispositions.map((d) => d.decidedAt),
      record.approval!.at,
    ].map((t) => Date.parse(t));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // The round's own records render the very bytes that were approved.
    const again = await renderRoundToFile(status, store, path.join(dir, 'again.pdf'), 'approved');
    expect(again.sameAsApproved).toBe(true);
  });

  it('invites the experts with a calendar request, then updates it under the same UID with SEQUENCE 1', async () => {
    const invitations = await mailsOf('meetingInvitation');
    const updates = await mailsOf('meetingUpdate');
    const seed = await loadSeedReview();
    expect(invitations).toHaveLength(seed.expertReview.experts.length + 1);
    expect(updates).toHaveLength(invitations.length);
    const ics = (m: (typeof invitations)[number]) =>
      m.attachments.find((a) => a.filename === 'meeting.ics')!.content.toString('utf8');
    const first = calendarOf(ics(invitations[0]!));
    const moved = calendarOf(ics(updates[0]!));
    expect(first).toMatchObject({ method: 'REQUEST', sequence: 0 });
    expect(moved).toMatchObject({ method: 'REQUEST', sequence: 1, uid: first.uid });
  });

  it("shows education its comment's text before and after, with 大、中、小学 struck out to 中、小学", async () => {
    const [notice] = (await mailsOf('outcomeNotice')).filter((m) =>
      (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.includes('education@')),
    );
    const html = typeof notice?.html === 'string' ? notice.html : '';
    expect(html).toContain('<del style="color:#a00">大、</del>中、小学定期组织生态文明主题活动');
    expect(html).toMatch(/<del[^>]*>编写、出版一套适合各大、中、小学及幼儿园使用的环境教育专题教材。<\/del>/);
    // With the page of the change in the revised version (the page table 10-1 prints for it).
    expect(html).toMatch(/7\.7（修改后版本 P\d+/);
    // Forestry's passages are as approved in both versions: its notice says so.
    const [forestry] = (await mailsOf('outcomeNotice')).filter((m) =>
      (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.includes('forestry@')),
    );
    expect(forestry?.html).toContain('该处文字在修改后的版本中未变');
  });

  it("lists every step of the seed's process in its audit timeline, in order, each by the person who took it", async () => {
    // The timeline `plan-review audit` prints and the audit page shows, from the round's Temporal history.
    const { timeline } = await fetchTimeline(
      { withHistories: (fn) => fn(new TemporalHistories(client)), store, namespace: config.TEMPORAL_NAMESPACE },
      demo.roundId,
    );
    const seed = await loadSeedReview();
    const bureaus = unwrap(await rounds.status(demo.roundId)).bureaus.map((b) => b.bureau.id);
    expect(bureaus).toEqual(['finance', 'science', 'forestry', 'energy', 'education', 'water', 'culture']);
    const { entries } = timeline;
    const pos = (e: TimelineEntry) => entries.indexOf(e);
    const of = (category: TimelineEntry['category'], kind: string) =>
      entries.filter((e) => e.category === category && e.kind === kind);
    const one = (category: TimelineEntry['category'], kind: string) => {
      const found = of(category, kind);
      expect(
        found.map((e) => e.kind),
        kind,
      ).toHaveLength(1);
      return found[0]!;
    };
    const byCoordinator = (e: TimelineEntry) => expect(e.actor, `${e.kind} #${e.eventId}`).toEqual(coordinator);
    /** Every entry of `later` comes after every entry of `earlier`. */
    const after = (earlier: TimelineEntry[], later: TimelineEntry[]) => {
      expect(earlier.length * later.length, 'both steps are in the timeline').toBeGreaterThan(0);
      expect(Math.min(...later.map(pos)), `${later[0]!.kind} after ${earlier[0]!.kind}`).toBeGreaterThan(
        Math.max(...earlier.map(pos)),
      );
    };
    for (const e of entries.filter((x) => x.category === 'action')) expect(e.status, e.kind).toBe('done');

    // The coordinator starts the round, for the seven bureaus.
    const started = entries[0]!;
    expect(started).toMatchObject({ category: 'round', kind: 'started', bureaus });
    byCoordinator(started);

    // The seed's order: the expert review first, the meeting scheduled, then moved, each with its emails.
    const scheduled = one('action', 'scheduleMeeting');
    const moved = one('action', 'rescheduleMeeting');
    const opinions = one('action', 'recordOpinions');
    const notes = of('action', 'writeRevisionNote');
    for (const e of [scheduled, moved, opinions, ...notes]) byCoordinator(e);
    expect(notes).toHaveLength(seed.expertReview.opinions.length);
    expect(notes.map((e) => e.what.en)).toEqual(notes.map((_, i) => `Revision note of opinion ${i + 1}`));
    const experts = seed.expertReview.experts.length + 1;
    expect(of('email', 'meetingInvitation')).toHaveLength(experts);
    expect(of('email', 'meetingUpdate')).toHaveLength(experts);
    after([started], [scheduled]);
    after([scheduled], of('email', 'meetingInvitation'));
    after([scheduled], [moved]);
    after([moved], of('email', 'meetingUpdate'));
    after([moved], [opinions]);
    after([opinions], notes);

    // The consultation: an invitation to each bureau, then each bureau's reply, by that bureau.
    const invitations = of('email', 'invitation');
    expect(invitations.map((e) => e.bureaus).sort()).toEqual(bureaus.map((b) => [b]).sort());
    after(notes, invitations);
    const replies = of('action', 'submitReply');
    expect(replies.map((e) => e.bureaus).sort()).toEqual(bureaus.map((b) => [b]).sort());
    for (const r of replies) {
      const reply = seed.replies.find((x) => x.bureau === r.bureaus[0])!;
      expect(r.actor, r.bureaus[0]).toEqual({ name: reply.responder.name, role: 'bureau' });
      expect(r.hashes.replyContent, r.bureaus[0]).toMatch(/^[0-9a-f]{64}$/);
    }
    after(invitations, replies);

    // The coordinator closes the consultation, adds the revised plan, decides each comment and publishes.
    const closed = one('action', 'closeConsultation');
    const revised = one('action', 'addDocumentVersion');
    const dispositions = of('action', 'disposeComment');
    const published = one('action', 'publishDispositions');
    for (const e of [closed, revised, ...dispositions, published]) byCoordinator(e);
    expect(dispositions.map((e) => e.bureaus)).toEqual(seed.dispositions.map((d) => [d.bureau]));
    after(replies, [closed]);
    after([closed], [revised]);
    after([revised], dispositions);
    after(dispositions, [published]);

    // Each bureau with comments is sent its outcome notice and acknowledges it itself.
    const commented = [...new Set(seed.dispositions.map((d) => d.bureau))].sort();
    const notices = of('email', 'outcomeNotice');
    expect(notices.map((e) => e.bureaus[0]).sort()).toEqual(commented);
    after([published], notices);
    const acknowledged = of('action', 'respondToOutcome');
    expect(acknowledged.map((e) => e.bureaus[0]).sort()).toEqual(commented);
    const status = unwrap(await rounds.status(demo.roundId));
    for (const a of acknowledged) {
      const b = status.bureaus.find((x) => x.bureau.id === a.bureaus[0])!;
      expect(a.actor, b.bureau.id).toEqual({ name: b.bureau.contactPerson, role: 'bureau' });
      expect(a.what.en, b.bureau.id).toContain('Acknowledged');
    }
    after([published], acknowledged);

    // The candidate rendered from the records, approved by the approver by that PDF's hash; then archived.
    const rendered = of('pdf', 'renderRoundPdf').filter((e) => e.hashes.pdf === demo.pdfSha256);
    expect(rendered).toHaveLength(1);
    after(acknowledged, rendered);
    const approved = one('action', 'approveCandidate');
    expect(approved.actor).toEqual(approver);
    expect(approved.hashes.pdf).toBe(demo.pdfSha256);
    after(rendered, [approved]);
    expect(timeline.approved).toMatchObject({ pdfSha256: demo.pdfSha256, by: approver, eventId: approved.eventId });
    const archived = one('document', 'archiveRound');
    after([approved], [archived]);
    expect(entries.at(-1)).toMatchObject({ category: 'round', kind: 'completed' });
    expect(timeline).toMatchObject({ workflowStatus: 'COMPLETED', stage: 'approved', allHeard: true });
  });

  it('exports the records that seeds/records/xinrong-round-1.json holds, but for the clock and generated ids', async () => {
    const exported = ReviewRecord.parse(JSON.parse(await readFile(demo.recordsPath, 'utf8')));
    const committed = ReviewRecord.parse(JSON.parse(await readFile(SEED_RECORDS, 'utf8')));
    expect(blankClockAndIds(exported)).toEqual(blankClockAndIds(committed));
  });
});
