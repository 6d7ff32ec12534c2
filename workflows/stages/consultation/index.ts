/** The consultation stage: invitations, replies, reminders, deadlines (rules.ts, actions.ts, run.ts). */
import { registerActions } from '../../round/actions.js';
import type { Round } from '../../round/round.js';
import type { StageRunner } from '../stage.js';
import { consultationActions } from './actions.js';
import { Consultation } from './run.js';

export function consultationStage(round: Round): StageRunner {
  const consultation = new Consultation(round);
  registerActions(round, consultation, consultationActions);
  return consultation;
}
