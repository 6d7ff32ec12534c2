/**
 * The fault scenarios, each on its own stand-in rounds of one shared stack (dev server, worker and
 * web server as separate processes, the mail sink in this process). Each kills or removes one part
 * at the moment it names, brings it back, and is then held to the invariants of checks.ts.
 */
import { randomUUID } from 'node:crypto';
import proto from '@temporalio/proto';
import { unwrap } from '../../infra/roundGateway.js';
import type { RoundStatus } from '../../domain/round.js';
import {
  commentAnswer,
  noCommentsAnswer,
  replyThroughLinkPatiently,
  type BureauAnswer,
  type ReplyOutcome,
  Traffic,
} from './bureau.js';
import { checkRounds, clientFigures } from './checks.js';
import type { BatteryFigures } from './result.js';
import { batteryCoordinator, seedBureaus, sleep, startRounds, waitForLinks } from './rounds.js';
import type { BatteryStack } from './stack.js';

export interface ScenarioOutcome {
  name: string;
  figures: BatteryFigures;
  broken: string[];
}

type Receipts = Map<string, Map<string, ReplyOutcome>>;

const MINUTE = 60_000;
const STARTED = proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

/** Every bureau of every round answers through its link, all at once; `during` runs beside them (the fault). */
async function answerAll(
  stack: BatteryStack,
  ids: string[],
  links: Map<string, Map<string, string>>,
  opts: {
    answer?: (round: string, bureau: string) => BureauAnswer;
    during?: (traffic: Traffic) => Promise<void>;
    skip?: string[];
  } = {},
): Promise<{ receipts: Receipts; outcomes: ReplyOutcome[]; errors: string[] }> {
  const bureaus = await seedBureaus();
  const receipts: Receipts = new Map(ids.map((id) => [id, new Map()]));
  const outcomes: ReplyOutcome[] = [];
  const errors: string[] = [];
  const traffic = new Traffic();
  const answering = ids.flatMap((id) =>
    bureaus.filter((b) => !opts.skip?.includes(b.contacts[0]!.email)).map((b) => ({ id, b })),
  );
  // The bureaus submit together once every page is open, so a fault finds Submits in flight.
  let opened = 0;
  let allOpen!: () => void;
  const together = new Promise<void>((r) => (allOpen = r));
  const beforeSubmit = () => {
    if (++opened === answering.length) allOpen();
    return together;
  };
  const answers = answering.map(async ({ id, b }) => {
    const link = links.get(id)!.get(b.contacts[0]!.email)!;
    const answer = opts.answer?.(id, b.id) ?? commentAnswer(['plan'], `${id} ${b.id}：请补充地理位置说明`);
    try {
      const o = await replyThroughLinkPatiently(link, answer, { giveUpAfterMs: 3 * MINUTE, traffic, beforeSubmit });
      receipts.get(id)!.set(b.id, o);
      outcomes.push(o);
    } catch (err) {
      errors.push(`${id} ${b.id}: ${(err as Error).message}`);
    }
  });
  await Promise.all([...answers, opts.during?.(traffic)]);
  return { receipts, outcomes, errors };
}

