/**
 * How much a round accepts, so that its state, its status query, every Update's result and its
 * history stay far below Temporal's limits (2 MB per payload, 50 MB per history) whatever a bureau
 * submits. Reply texts live in the document store by hash; the round keeps summaries, and these
 * limits bound the summaries' count and the history's bytes. Enforced by the round's validators
 * (and per link by the web layer); the README states them.
 */
const KIB = 1024;
const MIB = 1024 * KIB;

export const ROUND_LIMITS = {
  /** One reply as canonical JSON: far above any real comment card. */
  replyBytes: 256 * KIB,
  /** Reply versions one bureau may submit (by link and on paper together). */
  repliesPerBureau: 10,
  /** Bytes of all of one bureau's reply versions: a maximal reply revised eight times. */
  replyBytesPerBureau: 2 * MIB,
  /** Bytes of all replies of the round (every reply is in the history once). */
  replyBytesPerRound: 16 * MIB,
  /** Comments per document in one reply. */
  commentsPerDocument: 200,
  /** Extensions, contact changes and resends per bureau, each. */
  coordinatorActionsPerBureau: 20,
  /** Versions of one document (each keeps its outline in the round's status). */
  versionsPerDocument: 20,
  /** Approval decisions (each rejection needs a change to the records first). */
  approvalDecisions: 50,
  /** Bureaus a round may consult. */
  bureausPerRound: 60,
  /** Problems kept on the status (the newest). */
  problemsKept: 50,
  /** Delivery failures kept per invitation (the newest). */
  failuresKept: 20,
} as const;

export const formatMib = (bytes: number) => `${Math.round((bytes / MIB) * 10) / 10} MiB`;
export const formatKib = (bytes: number) => `${Math.round(bytes / KIB)} KiB`;
