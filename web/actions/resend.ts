/** Resend a bureau's invitation (the same link). */
import { z } from 'zod';
import { ResendInvitationRequest } from '../../domain/consultation.js';
import { bureauField, fieldOfForm, requestIdField, type CoordinatorAction } from '../coordinatorForms.js';

export const resend: CoordinatorAction<'resendInvitation'> = {
  name: 'resend',
  update: 'resendInvitation',
  title: '重新发送邀请 Resend an invitation',
  flash: (b) => `将重新向${b.zh}发送邀请。The invitation to ${b.en} is being resent.`,
  form: ({ round, actor }) =>
    z
      .object({ requestId: requestIdField('resend'), bureauId: bureauField(round) })
      .transform((f) => ({ ...f, actor }))
      .pipe(ResendInvitationRequest),
  fieldOf: fieldOfForm(['bureauId']),
  bureauOf: (r) => r.bureauId,
};
