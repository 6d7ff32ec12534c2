/**
 * A round's event history, fetched from Temporal (never from a side copy): what the auditor's
 * timeline is built from, and the raw history an auditor may download. Typed outcomes, as the
 * round gateway gives them; tests give recorded histories instead.
 */
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import type { Outcome } from './roundGateway.js';

export type { History };

const GRPC_NOT_FOUND = 5;

export interface RoundHistories {
  history(roundId: string): Promise<Outcome<History>>;
}

export class TemporalHistories implements RoundHistories {
  constructor(private readonly client: Client) {}

  async history(roundId: string): Promise<Outcome<History>> {
    try {
      return { kind: 'done', value: await this.client.workflow.getHandle(roundId).fetchHistory() };
    } catch (err) {
      // fetchHistory passes the server's NOT_FOUND (gRPC status 5) through as it is.
      if (err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND))
        return { kind: 'notFound', roundId };
      return { kind: 'unavailable', cause: err instanceof Error ? err.message : String(err) };
    }
  }
}
