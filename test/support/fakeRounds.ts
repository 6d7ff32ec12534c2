/**
 * Rounds in memory for the edges' tests (web routes, CLI): a typed RoundService that keeps each
 * round's RoundStatus and runs the round's own rules on what it is asked, so a test of a page or
 * a command meets the same refusals a real round gives:
 * - every request is parsed with its action's schema (domain/actions.ts), refused as
 *   `invalidField` on the issue's path, as RoundGateway does;
 * - the actor's role is checked against the action's roles, as the round's validators do;
 * - `submitReply` is checked with `replyLinkRefusal` and `replyDraftRefusal` and recorded with
 *   `buildReply` and `outcomeOf`; a paper reply is checked with `replyDraftRefusal` and recorded
 *   the same way; a reply's draft is put in the content store first, as the gateway does;
 * - a request ID answers once: a repeat gets the first answer, as Temporal's Update ID does.
 * - the disposition actions (`disposeComment`, `adoptAllComments`, `publishDispositions`) are
 *   taken only in the disposition stage, checked with the stage's rules (workflows/stages/disposition/
 *   rules.ts: which comments await a disposition, anchors in the current versions, none undecided
 *   before publication) and kept in the status's `dispositions`, as the round keeps them; a test may
 *   also put dispositions in the status itself (`current.dispositions`);
 * - the approver's actions (`approveCandidate`, `rejectCandidate`) are taken only in the approval
 *   stage, checked with the approval stage's rules (workflows/stages/approval/rules.ts: nothing
 *   blocks approval, the hash is the current candidate's and its records are unchanged) and kept
 *   in the status's `approval.decisions`, the round entering `approved` or `revision`;
 * - the expert review's actions (schedule, reschedule or cancel the meeting, record the opinions,
 *   write a revision note), a revised version (its outline read from the store as the round reads
 *   it), re-anchoring a change and resolving an objection are taken in their action tables' stages,
 *   refused and applied with the rules the round applies (workflows/stages/expertReview/rules.ts,
 *   workflows/stages/disposition/rules.ts, workflows/round/rules.ts), by the fake's clock;
 * The other coordinator actions are recorded (name, request) and acknowledged, without their
 * effect: test/workflows/coordinatorActions.test.ts takes every one against a real round.
 * A test can make it refuse (`refuseWith`) or be unavailable (`unavailable`).
 */
import type { z } from 'zod';
import { ACTIONS, type ActionName } from '../../domain/actions.js';
import type {
  ActionAck,
  RecordPaperReplyRequest,
  ReplyReceipt,
  SubmitReplyRequest,
} from '../../domain/consultation.js';
import type { ApproveCandidateRequest, RejectCandidateRequest } from '../../domain/approval.js';
import type {
  AdoptAllCommentsRequest,
  DisposeCommentRequest,
  PublishDispositionsRequest,
} from '../../domain/disposition.js';
import { reviewRoundId } from '../../domain/ids.js';
import { STAGE_LABELS } from '../../domain/labels.js';
import type { Disposition, Reply, ReplySummary } from '../../domain/records.js';
import { invalidFieldRefusal } from '../../domain/messages.js';
import { makeRefusal, type Refusal } from '../../domain/refusals.js';
import {
  freshRoundRecords,
  newBureauStatus,
  RoundInput,
  RoundStatus,
  type BureauStatus,
  type Stage,
} from '../../domain/round.js';
import { iso } from '../../domain/time.js';
import { parseDocument } from '../../infra/documents.js';
import type { ActionRequest, ActionResult, Outcome, RoundListing, RoundService } from '../../infra/roundGateway.js';
import { loadReply, storeReplyDraft } from '../../infra/replyStore.js';
import { ContentCorruptError, ContentNotFoundError, type ContentStore } from '../../infra/store.js';
import {
  buildReply,
  isLate,
  linkReplyMeta,
  outcomeOf,
  replyDraftRefusal,
  replyLinkRefusal,
} from '../../workflows/stages/consultation/rules.js';
import {
  allComments,
  anchorRefusal,
  commentsByBureau,
  pinAnchors,
  reanchorDisposition,
  reanchorRefusal,
  resolveObjection,
  resolveObjectionRefusal,
  undisposed,
} from '../../workflows/stages/disposition/rules.js';
import {
  cancelMeeting,
  cancelRefusal,
  newExpertReview,
  recordOpinions,
  recordOpinionsRefusal,
  rescheduleMeeting,
  rescheduleRefusal,
  revisionNoteRefusal,
  scheduleMeeting,
  scheduleRefusal,
  writeRevisionNote,
} from '../../workflows/stages/expertReview/rules.js';
import { addVersionRefusal } from '../../workflows/round/rules.js';
import { roundActions } from '../../workflows/round/roundActions.js';
import { dispositionActions } from '../../workflows/stages/disposition/actions.js';
import { expertReviewActions } from '../../workflows/stages/expertReview/actions.js';
import { DocumentFormatError } from '../../infra/documents.js';
import { approveRefusal, candidateRefusal, recordDecision } from '../../workflows/stages/approval/rules.js';

