/**
 * One benchmark round from start to approval, driven the way people drive it: the bureaus reply
 * and acknowledge through their reply links over HTTP (the form read first, as a browser does, and
 * every receipt read back and checked against its SHA-256), the coordinator and the approver act
 * through the round gateway as the CLI does. Links are signed with the run's secret from the
 * round's own status, which is what the invitation emails carry (the sink only counts them).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ReplyDraft } from '../../domain/consultation.js';
import type { Actor, Reply } from '../../domain/records.js';
import { commentIds } from '../../domain/replies.js';
import { replyContentSha256 } from '../../domain/replyHash.js';
import { RoundResult, type RoundInput, type RoundStatus } from '../../domain/round.js';
import { hiddenField, replyFormFields } from '../../cli/linkReplies.js';
import { fieldNames } from '../../domain/replyFormFields.js';
import { signLink } from '../../infra/linkTokens.js';
import { loadRoundFile } from '../../infra/roundFile.js';
import { roundCalls } from './roundCalls.js';
import type { Target } from './target.js';

export const BENCH_ROUND_FILE = fileURLToPath(new URL('./fixtures/bench-round.yaml', import.meta.url));
export const coordinator: Actor = {
  name: '基准测试协调人',
  role: 'coordinator',
  email: 'coordinator@bench.example.org',
};
export const approver: Actor = { name: '基准测试审批人', role: 'approver', email: 'approver@bench.example.org' };

export async function benchRoundInput(target: Target): Promise<RoundInput> {
  const { input } = await loadRoundFile(BENCH_ROUND_FILE, target.store, {
    startedBy: coordinator,
    messageIdDomain: 'bench.example.org',
  });
  return input;
}

/** A bureau's reply: one comment on the plan's first section (version `v` of its reply, so revisions differ). */
export function benchReply(status: RoundStatus, bureauId: string, v = 1): ReplyDraft {
  const doc = status.documents[0]!;
  return {
    responder: { name: `${bureauId} 联系人`, position: '办公室' },
    perDocument: {
      [doc.key]: {
        kind: 'comments',
        comments: [{ section: doc.versions[0]!.sections[0]!.number, text: `第 ${v} 稿意见：建议补充实施保障措施。` }],
      },
    },
  };
}

export function replyLink(target: Target, web: string, status: RoundStatus, bureauId: string): string {
  const b = status.bureaus.find((x) => x.bureau.id === bureauId)!;
  if (!b.invitation) throw new Error(`${bureauId} has no invitation in ${status.id}`);
  return `${web}/r/${signLink(target.secret, { roundId: status.id, bureauId, linkId: b.invitation.linkId })}`;
}

export interface OpenForm {
  link: string;
  requestId: string;
  csrf: string;
}

/**
 * How a bureau meets "temporarily unavailable, try again" (503): strictly, as a failure (the
 * latency benchmark counts it), or as a person does, sending the same request again a second
 * later, counted in `retried`.
 */
export interface On503 {
  retried: number;
}

async function sent(request: () => Promise<Response>, on503?: On503): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const res = await request();
    if (res.status !== 503 || !on503 || attempt >= 60) return res;
    await res.body?.cancel();
    on503.retried++;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** GET of the reply page: what a bureau's browser holds before it submits. */
export async function openReplyForm(link: string, on503?: On503): Promise<OpenForm> {
  const page = await sent(() => fetch(link), on503);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`GET ${link}: ${page.status}`);
  return { link, requestId: hiddenField(html, fieldNames.requestId), csrf: hiddenField(html, fieldNames.csrf) };
}

/** POST of the reply form, then its receipt's record, checked against the receipt's hash. */
export async function submitReply(form: OpenForm, reply: ReplyDraft, docKeys: string[], on503?: On503): Promise<Reply> {
  const body = replyFormFields(reply, docKeys);
  body.set(fieldNames.requestId, form.requestId);
  body.set(fieldNames.csrf, form.csrf);
  body.set(fieldNames.action, 'submit');
  // The same request ID each time: a second send is the same reply, as the 503 page's "Submit again".
  const posted = await sent(
    () =>
      fetch(form.link, { method: 'POST', body, redirect: 'manual', headers: { origin: new URL(form.link).origin } }),
    on503,
  );
  if (posted.status !== 303)
    throw new Error(`the reply form answered ${posted.status}: ${(await posted.text()).slice(0, 300)}`);
  const receipt = new URL(posted.headers.get('location')!, form.link).toString();
  const got = await sent(() => fetch(`${receipt}/record.json`), on503);
  if (got.status !== 200) throw new Error(`GET ${receipt}/record.json: ${got.status}`);
  const record = (await got.json()) as Reply;
  if (replyContentSha256(record) !== record.contentSha256)
    throw new Error(`receipt ${receipt}: the record does not hash to its SHA-256`);
  return record;
}

