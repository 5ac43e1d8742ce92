import type { Schemas } from '../../lib/api';

export type Role = Schemas['Role'];

const ADMIN_CLINICIAN: readonly Role[] = ['admin', 'clinician'];
const CLINICAL: readonly Role[] = ['admin', 'clinician', 'medical'];

/** What each role may do, mirroring the API's permissions so no refused action is offered. */
const PERMISSIONS = {
  'screen.schedule': CLINICAL,
  'screen.clients': ['admin', 'clinician', 'medical', 'intake'],
  'screen.enrollment': ['admin', 'clinician', 'medical', 'intake'],
  'read.clinical': CLINICAL,
  'read.census': ['admin', 'clinician', 'medical', 'viewer'],
  'read.sessions': ['admin', 'clinician', 'medical', 'intake'],
  'read.homework': CLINICAL,
  'read.recommendations': CLINICAL,
  'attendance.record': CLINICAL,
  'session.note': ADMIN_CLINICIAN,
  'session.create': CLINICAL,
  'schedule.generate': ADMIN_CLINICIAN,
  'homework.assign': ADMIN_CLINICIAN,
  'homework.review': ADMIN_CLINICIAN,
  'recommendation.decide': ADMIN_CLINICIAN,
  'enrollment.manage': ADMIN_CLINICIAN,
  'enrollment.admit': ['admin', 'clinician', 'intake'],
  'plan.edit': ADMIN_CLINICIAN,
  'event.record': CLINICAL,
  'patient.create': ['admin', 'clinician', 'intake'],
  'consent.write': ['admin', 'intake'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Admin',
  clinician: 'Clinician',
  medical: 'Medical',
  intake: 'Intake',
  viewer: 'Viewer',
};