/** One action as the round was asked it: the parsed request, keyed by its request ID (the gateway's Update ID). */
export interface ActionCall<K extends ActionName = ActionName> {
  name: K;
  updateId: string;
  request: z.output<(typeof ACTIONS)[K]['request']>;
}

/** What `act` was given, before any check (the raw request, as the edge built it). */
export interface ActCall {
  roundId: string;
  name: ActionName;
  request: unknown;
}

export type Refuser = Refusal | ((name: ActionName, request: unknown) => Refusal | undefined);

export class FakeRounds implements RoundService {
  private readonly rounds = new Map<string, RoundStatus>();
  /** Every `act` call, refused, repeated or accepted. */
  readonly calls: ActCall[] = [];
  /** The actions that took effect, one per request ID, in order. */
  readonly updates: ActionCall[] = [];
  private readonly results = new Map<string, unknown>();
  /** When set, an action that passed the schema and is not a repeat is refused with this (or what it returns). */
  refuseWith: Refuser | undefined;
  /** When true, every call answers `unavailable`, as the gateway does when Temporal cannot be reached. */
  unavailable = false;
  /** How many times the round's status was asked for (each a query to the round's worker). */
  statusReads = 0;

  constructor(
    readonly store: ContentStore,
    rounds: RoundStatus | RoundStatus[] = [],
    /** The round's clock: deadlines, late replies and acknowledgements read it. */
    private readonly now: () => Date = () => new Date(),
  ) {
    for (const r of Array.isArray(rounds) ? rounds : [rounds]) this.rounds.set(r.id, r);
  }

  /** The first round's status, live: a test may change it and the next call sees the change. */
  get current(): RoundStatus {
    const first = this.rounds.values().next().value;
    if (!first) throw new Error('FakeRounds holds no round');
    return first;
  }

  /** A round's status, live. */
  round(roundId: string): RoundStatus {
    const r = this.rounds.get(roundId);
    if (!r) throw new Error(`FakeRounds holds no round ${roundId}`);
    return r;
  }

  /** The actions that took effect with this name. */
  sent<K extends ActionName>(name: K): ActionCall<K>[] {
    return this.updates.filter((u): u is ActionCall<K> => u.name === name);
  }

  /** The last action that took effect: its name, request id, actor, and the rest of its request. */
  lastSent() {
    const u = this.updates.at(-1);
    if (!u) throw new Error('FakeRounds took no action');
    const { requestId, actor, ...rest } = u.request;
    return { name: u.name, updateId: u.updateId, requestId, actor, rest };
  }

  async start(unchecked: z.input<typeof RoundInput>): Promise<Outcome<string>> {
    if (this.unavailable) return unavailableOutcome;
    const parsed = RoundInput.safeParse(unchecked, { reportInput: true });
    if (!parsed.success) return refusedBy(parsed.error, 'input');
    const input = parsed.data;
    const id = reviewRoundId(input.planId, input.n);
    if (this.rounds.has(id)) return { kind: 'exists', roundId: id };
    const now = this.now().getTime();
    const deadline = iso('at' in input.deadline ? Date.parse(input.deadline.at) : now + input.deadline.afterMs);
    const documents = [];
    for (const d of input.documents) {
      const sections = parseDocument((await this.store.get(d.sha256)).toString('utf8')).sections;
      documents.push({
        key: d.key,
        title: d.title,
        standIn: false,
        versions: [{ n: 1, sha256: d.sha256, createdAt: iso(now), createdBy: input.startedBy, sections }],
      });
    }
    this.rounds.set(
      id,
      RoundStatus.parse({
        id,
        planId: input.planId,
        n: input.n,
        title: input.title,
        timeZone: input.timeZone,
        stage: input.stages[0],
        coordinator: input.coordinator,
        startedAt: iso(now),
        startedBy: input.startedBy,
        graceMs: input.graceMs,
        reminderOffsetsMs: input.reminderOffsetsMs,
        consultationEndsAt: iso(Date.parse(deadline) + input.graceMs),
        documents,
        bureaus: input.bureaus.map((b) => newBureauStatus(b, deadline)),
        consultation: { closed: null, endedAt: null },
        ...freshRoundRecords(),
      }),
    );
    return { kind: 'done', value: id };
  }

