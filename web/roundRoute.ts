/**
 * What the staff's pages of one round share (the coordinator's, the approver's): the round id in
 * the address, checked where a route is declared (a wrong one gets a page saying so), and the round
 * it names, loaded for the handlers after it (404 when there is none).
 */
import { zValidator } from '@hono/zod-validator';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { parseReviewRoundId } from '../domain/ids.js';
import { coded, issueText } from '../domain/messages.js';
import type { RoundStatus } from '../domain/round.js';
import { RoundGatewayError, type RoundService } from '../infra/roundGateway.js';
import type { Templates } from '../infra/templates.js';
import { messagePage, noRoundPage } from './guards.js';

export const RoundParam = z.object({
  id: z.string().refine((id) => parseReviewRoundId(id) !== null, coded('roundId')),
});

/** What roundLoader keeps for the handlers after it. */
export interface RoundEnv {
  Variables: { round: RoundStatus };
}

/** The route's round id, checked with RoundParam; a wrong one gets a page saying so (400). */
export function roundParamValidator(templates: Templates) {
  return zValidator('param', RoundParam, (result, c) => {
    if (result.success) return;
    const detail = issueText(result.error.issues[0]!);
    return messagePage(c, templates, 400, {
      zh: '网址中的审查轮次编号无效',
      en: 'The round in this address is not valid',
      detailZh: detail.zh,
      detailEn: detail.en,
    });
  });
}

/** The round of the route's id (validated before), as `round`; 404 when there is none. */
export function roundLoader(rounds: RoundService, templates: Templates): MiddlewareHandler<RoundEnv> {
  return async (c, next) => {
    const { id } = c.req.valid('param' as never) as { id: string };
    const round = await rounds.status(id);
    if (round.kind === 'notFound') return noRoundPage(c, templates, id);
    if (round.kind !== 'done') throw new RoundGatewayError(round);
    c.set('round', round.value);
    await next();
  };
}