async function until(what: string, pred: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function finish(
  stack: BatteryStack,
  name: string,
  ids: string[],
  answered: { receipts: Receipts; outcomes: ReplyOutcome[]; errors: string[] },
  extra: { figures?: BatteryFigures; broken?: string[]; refused?: string[]; settleMs?: number } = {},
): Promise<ScenarioOutcome> {
  const crashesBefore = stack.crashes.length;
  const checked = await checkRounds(stack, ids, answered.receipts, {
    settleMs: extra.settleMs ?? 2 * MINUTE,
    refused: extra.refused,
  });
  const client = clientFigures(answered.outcomes);
  const crashes = stack.crashes.slice(crashesBefore);
  return {
    name,
    figures: {
      ...checked.figures,
      ...client.figures,
      repliesNotReceipted: answered.errors.length,
      crashes: stack.crashes.length,
      ...extra.figures,
    },
    broken: [...checked.broken, ...client.broken, ...answered.errors, ...crashes, ...(extra.broken ?? [])],
  };
}

/**
 * The worker dies (SIGKILL) the moment the mail server has the first invitation and before it
 * answers 250, with the other invitations on their way; a new worker starts 2 s later.
 */
export async function workerKilledDuringInvitations(stack: BatteryStack, rounds: number): Promise<ScenarioOutcome> {
  const prefix = `fault-invite-${Date.now().toString(36)}`;
  const killed = stack.onMail(
    (h) => /^X-Plan-Review-Kind: invitation$/im.test(h) && h.includes(`round:${prefix}-`),
    () => stack.kill('worker'),
  );
  const ids = await startRounds(stack, prefix, rounds);
  await killed;
  const atKill = (await stack.accepted()).filter((m) => ids.includes(m.round) && m.kind === 'invitation').length;
  await sleep(2_000);
  await stack.startWorker();
  const links = await waitForLinks(stack, ids, 2 * MINUTE);
  const answered = await answerAll(stack, ids, links);
  return finish(stack, 'worker killed while invitations are sent', ids, answered, {
    figures: { invitationsBeforeKill: atKill, invitations: rounds * 7 },
  });
}

/**
 * A process dies once the bureaus' replies are coming in (at least three submits posted) and comes
 * back `downMs` later; every bureau whose submit failed submits again.
 */
async function killedDuringReplies(
  stack: BatteryStack,
  what: { name: string; prefix: string; rounds: number; downMs: number },
  kill: () => Promise<void> | void,
  restart: () => Promise<void>,
): Promise<ScenarioOutcome> {
  const ids = await startRounds(stack, what.prefix, what.rounds);
  const links = await waitForLinks(stack, ids, 2 * MINUTE);
  let atKill = 0;
  const answered = await answerAll(stack, ids, links, {
    during: async (traffic) => {
      await traffic.atLeast(3);
      atKill = traffic.posting;
      await kill();
      await sleep(what.downMs);
      await restart();
    },
  });
  return finish(stack, what.name, ids, answered, {
    figures: { submitsInFlightAtKill: atKill, replies: what.rounds * 7, secondsDown: what.downMs / 1000 },
  });
}

/**
 * The worker dies while the bureaus' reply Updates are being handled and a new one starts `downMs`
 * later: longer than the web server waits for an Update (15 s), so some bureaus get the error page
 * and submit again.
 */
export function workerKilledDuringReplies(
  stack: BatteryStack,
  rounds: number,
  downMs: number,
): Promise<ScenarioOutcome> {
  return killedDuringReplies(
    stack,
    { name: 'worker killed while reply Updates are handled', prefix: 'fault-reply', rounds, downMs },
    () => stack.kill('worker'),
    () => stack.startWorker(),
  );
}

/** The worker dies while the candidate PDF renders (its activity started); a new one renders it. */
export async function workerKilledDuringPdf(stack: BatteryStack): Promise<ScenarioOutcome> {
  const [id] = await startRounds(stack, 'fault-pdf', 1, { stages: ['consultation', 'approval'] });
  const links = await waitForLinks(stack, [id!], 2 * MINUTE);
  const answered = await answerAll(stack, [id!], links, { answer: () => noCommentsAnswer(['plan']) });
  unwrap(await stack.rounds.act(id!, 'closeConsultation', { requestId: randomUUID(), actor: batteryCoordinator }));
  const handle = stack.client.workflow.getHandle(id!);
  let rendering = false;
  await until(
    'the PDF render to start',
    async () =>
      (rendering = ((await handle.describe()).raw.pendingActivities ?? []).some(
        (p) => p.activityType?.name === 'renderRoundPdf' && p.state === STARTED,
      )),
    2 * MINUTE,
  );
  await stack.kill('worker');
  await sleep(2_000);
  await stack.startWorker();
  let s: RoundStatus | undefined;
  await until(
    'the candidate PDF',
    async () => !!(s = unwrap(await stack.rounds.status(id!))).approval.candidate,
    3 * MINUTE,
  );
  const candidate = s!.approval.candidate!;
  const pdf = await stack.store.get(candidate.pdfSha256);
  const broken = pdf.subarray(0, 5).toString() === '%PDF-' ? [] : ['the candidate in the store is not a PDF'];
  return finish(stack, 'worker killed while a PDF renders', [id!], answered, {
    figures: { killedWhileRendering: rendering, candidatePdfBytes: pdf.length },
    broken,
  });
}

/** The dev server dies (SIGKILL) mid-round, while replies come in, and restarts on the same SQLite file `downMs` later. */
export function devServerKilledMidRound(stack: BatteryStack, rounds: number, downMs: number): Promise<ScenarioOutcome> {
  return killedDuringReplies(
    stack,
    { name: 'dev server killed and restarted mid-round', prefix: 'fault-dev', rounds, downMs },
    () => stack.killDevServer(),
    () => stack.startDevServer(),
  );
}

/** The mail server is gone for `outageMs` while replies come in (confirmations and notices wait), then back. */
export async function smtpOutage(stack: BatteryStack, rounds: number, outageMs: number): Promise<ScenarioOutcome> {
  const ids = await startRounds(stack, 'fault-smtp', rounds);
  const links = await waitForLinks(stack, ids, 2 * MINUTE);
  await stack.stopSink();
  const answered = await answerAll(stack, ids, links);
  // What the coordinator sees while it lasts: the emails waiting, with their attempt and last error.
  // It lasts `outageMs` from the fault, and on a busy machine longer: until the round has been seen
  // at least once after the replies (answering them may take longer than the outage was to last),
  // and until a failed attempt shows, at most a minute more.
  let visible = 0;
  let withError = 0;
  const down = stack.faults.at(-1)!.at;
  const end = down + outageMs;
  const giveUp = Math.max(end, Date.now()) + MINUTE;
  for (;;) {
    const s = unwrap(await stack.rounds.status(ids[0]!));
    visible = Math.max(visible, s.mailInFlight.length);
    withError = Math.max(withError, s.mailInFlight.filter((m) => m.lastError && (m.attempts ?? 0) > 1).length);
    const seen = visible > 0 && withError > 0;
    if ((seen && Date.now() >= end) || Date.now() >= giveUp) break;
    await sleep(seen ? Math.min(5_000, end - Date.now()) : 1_000);
  }
  await stack.startSink();
  const back = Date.now();
  const checked = await finish(stack, 'mail server gone and back', ids, answered, {
    figures: {
      outageSeconds: Math.round((back - down) / 1000),
      mailInFlightShown: visible,
      mailInFlightWithError: withError,
    },
    broken:
      visible > 0 && withError > 0 ? [] : ['the round did not show its waiting emails with their attempt and error'],
  });
  checked.figures.secondsToDeliverAfterReturn = Math.round(
    (Math.max(...(await stack.accepted()).map((m) => m.acceptedAt)) - back) / 1000,
  );
  return checked;
}

/** One bureau's mail server refuses its address for good (550): not retried, shown to the coordinator. */
export async function permanentRefusal(stack: BatteryStack): Promise<ScenarioOutcome> {
  const culture = (await seedBureaus()).find((b) => b.id === 'culture')!;
  const address = culture.contacts[0]!.email;
  stack.refused.set(address, `5.1.1 <${address}>: mailbox unavailable`);
  try {
    const ids = await startRounds(stack, 'fault-refused', 1);
    const links = await waitForLinks(stack, ids, 2 * MINUTE, [address]);
    const answered = await answerAll(stack, ids, links, { skip: [address] });
    let s: RoundStatus | undefined;
    await until(
      'the refusal on the status',
      async () => (s = unwrap(await stack.rounds.status(ids[0]!))).problems.length > 0,
      MINUTE,
    );
    const shown = s!.problems.some((p) => p.message.includes(address));
    await until(
      'the failure email to the coordinator',
      async () => (await stack.accepted()).some((m) => m.round === ids[0] && m.kind === 'deliveryFailure'),
      MINUTE,
    );
    return finish(stack, 'one recipient refused for good', ids, answered, {
      refused: [address],
      figures: { refusalShownOnStatus: shown, coordinatorEmailed: true },
      broken: shown ? [] : [`the status's problems do not name ${address}`],
    });
  } finally {
    stack.refused.delete(address);
  }
}

/** The web server dies (SIGKILL) while reply POSTs are in flight and comes back 2 s later. */
export async function webRestartedDuringPost(stack: BatteryStack, rounds: number): Promise<ScenarioOutcome> {
  const ids = await startRounds(stack, 'fault-web', rounds);
  const links = await waitForLinks(stack, ids, 2 * MINUTE);
  let atKill = 0;
  const answered = await answerAll(stack, ids, links, {
    during: async (traffic) => {
      await traffic.atLeast(3);
      atKill = traffic.posting;
      await stack.kill('web');
      await sleep(2_000);
      await stack.startWeb();
    },
  });
  return finish(stack, 'web server restarted during reply POSTs', ids, answered, {
    figures: { submitsInFlightAtKill: atKill, replies: rounds * 7 },
  });
}