  async status(roundId: string): Promise<Outcome<RoundStatus>> {
    this.statusReads++;
    if (this.unavailable) return unavailableOutcome;
    const r = this.rounds.get(roundId);
    return r ? { kind: 'done', value: structuredClone(r) } : { kind: 'notFound', roundId };
  }

  async list(limit = 200): Promise<Outcome<RoundListing[]>> {
    if (this.unavailable) return unavailableOutcome;
    const listing = [...this.rounds.values()].map((r) => ({
      id: r.id,
      title: r.title,
      status:
        r.stage === 'cancelled'
          ? 'CANCELLED'
          : r.stage === 'completed' || r.stage === 'approved'
            ? 'COMPLETED'
            : 'RUNNING',
      startTime: r.startedAt,
      documents: r.documents.map((d) => d.versions[0]!.sha256),
    }));
    return { kind: 'done', value: listing.slice(0, limit) };
  }

  async act<K extends ActionName>(
    roundId: string,
    name: K,
    request: ActionRequest<K>,
  ): Promise<Outcome<ActionResult<K>>> {
    this.calls.push({ roundId, name, request: structuredClone(request) });
    if (this.unavailable) return unavailableOutcome;
    const round = this.rounds.get(roundId);
    if (!round) return { kind: 'notFound', roundId };
    const { request: schema, roles } = ACTIONS[name];
    const parsed = (schema as z.ZodType).safeParse(request, { reportInput: true });
    if (!parsed.success) return refusedBy(parsed.error, 'request');
    const req = parsed.data as ActionCall<K>['request'];
    const draft = 'reply' in req ? req.reply : undefined;
    if (draft) {
      try {
        await storeReplyDraft(this.store, draft);
      } catch (err) {
        return { kind: 'unavailable', cause: err instanceof Error ? err.message : String(err) };
      }
    }
    const key = `${roundId}\n${req.requestId}`;
    if (this.results.has(key)) return { kind: 'done', value: this.results.get(key) as ActionResult<K> };
    const forced = typeof this.refuseWith === 'function' ? this.refuseWith(name, req) : this.refuseWith;
    if (forced) return { kind: 'refused', refusal: forced };
    if (!(roles as readonly string[]).includes(req.actor.role)) {
      return {
        kind: 'refused',
        refusal: makeRefusal('actor.role', 'roleNotAllowed', { role: req.actor.role, allowed: roles.join(', ') }),
      };
    }
    const answer = await this.apply(round, name, req);
    if ('refusal' in answer) return { kind: 'refused', refusal: answer.refusal };
    this.updates.push({ name, updateId: req.requestId, request: structuredClone(req) } as ActionCall);
    this.results.set(key, answer.value);
    return { kind: 'done', value: answer.value as ActionResult<K> };
  }

  loadReply(summary: ReplySummary): Promise<Reply> {
    return loadReply(this.store, summary);
  }

