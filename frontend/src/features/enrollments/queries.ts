import { api, okTagged, ok } from '../../lib/api';

export function enrollmentQuery(enrollmentId: string) {
  return {
    queryKey: ['enrollment', enrollmentId],
    queryFn: () =>
      okTagged(
        api.GET('/api/v1/enrollments/{enrollment_id}', {
          params: { path: { enrollment_id: enrollmentId } },
        }),
      ),
  };
}

export function progressQuery(enrollmentId: string) {
  return {
    queryKey: ['progress', enrollmentId],
    queryFn: () =>
      ok(
        api.GET('/api/v1/enrollments/{enrollment_id}/progress', {
          params: { path: { enrollment_id: enrollmentId } },
        }),
      ),
  };
}

export function pendingRecommendationsQuery(enrollmentId: string) {
  return {
    queryKey: ['recommendations', 'enrollment', enrollmentId],
    queryFn: () =>
      ok(
        api.GET('/api/v1/tapering/recommendations', {
          params: { query: { enrollment_id: enrollmentId, status: 'pending', limit: 10 } },
        }),
      ),
  };
}

/** What a decision on an enrollment changes: itself, its progress, its sessions and lists. */
export const ENROLLMENT_DEPENDENTS = (enrollmentId: string) => [
  ['enrollment', enrollmentId],
  ['progress', enrollmentId],
  ['recommendations'],
  ['enrollment-sessions', enrollmentId],
  ['timeline', enrollmentId],
];
