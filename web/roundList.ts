/**
 * The round list (GET /): per round its plan, number and title, the stage in words, replies
 * received out of invited, the next deadline, how many bureaus are late and whether something needs
 * the coordinator; filtered by plan and by stage (?plan=&stage=, a GET that only shows).
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { STAGE_LABELS } from '../domain/labels.js';
import { parseReviewRoundId } from '../domain/ids.js';
import { Stage } from '../domain/round.js';
import { RoundGatewayError, type RoundService } from '../infra/roundGateway.js';
import { pageTime, type Templates } from '../infra/templates.js';
import { glanceOnPage } from './roundGlance.js';

export interface RoundListDeps {
  rounds: RoundService;
  templates: Templates;
  /** The clock that tells who is late (tests fix it). */
  now?: () => Date;
  /** The zone the list's start times are shown in. */
  timeZone: string;
  /** What the signed-in user's navigation offers (web/viewer.ts). */
  viewer?: (c: Context) => object;
}

const Filter = z.object({
  plan: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .optional()
    .catch(undefined),
  stage: Stage.optional().catch(undefined),
});

export function roundListPage(deps: RoundListDeps) {
  const { rounds, templates, timeZone } = deps;
  const now = deps.now ?? (() => new Date());
  return async (c: Context) => {
    const filter = Filter.parse({ plan: c.req.query('plan') || undefined, stage: c.req.query('stage') || undefined });
    const listed = await rounds.list();
    if (listed.kind !== 'done') throw new RoundGatewayError(listed);
    const at = now().getTime();
    const all = await Promise.all(
      listed.value.map(async (r) => {
        const id = parseReviewRoundId(r.id);
        const found = await rounds.status(r.id);
        const status = found.kind === 'done' ? found.value : undefined;
        return {
          id: r.id,
          planId: id?.planId ?? '',
          n: id?.n,
          title: status?.title ?? r.title,
          workflowStatus: r.status,
          startTime: pageTime(r.startTime, status?.timeZone ?? timeZone),
          stage: status?.stage,
          stageLabel: status ? STAGE_LABELS[status.stage] : undefined,
          glance: status ? glanceOnPage(status, at) : undefined,
        };
      }),
    );
    const shown = all
      .filter((r) => (!filter.plan || r.planId === filter.plan) && (!filter.stage || r.stage === filter.stage))
      .sort((a, b) => a.planId.localeCompare(b.planId) || (b.n ?? 0) - (a.n ?? 0));
    const plans = [...new Set(all.map((r) => r.planId).filter(Boolean))].sort();
    const stages = Stage.options.filter((s) => all.some((r) => r.stage === s));
    return c.html(
      templates.render('pages/rounds', {
        rounds: shown,
        total: all.length,
        filtered: filter.plan !== undefined || filter.stage !== undefined,
        plans: plans.map((p) => ({ value: p, selected: p === filter.plan })),
        stages: stages.map((s) => ({ value: s, ...STAGE_LABELS[s], selected: s === filter.stage })),
        ...deps.viewer?.(c),
      }),
    );
  };
}