  private async apply(
    round: RoundStatus,
    name: ActionName,
    req: ActionCall['request'],
  ): Promise<{ value: ReplyReceipt | ActionAck } | { refusal: Refusal }> {
    const at = this.now().getTime();
    const rule = LATER_RULES[name] as LaterRule<ActionName> | undefined;
    if (rule) {
      const refusal =
        stageRefusal(round, LATER_STAGES[name as keyof typeof LATER_STAGES]!.stages) ??
        rule.refusal(round, req, at) ??
        (await rule.apply(round, req, at, this.store));
      if (refusal) return { refusal };
      return { value: { roundId: round.id, stage: round.stage, at: iso(at) } };
    }
    if (name === 'submitReply' || name === 'recordPaperReply') {
      const r = req as SubmitReplyRequest | RecordPaperReplyRequest;
      const b = round.bureaus.find((x) => x.bureau.id === r.bureauId);
      if (!b) return { refusal: makeRefusal('bureauId', 'unknownBureau', { bureauId: r.bureauId }) };
      if ('linkId' in r) {
        const refusal = replyLinkRefusal(round, b, r.linkId, at) ?? replyDraftRefusal(round, b, r.reply);
        if (refusal) return { refusal };
        return {
          value: record(round, b, buildReply(round, b, r.reply, linkReplyMeta(b, r, at)), at),
        };
      }
      const refusal = replyDraftRefusal(round, b, r.reply);
      if (refusal) return { refusal };
      const received = r.receivedAt ? Date.parse(r.receivedAt) : at;
      const reply = buildReply(round, b, r.reply, {
        at: received,
        channel: 'paper',
        recordedBy: r.actor,
        scanSha256: r.scanSha256,
        late: isLate(b, received),
      });
      return { value: record(round, b, reply, at) };
    }
    if (name === 'disposeComment' || name === 'adoptAllComments' || name === 'publishDispositions') {
      const refusal = dispose(round, name, req, at);
      if (refusal) return { refusal };
    }
    if (name === 'approveCandidate' || name === 'rejectCandidate') {
      const r = req as ApproveCandidateRequest | RejectCandidateRequest;
      const refusal =
        stageRefusal(round, 'approval') ??
        (name === 'approveCandidate' ? approveRefusal : candidateRefusal)(round, r.pdfSha256, at);
      if (refusal) return { refusal };
      round.stage = recordDecision(round.approval, r, iso(at));
    }
    return { value: { roundId: round.id, stage: round.stage, at: iso(at) } };
  }
}

/** The stages each action the fake applies beyond consultation is taken in: the round's action tables' own. */
const LATER_STAGES = { ...roundActions, ...dispositionActions, ...expertReviewActions } as const;

/** As the round's validators refuse an action outside its stages. */
function stageRefusal(round: RoundStatus, expected: Stage | readonly Stage[]): Refusal | null {
  const stages: readonly Stage[] = typeof expected === 'string' ? [expected] : expected;
  if (stages.includes(round.stage)) return null;
  return makeRefusal('round', 'wrongStage', {
    stage: round.stage,
    stageZh: STAGE_LABELS[round.stage].zh,
    expected: stages.join(' or '),
  });
}

interface LaterRule<K extends ActionName> {
  refusal(round: RoundStatus, req: ActionCall<K>['request'], at: number): Refusal | null;
  /** The effect; a refusal only when it reads a file the round cannot take (a revised version). */
  apply(
    round: RoundStatus,
    req: ActionCall<K>['request'],
    at: number,
    store: ContentStore,
  ): void | Refusal | Promise<Refusal | undefined>;
}

/** The expert review as the round keeps it: its state starts with the stage. */
const review = (round: RoundStatus) => (round.expertReview ??= newExpertReview());

/** The message-ID domain of the fake rounds (the meetings' calendar UIDs end in it). */
export const FAKE_MESSAGE_ID_DOMAIN = 'plan-review.test';

/** The rules the round applies to each action beyond consultation and disposition's own. */
const LATER_RULES: { [K in ActionName]?: LaterRule<K> } = {
  scheduleMeeting: {
    refusal: (round, req, at) => scheduleRefusal(review(round), req, at),
    apply: (round, req, at) =>
      scheduleMeeting(review(round), req, { roundId: round.id, domain: FAKE_MESSAGE_ID_DOMAIN }, at),
  },
  rescheduleMeeting: {
    refusal: (round, req, at) => rescheduleRefusal(review(round), req, at),
    apply: (round, req, at) => rescheduleMeeting(review(round), req, at),
  },
  cancelMeeting: {
    refusal: (round, _req, at) => cancelRefusal(review(round), at),
    apply: (round, req, at) => cancelMeeting(review(round), req, at),
  },
  recordOpinions: {
    refusal: (round, _req, at) => recordOpinionsRefusal(review(round), at),
    apply: (round, req, at) => recordOpinions(review(round), req, at),
  },
  writeRevisionNote: {
    refusal(round, req) {
      review(round);
      return revisionNoteRefusal(round, req);
    },
    apply: (round, req) => writeRevisionNote(round, req),
  },
  reanchorDisposition: {
    refusal: (round, req) => reanchorRefusal(round, req),
    apply: (round, req, at) => reanchorDisposition(round, req, at),
  },
  resolveObjection: {
    refusal: (round, req) => resolveObjectionRefusal(round, req),
    apply: (round, req, at) => resolveObjection(round, req, at),
  },
  addDocumentVersion: {
    refusal: (round, req) => addVersionRefusal(round, req),
    // As Round.addVersion: the outline read from the store; a file not in the format is refused.
    async apply(round, req, at, store) {
      let sections;
      try {
        sections = parseDocument((await store.get(req.sha256)).toString('utf8')).sections;
      } catch (err) {
        if (!(
          err instanceof DocumentFormatError ||
          err instanceof ContentNotFoundError ||
          err instanceof ContentCorruptError
        ))
          throw err;
        return makeRefusal('sha256', 'documentUnreadable', { detail: err.message });
      }
      const doc = round.documents.find((d) => d.key === req.docKey)!;
      doc.versions.push({
        n: doc.versions.length + 1,
        sha256: req.sha256,
        createdAt: iso(at),
        createdBy: req.actor,
        sections,
      });
      return undefined;
    },
  },
};

