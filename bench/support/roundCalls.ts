/**
 * Round calls for scripts that drive a round (the benchmark, the seed driver, tests): the real
 * gateway, unwrapped, so a refusal or an unavailable server throws RoundGatewayError at once.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { ActionName } from '../../domain/actions.js';
import type { RoundInput, RoundStatus } from '../../domain/round.js';
import { PATIENT_TIMEOUTS, RoundGateway, unwrap, type ActionRequest } from '../../infra/roundGateway.js';
import type { ContentStore } from '../../infra/store.js';

export function roundCalls(client: Client, store: ContentStore, taskQueue: string) {
  const gateway = new RoundGateway(client, store, taskQueue, PATIENT_TIMEOUTS);
  /**
   * Status reads made by `until` (each a describe, and a query when the round's history has grown)
   * and by `untilSettled` (a query; `gateway.reads` counts the queries), and the describes
   * `untilSettled` made to see whether the round had settled.
   */
  const counts = { statusReads: 0, describes: 0 };
  return {
    gateway,
    counts,
    start: async (input: RoundInput) => unwrap(await gateway.start(input)),
    status: async (id: string) => unwrap(await gateway.status(id)),
    act: async <K extends ActionName>(id: string, name: K, request: ActionRequest<K>) =>
      unwrap(await gateway.act(id, name, request)),
    /** A bureau's reply through its current link, as its reply page would send it. */
    async replyAs(status: RoundStatus, bureauId: string, reply: ActionRequest<'submitReply'>['reply']) {
      const b = status.bureaus.find((x) => x.bureau.id === bureauId);
      if (!b?.invitation) throw new Error(`${bureauId} has no invitation in ${status.id}`);
      const request = {
        requestId: randomUUID(),
        actor: { name: reply.responder.name, role: 'bureau' as const },
        bureauId,
        linkId: b.invitation.linkId,
        reply,
      };
      return unwrap(await gateway.act(status.id, 'submitReply', request));
    },
    /** Polls the round's status until `pred` holds (a round acts on its own: emails, timers). */
    async until(id: string, pred: (s: RoundStatus) => boolean, timeoutMs = 20_000, pollMs = 50): Promise<RoundStatus> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = unwrap(await gateway.status(id));
        counts.statusReads++;
        if (pred(s)) return s;
        if (Date.now() > deadline)
          throw new Error(`round ${id} did not reach the expected state within ${timeoutMs} ms (stage ${s.stage})`);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    /**
     * As `until`, for a round left to act on its own (its emails, its certificate): while the round
     * has an activity or a workflow task under way it is only described (the Temporal server answers
     * from the round's state; a status read is a query its worker answers), and its status is read
     * once it has settled, or every `readEveryMs` whatever (a delivery retrying stays under way).
     */
    async untilSettled(
      id: string,
      pred: (s: RoundStatus) => boolean,
      timeoutMs = 600_000,
      pollMs = 250,
      readEveryMs = 5_000,
    ): Promise<RoundStatus> {
      const deadline = Date.now() + timeoutMs;
      let lastRead = Date.now();
      for (;;) {
        const d = await client.workflowService.describeWorkflowExecution({
          namespace: client.options.namespace,
          execution: { workflowId: id },
        });
        counts.describes++;
        const busy = (d.pendingActivities?.length ?? 0) > 0 || Boolean(d.pendingWorkflowTask);
        if (!busy || Date.now() - lastRead >= readEveryMs) {
          // Described just now: straight to the query (a status read would describe again).
          const s = unwrap(await gateway.status(id, { mailAttempts: false }));
          counts.statusReads++;
          lastRead = Date.now();
          if (pred(s)) return s;
        }
        if (Date.now() > deadline)
          throw new Error(`round ${id} did not reach the expected state within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
  };
}
