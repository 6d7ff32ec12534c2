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
  /** Status reads made by `until`: each a describe, and a query when the round's history has grown (`gateway.reads`). */
  const counts = { statusReads: 0 };
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
  };
}
