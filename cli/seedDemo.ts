/**
 * The seed's whole review cycle on a running stack, step by step, from the first draft to the
 * approved PDF (`plan-review up --demo`). Every input comes from the seed files: the round file in
 * the seed's order (seeds/rounds/xinrong-full-cycle.yaml), the first draft and the approved text
 * (seeds/plan/), the bureaus' replies, table 10-1's dispositions and the expert review
 * (seeds/review/). The bureaus act through the links in the emails they received; the coordinator
 * and the approver act as the web pages and the CLI do, through the round's Updates.
 */
import { zoneLabel } from '../domain/time.js';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ActionName } from '../domain/actions.js';
import type { MeetingDraft } from '../domain/expertReview.js';
import type { Actor } from '../domain/records.js';
import { commentIds } from '../domain/replies.js';
import type { RoundStatus } from '../domain/round.js';
import { loadRoundFile } from '../infra/roundFile.js';
import { unwrap, type ActionRequest, type RoundService } from '../infra/roundGateway.js';
import { exportRoundRecords } from '../infra/roundRecords.js';
import { loadSeedReview, type SeedReview } from '../infra/seedReview.js';
import { sha256Hex, type ContentStore } from '../infra/store.js';
import { PROJECT_ROOT } from '../infra/tools.js';
import { replySeedThroughLinks } from './demo.js';
import { acknowledgeThroughLink, replyLinkIn, waitForMail } from './linkReplies.js';

export const FULL_CYCLE_ROUND_FILE = path.join(PROJECT_ROOT, 'seeds', 'rounds', 'xinrong-full-cycle.yaml');
/** The approved text: the seed plan as printed, the round's second version of the plan. */
export const APPROVED_TEXT = path.join(PROJECT_ROOT, 'seeds', 'plan', 'xinrong-eco-plan.md');
const PLAN = 'xinrong-eco-plan';
const MINUTE = 60_000;

export interface SeedDemoOptions {
  rounds: RoundService;
  store: ContentStore;
  outboxDir: string;
  /** Where the approved PDF and the round's records are written. */
  outDir: string;
  coordinator: Actor;
  approver: Actor;
  messageIdDomain: string;
  log: (line: string) => void;
  /** Another round id than the round file's (tests run the demo beside other rounds). */
  planId?: string;
  /** How often the round's status is read while waiting on it. */
  pollMs?: number;
}

export interface SeedDemoResult {
  roundId: string;
  pdfPath: string;
  pdfSha256: string;
  recordsPath: string;
}

