/**
 * Every workflow ID comes from here, so that the CLI, the web server and the worker agree on them
 * and a round's ID is stable: the same plan and round number always name the same workflow.
 */
export const REVIEW_ROUND_WORKFLOW_TYPE = 'reviewRound';
/** The periodic sweep of unused uploads (workflows/uploadSweep.ts). */
export const UPLOAD_SWEEP_WORKFLOW_TYPE = 'uploadSweep';

export function reviewRoundId(planId: string, n: number): string {
  return `round:${planId}:${n}`;
}

export function parseReviewRoundId(id: string): { planId: string; n: number } | null {
  const m = /^round:([a-z0-9][a-z0-9-]{0,62}):([1-9]\d*)$/.exec(id);
  return m ? { planId: m[1]!, n: Number(m[2]) } : null;
}