/** The acknowledgement of an outcome notice through the link's outcome form. */
async function acknowledge(link: string, on503: On503): Promise<void> {
  const token = link.slice(link.lastIndexOf('/') + 1);
  const page = await sent(() => fetch(link), on503);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`GET ${link}: ${page.status}`);
  const body = new URLSearchParams({
    csrf: hiddenField(html, 'csrf'),
    requestId: hiddenField(html, 'requestId'),
    response: 'acknowledge',
  });
  const posted = await sent(
    () =>
      fetch(`${link}/outcome`, { method: 'POST', body, redirect: 'manual', headers: { origin: new URL(link).origin } }),
    on503,
  );
  if (posted.status !== 303) throw new Error(`${token}: the outcome form answered ${posted.status}`);
}

export interface RoundRun {
  id: string;
  replies: number;
  ms: number;
  /** Requests a bureau sent again after a 503 (the web server's limit on waiting for the round). */
  retried503: number;
  /** Status reads the driver made while waiting for the round to act on its own. */
  statusReads: number;
  /** Of those, the reads the round's worker answered (a query); the others found the round's history unchanged. */
  statusQueries: number;
  /** Describes made to see whether the round had settled, besides those of the status reads. */
  describes: number;
}

/** Starts a round and drives it to approval; `web` picks the web server for each request. */
export async function runBenchRound(
  target: Target,
  template: RoundInput,
  planId: string,
  web: () => string,
  pollMs = 250,
): Promise<RoundRun> {
  const started = Date.now();
  const rounds = roundCalls(target.client, target.store, target.taskQueue);
  const id = await rounds.start({ ...template, planId });
  // The driver learns what people learn from their inboxes (the sink's count of the round's emails),
  // and reads the round's status where a person would look at it, once the round has settled.
  const until = (what: (s: RoundStatus) => boolean) => rounds.untilSettled(id, what, 600_000, pollMs);
  const act = rounds.act;
  await target.sink.arrived(id, 'invitation', template.bureaus.length);
  const invited = await until((s) => s.bureaus.every((b) => b.invitation?.sentAt !== undefined));
  const docKeys = invited.documents.map((d) => d.key);
  const on503: On503 = { retried: 0 };
  for (const b of invited.bureaus) {
    const form = await openReplyForm(replyLink(target, web(), invited, b.bureau.id), on503);
    await submitReply(form, benchReply(invited, b.bureau.id), docKeys, on503);
  }
  await act(id, 'closeConsultation', { requestId: randomUUID(), actor: coordinator });
  await target.sink.arrived(id, 'deadlineSummary', 1);
  const disposing = await until((s) => s.stage === 'disposition');
  for (const b of disposing.bureaus)
    for (const commentId of commentIds(b.replies.at(-1)!))
      await act(id, 'disposeComment', {
        requestId: randomUUID(),
        actor: coordinator,
        disposition: {
          commentId,
          decision: 'adopted',
          changedAt: [{ doc: docKeys[0]!, section: disposing.documents[0]!.versions[0]!.sections[0]!.id }],
        },
      });
  await act(id, 'publishDispositions', { requestId: randomUUID(), actor: coordinator });
  // A notice's link shows the outcome once the notice has gone out; a notice goes to each bureau with comments.
  const noticed = disposing.bureaus.filter((b) => commentIds(b.replies.at(-1)!).length > 0).length;
  await target.sink.arrived(id, 'outcomeNotice', noticed);
  const published = await until((s) => s.notices.every((n) => n.sentAt !== undefined));
  for (const n of published.notices) await acknowledge(replyLink(target, web(), published, n.bureauId), on503);
  const ready = await until((s) => s.approval.candidate !== null);
  await act(id, 'approveCandidate', {
    requestId: randomUUID(),
    actor: approver,
    pdfSha256: ready.approval.candidate!.pdfSha256,
  });
  // The end is awaited as the reference awaits its workflows (the result's long poll): a status read
  // of a round that has ended would replay its whole history on the worker.
  const result = RoundResult.parse(await target.client.workflow.getHandle(id).result());
  if (result.stage !== 'approved') throw new Error(`round ${id} ended at stage ${result.stage}, not approved`);
  return {
    id,
    replies: invited.bureaus.length,
    ms: Date.now() - started,
    retried503: on503.retried,
    statusReads: rounds.counts.statusReads,
    describes: rounds.counts.describes,
    statusQueries: rounds.gateway.reads.queries,
  };
}