/** A meeting in the seed's zone, from `start` for `minutes` (a meeting ends on the day it starts). */
function meetingAt(seed: SeedReview['expertReview'], start: number): MeetingDraft {
  const fmt = (ms: number) =>
    new Intl.DateTimeFormat('sv-SE', {
      timeZone: seed.meeting.timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .format(ms)
      .split(' ');
  const [date, from] = fmt(start);
  const [, to] = fmt(start + seed.meeting.durationMinutes * MINUTE);
  return {
    date: date!,
    start: from!,
    end: to!,
    timeZone: seed.meeting.timeZone,
    place: seed.meeting.place,
    organiser: seed.meeting.organiser,
  };
}

/** The first whole minute at least 40 s away, and not so close to midnight that the meeting would cross it. */
function firstMeetingMinute(now: number, seed: SeedReview['expertReview']): number {
  let at = Math.ceil((now + 40_000) / MINUTE) * MINUTE;
  for (;;) {
    const m = meetingAt(seed, at + MINUTE);
    const back = meetingAt(seed, at);
    if (m.end > m.start && back.end > back.start && m.date === back.date) return at;
    at += MINUTE;
  }
}

export async function runSeedDemo(opts: SeedDemoOptions): Promise<SeedDemoResult> {
  const { rounds, store, log } = opts;
  const seed = await loadSeedReview();
  const pause = () => new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  const status = async (id: string) => unwrap(await rounds.status(id));
  const until = async (id: string, what: string, pred: (s: RoundStatus) => boolean, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await status(id);
      if (pred(s)) return s;
      if (Date.now() > deadline) throw new Error(`${id}: ${what} did not happen within ${timeoutMs / 1000} s`);
      await pause();
    }
  };
  const act = async <K extends ActionName>(
    id: string,
    name: K,
    actor: Actor,
    req: Omit<ActionRequest<K>, 'requestId' | 'actor'>,
  ) => unwrap(await rounds.act(id, name, { requestId: randomUUID(), actor, ...req } as ActionRequest<K>));
  const asCoordinator = <K extends ActionName>(
    id: string,
    name: K,
    req: Omit<ActionRequest<K>, 'requestId' | 'actor'>,
  ) => act(id, name, opts.coordinator, req);

  // 1. The round, in the seed's order, on the first draft.
  const { input } = await loadRoundFile(FULL_CYCLE_ROUND_FILE, store, {
    startedBy: opts.coordinator,
    messageIdDomain: opts.messageIdDomain,
  });
  const id = unwrap(await rounds.start({ ...input, ...(opts.planId && { planId: opts.planId }) }));
  log(`1/9 started ${id} on the first draft; stages: ${input.stages.join(' → ')}`);
  await until(id, 'the expert review', (s) => s.stage === 'expertReview');

  // 2. The experts' meeting, a few minutes ahead, then moved once: same UID, SEQUENCE 1.
  const { expertReview: er } = seed;
  const first = firstMeetingMinute(Date.now(), er);
  const planned = meetingAt(er, first + MINUTE);
  await asCoordinator(id, 'scheduleMeeting', { meeting: planned, experts: er.experts });
  const invitations = await waitForMail(opts.outboxDir, id, 'meetingInvitation', er.experts.length + 1);
  let s = await status(id);
  log(
    `2/9 expert meeting ${planned.date} ${planned.start}-${planned.end} ${zoneLabel(planned.timeZone)} at ${planned.place}: ` +
      `${invitations.length} invitations with meeting.ics (UID ${s.expertReview!.meeting!.uid}, SEQUENCE 0) to ` +
      `${er.experts.map((e) => e.name).join('、')} (stand-ins) and the coordinator`,
  );
  const moved = meetingAt(er, first);
  await asCoordinator(id, 'rescheduleMeeting', { meeting: moved, reason: '会议提前一分钟（演示）' });
  await waitForMail(opts.outboxDir, id, 'meetingUpdate', er.experts.length + 1);
  s = await status(id);
  log(`    moved to ${moved.start}-${moved.end}: update sent, same UID, SEQUENCE ${s.expertReview!.meeting!.sequence}`);
  const ends = Date.parse(s.expertReview!.meeting!.end);
  log(`    waiting for the meeting to end (${Math.ceil((ends - Date.now()) / 1000)} s)`);
  while (Date.now() < ends + 1000) await new Promise((r) => setTimeout(r, Math.min(5000, ends + 1000 - Date.now())));

  // 3. The panel's opinions (appendix 4), held, and their revision notes (the 修改说明 table).
  await asCoordinator(id, 'recordOpinions', {
    opinions: er.opinions.map((o) => o.text),
    signedOn: moved.date,
    signedBy: er.signedBy,
    report: er.report,
  });
  for (const [i, o] of er.opinions.entries())
    await asCoordinator(id, 'writeRevisionNote', { n: i + 1, note: o.revisionNote });
  log(`3/9 meeting held: ${er.opinions.length} opinions recorded (appendix 4), each with its revision note`);

  // 4. The consultation: the bureaus reply through the links in their invitations.
  await until(id, 'the invitations to the bureaus', (x) => x.bureaus.every((b) => b.invitation?.sentAt));
  log('4/9 consultation: invitations sent to the seven bureaus');
  await replySeedThroughLinks({
    rounds,
    roundId: id,
    outboxDir: opts.outboxDir,
    replies: seed.replies,
    log: (l) => log(`    ${l}`),
  });
  await until(id, 'every reply', (x) => x.bureaus.every((b) => b.outcome !== 'pending'));
  await asCoordinator(id, 'closeConsultation', {});
  s = await until(id, 'the end of the consultation', (x) => x.stage === 'disposition');
  log('    every bureau replied; the coordinator closed the consultation');

  // 5. The revised plan: the approved text is the second version.
  const revised = await store.put(await readFile(APPROVED_TEXT));
  await asCoordinator(id, 'addDocumentVersion', {
    docKey: PLAN,
    sha256: revised.sha256,
    note: '根据部门意见和专家意见修改（已批准文本）',
  });
  s = await until(id, 'the revised version', (x) => x.documents.find((d) => d.key === PLAN)!.versions.length === 2);
  log(`5/9 revised plan added as version 2 (SHA-256 ${revised.sha256})`);

  // 6. Table 10-1: every comment adopted, anchored in the revised text, then published.
  for (const d of seed.dispositions) {
    const b = s.bureaus.find((x) => x.bureau.id === d.bureau);
    const reply = b?.replies.at(-1);
    const commentId = reply && commentIds(reply)[d.comment - 1];
    if (!commentId) throw new Error(`seeds/review/dispositions.yaml: ${d.bureau} has no comment ${d.comment}`);
    await asCoordinator(id, 'disposeComment', {
      disposition: {
        commentId,
        decision: d.decision,
        ...(d.rationale && { rationale: d.rationale }),
        changedAt: d.changedAt,
      },
    });
  }
  await asCoordinator(id, 'publishDispositions', {});
  s = await status(id);
  log(
    `6/9 ${seed.dispositions.length} dispositions (table 10-1) published; outcome notices to ${s.notices.length} bureaus`,
  );

  // 7. The bureaus acknowledge their outcome notices through their links.
  const notices = await waitForMail(opts.outboxDir, id, 'outcomeNotice', s.notices.length);
  for (const notice of notices) await acknowledgeThroughLink(replyLinkIn(notice));
  s = await until(id, 'the acknowledgements', (x) => x.notices.every((n) => n.response === 'acknowledged'));
  log(`7/9 ${notices.length} bureaus acknowledged their outcome notices through their links`);

  // 8. The candidate PDF, rendered from the round's own records.
  s = await until(id, 'the candidate PDF', (x) => x.approval.candidate !== null, 300_000);
  const candidate = s.approval.candidate!;
  log(`8/9 candidate PDF: ${candidate.pages} pages, issue date ${candidate.issueDate}, SHA-256 ${candidate.pdfSha256}`);

  // 9. The approver reads that file and approves it by its hash.
  const pdf = await store.get(candidate.pdfSha256);
  if (sha256Hex(pdf) !== candidate.pdfSha256) throw new Error('the stored candidate does not match its hash');
  await act(id, 'approveCandidate', opts.approver, { pdfSha256: candidate.pdfSha256 });
  s = await until(id, 'the approval', (x) => x.stage === 'approved');
  await mkdir(opts.outDir, { recursive: true });
  const base = path.join(opts.outDir, `${s.planId}-round-${s.n}`);
  const pdfPath = `${base}-approved.pdf`;
  const recordsPath = `${base}-records.json`;
  await writeFile(pdfPath, pdf);
  await writeFile(recordsPath, `${JSON.stringify(await exportRoundRecords(s, store), null, 2)}\n`);
  log(`9/9 approved by ${opts.approver.name}`);
  log(`    approved PDF: ${pdfPath}`);
  log(`    SHA-256:      ${candidate.pdfSha256}`);
  log(`    records:      ${recordsPath}`);
  return { roundId: id, pdfPath, pdfSha256: candidate.pdfSha256, recordsPath };
}