/** As the disposition stage checks and keeps a disposition action (workflows/stages/disposition/actions.ts). */
function dispose(
  round: RoundStatus,
  name: 'disposeComment' | 'adoptAllComments' | 'publishDispositions',
  req: ActionCall['request'],
  at: number,
): Refusal | undefined {
  const wrongStage = stageRefusal(round, 'disposition');
  if (wrongStage) return wrongStage;
  if (round.dispositionsPublished) return makeRefusal('round', 'dispositionsAlreadyPublished');
  const { actor } = req as { actor: Disposition['decidedBy'] };
  const save = (d: Disposition) => {
    const i = round.dispositions.findIndex((x) => x.commentId === d.commentId);
    if (i >= 0) round.dispositions[i] = d;
    else round.dispositions.push(d);
  };
  if (name === 'disposeComment') {
    const { commentId, decision, rationale, changedAt } = (req as DisposeCommentRequest).disposition;
    if (!allComments(round).includes(commentId))
      return makeRefusal('disposition.commentId', 'unknownComment', { commentId });
    const refusal = anchorRefusal(round, changedAt, 'disposition.changedAt');
    if (refusal) return refusal;
    save({
      commentId,
      decision,
      ...(rationale !== undefined && { rationale }),
      changedAt: pinAnchors(round, changedAt),
      decidedBy: actor,
      decidedAt: iso(at),
      published: false,
    });
    return undefined;
  }
  if (name === 'adoptAllComments') {
    const { bureauId } = req as AdoptAllCommentsRequest;
    if (!round.bureaus.some((b) => b.bureau.id === bureauId))
      return makeRefusal('bureauId', 'unknownBureau', { bureauId });
    const ids = commentsByBureau(round).get(bureauId) ?? [];
    if (ids.length === 0) return makeRefusal('bureauId', 'bureauHasNoComments');
    const open = new Set(undisposed(round));
    for (const commentId of ids.filter((id) => open.has(id)))
      save({ commentId, decision: 'adopted', changedAt: [], decidedBy: actor, decidedAt: iso(at), published: false });
    return undefined;
  }
  const missing = undisposed(round);
  if (missing.length > 0)
    return makeRefusal('round', 'dispositionsIncomplete', {
      count: missing.length,
      ids: missing.slice(0, 10).join(', '),
    });
  const current = new Set(allComments(round));
  const { note } = req as PublishDispositionsRequest;
  round.dispositions = round.dispositions
    .filter((d) => current.has(d.commentId))
    .map((d) => ({ ...d, published: true }));
  round.dispositionsPublished = { by: actor, at: iso(at), ...(note && { reason: note }) };
  return undefined;
}

/** As the round records a reply (Consultation.recordReply): the summary kept, the outcome from the rules, the receipt. */
function record(round: RoundStatus, b: BureauStatus, reply: ReplySummary, now: number): ReplyReceipt {
  b.replies.push(reply);
  b.outcome = outcomeOf(b, now > Date.parse(b.deadline) + round.graceMs);
  return {
    roundId: round.id,
    bureauId: b.bureau.id,
    n: reply.n,
    version: reply.version,
    submittedAt: reply.submittedAt,
    contentSha256: reply.contentSha256,
    late: reply.late === true,
  };
}

const unavailableOutcome = { kind: 'unavailable', cause: '14 UNAVAILABLE: connection refused' } as const;

function refusedBy(error: z.ZodError, whole: string): Outcome<never> {
  return { kind: 'refused', refusal: invalidFieldRefusal(error.issues[0]!, whole) };
}
