/**
 * A review round: the file a coordinator writes to start one, the workflow's input, and the status
 * snapshot its query returns. Imported by workflow code: no Node built-ins, no I/O.
 */
import { z } from 'zod';
import {
  Actor,
  Bureau,
  BureauOutcome,
  Disposition,
  DocumentRef,
  IanaTimeZone,
  Instant,
  Invitation,
  Phone,
  ReplySummary,
  Sha256,
  Slug,
  line,
} from './records.js';
import { ROUND_LIMITS } from './limits.js';
import { ApprovalState } from './approval.js';
import { DEFAULT_OBJECTION_WINDOW_MS, OutcomeNotice } from './disposition.js';
import { ExpertReviewState } from './expertReview.js';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** An ISO-8601 duration such as P14D, PT30S or P1DT12H (years and months are ambiguous, so refused). */
export const IsoDuration = z
  .string()
  .regex(
    /^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/,
    'must be an ISO-8601 duration in weeks, days, hours, minutes or seconds, such as P14D or PT30S',
  );

/**
 * The stages a round can run, in the order its file lists them. Each is a folder under
 * workflows/stages/; a stage not listed here cannot be asked for.
 */
export const RunnableStage = z.enum(['consultation', 'disposition', 'approval', 'expertReview']);
export type RunnableStage = z.infer<typeof RunnableStage>;
export const DEFAULT_STAGES: RunnableStage[] = ['consultation'];

const StageList = z
  .array(RunnableStage)
  .min(1, 'a round runs at least one stage')
  .refine((s) => new Set(s).size === s.length, 'each stage runs once');

/** Who runs a round, and how the bureaus reach them (the invitations and the reply page show both). */
export const Coordinator = Actor.extend({ phone: Phone.optional() });
export type Coordinator = z.infer<typeof Coordinator>;

// ---------------------------------------------------------------------------------------------
// The round file (YAML or JSON), as a coordinator writes it

export const RoundFileDocument = z.object({
  key: Slug,
  title: line(300),
  /** The Markdown source, relative to the round file. */
  path: z.string().min(1),
});

export const RoundFileBureau = Bureau;

export const RoundFile = z
  .object({
    planId: Slug,
    round: z.number().int().positive().default(1),
    title: line(300),
    timeZone: IanaTimeZone.default(DEFAULT_TIME_ZONE),
    coordinator: z.object({ name: line(200), email: z.email(), phone: Phone.optional() }),
    documents: z.array(RoundFileDocument).min(1, 'a round circulates at least one document'),
    /** The bureaus inline, or the path of a YAML/JSON file holding the list (relative to the round file). */
    bureaus: z.union([z.array(RoundFileBureau).min(1), z.string().min(1)]),
    /**
     * When consultation ends: an ISO-8601 duration from the round's start (P14D, PT30S), or a local
     * date-time in the round's time zone (2022-02-17T18:00), or one with an offset or zone.
     */
    deadline: z.string().min(1).default('P14D'),
    /** Reminders before each bureau's deadline, to bureaus that have not replied. */
    reminders: z.array(IsoDuration).default(['P7D', 'P2D', 'P1D']),
    /** How long after its deadline a bureau's link still accepts a reply (late replies are marked). */
    grace: IsoDuration.default('PT0S'),
    /** The stages the round runs, in order. */
    stages: StageList.default(DEFAULT_STAGES),
    /** How long a bureau has to acknowledge or object to its outcome notice (silence counts as acknowledged). */
    objectionWindow: IsoDuration.default('P5D'),
  })
  .strict();
export type RoundFile = z.infer<typeof RoundFile>;

// ---------------------------------------------------------------------------------------------
// The workflow's input: everything resolved, contents in the store by hash

export const DeadlineSpec = z.union([z.object({ at: Instant }), z.object({ afterMs: z.number().int().positive() })]);
export type DeadlineSpec = z.infer<typeof DeadlineSpec>;

export const RoundInput = z
  .object({
    planId: Slug,
    n: z.number().int().positive(),
    title: line(300),
    timeZone: IanaTimeZone,
    coordinator: Coordinator,
    documents: z
      .array(z.object({ key: Slug, title: line(300), sha256: Sha256 }))
      .min(1)
      .refine((docs) => new Set(docs.map((d) => d.key)).size === docs.length, 'document keys must be unique'),
    bureaus: z
      .array(Bureau)
      .min(1)
      .max(ROUND_LIMITS.bureausPerRound)
      .refine((bs) => new Set(bs.map((b) => b.id)).size === bs.length, 'bureau ids must be unique'),
    deadline: DeadlineSpec,
    reminderOffsetsMs: z.array(z.number().int().positive()),
    graceMs: z.number().int().nonnegative(),
    startedBy: Actor,
    /** The right-hand side of every Message-ID the round's emails carry (the web server's host). */
    messageIdDomain: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a host name'),
    stages: StageList.default(DEFAULT_STAGES),
    /** How long a bureau has to answer its outcome notice. */
    objectionWindowMs: z.number().int().positive().default(DEFAULT_OBJECTION_WINDOW_MS),
  })
  .strict();
export type RoundInput = z.infer<typeof RoundInput>;

