/** The typed messages of the reviewRound workflow: its query and its updates (one per human action). */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  AddBureauRequest,
  CancelRoundRequest,
  ChangeContactRequest,
  CloseConsultationRequest,
  ExtendDeadlineRequest,
  RecordPaperReplyRequest,
  ReplyReceipt,
  ResendInvitationRequest,
  SubmitReplyRequest,
  WaiveBureauRequest,
} from '../domain/consultation.js';
import type { RoundStatus } from '../domain/round.js';

export const statusQuery = defineQuery<RoundStatus>('status');

export const submitReplyUpdate = defineUpdate<ReplyReceipt, [SubmitReplyRequest]>('submitReply');
export const recordPaperReplyUpdate = defineUpdate<ReplyReceipt, [RecordPaperReplyRequest]>('recordPaperReply');
export const extendDeadlineUpdate = defineUpdate<RoundStatus, [ExtendDeadlineRequest]>('extendDeadline');
export const waiveBureauUpdate = defineUpdate<RoundStatus, [WaiveBureauRequest]>('waiveBureau');
export const changeContactUpdate = defineUpdate<RoundStatus, [ChangeContactRequest]>('changeContact');
export const resendInvitationUpdate = defineUpdate<RoundStatus, [ResendInvitationRequest]>('resendInvitation');
export const addBureauUpdate = defineUpdate<RoundStatus, [AddBureauRequest]>('addBureau');
export const closeConsultationUpdate = defineUpdate<RoundStatus, [CloseConsultationRequest]>('closeConsultation');
export const cancelRoundUpdate = defineUpdate<RoundStatus, [CancelRoundRequest]>('cancelRound');
