/**
 * Round calls for scripts that drive a round (the benchmark, the seed driver, tests): the real
 * gateway, unwrapped, so a refusal or an unavailable server throws RoundGatewayError at once.
 */
import type { Client } from '@temporalio/client';
import type { ActionName } from '../../domain/actions.js';
import type { RoundInput } from '../../domain/round.js';
import { RoundGateway, unwrap, type ActionRequest } from '../../infra/roundGateway.js';
import type { ContentStore } from '../../infra/store.js';

export function roundCalls(client: Client, store: ContentStore, taskQueue: string) {
  const gateway = new RoundGateway(client, store, taskQueue);
  return {
    gateway,
    start: async (input: RoundInput) => unwrap(await gateway.start(input)),
    status: async (id: string) => unwrap(await gateway.status(id)),
    act: async <K extends ActionName>(id: string, name: K, request: ActionRequest<K>) => unwrap(await gateway.act(id, name, request)),
  };
}