// ---------------------------------------------------------------------------------------------
// The status snapshot

export const Stage = z.enum([
  'drafting',
  'consultation',
  'disposition',
  'expertReview',
  'revision',
  'approval',
  'approved',
  'completed',
  'cancelled',
]);
export type Stage = z.infer<typeof Stage>;

/** The stages after consultation, in which revised versions, re-anchored changes and resolved objections are taken. */
export const AFTER_CONSULTATION: readonly Stage[] = ['disposition', 'expertReview', 'revision', 'approval'];

export const ActionStamp = z.object({ by: Actor, at: Instant, reason: z.string().optional() });
export type ActionStamp = z.infer<typeof ActionStamp>;

export const BureauStatus = z.object({
  bureau: Bureau,
  outcome: BureauOutcome,
  deadline: Instant,
  invitation: Invitation.nullable(),
  /** Invitations whose links were revoked by a contact change, with their messages and failures. */
  previousInvitations: z.array(Invitation),
  /** Every reply version, oldest first, as summaries (texts by hash); the latest on time counts. */
  replies: z.array(ReplySummary),
  extensions: z.array(ActionStamp.extend({ deadline: Instant })),
  waived: ActionStamp.nullable(),
  revokedLinkIds: z.array(z.string()),
});
export type BureauStatus = z.infer<typeof BureauStatus>;

/**
 * An email the round has asked to send and that has not gone yet: queued, being sent, or waiting
 * to be tried again while its mail server is down. The round knows since when (it removes the
 * entry once the send ends, delivered or failed); the edges add what Temporal knows of the send
 * (its attempts and last error, from the round's pending activities: infra/roundGateway.ts).
 */
export const MailInFlight = z.object({
  messageId: z.string(),
  kind: z.string(),
  /** The bureau id, 'coordinator', or an expert's recipient key. */
  recipient: z.string(),
  to: z.array(z.string()),
  since: Instant,
  /** The attempt under way, or the next one (1 for the first). */
  attempts: z.number().int().positive().optional(),
  lastError: z.string().optional(),
  /** When the last attempt failed. */
  lastAttemptAt: Instant.optional(),
  /** The send's activity when it carries several messages (its ID is then another message's); absent: the Message-ID. */
  activityId: z.string().optional(),
});
export type MailInFlight = z.infer<typeof MailInFlight>;

export const RoundStatus = z.object({
  id: z.string(),
  planId: Slug,
  n: z.number().int().positive(),
  title: z.string(),
  timeZone: IanaTimeZone,
  stage: Stage,
  coordinator: Coordinator,
  startedAt: Instant,
  startedBy: Actor,
  graceMs: z.number().int().nonnegative(),
  reminderOffsetsMs: z.array(z.number().int().positive()),
  /** The latest bureau deadline plus grace: when consultation ends unless closed earlier. */
  consultationEndsAt: Instant.nullable(),
  documents: z.array(DocumentRef),
  bureaus: z.array(BureauStatus),
  consultation: z.object({ closed: ActionStamp.nullable(), endedAt: Instant.nullable() }),
  cancelled: ActionStamp.nullable(),
  /** Every comment's disposition (drafts until published). */
  dispositions: z.array(Disposition),
  /** When the dispositions were published, and by whom. */
  dispositionsPublished: ActionStamp.nullable(),
  /** One outcome notice per bureau with comments, sent when the dispositions are published. */
  notices: z.array(OutcomeNotice),
  /** The candidate PDF, what blocks approval, and the approver's decisions. */
  approval: ApprovalState,
  /** The expert review's meeting, opinions and revision notes; null until that stage starts. */
  expertReview: ExpertReviewState.nullable(),
  /** Problems that need a person: failed deliveries, unresolvable documents. */
  problems: z.array(z.object({ at: Instant, message: z.string() })),
  /** Emails not sent yet, oldest first (absent from statuses written before it was kept). */
  mailInFlight: z.array(MailInFlight).default([]),
});
export type RoundStatus = z.infer<typeof RoundStatus>;

/** What a finished round's workflow returns: small, whatever the round holds (its status is a query away). */
export const RoundResult = z.object({
  id: z.string(),
  stage: Stage,
  outcomes: z.record(z.string(), BureauOutcome),
});
export type RoundResult = z.infer<typeof RoundResult>;

/** A bureau as a round first holds it: invited by the round's first stage that consults. */
export function newBureauStatus(bureau: z.infer<typeof Bureau>, deadline: string): BureauStatus {
  return {
    bureau,
    outcome: 'pending',
    deadline,
    invitation: null,
    previousInvitations: [],
    replies: [],
    extensions: [],
    waived: null,
    revokedLinkIds: [],
  };
}

/** What a round holds beyond consultation when it starts: nothing decided, reviewed or approved yet. */
export function freshRoundRecords(): Pick<
  RoundStatus,
  'cancelled' | 'dispositions' | 'dispositionsPublished' | 'notices' | 'expertReview' | 'approval' | 'problems'
> {
  return {
    cancelled: null,
    dispositions: [],
    dispositionsPublished: null,
    notices: [],
    expertReview: null,
    approval: { candidate: null, blockers: [], decisions: [], rejectedFingerprint: null },
    problems: [],
  };
}
